// fairgate/metrics/accumulator.hpp: per-group sufficient statistics, mergeable bit-exactly.
//
//   fairgate::metrics::group_accumulator acc(8);
//   fairgate::metrics::accumulate(acc, inputs);      // accumulate.hpp
//   acc.merge(other_shard);                          // == accumulating both shards' rows
//   auto c = acc.counts(3);                          // confusion_counts of group 3
//
// Per group it holds:
//   - unweighted confusion_counts (exact u64);
//   - weighted confusion cells as exact sums (exact_sum.hpp) of sample
//     weights; rows accumulated without weights count with weight 1;
//   - regression sums (from the regression pass): row count, total weight,
//     and unweighted and weighted sums of y_pred, |y_pred - y_true| and
//     (y_pred - y_true)^2.
//
// Why exact sums instead of the fixed-order blocked summation the design
// notes mention: with blocks, merge(a, b) equals the whole only when the
// shards are block-aligned, and the result depends on block size. An exact
// (fixed-point, 2144-bit) sum is associative, so merge(a, b) equals
// accumulating a u b BIT-EXACTLY for ANY split of the rows, any order and any
// thread count, and every read-out is the exact sum rounded once. Each row's
// term (a weight, or a product such as w * (p - y)^2) is rounded to double
// by that row alone, so it too is independent of order.
//
// Weighted cells and regression sums are only materialised once a weighted
// or regression pass (or a merge with such an accumulator) needs them, so a
// plain unweighted accumulator stays small (32 bytes per group).
//
// Optional score statistics (score_bins.hpp), chosen at creation with
// score_statistics_options and filled by binary passes with scores:
//   - equal-width calibration bins per group (count, positives, exact sums
//     of w, w p and w y per bin): calibration(acc) in accumulator_scores.hpp
//     gives reliability bins, ECE, MCE and calibration-in-the-large, equal bit
//     for bit to calibration(scores, ..., binning::uniform) on the raw rows;
//   - a fixed-bin score histogram per (group, label) (count and exact weight
//     sum per bin): binned ROC / AUC and PSI / KS inputs.
// They merge exactly like everything else; both sides of a merge must have
// been created with the same options. The weight sums of the score
// statistics are materialised together with the weighted cells (one flag:
// has_weighted_cells()); until then they are implied by the counts.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/metrics/confusion.hpp>
#include <fairgate/metrics/exact_sum.hpp>
#include <fairgate/metrics/score_bins.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace metrics {

// Weighted confusion cells kept exactly, in the order tp, fp, tn, fn.
struct exact_confusion {
  exact_sum tp, fp, tn, fn;

  exact_confusion& operator+=(const exact_confusion& o) {
    tp += o.tp;
    fp += o.fp;
    tn += o.tn;
    fn += o.fn;
    return *this;
  }
  static exact_confusion from_counts(const confusion_counts& c) {
    exact_confusion e;
    e.tp.add_u64(c.tp);
    e.fp.add_u64(c.fp);
    e.tn.add_u64(c.tn);
    e.fn.add_u64(c.fn);
    return e;
  }
  // Each cell rounded once.
  [[nodiscard]] confusion_weights rounded() const noexcept {
    return {tp.value(), fp.value(), tn.value(), fn.value()};
  }
  // The exact total rounded once (not the sum of the rounded cells).
  [[nodiscard]] double total() const {
    exact_sum t = tp;
    t += fp;
    t += tn;
    t += fn;
    return t.value();
  }
  friend bool operator==(const exact_confusion&, const exact_confusion&) = default;
};

// Sufficient statistics of the regression metrics of one group.
struct regression_sums {
  std::uint64_t count = 0;
  exact_sum sum_pred, sum_abs_err, sum_sq_err;             // unweighted
  exact_sum weight, wsum_pred, wsum_abs_err, wsum_sq_err;  // weighted (weight 1 if none)

  regression_sums& operator+=(const regression_sums& o) {
    count += o.count;
    sum_pred += o.sum_pred;
    sum_abs_err += o.sum_abs_err;
    sum_sq_err += o.sum_sq_err;
    weight += o.weight;
    wsum_pred += o.wsum_pred;
    wsum_abs_err += o.wsum_abs_err;
    wsum_sq_err += o.wsum_sq_err;
    return *this;
  }
  friend bool operator==(const regression_sums&, const regression_sums&) = default;
};

class group_accumulator {
 public:
  group_accumulator() = default;
  explicit group_accumulator(std::uint32_t n_groups) : n_groups_(n_groups), counts_(n_groups) {
    require(n_groups > 0, errc::invalid_argument, "group_accumulator: n_groups must be at least 1");
  }
  // With score statistics (calibration bins and / or a score histogram).
  group_accumulator(std::uint32_t n_groups, const score_statistics_options& so)
      : group_accumulator(n_groups) {
    validate(so);
    sopt_ = so;
    if (so.calibration_bins > 0) {
      cal_.resize(static_cast<std::size_t>(n_groups) * so.calibration_bins);
      cal_edges_ = linspace_edges(0.0, 1.0, so.calibration_bins);
    }
    if (so.histogram_bins > 0) {
      hist_count_.resize(static_cast<std::size_t>(n_groups) * 2u * so.histogram_bins);
      hist_edges_ = linspace_edges(so.histogram_min, so.histogram_max, so.histogram_bins);
    }
  }
  // A fresh (all-zero) accumulator with the same groups and score statistics.
  [[nodiscard]] group_accumulator empty_like() const {
    return sopt_.any() ? group_accumulator(n_groups_, sopt_) : group_accumulator(n_groups_);
  }

  [[nodiscard]] std::uint32_t n_groups() const noexcept { return n_groups_; }

  // --- read-out -----------------------------------------------------------
  [[nodiscard]] const confusion_counts& counts(std::uint32_t g) const { return counts_.at(g); }
  [[nodiscard]] std::uint64_t count(std::uint32_t g) const { return counts_.at(g).total(); }
  // Exact weighted cells (equal to the counts if no weights were ever used).
  [[nodiscard]] exact_confusion exact_weights(std::uint32_t g) const {
    check_group(g);
    return wcells_.empty() ? exact_confusion::from_counts(counts_[g]) : wcells_[g];
  }
  [[nodiscard]] confusion_weights weights(std::uint32_t g) const {
    return exact_weights(g).rounded();
  }
  [[nodiscard]] double total_weight(std::uint32_t g) const { return exact_weights(g).total(); }

  // Regression sums of group g (all zero if no regression pass was run).
  [[nodiscard]] regression_sums regression(std::uint32_t g) const {
    check_group(g);
    return reg_.empty() ? regression_sums{} : reg_[g];
  }

  // Pooled over a set of groups (exact): the "overall" of a metric frame, or
  // AIF360's privileged / unprivileged unions.
  [[nodiscard]] confusion_counts pooled_counts(const std::vector<std::uint32_t>& groups) const {
    confusion_counts c;
    for (auto g : groups) c += counts(g);
    return c;
  }
  [[nodiscard]] exact_confusion pooled_weights(const std::vector<std::uint32_t>& groups) const {
    exact_confusion e;
    for (auto g : groups) e += exact_weights(g);
    return e;
  }
  [[nodiscard]] regression_sums pooled_regression(const std::vector<std::uint32_t>& groups) const {
    regression_sums r;
    for (auto g : groups) r += regression(g);
    return r;
  }
  [[nodiscard]] std::vector<std::uint32_t> all_groups() const {
    std::vector<std::uint32_t> v(n_groups_);
    for (std::uint32_t g = 0; g < n_groups_; ++g) v[g] = g;
    return v;
  }
  [[nodiscard]] bool has_weighted_cells() const noexcept { return !wcells_.empty(); }
  [[nodiscard]] bool has_regression() const noexcept { return !reg_.empty(); }

  // --- score statistics (score_bins.hpp) -----------------------------------
  [[nodiscard]] const score_statistics_options& score_options() const noexcept { return sopt_; }
  [[nodiscard]] bool has_calibration_bins() const noexcept { return sopt_.calibration_bins > 0; }
  [[nodiscard]] bool has_score_histogram() const noexcept { return sopt_.histogram_bins > 0; }
  // numpy.linspace(0, 1, n + 1) and numpy.linspace(lo, hi, n + 1); empty if not kept.
  [[nodiscard]] std::span<const double> calibration_edges() const noexcept { return cal_edges_; }
  [[nodiscard]] std::span<const double> histogram_edges() const noexcept { return hist_edges_; }
  // Bin b of group g, with weight and sum_y exact (from the counts while no
  // weighted row has been seen).
  [[nodiscard]] calibration_bin_sums calibration_bin(std::uint32_t g, std::uint32_t b) const {
    check_group(g);
    require(b < sopt_.calibration_bins, errc::out_of_range, [&] {
      return "calibration bin " + std::to_string(b) +
             " must be < calibration_bins = " + std::to_string(sopt_.calibration_bins);
    });
    return effective(cal_[static_cast<std::size_t>(g) * sopt_.calibration_bins + b]);
  }
  // Histogram bin b of (group g, label y): row count and exact weight sum.
  [[nodiscard]] std::uint64_t histogram_count(std::uint32_t g, std::uint32_t y,
                                              std::uint32_t b) const {
    return hist_count_[hist_index(g, y, b)];
  }
  [[nodiscard]] exact_sum histogram_weight(std::uint32_t g, std::uint32_t y,
                                           std::uint32_t b) const {
    const std::size_t i = hist_index(g, y, b);
    if (!hist_weight_.empty()) return hist_weight_[i];
    exact_sum s;
    s.add_u64(hist_count_[i]);
    return s;
  }

  // --- merging ------------------------------------------------------------
  // this := this u other. Exact: the result does not depend on how rows were
  // split between accumulators, or in which order they are merged.
  group_accumulator& merge(const group_accumulator& o) {
    require(o.n_groups_ == n_groups_, errc::invalid_argument, [&] {
      return "group_accumulator::merge: n_groups differ (" + std::to_string(n_groups_) + " vs " +
             std::to_string(o.n_groups_) + ")";
    });
    require(o.sopt_ == sopt_, errc::invalid_argument, [&] {
      return "group_accumulator::merge: score statistics differ (calibration bins " +
             std::to_string(sopt_.calibration_bins) + " vs " +
             std::to_string(o.sopt_.calibration_bins) + ", histogram bins " +
             std::to_string(sopt_.histogram_bins) + " vs " +
             std::to_string(o.sopt_.histogram_bins) + ", or a different histogram range)";
    });
    if (!o.wcells_.empty() || !wcells_.empty()) {
      materialise_weights();
      for (std::uint32_t g = 0; g < n_groups_; ++g) wcells_[g] += o.exact_weights(g);
      for (std::size_t i = 0; i < cal_.size(); ++i) cal_[i] += o.effective(o.cal_[i]);
      for (std::size_t i = 0; i < hist_weight_.size(); ++i) {
        if (o.hist_weight_.empty()) {
          hist_weight_[i].add_u64(o.hist_count_[i]);
        } else {
          hist_weight_[i] += o.hist_weight_[i];
        }
      }
    } else {
      // Unweighted on both sides: weight and sum_y stay implied by the counts.
      for (std::size_t i = 0; i < cal_.size(); ++i) {
        cal_[i].count += o.cal_[i].count;
        cal_[i].positives += o.cal_[i].positives;
        cal_[i].sum_p += o.cal_[i].sum_p;
      }
    }
    for (std::size_t i = 0; i < hist_count_.size(); ++i) hist_count_[i] += o.hist_count_[i];
    for (std::uint32_t g = 0; g < n_groups_; ++g) counts_[g] += o.counts_[g];
    if (!o.reg_.empty()) {
      materialise_regression();
      for (std::uint32_t g = 0; g < n_groups_; ++g) reg_[g] += o.reg_[g];
    }
    return *this;
  }

  // Equality of the represented statistics (an unmaterialised block equals
  // its materialised form).
  friend bool operator==(const group_accumulator& a, const group_accumulator& b) {
    if (a.n_groups_ != b.n_groups_ || a.counts_ != b.counts_) return false;
    for (std::uint32_t g = 0; g < a.n_groups_; ++g) {
      if (!(a.exact_weights(g) == b.exact_weights(g))) return false;
      if (!(a.regression(g) == b.regression(g))) return false;
    }
    if (!(a.sopt_ == b.sopt_) || a.hist_count_ != b.hist_count_) return false;
    for (std::size_t i = 0; i < a.cal_.size(); ++i) {
      if (!(a.effective(a.cal_[i]) == b.effective(b.cal_[i]))) return false;
    }
    if (!a.hist_weight_.empty() || !b.hist_weight_.empty()) {
      const std::uint32_t nb = a.sopt_.histogram_bins;
      for (std::uint32_t g = 0; g < a.n_groups_; ++g) {
        for (std::uint32_t y = 0; y < 2; ++y) {
          for (std::uint32_t k = 0; k < nb; ++k) {
            if (!(a.histogram_weight(g, y, k) == b.histogram_weight(g, y, k))) return false;
          }
        }
      }
    }
    return true;
  }

  // --- low-level access for kernels and deserialisation --------------------
  [[nodiscard]] std::vector<confusion_counts>& mutable_counts() noexcept { return counts_; }
  std::vector<exact_confusion>& mutable_weights() {
    materialise_weights();
    return wcells_;
  }
  std::vector<regression_sums>& mutable_regression() {
    materialise_regression();
    return reg_;
  }
  // Calibration bins, index g * calibration_bins + b. While
  // has_weighted_cells() is false only count, positives and sum_p are kept
  // (weight and sum_y are implied and must stay zero).
  std::vector<calibration_bin_sums>& mutable_calibration_bins() noexcept { return cal_; }
  // Histogram, index (g * 2 + y) * histogram_bins + b. The weights vector is
  // empty until has_weighted_cells() (mutable_weights() materialises it).
  std::vector<std::uint64_t>& mutable_histogram_counts() noexcept { return hist_count_; }
  std::vector<exact_sum>& mutable_histogram_weights() noexcept { return hist_weight_; }

 private:
  void check_group(std::uint32_t g) const {
    require(g < n_groups_, errc::out_of_range, [&] {
      return "group " + std::to_string(g) + " must be < n_groups = " + std::to_string(n_groups_);
    });
  }
  void materialise_weights() {
    if (!wcells_.empty()) return;
    for (auto& b : cal_) b = effective(b);  // before wcells_ is filled: effective() tests it
    wcells_.resize(n_groups_);
    for (std::uint32_t g = 0; g < n_groups_; ++g)
      wcells_[g] = exact_confusion::from_counts(counts_[g]);
    hist_weight_.resize(hist_count_.size());
    for (std::size_t i = 0; i < hist_count_.size(); ++i) hist_weight_[i].add_u64(hist_count_[i]);
  }
  // The bin with weight and sum_y filled in from the counts when unweighted.
  [[nodiscard]] calibration_bin_sums effective(const calibration_bin_sums& b) const {
    if (!wcells_.empty()) return b;
    calibration_bin_sums e = b;
    e.weight = exact_sum{};
    e.weight.add_u64(b.count);
    e.sum_y = exact_sum{};
    e.sum_y.add_u64(b.positives);
    return e;
  }
  [[nodiscard]] std::size_t hist_index(std::uint32_t g, std::uint32_t y, std::uint32_t b) const {
    check_group(g);
    require(y < 2 && b < sopt_.histogram_bins, errc::out_of_range, [&] {
      return "histogram cell (label " + std::to_string(y) + ", bin " + std::to_string(b) +
             ") must have label 0 or 1 and bin < histogram_bins = " +
             std::to_string(sopt_.histogram_bins);
    });
    return (static_cast<std::size_t>(g) * 2u + y) * sopt_.histogram_bins + b;
  }
  void materialise_regression() {
    if (reg_.empty()) reg_.resize(n_groups_);
  }

  std::uint32_t n_groups_ = 0;
  std::vector<confusion_counts> counts_;
  std::vector<exact_confusion> wcells_;    // empty: weights are the counts
  std::vector<regression_sums> reg_;       // empty: no regression rows
  score_statistics_options sopt_{};        // all zero: no score statistics
  std::vector<calibration_bin_sums> cal_;  // n_groups * calibration_bins
  std::vector<double> cal_edges_;          // derived from sopt_
  std::vector<std::uint64_t> hist_count_;  // n_groups * 2 * histogram_bins
  std::vector<exact_sum> hist_weight_;     // same shape; empty: weights are the counts
  std::vector<double> hist_edges_;         // derived from sopt_
};

}  // namespace metrics

FAIRGATE_END_NAMESPACE
