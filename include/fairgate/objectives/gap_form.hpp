// fairgate/objectives/gap_form.hpp: how per-group values become one penalty.
//
// Two families users mix up (fairlearn#460): Fairlearn's *metrics* compare
// groups with each other (max − min), while its *reductions* compare each group
// with the overall value. Both are offered, by name:
//
//   max_minus_min            V = max_g q_g − min_g q_g
//   max_abs_to_overall       V = max_g |q_g − q|
//   sum_squared_to_overall   V = Σ_g (q_g − q)²
//   hinge_squared_to_overall V = Σ_g max(0, |q_g − q| − tolerance)²
//                            (the "Balancing Act" constraint form of Tran et
//                            al. 2022, for accuracy/loss equalisation)
//
// q_g is a group's (relaxed) value, q the overall one. Groups whose value is
// undefined (no rows in the rate's subset) are left out. max/min are
// subgradients: ties go to the lowest group index, so gradients are
// deterministic.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <fairgate/config.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace objectives {

enum class gap_form {
  max_minus_min,
  max_abs_to_overall,
  sum_squared_to_overall,
  hinge_squared_to_overall
};

// A penalty value with its partial derivatives.
struct gap_value {
  double value = 0.0;
  std::vector<double> d_group;  // dV/dq_g (0 for undefined groups)
  double d_overall = 0.0;       // dV/dq
};

inline gap_value evaluate_gap(gap_form form, std::span<const double> q_group,
                              std::span<const std::uint8_t> defined, double q_overall,
                              double tolerance = 0.0) {
  gap_value out;
  out.d_group.assign(q_group.size(), 0.0);
  const std::size_t g_count = q_group.size();
  switch (form) {
    case gap_form::max_minus_min: {
      std::size_t hi = g_count, lo = g_count;
      for (std::size_t g = 0; g < g_count; ++g) {
        if (!defined[g]) continue;
        if (hi == g_count || q_group[g] > q_group[hi]) hi = g;
        if (lo == g_count || q_group[g] < q_group[lo]) lo = g;
      }
      if (hi == g_count || hi == lo) return out;
      out.value = q_group[hi] - q_group[lo];
      out.d_group[hi] += 1.0;
      out.d_group[lo] -= 1.0;
      return out;
    }
    case gap_form::max_abs_to_overall: {
      std::size_t worst = g_count;
      double worst_abs = -1.0;
      for (std::size_t g = 0; g < g_count; ++g) {
        if (!defined[g]) continue;
        const double d = q_group[g] - q_overall;
        const double a = d < 0 ? -d : d;
        if (a > worst_abs) {
          worst_abs = a;
          worst = g;
        }
      }
      if (worst == g_count) return out;
      const double sign = q_group[worst] >= q_overall ? 1.0 : -1.0;
      out.value = worst_abs;
      out.d_group[worst] = sign;
      out.d_overall = -sign;
      return out;
    }
    case gap_form::sum_squared_to_overall:
    case gap_form::hinge_squared_to_overall: {
      const double tol = form == gap_form::sum_squared_to_overall ? 0.0 : tolerance;
      for (std::size_t g = 0; g < g_count; ++g) {
        if (!defined[g]) continue;
        const double d = q_group[g] - q_overall;
        const double a = d < 0 ? -d : d;
        const double excess = a - tol;
        if (excess <= 0.0) continue;
        const double sign = d >= 0 ? 1.0 : -1.0;
        out.value += excess * excess;
        out.d_group[g] = 2.0 * excess * sign;
        out.d_overall -= 2.0 * excess * sign;
      }
      return out;
    }
  }
  return out;
}

}  // namespace objectives

FAIRGATE_END_NAMESPACE
