// fairgate/objectives/proxy_lagrangian.hpp: the proxy-Lagrangian λ-player
// with swap-regret updates, as TFCO's ProxyLagrangianOptimizer does it.
//
//   objectives::proxy_lagrangian player(constraints.size(), {.learning_rate = 0.5});
//   for each batch:
//     auto v = evaluate_constraints(in, constraints, relax, player.constraint_weights(), grad);
//     // θ-step on  p_0 · loss + Σ_j p_j · proxy_j   (grad holds Σ_j p_j ∂proxy_j/∂s;
//     //                                               scale the loss gradient by p_0)
//     player.update(v);   // reads v.truth: the ORIGINAL 0/1 violations
//
// Cotter, Jiang & Sridharan, "Two-Player Games for Efficient Non-Convex
// Constrained Optimization", ALT 2019 (Definition 2, Algorithm 2; TFCO's
// `ProxyLagrangianOptimizer`, regret_type="swap"). The weights are not
// Lagrange multipliers in [0, ∞) but a distribution p over the objective and
// the m constraints (p_0 weighs the objective). The λ-player keeps a
// left-stochastic (m+1)×(m+1) matrix M (columns sum to 1); p is M's
// stationary distribution (M p = p, the Perron eigenvector), and after each
// round M moves along the gradient G = g pᵀ, where g = (0, c_1, …, c_m) are
// the TRUE constraint violations (the proxy-Lagrangian's point: the model
// follows a smooth surrogate while the λ-player reacts to what is promised):
//   multiplicative (TFCO's default): log M ← log M + η G, then each column
//     renormalised in log space, every entry clamped to at least
//     log(r_min / (m+1)) (TFCO's minimum_multiplier_radius, default 1e-3),
//     and the column renormalised once more (TFCO leaves it summing to a
//     little over 1 after the clamp; fairgate keeps M exactly stochastic);
//   additive: M ← M + η G, then each column projected onto the simplex in
//     Euclidean norm (Duchi et al. 2008's sort-based projection).
// Initial state (as TFCO): every column is (1 − r_0 m/(m+1), r_0/(m+1), …),
// r_0 = initial_multiplier_radius (default r_min for multiplicative, 0 for
// additive).
//
// Determinism: exp/log are fairgate::math's; the stationary distribution is
// found by a FIXED number of power-iteration steps (v ← M v / Σ(M v), from the
// uniform vector), where TFCO stops at a tolerance; all sums run in index order.
// The saved iterates can then be chosen among with find_best_candidate_index
// (lagrangian.hpp), as TFCO's find_best_candidate_index does.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/math/deterministic.hpp>
#include <fairgate/objectives/rate_constraints.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace objectives {

enum class swap_update { multiplicative, additive };

struct proxy_lagrangian_options {
  double learning_rate = 0.1;  // η > 0 of the λ-player
  swap_update update = swap_update::multiplicative;
  double minimum_multiplier_radius = 1e-3;  // multiplicative only, in (0, 1)
  double initial_multiplier_radius = -1.0;  // < 0: r_min (multiplicative) or 0 (additive)
  std::size_t power_iterations = 200;       // fixed, so every target does the same work
};

// The stationary distribution of a left-stochastic n×n matrix (column-major:
// M(i, j) = m[j * n + i]) by `steps` power iterations from the uniform vector,
// on the lazy chain (M + I)/2: it has the same stationary distribution, but
// no eigenvalue on the unit circle other than 1, so a periodic M (which the
// additive update can produce, e.g. M = [[0,1],[1,0]]) still converges; the
// error shrinks by (1 + |λ_2|)/2 per step.
inline std::vector<double> stationary_distribution(std::span<const double> m, std::size_t n,
                                                   std::size_t steps) {
  require(n > 0 && m.size() == n * n, errc::length_mismatch,
          "stationary_distribution: the matrix must be n×n");
  std::vector<double> v(n, 1.0 / static_cast<double>(n)), next(n);
  for (std::size_t s = 0; s < steps; ++s) {
    for (std::size_t i = 0; i < n; ++i) next[i] = v[i];
    for (std::size_t j = 0; j < n; ++j) {
      for (std::size_t i = 0; i < n; ++i) next[i] += m[j * n + i] * v[j];
    }
    double total = 0.0;
    for (double x : next) total += x;
    for (std::size_t i = 0; i < n; ++i) v[i] = next[i] / total;
  }
  return v;
}

namespace detail {
// Euclidean projection of x onto the probability simplex (Duchi, Shalev-Shwartz,
// Singer & Chandra 2008): sort descending, find the largest k with
// u_k − (Σ_{i≤k} u_i − 1)/k > 0, subtract that threshold and clamp at 0.
inline void project_onto_simplex(std::span<double> x) {
  std::vector<double> u(x.begin(), x.end());
  std::sort(u.begin(), u.end(), std::greater<>());
  double cumulative = 0.0, theta = 0.0;
  for (std::size_t k = 0; k < u.size(); ++k) {
    cumulative += u[k];
    const double t = (cumulative - 1.0) / static_cast<double>(k + 1);
    if (u[k] - t > 0.0) theta = t;
  }
  for (double& v : x) v = std::max(0.0, v - theta);
}
}  // namespace detail

class proxy_lagrangian {
 public:
  explicit proxy_lagrangian(std::size_t n_constraints, const proxy_lagrangian_options& opt = {})
      : opt_(opt), n_(n_constraints + 1) {
    require(opt.learning_rate > 0.0 && std::isfinite(opt.learning_rate), errc::invalid_argument,
            "proxy_lagrangian: learning_rate must be positive and finite");
    require(opt.power_iterations >= 1, errc::invalid_argument,
            "proxy_lagrangian: power_iterations must be at least 1");
    double r0 = opt.initial_multiplier_radius;
    if (opt.update == swap_update::multiplicative) {
      require(opt.minimum_multiplier_radius > 0.0 && opt.minimum_multiplier_radius < 1.0,
              errc::invalid_argument,
              "proxy_lagrangian: minimum_multiplier_radius must be in (0, 1)");
      if (r0 < 0.0) r0 = opt.minimum_multiplier_radius;
      require(r0 >= opt.minimum_multiplier_radius && r0 <= 1.0, errc::invalid_argument,
              "proxy_lagrangian: initial_multiplier_radius must be in [minimum radius, 1]");
    } else {
      if (r0 < 0.0) r0 = 0.0;
      require(r0 <= 1.0, errc::invalid_argument,
              "proxy_lagrangian: initial_multiplier_radius must be in [0, 1]");
    }
    const double dim = static_cast<double>(n_);
    const double one = 1.0 - r0 * (dim - 1.0) / dim, zero = r0 / dim;
    matrix_.assign(n_ * n_, zero);
    for (std::size_t j = 0; j < n_; ++j) matrix_[j * n_] = one;
    refresh();
  }

  // p = (p_0, p_1, …, p_m): a probability vector, M p = p.
  [[nodiscard]] std::span<const double> distribution() const noexcept { return p_; }
  [[nodiscard]] double objective_weight() const noexcept { return p_[0]; }
  // (p_1, …, p_m): pass as evaluate_constraints' multipliers. The spans stay
  // valid for the player's lifetime and always show the current weights.
  [[nodiscard]] std::span<const double> constraint_weights() const noexcept {
    return std::span<const double>(p_).subspan(1);
  }
  // The left-stochastic matrix, column-major: M(i, j) = matrix()[j * (m+1) + i].
  [[nodiscard]] std::span<const double> matrix() const noexcept { return matrix_; }
  [[nodiscard]] std::size_t dimension() const noexcept { return n_; }

  // One λ-round with the true 0/1 violations of this batch (v.truth).
  void update(const constraint_values& v) { update(std::span<const double>(v.truth)); }

  void update(std::span<const double> violations) {
    require(violations.size() + 1 == n_, errc::length_mismatch, [&] {
      return "proxy_lagrangian: got " + std::to_string(violations.size()) + " violations for " +
             std::to_string(n_ - 1) + " constraints";
    });
    for (std::size_t j = 0; j < violations.size(); ++j) {
      require(std::isfinite(violations[j]), errc::invalid_value, [&] {
        return "proxy_lagrangian: violations[" + std::to_string(j) + "] is not finite";
      });
    }
    // G(i, j) = g_i p_j with g_0 = 0 (the objective's row does not move).
    const double eta = opt_.learning_rate;
    if (opt_.update == swap_update::multiplicative) {
      const double floor_log = math::log(opt_.minimum_multiplier_radius / static_cast<double>(n_));
      std::vector<double> col(n_);
      for (std::size_t j = 0; j < n_; ++j) {
        for (std::size_t i = 0; i < n_; ++i) {
          const double g = i == 0 ? 0.0 : violations[i - 1];
          col[i] = math::log(matrix_[j * n_ + i]) + eta * g * p_[j];
        }
        double mx = col[0];
        for (double x : col) mx = std::max(mx, x);
        double total = 0.0;
        for (double& x : col) {
          x -= mx;
          total += math::exp(x);
        }
        const double log_total = math::log(total);
        double clamped_total = 0.0;
        for (std::size_t i = 0; i < n_; ++i) {
          const double e = math::exp(std::max(col[i] - log_total, floor_log));
          matrix_[j * n_ + i] = e;
          clamped_total += e;
        }
        // The clamp can push the column sum slightly above 1 (TFCO leaves it
        // so); renormalising keeps M exactly left-stochastic, so M p = p.
        for (std::size_t i = 0; i < n_; ++i) matrix_[j * n_ + i] /= clamped_total;
      }
    } else {
      for (std::size_t j = 0; j < n_; ++j) {
        for (std::size_t i = 1; i < n_; ++i) matrix_[j * n_ + i] += eta * violations[i - 1] * p_[j];
        detail::project_onto_simplex(std::span<double>(matrix_).subspan(j * n_, n_));
      }
    }
    refresh();
  }

 private:
  // Overwrites p_ in place, so spans from distribution() / constraint_weights()
  // stay valid (and see the new values) across updates.
  void refresh() {
    const auto v = stationary_distribution(matrix_, n_, opt_.power_iterations);
    p_.resize(n_);
    std::copy(v.begin(), v.end(), p_.begin());
  }

  proxy_lagrangian_options opt_;
  std::size_t n_;
  std::vector<double> matrix_;  // column-major, left-stochastic
  std::vector<double> p_;
};

}  // namespace objectives

FAIRGATE_END_NAMESPACE
