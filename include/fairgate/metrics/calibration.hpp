// fairgate/metrics/calibration.hpp: reliability diagrams per group, with ECE,
// MCE and calibration-in-the-large.
//
//   auto c = fairgate::metrics::calibration(scores, labels, groups, /*n_groups=*/8,
//                                           /*n_bins=*/10, fairgate::metrics::binning::quantile);
//   for (const auto& b : c.groups[2].bins) if (b.nonempty) plot(b.mean_predicted,
//   b.fraction_positive);
//
// Bins follow sklearn.calibration.calibration_curve (sklearn 1.2) exactly:
//   uniform:  edges e_i = i * (1/n_bins) for i < n_bins, e_n = 1
//             (numpy.linspace(0, 1, n_bins + 1), bit for bit);
//   quantile: edges = numpy.percentile(p_group, linspace(0, 1, n_bins+1) * 100)
//             with numpy's default 'linear' method, computed from the group's
//             own scores (the overall curve uses all rows), bit for bit,
//             including the q*100/100 round trip and numpy's _lerp;
//   a score p goes to bin #{inner edges e_1..e_{n-1} < p}
//             (numpy.searchsorted(edges[1:-1], p, side='left')), so bin 0 is
//             [e_0, e_1] and bin i > 0 is (e_i, e_{i+1}]; p = 1.0 lands in the
//             last bin, p equal to an inner edge in the bin below it.
//   Duplicate quantile edges (many tied scores) leave the bins between them
//             empty, as in sklearn.
// Per bin: count, weight W_b, mean_predicted = sum w p / W_b and
// fraction_positive = sum w y / W_b. sklearn returns only the bins with
// count > 0 (prob_true, prob_pred); here every bin is returned with
// nonempty = (W_b > 0). sklearn has no sample_weight; with weights, edges
// stay unweighted quantiles of the scores and only the bin means are weighted.
//
// Summaries over the nonempty bins of a group (W = sum W_b):
//   ECE  = sum_b (W_b / W) |fraction_positive_b - mean_predicted_b|   (expected calibration error)
//   MCE  = max_b |fraction_positive_b - mean_predicted_b|             (maximum calibration error)
//   calibration_in_the_large = mean score - base rate = (sum w p - sum w y) / W
// (Naeini, Cooper & Hauskrecht 2015 for ECE/MCE.) A group with W = 0 has
// defined = false and NaN summaries.
//
// Determinism: all sums are exact_sum (exact, rounded once), so results are
// bit-identical under any row permutation; ECE sums bins in ascending order.
//
// Mergeable form: a group_accumulator created with calibration bins keeps the
// uniform bins' sums, and calibration(acc) (accumulator_scores.hpp) gives this
// function's binning::uniform result bit for bit from merged shards. Quantile
// bins exist only here: their edges are percentiles of all the scores, which
// per-shard summaries cannot reproduce exactly.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/metrics/detail/score_inputs.hpp>
#include <fairgate/metrics/detail/score_sort.hpp>
#include <fairgate/metrics/exact_sum.hpp>
#include <fairgate/metrics/score_bins.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace metrics {

enum class binning : std::uint8_t {
  uniform = 0,   // equal-width bins on [0, 1] (sklearn strategy='uniform')
  quantile = 1,  // equal-mass bins from the scores' percentiles (strategy='quantile')
};

struct calibration_bin {
  double lower = 0.0;  // edge e_i
  double upper = 0.0;  // edge e_{i+1}
  std::uint64_t count = 0;
  double weight = 0.0;
  double mean_predicted = std::numeric_limits<double>::quiet_NaN();
  double fraction_positive = std::numeric_limits<double>::quiet_NaN();
  bool nonempty = false;  // weight > 0
};

struct calibration_curve {
  std::vector<calibration_bin> bins;
  std::uint64_t count = 0;
  double weight = 0.0;
  double mean_score = std::numeric_limits<double>::quiet_NaN();
  double base_rate = std::numeric_limits<double>::quiet_NaN();
  double calibration_in_the_large = std::numeric_limits<double>::quiet_NaN();
  double ece = std::numeric_limits<double>::quiet_NaN();
  double mce = std::numeric_limits<double>::quiet_NaN();
  bool defined = false;  // weight > 0
};

struct calibration_result {
  std::vector<calibration_curve> groups;
  calibration_curve overall;
};

namespace detail {

// numpy.linspace(0, 1, n + 1)[i].
inline double linspace01(std::size_t i, std::size_t n) {
  if (i == n) return 1.0;
  const double step = 1.0 / static_cast<double>(n);
  return static_cast<double>(i) * step + 0.0;
}

// numpy.percentile(sorted, linspace01(i, n) * 100), method 'linear' (numpy
// 1.24 function_base._quantile and _lerp).
inline double numpy_percentile_edge(std::span<const double> sorted, std::size_t i, std::size_t n) {
  const double q = (linspace01(i, n) * 100.0) / 100.0;
  const std::size_t cnt = sorted.size();
  const double virt = static_cast<double>(cnt - 1) * q;
  if (virt >= static_cast<double>(cnt - 1)) return sorted[cnt - 1];
  const double prev = std::floor(virt);
  const auto pi = static_cast<std::size_t>(prev);
  const double a = sorted[pi], b = sorted[pi + 1];
  const double gamma = virt - prev;
  const double diff = b - a;
  if (gamma >= 0.5) return b - diff * (1.0 - gamma);
  return a + diff * gamma;
}

// Per-bin sums (score_bins.hpp); the accumulator keeps the same structure, so
// calibration(group_accumulator) gives these functions' bits exactly.
using bin_acc = calibration_bin_sums;

inline calibration_curve finish_calibration(std::span<const double> edges,
                                            std::span<const bin_acc> acc, bool weighted) {
  calibration_curve c;
  const std::size_t nb = acc.size();
  c.bins.resize(nb);
  exact_sum tw, tp, ty;
  for (std::size_t b = 0; b < nb; ++b) {
    calibration_bin& o = c.bins[b];
    o.lower = edges[b];
    o.upper = edges[b + 1];
    o.count = acc[b].count;
    o.weight = weighted ? acc[b].weight.value() : static_cast<double>(acc[b].count);
    c.count += acc[b].count;
    if (weighted) {
      tw += acc[b].weight;
    } else {
      tw.add_u64(acc[b].count);
    }
    tp += acc[b].sum_p;
    if (weighted) {
      ty += acc[b].sum_y;
    } else {
      ty.add_u64(acc[b].positives);
    }
    if (o.weight > 0.0) {
      o.nonempty = true;
      o.mean_predicted = acc[b].sum_p.value() / o.weight;
      o.fraction_positive =
          (weighted ? acc[b].sum_y.value() : static_cast<double>(acc[b].positives)) / o.weight;
    }
  }
  c.weight = tw.value();
  if (c.weight > 0.0) {
    c.defined = true;
    c.mean_score = tp.value() / c.weight;
    c.base_rate = ty.value() / c.weight;
    double ece = 0.0, mce = 0.0;
    for (const calibration_bin& o : c.bins) {
      if (!o.nonempty) continue;
      const double gap = std::fabs(o.fraction_positive - o.mean_predicted);
      ece += (o.weight / c.weight) * gap;
      mce = std::max(mce, gap);
    }
    c.ece = ece;
    c.mce = mce;
    c.calibration_in_the_large = c.mean_score - c.base_rate;
  }
  return c;
}

}  // namespace detail

// Reliability diagram, ECE, MCE and calibration-in-the-large per group and
// overall. Scores must lie in [0, 1]; n_bins >= 1.
template <detail::score_type S, detail::label_type L, detail::code_type G,
          detail::weight_type W = double>
calibration_result calibration(std::span<const S> scores, std::span<const L> labels,
                               std::span<const G> groups, std::size_t n_groups, std::size_t n_bins,
                               binning strategy, std::span<const W> weights = {}) {
  require(n_bins >= 1, errc::invalid_argument, "calibration: n_bins must be >= 1");
  detail::validate_inputs(scores, labels, groups, n_groups, weights,
                          detail::score_domain::probability);
  const bool weighted = !weights.empty();
  const std::size_t m = n_groups + 1;  // slot n_groups = overall
  // edges[k * (n_bins + 1) + i]
  std::vector<double> edges(m * (n_bins + 1));
  if (strategy == binning::uniform) {
    for (std::size_t k = 0; k < m; ++k) {
      for (std::size_t i = 0; i <= n_bins; ++i) {
        edges[k * (n_bins + 1) + i] = detail::linspace01(i, n_bins);
      }
    }
  } else {
    // Each group's scores (and all scores) sorted: monotone keys of the
    // score bits split by group, one LSD radix sort per slot, decoded back.
    using key_t = std::conditional_t<std::is_same_v<S, float>, std::uint32_t, std::uint64_t>;
    std::vector<std::vector<key_t>> keys(m);
    std::vector<std::size_t> count(m, 0);
    for (std::size_t i = 0; i < groups.size(); ++i) ++count[static_cast<std::size_t>(groups[i])];
    count[n_groups] = scores.size();
    for (std::size_t k = 0; k < m; ++k) keys[k].reserve(count[k]);
    for (std::size_t i = 0; i < scores.size(); ++i) {
      const auto key = static_cast<key_t>(detail::score_key(scores[i]));
      keys[static_cast<std::size_t>(groups[i])].push_back(key);
      keys[n_groups].push_back(key);
    }
    std::vector<double> v;
    for (std::size_t k = 0; k < m; ++k) {
      if (keys[k].empty()) {
        // An empty group has no quantiles; its (unused) edges are NaN.
        for (std::size_t i = 0; i <= n_bins; ++i) {
          edges[k * (n_bins + 1) + i] = std::numeric_limits<double>::quiet_NaN();
        }
        continue;
      }
      detail::lsd_radix_sort(keys[k], static_cast<int>(8 * sizeof(key_t)),
                             [](key_t x) { return static_cast<std::uint64_t>(x); });
      v.resize(keys[k].size());
      for (std::size_t j = 0; j < v.size(); ++j) v[j] = detail::score_from_key<S>(keys[k][j]);
      for (std::size_t i = 0; i <= n_bins; ++i) {
        edges[k * (n_bins + 1) + i] = detail::numpy_percentile_edge(v, i, n_bins);
      }
      std::vector<key_t>().swap(keys[k]);
    }
  }
  std::vector<detail::bin_acc> acc(m * n_bins);
  auto bin_of = [&](std::size_t k, double p) -> std::size_t {
    // searchsorted(edges[1:-1], p, 'left') = number of inner edges < p:
    // a branch-free count for the usual few bins, else binary search.
    const double* inner = edges.data() + k * (n_bins + 1) + 1;
    if (n_bins <= 32) {
      std::size_t b = 0;
      for (std::size_t j = 0; j + 1 < n_bins; ++j) b += inner[j] < p ? 1u : 0u;
      return b;
    }
    return static_cast<std::size_t>(std::lower_bound(inner, inner + (n_bins - 1), p) - inner);
  };
  // Uniform edges are the same for every group, so the overall bins are the
  // exact merge of the group bins; quantile edges differ, so rows are binned
  // twice.
  const bool bin_overall = strategy == binning::quantile;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    const double p = static_cast<double>(scores[i]);
    const bool y = labels[i] != 0;
    const auto g = static_cast<std::size_t>(groups[i]);
    for (std::size_t k : {g, n_groups}) {
      if (k == n_groups && !bin_overall) break;
      detail::bin_acc& a = acc[k * n_bins + bin_of(k, p)];
      ++a.count;
      a.positives += y ? 1u : 0u;
      if (weighted) {
        const double w = static_cast<double>(weights[i]);
        a.weight.add(w);
        a.sum_p.add(w * p);
        if (y) a.sum_y.add(w);
      } else {
        a.sum_p.add(p);
      }
    }
  }
  if (!bin_overall) {
    for (std::size_t g = 0; g < n_groups; ++g) {
      for (std::size_t b = 0; b < n_bins; ++b) acc[n_groups * n_bins + b] += acc[g * n_bins + b];
    }
  }
  calibration_result out;
  out.groups.reserve(n_groups);
  for (std::size_t k = 0; k < m; ++k) {
    auto c = detail::finish_calibration(
        std::span<const double>(edges.data() + k * (n_bins + 1), n_bins + 1),
        std::span<const detail::bin_acc>(acc.data() + k * n_bins, n_bins), weighted);
    if (k < n_groups) {
      out.groups.push_back(std::move(c));
    } else {
      out.overall = std::move(c);
    }
  }
  return out;
}

}  // namespace metrics

FAIRGATE_END_NAMESPACE
