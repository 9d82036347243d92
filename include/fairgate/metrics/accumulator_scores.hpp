// fairgate/metrics/accumulator_scores.hpp: calibration, binned ROC / AUC and
// score-distribution masses read from a group_accumulator's score statistics
// (score_bins.hpp), so they merge across shards and threads like the counts.
//
//   fairgate::metrics::group_accumulator acc(8, {.calibration_bins = 10, .histogram_bins = 200});
//   fairgate::metrics::accumulate(acc, inputs);      // or merge shards / deserialize
//   auto cal = fairgate::metrics::calibration(acc);  // ECE, MCE, reliability bins, CITL
//   auto auc = fairgate::metrics::binned_roc_auc(acc);
//
// Exact or binned:
//   - calibration(acc) is EXACT for equal-width bins: it returns the same
//     calibration_result, bit for bit, as calibration(scores, labels, groups,
//     n_groups, n_bins, binning::uniform, weights) on the raw rows (the
//     sklearn calibration_curve strategy='uniform' bins; see calibration.hpp
//     for the formulas). With rows accumulated both with and without weights,
//     it equals the raw function given weight 1 for the unweighted rows.
//   - Equal-mass (quantile) bins are not available from an accumulator: their
//     edges are quantiles of ALL the scores, which no merge of per-shard
//     summaries reproduces exactly. Compute them from the raw scores with
//     calibration(..., binning::quantile), or approximately from the
//     histogram masses (quantiles of a binned distribution).
//   - binned_roc_auc / binned_roc_curve are APPROXIMATE: every score is
//     replaced by its histogram bin, so scores within one bin tie. The AUC is
//     the exact Mann-Whitney AUC (ties count 1/2) of the binned scores, i.e.
//     roc_auc(bin_index, labels, groups) -- equal bit for bit unweighted --
//     and it differs from the exact AUC by at most half the probability that a
//     positive and a negative fall in the same bin. Finer bins, smaller error.
//   - histogram(acc, g) and its masses are exact per bin; they are the inputs
//     of the binned drift statistics (monitor/drift.hpp):
//       monitor::population_stability_index(h_ref.weight_all, h_now.weight_all)
//       monitor::ks_statistic_binned(h_ref.weight_all, h_now.weight_all)
//     for two accumulators created with the same histogram options.
//
// Determinism: every per-bin value is an exact sum rounded once, and the
// binned AUC combines bins in ascending bin order, so all results are
// independent of row order, chunking, threads and merge order.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/metrics/accumulator.hpp>
#include <fairgate/metrics/calibration.hpp>
#include <fairgate/metrics/exact_sum.hpp>
#include <fairgate/metrics/roc.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace metrics {

namespace acc_scores_detail {

inline void need_calibration(const group_accumulator& acc) {
  require(acc.has_calibration_bins(), errc::invalid_argument,
          "the accumulator keeps no calibration bins (create it with "
          "score_statistics_options::calibration_bins > 0)");
}

inline void need_histogram(const group_accumulator& acc) {
  require(acc.has_score_histogram(), errc::invalid_argument,
          "the accumulator keeps no score histogram (create it with "
          "score_statistics_options::histogram_bins > 0)");
}

}  // namespace acc_scores_detail

// Reliability bins, ECE, MCE and calibration-in-the-large per group and
// overall from the accumulator's equal-width bins (exact; see the top comment).
[[nodiscard]] inline calibration_result calibration(const group_accumulator& acc) {
  acc_scores_detail::need_calibration(acc);
  const std::uint32_t nb = acc.score_options().calibration_bins;
  const bool weighted = acc.has_weighted_cells();
  const std::span<const double> edges = acc.calibration_edges();
  calibration_result out;
  out.groups.reserve(acc.n_groups());
  std::vector<calibration_bin_sums> bins(nb), all(nb);
  for (std::uint32_t g = 0; g < acc.n_groups(); ++g) {
    for (std::uint32_t b = 0; b < nb; ++b) {
      bins[b] = acc.calibration_bin(g, b);
      if (!weighted) {
        // The raw function's unweighted bins leave these sums empty.
        bins[b].weight = exact_sum{};
        bins[b].sum_y = exact_sum{};
      }
      all[b] += bins[b];
    }
    out.groups.push_back(detail::finish_calibration(edges, bins, weighted));
  }
  out.overall = detail::finish_calibration(edges, all, weighted);
  return out;
}

// The score histogram of a set of groups (one group, or several pooled
// exactly), split by label. weight_* are exact sums rounded once (equal to the
// counts when no weighted row was accumulated); weight_all[b] is the exact
// weight_neg + weight_pos of bin b.
struct score_histogram {
  std::vector<double> edges;  // histogram_bins + 1 edges, numpy.linspace(lo, hi, n + 1)
  std::vector<std::uint64_t> count_neg, count_pos;
  std::vector<double> weight_neg, weight_pos, weight_all;
  std::uint64_t n_neg = 0, n_pos = 0;
  double total_neg = 0.0, total_pos = 0.0;  // exact totals rounded once
};

[[nodiscard]] inline score_histogram pooled_histogram(const group_accumulator& acc,
                                                      const std::vector<std::uint32_t>& groups) {
  acc_scores_detail::need_histogram(acc);
  const std::uint32_t nb = acc.score_options().histogram_bins;
  score_histogram h;
  h.edges.assign(acc.histogram_edges().begin(), acc.histogram_edges().end());
  h.count_neg.assign(nb, 0);
  h.count_pos.assign(nb, 0);
  h.weight_neg.assign(nb, 0.0);
  h.weight_pos.assign(nb, 0.0);
  h.weight_all.assign(nb, 0.0);
  exact_sum tn, tp;
  for (std::uint32_t b = 0; b < nb; ++b) {
    exact_sum wn, wp;
    for (std::uint32_t g : groups) {
      h.count_neg[b] += acc.histogram_count(g, 0, b);
      h.count_pos[b] += acc.histogram_count(g, 1, b);
      wn += acc.histogram_weight(g, 0, b);
      wp += acc.histogram_weight(g, 1, b);
    }
    h.n_neg += h.count_neg[b];
    h.n_pos += h.count_pos[b];
    h.weight_neg[b] = wn.value();
    h.weight_pos[b] = wp.value();
    tn += wn;
    tp += wp;
    wn += wp;
    h.weight_all[b] = wn.value();
  }
  h.total_neg = tn.value();
  h.total_pos = tp.value();
  return h;
}

[[nodiscard]] inline score_histogram histogram(const group_accumulator& acc, std::uint32_t g) {
  require(g < acc.n_groups(), errc::out_of_range, [&] {
    return "group " + std::to_string(g) + " must be < n_groups = " + std::to_string(acc.n_groups());
  });
  return pooled_histogram(acc, {g});
}

namespace acc_scores_detail {

// Mann-Whitney AUC of binned scores: bins in ascending order are tie blocks.
// Unweighted: twice the U statistic in 64-bit integers and the final division
// of roc.hpp's make_auc (so it equals roc_auc on the bin indices bit for bit).
inline auc_value binned_auc(const score_histogram& h, bool weighted) {
  auc_value v;
  v.n_pos = h.n_pos;
  v.n_neg = h.n_neg;
  const std::size_t nb = h.count_neg.size();
  if (!weighted) {
    v.w_pos = static_cast<double>(h.n_pos);
    v.w_neg = static_cast<double>(h.n_neg);
    std::uint64_t num2 = 0, below = 0;
    for (std::size_t b = 0; b < nb; ++b) {
      num2 += 2u * h.count_pos[b] * below + h.count_pos[b] * h.count_neg[b];
      below += h.count_neg[b];
    }
    if (v.w_pos > 0.0 && v.w_neg > 0.0) {
      v.defined = true;
      v.auc = static_cast<double>(num2) / (2.0 * (v.w_pos * v.w_neg));
    }
    return v;
  }
  v.w_pos = h.total_pos;
  v.w_neg = h.total_neg;
  double num2 = 0.0, below = 0.0;
  for (std::size_t b = 0; b < nb; ++b) {
    num2 += 2.0 * h.weight_pos[b] * below + h.weight_pos[b] * h.weight_neg[b];
    below += h.weight_neg[b];
  }
  if (v.w_pos > 0.0 && v.w_neg > 0.0) {
    v.defined = true;
    v.auc = num2 / (2.0 * (v.w_pos * v.w_neg));
  }
  return v;
}

// ROC points at the bin edges, from the top bin down (see binned_roc_curve).
inline roc_curve binned_curve(const score_histogram& h) {
  const std::size_t nb = h.count_neg.size();
  roc_curve c;
  c.thresholds.reserve(nb + 1);
  c.thresholds.push_back(std::numeric_limits<double>::infinity());
  c.fps.push_back(0.0);
  c.tps.push_back(0.0);
  exact_sum fps, tps;
  for (std::size_t k = nb; k-- > 0;) {
    fps.add(h.weight_neg[k]);
    tps.add(h.weight_pos[k]);
    c.thresholds.push_back(h.edges[k]);
    c.fps.push_back(fps.value());
    c.tps.push_back(tps.value());
  }
  const double tn = c.fps.back(), tp = c.tps.back();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (std::size_t i = 0; i < c.fps.size(); ++i) {
    c.fpr.push_back(tn > 0.0 ? c.fps[i] / tn : nan);
    c.tpr.push_back(tp > 0.0 ? c.tps[i] / tp : nan);
  }
  c.defined = tn > 0.0 && tp > 0.0;
  return c;
}

}  // namespace acc_scores_detail

// Binned ROC AUC per group and overall (approximate; see the top comment).
// Undefined (NaN, defined = false) for a group without positive weight on
// one class, as roc_auc. Unweighted counts must satisfy n_pos * n_neg < 2^62.
[[nodiscard]] inline auc_result binned_roc_auc(const group_accumulator& acc) {
  acc_scores_detail::need_histogram(acc);
  auc_result r;
  for (std::uint32_t g = 0; g < acc.n_groups(); ++g)
    r.groups.push_back(acc_scores_detail::binned_auc(histogram(acc, g), acc.has_weighted_cells()));
  r.overall = acc_scores_detail::binned_auc(pooled_histogram(acc, acc.all_groups()),
                                            acc.has_weighted_cells());
  return r;
}

// Binned ROC curves per group and overall: point 0 is (0, 0) at threshold
// +inf; then, for k = n-1 down to 0, the point at threshold h_k (the lower
// edge of bin k) with fps / tps = weight of negatives / positives in bins
// >= k. For scores inside [lo, hi] that is exactly the ROC point of the rule
// "positive iff score >= h_k". Every bin gives a point (empty bins repeat the
// previous one); fpr / tpr are NaN when the group has no negative / positive
// weight, as roc_curve.
[[nodiscard]] inline roc_curve_result binned_roc_curve(const group_accumulator& acc) {
  acc_scores_detail::need_histogram(acc);
  roc_curve_result r;
  for (std::uint32_t g = 0; g < acc.n_groups(); ++g)
    r.groups.push_back(acc_scores_detail::binned_curve(histogram(acc, g)));
  r.overall = acc_scores_detail::binned_curve(pooled_histogram(acc, acc.all_groups()));
  return r;
}

}  // namespace metrics

FAIRGATE_END_NAMESPACE
