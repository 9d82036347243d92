// fairgate/math/branchless.hpp: exp and log1p without data-dependent branches,
// so that a plain loop over them vectorises, with the same bits everywhere.
//
//   for (std::size_t i = 0; i < n; ++i) y[i] = math::exp_branchless(x[i]);  // vectorises
//   double l = math::log1p_unit(0.25);  // log(1.25), for arguments in [0, 1]
//
// Why a second exp: math::exp (deterministic.hpp) picks its scaling by
// branches, which stops a compiler from vectorising a loop that calls it. The
// hot loops of the penalties (10^7 rows) need SIMD. These functions use only
// +, -, *, /, selects (?: on integer conditions, which compile to blends,
// not jumps) and integer bit operations on the exponent field, all exact or correctly rounded
// in IEEE 754. Under -ffp-contract=off (set on fairgate::core) every element
// therefore gets the same sequence of roundings whether the loop runs scalar,
// with SSE2, AVX2 or NEON, at -O0 or -O3, with gcc or clang: the result of
// one element never depends on the vector width.
//
// exp_branchless is bit-identical to math::exp for EVERY double input (same
// range reduction k = floor(x/ln2 + 1/2), same Cody–Waite split of ln 2, same
// degree-13 Taylor polynomial in the same Horner order, and the same single
// rounding for subnormal results; tests/objectives checks it on 10^6 inputs
// and on the edges). log1p_unit is new: no older fairgate function gives its
// bits.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include <fairgate/config.hpp>
#include <fairgate/math/deterministic.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace math {

namespace detail {
// 1.5 · 2^52: adding it to a double |y| < 2^51 rounds y to an integer (ties to
// even) and puts that integer, in two's complement, in the low mantissa bits,
// so it can be read from the bits without a float-to-int conversion (which
// AVX2 lacks for 64-bit lanes).
inline constexpr double round_shifter = 0x1.8p52;

// 2^k for an integer-valued double k in [-1022, 1023], from its bits.
inline double pow2_of_integer(double k) noexcept {
  const std::uint64_t kb =
      std::bit_cast<std::uint64_t>(k + round_shifter) - std::bit_cast<std::uint64_t>(round_shifter);
  return std::bit_cast<double>((kb + 1023u) << 52);
}
}  // namespace detail

// Selects written so that gcc vectorises them. Under its default
// -ftrapping-math, gcc will not if-convert a floating-point comparison, nor
// (in practice) many ?: on doubles, so each condition below is an INTEGER
// comparison of bit patterns, and each select is a bit mask: c ? a : b with
// both a and b computed beforehand.
inline double select(bool c, double a, double b) noexcept {
  const std::uint64_t mask = 0 - static_cast<std::uint64_t>(c);
  return std::bit_cast<double>((std::bit_cast<std::uint64_t>(a) & mask) |
                               (std::bit_cast<std::uint64_t>(b) & ~mask));
}

// a > b for non-NaN a, b (not both the same infinity): a − b is exactly 0 only
// when a = b (gradual underflow) and keeps the sign of the exact difference,
// so its sign bit, read as an integer, decides.
inline bool greater_bits(double a, double b) noexcept {
  return std::bit_cast<std::int64_t>(a - b) > 0;
}
// x is NaN: exponent all ones and a non-zero mantissa.
inline bool is_nan_bits(double x) noexcept {
  return (std::bit_cast<std::int64_t>(x) & 0x7fffffffffffffff) > 0x7ff0000000000000;
}
// The sign bit is clear (x >= +0, or a NaN with a clear sign bit).
inline bool sign_clear(double x) noexcept {
  return std::bit_cast<std::int64_t>(x) >= 0;
}

// floor(y) for |y| < 2^51, exactly: r = y rounded to nearest, minus 1 if that
// rounded up. (std::floor only vectorises under -fno-trapping-math on gcc.)
inline double floor_branchless(double y) noexcept {
  const double r = (y + detail::round_shifter) - detail::round_shifter;
  const double r_minus_1 = r - 1.0;
  return select(greater_bits(r, y), r_minus_1, r);
}

// e^x, bit-identical to math::exp(x): exp(NaN) = NaN, exp(x > 709.78…) = +inf,
// exp(x < −745.13…) = 0, subnormal results rounded once (as std::ldexp would).
inline double exp_branchless(double x) noexcept {
  constexpr double hi = 709.782712893384, lo = -745.1332191019412;
  // Clamp first so k stays in range on the (later discarded) saturated lanes.
  const bool above = greater_bits(x, hi), below = greater_bits(lo, x);
  const double xc = select(above, hi, select(below, lo, x));
  // k = floor(x/ln2 + 1/2) exactly as math::exp computes it.
  const double kf = floor_branchless(xc * math::detail::inv_ln2 + 0.5);
  const double r = (xc - kf * math::detail::ln2_hi) - kf * math::detail::ln2_lo;
  // Taylor series of e^r to degree 13 (as math::exp): error < 4e-18 for |r| <= 0.347.
  double p = 1.0 / 6227020800.0;  // 1/13!
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  // p · 2^k as (p · 2^k1) · 2^k2, k1 = floor(k/2): both factors are normal
  // powers for every k in range, the first product is exact, and the second
  // rounds at most once (only when the result is subnormal) — the same single
  // rounding as math::exp's scale_by_pow2, without its branches.
  const double k1 = floor_branchless(kf * 0.5);
  const double k2 = kf - k1;
  const double y = (p * detail::pow2_of_integer(k1)) * detail::pow2_of_integer(k2);
  const double saturated = select(above, std::numeric_limits<double>::infinity(), 0.0);
  const double out = select(above | below, saturated, y);
  return select(is_nan_bits(x), x, out);
}

// log(1 + u) for u in [0, 1] (the range a softplus needs: u = e^{−|x|}),
// accurate to a few ulp, without branches.
//   1 + u = 2^e · m with e = 0 for u < 1/2 (m − 1 = u, exact) and e = 1 for
//   u >= 1/2 (m − 1 = (u − 1)/2, exact by Sterbenz), so f = m − 1 lies in
//   [−1/4, 1/2) and carries no cancellation error. Then
//   log m = 2 atanh(s), s = f/(2 + f), |s| <= 0.2, z = s² <= 0.04:
//   2s + 2s·z·Σ_{j>=0} z^j/(2j+3), summed to z^11 (truncation < 1e-18 relative).
// Outside [0, 1] the result is unspecified (never UB); NaN gives NaN.
inline double log1p_unit(double u) noexcept {
  // Both arms are computed before the select: a ?: whose arm computes would
  // need speculation, which gcc refuses under -ftrapping-math (no vectorising).
  const bool upper = !greater_bits(0.5, u);  // u >= 1/2
  const double half_down = (u - 1.0) * 0.5;
  const double f = select(upper, half_down, u);
  const double e = select(upper, 1.0, 0.0);
  const double s = f / (2.0 + f);
  const double z = s * s;
  double p = 1.0 / 25.0;
  p = p * z + 1.0 / 23.0;
  p = p * z + 1.0 / 21.0;
  p = p * z + 1.0 / 19.0;
  p = p * z + 1.0 / 17.0;
  p = p * z + 1.0 / 15.0;
  p = p * z + 1.0 / 13.0;
  p = p * z + 1.0 / 11.0;
  p = p * z + 1.0 / 9.0;
  p = p * z + 1.0 / 7.0;
  p = p * z + 1.0 / 5.0;
  p = p * z + 1.0 / 3.0;
  const double log_m = 2.0 * s + 2.0 * s * z * p;
  return e * math::detail::ln2_hi + (log_m + e * math::detail::ln2_lo);
}

}  // namespace math

FAIRGATE_END_NAMESPACE
