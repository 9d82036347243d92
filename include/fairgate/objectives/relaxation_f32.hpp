// fairgate/objectives/relaxation_f32.hpp: the per-row functions of the
// penalties in single precision, for f32 scores with an f32 gradient.
//
//   objectives::row_f32<objectives::row_kind_f32::sigmoid> f{1.0f / tau};
//   float v = f.value(s, y), d = f.slope(s, y);  // the relaxation at s and d/ds
//
// The same formulas as relaxation.hpp (σ, hinge, softplus; the calibration and
// log-loss rows of penalties.hpp), evaluated in binary32 with
// math/branchless_f32.hpp. Each function is branch-free and splits into
// value() and slope(): the f32 kernel (penalty_kernel_f32.hpp) needs only the
// value in its first pass and only the slope in its second, and recomputing
// the slope is cheaper than storing and reloading it.
#pragma once

#include <bit>
#include <cstdint>
#include <string>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/math/branchless_f32.hpp>
#include <fairgate/objectives/relaxation.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace objectives {

// Which per-row function a penalty sums: a relaxation of 1[s >= 0], the
// calibration residual σ(s) − y, or the log-loss softplus(s) − y s.
enum class row_kind_f32 : std::uint8_t { sigmoid, hinge, softplus, calibration, log_loss };

namespace detail {
// σ pieces at x: e = e^{−|x|}, q = 1/(1 + e) = σ(|x|), p = σ(x).
struct sigmoid_parts_f32 {
  float e, q, p;
};
inline sigmoid_parts_f32 sigmoid_f32(float x) noexcept {
  const float a = std::bit_cast<float>(std::bit_cast<std::uint32_t>(x) & 0x7fffffffu);
  const float e = math::exp_neg_f32(a);
  const float q = 1.0f / (1.0f + e);
  const float eq = e * q;  // before the select, so the loop needs no speculation
  return {e, q, math::select_f32(std::bit_cast<std::int32_t>(x) >= 0, q, eq)};
}
// log(1 + e^x) = max(x, 0) + log1p(e^{−|x|}).
inline float softplus_f32(float x, float e_minus_abs) noexcept {
  const bool positive = std::bit_cast<std::int32_t>(x) > 0;
  return math::select_f32(positive, x, 0.0f) + math::log1p_unit_f32(e_minus_abs);
}
inline constexpr float inv_ln2_f32 = 1.44269504f;
}  // namespace detail

// The row function of kind K, a compile-time constant so the row loops
// vectorise: value(s, y) = f(s, y) and slope(s, y) = df/ds (y is 0 or 1).
template <row_kind_f32 K>
struct row_f32 {
  float inv_tau = 1.0f;  // 1/τ; 1 for calibration and log_loss

  [[nodiscard]] float value(float s, float y) const noexcept {
    const float x = s * inv_tau;
    if constexpr (K == row_kind_f32::hinge) {
      const float v = 1.0f + x;  // x > −1 ⇔ 1 + x > 0, exactly
      return math::select_f32(std::bit_cast<std::int32_t>(v) > 0, v, 0.0f);
    } else if constexpr (K == row_kind_f32::softplus) {
      return detail::softplus_f32(x, detail::sigmoid_f32(x).e) * detail::inv_ln2_f32;
    } else if constexpr (K == row_kind_f32::calibration) {
      return detail::sigmoid_f32(x).p - y;
    } else if constexpr (K == row_kind_f32::log_loss) {
      return detail::softplus_f32(x, detail::sigmoid_f32(x).e) - y * x;
    } else {
      return detail::sigmoid_f32(x).p;
    }
  }

  [[nodiscard]] float slope(float s, float y) const noexcept {
    const float x = s * inv_tau;
    if constexpr (K == row_kind_f32::hinge) {
      const float v = 1.0f + x;
      return math::select_f32(std::bit_cast<std::int32_t>(v) > 0, inv_tau, 0.0f);
    } else if constexpr (K == row_kind_f32::softplus) {
      return detail::sigmoid_f32(x).p * (inv_tau * detail::inv_ln2_f32);
    } else if constexpr (K == row_kind_f32::calibration) {
      const auto sp = detail::sigmoid_f32(x);
      return sp.e * sp.q * sp.q;  // σ(1 − σ) without the cancellation of 1 − σ
    } else if constexpr (K == row_kind_f32::log_loss) {
      return detail::sigmoid_f32(x).p - y;
    } else {
      const auto sp = detail::sigmoid_f32(x);
      return sp.e * sp.q * sp.q * inv_tau;
    }
  }
};

// A row function chosen at run time.
struct row_fn_f32 {
  row_kind_f32 kind = row_kind_f32::sigmoid;
  float inv_tau = 1.0f;
};

// Calls body(row_f32<K>{inv_tau}) with the kind as a compile-time constant.
template <class Body>
decltype(auto) with_row_f32(const row_fn_f32& f, Body&& body) {
  switch (f.kind) {
    case row_kind_f32::hinge:
      return body(row_f32<row_kind_f32::hinge>{f.inv_tau});
    case row_kind_f32::softplus:
      return body(row_f32<row_kind_f32::softplus>{f.inv_tau});
    case row_kind_f32::calibration:
      return body(row_f32<row_kind_f32::calibration>{f.inv_tau});
    case row_kind_f32::log_loss:
      return body(row_f32<row_kind_f32::log_loss>{f.inv_tau});
    case row_kind_f32::sigmoid:
      break;
  }
  return body(row_f32<row_kind_f32::sigmoid>{f.inv_tau});
}

// The f32 row function of a relaxation (validated: τ > 0 and finite).
inline row_fn_f32 relaxation_row_f32(const relaxation& r) {
  r.validate();
  const float inv_tau = static_cast<float>(1.0 / r.temperature);
  require(math::not_finite_f32(inv_tau) == 0 && inv_tau > 0.0f, errc::invalid_argument, [&] {
    return "relaxation temperature " + std::to_string(r.temperature) +
           " is too small for f32 scores (1/τ must be a finite float)";
  });
  switch (r.kind) {
    case relaxation_kind::hinge:
      return {row_kind_f32::hinge, inv_tau};
    case relaxation_kind::softplus:
      return {row_kind_f32::softplus, inv_tau};
    case relaxation_kind::sigmoid:
      break;
  }
  return {row_kind_f32::sigmoid, inv_tau};
}

}  // namespace objectives

FAIRGATE_END_NAMESPACE
