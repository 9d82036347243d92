// fairgate/objectives/lagrangian.hpp: Lagrange multipliers for rate constraints,
// and choosing the final model among saved iterates.
//
//   objectives::multipliers lambda(constraints.size(), multiplier_update::proxy_lagrangian, 0.05);
//   for each batch:
//     auto v = evaluate_constraints(in, constraints, relax, lambda.values(), grad);
//     // θ-step on  loss + Σ_j λ_j proxy_j   (grad holds Σ_j λ_j ∂proxy_j/∂s)
//     lambda.update(v);
//
// The θ-player always descends the relaxed ("proxy") Lagrangian. The λ-player
// does projected gradient ascent, λ_j ← clamp(λ_j + η · c_j, 0, λ_max), where
// c_j is
//   - the relaxed violation (plain Lagrangian), or
//   - the TRUE 0/1 violation (proxy-Lagrangian, Cotter, Jiang & Sridharan,
//     "Two-Player Games for Efficient Non-Convex Constrained Optimization",
//     ALT 2019): the multipliers react to what is actually promised, while the
//     model follows a differentiable surrogate.
// This is the additive external-regret λ-update (TFCO's
// AdditiveExternalRegretOptimizer in spirit). TFCO's ProxyLagrangianOptimizer
// proper, with the swap-regret stochastic-matrix λ-player, is
// proxy_lagrangian.hpp.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/objectives/rate_constraints.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace objectives {

enum class multiplier_update { lagrangian, proxy_lagrangian };

class multipliers {
 public:
  multipliers(std::size_t count, multiplier_update rule, double learning_rate,
              double max_value = std::numeric_limits<double>::infinity())
      : values_(count, 0.0), rule_(rule), eta_(learning_rate), max_(max_value) {
    require(learning_rate > 0.0 && std::isfinite(learning_rate), errc::invalid_argument,
            "multiplier learning rate must be positive and finite");
    require(max_value > 0.0, errc::invalid_argument, "multiplier bound must be positive");
  }

  [[nodiscard]] std::span<const double> values() const noexcept { return values_; }
  [[nodiscard]] multiplier_update rule() const noexcept { return rule_; }

  void update(const constraint_values& v) {
    const auto& c = rule_ == multiplier_update::lagrangian ? v.proxy : v.truth;
    require(c.size() == values_.size(), errc::length_mismatch,
            "constraint values do not match the number of multipliers");
    for (std::size_t j = 0; j < values_.size(); ++j) {
      values_[j] = std::clamp(values_[j] + eta_ * c[j], 0.0, max_);
    }
  }

 private:
  std::vector<double> values_;
  multiplier_update rule_;
  double eta_;
  double max_;
};

namespace detail {
// scipy.stats.rankdata(method="average"): 1-based ranks, ties share their mean rank.
inline std::vector<double> average_ranks(std::span<const double> x) {
  std::vector<std::size_t> order(x.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
  std::vector<double> rank(x.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && x[order[j + 1]] == x[order[i]]) ++j;
    const double r = 0.5 * static_cast<double>(i + j) + 1.0;
    for (std::size_t k = i; k <= j; ++k) rank[order[k]] = r;
    i = j + 1;
  }
  return rank;
}
}  // namespace detail

// TFCO's find_best_candidate_index heuristic (Cotter et al. 2019, §5.2):
// rank each constraint's violations max(0, g_j) across candidates (average
// ranks for ties, so all feasible candidates tie), optionally rank the
// objective too; each candidate gets its MAXIMUM rank; the minimum wins, ties
// broken by the objective value, then by the lower index.
// `violations` is m × n, row-major: violations[j * n + i] = g_j(candidate i).
inline std::size_t find_best_candidate_index(std::span<const double> objective,
                                             std::span<const double> violations,
                                             std::size_t n_constraints,
                                             bool rank_objectives = false) {
  const std::size_t n = objective.size();
  require(n > 0, errc::empty_input, "find_best_candidate_index needs at least one candidate");
  require(violations.size() == n_constraints * n, errc::length_mismatch,
          "violations must hold n_constraints × n_candidates values");
  std::vector<double> max_rank(n, 0.0);
  if (rank_objectives) max_rank = detail::average_ranks(objective);
  std::vector<double> row(n);
  for (std::size_t j = 0; j < n_constraints; ++j) {
    for (std::size_t i = 0; i < n; ++i) row[i] = std::max(0.0, violations[j * n + i]);
    const auto r = detail::average_ranks(row);
    for (std::size_t i = 0; i < n; ++i) max_rank[i] = std::max(max_rank[i], r[i]);
  }
  std::size_t best = 0;
  for (std::size_t i = 1; i < n; ++i) {
    if (max_rank[i] < max_rank[best] ||
        (max_rank[i] == max_rank[best] && objective[i] < objective[best])) {
      best = i;
    }
  }
  return best;
}

}  // namespace objectives

FAIRGATE_END_NAMESPACE
