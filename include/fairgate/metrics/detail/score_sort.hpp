// fairgate/metrics/detail/score_sort.hpp: one stable radix sort of the rows by
// score, shared by the ranking kernels (AUC, ROC curves, xAUC, calibration
// quantiles).
//
// Why a radix sort: AUC over every group needs one global order of the rows
// by score; a comparison sort of 10^6 rows costs ~80 ms, an LSD radix sort
// over the score bits a few ms. The score is mapped to an unsigned key whose
// integer order is the numeric order of the score (the usual sign-flip
// transform of IEEE 754 bits; -0.0 is folded onto +0.0 so that numerically
// equal scores get equal keys and form one tie block). The sort is stable,
// but no result depends on that: ties are handled as whole blocks, and the
// weighted kernels put each tie block into a canonical order (see
// canonicalise_block) before summing, so results are bit-identical under any
// permutation of the input rows.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/metrics/detail/score_inputs.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace metrics::detail {

// Monotone keys: s < t (numerically) <=> score_key(s) < score_key(t). NaN is
// rejected before keys are built.
inline std::uint64_t score_key(float s) noexcept {
  if (s == 0.0f) s = 0.0f;  // -0 -> +0
  const auto b = std::bit_cast<std::uint32_t>(s);
  return (b & 0x80000000u) ? static_cast<std::uint32_t>(~b) : (b | 0x80000000u);
}
inline std::uint64_t score_key(double s) noexcept {
  if (s == 0.0) s = 0.0;
  const auto b = std::bit_cast<std::uint64_t>(s);
  return (b & 0x8000000000000000ull) ? ~b : (b | 0x8000000000000000ull);
}

// Inverse of score_key (a -0.0 score comes back as +0.0).
template <class S>
S score_from_key(std::uint64_t key) noexcept {
  if constexpr (std::is_same_v<S, float>) {
    const auto k = static_cast<std::uint32_t>(key);
    return std::bit_cast<float>((k & 0x80000000u) ? (k & 0x7fffffffu)
                                                  : static_cast<std::uint32_t>(~k));
  } else {
    return std::bit_cast<double>((key & 0x8000000000000000ull) ? (key & 0x7fffffffffffffffull)
                                                               : ~key);
  }
}

struct keyed_row {
  std::uint64_t key;
  std::uint32_t row;
};

// LSD radix sort, 11-bit digits; passes whose digit is the same for every key
// are skipped (scores in [0,1] share their top bits).
template <class Item, class KeyFn>
void lsd_radix_sort(std::vector<Item>& a, int key_bits, KeyFn key) {
  constexpr int digit = 11;
  constexpr std::size_t radix = std::size_t{1} << digit;
  const int passes = (key_bits + digit - 1) / digit;
  const std::size_t n = a.size();
  if (n < 2) return;
  std::vector<std::size_t> hist(static_cast<std::size_t>(passes) * radix, 0);
  for (const Item& it : a) {
    const std::uint64_t k = key(it);
    for (int p = 0; p < passes; ++p) {
      ++hist[static_cast<std::size_t>(p) * radix + ((k >> (p * digit)) & (radix - 1))];
    }
  }
  std::vector<Item> tmp(n);
  for (int p = 0; p < passes; ++p) {
    std::size_t* h = hist.data() + static_cast<std::size_t>(p) * radix;
    const std::uint64_t first_digit = (key(a[0]) >> (p * digit)) & (radix - 1);
    if (h[first_digit] == n) continue;  // every key has this digit
    std::size_t sum = 0;
    for (std::size_t d = 0; d < radix; ++d) {
      const std::size_t c = h[d];
      h[d] = sum;
      sum += c;
    }
    for (const Item& it : a) tmp[h[(key(it) >> (p * digit)) & (radix - 1)]++] = it;
    a.swap(tmp);
  }
}

// Rows sorted by ascending score key (stable). Requires < 2^32 rows.
template <score_type S>
std::vector<keyed_row> sort_rows_by_score(std::span<const S> scores) {
  const std::size_t n = scores.size();
  require(n < (std::size_t{1} << 32), errc::invalid_argument,
          "score kernels support at most 2^32 - 1 rows per call");
  std::vector<keyed_row> out(n);
  if constexpr (std::is_same_v<S, float>) {
    // Pack (key, row) into one u64 and sort on the high half: 8-byte items.
    std::vector<std::uint64_t> packed(n);
    for (std::size_t i = 0; i < n; ++i) packed[i] = (score_key(scores[i]) << 32) | i;
    lsd_radix_sort(packed, 32, [](std::uint64_t v) { return v >> 32; });
    for (std::size_t i = 0; i < n; ++i) {
      out[i] = keyed_row{packed[i] >> 32, static_cast<std::uint32_t>(packed[i])};
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      out[i] = keyed_row{score_key(scores[i]), static_cast<std::uint32_t>(i)};
    }
    lsd_radix_sort(out, 64, [](const keyed_row& r) { return r.key; });
  }
  return out;
}

// Puts one tie block (rows with equal score) in a canonical order: by group,
// then label, then the weight's bits. Rows equal in all of these are
// interchangeable, so any sum over the block in this order is a function of
// the multiset of rows, not of their input order.
template <class L, class G, class W>
void canonicalise_block(std::span<keyed_row> block, std::span<const L> labels,
                        std::span<const G> groups, std::span<const W> weights) {
  if (block.size() < 2) return;
  std::sort(block.begin(), block.end(), [&](const keyed_row& x, const keyed_row& y) {
    const auto gx = static_cast<std::uint64_t>(groups[x.row]);
    const auto gy = static_cast<std::uint64_t>(groups[y.row]);
    if (gx != gy) return gx < gy;
    const auto lx = static_cast<std::uint64_t>(labels[x.row]);
    const auto ly = static_cast<std::uint64_t>(labels[y.row]);
    if (lx != ly) return lx < ly;
    if (!weights.empty()) {
      const double wx = static_cast<double>(weights[x.row]);
      const double wy = static_cast<double>(weights[y.row]);
      if (wx != wy) return wx < wy;
    }
    return false;
  });
}

}  // namespace metrics::detail

FAIRGATE_END_NAMESPACE
