// Special functions (math/special.hpp) and quantiles (uncertainty/percentile.hpp).
// The wide differential comparison against scipy/numpy is in scipy_differential.py;
// here: identities, hand-checkable values and error cases.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include <fairgate/error.hpp>
#include <fairgate/math/special.hpp>
#include <fairgate/uncertainty/percentile.hpp>

namespace m = fairgate::math;
namespace u = fairgate::uncertainty;

TEST_CASE("normal cdf is one half at zero and symmetric", "[special]") {
  CHECK(m::normal_cdf(0.0) == 0.5);
  CHECK(m::normal_sf(0.0) == 0.5);
  for (double x : {0.1, 0.5, 1.0, 1.96, 3.0, 5.0}) {
    CHECK(m::normal_cdf(x) + m::normal_cdf(-x) == Approx(1.0).epsilon(1e-15));
    CHECK(m::normal_sf(x) == m::normal_cdf(-x));
  }
}

TEST_CASE("normal cdf matches printed table values", "[special]") {
  // Abramowitz & Stegun, Table 26.1 (P(x) to 15 digits):
  //   P(1) = 0.841344746068543, P(2) = 0.977249868051821, P(3) = 0.998650101968370
  CHECK(m::normal_cdf(1.0) == Approx(0.841344746068543).epsilon(1e-14));
  CHECK(m::normal_cdf(2.0) == Approx(0.977249868051821).epsilon(1e-14));
  CHECK(m::normal_cdf(3.0) == Approx(0.998650101968370).epsilon(1e-14));
}

TEST_CASE("normal survival function keeps relative accuracy far in the tail", "[special]") {
  // Mills-ratio asymptotics: Q(x) = phi(x)/x (1 - 1/x^2 + 3/x^4 - 15/x^6 + 105/x^8 ...);
  // at x = 20 the truncation after 105/x^8 is below 1e-11 relative.
  const double x = 20.0;
  const double phi = std::exp(-x * x / 2.0) / std::sqrt(2.0 * std::numbers::pi);
  const double x2 = x * x;
  const double mills =
      phi / x *
      (1.0 - 1.0 / x2 + 3.0 / (x2 * x2) - 15.0 / (x2 * x2 * x2) + 105.0 / (x2 * x2 * x2 * x2));
  CHECK(m::normal_sf(x) == Approx(mills).epsilon(1e-10));
  CHECK(m::normal_sf(x) > 0.0);      // 1 - Phi(20) would be 0
  CHECK(m::normal_sf(40.0) == 0.0);  // the true value (3.7e-350) underflows
}

TEST_CASE("normal quantile inverts the cdf", "[special]") {
  CHECK(m::normal_quantile(0.5) == 0.0);
  // 1.959963984540054 is the familiar 97.5% point (to 16 digits).
  CHECK(m::normal_quantile(0.975) == Approx(1.959963984540054).epsilon(1e-15));
  // Left tail through the cdf; right tail through the survival function (the cdf
  // rounds to 1 - 2^-53 k there and cannot carry the information).
  for (double x : {-30.0, -8.0, -3.0, -1.0, -0.1}) {
    CHECK(m::normal_quantile(m::normal_cdf(x)) == Approx(x).epsilon(1e-12));
    CHECK(-m::normal_quantile(m::normal_sf(-x)) == Approx(-x).epsilon(1e-12));
  }
  CHECK(m::normal_quantile(0.0) == -std::numeric_limits<double>::infinity());
  CHECK(m::normal_quantile(1.0) == std::numeric_limits<double>::infinity());
  CHECK(std::isnan(m::normal_quantile(-0.1)));
  CHECK(std::isnan(m::normal_quantile(1.5)));
  CHECK(std::isnan(m::normal_quantile(std::numeric_limits<double>::quiet_NaN())));
}

TEST_CASE("erf and erfc are complementary and odd/even as expected", "[special]") {
  CHECK(m::erfc(0.0) == 1.0);
  CHECK(m::erf(0.0) == 0.0);
  for (double x : {0.2, 0.46875, 0.5, 1.0, 2.5, 4.0, 6.0}) {
    CHECK(m::erf(x) == Approx(1.0 - m::erfc(x)).margin(1e-16));
    CHECK(m::erf(-x) == -m::erf(x));
    CHECK(m::erfc(-x) == Approx(2.0 - m::erfc(x)).epsilon(1e-16));
  }
  CHECK(m::erfc(30.0) == 0.0);
  CHECK(std::isnan(m::erfc(std::numeric_limits<double>::quiet_NaN())));
}

TEST_CASE("log factorial equals the log of the exact factorial", "[special]") {
  // n! is an exact double for n <= 22; 20! = 2432902008176640000.
  CHECK(m::log_factorial(0) == 0.0);
  CHECK(m::log_factorial(1) == 0.0);
  CHECK(m::log_factorial(20) == Approx(std::log(2432902008176640000.0)).epsilon(1e-15));
  // Stirling branch vs a direct sum of logs (sum of 100 terms, error ~1e-14).
  double s = 0.0;
  for (int k = 2; k <= 100; ++k) s += std::log(static_cast<double>(k));
  CHECK(m::log_factorial(100) == Approx(s).epsilon(1e-14));
  // log Gamma(1/2) = log(sqrt(pi)).
  CHECK(m::log_gamma(0.5) == Approx(0.5 * std::log(std::numbers::pi)).epsilon(1e-14));
  // Recurrence across the Stirling switch at 10: log Gamma(x+1) = log Gamma(x) + log x.
  CHECK(m::log_gamma(10.5) == Approx(m::log_gamma(9.5) + std::log(9.5)).epsilon(1e-14));
  CHECK(std::isnan(m::log_gamma(0.0)));
  CHECK(std::isnan(m::log_gamma(-1.5)));
}

TEST_CASE("log binomial is the log of small binomial coefficients", "[special]") {
  // C(10, 3) = 120, C(52, 5) = 2598960.
  CHECK(m::log_binomial(10, 3) == Approx(std::log(120.0)).epsilon(1e-14));
  CHECK(m::log_binomial(52, 5) == Approx(std::log(2598960.0)).epsilon(1e-14));
  CHECK(m::log_binomial(3, 4) == -std::numeric_limits<double>::infinity());
}

TEST_CASE("quantile interpolates linearly between order statistics like numpy", "[percentile]") {
  // sorted {1,2,3,4}: q = 0.25 -> h = 3 * 0.25 = 0.75 -> 1 + 0.75 (2 - 1) = 1.75
  //                    q = 0.5  -> h = 1.5 -> g = 0.5 >= 0.5: 3 - (3 - 2)(1 - 0.5) = 2.5
  const std::vector<double> v = {3.0, 1.0, 2.0, 4.0};
  CHECK(u::quantile(v, 0.25) == 1.75);
  CHECK(u::quantile(v, 0.5) == 2.5);
  CHECK(u::quantile(v, 0.0) == 1.0);
  CHECK(u::quantile(v, 1.0) == 4.0);
  const std::vector<double> one = {7.0};
  CHECK(u::quantile(one, 0.3) == 7.0);
}

TEST_CASE("quantile is invariant to the order of the values", "[percentile]") {
  std::vector<double> v = {0.3, -1.2, 5.5, 2.0, 2.0, 0.0, 9.25, -3.5};
  const double q1 = u::quantile(v, 0.975);
  std::reverse(v.begin(), v.end());
  CHECK(u::quantile(v, 0.975) == q1);
}

TEST_CASE("quantile rejects empty input, NaN values and q outside [0, 1]", "[percentile][errors]") {
  const std::vector<double> empty;
  CHECK_THROWS_AS(u::quantile(empty, 0.5), fairgate::error);
  const std::vector<double> with_nan = {1.0, std::numeric_limits<double>::quiet_NaN()};
  CHECK_THROWS_WITH(u::quantile(with_nan, 0.5), Catch::Contains("values[1] is NaN"));
  const std::vector<double> v = {1.0, 2.0};
  CHECK_THROWS_AS(u::quantile(v, 1.5), fairgate::error);
  CHECK_THROWS_AS(u::quantile(v, -0.1), fairgate::error);
}
