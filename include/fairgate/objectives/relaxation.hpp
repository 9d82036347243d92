// fairgate/objectives/relaxation.hpp: smooth stand-ins for the 0/1 prediction.
//
//   objectives::relaxation r{objectives::relaxation_kind::sigmoid, /*temperature=*/0.5};
//   double soft = r.value(logit);       // ~ 1[logit >= 0]
//   double slope = r.derivative(logit);
//
// A rate such as "fraction predicted positive" is a mean of 1[s >= 0], whose
// gradient is zero almost everywhere. Penalties replace the indicator by a
// relaxation (as TFCO's rate helpers and Fairlearn's reductions literature do):
//   sigmoid   σ(s/τ)                 smooth, in (0,1), → indicator as τ → 0
//   hinge     max(0, 1 + s/τ)        convex upper bound of 1[s >= 0] (TFCO's default)
//   softplus  log(1 + e^{s/τ}) / log 2   smooth convex upper bound, equal to 1 at s = 0
// All are branch-free (math/branchless.hpp), so a row loop over them
// vectorises, and values and gradients are bit-identical on every target.
// x = s · (1/τ): one division per call, none per row in the penalties.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/math/branchless.hpp>
#include <fairgate/math/deterministic.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace objectives {

enum class relaxation_kind { sigmoid, hinge, softplus };

// σ(x) computed without overflow for large |x|.
inline double stable_sigmoid(double x) noexcept {
  if (x >= 0.0) {
    const double e = math::exp(-x);
    return 1.0 / (1.0 + e);
  }
  const double e = math::exp(x);
  return e / (1.0 + e);
}

// log(1 + e^x) without overflow: x + log(1 + e^{-x}) for x > 0.
inline double stable_softplus(double x) noexcept {
  if (x > 0.0) return x + math::log1p(math::exp(-x));
  return math::log1p(math::exp(x));
}

// Branch-free σ(x) and its pieces, shared by the relaxations and the
// penalties' vectorised row loops (math/branchless.hpp explains why):
//   e = e^{−|x|} in (0, 1],  q = 1/(1 + e) = σ(|x|),
//   σ(x) = q for x >= 0 and e·q for x < 0,  σ(x)(1 − σ(x)) = e·q² (no cancellation).
struct sigmoid_parts {
  double e, q, p;  // e^{−|x|}, σ(|x|), σ(x)
};
inline sigmoid_parts sigmoid_branchless(double x) noexcept {
  const double a = std::fabs(x);
  const double e = math::exp_branchless(-a);
  const double q = 1.0 / (1.0 + e);
  const double eq = e * q;  // computed before the select, so the loop needs no speculation
  return {e, q, math::select(math::sign_clear(x), q, eq)};
}

// log(1 + e^x) = max(x, 0) + log1p(e^{−|x|}), branch-free.
inline double softplus_branchless(double x, double e_minus_abs) noexcept {
  const bool positive = std::bit_cast<std::int64_t>(x) > 0;
  return math::select(positive, x, 0.0) + math::log1p_unit(e_minus_abs);
}

struct relaxation {
  relaxation_kind kind = relaxation_kind::sigmoid;
  double temperature = 1.0;  // τ > 0: smaller is closer to the indicator

  void validate() const {
    require(temperature > 0.0 && temperature < 1e300, errc::invalid_argument, [&] {
      return "relaxation temperature must be positive and finite, got " +
             std::to_string(temperature);
    });
  }

  // The value and slope at s, with x = s · (1/τ). Branch-free and inlinable,
  // so the penalties' row loops vectorise; value() and derivative() return
  // the same bits as this.
  struct point {
    double value, slope;
  };
  [[nodiscard]] point at(double s) const noexcept {
    const double inv_tau = 1.0 / temperature;
    switch (kind) {
      case relaxation_kind::sigmoid:
        return sigmoid_at(s * inv_tau, inv_tau);
      case relaxation_kind::hinge:
        return hinge_at(s * inv_tau, inv_tau);
      case relaxation_kind::softplus:
        return softplus_at(s * inv_tau, inv_tau * inv_ln2);
    }
    return {0.0, 0.0};
  }
  [[nodiscard]] double value(double s) const noexcept { return at(s).value; }
  // d value / d s.
  [[nodiscard]] double derivative(double s) const noexcept { return at(s).slope; }

  // The kernels behind at(), for a loop that hoists the switch and 1/τ:
  //   sigmoid   v = σ(x),                    v' = e q² / τ
  //   hinge     v = max(0, 1 + x),           v' = 1/τ for x > −1, else 0
  //   softplus  v = softplus(x) / log 2,     v' = σ(x) / (τ log 2)
  // (`slope_scale` is 1/τ, or 1/(τ log 2) for softplus.)
  static point sigmoid_at(double x, double slope_scale) noexcept {
    const sigmoid_parts sp = sigmoid_branchless(x);
    return {sp.p, sp.e * sp.q * sp.q * slope_scale};
  }
  static point hinge_at(double x, double slope_scale) noexcept {
    const double v = 1.0 + x;
    const bool on = std::bit_cast<std::int64_t>(v) > 0;  // x > −1 ⇔ 1 + x > 0, exactly
    return {math::select(on, v, 0.0), math::select(on, slope_scale, 0.0)};
  }
  static point softplus_at(double x, double slope_scale) noexcept {
    const sigmoid_parts sp = sigmoid_branchless(x);
    return {softplus_branchless(x, sp.e) * inv_ln2, sp.p * slope_scale};
  }

  static constexpr double inv_ln2 = 1.44269504088896340735992468100189214;
};

}  // namespace objectives

FAIRGATE_END_NAMESPACE
