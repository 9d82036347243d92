// fairgate/metrics/inequality.hpp: individual and between-group unfairness as
// inequality of "benefits" (AIF360 ClassificationMetric; Speicher et al. 2018,
// "A Unified Approach to Quantifying Algorithmic Unfairness").
//
//   auto ge = fairgate::metrics::generalized_entropy_index(labels, preds, groups, 3,
//   /*alpha=*/2.0); double overall = ge.overall.value, between = ge.between_groups.value; double
//   theil = fairgate::metrics::theil_index(labels, preds, groups, 3).overall.value;
//
// Each row gets the benefit b_i = y_hat_i - y_i + 1 in {0, 1, 2} (0 = false
// negative, 1 = correct, 2 = false positive); mu = mean benefit. Then
//   GE(alpha) = 1 / (n alpha (alpha - 1)) sum_i [(b_i / mu)^alpha - 1]   alpha not in {0, 1}
//   GE(1)     = Theil index = 1/n sum_i (b_i / mu) ln(b_i / mu)          (0 ln 0 = 0)
//   GE(0)     = -1/n sum_i ln(b_i / mu)                                  (+inf if any b_i = 0)
//   coefficient of variation = 2 sqrt(GE(2))
// as in AIF360's generalized_entropy_index / theil_index /
// coefficient_of_variation. With weights w_i, n becomes sum w_i and each term
// is weighted (unit weights give AIF360's unweighted values).
//
// Three variants per call:
//   groups[g]      : GE over the rows of group g only, with that group's mu
//                    (AIF360 with privileged=True/False restricts rows the same way);
//   overall        : GE over all rows;
//   between_groups : every b_i replaced by its group's mean benefit mu_g
//                    (AIF360 between_all_groups_generalized_entropy_index when
//                    the groups are all intersectional groups; AIF360's
//                    between_group_* is the special case of two groups,
//                    privileged vs unprivileged). Groups without rows are left out.
// Undefined (NaN, defined = false): no weight, or mu = 0 (every row a false
// negative: b / mu is 0/0).
//
// Benefits take three values, so every sum is over three classes with their
// counts (the confusion cells): FN -> b = 0, TP + TN -> b = 1, FP -> b = 2.
// The power x^alpha is deterministic: repeated squaring for an integer alpha
// with |alpha| <= 64, else fairgate::math::exp(alpha * fairgate::math::log(x));
// logarithms are fairgate::math::log (no libm transcendental functions).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/math/deterministic.hpp>
#include <fairgate/metrics/confusion.hpp>
#include <fairgate/metrics/detail/score_inputs.hpp>
#include <fairgate/metrics/exact_sum.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace metrics {

struct inequality_value {
  double value = std::numeric_limits<double>::quiet_NaN();
  bool defined = false;
};

struct inequality_result {
  std::vector<inequality_value> groups;
  inequality_value overall;
  inequality_value between_groups;
};

namespace detail {

// x^a for x >= 0, deterministic (see the header comment).
inline double det_pow(double x, double a) noexcept {
  if (a == 0.0) return 1.0;
  if (x == 0.0) return a > 0.0 ? 0.0 : std::numeric_limits<double>::infinity();
  if (a == std::floor(a) && std::fabs(a) <= 64.0) {
    auto e = static_cast<unsigned>(std::fabs(a));
    double r = 1.0, base = x;
    while (e != 0) {
      if (e & 1u) r *= base;
      base *= base;
      e >>= 1u;
    }
    return a < 0.0 ? 1.0 / r : r;
  }
  return math::exp(a * math::log(x));
}

// GE(alpha) of values v_j carried by masses m_j (sum m_j > 0 required by caller).
inline inequality_value ge_from_masses(std::span<const double> v, std::span<const double> mass,
                                       double alpha) {
  inequality_value out;
  double total = 0.0, sum_v = 0.0;
  for (std::size_t j = 0; j < v.size(); ++j) {
    total += mass[j];
    sum_v += mass[j] * v[j];
  }
  if (!(total > 0.0)) return out;
  const double mu = sum_v / total;
  if (!(mu > 0.0)) return out;
  double acc = 0.0;
  for (std::size_t j = 0; j < v.size(); ++j) {
    if (mass[j] == 0.0) continue;
    const double r = v[j] / mu;
    if (alpha == 1.0) {
      if (r > 0.0) acc += mass[j] * (r * math::log(r));
    } else if (alpha == 0.0) {
      acc -= mass[j] * math::log(r);  // r = 0 -> +inf
    } else {
      acc += mass[j] * det_pow(r, alpha);
    }
  }
  out.defined = true;
  if (alpha == 1.0 || alpha == 0.0) {
    out.value = acc / total;
  } else {
    out.value = (acc / total - 1.0) / (alpha * (alpha - 1.0));
  }
  return out;
}

template <class T>
inequality_result ge_from_cells(std::span<const basic_confusion<T>> cells, double alpha) {
  require(alpha == alpha && std::isfinite(alpha), errc::invalid_argument,
          "generalized_entropy_index: alpha must be finite");
  inequality_result out;
  out.groups.resize(cells.size());
  constexpr double benefit[3] = {0.0, 1.0, 2.0};
  double all[3] = {0.0, 0.0, 0.0};
  std::vector<double> mu_g, mass_g;
  for (std::size_t g = 0; g < cells.size(); ++g) {
    const auto& c = cells[g];
    const double m[3] = {static_cast<double>(c.fn),
                         static_cast<double>(c.tp) + static_cast<double>(c.tn),
                         static_cast<double>(c.fp)};
    out.groups[g] = ge_from_masses(benefit, m, alpha);
    for (int j = 0; j < 3; ++j) all[j] += m[j];
    const double w = m[0] + m[1] + m[2];
    if (w > 0.0) {
      mu_g.push_back((m[1] + 2.0 * m[2]) / w);
      mass_g.push_back(w);
    }
  }
  out.overall = ge_from_masses(benefit, all, alpha);
  out.between_groups = ge_from_masses(mu_g, mass_g, alpha);
  return out;
}

template <class L, class G, class W>
std::vector<confusion_weights> benefit_cells(std::span<const L> labels, std::span<const L> preds,
                                             std::span<const G> groups, std::size_t n_groups,
                                             std::span<const W> weights) {
  require(n_groups >= 1, errc::invalid_argument, "n_groups must be >= 1");
  require_same_length(preds.size(), labels.size(), "predictions", "labels");
  require_same_length(groups.size(), labels.size(), "groups", "labels");
  const bool weighted = !weights.empty();
  if (weighted) require_same_length(weights.size(), labels.size(), "weights", "labels");
  // Cell sums are exact (then rounded once), so results do not depend on row order.
  std::vector<exact_sum> s(n_groups * 4);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    require(!label_bad(labels[i]), errc::out_of_range, [&] {
      return "labels[" + std::to_string(i) +
             "] = " + std::to_string(static_cast<long long>(labels[i])) + ": labels must be 0 or 1";
    });
    require(!label_bad(preds[i]), errc::out_of_range, [&] {
      return "predictions[" + std::to_string(i) +
             "] = " + std::to_string(static_cast<long long>(preds[i])) +
             ": predictions must be 0 or 1";
    });
    require(static_cast<std::size_t>(groups[i]) < n_groups, errc::out_of_range, [&] {
      return "groups[" + std::to_string(i) +
             "] = " + std::to_string(static_cast<unsigned long long>(groups[i])) +
             ": group codes must be < n_groups = " + std::to_string(n_groups);
    });
    double w = 1.0;
    if (weighted) {
      w = static_cast<double>(weights[i]);
      require(w >= 0.0 && w <= 1.7976931348623157e308, errc::invalid_value, [&] {
        return "weights[" + std::to_string(i) + "] = " + fmt_double(w) +
               ": weights must be finite and >= 0";
      });
    }
    // cell: 0 tp, 1 fp, 2 tn, 3 fn
    const bool y = labels[i] != 0, p = preds[i] != 0;
    const std::size_t cell = p ? (y ? 0u : 1u) : (y ? 3u : 2u);
    auto& acc = s[static_cast<std::size_t>(groups[i]) * 4 + cell];
    if (weighted) {
      acc.add(w);
    } else {
      acc.add_u64(1);
    }
  }
  std::vector<confusion_weights> cells(n_groups);
  for (std::size_t g = 0; g < n_groups; ++g) {
    cells[g] = confusion_weights{s[g * 4 + 0].value(), s[g * 4 + 1].value(), s[g * 4 + 2].value(),
                                 s[g * 4 + 3].value()};
  }
  return cells;
}

}  // namespace detail

// GE(alpha) per group, overall and between groups, from per-group confusion
// cells (counts or weights; index = group code).
template <class T>
inequality_result generalized_entropy_index(std::span<const basic_confusion<T>> cells,
                                            double alpha = 2.0) {
  return detail::ge_from_cells(cells, alpha);
}

// GE(alpha) from rows: labels and predictions in {0,1}, group codes, optional weights.
template <detail::label_type L, detail::code_type G, detail::weight_type W = double>
inequality_result generalized_entropy_index(std::span<const L> labels, std::span<const L> preds,
                                            std::span<const G> groups, std::size_t n_groups,
                                            double alpha = 2.0, std::span<const W> weights = {}) {
  const auto cells = detail::benefit_cells(labels, preds, groups, n_groups, weights);
  return detail::ge_from_cells(std::span<const confusion_weights>(cells), alpha);
}

// Theil index = GE(1).
template <detail::label_type L, detail::code_type G, detail::weight_type W = double>
inequality_result theil_index(std::span<const L> labels, std::span<const L> preds,
                              std::span<const G> groups, std::size_t n_groups,
                              std::span<const W> weights = {}) {
  return generalized_entropy_index(labels, preds, groups, n_groups, 1.0, weights);
}

// Coefficient of variation = 2 sqrt(GE(2)) (AIF360 coefficient_of_variation).
template <detail::label_type L, detail::code_type G, detail::weight_type W = double>
inequality_result coefficient_of_variation(std::span<const L> labels, std::span<const L> preds,
                                           std::span<const G> groups, std::size_t n_groups,
                                           std::span<const W> weights = {}) {
  auto r = generalized_entropy_index(labels, preds, groups, n_groups, 2.0, weights);
  auto cv = [](inequality_value& v) {
    if (v.defined) v.value = 2.0 * std::sqrt(v.value);
  };
  for (auto& v : r.groups) cv(v);
  cv(r.overall);
  cv(r.between_groups);
  return r;
}

}  // namespace metrics

FAIRGATE_END_NAMESPACE
