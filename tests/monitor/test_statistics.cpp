// The pure statistics behind the alarms: PSI, binned KS, alpha spending, the
// two-proportion z test and Newcombe's difference interval.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include <fairgate/error.hpp>
#include <fairgate/monitor/drift.hpp>
#include <fairgate/monitor/sequential.hpp>

namespace fm = fairgate::monitor;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {
template <class T, std::size_t N>
std::span<const T> sp(const std::array<T, N>& a) {
  return std::span<const T>(a.data(), N);
}
}  // namespace

TEST_CASE("PSI of a 50/50 baseline against a 25/75 window is ln(3)/4", "[monitor][drift]") {
  // e = (.5, .5), a = (.25, .75):
  // PSI = (.25 - .5) ln(.25/.5) + (.75 - .5) ln(.75/.5) = .25 (ln 2 + ln 1.5) = .25 ln 3
  //     = 0.27465307216702745 (Python: 0.25 * math.log(3))
  const std::array<std::uint64_t, 2> e{50, 50};
  const std::array<double, 2> a{25.0, 75.0};
  CHECK_THAT(fm::population_stability_index(sp(e), sp(a)), WithinRel(0.27465307216702745, 1e-14));
}

TEST_CASE("PSI is zero for proportional histograms and positive otherwise", "[monitor][drift]") {
  const std::array<double, 4> e{1, 2, 3, 4};
  const std::array<double, 4> same{10, 20, 30, 40};
  const std::array<double, 4> other{4, 3, 2, 1};
  CHECK(fm::population_stability_index(sp(e), sp(same)) == 0.0);
  CHECK(fm::population_stability_index(sp(e), sp(other)) > 0.0);
  // Symmetric in its arguments (each term is symmetric in a and e).
  CHECK_THAT(fm::population_stability_index(sp(e), sp(other)),
             WithinRel(fm::population_stability_index(sp(other), sp(e)), 1e-14));
}

TEST_CASE("PSI floors empty bins at epsilon instead of returning infinity", "[monitor][drift]") {
  // e = (1, 0), a = (0, 1) with epsilon 1e-4 on the empty bins:
  // (1e-4 - 1) ln(1e-4) + (1 - 1e-4) ln(1/1e-4) = 2 (1 - 1e-4) ln(1e4)
  const std::array<double, 2> e{1, 0}, a{0, 1};
  CHECK_THAT(fm::population_stability_index(sp(e), sp(a)),
             WithinRel(2.0 * (1.0 - 1e-4) * std::log(1e4), 1e-13));
}

TEST_CASE("binned KS is the largest gap between cumulative proportions", "[monitor][drift]") {
  // E cumulative .25 .5 .75 1; A = (2,1,1,0)/4 cumulative .5 .75 1 1: gaps .25 .25 .25 0.
  const std::array<double, 4> e{1, 1, 1, 1}, a{2, 1, 1, 0};
  CHECK(fm::ks_statistic_binned(sp(e), sp(a)) == 0.25);
  CHECK(fm::ks_statistic_binned(sp(e), sp(e)) == 0.0);
}

TEST_CASE("the KS critical value follows c(alpha) sqrt((n + m) / (n m))", "[monitor][drift]") {
  // alpha = .05, n = m = 100: c = sqrt(-ln(.025) / 2) = 1.35810..., sqrt(200 / 10^4) = .141421...
  // product 0.19206455826398416 (Python math).
  CHECK_THAT(fm::ks_critical_value(0.05, 100, 100), WithinRel(0.19206455826398416, 1e-13));
  CHECK(std::isinf(fm::ks_critical_value(0.05, 0, 100)));
}

TEST_CASE("drift statistics of an empty histogram are undefined, not zero", "[monitor][drift]") {
  const std::array<double, 2> e{0, 0}, a{1, 1};
  CHECK(std::isnan(fm::population_stability_index(sp(e), sp(a))));
  CHECK(std::isnan(fm::ks_statistic_binned(sp(a), sp(e))));
}

TEST_CASE("drift statistics reject mismatched, negative and non-finite histograms",
          "[monitor][drift][errors]") {
  const std::array<double, 2> two{1, 1};
  const std::array<double, 3> three{1, 1, 1};
  const std::array<double, 2> neg{1, -1};
  const std::array<double, 2> nan{1, std::nan("")};
  CHECK_THROWS_AS(fm::ks_statistic_binned(sp(two), sp(three)), fairgate::error);
  CHECK_THROWS_WITH(fm::population_stability_index(sp(two), sp(neg)), Catch::Contains("bin 1"));
  CHECK_THROWS_AS(fm::population_stability_index(sp(nan), sp(two)), fairgate::error);
  CHECK_THROWS_AS(fm::ks_critical_value(0.0, 1, 1), fairgate::error);
}

TEST_CASE("alpha spent over looks sums to alpha: alpha_k = alpha 6 / (pi^2 k^2)",
          "[monitor][sequential]") {
  // alpha_1 = .05 * 6 / pi^2 = 0.03039635509270134 (Python)
  CHECK_THAT(fm::spent_alpha(0.05, 1), WithinRel(0.03039635509270134, 1e-15));
  CHECK_THAT(fm::spent_alpha(0.05, 2), WithinRel(0.03039635509270134 / 4.0, 1e-15));
  // Partial sums approach alpha from below: sum_{k<=K} 1/k^2 = pi^2/6 - O(1/K).
  double s = 0.0;
  for (std::uint64_t k = 1; k <= 100000; ++k) s += fm::spent_alpha(0.05, k);
  CHECK(s < 0.05);
  CHECK(s > 0.05 * (1.0 - 1e-4));
  CHECK_THROWS_AS(fm::spent_alpha(0.05, 0), fairgate::error);
}

TEST_CASE("pooled two-proportion z test: 60/100 against 40/100", "[monitor][sequential]") {
  // p = .5, var = .25 (1/100 + 1/100) = .005, z = .2 / sqrt(.005) = 2.8284271247461903,
  // p-value = erfc(z / sqrt 2) = 0.004677734981047265 (Python math.erfc).
  const auto t = fm::two_proportion_z(0.6, 100, 0.4, 100);
  REQUIRE(t.defined);
  CHECK_THAT(t.z, WithinRel(2.8284271247461903, 1e-14));
  CHECK_THAT(t.p_value, WithinRel(0.004677734981047265, 1e-12));
  // Antisymmetric in the samples.
  const auto u = fm::two_proportion_z(0.4, 100, 0.6, 100);
  CHECK(u.z == -t.z);
  CHECK(u.p_value == t.p_value);
}

TEST_CASE("the z test is undefined for an empty sample and 1 when both are degenerate",
          "[monitor][sequential]") {
  CHECK_FALSE(fm::two_proportion_z(0.5, 0, 0.5, 10).defined);
  const auto t = fm::two_proportion_z(1.0, 10, 1.0, 20);
  CHECK(t.p_value == 1.0);
  CHECK_THROWS_AS(fm::two_proportion_z(1.5, 10, 0.5, 10), fairgate::error);
}

TEST_CASE("Newcombe's difference interval combines the two Wilson half-widths",
          "[monitor][sequential]") {
  // a = .5 [.4, .7], b = .2 [.1, .25]: d = .3,
  // lower = .3 - sqrt(.1^2 + .05^2) = 0.18819660112501052, upper = .3 + sqrt(.2^2 + .1^2) =
  // 0.523606797749979
  fairgate::uncertainty::interval a, b;
  a.estimate = 0.5, a.lower = 0.4, a.upper = 0.7, a.defined = true;
  b.estimate = 0.2, b.lower = 0.1, b.upper = 0.25, b.defined = true;
  const auto d = fm::newcombe_difference(a, b);
  CHECK_THAT(d.estimate, WithinAbs(0.3, 1e-15));
  CHECK_THAT(d.lower, WithinAbs(0.18819660112501052, 1e-15));
  CHECK_THAT(d.upper, WithinAbs(0.523606797749979, 1e-15));
  b.defined = false;
  CHECK_FALSE(fm::newcombe_difference(a, b).defined);
}
