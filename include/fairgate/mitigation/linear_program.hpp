// fairgate/mitigation/linear_program.hpp: a small dense LP solver (two-phase
// simplex with Bland's rule), for exponentiated gradient's LP step.
//
//   mitigation::lp_problem lp;
//   lp.c = {1, 2};  lp.a_ub = {{-1, -1}};  lp.b_ub = {-1};   // min x + 2y, x + y >= 1
//   auto r = mitigation::solve_lp(lp);                          // r.x = {1, 0}, r.objective = 1
//
// Problem (scipy.optimize.linprog's form, with bounds restricted to x_j >= 0
// or x_j free):
//   minimise cᵀx  subject to  A_ub x <= b_ub,  A_eq x = b_eq,
//                             x_j >= 0 (default) or x_j free (free[j] = 1).
// Method: a dense tableau, free variables split as x⁺ − x⁻, rows with a
// negative right-hand side negated, one slack per inequality and one
// artificial per row that has no slack to start from; phase 1 minimises the
// artificials' sum, phase 2 the objective. Pivots follow Bland's rule (the
// lowest-index improving column enters; ties in the ratio test leave by the
// lowest basic index), which cannot cycle, so the result is deterministic and
// the loop terminates. Tolerance 1e-9 (scaled by the row's largest entry for
// the ratio test's pivot). Meant for the few hundred variables of fairlearn's
// `_Lagrangian.solve_linprog`, not for large sparse LPs: O(rows · cols) per pivot.
//
// Why not a library: GLPK is GPL (the project is Apache-2.0) and CLP (EPL)
// would make the header-only core link a compiled dependency for an LP with a
// few hundred entries. tests/mitigation checks this solver against
// scipy.optimize.linprog (HiGHS) on random LPs.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace mitigation {

struct lp_problem {
  std::vector<double> c;
  std::vector<std::vector<double>> a_ub;  // rows of A_ub, each c.size() long
  std::vector<double> b_ub;
  std::vector<std::vector<double>> a_eq;
  std::vector<double> b_eq;
  std::vector<std::uint8_t> free;  // empty, or one flag per variable: 1 = unbounded below
};

enum class lp_status { optimal, infeasible, unbounded, iteration_limit };

struct lp_result {
  lp_status status = lp_status::infeasible;
  std::vector<double> x;
  double objective = std::numeric_limits<double>::quiet_NaN();
  std::size_t pivots = 0;
};

namespace detail {

class simplex_tableau {
 public:
  // rows × (cols + 1): the last column is the right-hand side.
  simplex_tableau(std::size_t rows, std::size_t cols)
      : rows_(rows), cols_(cols), t_(rows * (cols + 1), 0.0), basis_(rows, 0) {}

  double& at(std::size_t r, std::size_t c) { return t_[r * (cols_ + 1) + c]; }
  double& rhs(std::size_t r) { return t_[r * (cols_ + 1) + cols_]; }
  std::vector<std::size_t>& basis() { return basis_; }

  void pivot(std::size_t pr, std::size_t pc) {
    const double p = at(pr, pc);
    for (std::size_t c = 0; c <= cols_; ++c) t_[pr * (cols_ + 1) + c] /= p;
    for (std::size_t r = 0; r < rows_; ++r) {
      if (r == pr) continue;
      const double f = at(r, pc);
      if (f == 0.0) continue;
      for (std::size_t c = 0; c <= cols_; ++c)
        t_[r * (cols_ + 1) + c] -= f * t_[pr * (cols_ + 1) + c];
      at(r, pc) = 0.0;  // exactly, not a rounding residue
    }
    basis_[pr] = pc;
  }

  // Minimises cost·x over the columns with allowed[c] = 1 from the current
  // basic feasible solution. Returns optimal / unbounded / iteration_limit.
  lp_status minimise(const std::vector<double>& cost, const std::vector<std::uint8_t>& allowed,
                     std::size_t& pivots, std::size_t max_pivots) {
    constexpr double tol = 1e-9;
    while (true) {
      // Reduced costs d_c = cost_c − Σ_r cost_{basis r} · T(r, c); Bland: first c with d_c < −tol.
      std::size_t enter = cols_;
      for (std::size_t c = 0; c < cols_ && enter == cols_; ++c) {
        if (!allowed[c]) continue;
        double d = cost[c];
        for (std::size_t r = 0; r < rows_; ++r) d -= cost[basis_[r]] * at(r, c);
        if (d < -tol) enter = c;
      }
      if (enter == cols_) return lp_status::optimal;
      if (pivots >= max_pivots) return lp_status::iteration_limit;
      // Ratio test; near-ties (within tol) leave by the lowest basic index.
      std::size_t leave = rows_;
      double best_ratio = std::numeric_limits<double>::infinity();
      for (std::size_t r = 0; r < rows_; ++r) {
        const double a = at(r, enter);
        if (a <= tol) continue;
        const double ratio = rhs(r) / a;
        if (leave == rows_ || ratio < best_ratio - tol) {
          leave = r;
          best_ratio = ratio;
        } else if (ratio <= best_ratio + tol && basis_[r] < basis_[leave]) {
          leave = r;
        }
      }
      if (leave == rows_) return lp_status::unbounded;
      pivot(leave, enter);
      ++pivots;
    }
  }

  [[nodiscard]] std::size_t rows() const noexcept { return rows_; }
  [[nodiscard]] std::size_t cols() const noexcept { return cols_; }

 private:
  std::size_t rows_, cols_;
  std::vector<double> t_;
  std::vector<std::size_t> basis_;
};

}  // namespace detail

inline lp_result solve_lp(const lp_problem& lp, std::size_t max_pivots = 100000) {
  const std::size_t n = lp.c.size();
  const std::size_t m_ub = lp.a_ub.size(), m_eq = lp.a_eq.size();
  require(n > 0, errc::empty_input, "solve_lp: the problem has no variables");
  require(lp.b_ub.size() == m_ub && lp.b_eq.size() == m_eq, errc::length_mismatch,
          "solve_lp: b_ub/b_eq must have one entry per row of a_ub/a_eq");
  require(lp.free.empty() || lp.free.size() == n, errc::length_mismatch,
          "solve_lp: free must be empty or have one flag per variable");
  auto check_row = [&](const std::vector<double>& row, const char* what, std::size_t r) {
    require(row.size() == n, errc::length_mismatch, [&] {
      return std::string("solve_lp: ") + what + "[" + std::to_string(r) + "] has " +
             std::to_string(row.size()) + " entries, expected " + std::to_string(n);
    });
    for (double v : row)
      require(std::isfinite(v), errc::invalid_value, [&] {
        return std::string("solve_lp: ") + what + "[" + std::to_string(r) + "] is not finite";
      });
  };
  for (std::size_t r = 0; r < m_ub; ++r) check_row(lp.a_ub[r], "a_ub", r);
  for (std::size_t r = 0; r < m_eq; ++r) check_row(lp.a_eq[r], "a_eq", r);
  for (double v : lp.c) require(std::isfinite(v), errc::invalid_value, "solve_lp: c is not finite");
  for (double v : lp.b_ub)
    require(std::isfinite(v), errc::invalid_value, "solve_lp: b_ub is not finite");
  for (double v : lp.b_eq)
    require(std::isfinite(v), errc::invalid_value, "solve_lp: b_eq is not finite");

  // Column layout: [x⁺ (n)] [x⁻ for free variables] [slacks (m_ub)] [artificials].
  std::vector<std::size_t> minus_of(n, 0);
  std::size_t n_split = n;
  for (std::size_t j = 0; j < n; ++j)
    if (!lp.free.empty() && lp.free[j]) minus_of[j] = n_split++;
  const std::size_t rows = m_ub + m_eq;
  const std::size_t slack0 = n_split;
  // An artificial for every equality row and every inequality row with b < 0.
  std::vector<std::size_t> art_of_row(rows, 0);
  std::size_t cols = slack0 + m_ub;
  for (std::size_t r = 0; r < rows; ++r) {
    const bool needs = r >= m_ub || lp.b_ub[r] < 0.0;
    if (needs) art_of_row[r] = cols++;
  }
  const std::size_t art0 = slack0 + m_ub;
  detail::simplex_tableau t(rows, cols);
  for (std::size_t r = 0; r < rows; ++r) {
    const bool ub = r < m_ub;
    const auto& a = ub ? lp.a_ub[r] : lp.a_eq[r - m_ub];
    const double b = ub ? lp.b_ub[r] : lp.b_eq[r - m_ub];
    const double sign = b < 0.0 ? -1.0 : 1.0;
    for (std::size_t j = 0; j < n; ++j) {
      t.at(r, j) = sign * a[j];
      if (!lp.free.empty() && lp.free[j]) t.at(r, minus_of[j]) = -sign * a[j];
    }
    if (ub) t.at(r, slack0 + r) = sign;
    t.rhs(r) = sign * b;
    if (art_of_row[r] != 0) {
      t.at(r, art_of_row[r]) = 1.0;
      t.basis()[r] = art_of_row[r];
    } else {
      t.basis()[r] = slack0 + r;
    }
  }

  lp_result out;
  std::vector<std::uint8_t> allowed(cols, 1);
  if (cols > art0) {
    std::vector<double> phase1(cols, 0.0);
    for (std::size_t c = art0; c < cols; ++c) phase1[c] = 1.0;
    const lp_status s1 = t.minimise(phase1, allowed, out.pivots, max_pivots);
    if (s1 == lp_status::iteration_limit) {
      out.status = s1;
      return out;
    }
    double infeasibility = 0.0, scale = 1.0;
    for (std::size_t r = 0; r < rows; ++r) {
      if (t.basis()[r] >= art0) infeasibility += t.rhs(r);
      scale = std::max(scale, std::fabs(r < m_ub ? lp.b_ub[r] : lp.b_eq[r - m_ub]));
    }
    if (infeasibility > 1e-9 * scale) {
      out.status = lp_status::infeasible;
      return out;
    }
    // Drive the (zero-valued) artificials out of the basis where a real
    // column can replace them; rows where none can are redundant.
    for (std::size_t r = 0; r < rows; ++r) {
      if (t.basis()[r] < art0) continue;
      for (std::size_t c = 0; c < art0; ++c) {
        if (std::fabs(t.at(r, c)) > 1e-9) {
          t.pivot(r, c);
          ++out.pivots;
          break;
        }
      }
    }
    for (std::size_t c = art0; c < cols; ++c) allowed[c] = 0;
  }
  std::vector<double> cost(cols, 0.0);
  for (std::size_t j = 0; j < n; ++j) {
    cost[j] = lp.c[j];
    if (!lp.free.empty() && lp.free[j]) cost[minus_of[j]] = -lp.c[j];
  }
  const lp_status s2 = t.minimise(cost, allowed, out.pivots, max_pivots);
  out.status = s2;
  if (s2 != lp_status::optimal) return out;
  std::vector<double> value(cols, 0.0);
  for (std::size_t r = 0; r < rows; ++r) value[t.basis()[r]] = t.rhs(r);
  out.x.assign(n, 0.0);
  out.objective = 0.0;
  for (std::size_t j = 0; j < n; ++j) {
    out.x[j] = value[j] - ((!lp.free.empty() && lp.free[j]) ? value[minus_of[j]] : 0.0);
    out.objective += lp.c[j] * out.x[j];
  }
  return out;
}

}  // namespace mitigation

FAIRGATE_END_NAMESPACE
