// fairgate/math/special.hpp: deterministic special functions for p-values and intervals.
//
//   double p  = fairgate::math::normal_sf(1.96);        // 0.0249979...
//   double z  = fairgate::math::normal_quantile(0.975);  // 1.959963984540054
//   double lf = fairgate::math::log_factorial(100);      // ln(100!)
//
// Everything here is built from + - * / sqrt floor ldexp frexp and the
// deterministic fairgate::math::exp / log (math/deterministic.hpp), compiled
// with -ffp-contract=off, so p-values, interval ends and sampler constants are
// the same bits on every target (std::erfc / std::lgamma are not: glibc does
// not promise correct rounding for them). Each function names its source.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include <fairgate/config.hpp>
#include <fairgate/math/deterministic.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace math {

namespace detail {

inline constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();
inline constexpr double inf_v = std::numeric_limits<double>::infinity();

// exp(-y*y) without losing the low bits of y*y: y = ysq + (y - ysq) with ysq
// carrying 4 fractional bits, so ysq*ysq is exact (W. J. Cody, CALERF).
inline double exp_minus_square(double y) noexcept {
  const double ysq = std::floor(y * 16.0) / 16.0;
  const double del = (y - ysq) * (y + ysq);
  return math::exp(-ysq * ysq) * math::exp(-del);
}

// erf(x) for |x| <= 0.46875: Cody's rational function of x^2 (first interval).
inline double erf_small(double x) noexcept {
  constexpr double a[5] = {3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
                           3.20937758913846947e03, 1.85777706184603153e-1};
  constexpr double b[4] = {2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
                           2.84423683343917062e03};
  const double y = std::fabs(x);
  const double ysq = y > 1.11e-16 ? y * y : 0.0;
  double xnum = a[4] * ysq;
  double xden = ysq;
  for (int i = 0; i < 3; ++i) {
    xnum = (xnum + a[i]) * ysq;
    xden = (xden + b[i]) * ysq;
  }
  return x * (xnum + a[3]) / (xden + b[3]);
}

}  // namespace detail

// Complementary error function erfc(x) = 1 - erf(x).
// W. J. Cody, "Rational Chebyshev approximations for the error function",
// Math. Comp. 23 (1969) 631-637, as in his CALERF routine (SPECFUN, netlib),
// with his IEEE double coefficients. Relative error below ~1e-15 on the whole
// line, including the far right tail (erfc(x) = 0 beyond x ~ 26.54, where the
// true value underflows). erfc(NaN) = NaN.
inline double erfc(double x) noexcept {
  if (x != x) return x;
  constexpr double c[9] = {5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
                           2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
                           2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8};
  constexpr double d[8] = {1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
                           1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
                           3.43936767414372164e03, 1.23033935480374942e03};
  constexpr double p[6] = {3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
                           1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2};
  constexpr double q[5] = {2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1,
                           6.05183413124413191e-2, 2.33520497626869185e-3};
  constexpr double sqrpi = 5.6418958354775628695e-1;  // 1/sqrt(pi)
  constexpr double xbig = 26.543;

  const double y = std::fabs(x);
  double result = 0.0;
  if (y <= 0.46875) return 1.0 - detail::erf_small(x);
  if (y <= 4.0) {
    double xnum = c[8] * y;
    double xden = y;
    for (int i = 0; i < 7; ++i) {
      xnum = (xnum + c[i]) * y;
      xden = (xden + d[i]) * y;
    }
    result = (xnum + c[7]) / (xden + d[7]);
    result *= detail::exp_minus_square(y);
  } else if (y < xbig) {
    const double ysq = 1.0 / (y * y);
    double xnum = p[5] * ysq;
    double xden = ysq;
    for (int i = 0; i < 4; ++i) {
      xnum = (xnum + p[i]) * ysq;
      xden = (xden + q[i]) * ysq;
    }
    result = ysq * (xnum + p[4]) / (xden + q[4]);
    result = (sqrpi - result) / y;
    result *= detail::exp_minus_square(y);
  }
  return x < 0.0 ? 2.0 - result : result;
}

// erf(x) = 1 - erfc(x); accurate to ~1e-16 absolute (relative near 0 too,
// because the |x| <= 0.46875 branch of Cody's method is evaluated directly).
inline double erf(double x) noexcept {
  if (x != x) return x;
  if (std::fabs(x) <= 0.46875) return detail::erf_small(x);
  return x < 0.0 ? erfc(-x) - 1.0 : 1.0 - erfc(x);
}

// Standard normal CDF Phi(x) = P(Z <= x) = erfc(-x / sqrt 2) / 2.
// Relative error about (1 + x^2)·1e-16 in the left tail (the only loss is
// the rounding of x/sqrt 2); scipy.stats.norm.cdf agrees to that precision.
inline double normal_cdf(double x) noexcept {
  constexpr double inv_sqrt2 = 0.70710678118654752440;
  return 0.5 * erfc(-x * inv_sqrt2);
}

// Standard normal survival function Q(x) = P(Z > x) = 1 - Phi(x), computed
// without cancellation (accurate for large x, where 1 - Phi(x) would be 0).
inline double normal_sf(double x) noexcept {
  constexpr double inv_sqrt2 = 0.70710678118654752440;
  return 0.5 * erfc(x * inv_sqrt2);
}

// Standard normal quantile Phi^-1(p), p in (0, 1); p = 0 -> -inf, p = 1 ->
// +inf, p outside [0, 1] or NaN -> NaN. M. J. Wichura, "Algorithm AS 241: The
// percentage points of the normal distribution", Appl. Statist. 37 (1988)
// 477-484 (PPND16, relative accuracy about 1e-16), the same rational
// functions as Python's statistics.NormalDist.inv_cdf and R's qnorm.
inline double normal_quantile(double p) noexcept {
  if (p != p || p < 0.0 || p > 1.0) return detail::nan_v;
  if (p == 0.0) return -detail::inf_v;
  if (p == 1.0) return detail::inf_v;
  const double q = p - 0.5;
  if (std::fabs(q) <= 0.425) {
    const double r = 0.180625 - q * q;
    const double num = (((((((2.5090809287301226727e+3 * r + 3.3430575583588128105e+4) * r +
                             6.7265770927008700853e+4) *
                                r +
                            4.5921953931549871457e+4) *
                               r +
                           1.3731693765509461125e+4) *
                              r +
                          1.9715909503065514427e+3) *
                             r +
                         1.3314166789178437745e+2) *
                            r +
                        3.3871328727963666080e+0) *
                       q;
    const double den = (((((((5.2264952788528545610e+3 * r + 2.8729085735721942674e+4) * r +
                             3.9307895800092710610e+4) *
                                r +
                            2.1213794301586595867e+4) *
                               r +
                           5.3941960214247511077e+3) *
                              r +
                          6.8718700749205790830e+2) *
                             r +
                         4.2313330701600911252e+1) *
                            r +
                        1.0);
    return num / den;
  }
  double r = q <= 0.0 ? p : 1.0 - p;
  r = std::sqrt(-math::log(r));
  double num = 0.0;
  double den = 0.0;
  if (r <= 5.0) {
    r -= 1.6;
    num = (((((((7.74545014278341407640e-4 * r + 2.27238449892691845833e-2) * r +
                2.41780725177450611770e-1) *
                   r +
               1.27045825245236838258e+0) *
                  r +
              3.64784832476320460504e+0) *
                 r +
             5.76949722146069140550e+0) *
                r +
            4.63033784615654529590e+0) *
               r +
           1.42343711074968357734e+0);
    den = (((((((1.05075007164441684324e-9 * r + 5.47593808499534494600e-4) * r +
                1.51986665636164571966e-2) *
                   r +
               1.48103976427480074590e-1) *
                  r +
              6.89767334985100004550e-1) *
                 r +
             1.67638483018380384940e+0) *
                r +
            2.05319162663775882187e+0) *
               r +
           1.0);
  } else {
    r -= 5.0;
    num = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r +
                1.24266094738807843860e-3) *
                   r +
               2.65321895265761230930e-2) *
                  r +
              2.96560571828504891230e-1) *
                 r +
             1.78482653991729133580e+0) *
                r +
            5.46378491116411436990e+0) *
               r +
           6.65790464350110377720e+0);
    den = (((((((2.04426310338993978564e-15 * r + 1.42151175831644588870e-7) * r +
                1.84631831751005468180e-5) *
                   r +
               7.86869131145613259100e-4) *
                  r +
              1.48753612908506148525e-2) *
                 r +
             1.36929880922735805310e-1) *
                r +
            5.99832206555887937690e-1) *
               r +
           1.0);
  }
  const double x = num / den;
  return q < 0.0 ? -x : x;
}

// ln Gamma(x) for x > 0 (NaN for x <= 0 or NaN, +inf for +inf).
// Stirling's series with the Bernoulli terms through B_14 for x >= 10
// (truncation error < 1e-17 there); below 10 the recurrence
// Gamma(x) = Gamma(x + k) / (x (x+1) ... (x+k-1)) shifts the argument up.
// Absolute error below 5e-15 for x < 10 (the shift costs a few ulp of
// log Gamma(x + k) ~ 13), relative error about 1e-15 above (checked against
// scipy.special.gammaln in tests/uncertainty/scipy_differential.py).
inline double log_gamma(double x) noexcept {
  if (x != x || x <= 0.0) return detail::nan_v;
  if (x == detail::inf_v) return x;
  double shift = 1.0;  // product x (x+1) ... (x+k-1)
  while (x < 10.0) {
    shift *= x;
    x += 1.0;
  }
  constexpr double half_log_2pi = 0.91893853320467274178;
  const double inv = 1.0 / x;
  const double inv2 = inv * inv;
  // Series in 1/x^2 (Abramowitz & Stegun 6.1.41): 1/12, -1/360, 1/1260,
  // -1/1680, 1/1188, -691/360360, 1/156.
  double series = 1.0 / 156.0;
  series = series * inv2 - 691.0 / 360360.0;
  series = series * inv2 + 1.0 / 1188.0;
  series = series * inv2 - 1.0 / 1680.0;
  series = series * inv2 + 1.0 / 1260.0;
  series = series * inv2 - 1.0 / 360.0;
  series = series * inv2 + 1.0 / 12.0;
  const double stirling = (x - 0.5) * math::log(x) - x + half_log_2pi + series * inv;
  return shift == 1.0 ? stirling : stirling - math::log(shift);
}

// ln(n!). Exact n! (every n! with n <= 22 is an exact double) then one log for
// small n; Stirling (log_gamma(n + 1)) above.
inline double log_factorial(std::uint64_t n) noexcept {
  if (n <= 22) {
    double f = 1.0;
    for (std::uint64_t i = 2; i <= n; ++i) f *= static_cast<double>(i);
    return math::log(f);
  }
  return log_gamma(static_cast<double>(n) + 1.0);
}

// ln C(n, k); -inf when k > n (the coefficient is 0).
inline double log_binomial(std::uint64_t n, std::uint64_t k) noexcept {
  if (k > n) return -detail::inf_v;
  return log_factorial(n) - log_factorial(k) - log_factorial(n - k);
}

}  // namespace math

FAIRGATE_END_NAMESPACE
