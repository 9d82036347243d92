// fairgate/objectives/rate_constraints.hpp: fairness as explicit rate constraints.
//
//   auto cs = objectives::parity_constraints(rate_kind::selection, n_groups, /*epsilon=*/0.01);
//   auto v = objectives::evaluate_constraints(inputs, cs, relax, multipliers, grad);
//   // v.proxy: relaxed (differentiable) violations; v.truth: the real 0/1 ones
//
// A constraint j reads   sign_j · (r_{g_j} − r) − ε_j ≤ 0,
// where r_g is group g's rate (selection, TPR, FPR or error), r the overall
// rate and sign ±1. parity_constraints() emits both signs for every group, as
// Fairlearn's UtilityParity moments (DemographicParity, TruePositiveRateParity,
// FalsePositiveRateParity, ErrorRateParity; EqualizedOdds = TPR + FPR) do:
// the group-vs-overall form, not max − min (fairlearn#460).
//
// For each batch this computes, in one place, both the relaxed value of every
// constraint (what the model can follow) and its true 0/1 value (what is
// actually promised), and writes Σ_j λ_j ∂proxy_j/∂s_i into a gradient span.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/objectives/group_mean_penalty.hpp>
#include <fairgate/objectives/penalty_inputs.hpp>
#include <fairgate/objectives/relaxation.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace objectives {

enum class rate_kind : std::uint8_t {
  selection,  // P(ŷ = 1 | g)
  tpr,        // P(ŷ = 1 | g, y = 1)
  fpr,        // P(ŷ = 1 | g, y = 0)
  error,      // P(ŷ ≠ y | g)
};

constexpr const char* rate_kind_name(rate_kind r) noexcept {
  switch (r) {
    case rate_kind::selection:
      return "selection_rate";
    case rate_kind::tpr:
      return "tpr";
    case rate_kind::fpr:
      return "fpr";
    case rate_kind::error:
      return "error_rate";
  }
  return "?";
}

struct rate_constraint {
  rate_kind rate = rate_kind::selection;
  std::uint32_t group = 0;
  int sign = +1;  // +1: r_g − r ≤ ε;  −1: r − r_g ≤ ε
  double epsilon = 0.0;

  [[nodiscard]] std::string name() const {
    return std::string(rate_kind_name(rate)) + (sign > 0 ? "[g" : "[-g") + std::to_string(group) +
           "] <= overall + " + std::to_string(epsilon);
  }
};

// Both signs for every group, groups in order: 2 · n_groups constraints.
inline std::vector<rate_constraint> parity_constraints(rate_kind rate, std::uint32_t n_groups,
                                                       double epsilon) {
  require(epsilon >= 0.0, errc::invalid_argument, "constraint epsilon must be >= 0");
  std::vector<rate_constraint> out;
  for (std::uint32_t g = 0; g < n_groups; ++g) {
    out.push_back({rate, g, +1, epsilon});
    out.push_back({rate, g, -1, epsilon});
  }
  return out;
}

struct constraint_values {
  std::vector<double> proxy;  // relaxed violations (≤ 0 means satisfied)
  std::vector<double> truth;  // 0/1-rate violations
};

namespace detail {

constexpr row_subset subset_of(rate_kind r) noexcept {
  switch (r) {
    case rate_kind::tpr:
      return row_subset::positives;
    case rate_kind::fpr:
      return row_subset::negatives;
    default:
      return row_subset::all;
  }
}

// Per-row f and f' for a rate: relaxed (soft) or hard (0/1, slope 0).
inline auto rate_row_fn(rate_kind r, const relaxation& relax, bool hard) {
  return [r, relax, hard](double s, std::uint8_t y) {
    const double v = hard ? (s >= 0.0 ? 1.0 : 0.0) : relax.value(s);
    const double dv = hard ? 0.0 : relax.derivative(s);
    if (r == rate_kind::error) {
      // ŷ ≠ y: y = 1 errs with 1 − ŷ, y = 0 errs with ŷ.
      return y ? std::pair{1.0 - v, -dv} : std::pair{v, dv};
    }
    return std::pair{v, dv};
  };
}

}  // namespace detail

// Evaluates every constraint on this batch. If `multipliers` is non-empty it
// must have one λ_j per constraint, and `gradient` receives
// Σ_j λ_j ∂proxy_j/∂s_i (overwritten). Constraints on groups without rows in
// the rate's subset evaluate to −ε (nothing to violate) with no gradient.
template <class Score>
constraint_values evaluate_constraints(const penalty_inputs<Score>& in,
                                       std::span<const rate_constraint> constraints,
                                       const relaxation& relax, std::span<const double> multipliers,
                                       std::span<double> gradient) {
  validate(in, gradient.size());
  relax.validate();
  require(multipliers.empty() || multipliers.size() == constraints.size(), errc::length_mismatch,
          "multipliers must be empty or one per constraint");
  for (const auto& c : constraints) {
    require(c.group < in.n_groups, errc::out_of_range,
            [&] { return "constraint on group " + std::to_string(c.group) + " >= n_groups"; });
    require(c.sign == 1 || c.sign == -1, errc::invalid_argument,
            "constraint sign must be +1 or -1");
  }
  constraint_values out;
  out.proxy.assign(constraints.size(), 0.0);
  out.truth.assign(constraints.size(), 0.0);
  std::fill(gradient.begin(), gradient.end(), 0.0);
  std::vector<double> slope(in.scores.size()), unused(in.scores.size());

  for (auto rate : {rate_kind::selection, rate_kind::tpr, rate_kind::fpr, rate_kind::error}) {
    bool used = false;
    for (const auto& c : constraints) used = used || c.rate == rate;
    if (!used) continue;
    const row_subset subset = detail::subset_of(rate);
    const group_means soft =
        compute_group_means(in, subset, detail::rate_row_fn(rate, relax, false), slope);
    const group_means hard =
        compute_group_means(in, subset, detail::rate_row_fn(rate, relax, true), unused);
    for (std::size_t j = 0; j < constraints.size(); ++j) {
      const auto& c = constraints[j];
      if (c.rate != rate) continue;
      if (!soft.defined[c.group]) {
        out.proxy[j] = out.truth[j] = -c.epsilon;
        continue;
      }
      const double sgn = static_cast<double>(c.sign);
      out.proxy[j] = sgn * (soft.mean[c.group] - soft.overall) - c.epsilon;
      out.truth[j] = sgn * (hard.mean[c.group] - hard.overall) - c.epsilon;
      if (multipliers.empty() || multipliers[j] == 0.0) continue;
      gap_value partials;
      partials.d_group.assign(in.n_groups, 0.0);
      partials.d_group[c.group] = sgn;
      partials.d_overall = -sgn;
      accumulate_gradient(in, subset, soft, partials, multipliers[j], slope, gradient);
    }
  }
  return out;
}

}  // namespace objectives

FAIRGATE_END_NAMESPACE
