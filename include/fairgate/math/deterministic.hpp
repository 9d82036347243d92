// fairgate/math/deterministic.hpp: exp and log that give the same bits everywhere.
//
// glibc promises correct rounding only for sqrt, fma and rint; its exp/log may
// differ by an ulp between versions and architectures. Anything on a
// determinism path (samplers, log-loss, p-values) uses these instead. They are
// built from +, -, *, /, floor and exponent-bit arithmetic only (all exact or correctly rounded
// in IEEE 754), under -ffp-contract=off, so every target computes the same
// sequence of roundings. Accuracy: within 2 ulp of the true value over the
// normal range (checked against long double in tests/math).
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include <fairgate/config.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace math {

namespace detail {
// ln 2 split so that k * ln2_hi is exact for |k| < 2^11 (fdlibm's constants).
inline constexpr double ln2_hi = 6.93147180369123816490e-01;
inline constexpr double ln2_lo = 1.90821492927058770002e-10;
inline constexpr double inv_ln2 = 1.44269504088896338700e+00;
inline constexpr double sqrt_half = 0.70710678118654752440;

// 2^k for a normal exponent, built from its bits: exact, no libm call.
inline double pow2(int k) noexcept {
  return std::bit_cast<double>(static_cast<std::uint64_t>(k + 1023) << 52);
}

// p · 2^k with a single rounding (only when the result is subnormal), as
// std::ldexp does, but inlinable: the intermediate product stays normal.
inline double scale_by_pow2(double p, int k) noexcept {
  if (k > 1023) return (p * pow2(k - 1023)) * pow2(1023);
  if (k < -1021) return (p * pow2(k + 1000)) * pow2(-1000);
  return p * pow2(k);
}

// frexp for finite x > 0: x = m · 2^e with m in [0.5, 1), exactly.
inline double split_exponent(double x, int& e) noexcept {
  std::uint64_t bits = std::bit_cast<std::uint64_t>(x);
  int bias = 1022;
  if ((bits >> 52) == 0) {  // subnormal: scale into the normal range first (exact)
    bits = std::bit_cast<std::uint64_t>(x * 0x1p54);
    bias += 54;
  }
  e = static_cast<int>(bits >> 52) - bias;
  return std::bit_cast<double>((bits & 0x000fffffffffffffULL) | (std::uint64_t{1022} << 52));
}
}  // namespace detail

// e^x. exp(NaN) = NaN, exp(+inf) = +inf, exp(-inf) = 0.
inline double exp(double x) noexcept {
  if (x != x) return x;
  if (x > 709.782712893384) return std::numeric_limits<double>::infinity();
  if (x < -745.1332191019412) return 0.0;
  // x = k ln2 + r with |r| <= ln2/2.
  const double k = std::floor(x * detail::inv_ln2 + 0.5);
  const double r = (x - k * detail::ln2_hi) - k * detail::ln2_lo;
  // Taylor series of e^r to degree 13: truncation error < 4e-18 for |r| <= 0.347.
  double p = 1.0 / 6227020800.0;  // 1/13!
  constexpr double inv_fact[] = {1.0 / 479001600.0,
                                 1.0 / 39916800.0,
                                 1.0 / 3628800.0,
                                 1.0 / 362880.0,
                                 1.0 / 40320.0,
                                 1.0 / 5040.0,
                                 1.0 / 720.0,
                                 1.0 / 120.0,
                                 1.0 / 24.0,
                                 1.0 / 6.0,
                                 0.5,
                                 1.0,
                                 1.0};
  for (double c : inv_fact) p = p * r + c;
  // Exact (a change of exponent) except when the result is subnormal, where it
  // rounds once, correctly: the same bits as std::ldexp, without the call.
  return detail::scale_by_pow2(p, static_cast<int>(k));
}

// Natural logarithm. log(0) = -inf, log(x<0) = NaN, log(+inf) = +inf.
inline double log(double x) noexcept {
  if (x != x || x < 0.0) return std::numeric_limits<double>::quiet_NaN();
  if (x == 0.0) return -std::numeric_limits<double>::infinity();
  if (x == std::numeric_limits<double>::infinity()) return x;
  int e = 0;
  double m = detail::split_exponent(x, e);  // x = m 2^e, m in [0.5, 1); exact
  if (m < detail::sqrt_half) {
    m *= 2.0;  // exact
    e -= 1;
  }
  // log m = 2 atanh(s), s = (m-1)/(m+1), |s| <= 0.1716: series in s^2 to s^21.
  const double f = m - 1.0;  // exact (Sterbenz)
  const double s = f / (2.0 + f);
  const double z = s * s;
  double p = 1.0 / 21.0;
  constexpr double inv_odd[] = {1.0 / 19.0, 1.0 / 17.0, 1.0 / 15.0, 1.0 / 13.0, 1.0 / 11.0,
                                1.0 / 9.0,  1.0 / 7.0,  1.0 / 5.0,  1.0 / 3.0};
  for (double c : inv_odd) p = p * z + c;
  const double ed = static_cast<double>(e);
  const double log_m = 2.0 * s + 2.0 * s * z * p;
  return ed * detail::ln2_hi + (log_m + ed * detail::ln2_lo);
}

// log(1 + x) for small x without cancellation: used by log-loss near 0 and 1.
inline double log1p(double x) noexcept {
  const double u = 1.0 + x;
  if (u == 1.0) return x;
  // Correction term (Goldberg's trick): log(u) * x / (u - 1) is exact to O(eps^2).
  return math::log(u) * (x / (u - 1.0));
}

}  // namespace math

FAIRGATE_END_NAMESPACE
