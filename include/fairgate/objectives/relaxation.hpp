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
// All use fairgate::math::exp/log, so values and gradients are bit-identical
// on every target.
#pragma once

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
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

struct relaxation {
  relaxation_kind kind = relaxation_kind::sigmoid;
  double temperature = 1.0;  // τ > 0: smaller is closer to the indicator

  void validate() const {
    require(temperature > 0.0 && temperature < 1e300, errc::invalid_argument, [&] {
      return "relaxation temperature must be positive and finite, got " +
             std::to_string(temperature);
    });
  }

  [[nodiscard]] double value(double s) const noexcept {
    const double x = s / temperature;
    switch (kind) {
      case relaxation_kind::sigmoid:
        return stable_sigmoid(x);
      case relaxation_kind::hinge:
        return x > -1.0 ? 1.0 + x : 0.0;
      case relaxation_kind::softplus:
        return stable_softplus(x) / ln2;
    }
    return 0.0;
  }

  // d value / d s.
  [[nodiscard]] double derivative(double s) const noexcept {
    const double x = s / temperature;
    switch (kind) {
      case relaxation_kind::sigmoid: {
        const double p = stable_sigmoid(x);
        return p * (1.0 - p) / temperature;
      }
      case relaxation_kind::hinge:
        return x > -1.0 ? 1.0 / temperature : 0.0;
      case relaxation_kind::softplus:
        return stable_sigmoid(x) / (ln2 * temperature);
    }
    return 0.0;
  }

 private:
  static constexpr double ln2 = 0.693147180559945309417232121458176568;
};

}  // namespace objectives

FAIRGATE_END_NAMESPACE
