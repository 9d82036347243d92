// Wilson intervals, two-proportion z-test, Fisher's exact test, McNemar,
// paired tables and Holm / Benjamini-Hochberg: hand-computed cases,
// properties and error cases. (Wide differential tests: scipy_differential.py.)
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

#include <fairgate/error.hpp>
#include <fairgate/uncertainty/mcnemar.hpp>
#include <fairgate/uncertainty/multiple_comparisons.hpp>
#include <fairgate/uncertainty/paired.hpp>
#include <fairgate/uncertainty/proportion_tests.hpp>
#include <fairgate/uncertainty/wilson.hpp>

namespace u = fairgate::uncertainty;
using fairgate::metrics::confusion_counts;

// ---------------------------------------------------------------------------
// Wilson

TEST_CASE("Wilson interval of 8 out of 10 at 95 percent matches the hand computation", "[wilson]") {
  // z = 1.959963984540054, z^2 = 3.8414588206941254, n = 10, p = 0.8
  // denom  = 1 + z^2/n                       = 1.3841458820694126
  // center = (0.8 + z^2/20) / denom           = 0.9920729410347063 / 1.38414588 =
  // 0.7167401600411333 half   = z sqrt(0.16/10 + z^2/400) / denom = 1.959964 * 0.1600114
  // / 1.38414588 = 0.2265776885044915 [center - half, center + half] = [0.4901624715366418,
  // 0.9433178485456247]
  const u::interval ci = u::wilson_interval(8, 10);
  CHECK(ci.defined);
  CHECK(ci.estimate == 0.8);
  CHECK(ci.lower == Approx(0.4901624715366418).epsilon(1e-13));
  CHECK(ci.upper == Approx(0.9433178485456247).epsilon(1e-13));
}

TEST_CASE("Wilson interval is exact at the ends: 0 successes start at 0, all successes end at 1",
          "[wilson]") {
  const u::interval none = u::wilson_interval(0, 25);
  CHECK(none.lower == 0.0);
  CHECK(none.upper > 0.0);
  const u::interval all = u::wilson_interval(25, 25);
  CHECK(all.upper == 1.0);
  CHECK(all.lower < 1.0);
  // x and n - x give mirrored intervals: [l, u] <-> [1 - u, 1 - l]
  const u::interval a = u::wilson_interval(3, 17);
  const u::interval b = u::wilson_interval(14, 17);
  CHECK(a.lower == Approx(1.0 - b.upper).margin(1e-15));
  CHECK(a.upper == Approx(1.0 - b.lower).margin(1e-15));
}

TEST_CASE("Wilson interval with no trials is undefined, not made up", "[wilson]") {
  const u::interval ci = u::wilson_interval(0, 0);
  CHECK_FALSE(ci.defined);
  CHECK(std::isnan(ci.estimate));
  CHECK(std::isnan(ci.lower));
  CHECK(std::isnan(ci.upper));
}

TEST_CASE("continuity-corrected Wilson interval is wider and matches Newcombe's example",
          "[wilson]") {
  // Newcombe (1998), Table II, 81/263 at 95%: method 3 (Wilson score) 0.2553 to 0.3662,
  // method 4 (score with continuity correction) 0.2535 to 0.3682.
  u::wilson_options cc;
  cc.continuity_correction = true;
  const u::interval w = u::wilson_interval(81, 263, cc);
  CHECK(w.lower == Approx(0.2535).margin(5e-5));
  CHECK(w.upper == Approx(0.3682).margin(5e-5));
  const u::interval plain = u::wilson_interval(81, 263);
  CHECK(plain.lower == Approx(0.2553).margin(5e-5));
  CHECK(plain.upper == Approx(0.3662).margin(5e-5));
  CHECK(w.lower < plain.lower);
  CHECK(w.upper > plain.upper);
}

TEST_CASE("weighted Wilson interval with equal weights equals the unweighted one", "[wilson]") {
  // 10 rows of weight 2.5, 8 of them successes: n_eff = 25^2 / (10 * 6.25) = 10, p = 0.8.
  const u::interval w = u::wilson_interval_weighted(8 * 2.5, 10 * 2.5, 10 * 6.25);
  const u::interval c = u::wilson_interval(8, 10);
  CHECK(w.lower == Approx(c.lower).epsilon(1e-15));
  CHECK(w.upper == Approx(c.upper).epsilon(1e-15));
}

TEST_CASE("Wilson interval of a rate uses that rate's numerator and denominator", "[wilson]") {
  confusion_counts c;
  c.tp = 30;
  c.fn = 10;
  c.fp = 5;
  c.tn = 55;
  const u::interval tpr = u::wilson_interval(c, u::rate::tpr);  // 30 / 40
  const u::interval direct = u::wilson_interval(30, 40);
  CHECK(tpr.lower == direct.lower);
  CHECK(tpr.upper == direct.upper);
  CHECK(u::as_proportion(c, u::rate::ppv) == u::proportion{30, 35});
  CHECK(u::as_proportion(c, u::rate::false_omission_rate) == u::proportion{10, 65});
  CHECK(u::as_proportion(c, u::rate::selection_rate) == u::proportion{35, 100});
}

TEST_CASE("Wilson interval accepts the metrics vocabulary for every proportion rate", "[wilson]") {
  namespace fm = fairgate::metrics;
  confusion_counts c{12, 7, 40, 3};
  const auto tpr = u::wilson_interval(c, fm::metric::true_positive_rate);  // 12 / 15
  const auto direct = u::wilson_interval(12, 15);
  CHECK(tpr.lower == direct.lower);
  CHECK(tpr.upper == direct.upper);
  int proportions = 0;
  for (int m = 0; m <= static_cast<int>(fm::metric::rmse); ++m) {
    const auto metric = static_cast<fm::metric>(m);
    if (u::as_rate(metric)) {
      ++proportions;
      // the Wilson estimate is the same number the metrics module reports
      CHECK(u::wilson_interval(c, metric).estimate == fm::compute(metric, c).value);
    } else {
      CHECK_THROWS_AS(u::wilson_interval(c, metric), fairgate::error);
    }
  }
  CHECK(proportions == 12);
}

TEST_CASE("Wilson interval flags low support", "[wilson]") {
  u::wilson_options o;
  o.min_support = 30;
  CHECK(u::wilson_interval(3, 20, o).low_support);
  CHECK_FALSE(u::wilson_interval(3, 30, o).low_support);
  CHECK(u::wilson_interval(0, 0, o).low_support);
}

TEST_CASE("Wilson interval rejects impossible inputs", "[wilson][errors]") {
  CHECK_THROWS_WITH(u::wilson_interval(11, 10), Catch::Contains("successes = 11 > trials = 10"));
  u::wilson_options bad;
  bad.confidence = 1.0;
  CHECK_THROWS_AS(u::wilson_interval(1, 10, bad), fairgate::error);
  CHECK_THROWS_AS(u::wilson_interval_weighted(-1.0, 2.0, 2.0), fairgate::error);
  CHECK_THROWS_AS(u::wilson_interval_weighted(3.0, 2.0, 2.0), fairgate::error);
  CHECK_THROWS_AS(u::wilson_interval_weighted(std::nan(""), 2.0, 2.0), fairgate::error);
}

// ---------------------------------------------------------------------------
// two-proportion z-test

TEST_CASE("two-proportion z-test matches the hand computation", "[ztest]") {
  // 40/100 vs 25/100: pooled = 65/200 = 0.325
  // var = 0.325 * 0.675 * (1/100 + 1/100) = 0.0043875, sd = 0.066238206
  // z = (0.40 - 0.25) / 0.066238206 = 2.2645541
  // Q(2.26) = 0.01191, Q(2.27) = 0.01160 (A&S Table 26.1) -> Q(2.26455) ~ 0.011769, p ~ 0.02354
  const u::z_test_result r = u::two_proportion_z_test(40, 100, 25, 100);
  CHECK(r.defined);
  CHECK(r.pooled == 0.325);
  CHECK(r.z == Approx(2.2645541).epsilon(1e-7));
  CHECK(r.p_value == Approx(0.02354).margin(1e-4));
  const auto greater = u::two_proportion_z_test(40, 100, 25, 100, u::alternative::greater);
  const auto less = u::two_proportion_z_test(40, 100, 25, 100, u::alternative::less);
  CHECK(greater.p_value == Approx(r.p_value / 2.0).epsilon(1e-14));
  CHECK(less.p_value == Approx(1.0 - greater.p_value).epsilon(1e-14));
}

TEST_CASE("two-proportion z-test is antisymmetric in the groups", "[ztest]") {
  const auto ab = u::two_proportion_z_test(12, 50, 30, 70);
  const auto ba = u::two_proportion_z_test(30, 70, 12, 50);
  CHECK(ab.z == -ba.z);
  CHECK(ab.p_value == ba.p_value);
}

TEST_CASE("two-proportion z-test is undefined without data or without variance", "[ztest]") {
  CHECK_FALSE(u::two_proportion_z_test(0, 0, 3, 10).defined);
  CHECK_FALSE(u::two_proportion_z_test(0, 10, 0, 20).defined);
  CHECK_FALSE(u::two_proportion_z_test(10, 10, 20, 20).defined);
  CHECK(std::isnan(u::two_proportion_z_test(0, 10, 0, 20).p_value));
  CHECK_THROWS_AS(u::two_proportion_z_test(11, 10, 2, 20), fairgate::error);
}

// ---------------------------------------------------------------------------
// Fisher

TEST_CASE("Fisher's exact test on [[8,2],[1,5]] matches the hypergeometric hand computation",
          "[fisher]") {
  // N = 16, row total K = 10, column total n = 9; X = top-left cell, support 3..9.
  // C(10,x) C(6,9-x): x=3:120 4:1260 5:3780 6:4200 7:1800 8:270 9:10, sum = 11440 = C(16,9).
  // Observed x = 8 (270). Two-sided: tables with count <= 270: x = 3, 8, 9 -> 400/11440 = 5/143.
  // less:    P(X <= 8) = 11430/11440.   greater: P(X >= 8) = 280/11440.
  const auto two = u::fisher_exact(8, 2, 1, 5);
  CHECK(two.odds_ratio == 20.0);  // 8*5 / (2*1)
  CHECK(two.p_value == Approx(400.0 / 11440.0).epsilon(1e-14));
  CHECK(u::fisher_exact(8, 2, 1, 5, u::alternative::less).p_value ==
        Approx(11430.0 / 11440.0).epsilon(1e-14));
  CHECK(u::fisher_exact(8, 2, 1, 5, u::alternative::greater).p_value ==
        Approx(280.0 / 11440.0).epsilon(1e-14));
}

TEST_CASE("Fisher's exact test gives p = 1 at the mode and for symmetric tables", "[fisher]") {
  // [[5,5],[5,5]]: X ~ Hypergeom(20, 10, 10), observed 5 is the mode.
  CHECK(u::fisher_exact(5, 5, 5, 5).p_value == 1.0);
  // [[3,7],[7,3]] and [[7,3],[3,7]] are mirror images: same two-sided p-value, and that
  // p-value counts both tails: P(X<=3) + P(X>=7) = 2 P(X<=3).
  const double p1 = u::fisher_exact(3, 7, 7, 3).p_value;
  const double p2 = u::fisher_exact(7, 3, 3, 7).p_value;
  CHECK(p1 == Approx(p2).epsilon(1e-14));
  CHECK(p1 ==
        Approx(2.0 * u::fisher_exact(3, 7, 7, 3, u::alternative::less).p_value).epsilon(1e-13));
}

TEST_CASE("Fisher's exact test with an empty row or column returns p = 1 and NaN odds",
          "[fisher]") {
  const auto r = u::fisher_exact(0, 0, 3, 4);
  CHECK(r.p_value == 1.0);
  CHECK(std::isnan(r.odds_ratio));
  CHECK(std::isinf(u::fisher_exact(3, 0, 2, 4).odds_ratio));
}

TEST_CASE("group comparisons test the chosen rate's numerator over its denominator",
          "[ztest][fisher]") {
  // group 1: TPR 8/10 (tp 8, fn 2); group 2: TPR 1/6 (tp 1, fn 5) -> Fisher table [[8,2],[1,5]]
  const confusion_counts g1{8, 4, 30, 2};
  const confusion_counts g2{1, 0, 12, 5};
  CHECK(u::compare_groups_fisher(g1, g2, u::rate::tpr).p_value ==
        u::fisher_exact(8, 2, 1, 5).p_value);
  const auto z = u::compare_groups_z(g1, g2, u::rate::selection_rate);  // 12/44 vs 1/18
  CHECK(z.z == u::two_proportion_z_test(12, 44, 1, 18).z);
}

// ---------------------------------------------------------------------------
// McNemar and paired tables

TEST_CASE("exact McNemar with b = 1 and c = 6 matches the binomial sum by hand", "[mcnemar]") {
  // n = 7, P(X <= 1) = (C(7,0) + C(7,1)) / 2^7 = 8/128 = 0.0625; p = 2 * 0.0625 = 0.125
  const auto r = u::mcnemar_exact(1, 6);
  CHECK(r.statistic == 1);
  CHECK(r.p_value == 0.125);
  CHECK(u::mcnemar_exact(6, 1).p_value == 0.125);
}

TEST_CASE("exact McNemar is 1 without discordant pairs or with balanced ones", "[mcnemar]") {
  CHECK(u::mcnemar_exact(0, 0).p_value == 1.0);
  CHECK(u::mcnemar_exact(9, 9).p_value == 1.0);
  // b = 0, c = 10: p = 2 / 2^10
  CHECK(u::mcnemar_exact(0, 10).p_value == 2.0 / 1024.0);
}

TEST_CASE("exact McNemar stays finite and accurate for large discordant counts", "[mcnemar]") {
  // b = c - 1 with n = 2c - 1 odd: by symmetry P(X <= c-1) = 1/2 exactly, so p = 1.
  CHECK(u::mcnemar_exact(49999, 50000).p_value == Approx(1.0).epsilon(1e-12));
  const double p = u::mcnemar_exact(1000, 1300).p_value;
  CHECK(p > 0.0);
  CHECK(p < 1e-4);
}

TEST_CASE("paired tables count every row in its joint cell and give both models' confusion",
          "[paired]") {
  // row: y  A  B  group     cell
  //      1  1  1  0         y1 A1 B1
  //      1  1  0  0         y1 A1 B0  (A right, B wrong -> b)
  //      1  0  1  0         y1 A0 B1  (A wrong, B right -> c)
  //      0  0  1  0         y0 A0 B1  (A right, B wrong -> b)
  //      0  0  0  1         y0 A0 B0
  //      0  1  0  1         y0 A1 B0  (A wrong, B right -> c)
  //      1  0  0  1         y1 A0 B0
  const std::vector<std::uint8_t> y = {1, 1, 1, 0, 0, 0, 1};
  const std::vector<std::uint8_t> a = {1, 1, 0, 0, 0, 1, 0};
  const std::vector<std::uint8_t> b = {1, 0, 1, 1, 0, 0, 0};
  const std::vector<std::uint8_t> g = {0, 0, 0, 0, 1, 1, 1};
  namespace fm = fairgate::metrics;
  u::paired_inputs in{fm::label_view(std::span<const std::uint8_t>(y)),
                      fm::prediction_view::hard(std::span<const std::uint8_t>(a)),
                      fm::prediction_view::hard(std::span<const std::uint8_t>(b)),
                      fm::code_view(std::span<const std::uint8_t>(g)), 2};
  const auto t = u::paired_tables(in);
  REQUIRE(t.size() == 2);
  CHECK(t[0].total() == 4);
  CHECK(t[1].total() == 3);
  CHECK(t[0].at(1, 1, 1) == 1);
  CHECK(t[0].baseline_only_correct() == 2);
  CHECK(t[0].candidate_only_correct() == 1);
  CHECK(t[1].baseline_only_correct() == 0);
  CHECK(t[1].candidate_only_correct() == 1);
  // group 0 baseline: tp (y1,A1) = 2, fn (y1,A0) = 1, fp (y0,A1) = 0, tn = 1
  CHECK(t[0].baseline() == confusion_counts{2, 0, 1, 1});
  // group 0 candidate: tp (y1,B1) = 2, fn = 1, fp (y0,B1) = 1, tn = 0
  CHECK(t[0].candidate() == confusion_counts{2, 1, 0, 1});
  const auto mc = u::mcnemar_by_group(t, /*min_support=*/4);
  CHECK(mc[0].b == 2);
  CHECK(mc[0].c == 1);
  CHECK(mc[0].p_value == 1.0);  // P(X <= 1 | n = 3) = 4/8, doubled -> 1
  CHECK_FALSE(mc[0].low_support);
  CHECK(mc[1].low_support);
}

TEST_CASE("paired tables from scores use the >= threshold rule", "[paired]") {
  const std::vector<std::uint8_t> y = {1, 0};
  const std::vector<float> sa = {0.5f, 0.2f};
  const std::vector<double> sb = {0.49, 0.7};
  const std::vector<std::uint16_t> g = {0, 0};
  namespace fm = fairgate::metrics;
  u::paired_inputs in{fm::label_view(std::span<const std::uint8_t>(y)),
                      fm::prediction_view::scores(std::span<const float>(sa), 0.5),
                      fm::prediction_view::scores(std::span<const double>(sb), 0.5),
                      fm::code_view(std::span<const std::uint16_t>(g)), 1};
  const auto t = u::paired_tables(in);
  CHECK(t[0].at(1, 1, 0) == 1);  // 0.5 >= 0.5 but 0.49 < 0.5
  CHECK(t[0].at(0, 0, 1) == 1);
}

TEST_CASE("paired tables name the first bad row", "[paired][errors]") {
  namespace fm = fairgate::metrics;
  const std::vector<std::uint8_t> y = {1, 0, 2};
  const std::vector<std::uint8_t> p = {1, 0, 1};
  const std::vector<std::uint8_t> g = {0, 0, 0};
  const std::vector<std::uint8_t> g_bad = {0, 3, 0};
  const std::vector<std::uint8_t> y_ok = {1, 0, 1};
  const std::vector<std::uint8_t> p_short = {1, 0};
  const auto make = [&](const std::vector<std::uint8_t>& yy, const std::vector<std::uint8_t>& pa,
                        const std::vector<std::uint8_t>& gg) {
    return u::paired_inputs{fm::label_view(std::span<const std::uint8_t>(yy)),
                            fm::prediction_view::hard(std::span<const std::uint8_t>(pa)),
                            fm::prediction_view::hard(std::span<const std::uint8_t>(p)),
                            fm::code_view(std::span<const std::uint8_t>(gg)), 2};
  };
  CHECK_THROWS_WITH(u::paired_tables(make(y, p, g)), Catch::Contains("labels[2] = 2"));
  CHECK_THROWS_WITH(u::paired_tables(make(y_ok, p, g_bad)), Catch::Contains("groups[1] = 3"));
  CHECK_THROWS_WITH(u::paired_tables(make(y_ok, p_short, g)),
                    Catch::Contains("baseline has 2 rows"));
  std::vector<float> s = {0.1f, std::nanf(""), 0.3f};
  u::paired_inputs nan_in{fm::label_view(std::span<const std::uint8_t>(y_ok)),
                          fm::prediction_view::scores(std::span<const float>(s), 0.5),
                          fm::prediction_view::hard(std::span<const std::uint8_t>(p)),
                          fm::code_view(std::span<const std::uint8_t>(g)), 1};
  CHECK_THROWS_WITH(u::paired_tables(nan_in), Catch::Contains("scores[1] is NaN"));
}

// ---------------------------------------------------------------------------
// Holm / BH

TEST_CASE("Holm adjustment of a small list matches the hand computation", "[multiple]") {
  // p = {0.01, 0.04, 0.03, 0.005}, m = 4; sorted 0.005, 0.01, 0.03, 0.04
  // raw (m - i + 1) p: 0.02, 0.03, 0.06, 0.04 -> running max 0.02, 0.03, 0.06, 0.06
  // reject at 0.05: 0.005 <= 0.05/4 yes, 0.01 <= 0.05/3 yes, 0.03 <= 0.05/2 no -> stop
  const std::vector<double> p = {0.01, 0.04, 0.03, 0.005};
  const auto r = u::holm(p, 0.05);
  CHECK(r.adjusted[0] == Approx(0.03));
  CHECK(r.adjusted[1] == Approx(0.06));
  CHECK(r.adjusted[2] == Approx(0.06));
  CHECK(r.adjusted[3] == Approx(0.02));
  CHECK(r.reject == std::vector<bool>{true, false, false, true});
  CHECK(r.n_rejected == 2);
}

TEST_CASE("Benjamini-Hochberg adjustment of a small list matches the hand computation",
          "[multiple]") {
  // sorted 0.005, 0.01, 0.03, 0.04; raw p m / i: 0.02, 0.02, 0.04, 0.04; running min from
  // the top leaves them unchanged. Reject: p_(i) <= 0.05 i / 4 holds up to i = 4 -> all.
  const std::vector<double> p = {0.01, 0.04, 0.03, 0.005};
  const auto r = u::benjamini_hochberg(p, 0.05);
  CHECK(r.adjusted[0] == Approx(0.02));
  CHECK(r.adjusted[1] == Approx(0.04));
  CHECK(r.adjusted[2] == Approx(0.04));
  CHECK(r.adjusted[3] == Approx(0.02));
  CHECK(r.n_rejected == 4);
}

TEST_CASE("multiple-comparison adjustments are permutation invariant and monotone", "[multiple]") {
  const std::vector<double> p = {0.2, 0.001, 0.04, 0.04, 0.5, 0.013};
  const std::vector<std::size_t> perm = {4, 2, 0, 5, 3, 1};
  std::vector<double> q(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) q[i] = p[perm[i]];
  for (auto method : {u::adjustment::holm, u::adjustment::benjamini_hochberg}) {
    const auto a = u::adjust(p, method, 0.05);
    const auto b = u::adjust(q, method, 0.05);
    for (std::size_t i = 0; i < p.size(); ++i) {
      CHECK(b.adjusted[i] == a.adjusted[perm[i]]);
      CHECK(b.reject[i] == a.reject[perm[i]]);
      CHECK(a.adjusted[i] >= p[i]);
      CHECK(a.adjusted[i] <= 1.0);
    }
    CHECK(a.adjusted[2] == a.adjusted[3]);  // tied p-values get the same adjusted value
  }
}

TEST_CASE("undefined p-values are left out of the family", "[multiple]") {
  const std::vector<double> p = {0.01, std::nan(""), 0.02};
  const auto r = u::holm(p, 0.05);
  CHECK(r.n_tests == 2);
  CHECK(std::isnan(r.adjusted[1]));
  CHECK_FALSE(r.reject[1]);
  CHECK(r.adjusted[0] == Approx(0.02));  // m = 2: 0.01 * 2
  CHECK(r.adjusted[2] == Approx(0.02));  // max(0.02, 0.02 * 1)
}

TEST_CASE("multiple-comparison adjustment rejects p-values outside [0, 1]", "[multiple][errors]") {
  const std::vector<double> p = {0.01, 1.5};
  CHECK_THROWS_WITH(u::holm(p), Catch::Contains("p_values[1]"));
  const std::vector<double> ok = {0.01};
  CHECK_THROWS_AS(u::holm(ok, 0.0), fairgate::error);
}
