// fairgate/train/logistic_newton.hpp: L2-regularised logistic regression
// solved exactly (to convergence) by Newton's method, deterministically.
//
//   train::newton_options opt;  opt.C = 1.0;                 // sklearn's C
//   auto fit = train::fit_logistic_newton(data, opt);        // data: dataset_view
//   train::decision_function(fit.model, X, rows, scores);    // X·β + b
//
// The model scikit-learn's LogisticRegression(penalty="l2", C=C) fits, with
// sample_weight w: the minimiser of
//   f(β, b) = C · Σ_i w_i ℓ(x_i·β + b, y_i) + ½‖β‖²,
//   ℓ(z, y) = log(1 + e^z) − y z                 (binary log-loss of logit z),
// the intercept b not penalised (as sklearn's lbfgs / newton-cg solvers; the
// liblinear solver penalises it and is not this model). sklearn ≥ 1.2 divides
// the loss by Σ w and the penalty by C·Σ w; that is the same minimiser.
// f is strictly convex (the ½‖β‖² term; b through the Hessian's b-b entry
// C Σ w σ(1−σ) > 0), so the minimiser is unique whenever it is finite: with an
// intercept, both classes must carry positive weight, or b → ±∞.
//
// Why this exists beside the reference trainer (trainer.hpp, mini-batch Adam):
// post-processing and reductions compare with Fairlearn, whose base model and
// whose exponentiated-gradient oracle are a CONVERGED sklearn fit. Newton's
// method reaches that optimum to ~1e-10 in a handful of iterations, and each
// iteration on one-hot data is cheap: it costs Σ_i nnz_i² / 2, where nnz_i is
// the number of non-zero features in row i (15 of 109 on Adult), not n·d².
//
// Algorithm (Nocedal & Wright, Numerical Optimization, §3.1 and §3.5; IRLS):
//  1. θ = (β, b) from the warm start (zeros by default).
//  2. Gradient g = C Σ w_i (σ(z_i) − y_i) (x_i, 1) + (β, 0) and Hessian
//     H = C Σ w_i σ(z_i)(1 − σ(z_i)) (x_i, 1)(x_i, 1)ᵀ + diag(1, …, 1, 0).
//  3. Newton direction Δ = −H⁻¹g by a Cholesky factorisation of H.
//  4. If max_j |Δ_j| ≤ tol · (1 + max_j |θ_j|): take the full step, stop
//     (converged). Newton converges quadratically, so the error left after a
//     step of size tol is O(tol²).
//  5. Otherwise backtrack t = 1, ½, ¼, … (down to 2⁻⁶⁰) until the Armijo
//     condition f(θ + tΔ) ≤ f(θ) + 10⁻⁴ t gᵀΔ holds, or, when f(θ + tΔ) and
//     f(θ) differ by no more than 16 ε |f(θ)| (the difference is rounding),
//     until ‖∇f(θ + tΔ)‖₁ < ‖∇f(θ)‖₁ — the rule of scikit-learn's
//     NewtonSolver.line_search (sklearn/linear_model/_glm/_newton_solver.py).
//     Near the optimum the decrease ½ΔᵀHΔ falls below the rounding error of
//     f, a sum of n terms, and a pure Armijo test would then be decided by
//     rounding and stall (seen on Adult). Set θ += tΔ and go to 2. If no t is
//     accepted, or gᵀΔ is not negative, or after max_iter Newton steps, stop
//     with converged = false (as sklearn's ConvergenceWarning; the model is
//     still returned).
//
// Determinism: every sum (margins, loss, gradient, each Hessian entry) runs
// over rows in index order and within a row over columns in index order; the
// Cholesky factorisation and the triangular solves are plain loops with their
// inner sums in index order. No Eigen products (their blocking depends on the
// SIMD width), no libm transcendental functions (math::exp / math::log1p), and
// fairgate::core compiles with -ffp-contract=off: the same data and options
// give the same bits on every compiler and CPU. Rows with weight 0 are
// skipped (they contribute nothing). Zero features are skipped too, which
// does not change any sum (x + ±0 = x; a sum starting at +0 stays +0).
//
// Errors (fairgate::error): everything train::validate checks (shapes, labels
// 0/1, finite features, finite non-negative weights), no rows
// (errc::empty_input), C not finite and positive, tol negative or not finite,
// max_iter 0, a warm start of the wrong size or with non-finite values, a
// warm-start intercept ≠ 0 without fit_intercept (errc::invalid_argument),
// with an intercept a class with zero total weight (errc::invalid_value),
// and C·Σw overflowing (errc::invalid_value).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/math/deterministic.hpp>
#include <fairgate/train/dataset.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace train {

// A linear logit model: z = x·coef + intercept (sklearn's coef_[0], intercept_[0]).
struct logistic_model {
  std::vector<double> coef;  // one per feature column
  double intercept = 0.0;
};

struct newton_options {
  double C = 1.0;              // inverse L2 strength, as sklearn's C (> 0)
  bool fit_intercept = true;   // as sklearn's fit_intercept; the intercept is not penalised
  double tol = 1e-10;          // step-size stopping rule, see the header comment (≥ 0)
  std::size_t max_iter = 100;  // Newton steps (≥ 1)
};

struct newton_report {
  logistic_model model;
  std::size_t iterations = 0;     // Newton steps taken (Cholesky factorisations)
  bool converged = false;         // the step rule was met within max_iter
  double objective = 0.0;         // f(β, b) at the returned model
  double max_abs_gradient = 0.0;  // max_j |∂f/∂θ_j| at the returned model
};

// scores[i] = Σ_j x_ij coef_j (j ascending) + intercept: sklearn's
// decision_function, with the same sum order fit_logistic_newton uses.
inline void decision_function(const logistic_model& m, std::span<const double> features,
                              std::size_t rows, std::span<double> scores) {
  const std::size_t cols = m.coef.size();
  require(features.size() == rows * cols && (cols == 0 || features.size() / cols == rows),
          errc::length_mismatch, [&] {
            return "features has " + std::to_string(features.size()) + " values, expected rows × " +
                   "cols = " + std::to_string(rows) + " × " + std::to_string(cols);
          });
  require(scores.size() == rows, errc::length_mismatch, [&] {
    return "scores has " + std::to_string(scores.size()) + " entries for " + std::to_string(rows) +
           " rows";
  });
  for (std::size_t i = 0; i < rows; ++i) {
    const double* x = features.data() + i * cols;
    double s = 0.0;
    for (std::size_t j = 0; j < cols; ++j) s += x[j] * m.coef[j];
    scores[i] = s + m.intercept;
  }
}

namespace detail {

// The design matrix without its zeros, row by row, columns ascending; with an
// intercept, each row ends with the entry (cols, 1.0). Row i's entries are
// [start[i], start[i+1]).
struct sparse_design {
  std::vector<std::size_t> start;
  std::vector<std::uint32_t> col;
  std::vector<double> val;
};

inline sparse_design make_sparse_design(const dataset_view& d, bool intercept) {
  sparse_design s;
  s.start.reserve(d.rows + 1);
  s.start.push_back(0);
  for (std::size_t i = 0; i < d.rows; ++i) {
    const double* x = d.row(i);
    for (std::size_t j = 0; j < d.cols; ++j) {
      if (x[j] != 0.0) {
        s.col.push_back(static_cast<std::uint32_t>(j));
        s.val.push_back(x[j]);
      }
    }
    if (intercept) {
      s.col.push_back(static_cast<std::uint32_t>(d.cols));
      s.val.push_back(1.0);
    }
    s.start.push_back(s.col.size());
  }
  return s;
}

// ℓ(z, y) = log(1 + e^z) − y z and its pieces, from e = e^{−|z|} without
// cancellation: with u = z for y = 0 and u = −z for y = 1,
//   ℓ = max(u, 0) + log1p(e),   σ(z) − y = ±σ(u) (+ for y = 0),
//   σ(z)(1 − σ(z)) = e / (1 + e)².
struct logistic_terms {
  double loss, residual, curvature;
};
inline logistic_terms logistic_at(double z, std::uint8_t y) noexcept {
  const double u = y ? -z : z;
  const double e = math::exp(-std::abs(u));
  const double q = 1.0 / (1.0 + e);
  const double sigma_u = u >= 0.0 ? q : e * q;
  return {std::max(u, 0.0) + math::log1p(e), y ? -sigma_u : sigma_u, e * q * q};
}

// In-place Cholesky factorisation A = L Lᵀ of the lower triangle of the
// row-major n×n matrix a (the upper triangle is not read). Returns false if a
// pivot is not positive and finite.
inline bool cholesky_lower(std::vector<double>& a, std::size_t n) noexcept {
  for (std::size_t j = 0; j < n; ++j) {
    double* rj = a.data() + j * n;
    double s = rj[j];
    for (std::size_t k = 0; k < j; ++k) s -= rj[k] * rj[k];
    if (!(s > 0.0) || !std::isfinite(s)) return false;
    const double ljj = std::sqrt(s);
    rj[j] = ljj;
    for (std::size_t i = j + 1; i < n; ++i) {
      double* ri = a.data() + i * n;
      double t = ri[j];
      for (std::size_t k = 0; k < j; ++k) t -= ri[k] * rj[k];
      ri[j] = t / ljj;
    }
  }
  return true;
}

// Solves L Lᵀ x = b in place (b becomes x).
inline void cholesky_solve(const std::vector<double>& l, std::size_t n, std::vector<double>& b) {
  for (std::size_t i = 0; i < n; ++i) {
    const double* ri = l.data() + i * n;
    double t = b[i];
    for (std::size_t k = 0; k < i; ++k) t -= ri[k] * b[k];
    b[i] = t / ri[i];
  }
  for (std::size_t i = n; i-- > 0;) {
    double t = b[i];
    for (std::size_t k = i + 1; k < n; ++k) t -= l[k * n + i] * b[k];
    b[i] = t / l[i * n + i];
  }
}

}  // namespace detail

// Fits the model described in the header comment, starting from `start`
// (a warm start: coef.size() must equal d.cols). d.groups is ignored.
inline newton_report fit_logistic_newton(const dataset_view& d, const newton_options& opt,
                                         const logistic_model& start) {
  validate(d);
  require(d.rows > 0, errc::empty_input, "the dataset has no rows: nothing to fit");
  require(std::isfinite(opt.C) && opt.C > 0.0, errc::invalid_argument,
          [&] { return "C = " + std::to_string(opt.C) + ": C must be finite and positive"; });
  require(std::isfinite(opt.tol) && opt.tol >= 0.0, errc::invalid_argument, [&] {
    return "tol = " + std::to_string(opt.tol) + ": tol must be finite and non-negative";
  });
  require(opt.max_iter >= 1, errc::invalid_argument, "max_iter must be at least 1");
  require(d.cols < std::numeric_limits<std::uint32_t>::max(), errc::invalid_argument,
          "too many feature columns (at most 2^32 - 2)");
  require(start.coef.size() == d.cols, errc::invalid_argument, [&] {
    return "the warm start has " + std::to_string(start.coef.size()) + " coefficients for " +
           std::to_string(d.cols) + " feature columns";
  });
  for (std::size_t j = 0; j < d.cols; ++j) {
    require(std::isfinite(start.coef[j]), errc::invalid_value,
            [&] { return "warm start coef[" + std::to_string(j) + "] is not finite"; });
  }
  require(std::isfinite(start.intercept), errc::invalid_value,
          "the warm start's intercept is not finite");
  require(opt.fit_intercept || start.intercept == 0.0, errc::invalid_argument,
          "the warm start has a non-zero intercept but fit_intercept is false");

  double w_pos = 0.0, w_neg = 0.0;
  for (std::size_t i = 0; i < d.rows; ++i) (d.labels[i] ? w_pos : w_neg) += d.weight(i);
  require(std::isfinite(opt.C * (w_pos + w_neg)), errc::invalid_value,
          "C times the total weight overflows");
  require(w_pos + w_neg > 0.0, errc::invalid_value, "the weights sum to 0: nothing to fit");
  if (opt.fit_intercept) {
    require(w_pos > 0.0 && w_neg > 0.0, errc::invalid_value, [&] {
      return std::string("every row with positive weight has label ") + (w_pos > 0.0 ? "1" : "0") +
             ": with an intercept the log-loss has no finite minimiser (both classes are needed)";
    });
  }

  const std::size_t p = d.cols;                           // penalised coefficients
  const std::size_t m = p + (opt.fit_intercept ? 1 : 0);  // θ = (β, b)
  const auto X = detail::make_sparse_design(d, opt.fit_intercept);

  std::vector<double> theta(m);
  for (std::size_t j = 0; j < p; ++j) theta[j] = start.coef[j];
  if (opt.fit_intercept) theta[p] = start.intercept;

  std::vector<double> z(d.rows), zt(d.rows), g(m), gt(m), h(m * m), step(m), trial(m);
  // Margins x_i·β + b of every row, columns ascending (as decision_function).
  auto margins = [&](const std::vector<double>& th, std::vector<double>& out) {
    for (std::size_t i = 0; i < d.rows; ++i) {
      double s = 0.0;
      for (std::size_t k = X.start[i]; k < X.start[i + 1]; ++k) s += X.val[k] * th[X.col[k]];
      out[i] = s;
    }
  };
  // f and ∇f into grad (and, if hessian, the lower triangle of ∇²f into h) at
  // th, whose margins are zz. Row order, then column order, throughout.
  auto evaluate = [&](const std::vector<double>& th, const std::vector<double>& zz,
                      std::vector<double>& grad, bool hessian) {
    std::fill(grad.begin(), grad.end(), 0.0);
    if (hessian) std::fill(h.begin(), h.end(), 0.0);
    double loss = 0.0;
    for (std::size_t i = 0; i < d.rows; ++i) {
      const double cw = opt.C * d.weight(i);
      if (cw == 0.0) continue;
      const auto t = detail::logistic_at(zz[i], d.labels[i]);
      loss += cw * t.loss;
      const double gr = cw * t.residual;
      const std::size_t b = X.start[i], e = X.start[i + 1];
      for (std::size_t k = b; k < e; ++k) grad[X.col[k]] += gr * X.val[k];
      if (!hessian) continue;
      const double hc = cw * t.curvature;
      for (std::size_t a = b; a < e; ++a) {
        const double va = hc * X.val[a];
        double* row = h.data() + std::size_t{X.col[a]} * m;
        for (std::size_t k = b; k <= a; ++k) row[X.col[k]] += va * X.val[k];
      }
    }
    double penalty = 0.0;
    for (std::size_t j = 0; j < p; ++j) {
      grad[j] += th[j];
      penalty += th[j] * th[j];
    }
    if (hessian)
      for (std::size_t j = 0; j < p; ++j) h[j * m + j] += 1.0;
    return loss + 0.5 * penalty;
  };
  auto max_abs = [](const std::vector<double>& v) {
    double r = 0.0;
    for (double x : v) r = std::max(r, std::abs(x));
    return r;
  };
  auto sum_abs = [](const std::vector<double>& v) {
    double r = 0.0;
    for (double x : v) r += std::abs(x);
    return r;
  };

  newton_report rep;
  margins(theta, z);
  for (std::size_t it = 0; it < opt.max_iter; ++it) {
    const double f0 = evaluate(theta, z, g, true);
    require(std::isfinite(f0), errc::invalid_value, [&] {
      return "the objective is not finite at Newton iteration " + std::to_string(it) +
             " (features or weights too large)";
    });
    require(detail::cholesky_lower(h, m), errc::invalid_value, [&] {
      return "the Hessian is not numerically positive definite at Newton iteration " +
             std::to_string(it) + " (features or weights too large or too small)";
    });
    for (std::size_t j = 0; j < m; ++j) step[j] = -g[j];
    detail::cholesky_solve(h, m, step);
    ++rep.iterations;
    if (max_abs(step) <= opt.tol * (1.0 + max_abs(theta))) {
      for (std::size_t j = 0; j < m; ++j) theta[j] += step[j];
      rep.converged = true;
      break;
    }
    double slope = 0.0;  // gᵀΔ
    for (std::size_t j = 0; j < m; ++j) slope += g[j] * step[j];
    if (!(slope < 0.0)) break;  // no descent direction left at rounding level
    const double g1 = sum_abs(g);
    // The rounding error of f: f is a left-to-right sum of d.rows + 1
    // non-negative terms, so |computed − exact| ≤ (d.rows + 1) · ε · f
    // (Higham, Accuracy and Stability of Numerical Algorithms, §4.2).
    // sklearn's 16 ε |f| suits numpy's pairwise sums (error O(ε log n)); with
    // a sequential sum the noise of f exceeds it near the optimum (seen on
    // Adult with EG's weights: |f(θ + Δ) − f(θ)| ≈ 1e-10 of noise against
    // 16 ε f ≈ 4e-11), the full Newton step is rejected, and the fit crawls
    // through t ≪ 1 steps for dozens of iterations.
    const double tiny = (static_cast<double>(d.rows) + 16.0) *
                        std::numeric_limits<double>::epsilon() * std::abs(f0);
    bool accepted = false;
    for (double t = 1.0; t >= 0x1p-60 && !accepted; t *= 0.5) {
      for (std::size_t j = 0; j < m; ++j) trial[j] = theta[j] + t * step[j];
      margins(trial, zt);
      const double f = evaluate(trial, zt, gt, false);
      accepted = f <= f0 + 1e-4 * t * slope || (std::abs(f - f0) <= tiny && sum_abs(gt) < g1);
    }
    if (!accepted) break;  // converged stays false
    theta.swap(trial);
    z.swap(zt);
  }

  margins(theta, z);
  rep.objective = evaluate(theta, z, g, false);
  rep.max_abs_gradient = max_abs(g);
  rep.model.coef.assign(theta.begin(), theta.begin() + static_cast<std::ptrdiff_t>(p));
  rep.model.intercept = opt.fit_intercept ? theta[p] : 0.0;
  return rep;
}

// Cold start: β = 0, b = 0.
inline newton_report fit_logistic_newton(const dataset_view& d, const newton_options& opt = {}) {
  return fit_logistic_newton(d, opt, logistic_model{std::vector<double>(d.cols, 0.0), 0.0});
}

}  // namespace train

FAIRGATE_END_NAMESPACE
