// Poisson and normal samplers: hand-computed draws, moments and chi-square
// tests against the exact distributions (computed here in long double).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <fairgate/error.hpp>
#include <fairgate/rng/discrete.hpp>
#include <fairgate/rng/normal.hpp>
#include <fairgate/rng/sampler_tables.hpp>

#include "chi_square.hpp"

namespace r = fairgate::rng;
using fairgate_test::chi2_critical;
using fairgate_test::chi2_statistic;
using r::stream;

namespace {

stream kat_stream() {
  return stream(r::stream_key{0, 0, 0});
}

struct moments {
  double mean = 0, var = 0;
};

template <class Sample>
moments sample_moments(std::size_t n, Sample&& draw) {
  // Welford's update: stable for lambda = 1e12.
  long double mean = 0, m2 = 0;
  for (std::size_t i = 1; i <= n; ++i) {
    const long double x = draw();
    const long double d = x - mean;
    mean += d / static_cast<long double>(i);
    m2 += d * (x - mean);
  }
  return {static_cast<double>(mean), static_cast<double>(m2 / static_cast<long double>(n - 1))};
}

// Exact Poisson pmf in long double (test-only: libm is fine here).
long double poisson_pmf(long double lambda, std::uint64_t k) {
  const long double kk = static_cast<long double>(k);
  return std::exp(kk * std::log(lambda) - lambda - std::lgamma(kk + 1.0L));
}

// Bins of consecutive k, each with probability >= 1/target_bins (the tails go
// into the first and last bins), their probabilities, and the bin of each k.
struct poisson_bins {
  std::uint64_t lo = 0;
  std::vector<std::size_t> bin_of;  // for k in [lo, lo + bin_of.size())
  std::vector<double> prob;
  std::size_t bin(std::uint64_t k) const {
    if (k < lo) return 0;
    if (k - lo >= bin_of.size()) return prob.size() - 1;
    return bin_of[k - lo];
  }
};

poisson_bins make_bins(double lambda, int target_bins) {
  poisson_bins b;
  const double sd = std::sqrt(lambda);
  const double lo = std::floor(lambda - 20 * sd - 20);
  b.lo = lo < 0 ? 0 : static_cast<std::uint64_t>(lo);
  const auto hi = static_cast<std::uint64_t>(lambda + 20 * sd + 20);
  long double acc = 0, total = 0;
  b.prob.push_back(0);
  for (std::uint64_t k = b.lo; k <= hi; ++k) {
    const long double p = poisson_pmf(lambda, k);
    total += p;
    if (acc >= 1.0L / target_bins) {
      b.prob.back() = static_cast<double>(acc);
      b.prob.push_back(0);
      acc = 0;
    }
    acc += p;
    b.bin_of.push_back(b.prob.size() - 1);
  }
  b.prob.back() = static_cast<double>(acc + (1.0L - total));     // upper tail (and rounding)
  if (b.prob.back() < 0.5 / target_bins && b.prob.size() > 1) {  // merge a thin last bin
    const double last = b.prob.back();
    b.prob.pop_back();
    b.prob.back() += last;
    for (auto& x : b.bin_of)
      if (x >= b.prob.size()) x = b.prob.size() - 1;
  }
  return b;
}

}  // namespace

TEST_CASE("poisson1 of the KAT draw is 2, from the threshold table by hand") {
  // x = 0xe169c58d6627e8d5: T[1] = 0xbc5a... <= x < T[2] = 0xeb71... -> 2.
  auto s = kat_stream();
  CHECK(r::poisson1(s) == 2u);
  CHECK(s.position() == 2u);
}

TEST_CASE("poisson1 thresholds are increasing and end below 2^64") {
  const auto& t = r::tables::poisson1_threshold;
  for (std::size_t k = 1; k < std::size(t); ++k) CHECK(t[k] > t[k - 1]);
  // T[0] = round(2^64 / e): e^-1 = 0.36787944117144233 -> 6.786177901268223e18.
  CHECK(std::fabs(static_cast<double>(t[0]) - 0x1p64 * 0.36787944117144233) < 0x1p12);
}

TEST_CASE("poisson1 matches the Poisson(1) pmf in a chi-square test, with mean and variance 1") {
  stream s(30, r::purposes::test);
  const std::size_t n = 1'000'000;
  std::vector<std::uint64_t> bins(7, 0);  // 0..5, >= 6
  long double sum = 0, sum2 = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto k = r::poisson1(s);
    REQUIRE(k <= 20u);
    ++bins[k < 6 ? k : 6];
    sum += k;
    sum2 += static_cast<long double>(k) * k;
  }
  std::vector<double> expected(7);
  double rest = 1.0;
  for (std::uint64_t k = 0; k < 6; ++k) {
    const double p = static_cast<double>(poisson_pmf(1.0L, k));
    expected[k] = p * n;
    rest -= p;
  }
  expected[6] = rest * n;
  CHECK(chi2_statistic(bins, expected) < chi2_critical(6));
  const double mean = static_cast<double>(sum / n);
  const double var = static_cast<double>(sum2 / n) - mean * mean;
  CHECK(std::fabs(mean - 1.0) < 5 * std::sqrt(1.0 / n));
  CHECK(std::fabs(var - 1.0) < 5 * std::sqrt(3.0 / n));  // var(s^2) ~ (lambda + 2 lambda^2) / n
}

TEST_CASE("poisson(lambda) matches the exact pmf in a chi-square test for several lambdas") {
  for (double lambda : {1.0, 3.7, 9.99, 10.0, 100.0, 12345.6, 1e6}) {
    const auto bins = make_bins(lambda, 20);
    stream s(31, r::purposes::test, static_cast<std::uint32_t>(lambda * 100));
    const std::size_t n = 200'000;
    std::vector<std::uint64_t> observed(bins.prob.size(), 0);
    for (std::size_t i = 0; i < n; ++i) ++observed[bins.bin(r::poisson(s, lambda))];
    std::vector<double> expected(bins.prob.size());
    for (std::size_t i = 0; i < expected.size(); ++i) expected[i] = bins.prob[i] * n;
    const double stat = chi2_statistic(observed, expected);
    INFO("lambda = " << lambda << ", bins = " << bins.prob.size() << ", chi2 = " << stat);
    CHECK(chi2_statistic(observed, expected) < chi2_critical(bins.prob.size() - 1));
  }
}

TEST_CASE("poisson(lambda) has mean and variance lambda, up to lambda = 1e12") {
  for (double lambda : {0.5, 3.7, 10.0, 100.0, 1e6, 1e12}) {
    stream s(32, r::purposes::test, static_cast<std::uint32_t>(std::log10(lambda) * 10 + 100));
    const std::size_t n = 200'000;
    const auto m =
        sample_moments(n, [&] { return static_cast<long double>(r::poisson(s, lambda)); });
    INFO("lambda = " << lambda << ", mean = " << m.mean << ", var = " << m.var);
    CHECK(std::fabs(m.mean - lambda) < 5 * std::sqrt(lambda / n));
    CHECK(std::fabs(m.var - lambda) < 5 * std::sqrt((lambda + 2 * lambda * lambda) / n));
  }
}

TEST_CASE("poisson(0) is 0 and draws nothing") {
  stream s(33, r::purposes::test);
  CHECK(r::poisson(s, 0.0) == 0u);
  CHECK(s.position() == 0u);
}

TEST_CASE("poisson(lambda) of the KAT draw for lambda < 10 inverts the CDF by hand") {
  // u = 0.880520197888614; Poisson(1) CDF: 0.3679, 0.7358, 0.9197 -> k = 2,
  // the same as poisson1 on this draw.
  auto s = kat_stream();
  CHECK(r::poisson(s, 1.0) == 2u);
}

TEST_CASE("poisson refuses negative, NaN, infinite and too large lambda") {
  stream s(34, r::purposes::test);
  CHECK_THROWS_AS(r::poisson(s, -1.0), fairgate::error);
  CHECK_THROWS_AS(r::poisson(s, std::numeric_limits<double>::quiet_NaN()), fairgate::error);
  CHECK_THROWS_AS(r::poisson(s, std::numeric_limits<double>::infinity()), fairgate::error);
  CHECK_THROWS_AS(r::poisson(s, 0x1p53), fairgate::error);
  CHECK_THROWS_WITH(r::poisson(s, -2.0), Catch::Contains("lambda"));
}

TEST_CASE("normal of the KAT draw takes the Ziggurat fast path, by hand") {
  // bits = 0xe169c58d6627e8d5: layer = 0xd5 = 213, sign bit 8 of 0xe8d5 = 0 (+),
  // u = 0x1.c2d38b1acc4fdp-1; x = u * X[213], inside layer 214 -> returned.
  const double x = 0x1.c2d38b1acc4fdp-1 * r::tables::zig_norm_x[213];
  REQUIRE(x < r::tables::zig_norm_x[214]);
  auto s = kat_stream();
  CHECK(r::normal(s) == x);
}

TEST_CASE("Ziggurat tables have equal-area layers and F = exp(-X^2/2)") {
  const auto& x = r::tables::zig_norm_x;
  const auto& f = r::tables::zig_norm_f;
  const double v = r::tables::zig_norm_v;
  CHECK(x[1] == r::tables::zig_norm_r);
  CHECK(x[0] * f[1] == Approx(v).epsilon(1e-14));  // base: V / f(R) wide, f(R) high
  for (std::size_t i = 1; i < 256; ++i) {
    INFO("layer " << i);
    CHECK(x[i] > x[i + 1]);
    CHECK(x[i] * (f[i + 1] - f[i]) == Approx(v).epsilon(1e-11));
    CHECK(f[i] == Approx(std::exp(-0.5L * x[i] * x[i])).epsilon(1e-15));
  }
  // Base layer = rectangle [0, R] x [0, f(R)] + tail integral sqrt(pi/2) erfc(R/sqrt2).
  const long double tail = std::sqrt(std::acos(-1.0L) / 2) * std::erfc(x[1] / std::sqrt(2.0L));
  CHECK(static_cast<double>(x[1] * f[1] + tail) == Approx(v).epsilon(1e-14));
}

TEST_CASE("normal has mean 0 and variance 1 within 5 standard errors") {
  stream s(35, r::purposes::test);
  const std::size_t n = 1'000'000;
  const auto m = sample_moments(n, [&] { return static_cast<long double>(r::normal(s)); });
  CHECK(std::fabs(m.mean) < 5 * std::sqrt(1.0 / n));
  CHECK(std::fabs(m.var - 1.0) < 5 * std::sqrt(2.0 / n));
}

TEST_CASE("normal matches the normal CDF in a binned chi-square test including the tails") {
  // Edges: -inf, -R, -3, -2.75, ..., 2.75, 3, R, +inf (28 bins); R = 3.654 is
  // where the Ziggurat's tail sampler takes over.
  const double rr = r::tables::zig_norm_r;
  std::vector<double> edges = {-rr};
  for (int i = -12; i <= 12; ++i) edges.push_back(0.25 * i);
  edges.push_back(rr);
  const auto cdf = [](double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); };
  std::vector<double> prob;
  double prev = 0.0;
  for (double e : edges) {
    prob.push_back(cdf(e) - prev);
    prev = cdf(e);
  }
  prob.push_back(1.0 - prev);
  stream s(36, r::purposes::test);
  const std::size_t n = 1'000'000;
  std::vector<std::uint64_t> observed(prob.size(), 0);
  for (std::size_t i = 0; i < n; ++i) {
    const double z = r::normal(s);
    REQUIRE(std::isfinite(z));
    const auto bin =
        static_cast<std::size_t>(std::upper_bound(edges.begin(), edges.end(), z) - edges.begin());
    ++observed[bin];
  }
  std::vector<double> expected(prob.size());
  for (std::size_t i = 0; i < prob.size(); ++i) expected[i] = prob[i] * n;
  CHECK(chi2_statistic(observed, expected) < chi2_critical(prob.size() - 1));
}
