// Score statistics in the accumulator: calibration bins, score histogram,
// their merge / serialisation, and the read-outs of accumulator_scores.hpp.
#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include <fairgate/digest.hpp>
#include <fairgate/metrics/accumulate.hpp>
#include <fairgate/metrics/accumulator_scores.hpp>
#include <fairgate/metrics/calibration.hpp>
#include <fairgate/metrics/roc.hpp>
#include <fairgate/metrics/serialize.hpp>
#include <fairgate/monitor/drift.hpp>
#include <fairgate/rng/stream.hpp>

#include "metrics/random_data.hpp"

using fg_test::require_error;
namespace fm = fairgate::metrics;

namespace {

bool same_bits(double a, double b) {
  return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

// Whole calibration results compared bit for bit (NaN == NaN).
void require_same(const fm::calibration_curve& a, const fm::calibration_curve& b) {
  REQUIRE(a.bins.size() == b.bins.size());
  for (std::size_t i = 0; i < a.bins.size(); ++i) {
    INFO("bin " << i);
    REQUIRE(a.bins[i].count == b.bins[i].count);
    REQUIRE(a.bins[i].nonempty == b.bins[i].nonempty);
    REQUIRE(same_bits(a.bins[i].lower, b.bins[i].lower));
    REQUIRE(same_bits(a.bins[i].upper, b.bins[i].upper));
    REQUIRE(same_bits(a.bins[i].weight, b.bins[i].weight));
    REQUIRE(same_bits(a.bins[i].mean_predicted, b.bins[i].mean_predicted));
    REQUIRE(same_bits(a.bins[i].fraction_positive, b.bins[i].fraction_positive));
  }
  REQUIRE(a.count == b.count);
  REQUIRE(a.defined == b.defined);
  REQUIRE(same_bits(a.weight, b.weight));
  REQUIRE(same_bits(a.ece, b.ece));
  REQUIRE(same_bits(a.mce, b.mce));
  REQUIRE(same_bits(a.mean_score, b.mean_score));
  REQUIRE(same_bits(a.base_rate, b.base_rate));
  REQUIRE(same_bits(a.calibration_in_the_large, b.calibration_in_the_large));
}

void require_same(const fm::calibration_result& a, const fm::calibration_result& b) {
  REQUIRE(a.groups.size() == b.groups.size());
  for (std::size_t g = 0; g < a.groups.size(); ++g) {
    INFO("group " << g);
    require_same(a.groups[g], b.groups[g]);
  }
  require_same(a.overall, b.overall);
}

fg_test::binary_data slice(const fg_test::binary_data& d, std::size_t b, std::size_t e) {
  fg_test::binary_data p;
  p.n_groups = d.n_groups;
  auto cut = [&](const auto& v) {
    using V = std::remove_cvref_t<decltype(v)>;
    return V(v.begin() + static_cast<std::ptrdiff_t>(b),
             v.begin() + static_cast<std::ptrdiff_t>(e));
  };
  p.y = cut(d.y);
  p.g = cut(d.g);
  p.s = cut(d.s);
  p.w = cut(d.w);
  return p;
}

const fm::score_statistics_options kBoth{.calibration_bins = 10, .histogram_bins = 37};

fm::group_accumulator acc_of(const fg_test::binary_data& d, bool weighted,
                             const fm::score_statistics_options& so = kBoth, unsigned threads = 1) {
  fm::group_accumulator acc(d.n_groups, so);
  fm::accumulate(acc, d.inputs(0.5, weighted), {.threads = threads});
  return acc;
}

}  // namespace

// ------------------------------------------------------------------ hand cases

TEST_CASE("calibration bins hold hand-computed counts, sums and ECE", "[metrics][scores][hand]") {
  // 4 bins, edges 0, .25, .5, .75, 1; a score goes to #{.25, .5, .75 < p}.
  // group 0: (0.25,1) -> bin 0; (0.1,0) -> bin 0; (0.26,1) -> bin 1; (1.0,1) -> bin 3
  // group 1: (0.0,0) -> bin 0; (0.5,0) -> bin 1
  const std::vector<float> s = {0.25f, 0.1f, 0.26f, 1.0f, 0.0f, 0.5f};
  const std::vector<std::uint8_t> y = {1, 0, 1, 1, 0, 0};
  const std::vector<std::uint8_t> g = {0, 0, 0, 0, 1, 1};
  fm::group_accumulator acc(2, {.calibration_bins = 4});
  fm::accumulate(acc, fm::binary_inputs{y, fm::prediction_view::scores(s, 0.5), g, 2});
  const auto b00 = acc.calibration_bin(0, 0);
  CHECK(b00.count == 2);
  CHECK(b00.positives == 1);
  CHECK(b00.sum_p.value() == double(0.25f) + double(0.1f));
  CHECK(b00.weight.value() == 2.0);  // implied by the count (unweighted)
  CHECK(acc.calibration_bin(0, 1).count == 1);
  CHECK(acc.calibration_bin(0, 2).count == 0);
  CHECK(acc.calibration_bin(0, 3).count == 1);
  CHECK(acc.calibration_bin(1, 0).count == 1);
  CHECK(acc.calibration_bin(1, 1).count == 1);
  const auto cal = fm::calibration(acc);
  // group 0 bins: 0: mean p = (0.25 + 0.1)/2 = 0.175, frac 0.5, gap 0.325, weight 2/4
  //               1: p = 0.26, frac 1, gap 0.74, weight 1/4;  3: p = 1, frac 1, gap 0, 1/4
  // ECE = 0.5 * 0.325 + 0.25 * 0.74 = 0.3475; MCE = 0.74;
  // CITL = mean score - base rate = (0.25 + 0.1 + 0.26 + 1)/4 - 3/4 = -0.3475
  const double p25 = double(0.25f), p1 = double(0.1f), p26 = double(0.26f);
  CHECK(cal.groups[0].ece == Approx(0.5 * std::fabs(0.5 - (p25 + p1) / 2) + 0.25 * (1 - p26)));
  CHECK(cal.groups[0].ece == Approx(0.3475).epsilon(1e-6));
  CHECK(cal.groups[0].mce == Approx(0.74).epsilon(1e-6));
  CHECK(cal.groups[0].calibration_in_the_large == Approx(-0.3475).epsilon(1e-6));
  // group 1: bins 0 (p 0, frac 0) and 1 (p 0.5, frac 0): ECE = 0.5 * 0.5 = 0.25, MCE 0.5
  CHECK(cal.groups[1].ece == Approx(0.25));
  CHECK(cal.groups[1].mce == Approx(0.5));
  CHECK_FALSE(cal.groups[1].bins[2].nonempty);
  CHECK(cal.overall.count == 6);
}

TEST_CASE("the score histogram bins half-open intervals and clamps out-of-range scores",
          "[metrics][scores][hand]") {
  // 4 bins over [0, 1]: [0,.25) [.25,.5) [.5,.75) [.75,1]; bin = #{.25, .5, .75 <= s}.
  // -0.5 -> 0 (clamped), 0.25 -> 1, 0.7499 -> 2, 1.0 -> 3, 2.0 -> 3 (clamped), inf -> 3
  const std::vector<double> s = {-0.5, 0.25, 0.7499, 1.0, 2.0, INFINITY};
  const std::vector<std::uint8_t> y = {0, 1, 1, 0, 1, 0};
  const std::vector<std::uint8_t> g = {0, 0, 0, 0, 0, 0};
  const std::vector<double> w = {1.0, 2.0, 0.5, 0.25, 4.0, 8.0};
  fm::group_accumulator acc(1, {.histogram_bins = 4, .histogram_min = 0.0, .histogram_max = 1.0});
  fm::binary_inputs in{y, fm::prediction_view::scores(s, 0.5), g, 1};
  in.weights = fm::real_view(w);
  fm::accumulate(acc, in);
  const auto h = fm::histogram(acc, 0);
  CHECK(h.count_neg == std::vector<std::uint64_t>{1, 0, 0, 2});
  CHECK(h.count_pos == std::vector<std::uint64_t>{0, 1, 1, 1});
  CHECK(h.weight_neg == std::vector<double>{1.0, 0.0, 0.0, 8.25});
  CHECK(h.weight_pos == std::vector<double>{0.0, 2.0, 0.5, 4.0});
  CHECK(h.weight_all == std::vector<double>{1.0, 2.0, 0.5, 12.25});
  CHECK(h.edges == std::vector<double>{0.0, 0.25, 0.5, 0.75, 1.0});
  CHECK(h.total_neg == 9.25);
  CHECK(h.total_pos == 6.5);
  // Binned AUC: positives' bins 1 (w 2), 2 (0.5), 3 (4); negatives 0 (1), 3 (8.25).
  // pairs pos > neg: every positive beats the bin-0 negative: 6.5 * 1 = 6.5;
  // ties in bin 3: 4 * 8.25 / 2 = 16.5.  AUC = (6.5 + 16.5) / (6.5 * 9.25) = 23 / 60.125
  const auto auc = fm::binned_roc_auc(acc);
  CHECK(auc.groups[0].defined);
  CHECK(auc.groups[0].auc == Approx(23.0 / 60.125).epsilon(1e-15));
  const auto roc = fm::binned_roc_curve(acc);
  // From the top: thresholds inf, .75, .5, .25, 0; fps 0, 8.25, 8.25, 8.25, 9.25
  CHECK(roc.groups[0].thresholds == std::vector<double>{INFINITY, 0.75, 0.5, 0.25, 0.0});
  CHECK(roc.groups[0].fps == std::vector<double>{0.0, 8.25, 8.25, 8.25, 9.25});
  CHECK(roc.groups[0].tps == std::vector<double>{0.0, 4.0, 4.5, 6.5, 6.5});
  CHECK(roc.groups[0].fpr.back() == 1.0);
  CHECK(roc.groups[0].tpr.back() == 1.0);
}

TEST_CASE("the histogram's guessed bin is corrected to the edge rule exactly",
          "[metrics][scores][property]") {
  // Oracle: #{inner edges <= s} by a plain count. Values: every edge, its two
  // neighbours, random values in and around [lo, hi], and the infinities.
  fairgate::rng::stream st(83, fairgate::rng::purposes::test);
  for (const auto& [lo, hi, n] :
       {std::tuple{0.0, 1.0, std::size_t{100}}, std::tuple{-3.7, 0.1, std::size_t{7}},
        std::tuple{0.2, 0.9, std::size_t{13}}, std::tuple{1e-3, 1e9, std::size_t{4096}}}) {
    const auto e = fm::linspace_edges(lo, hi, n);
    std::vector<double> xs = {-INFINITY, INFINITY, lo - 1.0, hi + 1.0};
    for (double v : e) {
      xs.push_back(v);
      xs.push_back(std::nextafter(v, -INFINITY));
      xs.push_back(std::nextafter(v, INFINITY));
    }
    for (int i = 0; i < 2000; ++i)
      xs.push_back(lo - (hi - lo) * 0.1 +
                   (hi - lo) * 1.2 * (static_cast<double>(st.next_u64() >> 11) * 0x1p-53));
    const double inv = static_cast<double>(n) / (hi - lo);
    for (double x : xs) {
      std::size_t want = 0;
      for (std::size_t j = 1; j < n; ++j) want += e[j] <= x ? 1u : 0u;
      INFO("x = " << x << " n = " << n);
      REQUIRE(fm::detail::histogram_bin(e.data(), n, inv, x) == want);
      REQUIRE(fm::detail::count_at_or_below(e.data() + 1, n - 1, x) == want);
    }
  }
}

// ------------------------------------------------------------------ exactness vs raw scores

TEST_CASE("accumulator calibration equals the raw-score calibration bit for bit",
          "[metrics][scores][property]") {
  const auto d = fg_test::make_binary(20000, 7, 71);
  for (bool weighted : {false, true}) {
    for (std::uint32_t nb : {1u, 5u, 10u, 33u, 100u}) {
      INFO("weighted " << weighted << " bins " << nb);
      const auto acc = acc_of(d, weighted, {.calibration_bins = nb}, 2);
      const auto raw =
          fm::calibration(std::span<const float>(d.s), std::span<const std::uint8_t>(d.y),
                          std::span<const std::uint8_t>(d.g), d.n_groups, nb, fm::binning::uniform,
                          weighted ? std::span<const double>(d.w) : std::span<const double>());
      require_same(fm::calibration(acc), raw);
    }
  }
}

TEST_CASE("unweighted rows then weighted rows equal the raw calibration with unit weights",
          "[metrics][scores][property]") {
  const auto d = fg_test::make_binary(6000, 4, 72);
  fm::group_accumulator acc(4, {.calibration_bins = 8, .histogram_bins = 16});
  fm::accumulate(acc, slice(d, 0, 2500).inputs(0.5, false));
  fm::accumulate(acc, slice(d, 2500, 6000).inputs(0.5, true));
  std::vector<double> w = d.w;
  std::fill(w.begin(), w.begin() + 2500, 1.0);
  const auto raw = fm::calibration(std::span<const float>(d.s), std::span<const std::uint8_t>(d.y),
                                   std::span<const std::uint8_t>(d.g), 4, 8, fm::binning::uniform,
                                   std::span<const double>(w));
  require_same(fm::calibration(acc), raw);
  // The weighted histogram holds the same unit weights for the first rows.
  fg_test::binary_data unit = d;
  unit.w = w;
  REQUIRE(acc_of(unit, true, {.calibration_bins = 8, .histogram_bins = 16}) == acc);
}

TEST_CASE("unweighted binned AUC equals roc_auc on the bin indices bit for bit",
          "[metrics][scores][property]") {
  const auto d = fg_test::make_binary(30000, 5, 73);
  for (std::uint32_t nb : {2u, 16u, 100u, 1000u}) {
    const auto acc =
        acc_of(d, false, {.histogram_bins = nb, .histogram_min = 0.0, .histogram_max = 1.0});
    // Independent binning: numpy.histogram's rule, by comparison with the edges.
    const auto edges = fm::linspace_edges(0.0, 1.0, nb);
    std::vector<double> idx(d.s.size());
    for (std::size_t i = 0; i < d.s.size(); ++i) {
      const double s = d.s[i];
      idx[i] = static_cast<double>(std::upper_bound(edges.begin() + 1, edges.end() - 1, s) -
                                   (edges.begin() + 1));
    }
    const auto exact = fm::roc_auc(std::span<const double>(idx), std::span<const std::uint8_t>(d.y),
                                   std::span<const std::uint8_t>(d.g), d.n_groups);
    const auto binned = fm::binned_roc_auc(acc);
    for (std::uint32_t g = 0; g < d.n_groups; ++g) {
      INFO("bins " << nb << " group " << g);
      REQUIRE(binned.groups[g].defined == exact.groups[g].defined);
      REQUIRE(same_bits(binned.groups[g].auc, exact.groups[g].auc));
    }
    REQUIRE(same_bits(binned.overall.auc, exact.overall.auc));
    // Weighted: the same statistic, summed in another order.
    const auto accw =
        acc_of(d, true, {.histogram_bins = nb, .histogram_min = 0.0, .histogram_max = 1.0});
    const auto exw =
        fm::roc_auc(std::span<const double>(idx), std::span<const std::uint8_t>(d.y),
                    std::span<const std::uint8_t>(d.g), d.n_groups, std::span<const double>(d.w));
    const auto bw = fm::binned_roc_auc(accw);
    for (std::uint32_t g = 0; g < d.n_groups; ++g)
      REQUIRE(bw.groups[g].auc == Approx(exw.groups[g].auc).epsilon(1e-12));
  }
}

TEST_CASE("with one bin per distinct score the binned AUC is the exact AUC",
          "[metrics][scores][property]") {
  // make_binary's scores are k / 1024; 1024 bins over [0, 1] put each value in its own bin.
  const auto d = fg_test::make_binary(8000, 3, 74);
  const auto acc = acc_of(d, false, {.histogram_bins = 1024});
  const auto exact = fm::roc_auc(std::span<const float>(d.s), std::span<const std::uint8_t>(d.y),
                                 std::span<const std::uint8_t>(d.g), d.n_groups);
  const auto binned = fm::binned_roc_auc(acc);
  for (std::uint32_t g = 0; g < d.n_groups; ++g)
    REQUIRE(same_bits(binned.groups[g].auc, exact.groups[g].auc));
}

// ------------------------------------------------------------------ merge, threads, permutation

TEST_CASE("score statistics merged from shards equal the whole, for any split and thread count",
          "[metrics][scores][merge]") {
  const auto d = fg_test::make_binary(9001, 6, 75);
  for (bool weighted : {false, true}) {
    const auto whole = acc_of(d, weighted);
    for (unsigned t : {2u, 3u, 5u}) REQUIRE(acc_of(d, weighted, kBoth, t) == whole);
    for (std::size_t cut : {std::size_t{0}, std::size_t{1}, std::size_t{4500}, std::size_t{8999}}) {
      auto a = acc_of(slice(d, 0, cut), weighted);
      a.merge(acc_of(slice(d, cut, d.y.size()), weighted));
      REQUIRE(a == whole);
      require_same(fm::calibration(a), fm::calibration(whole));
      REQUIRE(fm::serialize(a) == fm::serialize(whole));
    }
  }
  // An unweighted shard merged into a weighted one counts its rows with weight 1.
  auto mixed = acc_of(slice(d, 0, 4000), true);
  mixed.merge(acc_of(slice(d, 4000, 9001), false));
  fg_test::binary_data unit = d;
  std::fill(unit.w.begin() + 4000, unit.w.end(), 1.0);
  REQUIRE(mixed == acc_of(unit, true));
}

TEST_CASE("score statistics are invariant under row permutation", "[metrics][scores][property]") {
  const auto d = fg_test::make_binary(5000, 4, 76);
  fg_test::binary_data p = d;
  // A fixed permutation: reverse, then rotate by 1234.
  std::reverse(p.y.begin(), p.y.end());
  std::reverse(p.g.begin(), p.g.end());
  std::reverse(p.s.begin(), p.s.end());
  std::reverse(p.w.begin(), p.w.end());
  auto rot = [](auto& v) { std::rotate(v.begin(), v.begin() + 1234, v.end()); };
  rot(p.y);
  rot(p.g);
  rot(p.s);
  rot(p.w);
  for (bool weighted : {false, true}) {
    const auto a = acc_of(d, weighted), b = acc_of(p, weighted);
    REQUIRE(a == b);
    require_same(fm::calibration(a), fm::calibration(b));
    const auto ra = fm::binned_roc_auc(a), rb = fm::binned_roc_auc(b);
    for (std::size_t g = 0; g < 4; ++g) REQUIRE(same_bits(ra.groups[g].auc, rb.groups[g].auc));
  }
}

// ------------------------------------------------------------------ serialisation

TEST_CASE("score statistics survive a serialise round trip in format version 2",
          "[metrics][scores][serialize]") {
  const auto d = fg_test::make_binary(3000, 3, 77);
  for (bool weighted : {false, true}) {
    for (const auto& so :
         {kBoth, fm::score_statistics_options{.calibration_bins = 3},
          fm::score_statistics_options{
              .histogram_bins = 5, .histogram_min = -2.0, .histogram_max = 0.75}}) {
      const auto acc = acc_of(d, weighted, so);
      const auto bytes = fm::serialize(acc);
      REQUIRE(bytes[4] == 2);
      REQUIRE(bytes[5] == 0);
      const auto back = fm::deserialize(bytes);
      REQUIRE(back == acc);
      REQUIRE(back.score_options() == so);
      REQUIRE(fm::serialize(back) == bytes);
      if (so.calibration_bins > 0) require_same(fm::calibration(back), fm::calibration(acc));
    }
  }
  // Without score statistics the writer still writes version 1.
  REQUIRE(fm::serialize(fm::accumulate(d.inputs(0.5, true)))[4] == 1);
}

TEST_CASE("a hand-written version-1 blob still reads", "[metrics][scores][serialize]") {
  // Built byte by byte from the version-1 layout (serialize.hpp): "FGMA", u16 1,
  // u16 flags 1 (weighted cells), u32 2 groups, counts (tp fp tn fn) 3 0 1 2 and 0 5 0 0,
  // then exact sums: group 0 weights tp 1.0 (limb 33 = 2^18), fp 0, tn 0.5 (limb 33 = 2^17),
  // fn 0; group 1: fp 2.0 (limb 33 = 2^19), others 0; then the FNV-1a 64 checksum.
  std::vector<std::uint8_t> b;
  auto put = [&](std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  };
  for (char c : {'F', 'G', 'M', 'A'}) b.push_back(static_cast<std::uint8_t>(c));
  put(1, 2);
  put(1, 2);
  put(2, 4);
  for (std::uint64_t c : {3u, 0u, 1u, 2u, 0u, 5u, 0u, 0u}) put(c, 8);
  auto sum_of = [&](std::uint32_t limb33) {
    if (limb33 == 0) {
      put(0, 1);
    } else {
      put(1, 1);
      put(33, 1);
      put(limb33, 4);
    }
    put(0, 8);  // top limb
  };
  for (std::uint32_t l : {1u << 18, 0u, 1u << 17, 0u, 0u, 1u << 19, 0u, 0u}) sum_of(l);
  fairgate::fnv1a64 h;
  h.update(std::span<const std::uint8_t>(b));
  put(h.value(), 8);

  const auto acc = fm::deserialize(b);
  REQUIRE(acc.n_groups() == 2);
  REQUIRE(acc.counts(0).tp == 3);
  REQUIRE(acc.counts(0).fn == 2);
  REQUIRE(acc.counts(1).fp == 5);
  REQUIRE(acc.has_weighted_cells());
  REQUIRE(acc.weights(0).tp == 1.0);
  REQUIRE(acc.weights(0).tn == 0.5);
  REQUIRE(acc.weights(1).fp == 2.0);
  REQUIRE_FALSE(acc.score_options().any());
  REQUIRE(fm::serialize(acc) == b);  // and it is written back unchanged, as version 1
}

TEST_CASE("a version-1 blob may not carry the version-2 flags", "[metrics][scores][serialize]") {
  const auto d = fg_test::make_binary(200, 2, 78);
  auto b = fm::serialize(acc_of(d, false));
  b[4] = 1;  // claims version 1 but has flag bits 2 and 3
  fairgate::fnv1a64 h;
  h.update(std::span<const std::uint8_t>(b.data(), b.size() - 8));
  for (int i = 0; i < 8; ++i)
    b[b.size() - 8 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(h.value() >> (8 * i));
  require_error([&] { (void)fm::deserialize(b); }, fairgate::errc::parse_error,
                "unknown flags 12 for format version 1");
}

TEST_CASE("every single-byte corruption and truncation of a version-2 blob is detected",
          "[metrics][scores][serialize][errors]") {
  const auto d = fg_test::make_binary(150, 2, 79);
  const auto b = fm::serialize(acc_of(d, true, {.calibration_bins = 3, .histogram_bins = 4}));
  for (std::size_t i = 0; i < b.size(); ++i) {
    auto c = b;
    c[i] ^= 0x5a;
    try {
      (void)fm::deserialize(c);
      FAIL("corruption at byte " << i << " accepted");
    } catch (const fairgate::error& e) {
      REQUIRE((e.code() == fairgate::errc::parse_error || e.code() == fairgate::errc::unsupported ||
               e.code() == fairgate::errc::verification_failed));
    }
  }
  for (std::size_t keep = 0; keep < b.size(); keep += 7) {
    try {
      (void)fm::deserialize(std::span<const std::uint8_t>(b.data(), keep));
      FAIL("truncation to " << keep << " bytes accepted");
    } catch (const fairgate::error& e) {
      REQUIRE((e.code() == fairgate::errc::parse_error ||
               e.code() == fairgate::errc::verification_failed));
    }
  }
}

// ------------------------------------------------------------------ monitoring inputs

TEST_CASE("histogram masses are the inputs of PSI and KS", "[metrics][scores][monitor]") {
  const auto d = fg_test::make_binary(4000, 2, 80);
  const fm::score_statistics_options so{.histogram_bins = 20};
  const auto a = acc_of(d, false, so);
  // The same rows in another accumulator: no drift.
  const auto ha = fm::pooled_histogram(a, a.all_groups());
  const auto hb = fm::pooled_histogram(acc_of(d, false, so), a.all_groups());
  CHECK(fairgate::monitor::population_stability_index(
            std::span<const double>(ha.weight_all), std::span<const double>(hb.weight_all)) == 0.0);
  CHECK(fairgate::monitor::ks_statistic_binned(std::span<const double>(ha.weight_all),
                                               std::span<const double>(hb.weight_all)) == 0.0);
  // Unweighted masses are the bin counts, and they add up to the rows.
  std::uint64_t total = 0;
  for (std::size_t k = 0; k < 20; ++k) {
    REQUIRE(ha.weight_all[k] == static_cast<double>(ha.count_neg[k] + ha.count_pos[k]));
    total += ha.count_neg[k] + ha.count_pos[k];
  }
  CHECK(total == 4000);
  // Shifted scores move mass up: PSI > 0 (hand: every score + 0.5 leaves the lower half empty).
  fg_test::binary_data up = d;
  for (auto& s : up.s) s = std::min(1.0f, s + 0.5f);
  const auto hu = fm::pooled_histogram(acc_of(up, false, so), a.all_groups());
  CHECK(fairgate::monitor::population_stability_index(
            std::span<const double>(ha.weight_all), std::span<const double>(hu.weight_all)) > 0.25);
}

// ------------------------------------------------------------------ errors

TEST_CASE("score statistics refuse bad options, hard predictions and mismatched merges",
          "[metrics][scores][errors]") {
  require_error(
      [] {
        fm::group_accumulator(2, {.histogram_bins = 4, .histogram_min = 1.0, .histogram_max = 1.0});
      },
      fairgate::errc::invalid_argument, "min < max");
  require_error([] { fm::group_accumulator(2, {.calibration_bins = fm::max_score_bins + 1}); },
                fairgate::errc::invalid_argument, "at most 65536");
  require_error([] { fm::group_accumulator(2, {.histogram_bins = 3, .histogram_min = NAN}); },
                fairgate::errc::invalid_argument, "finite");
  const auto d = fg_test::make_binary(100, 2, 81);
  fm::group_accumulator acc(2, {.calibration_bins = 4});
  fm::binary_inputs hard{std::span<const std::uint8_t>(d.y),
                         fm::prediction_view::hard(std::span<const std::uint8_t>(d.y)),
                         std::span<const std::uint8_t>(d.g), 2};
  require_error([&] { fm::accumulate(acc, hard); }, fairgate::errc::invalid_argument,
                "need scores");
  fm::group_accumulator other(2, {.calibration_bins = 5});
  require_error([&] { acc.merge(other); }, fairgate::errc::invalid_argument,
                "score statistics differ");
  require_error([&] { acc.merge(fm::group_accumulator(2)); }, fairgate::errc::invalid_argument,
                "score statistics differ");
  require_error([&] { (void)fm::calibration(fm::group_accumulator(2)); },
                fairgate::errc::invalid_argument, "no calibration bins");
  require_error([&] { (void)fm::binned_roc_auc(acc); }, fairgate::errc::invalid_argument,
                "no score histogram");
  require_error([&] { (void)acc.calibration_bin(2, 0); }, fairgate::errc::out_of_range, "group 2");
  require_error([&] { (void)acc.calibration_bin(0, 4); }, fairgate::errc::out_of_range,
                "calibration bin 4");
}

TEST_CASE("a score outside [0, 1] is refused by calibration bins, naming the first bad row",
          "[metrics][scores][errors]") {
  auto d = fg_test::make_binary(5000, 3, 82);
  d.s[3100] = 1.5f;
  for (unsigned t : {1u, 2u, 4u}) {
    fm::group_accumulator acc(3, {.calibration_bins = 10});
    const auto before = acc;
    require_error([&] { fm::accumulate(acc, d.inputs(), {.threads = t}); },
                  fairgate::errc::out_of_range, "scores[3100] = 1.5");
    REQUIRE(acc == before);  // unchanged
  }
  // An earlier bad label wins over the later bad score, whatever the threads.
  d.y[1700] = 7;
  for (unsigned t : {1u, 2u, 4u}) {
    fm::group_accumulator acc(3, {.calibration_bins = 10});
    require_error([&] { fm::accumulate(acc, d.inputs(), {.threads = t}); },
                  fairgate::errc::out_of_range, "y_true[1700] = 7");
  }
  // The histogram alone accepts any non-NaN score.
  d.y[1700] = 1;
  fm::group_accumulator h(3, {.histogram_bins = 8});
  fm::accumulate(h, d.inputs());
  CHECK(fm::pooled_histogram(h, h.all_groups()).count_pos.back() +
            fm::pooled_histogram(h, h.all_groups()).count_neg.back() >
        0);
}
