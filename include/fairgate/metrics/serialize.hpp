// fairgate/metrics/serialize.hpp: a compact, versioned, endian-stable byte format for
// group_accumulator.
//
//   std::vector<std::uint8_t> bytes = fairgate::metrics::serialize(acc);
//   auto back = fairgate::metrics::deserialize(bytes);   // back == acc
//   shard_a.merge(fairgate::metrics::deserialize(bytes_from_elsewhere));
//
// Layout (all integers little-endian on every host):
//   "FGMA"                      4-byte magic
//   u16 version, u16 flags      flags bit 0: weighted cells, bit 1: regression sums,
//                               (version 2) bit 2: calibration bins, bit 3: score histogram
//   u32 n_groups
//   per group: u64 tp, fp, tn, fn                       (unweighted counts)
//   if bit 0, per group: exact sums tp, fp, tn, fn      (weighted cells)
//   if bit 1, per group: u64 count, then exact sums sum_pred, sum_abs_err,
//                        sum_sq_err, weight, wsum_pred, wsum_abs_err, wsum_sq_err
//   if bit 2: u32 n_bins, then per group, per bin: u64 count, u64 positives,
//             exact sum sum_p, and if bit 0 also exact sums weight, sum_y
//   if bit 3: u32 n_bins, u64 min, u64 max (IEEE-754 binary64 bits), then per
//             group, per label 0 and 1, per bin: u64 count, and if bit 0 the
//             exact weight sum
//   u64 FNV-1a 64 of every preceding byte
// Versions: 1 has bits 0-1 only; 2 (this build) adds the score statistics
// sections (score_bins.hpp). The writer writes the LOWEST version that can
// hold the accumulator: 1 unless score statistics are kept, so accumulators
// without them give the same bytes as before and older readers still read
// them. This build reads versions 1 and 2.
// An exact sum (exact_sum.hpp, canonical form) is written sparsely:
//   u8 k, then k pairs (u8 limb index, u32 limb) for the non-zero lower
//   limbs in increasing index order, then i64 top limb.
// Because the state is exact, serialise -> deserialise -> merge equals
// merging the originals bit for bit.
//
// Errors: wrong magic or malformed body -> errc::parse_error; a version newer
// than this build reads -> errc::unsupported; checksum mismatch (corruption or
// truncation) -> errc::verification_failed. Each message says what and where.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/digest.hpp>
#include <fairgate/error.hpp>
#include <fairgate/metrics/accumulator.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace metrics {

// The newest version this build reads and writes (see the layout above).
inline constexpr std::uint16_t accumulator_format_version = 2;

namespace serialize_detail {

class writer {
 public:
  void u8(std::uint8_t v) { out.push_back(v); }
  void u16(std::uint16_t v) { put(v, 2); }
  void u32(std::uint32_t v) { put(v, 4); }
  void u64(std::uint64_t v) { put(v, 8); }
  void sum(const exact_sum& s) {
    exact_sum c = s;
    c.normalise();
    const auto& L = c.limbs();
    std::uint8_t k = 0;
    for (std::size_t i = 0; i + 1 < exact_sum::n_limbs; ++i)
      k = static_cast<std::uint8_t>(k + (L[i] != 0));
    u8(k);
    for (std::size_t i = 0; i + 1 < exact_sum::n_limbs; ++i) {
      if (L[i] != 0) {
        u8(static_cast<std::uint8_t>(i));
        u32(static_cast<std::uint32_t>(L[i]));
      }
    }
    u64(static_cast<std::uint64_t>(L[exact_sum::n_limbs - 1]));
  }
  std::vector<std::uint8_t> out;

 private:
  void put(std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
};

class reader {
 public:
  explicit reader(std::span<const std::uint8_t> b) : bytes(b) {}
  std::uint8_t u8() { return static_cast<std::uint8_t>(get(1, "u8")); }
  std::uint16_t u16() { return static_cast<std::uint16_t>(get(2, "u16")); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(get(4, "u32")); }
  std::uint64_t u64() { return get(8, "u64"); }
  exact_sum sum() {
    std::array<std::int64_t, exact_sum::n_limbs> L{};
    const std::size_t at = pos;
    const std::uint8_t k = u8();
    int last = -1;
    for (std::uint8_t j = 0; j < k; ++j) {
      const std::uint8_t idx = u8();
      require(static_cast<int>(idx) > last && idx + 1u < exact_sum::n_limbs, errc::parse_error,
              [&] {
                return "accumulator bytes: exact sum at byte " + std::to_string(at) +
                       " has limb index " + std::to_string(idx) + " out of order or out of range";
              });
      last = idx;
      L[idx] = static_cast<std::int64_t>(u32());
    }
    L[exact_sum::n_limbs - 1] = static_cast<std::int64_t>(u64());
    return exact_sum::from_limbs(L);
  }
  std::size_t pos = 0;
  std::span<const std::uint8_t> bytes;

 private:
  std::uint64_t get(int n, const char* what) {
    require(pos + static_cast<std::size_t>(n) <= bytes.size(), errc::parse_error, [&] {
      return std::string("accumulator bytes: truncated, reading ") + what + " at byte " +
             std::to_string(pos) + " of " + std::to_string(bytes.size());
    });
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i)
      v |= static_cast<std::uint64_t>(bytes[pos + static_cast<std::size_t>(i)]) << (8 * i);
    pos += static_cast<std::size_t>(n);
    return v;
  }
};

// Reads the score-statistics options of a version-2 body, starting from a
// reader positioned after n_groups, without moving it: the sections before
// them are skipped with a copy of the reader. Validates the options (a
// parse_error names the problem) and that their bins fit in the buffer.
inline score_statistics_options peek_score_options(const reader& at_counts, std::uint16_t flags,
                                                   std::uint32_t G) {
  reader r = at_counts;
  r.pos += static_cast<std::size_t>(G) * 32u;
  require(r.pos <= r.bytes.size(), errc::parse_error,
          "accumulator bytes: truncated in the confusion counts");
  if (flags & 1u) {
    for (std::uint64_t i = 0; i < static_cast<std::uint64_t>(G) * 4u; ++i) (void)r.sum();
  }
  if (flags & 2u) {
    for (std::uint32_t g = 0; g < G; ++g) {
      (void)r.u64();
      for (int k = 0; k < 7; ++k) (void)r.sum();
    }
  }
  score_statistics_options so;
  const std::size_t left = r.bytes.size() - r.pos;
  if (flags & 4u) {
    so.calibration_bins = r.u32();
    require(so.calibration_bins > 0 && so.calibration_bins <= max_score_bins &&
                static_cast<std::uint64_t>(G) * so.calibration_bins * 25u <= left,
            errc::parse_error, [&] {
              return "accumulator bytes: " + std::to_string(so.calibration_bins) +
                     " calibration bins for " + std::to_string(G) +
                     " groups is out of range or does not fit in the buffer";
            });
    // Skip the bins to reach the histogram header.
    const std::uint64_t per_bin_sums = (flags & 1u) ? 3u : 1u;
    for (std::uint64_t i = 0; i < static_cast<std::uint64_t>(G) * so.calibration_bins; ++i) {
      (void)r.u64();
      (void)r.u64();
      for (std::uint64_t k = 0; k < per_bin_sums; ++k) (void)r.sum();
    }
  }
  if (flags & 8u) {
    so.histogram_bins = r.u32();
    so.histogram_min = std::bit_cast<double>(r.u64());
    so.histogram_max = std::bit_cast<double>(r.u64());
    require(
        so.histogram_bins > 0 && so.histogram_bins <= max_score_bins &&
            static_cast<std::uint64_t>(G) * 2u * so.histogram_bins * 8u <= r.bytes.size() - r.pos,
        errc::parse_error, [&] {
          return "accumulator bytes: " + std::to_string(so.histogram_bins) +
                 " histogram bins for " + std::to_string(G) +
                 " groups is out of range or does not fit in the buffer";
        });
  }
  try {
    validate(so);
  } catch (const error& e) {
    throw error(errc::parse_error, std::string("accumulator bytes: ") + e.what());
  }
  return so;
}

}  // namespace serialize_detail

[[nodiscard]] inline std::vector<std::uint8_t> serialize(const group_accumulator& acc) {
  serialize_detail::writer w;
  for (char c : {'F', 'G', 'M', 'A'}) w.u8(static_cast<std::uint8_t>(c));
  const std::uint16_t flags = static_cast<std::uint16_t>(
      (acc.has_weighted_cells() ? 1u : 0u) | (acc.has_regression() ? 2u : 0u) |
      (acc.has_calibration_bins() ? 4u : 0u) | (acc.has_score_histogram() ? 8u : 0u));
  w.u16(static_cast<std::uint16_t>((flags & 12u) != 0 ? 2 : 1));
  w.u16(flags);
  w.u32(acc.n_groups());
  for (std::uint32_t g = 0; g < acc.n_groups(); ++g) {
    const auto& c = acc.counts(g);
    w.u64(c.tp);
    w.u64(c.fp);
    w.u64(c.tn);
    w.u64(c.fn);
  }
  if (flags & 1u) {
    for (std::uint32_t g = 0; g < acc.n_groups(); ++g) {
      const auto e = acc.exact_weights(g);
      for (const exact_sum* s : {&e.tp, &e.fp, &e.tn, &e.fn}) w.sum(*s);
    }
  }
  if (flags & 2u) {
    for (std::uint32_t g = 0; g < acc.n_groups(); ++g) {
      const auto r = acc.regression(g);
      w.u64(r.count);
      for (const exact_sum* s : {&r.sum_pred, &r.sum_abs_err, &r.sum_sq_err, &r.weight,
                                 &r.wsum_pred, &r.wsum_abs_err, &r.wsum_sq_err}) {
        w.sum(*s);
      }
    }
  }
  const auto& so = acc.score_options();
  if (flags & 4u) {
    w.u32(so.calibration_bins);
    for (std::uint32_t g = 0; g < acc.n_groups(); ++g) {
      for (std::uint32_t b = 0; b < so.calibration_bins; ++b) {
        const calibration_bin_sums c = acc.calibration_bin(g, b);
        w.u64(c.count);
        w.u64(c.positives);
        w.sum(c.sum_p);
        if (flags & 1u) {
          w.sum(c.weight);
          w.sum(c.sum_y);
        }
      }
    }
  }
  if (flags & 8u) {
    w.u32(so.histogram_bins);
    w.u64(std::bit_cast<std::uint64_t>(so.histogram_min));
    w.u64(std::bit_cast<std::uint64_t>(so.histogram_max));
    for (std::uint32_t g = 0; g < acc.n_groups(); ++g) {
      for (std::uint32_t y = 0; y < 2; ++y) {
        for (std::uint32_t b = 0; b < so.histogram_bins; ++b) {
          w.u64(acc.histogram_count(g, y, b));
          if (flags & 1u) w.sum(acc.histogram_weight(g, y, b));
        }
      }
    }
  }
  fnv1a64 h;
  h.update(std::span<const std::uint8_t>(w.out));
  w.u64(h.value());
  return std::move(w.out);
}

[[nodiscard]] inline group_accumulator deserialize(std::span<const std::uint8_t> bytes) {
  serialize_detail::reader r(bytes);
  require(bytes.size() >= 12 && bytes[0] == 'F' && bytes[1] == 'G' && bytes[2] == 'M' &&
              bytes[3] == 'A',
          errc::parse_error,
          "accumulator bytes: missing 'FGMA' magic (not a fairgate accumulator)");
  r.pos = 4;
  const std::uint16_t version = r.u16();
  require(version <= accumulator_format_version, errc::unsupported, [&] {
    return "accumulator bytes: format version " + std::to_string(version) +
           " is newer than this build reads (" + std::to_string(accumulator_format_version) + ")";
  });
  require(version >= 1, errc::parse_error, "accumulator bytes: format version 0 is invalid");
  require(bytes.size() >= 20, errc::parse_error,
          "accumulator bytes: truncated before the checksum");
  {
    fnv1a64 h;
    h.update(bytes.first(bytes.size() - 8));
    serialize_detail::reader t(bytes.last(8));
    const std::uint64_t stored = t.u64();
    require(stored == h.value(), errc::verification_failed,
            "accumulator bytes: checksum mismatch (the buffer is corrupt or truncated)");
  }
  // The body is read from everything but the checksum, so an overrun is reported as truncation.
  r.bytes = bytes.first(bytes.size() - 8);
  const std::uint16_t flags = r.u16();
  const unsigned known = version >= 2 ? 15u : 3u;
  require((flags & ~known) == 0, errc::parse_error, [&] {
    return "accumulator bytes: unknown flags " + std::to_string(flags) + " for format version " +
           std::to_string(version);
  });
  const std::uint32_t G = r.u32();
  require(G > 0, errc::parse_error, "accumulator bytes: n_groups is 0");
  // Guard against absurd sizes before allocating: each group needs 32 bytes.
  require(static_cast<std::uint64_t>(G) * 32u <= bytes.size(), errc::parse_error, [&] {
    return "accumulator bytes: n_groups = " + std::to_string(G) + " does not fit in " +
           std::to_string(bytes.size()) + " bytes";
  });
  // The score-statistics options sit after the variable-size sections; read
  // them first (the sections before them are skipped by a scratch reader).
  score_statistics_options so;
  if (flags & 12u) so = serialize_detail::peek_score_options(r, flags, G);
  group_accumulator acc = so.any() ? group_accumulator(G, so) : group_accumulator(G);
  auto& counts = acc.mutable_counts();
  for (std::uint32_t g = 0; g < G; ++g) {
    counts[g].tp = r.u64();
    counts[g].fp = r.u64();
    counts[g].tn = r.u64();
    counts[g].fn = r.u64();
  }
  if (flags & 1u) {
    auto& wc = acc.mutable_weights();
    for (std::uint32_t g = 0; g < G; ++g) {
      wc[g].tp = r.sum();
      wc[g].fp = r.sum();
      wc[g].tn = r.sum();
      wc[g].fn = r.sum();
    }
  }
  if (flags & 2u) {
    auto& reg = acc.mutable_regression();
    for (std::uint32_t g = 0; g < G; ++g) {
      auto& x = reg[g];
      x.count = r.u64();
      for (exact_sum* s : {&x.sum_pred, &x.sum_abs_err, &x.sum_sq_err, &x.weight, &x.wsum_pred,
                           &x.wsum_abs_err, &x.wsum_sq_err}) {
        *s = r.sum();
      }
    }
  }
  if (flags & 4u) {
    (void)r.u32();  // n_bins, already read by peek_score_options
    auto& cal = acc.mutable_calibration_bins();
    for (auto& c : cal) {
      c.count = r.u64();
      c.positives = r.u64();
      c.sum_p = r.sum();
      if (flags & 1u) {
        c.weight = r.sum();
        c.sum_y = r.sum();
      }
      require(c.positives <= c.count, errc::parse_error, [&] {
        return "accumulator bytes: a calibration bin has more positives than rows (before byte " +
               std::to_string(r.pos) + ")";
      });
    }
  }
  if (flags & 8u) {
    r.pos += 4 + 8 + 8;  // n_bins, min, max: already read by peek_score_options
    auto& hc = acc.mutable_histogram_counts();
    auto& hw = acc.mutable_histogram_weights();
    for (std::size_t i = 0; i < hc.size(); ++i) {
      hc[i] = r.u64();
      if (flags & 1u) hw[i] = r.sum();
    }
  }
  require(r.pos == r.bytes.size(), errc::parse_error, [&] {
    return "accumulator bytes: " + std::to_string(r.bytes.size() - r.pos) +
           " unexpected bytes before the checksum at byte " + std::to_string(r.pos);
  });
  return acc;
}

}  // namespace metrics

FAIRGATE_END_NAMESPACE
