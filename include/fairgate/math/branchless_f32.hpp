// fairgate/math/branchless_f32.hpp: single-precision e^{−a} and log(1 + u)
// without data-dependent branches, for the f32 penalty kernels.
//
//   float e = math::exp_neg_f32(2.5f);     // e^{−2.5}, for a >= 0
//   float l = math::log1p_unit_f32(0.25f); // log(1.25), for u in [0, 1]
//
// Why a separate f32 family: a penalty over f32 scores that writes an f32
// gradient does not need the f64 exp's 53 bits (branchless.hpp), and the f32
// versions run 8 lanes per AVX2 vector instead of 4, with a shorter
// polynomial. The same rules as branchless.hpp make them deterministic: only
// +, -, *, / (correctly rounded in IEEE 754 binary32), integer bit operations
// and selects written as bit masks; under -ffp-contract=off every element
// gets the same roundings at any vector width, on every compiler and CPU.
// Accuracy (tested against the f64 functions): exp_neg_f32 within 2 ulp,
// log1p_unit_f32 within 3 ulp.
#pragma once

#include <bit>
#include <cstdint>

#include <fairgate/config.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace math {

// c ? a : b on floats as a bit mask (gcc will not if-convert a float ?: under
// its default -ftrapping-math, which would stop the loop from vectorising).
inline float select_f32(bool c, float a, float b) noexcept {
  const std::uint32_t mask = 0u - static_cast<std::uint32_t>(c);
  return std::bit_cast<float>((std::bit_cast<std::uint32_t>(a) & mask) |
                              (std::bit_cast<std::uint32_t>(b) & ~mask));
}

// Non-zero iff x is ±inf or NaN (exponent field all ones).
inline std::uint32_t not_finite_f32(float x) noexcept {
  return static_cast<std::uint32_t>(((std::bit_cast<std::uint32_t>(x) >> 23) & 0xffu) == 0xffu);
}

namespace detail {
inline constexpr float f32_round_shifter = 0x1.8p23f;  // 1.5 · 2^23: rounds |t| < 2^22 to an integer
inline constexpr float f32_log2e = 1.44269502f;
inline constexpr float f32_ln2_hi = 0.693145751953125f;        // 16 significant bits: k · hi is exact
inline constexpr float f32_ln2_lo = 1.42860676533018704e-06f;  // ln 2 − hi
inline constexpr float f32_exp_neg_max = 87.0f;  // e^{−87} ≈ 1.6e−38 is still a normal float
}  // namespace detail

// e^{−a} for a >= 0 (a NaN or negative a gives an unspecified finite value,
// never UB). For a > 87 the result is e^{−87}: the f32 kernels use it only
// inside σ and softplus, where 1.6e−38 instead of a smaller number changes
// nothing representable in the sums.
//   k = round(−a · log2 e), r = −a − k ln 2 (Cody–Waite, exact k · ln2_hi),
//   e^r by its Taylor series to degree 7 (|r| <= 0.347: truncation < 5e−9),
//   times 2^k built from the exponent bits (k in [−126, 0]: always normal).
inline float exp_neg_f32(float a) noexcept {
  // Clamp by comparing bit patterns: for a >= 0 they order like the values.
  const std::int32_t ab = std::bit_cast<std::int32_t>(a);
  const std::int32_t max_b = std::bit_cast<std::int32_t>(detail::f32_exp_neg_max);
  const float ac = select_f32(ab < max_b, a, detail::f32_exp_neg_max);
  const float t = ac * -detail::f32_log2e;
  const float shifted = t + detail::f32_round_shifter;
  const float kf = shifted - detail::f32_round_shifter;
  const std::int32_t k =
      std::bit_cast<std::int32_t>(shifted) - std::bit_cast<std::int32_t>(detail::f32_round_shifter);
  const float r = (-ac - kf * detail::f32_ln2_hi) - kf * detail::f32_ln2_lo;
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const float two_k = std::bit_cast<float>(static_cast<std::uint32_t>(k + 127) << 23);
  return p * two_k;
}

// log(1 + u) for u in [0, 1] (a softplus's log1p(e^{−|x|})), as
// branchless.hpp's log1p_unit: 1 + u = 2^e · m with m − 1 exact, then
// log m = 2 atanh(s), s = f/(2 + f), |s| <= 0.2, z = s² <= 0.04, summed to
// z^4 (truncation < 1e−8 relative).
inline float log1p_unit_f32(float u) noexcept {
  const bool upper = std::bit_cast<std::int32_t>(u) >= std::bit_cast<std::int32_t>(0.5f);
  const float half_down = (u - 1.0f) * 0.5f;
  const float f = select_f32(upper, half_down, u);
  const float e = select_f32(upper, 1.0f, 0.0f);
  const float s = f / (2.0f + f);
  const float z = s * s;
  float p = 1.0f / 11.0f;
  p = p * z + 1.0f / 9.0f;
  p = p * z + 1.0f / 7.0f;
  p = p * z + 1.0f / 5.0f;
  p = p * z + 1.0f / 3.0f;
  const float log_m = 2.0f * s + 2.0f * s * z * p;
  return e * detail::f32_ln2_hi + (log_m + e * detail::f32_ln2_lo);
}

}  // namespace math

FAIRGATE_END_NAMESPACE
