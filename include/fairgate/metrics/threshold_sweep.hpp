// fairgate/metrics/threshold_sweep.hpp: confusion cells of every group at
// every threshold of a grid, in one pass over the rows.
//
//   std::vector<double> grid(100); for (int k = 0; k < 100; ++k) grid[k] = k / 100.0;
//   auto sw = fairgate::metrics::threshold_sweep(scores, labels, groups, /*n_groups=*/8, grid);
//   const auto& c = sw.at(/*group=*/3, /*k=*/50);   // cells of group 3 at threshold grid[50]
//
// Semantics: at threshold t_k the prediction is  y_hat = (score >= t_k),
// compared in double precision (a float score is widened exactly). The
// result at each (group, k) is exactly the confusion cells a separate pass
// with that threshold would give; every rate (TPR, FPR, selection rate, PPV,
// ... as Fairness Indicators plots them against the threshold) follows from
// those cells with the rate functions of metrics/rates.hpp.
//
// How (one pass, not one per threshold): the grid t_0 <= ... <= t_{K-1} cuts
// the score axis into K + 1 buckets; a row's bucket is
//   b = #{k : t_k <= score}         (so score >= t_k  <=>  k < b)
// and the pass only histograms rows by (group, label, bucket). Cells at t_k
// are then suffix sums over buckets > k (predicted positive) and prefix sums
// over buckets <= k (predicted negative). Finding the bucket: for f32 scores
// and n >= 2^20, a table over the top 20 bits of the score's monotone key
// (f32_prefix_bucketer); otherwise a guess by linear interpolation on the grid
// corrected by comparing the score with the grid values on either side
// (binary search when the guess is off by more than one). Both always agree
// with the comparison score >= t_k itself (tested bit for bit against a naive
// pass per threshold).
//
// Weighted cells are exact_sum totals (exact, rounded once), so they are
// bit-identical to a per-threshold pass that also sums exactly, and
// independent of row order. The overall cells (index n_groups) merge all
// groups.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/metrics/confusion.hpp>
#include <fairgate/metrics/detail/score_inputs.hpp>
#include <fairgate/metrics/exact_sum.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace metrics {

struct threshold_sweep_result {
  std::vector<double> thresholds;  // the grid, K values
  std::size_t n_groups = 0;
  std::vector<confusion_counts>
      counts;  // [(g * K) + k], g in [0, n_groups]; g = n_groups is overall
  std::vector<confusion_weights> weights;  // same layout; empty when unweighted

  [[nodiscard]] std::size_t size() const noexcept { return thresholds.size(); }
  [[nodiscard]] const confusion_counts& at(std::size_t group, std::size_t k) const {
    return counts[group * thresholds.size() + k];
  }
  [[nodiscard]] const confusion_weights& weights_at(std::size_t group, std::size_t k) const {
    return weights[group * thresholds.size() + k];
  }
  [[nodiscard]] const confusion_counts& overall(std::size_t k) const { return at(n_groups, k); }
};

namespace detail {

// Maps a score to its bucket #{k : t_k <= s} over a sorted grid.
class grid_bucketer {
 public:
  explicit grid_bucketer(std::span<const double> t) : t_(t), k_(t.size()) {
    if (k_ >= 2 && std::isfinite(t.front()) && std::isfinite(t.back()) && t.back() > t.front()) {
      inv_step_ = static_cast<double>(k_ - 1) / (t.back() - t.front());
      guess_ = std::isfinite(inv_step_);
    }
  }

  [[nodiscard]] std::size_t operator()(double s) const noexcept {
    if (!guess_) return search(s);
    double x = (s - t_.front()) * inv_step_;
    // Clamp before converting: +-inf and far-out scores.
    x = x < -1.0 ? -1.0 : (x > static_cast<double>(k_) ? static_cast<double>(k_) : x);
    auto b = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(std::floor(x)) + 1);
    if (b > k_) b = k_;
    // Correct by comparing with the grid: the result satisfies
    // t[b-1] <= s < t[b] exactly (with t[-1] = -inf, t[K] = +inf).
    if (b < k_ && t_[b] <= s) {
      ++b;
      if (b < k_ && t_[b] <= s) return search(s);
    } else if (b > 0 && t_[b - 1] > s) {
      --b;
      if (b > 0 && t_[b - 1] > s) return search(s);
    }
    return b;
  }

 private:
  [[nodiscard]] std::size_t search(double s) const noexcept {
    return static_cast<std::size_t>(std::upper_bound(t_.begin(), t_.end(), s) - t_.begin());
  }
  std::span<const double> t_;
  std::size_t k_;
  double inv_step_ = 0.0;
  bool guess_ = false;
};

// For f32 scores on large inputs: a table over the top 20 bits of the
// monotone key (see detail/score_sort.hpp), re-indexed by the raw bits of
// the float for the lookup. Each 20-bit prefix covers an
// interval [lo, hi] of floats; the table holds bucket(lo), a lower bound for
// every float in the interval, and a flag when bucket(lo) != bucket(hi). For
// unflagged prefixes (all but at most one per threshold) the bucket is read
// off directly; flagged ones are finished by comparing with the grid, so the
// result is again exactly #{k : t_k <= s}. Building it walks 2^20 prefixes
// once (~1 ms), so it is used only when n >= 2^20.
class f32_prefix_bucketer {
 public:
  static constexpr int prefix_bits = 20;
  static constexpr int shift = 32 - prefix_bits;
  static constexpr std::uint16_t straddle = 0x8000u;

  static bool usable(std::size_t n_rows, std::size_t k) noexcept {
    return n_rows >= (std::size_t{1} << 20) && k < 0x7fffu;
  }

  explicit f32_prefix_bucketer(std::span<const double> t)
      : t_(t), k_(t.size()), lut_(std::size_t{1} << prefix_bits) {
    std::size_t blo = 0, bhi = 0;
    for (std::size_t p = 0; p < lut_.size(); ++p) {
      const auto base = static_cast<std::uint32_t>(p << shift);
      const double lo = decode(base);
      const double hi = decode(base | ((std::uint32_t{1} << shift) - 1u));
      if (lo != lo) {  // NaN keys at the ends of the key space: bound 0, always refine
        lut_[p] = straddle;
        continue;
      }
      // lo increases with p over the non-NaN prefixes, so both walks are monotone.
      while (blo < k_ && t_[blo] <= lo) ++blo;
      bool exact = hi == hi;
      if (exact) {
        bhi = std::max(bhi, blo);
        while (bhi < k_ && t_[bhi] <= hi) ++bhi;
        exact = bhi == blo;
      }
      lut_[p] = static_cast<std::uint16_t>(blo | (exact ? 0u : straddle));
    }
    // Re-index by the raw bit prefix, so the hot loop skips the key
    // transform: a raw prefix with the sign bit set covers the key prefix
    // ~p (negative floats are bit-complemented), otherwise p | sign.
    std::vector<std::uint16_t> raw(lut_.size());
    const std::size_t sign = lut_.size() >> 1, mask = lut_.size() - 1;
    for (std::size_t p = 0; p < raw.size(); ++p) {
      raw[p] = lut_[(p & sign) ? (~p & mask) : (p | sign)];
    }
    lut_.swap(raw);
  }

  [[nodiscard]] std::size_t operator()(float sf) const noexcept {
    const std::uint16_t e = lut_[std::bit_cast<std::uint32_t>(sf) >> shift];
    std::size_t b = e & 0x7fffu;
    if (e & straddle) {
      const double s = static_cast<double>(sf);
      if (s != s) return k_ + 1;  // NaN: the caller's reject bucket
      while (b < k_ && t_[b] <= s) ++b;
    }
    return b;
  }

 private:
  static double decode(std::uint32_t key) noexcept {
    const std::uint32_t b = (key & 0x80000000u) ? (key & 0x7fffffffu) : ~key;
    return static_cast<double>(std::bit_cast<float>(b));
  }
  std::span<const double> t_;
  std::size_t k_;
  std::vector<std::uint16_t> lut_;
};

}  // namespace detail

// Confusion cells of every group (and overall) at every threshold of a
// sorted grid (non-decreasing, no NaN; +-inf allowed), in one pass.
template <detail::score_type S, detail::label_type L, detail::code_type G,
          detail::weight_type W = double>
threshold_sweep_result threshold_sweep(std::span<const S> scores, std::span<const L> labels,
                                       std::span<const G> groups, std::size_t n_groups,
                                       std::span<const double> thresholds,
                                       std::span<const W> weights = {}) {
  require(n_groups >= 1, errc::invalid_argument, "n_groups must be >= 1");
  detail::require_same_length(labels.size(), scores.size(), "labels", "scores");
  detail::require_same_length(groups.size(), scores.size(), "groups", "scores");
  const bool weighted = !weights.empty();
  if (weighted) detail::require_same_length(weights.size(), scores.size(), "weights", "scores");
  const std::size_t K = thresholds.size();
  require(K >= 1, errc::invalid_argument, "threshold_sweep: the grid is empty");
  for (std::size_t k = 0; k < K; ++k) {
    require(thresholds[k] == thresholds[k], errc::invalid_value, [&] {
      return "thresholds[" + std::to_string(k) + "] = nan: thresholds must not be NaN";
    });
    require(k == 0 || thresholds[k - 1] <= thresholds[k], errc::invalid_argument, [&] {
      return "thresholds[" + std::to_string(k) + "] = " + detail::fmt_double(thresholds[k]) +
             " < thresholds[" + std::to_string(k - 1) + "]: the grid must be non-decreasing";
    });
  }
  // Buckets 0..K, plus bucket K + 1 where the prefix-table path drops NaN
  // scores (detected after the pass; see below).
  const std::size_t nb = K + 2;
  const std::size_t m = n_groups + 1;
  // Histogram index: (g * 2 + y) * nb + b.
  std::vector<std::uint64_t> hist(m * 2 * nb, 0);
  std::vector<exact_sum> whist(weighted ? m * 2 * nb : 0);
  const std::size_t n = scores.size();
  // checks_scores: the bucketer sends NaN to bucket K + 1 itself, so the
  // per-block pre-check reads only labels, codes and weights.
  auto pass = [&](const auto& bucket, bool checks_scores) {
    for (std::size_t i0 = 0; i0 < n; i0 += detail::validate_block) {
      const std::size_t i1 = std::min(n, i0 + detail::validate_block);
      if (checks_scores) {
        bool bad = detail::any_bad_label(labels.data() + i0, i1 - i0);
        bad |= detail::any_bad_code(groups.data() + i0, i1 - i0, n_groups);
        if (weighted) bad |= detail::any_bad_weight(weights.data() + i0, i1 - i0);
        // Name the first bad row, which may be a NaN score in an earlier block.
        if (bad) {
          detail::validate_rows(scores, labels, groups, n_groups, weights,
                                detail::score_domain::any, 0, i1);
        }
      } else {
        detail::validate_rows(scores, labels, groups, n_groups, weights, detail::score_domain::any,
                              i0, i1);
      }
      if (weighted) {
        for (std::size_t i = i0; i < i1; ++i) {
          const std::size_t idx =
              (static_cast<std::size_t>(groups[i]) * 2 + (labels[i] ? 1u : 0u)) * nb +
              bucket(scores[i]);
          ++hist[idx];
          whist[idx].add(static_cast<double>(weights[i]));
        }
      } else {
        for (std::size_t i = i0; i < i1; ++i) {
          ++hist[(static_cast<std::size_t>(groups[i]) * 2 + (labels[i] ? 1u : 0u)) * nb +
                 bucket(scores[i])];
        }
      }
    }
    if (checks_scores) {
      std::uint64_t dropped = 0;
      for (std::size_t j = 0; j < 2 * n_groups; ++j) dropped += hist[j * nb + K + 1];
      if (dropped != 0) {
        detail::validate_rows(scores, labels, groups, n_groups, weights, detail::score_domain::any,
                              0, n);
      }
    }
  };
  if constexpr (std::is_same_v<S, float>) {
    if (detail::f32_prefix_bucketer::usable(n, K)) {
      pass(detail::f32_prefix_bucketer(thresholds), true);
    } else {
      const detail::grid_bucketer gb(thresholds);
      pass([&](float s) { return gb(static_cast<double>(s)); }, false);
    }
  } else {
    const detail::grid_bucketer gb(thresholds);
    pass([&](double s) { return gb(s); }, false);
  }
  // Overall slot = merge of the groups.
  const std::size_t all = n_groups * 2 * nb;
  for (std::size_t g = 0; g < n_groups; ++g) {
    for (std::size_t j = 0; j < 2 * nb; ++j) {
      hist[all + j] += hist[g * 2 * nb + j];
      if (weighted) whist[all + j] += whist[g * 2 * nb + j];
    }
  }
  threshold_sweep_result out;
  out.thresholds.assign(thresholds.begin(), thresholds.end());
  out.n_groups = n_groups;
  out.counts.resize(m * K);
  if (weighted) out.weights.resize(m * K);
  for (std::size_t g = 0; g < m; ++g) {
    const std::uint64_t* neg = hist.data() + (g * 2 + 0) * nb;
    const std::uint64_t* pos = hist.data() + (g * 2 + 1) * nb;
    // Predicted negative at k: buckets 0..k (prefix); positive: k+1..K (suffix).
    std::uint64_t tn = 0, fn = 0, fp = 0, tp = 0;
    for (std::size_t b = 0; b <= K; ++b) {
      fp += neg[b];
      tp += pos[b];
    }
    for (std::size_t k = 0; k < K; ++k) {
      tn += neg[k];
      fn += pos[k];
      fp -= neg[k];
      tp -= pos[k];
      out.counts[g * K + k] = confusion_counts{tp, fp, tn, fn};
    }
    if (weighted) {
      const exact_sum* wneg = whist.data() + (g * 2 + 0) * nb;
      const exact_sum* wpos = whist.data() + (g * 2 + 1) * nb;
      exact_sum s_tn, s_fn;
      for (std::size_t k = 0; k < K; ++k) {
        s_tn += wneg[k];
        s_fn += wpos[k];
        out.weights[g * K + k].tn = s_tn.value();
        out.weights[g * K + k].fn = s_fn.value();
      }
      exact_sum s_fp, s_tp;
      for (std::size_t k = K; k-- > 0;) {
        s_fp += wneg[k + 1];
        s_tp += wpos[k + 1];
        out.weights[g * K + k].fp = s_fp.value();
        out.weights[g * K + k].tp = s_tp.value();
      }
    }
  }
  return out;
}

}  // namespace metrics

FAIRGATE_END_NAMESPACE
