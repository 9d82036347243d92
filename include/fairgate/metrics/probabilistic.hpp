// fairgate/metrics/probabilistic.hpp: proper scoring rules per group: log-loss
// (cross-entropy) and the Brier score.
//
//   auto r = fairgate::metrics::log_loss(scores, labels, groups, /*n_groups=*/8);
//   double overall = r.overall.value;          // NaN + defined=false if no weight
//   auto b = fairgate::metrics::brier_score(scores, labels, groups, 8, weights);
//
// Definitions, for the rows of a group (w_i = 1 when unweighted), p_i in [0,1]:
//   log_loss = sum_i w_i * -(y_i log q_i + (1 - y_i) log(1 - q_i)) / sum_i w_i,
//              q_i = clip(p_i, eps, 1 - eps)
//   brier    = sum_i w_i (y_i - p_i)^2 / sum_i w_i
// These equal sklearn.metrics.log_loss(y, p, sample_weight=w) and
// brier_score_loss(y, p, sample_weight=w) on the group's rows.
//
// Clipping convention: sklearn 1.2 clips to eps = np.finfo(p.dtype).eps
// ("auto", 2.22e-16 for float64, 1.19e-7 for float32); before 1.2 the
// default was eps = 1e-15. fairgate's default is sklearn 1.2's (machine
// epsilon of the score type); pass eps = 1e-15 to reproduce older releases.
// log(1 - q) is computed as log1p(-q), which is more accurate than sklearn's
// log of the rounded 1 - q when q is tiny; the per-row difference is within
// a few ulp of the row's loss.
//
// Determinism: logarithms come from fairgate::math (not libm), and every sum
// is an exact_sum (an exact long accumulator, rounded once), so each result
// is bit-identical under any row permutation, chunking or thread count.
// A group with zero total weight (or no rows) gets NaN and defined = false.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/math/deterministic.hpp>
#include <fairgate/metrics/detail/score_inputs.hpp>
#include <fairgate/metrics/exact_sum.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace metrics {

// One group's (or the overall) mean loss.
struct loss_value {
  double value = std::numeric_limits<double>::quiet_NaN();
  bool defined = false;     // total weight > 0
  std::uint64_t count = 0;  // rows
  double weight = 0.0;      // sum of weights (= count unweighted)
};

struct loss_result {
  std::vector<loss_value> groups;
  loss_value overall;
};

namespace detail {

// Sums loss(p, y) * w per group exactly; the overall sum merges the groups.
template <class S, class L, class G, class W, class LossFn>
loss_result mean_loss(std::span<const S> scores, std::span<const L> labels,
                      std::span<const G> groups, std::size_t n_groups, std::span<const W> weights,
                      LossFn loss) {
  validate_inputs(scores, labels, groups, n_groups, weights, score_domain::probability);
  const bool weighted = !weights.empty();
  std::vector<exact_sum> num(n_groups), den(weighted ? n_groups : 0);
  std::vector<std::uint64_t> count(n_groups, 0);
  // Rows with an infinite loss (log-loss with eps = 0 at p = 0 or 1) make the
  // mean +inf; exact_sum holds finite values only, so they are counted apart.
  std::vector<std::uint8_t> infinite(n_groups, 0);
  for (std::size_t i = 0; i < scores.size(); ++i) {
    const auto g = static_cast<std::size_t>(groups[i]);
    const double l = loss(static_cast<double>(scores[i]), labels[i] != 0);
    ++count[g];
    const double w = weighted ? static_cast<double>(weights[i]) : 1.0;
    if (weighted) den[g].add(w);
    if (w == 0.0) continue;  // 0 * loss = 0, also for an infinite loss
    const double wl = weighted ? w * l : l;
    if (wl > std::numeric_limits<double>::max()) {
      infinite[g] = 1;
    } else {
      num[g].add(wl);
    }
  }
  loss_result out;
  out.groups.resize(n_groups);
  exact_sum num_all, den_all;
  std::uint64_t n_all = 0;
  bool inf_all = false;
  auto finish = [&](const exact_sum& nu, double weight, std::uint64_t n, bool inf) {
    loss_value v;
    v.count = n;
    v.weight = weight;
    if (weight > 0.0) {
      v.defined = true;
      v.value = inf ? std::numeric_limits<double>::infinity() : nu.value() / weight;
    }
    return v;
  };
  for (std::size_t g = 0; g < n_groups; ++g) {
    const double wsum = weighted ? den[g].value() : static_cast<double>(count[g]);
    out.groups[g] = finish(num[g], wsum, count[g], infinite[g] != 0);
    inf_all = inf_all || infinite[g] != 0;
    num_all += num[g];
    if (weighted) den_all += den[g];
    n_all += count[g];
  }
  out.overall =
      finish(num_all, weighted ? den_all.value() : static_cast<double>(n_all), n_all, inf_all);
  return out;
}

template <class S>
constexpr double default_eps() noexcept {
  return static_cast<double>(std::numeric_limits<S>::epsilon());
}

}  // namespace detail

// Log-loss per group and overall. eps: clipping (default: machine epsilon of
// S, sklearn 1.2's "auto"); must lie in [0, 0.5).
template <detail::score_type S, detail::label_type L, detail::code_type G,
          detail::weight_type W = double>
loss_result log_loss(std::span<const S> scores, std::span<const L> labels,
                     std::span<const G> groups, std::size_t n_groups,
                     std::span<const W> weights = {}, std::optional<double> eps = std::nullopt) {
  const double e = eps.value_or(detail::default_eps<S>());
  require(e >= 0.0 && e < 0.5, errc::invalid_argument,
          [&] { return "log_loss: eps = " + detail::fmt_double(e) + " must lie in [0, 0.5)"; });
  const double hi = 1.0 - e;
  return detail::mean_loss(scores, labels, groups, n_groups, weights, [e, hi](double p, bool y) {
    const double q = p < e ? e : (p > hi ? hi : p);
    // q = 0 or 1 (eps = 0) gives +inf, as the definition does.
    return y ? -math::log(q) : -math::log1p(-q);
  });
}

// Brier score per group and overall.
template <detail::score_type S, detail::label_type L, detail::code_type G,
          detail::weight_type W = double>
loss_result brier_score(std::span<const S> scores, std::span<const L> labels,
                        std::span<const G> groups, std::size_t n_groups,
                        std::span<const W> weights = {}) {
  return detail::mean_loss(scores, labels, groups, n_groups, weights, [](double p, bool y) {
    const double d = (y ? 1.0 : 0.0) - p;
    return d * d;
  });
}

}  // namespace metrics

FAIRGATE_END_NAMESPACE
