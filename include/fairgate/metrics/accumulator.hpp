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
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/metrics/confusion.hpp>
#include <fairgate/metrics/exact_sum.hpp>

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

  // --- merging ------------------------------------------------------------
  // this := this u other. Exact: the result does not depend on how rows were
  // split between accumulators, or in which order they are merged.
  group_accumulator& merge(const group_accumulator& o) {
    require(o.n_groups_ == n_groups_, errc::invalid_argument, [&] {
      return "group_accumulator::merge: n_groups differ (" + std::to_string(n_groups_) + " vs " +
             std::to_string(o.n_groups_) + ")";
    });
    if (!o.wcells_.empty() || !wcells_.empty()) {
      materialise_weights();
      for (std::uint32_t g = 0; g < n_groups_; ++g) wcells_[g] += o.exact_weights(g);
    }
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

 private:
  void check_group(std::uint32_t g) const {
    require(g < n_groups_, errc::out_of_range, [&] {
      return "group " + std::to_string(g) + " must be < n_groups = " + std::to_string(n_groups_);
    });
  }
  void materialise_weights() {
    if (!wcells_.empty()) return;
    wcells_.resize(n_groups_);
    for (std::uint32_t g = 0; g < n_groups_; ++g)
      wcells_[g] = exact_confusion::from_counts(counts_[g]);
  }
  void materialise_regression() {
    if (reg_.empty()) reg_.resize(n_groups_);
  }

  std::uint32_t n_groups_ = 0;
  std::vector<confusion_counts> counts_;
  std::vector<exact_confusion> wcells_;  // empty: weights are the counts
  std::vector<regression_sums> reg_;     // empty: no regression rows
};

}  // namespace metrics

FAIRGATE_END_NAMESPACE
