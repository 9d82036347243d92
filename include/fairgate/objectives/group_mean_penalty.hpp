// fairgate/objectives/group_mean_penalty.hpp: group means of a per-row
// function, and the gradient of a gap over them (the generic, scalar engine
// used by rate_constraints.hpp; the penalties of penalties.hpp run the same
// formulas through the fused, vectorised passes of penalty_kernel.hpp).
//
// A penalty here is a gap_form over per-group weighted means
//   q_g = Σ_{i ∈ S, g(i) = g} w_i f(s_i, y_i) / Σ_{i ∈ S, g(i) = g} w_i
// where S is a subset of rows (all, y = 1, or y = 0) and f a smooth per-row
// function of the score (a relaxed prediction, a probability minus the label,
// a log-loss). Its gradient with respect to each score is
//   dV/ds_i = f'(s_i, y_i) w_i (dV/dq_{g(i)} / D_{g(i)} + dV/dq / D)
// for i in S (D_g and D the group and overall weight sums), and 0 otherwise.
// Two passes in row order; sums run in a fixed order, so the bits are the same
// on every target.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/objectives/gap_form.hpp>
#include <fairgate/objectives/penalty_inputs.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace objectives {

enum class row_subset : std::uint8_t { all, positives, negatives };

inline bool in_subset(row_subset s, std::uint8_t label) noexcept {
  return s == row_subset::all || (s == row_subset::positives) == (label == 1);
}

// Per-group means of f over a subset; `derivative` receives f' for the rows
// IN the subset (other rows are left untouched, so two disjoint subsets can
// share one array), and the gradient pass needs no second evaluation of f'.
struct group_means {
  std::vector<double> mean;           // q_g (0 where undefined)
  std::vector<double> weight;         // D_g
  std::vector<std::uint8_t> defined;  // D_g > 0
  double overall = 0.0;               // q
  double overall_weight = 0.0;        // D
};

template <class Score, class RowFn>
group_means compute_group_means(const penalty_inputs<Score>& in, row_subset subset, RowFn&& f,
                                std::span<double> derivative) {
  group_means m;
  std::vector<double> num(in.n_groups, 0.0);
  m.weight.assign(in.n_groups, 0.0);
  double num_all = 0.0;
  for (std::size_t i = 0; i < in.scores.size(); ++i) {
    if (!in_subset(subset, in.labels[i])) continue;
    const double w = in.weight(i);
    const auto [value, slope] = f(static_cast<double>(in.scores[i]), in.labels[i]);
    derivative[i] = slope;
    num[in.groups[i]] += w * value;
    m.weight[in.groups[i]] += w;
    num_all += w * value;
    m.overall_weight += w;
  }
  m.mean.assign(in.n_groups, 0.0);
  m.defined.assign(in.n_groups, 0);
  for (std::uint32_t g = 0; g < in.n_groups; ++g) {
    if (m.weight[g] > 0.0) {
      m.mean[g] = num[g] / m.weight[g];
      m.defined[g] = 1;
    }
  }
  m.overall = m.overall_weight > 0.0 ? num_all / m.overall_weight : 0.0;
  return m;
}

namespace detail {
// Per-group factor dV/dq_g / D_g + dV/dq / D, hoisted out of the row loops.
inline std::vector<double> gradient_factors(const group_means& m, const gap_value& gap) {
  std::vector<double> factor(m.weight.size(), 0.0);
  const double overall_term = m.overall_weight > 0.0 ? gap.d_overall / m.overall_weight : 0.0;
  for (std::size_t g = 0; g < factor.size(); ++g) {
    factor[g] = (m.defined[g] ? gap.d_group[g] / m.weight[g] : 0.0) + overall_term;
  }
  return factor;
}
}  // namespace detail

// Adds scale · dV/ds_i to gradient[i] for the subset's rows, given f' per row
// in `derivative`.
template <class Score>
void accumulate_gradient(const penalty_inputs<Score>& in, row_subset subset, const group_means& m,
                         const gap_value& gap, double scale, std::span<const double> derivative,
                         std::span<double> gradient) {
  const auto factor = detail::gradient_factors(m, gap);
  for (std::size_t i = 0; i < in.scores.size(); ++i) {
    if (!in_subset(subset, in.labels[i])) continue;
    gradient[i] += scale * (derivative[i] * in.weight(i) * factor[in.groups[i]]);
  }
}

// Sets gradient[i] = scale · dV/ds_i for the subset's rows and, when
// `zero_others`, 0 for the rest. `derivative` and `gradient` may be the same
// array (each row reads its f' before writing), which saves a scratch buffer.
template <class Score>
void assign_gradient(const penalty_inputs<Score>& in, row_subset subset, const group_means& m,
                     const gap_value& gap, double scale, std::span<const double> derivative,
                     std::span<double> gradient, bool zero_others) {
  const auto factor = detail::gradient_factors(m, gap);
  for (std::size_t i = 0; i < in.scores.size(); ++i) {
    if (in_subset(subset, in.labels[i])) {
      gradient[i] = scale * (derivative[i] * in.weight(i) * factor[in.groups[i]]);
    } else if (zero_others) {
      gradient[i] = 0.0;
    }
  }
}

}  // namespace objectives

FAIRGATE_END_NAMESPACE
