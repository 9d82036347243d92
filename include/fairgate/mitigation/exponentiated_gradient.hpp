// fairgate/mitigation/exponentiated_gradient.hpp: the reductions approach of
// Agarwal, Beygelzimer, Dudík, Langford & Wallach, "A Reductions Approach to
// Fair Classification", ICML 2018 — as fairlearn's ExponentiatedGradient.
//
//   mitigation::eg_moment dp{mitigation::eg_moment_kind::demographic_parity, /*eps=*/0.01};
//   auto result = mitigation::exponentiated_gradient(labels, groups, n_groups, dp, learner, {});
//   auto y_hat = mitigation::predict_ensemble(result, per_classifier_predictions, seed);
//
// The host supplies a weighted learner: fit(labels', weights') trains a
// classifier on the training rows and returns an id; predict_train(id) gives
// its 0/1 predictions on those rows. Each iteration t:
//   λ = B · e^θ / (1 + Σ e^θ),  B = 1/eps
//   h_t = best response to λ: a learner call on the cost-sensitive reduction
//         (label 1 iff the signed weight > 0, weight n·|sw| / Σ|sw|)
//   Q = the empirical distribution of h_1..h_t;  gap = duality gap of (Q, mean λ),
//       its Lagrangian values taken at the projected λ (fairlearn's project_lambda)
//   θ += η · (γ(h_t) − eps)
// stopping when the gap < ν after at least 5 iterations; η shrinks by 0.8
// when the best gap stops improving by 20% (fairlearn's constants). The
// result is the Q with the smallest gap (the latest among ties within 1e-8).
//
// LP step (fairlearn's run_linprog_step, on by default as there): after each
// iteration t >= 1, whenever a classifier was added, the LP of
// `_Lagrangian.solve_linprog` picks the best mixture of ALL classifiers found
// (min error + B · max violation) and its dual gives λ; that mixture is kept
// for the iteration when its duality gap is not larger than the EG average's
// (linear_program.hpp solves both LPs: dense simplex, Bland's rule).
//
// Differences from fairlearn 0.12, documented: (1) no sample weights; (2)
// predict draws its randomness from a keyed stream, never a global RNG
// (fairlearn#1261); (3) exp() is fairgate::math::exp; (4) the LPs are solved
// by fairgate's simplex, not HiGHS: the optimum is the same (checked against
// scipy.optimize.linprog), a degenerate LP may return another optimal vertex.
//
// Moments (group-vs-overall, both signs per group, as fairlearn's):
//   demographic_parity          E[h | g] − E[h]                   ≤ eps
//   true_positive_rate_parity   E[h | g, y=1] − E[h | y=1]        ≤ eps
//   false_positive_rate_parity  E[h | g, y=0] − E[h | y=0]        ≤ eps
//   equalized_odds              both of the above
//   error_rate_parity           E[h≠y | g] − E[h≠y]               ≤ eps
//   bounded_group_loss          E[h≠y | g]                        ≤ eps (one sign; eps = the loss
//   bound ζ)
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/math/deterministic.hpp>
#include <fairgate/mitigation/linear_program.hpp>
#include <fairgate/rng/stream.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace mitigation {

enum class eg_moment_kind {
  demographic_parity,
  true_positive_rate_parity,
  false_positive_rate_parity,
  equalized_odds,
  error_rate_parity,
  bounded_group_loss,
};

struct eg_moment {
  eg_moment_kind kind = eg_moment_kind::demographic_parity;
  double eps = 0.01;  // allowed violation (for bounded_group_loss: the loss bound)
};

struct eg_options {
  std::size_t max_iter = 50;
  double nu = -1.0;   // convergence threshold for the gap; < 0: fairlearn's automatic setting
  double eta0 = 2.0;  // initial learning rate multiplier: η = eta0 / B
  // fairlearn's run_linprog_step (default True there too): after each
  // iteration, also solve the LP over all classifiers found and keep its
  // mixture when its duality gap is not larger than the EG average's.
  bool run_linprog_step = true;
};

struct eg_learner {
  std::function<std::size_t(std::span<const std::uint8_t> labels, std::span<const double> weights)>
      fit;
  std::function<std::vector<std::uint8_t>(std::size_t id)> predict_train;
};

struct eg_result {
  std::vector<std::size_t> classifier_ids;  // distinct classifiers found, in order
  std::vector<double> weights;              // Q: probability of each classifier
  double best_gap = 0.0;
  std::size_t best_iteration = 0;
  std::size_t iterations = 0;
  std::size_t oracle_calls = 0;
  double nu = 0.0;
  std::vector<double> gaps;           // per iteration: the kept Q's gap
  std::vector<double> gaps_eg;        // per iteration: the EG average's gap
  std::vector<std::uint8_t> from_lp;  // per iteration: 1 if the LP's Q was kept
  std::size_t lp_solves = 0;          // LPs solved (once per new classifier set)
  [[nodiscard]] bool best_from_lp() const { return !from_lp.empty() && from_lp[best_iteration]; }
};

namespace detail {

// One constraint: sign · (E[u | event, group] − E[u | event]) ≤ eps, where u is
// h (parity of selection) or h ≠ y (error parity); bounded loss drops the
// overall term.
struct eg_constraint {
  int event;  // −1: all rows; 0 / 1: rows with that label
  std::uint32_t group;
  int sign;
};

class eg_lagrangian {
 public:
  eg_lagrangian(std::span<const std::uint8_t> y, std::span<const std::uint32_t> g,
                std::uint32_t n_groups, eg_moment m)
      : y_(y), g_(g), n_groups_(n_groups), m_(m), n_(static_cast<double>(y.size())) {
    std::vector<int> events;
    switch (m.kind) {
      case eg_moment_kind::true_positive_rate_parity:
        events = {1};
        break;
      case eg_moment_kind::false_positive_rate_parity:
        events = {0};
        break;
      case eg_moment_kind::equalized_odds:
        events = {0, 1};
        break;
      default:
        events = {-1};
        break;
    }
    count_e_.assign(3, 0.0);
    count_eg_.assign(3 * n_groups, 0.0);
    for (std::size_t i = 0; i < y.size(); ++i) {
      for (int e : events) {
        if (in_event(e, i)) {
          count_e_[idx(e)] += 1.0;
          count_eg_[idx(e) * n_groups + g[i]] += 1.0;
        }
      }
    }
    for (int e : events) {
      for (std::uint32_t grp = 0; grp < n_groups; ++grp) {
        require(count_eg_[idx(e) * n_groups + grp] > 0.0, errc::empty_input, [&] {
          return "group " + std::to_string(grp) + " has no rows" +
                 (e < 0 ? std::string() : " with label " + std::to_string(e)) +
                 ": its constraint is undefined";
        });
        constraints_.push_back({e, grp, +1});
        if (m.kind != eg_moment_kind::bounded_group_loss) constraints_.push_back({e, grp, -1});
      }
    }
  }

  [[nodiscard]] std::size_t size() const noexcept { return constraints_.size(); }
  [[nodiscard]] double eps() const noexcept { return m_.eps; }

  // fairlearn's UtilityParity.project_lambda (difference bounds): the + and −
  // multipliers of one (event, group) are netted, λ⁺' = max(λ⁺ − λ⁻, 0) and
  // λ⁻' = max(λ⁻ − λ⁺, 0). Since γ⁻ = −γ⁺, Σ λ γ is unchanged while eps · Σ λ
  // shrinks, so the Lagrangian can only grow: the projected λ is the better
  // λ-player response along that direction. Bounded group loss has one sign
  // per group and is returned as is (fairlearn's BoundedGroupLoss does the same).
  [[nodiscard]] std::vector<double> project(std::span<const double> lambda) const {
    std::vector<double> out(lambda.begin(), lambda.end());
    if (m_.kind == eg_moment_kind::bounded_group_loss) return out;
    for (std::size_t j = 0; j + 1 < constraints_.size(); j += 2) {
      // constraints_ holds (+, −) pairs of the same (event, group), in that order.
      const double d = lambda[j] - lambda[j + 1];
      out[j] = d > 0.0 ? d : 0.0;
      out[j + 1] = d < 0.0 ? -d : 0.0;
    }
    return out;
  }

  // fairlearn's _Lagrangian._eval (opt_lambda = True): the Lagrangian
  // L = err + Σ_j project(λ)_j (γ_j − eps) of a (mixed) classifier with error
  // err and constraint values γ.
  [[nodiscard]] double lagrangian(double err, std::span<const double> gamma,
                                  std::span<const double> lambda) const {
    const auto lp = project(lambda);
    double v = err;
    for (std::size_t j = 0; j < constraints_.size(); ++j) v += lp[j] * (gamma[j] - m_.eps);
    return v;
  }

  [[nodiscard]] double error(std::span<const double> h) const {
    double e = 0.0;
    for (std::size_t i = 0; i < y_.size(); ++i) e += y_[i] ? 1.0 - h[i] : h[i];
    return e / n_;
  }

  // γ_j(h) for randomized predictions h_i = P(ŷ_i = 1).
  [[nodiscard]] std::vector<double> gamma(std::span<const double> h) const {
    std::vector<double> sum_e(3, 0.0), sum_eg(3 * n_groups_, 0.0);
    for (std::size_t i = 0; i < y_.size(); ++i) {
      const double u = utility(i, h[i]);
      for (int e : {-1, 0, 1}) {
        if (!in_event(e, i) || count_e_[idx(e)] == 0.0) continue;
        sum_e[idx(e)] += u;
        sum_eg[idx(e) * n_groups_ + g_[i]] += u;
      }
    }
    std::vector<double> out(constraints_.size());
    for (std::size_t j = 0; j < constraints_.size(); ++j) {
      const auto& c = constraints_[j];
      const double group_mean = sum_eg[idx(c.event) * n_groups_ + c.group] /
                                count_eg_[idx(c.event) * n_groups_ + c.group];
      const double overall = m_.kind == eg_moment_kind::bounded_group_loss
                                 ? 0.0
                                 : sum_e[idx(c.event)] / count_e_[idx(c.event)];
      out[j] = static_cast<double>(c.sign) * (group_mean - overall);
    }
    return out;
  }

  // n · (cost(ŷ=0) − cost(ŷ=1)) of the Lagrangian err + λ·γ, per row.
  [[nodiscard]] std::vector<double> signed_weights(std::span<const double> lambda) const {
    std::vector<double> by_eg(3 * n_groups_, 0.0), by_e(3, 0.0);
    for (std::size_t j = 0; j < constraints_.size(); ++j) {
      const auto& c = constraints_[j];
      const double l = static_cast<double>(c.sign) * lambda[j];
      by_eg[idx(c.event) * n_groups_ + c.group] += l;
      by_e[idx(c.event)] += l;
    }
    std::vector<double> sw(y_.size());
    for (std::size_t i = 0; i < y_.size(); ++i) {
      double s = y_[i] ? 1.0 : -1.0;  // the error objective: predicting 1 helps iff y = 1
      // ∂u/∂h: +1 for selection parity, (1 − 2y) for error-based moments.
      const double du = error_based() ? (y_[i] ? -1.0 : 1.0) : 1.0;
      for (int e : {-1, 0, 1}) {
        if (!in_event(e, i) || count_e_[idx(e)] == 0.0) continue;
        const double p_eg = count_eg_[idx(e) * n_groups_ + g_[i]] / n_;
        const double p_e = count_e_[idx(e)] / n_;
        double d = by_eg[idx(e) * n_groups_ + g_[i]] / p_eg;
        if (m_.kind != eg_moment_kind::bounded_group_loss) d -= by_e[idx(e)] / p_e;
        s -= du * d;
      }
      sw[i] = s;
    }
    return sw;
  }

 private:
  [[nodiscard]] bool error_based() const noexcept {
    return m_.kind == eg_moment_kind::error_rate_parity ||
           m_.kind == eg_moment_kind::bounded_group_loss;
  }
  [[nodiscard]] double utility(std::size_t i, double h) const noexcept {
    if (!error_based()) return h;
    return y_[i] ? 1.0 - h : h;
  }
  [[nodiscard]] bool in_event(int e, std::size_t i) const noexcept {
    return e < 0 || static_cast<int>(y_[i]) == e;
  }
  static std::size_t idx(int e) noexcept { return static_cast<std::size_t>(e + 1); }

  std::span<const std::uint8_t> y_;
  std::span<const std::uint32_t> g_;
  std::uint32_t n_groups_;
  eg_moment m_;
  double n_;
  std::vector<double> count_e_, count_eg_;
  std::vector<eg_constraint> constraints_;
};

}  // namespace detail

inline eg_result exponentiated_gradient(std::span<const std::uint8_t> labels,
                                        std::span<const std::uint32_t> groups,
                                        std::uint32_t n_groups, const eg_moment& moment,
                                        const eg_learner& learner, const eg_options& opt) {
  const std::size_t n = labels.size();
  require(groups.size() == n, errc::length_mismatch, "labels and groups differ in length");
  require(n > 0, errc::empty_input, "exponentiated_gradient needs rows");
  require(moment.eps > 0.0 && std::isfinite(moment.eps), errc::invalid_argument,
          "eps must be positive and finite");
  require(opt.max_iter >= 1, errc::invalid_argument, "max_iter must be at least 1");
  require(static_cast<bool>(learner.fit) && static_cast<bool>(learner.predict_train),
          errc::invalid_argument, "the learner needs both fit and predict_train");
  for (std::size_t i = 0; i < n; ++i) {
    require(labels[i] <= 1, errc::out_of_range,
            [&] { return "labels[" + std::to_string(i) + "] must be 0 or 1"; });
    require(groups[i] < n_groups, errc::out_of_range,
            [&] { return "groups[" + std::to_string(i) + "] is not below n_groups"; });
  }
  const detail::eg_lagrangian lag(labels, groups, n_groups, moment);
  const std::size_t m = lag.size();
  const double B = 1.0 / moment.eps;

  struct hypothesis {
    std::size_t id;
    std::vector<double> h;
    double error;
    std::vector<double> gamma;
  };
  std::vector<hypothesis> hs;
  eg_result result;

  auto value_of = [&](const hypothesis& hyp, std::span<const double> lambda) {
    double v = hyp.error;
    for (std::size_t j = 0; j < m; ++j) v += lambda[j] * hyp.gamma[j];
    return v;
  };
  // Best response to λ: one learner call, kept only if it beats every known h.
  auto best_h = [&](std::span<const double> lambda) -> std::size_t {
    const auto sw = lag.signed_weights(lambda);
    double total = 0.0;
    for (double s : sw) total += s < 0 ? -s : s;
    std::vector<std::uint8_t> red_y(n);
    std::vector<double> red_w(n);
    for (std::size_t i = 0; i < n; ++i) {
      red_y[i] = sw[i] > 0.0 ? 1 : 0;
      red_w[i] = total > 0.0 ? static_cast<double>(n) * (sw[i] < 0 ? -sw[i] : sw[i]) / total : 1.0;
    }
    const std::size_t id = learner.fit(red_y, red_w);
    ++result.oracle_calls;
    const auto pred = learner.predict_train(id);
    require(pred.size() == n, errc::length_mismatch,
            "the learner's predict_train returned the wrong length");
    hypothesis cand{id, std::vector<double>(pred.begin(), pred.end()), 0.0, {}};
    for (std::size_t i = 0; i < n; ++i) {
      require(pred[i] <= 1, errc::out_of_range, "the learner's predictions must be 0 or 1");
    }
    cand.error = lag.error(cand.h);
    cand.gamma = lag.gamma(cand.h);
    std::size_t best = hs.size();
    double best_value = std::numeric_limits<double>::infinity();
    for (std::size_t k = 0; k < hs.size(); ++k) {
      const double v = value_of(hs[k], lambda);
      if (v < best_value) {
        best_value = v;
        best = k;
      }
    }
    if (value_of(cand, lambda) < best_value - 1e-8) {
      hs.push_back(std::move(cand));
      return hs.size() - 1;
    }
    return best;
  };

  // fairlearn's _Lagrangian.eval_gap: the duality gap of (Q, λ̂),
  // max(L − L_low, L_high − L), with L_low from best responses to 1, 2, 5, 10 × λ̂
  // (stopping early once the gap exceeds ν). May add classifiers to hs.
  double nu = opt.nu;
  auto eval_gap = [&](const std::vector<double>& q, const std::vector<double>& lam) {
    double err_q = 0.0;
    std::vector<double> gamma_q(m, 0.0);
    for (std::size_t k = 0; k < q.size(); ++k) {
      if (q[k] == 0.0) continue;
      err_q += q[k] * hs[k].error;
      for (std::size_t j = 0; j < m; ++j) gamma_q[j] += q[k] * hs[k].gamma[j];
    }
    // L and L_low at the projected λ̂, as fairlearn's _eval (see project()).
    const double L = lag.lagrangian(err_q, gamma_q, lam);
    double max_violation = -std::numeric_limits<double>::infinity();
    for (std::size_t j = 0; j < m; ++j)
      max_violation = std::max(max_violation, gamma_q[j] - lag.eps());
    const double L_high = err_q + B * std::max(max_violation, 0.0);
    double L_low = L;
    for (double mul : {1.0, 2.0, 5.0, 10.0}) {
      // The best response is to the unprojected multiple of λ̂, as in fairlearn.
      std::vector<double> scaled(m);
      for (std::size_t j = 0; j < m; ++j) scaled[j] = mul * lam[j];
      const std::size_t k = best_h(scaled);
      L_low = std::min(L_low, lag.lagrangian(hs[k].error, hs[k].gamma, lam));
      if (std::max(L - L_low, L_high - L) > nu + 1e-8) break;
    }
    return std::max(L - L_low, L_high - L);
  };

  // fairlearn's _Lagrangian.solve_linprog. Primal over (q_1..q_H, ξ):
  //   min Σ q_k err_k + B ξ  s.t.  Σ_k q_k (γ_kj − eps) − ξ ≤ 0 for every j,
  //   Σ q_k = 1, q, ξ ≥ 0;
  // its dual over (λ_1..λ_m ≥ 0, μ free):  min −μ  s.t.
  //   −Σ_j λ_j (γ_kj − eps) + μ ≤ err_k for every k,  Σ_j λ_j ≤ B.
  struct lp_solution {
    bool ok = false;
    std::vector<double> q, lambda;
  };
  auto solve_linprog = [&]() {
    const std::size_t H = hs.size();
    lp_problem primal;
    primal.c.resize(H + 1);
    for (std::size_t k = 0; k < H; ++k) primal.c[k] = hs[k].error;
    primal.c[H] = B;
    primal.a_ub.assign(m, std::vector<double>(H + 1, -1.0));
    primal.b_ub.assign(m, 0.0);
    for (std::size_t j = 0; j < m; ++j)
      for (std::size_t k = 0; k < H; ++k) primal.a_ub[j][k] = hs[k].gamma[j] - lag.eps();
    primal.a_eq.assign(1, std::vector<double>(H + 1, 1.0));
    primal.a_eq[0][H] = 0.0;
    primal.b_eq = {1.0};
    lp_problem dual;
    dual.c.assign(m + 1, 0.0);
    dual.c[m] = -1.0;
    dual.a_ub.assign(H + 1, std::vector<double>(m + 1, 0.0));
    dual.b_ub = primal.c;
    for (std::size_t k = 0; k < H; ++k) {
      for (std::size_t j = 0; j < m; ++j) dual.a_ub[k][j] = -primal.a_ub[j][k];
      dual.a_ub[k][m] = 1.0;
    }
    for (std::size_t j = 0; j < m; ++j) dual.a_ub[H][j] = 1.0;
    dual.free.assign(m + 1, 0);
    dual.free[m] = 1;
    const lp_result p = solve_lp(primal), d = solve_lp(dual);
    lp_solution out;
    if (p.status != lp_status::optimal || d.status != lp_status::optimal) return out;
    out.ok = true;
    out.q.assign(p.x.begin(), p.x.begin() + static_cast<std::ptrdiff_t>(H));
    for (double& v : out.q) v = std::max(v, 0.0);  // pivoting residue of −1e-17 is not a weight
    out.lambda.assign(d.x.begin(), d.x.begin() + static_cast<std::ptrdiff_t>(m));
    return out;
  };
  std::size_t lp_n_hs = 0;
  lp_solution lp_cached;
  double lp_gap = std::numeric_limits<double>::infinity();

  std::vector<double> theta(m, 0.0), lambda(m), lambda_sum(m, 0.0), q_count;
  std::vector<std::vector<double>> q_history;
  std::vector<double> gaps_eg;
  double eta = 0.0;
  std::size_t last_regret_checked = 5;
  double last_gap = std::numeric_limits<double>::infinity();

  for (std::size_t t = 0; t < opt.max_iter; ++t) {
    // λ = B e^θ / (1 + Σ e^θ), computed with the max subtracted for range.
    double mx = 0.0;
    for (double v : theta) mx = std::max(mx, v);
    double denom = math::exp(-mx);
    for (double v : theta) denom += math::exp(v - mx);
    for (std::size_t j = 0; j < m; ++j) {
      lambda[j] = B * math::exp(theta[j] - mx) / denom;
      lambda_sum[j] += lambda[j];
    }
    std::vector<double> lambda_avg(m);
    for (std::size_t j = 0; j < m; ++j) lambda_avg[j] = lambda_sum[j] / static_cast<double>(t + 1);

    const std::size_t h_idx = best_h(lambda);
    if (t == 0) {
      if (nu < 0.0) {
        // fairlearn: ν = 0.5 · std(|h − y|) / √n, with the sample standard deviation.
        double mean = 0.0;
        for (std::size_t i = 0; i < n; ++i)
          mean += labels[i] ? 1.0 - hs[h_idx].h[i] : hs[h_idx].h[i];
        mean /= static_cast<double>(n);
        double ss = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
          const double d = (labels[i] ? 1.0 - hs[h_idx].h[i] : hs[h_idx].h[i]) - mean;
          ss += d * d;
        }
        const double sd = n > 1 ? std::sqrt(ss / static_cast<double>(n - 1)) : 0.0;
        nu = 0.5 * sd / std::sqrt(static_cast<double>(n));
      }
      eta = opt.eta0 / B;
    }
    q_count.resize(hs.size(), 0.0);
    q_count[h_idx] += 1.0;
    std::vector<double> q(hs.size());
    for (std::size_t k = 0; k < hs.size(); ++k) q[k] = q_count[k] / static_cast<double>(t + 1);

    const double gap_eg = eval_gap(q, lambda_avg);
    gaps_eg.push_back(gap_eg);
    // fairlearn's run_linprog_step: the best mixture of ALL classifiers found
    // so far, by LP; re-solved only when a classifier was added.
    double gap = gap_eg;
    bool from_lp = false;
    if (opt.run_linprog_step && t > 0) {
      if (hs.size() != lp_n_hs) {
        lp_n_hs = hs.size();
        lp_cached = solve_linprog();
        ++result.lp_solves;
        lp_gap = lp_cached.ok ? eval_gap(lp_cached.q, lp_cached.lambda)
                              : std::numeric_limits<double>::infinity();
      }
      if (!(gap_eg < lp_gap)) {
        gap = lp_gap;
        q = lp_cached.q;
        from_lp = true;
      }
    }
    q_history.push_back(q);
    result.gaps.push_back(gap);
    result.from_lp.push_back(from_lp ? 1 : 0);
    result.gaps_eg.push_back(gap_eg);
    result.iterations = t + 1;

    if (gap < nu && t >= 5) break;
    if (static_cast<double>(t) >= static_cast<double>(last_regret_checked) * 1.6) {
      const double best_gap = *std::min_element(gaps_eg.begin(), gaps_eg.end());
      if (best_gap > last_gap * 0.8) eta *= 0.8;
      last_regret_checked = t;
      last_gap = best_gap;
    }
    for (std::size_t j = 0; j < m; ++j) theta[j] += eta * (hs[h_idx].gamma[j] - lag.eps());
  }

  const double min_gap = *std::min_element(result.gaps.begin(), result.gaps.end());
  std::size_t best_t = 0;
  for (std::size_t t = 0; t < result.gaps.size(); ++t) {
    if (result.gaps[t] <= min_gap + 1e-8) best_t = t;
  }
  result.best_iteration = best_t;
  result.best_gap = result.gaps[best_t];
  result.nu = nu;
  for (const auto& hyp : hs) result.classifier_ids.push_back(hyp.id);
  result.weights.assign(hs.size(), 0.0);
  for (std::size_t k = 0; k < q_history[best_t].size(); ++k)
    result.weights[k] = q_history[best_t][k];
  return result;
}

// P(ŷ_i = 1) = Σ_k Q_k h_k(x_i), from each classifier's 0/1 predictions
// (predictions[k][i], classifiers in result.classifier_ids order).
inline std::vector<double> ensemble_probability(
    const eg_result& r, const std::vector<std::vector<std::uint8_t>>& predictions) {
  require(predictions.size() == r.weights.size(), errc::length_mismatch,
          "need one prediction vector per classifier");
  const std::size_t n = predictions.empty() ? 0 : predictions[0].size();
  std::vector<double> p(n, 0.0);
  for (std::size_t k = 0; k < predictions.size(); ++k) {
    require(predictions[k].size() == n, errc::length_mismatch,
            "every classifier must predict every row");
    if (r.weights[k] == 0.0) continue;
    for (std::size_t i = 0; i < n; ++i) p[i] += r.weights[k] * predictions[k][i];
  }
  return p;
}

// Randomized 0/1 predictions: row i predicts 1 iff u_i < P(ŷ_i = 1), with u_i
// word i of stream(seed, "mitigate.randomized_predict", 1) over 2^32.
inline std::vector<std::uint8_t> predict_ensemble(
    const eg_result& r, const std::vector<std::vector<std::uint8_t>>& predictions,
    std::uint64_t seed) {
  const auto p = ensemble_probability(r, predictions);
  const rng::stream s(seed, rng::purposes::randomized_predict, 1);
  std::vector<std::uint8_t> out(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) {
    out[i] = static_cast<double>(s.word_at(i)) * 0x1p-32 < p[i] ? 1 : 0;
  }
  return out;
}

}  // namespace mitigation

FAIRGATE_END_NAMESPACE
