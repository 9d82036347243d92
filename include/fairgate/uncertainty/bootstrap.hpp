// fairgate/uncertainty/bootstrap.hpp: Poisson bootstrap of count-based metrics, plain,
// stratified and paired, with percentile intervals.
//
//   namespace u = fairgate::uncertainty;
//   auto dp = [](std::span<const fairgate::metrics::confusion_counts> g) {  // any metric
//     return u::rate_of(g[0], u::rate::selection_rate) - u::rate_of(g[1], u::rate::selection_rate);
//   };
//   u::bootstrap_result r = u::bootstrap_counts(per_group_counts, dp, {.seed = 42, .replicates =
//   1000});
//   // r.estimate, r.ci.lower, r.ci.upper, r.values (one per replicate), r.n_undefined
//
// WHAT IS RESAMPLED. TFMA's Poisson bootstrap gives every row an independent
// Poisson(1) weight per replicate. For unweighted confusion counts only the
// sum of the weights in each cell matters, and the sum of n independent
// Poisson(1) variables is exactly Poisson(n). So a replicate draws ONE
// Poisson(n_cell) per (group, label, prediction) cell: O(B · cells) work,
// independent of the number of rows, the thread count and the row order, and
// exactly the same distribution as the per-row version (which row_bootstrap
// below implements for weighted rows and for checking).
//
// STREAMS (fixed layout; changing it changes every golden value). Replicate
// b in [0, B) uses one keyed stream per method, and each cell or group its
// own 2^32-word segment of it, so a cell's draw never depends on other cells:
//   poisson:    stream(seed, rng::purposes::bootstrap, b), cell g*4 + j at
//               position (g*4 + j) * 2^32, j = 0 tp, 1 fp, 2 tn, 3 fn;
//               draw rng::poisson(s, n_cell)
//   paired:     stream(seed, bootstrap_purposes::paired, b), cell g*8 + k at
//               position (g*8 + k) * 2^32, k = y*4 + a*2 + b (paired.hpp)
//   stratified: stream(seed, bootstrap_purposes::stratified, b), group g at
//               position g * 2^32: multinomial_counts(n_g, cells) over the 4
//               (or 8 paired) cells in the order above, so every group keeps
//               its size n_g exactly (binomial_sampler.hpp)
//   rows:       stream(seed, bootstrap_purposes::rows, b), row r at position
//               2 r: rng::poisson1 (2 words)
//
// STRATIFIED. A stratified replicate resamples n_g rows with replacement
// within each group g (so small groups keep their size; Fairlearn's whole-row
// resampling does not do this). The resulting cell counts are exactly
// Multinomial(n_g, observed cell proportions); we draw them directly.
//
// PAIRED. The same resampling weights apply to both models on the same rows:
// the joint (group, label, pred_A, pred_B) cells are resampled, and both
// models' confusion tables are the marginals of the SAME replicate. So the
// interval is for the change (candidate - baseline) of any metric or
// disparity, with the correlation between the models accounted for. With two
// identical models every replicate change is exactly 0.
//
// INTERVALS. The percentile interval at confidence c: the quantiles
// (1 - c)/2 and 1 - (1 - c)/2 of the defined replicate values, numpy's
// "linear" definition (percentile.hpp). Replicates whose metric is NaN (e.g.
// a group with no positives in that replicate) are excluded and counted in
// n_undefined, never replaced; if no replicate is defined the interval is
// undefined (NaN, defined = false). The replicate values are returned in
// replicate order (NaN kept), so callers can apply other definitions.
//
// MINIMUM SUPPORT. Groups with fewer than options.min_support rows are listed
// in low_support_groups of every result (and flagged in ci.low_support).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/metrics/confusion.hpp>
#include <fairgate/metrics/exact_sum.hpp>
#include <fairgate/metrics/inputs.hpp>
#include <fairgate/rng/discrete.hpp>
#include <fairgate/rng/stream.hpp>
#include <fairgate/uncertainty/binomial_sampler.hpp>
#include <fairgate/uncertainty/paired.hpp>
#include <fairgate/uncertainty/percentile.hpp>
#include <fairgate/uncertainty/wilson.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace uncertainty {

namespace bootstrap_purposes {
inline constexpr rng::purpose cells = rng::purposes::bootstrap;
inline constexpr rng::purpose paired{"bootstrap.paired"};
inline constexpr rng::purpose stratified{"bootstrap.stratified"};
inline constexpr rng::purpose rows{"bootstrap.rows"};
}  // namespace bootstrap_purposes

enum class resampling : std::uint8_t {
  poisson,     // TFMA's Poisson(1) bootstrap: group sizes vary between replicates
  stratified,  // resample within each group: every group keeps its size
};

struct bootstrap_options {
  std::uint64_t seed = 0;
  std::uint32_t replicates = 1000;  // B >= 1
  double confidence = 0.95;         // in (0, 1)
  resampling method = resampling::poisson;
  std::uint64_t min_support = 0;  // flag groups with fewer rows
};

struct bootstrap_result {
  double estimate = std::numeric_limits<double>::quiet_NaN();  // metric on the observed data
  interval ci;                    // percentile interval; ci.estimate == estimate
  std::vector<double> values;     // one per replicate, replicate order, NaN = undefined
  std::uint32_t n_undefined = 0;  // replicates whose value is NaN (excluded from ci)
  std::vector<std::uint32_t> low_support_groups;
};

namespace detail {

inline void check_bootstrap_options(const bootstrap_options& o) {
  require(o.replicates >= 1, errc::invalid_argument, "bootstrap: replicates must be >= 1");
  require(o.confidence > 0.0 && o.confidence < 1.0, errc::invalid_argument, [&] {
    return "bootstrap: confidence = " + std::to_string(o.confidence) + ": must be in (0, 1)";
  });
}

inline constexpr std::uint64_t segment_words = std::uint64_t{1} << 32;

inline void check_group_count(std::size_t n_groups, std::size_t cells_per_group) {
  require(n_groups * cells_per_group < segment_words, errc::invalid_argument,
          "bootstrap: too many groups for the stream layout (groups x cells must be < 2^32)");
}

template <class Cells>
std::vector<std::uint32_t> low_support(std::span<const Cells> groups, std::uint64_t min_support) {
  std::vector<std::uint32_t> out;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    if (groups[g].total() < min_support) out.push_back(static_cast<std::uint32_t>(g));
  }
  return out;
}

inline std::array<std::uint64_t, 4> cells_of(const metrics::confusion_counts& c) noexcept {
  return {c.tp, c.fp, c.tn, c.fn};
}

inline metrics::confusion_counts from_cells(const std::array<std::uint64_t, 4>& a) noexcept {
  metrics::confusion_counts c;
  c.tp = a[0];
  c.fp = a[1];
  c.tn = a[2];
  c.fn = a[3];
  return c;
}

}  // namespace detail

// Percentile interval over replicate values (NaN excluded and counted).
inline bootstrap_result summarize_replicates(double estimate, std::vector<double> values,
                                             double confidence) {
  require(confidence > 0.0 && confidence < 1.0, errc::invalid_argument, [&] {
    return "bootstrap: confidence = " + std::to_string(confidence) + ": must be in (0, 1)";
  });
  bootstrap_result r;
  r.estimate = estimate;
  r.ci.estimate = estimate;
  std::vector<double> defined;
  defined.reserve(values.size());
  for (double v : values) {
    if (std::isnan(v)) {
      ++r.n_undefined;
    } else {
      defined.push_back(v);
    }
  }
  if (!defined.empty()) {
    std::sort(defined.begin(), defined.end());
    const double alpha = 1.0 - confidence;
    r.ci.lower = quantile_sorted(defined, alpha / 2.0);
    r.ci.upper = quantile_sorted(defined, 1.0 - alpha / 2.0);
    r.ci.defined = true;
  }
  r.values = std::move(values);
  return r;
}

// ---------------------------------------------------------------------------
// Count-based bootstrap (one draw per cell).

// Replicate `replicate` of the per-group confusion counts, into `out`
// (same size as `observed`). Deterministic function of (seed, method,
// replicate, observed): see STREAMS above.
inline void resample_counts(std::span<const metrics::confusion_counts> observed,
                            std::uint32_t replicate, const bootstrap_options& options,
                            std::span<metrics::confusion_counts> out) {
  require(out.size() == observed.size(), errc::length_mismatch,
          "resample_counts: out and observed differ in length");
  detail::check_group_count(observed.size(), 4);
  if (options.method == resampling::poisson) {
    rng::stream s(options.seed, bootstrap_purposes::cells, replicate);
    for (std::size_t g = 0; g < observed.size(); ++g) {
      const auto cells = detail::cells_of(observed[g]);
      std::array<std::uint64_t, 4> draw{};
      for (std::size_t j = 0; j < 4; ++j) {
        s.seek((g * 4 + j) * detail::segment_words);
        draw[j] = rng::poisson(s, static_cast<double>(cells[j]));
      }
      out[g] = detail::from_cells(draw);
    }
  } else {
    rng::stream s(options.seed, bootstrap_purposes::stratified, replicate);
    for (std::size_t g = 0; g < observed.size(); ++g) {
      const auto cells = detail::cells_of(observed[g]);
      std::array<std::uint64_t, 4> draw{};
      s.seek(g * detail::segment_words);
      multinomial_counts(s, observed[g].total(), cells, draw);
      out[g] = detail::from_cells(draw);
    }
  }
}

// Bootstrap of any metric of the per-group confusion counts. `metric` is
// called as double(std::span<const metrics::confusion_counts>) on the
// observed tables once and on each replicate's tables once, in replicate
// order; it must be a pure function (NaN = undefined).
template <class Metric>
bootstrap_result bootstrap_counts(std::span<const metrics::confusion_counts> groups,
                                  Metric&& metric, const bootstrap_options& options) {
  detail::check_bootstrap_options(options);
  const auto as_span = [](const std::vector<metrics::confusion_counts>& v) {
    return std::span<const metrics::confusion_counts>(v);
  };
  const double estimate = static_cast<double>(metric(groups));
  std::vector<metrics::confusion_counts> rep(groups.size());
  std::vector<double> values(options.replicates);
  for (std::uint32_t b = 0; b < options.replicates; ++b) {
    resample_counts(groups, b, options, rep);
    values[b] = static_cast<double>(metric(as_span(rep)));
  }
  bootstrap_result r = summarize_replicates(estimate, std::move(values), options.confidence);
  r.low_support_groups = detail::low_support(groups, options.min_support);
  r.ci.low_support = !r.low_support_groups.empty();
  return r;
}

// Bootstrap of a per-group metric for every group at once (e.g. each group's
// TPR): `metric` is called as double(const metrics::confusion_counts&) on each
// group of the observed tables and of every replicate. Result g is exactly
// what bootstrap_counts would give for "metric of group g" with the same
// options (same replicates, same bits), computed from one set of draws.
// low_support_groups of result g is {g} when group g is below min_support.
template <class GroupMetric>
std::vector<bootstrap_result> bootstrap_per_group(std::span<const metrics::confusion_counts> groups,
                                                  GroupMetric&& metric,
                                                  const bootstrap_options& options) {
  detail::check_bootstrap_options(options);
  const std::size_t G = groups.size();
  std::vector<std::vector<double>> values(G, std::vector<double>(options.replicates));
  std::vector<metrics::confusion_counts> rep(G);
  for (std::uint32_t b = 0; b < options.replicates; ++b) {
    resample_counts(groups, b, options, rep);
    for (std::size_t g = 0; g < G; ++g) values[g][b] = static_cast<double>(metric(rep[g]));
  }
  std::vector<bootstrap_result> out;
  out.reserve(G);
  for (std::size_t g = 0; g < G; ++g) {
    out.push_back(summarize_replicates(static_cast<double>(metric(groups[g])), std::move(values[g]),
                                       options.confidence));
    if (groups[g].total() < options.min_support) {
      out.back().low_support_groups.push_back(static_cast<std::uint32_t>(g));
      out.back().ci.low_support = true;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Paired bootstrap (two models, same rows).

// Replicate `replicate` of the joint per-group tables.
inline void resample_paired(std::span<const paired_cells> observed, std::uint32_t replicate,
                            const bootstrap_options& options, std::span<paired_cells> out) {
  require(out.size() == observed.size(), errc::length_mismatch,
          "resample_paired: out and observed differ in length");
  detail::check_group_count(observed.size(), 8);
  if (options.method == resampling::poisson) {
    rng::stream s(options.seed, bootstrap_purposes::paired, replicate);
    for (std::size_t g = 0; g < observed.size(); ++g) {
      for (std::size_t k = 0; k < 8; ++k) {
        s.seek((g * 8 + k) * detail::segment_words);
        out[g].n[k] = rng::poisson(s, static_cast<double>(observed[g].n[k]));
      }
    }
  } else {
    rng::stream s(options.seed, bootstrap_purposes::stratified, replicate);
    for (std::size_t g = 0; g < observed.size(); ++g) {
      s.seek(g * detail::segment_words);
      multinomial_counts(s, observed[g].total(), observed[g].n, out[g].n);
    }
  }
}

// Paired bootstrap of any comparison of the two models. `change` is called
// as double(std::span<const confusion_counts> baseline,
//           std::span<const confusion_counts> candidate)
// on the observed tables and on every replicate (both spans from the SAME
// replicate). Use paired_change(metric) for candidate - baseline of a metric.
template <class Change>
bootstrap_result paired_bootstrap(std::span<const paired_cells> groups, Change&& change,
                                  const bootstrap_options& options) {
  detail::check_bootstrap_options(options);
  const std::size_t G = groups.size();
  std::vector<metrics::confusion_counts> base(G);
  std::vector<metrics::confusion_counts> cand(G);
  const auto evaluate = [&](std::span<const paired_cells> t) {
    for (std::size_t g = 0; g < G; ++g) {
      base[g] = t[g].baseline();
      cand[g] = t[g].candidate();
    }
    return static_cast<double>(change(std::span<const metrics::confusion_counts>(base),
                                      std::span<const metrics::confusion_counts>(cand)));
  };
  const double estimate = evaluate(groups);
  std::vector<paired_cells> rep(G);
  std::vector<double> values(options.replicates);
  for (std::uint32_t b = 0; b < options.replicates; ++b) {
    resample_paired(groups, b, options, rep);
    values[b] = evaluate(std::span<const paired_cells>(rep));
  }
  bootstrap_result r = summarize_replicates(estimate, std::move(values), options.confidence);
  r.low_support_groups = detail::low_support(groups, options.min_support);
  r.ci.low_support = !r.low_support_groups.empty();
  return r;
}

// change(base, cand) = metric(cand) - metric(base) (NaN if either is NaN).
template <class Metric>
auto paired_change(Metric metric) {
  return [metric](std::span<const metrics::confusion_counts> base,
                  std::span<const metrics::confusion_counts> cand) {
    return static_cast<double>(metric(cand)) - static_cast<double>(metric(base));
  };
}

// ---------------------------------------------------------------------------
// Per-row Poisson(1) weights (TFMA's formulation): for weighted rows, and
// score-based metrics that need every row's weight.

// The Poisson(1) weight of row `row_id` in replicate `replicate`: a pure
// function of (seed, replicate, row_id), so any shard, thread or order of
// rows gets the same weight for the same row.
inline std::uint32_t row_weight(std::uint64_t seed, std::uint32_t replicate, std::uint64_t row_id) {
  rng::stream s(seed, bootstrap_purposes::rows, replicate);
  s.seek(2 * row_id);
  return rng::poisson1(s);
}

// Fills out[i] = row_weight(seed, replicate, first_row_id + i) (sequential,
// so each Philox block serves two rows).
inline void row_weights(std::uint64_t seed, std::uint32_t replicate, std::uint64_t first_row_id,
                        std::span<std::uint32_t> out) noexcept {
  rng::stream s(seed, bootstrap_purposes::rows, replicate);
  s.seek(2 * first_row_id);
  for (std::uint32_t& w : out) w = rng::poisson1(s);
}

// Replicate confusion tables accumulated row by row with per-row Poisson(1)
// weights. Rows are identified by a global row id (first_row_id + i), so
// shards can be accumulated anywhere and merged: unweighted counts are exact
// integers and weighted cells are exact sums (metrics::exact_sum, rounded
// once on read), hence identical bits for any sharding, thread count or
// order of add()/merge(). Cost O(B · rows); prefer bootstrap_counts for
// unweighted confusion metrics (same distribution, O(B · cells)).
class row_bootstrap {
 public:
  row_bootstrap(std::uint32_t n_groups, std::uint32_t replicates, std::uint64_t seed)
      : n_groups_(n_groups),
        replicates_(replicates),
        seed_(seed),
        counts_(static_cast<std::size_t>(n_groups) * replicates) {
    require(n_groups > 0, errc::invalid_argument, "row_bootstrap: n_groups = 0");
    require(replicates > 0, errc::invalid_argument, "row_bootstrap: replicates = 0");
  }

  [[nodiscard]] std::uint32_t n_groups() const noexcept { return n_groups_; }
  [[nodiscard]] std::uint32_t replicates() const noexcept { return replicates_; }
  [[nodiscard]] bool weighted() const noexcept { return !sums_.empty(); }

  // Adds rows i = 0..n-1 of `in` as global rows first_row_id + i. Validation
  // names the first bad row (label/prediction outside {0,1}, NaN score, group
  // code >= n_groups, negative/NaN/infinite weight, length mismatch). A
  // bootstrap is either weighted or not: mixing weighted and unweighted
  // add() calls throws.
  void add(const metrics::binary_inputs& in, std::uint64_t first_row_id) {
    add_impl(in, first_row_id, {});
  }

  // Same, with an explicit global id per row (row_ids[i] for row i), e.g.
  // for rows that arrive in another order. Ids should be distinct: two rows
  // with the same id get the same weights.
  void add(const metrics::binary_inputs& in, std::span<const std::uint64_t> row_ids) {
    require(row_ids.size() == in.y_true.size, errc::length_mismatch, [&] {
      return "row_bootstrap::add: " + std::to_string(row_ids.size()) + " row ids for " +
             std::to_string(in.y_true.size) + " rows";
    });
    add_impl(in, 0, row_ids);
  }

  // this += other (same shape and seed); exact, so merge order is irrelevant.
  void merge(const row_bootstrap& o) {
    require(o.n_groups_ == n_groups_ && o.replicates_ == replicates_ && o.seed_ == seed_,
            errc::invalid_argument, "row_bootstrap::merge: different shape or seed");
    require(o.adds_ == 0 || adds_ == 0 || o.weighted() == weighted(), errc::invalid_argument,
            "row_bootstrap::merge: cannot mix weighted and unweighted bootstraps");
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += o.counts_[i];
    if (o.weighted()) {
      if (sums_.empty()) sums_.resize(o.sums_.size());
      for (std::size_t i = 0; i < sums_.size(); ++i) sums_[i] += o.sums_[i];
    }
    adds_ += o.adds_;
  }

  // Replicate b's per-group counts: sum of the Poisson weights in each cell.
  [[nodiscard]] std::span<const metrics::confusion_counts> counts(std::uint32_t b) const {
    require(b < replicates_, errc::out_of_range, "row_bootstrap::counts: replicate out of range");
    return {counts_.data() + static_cast<std::size_t>(b) * n_groups_, n_groups_};
  }

  // Replicate b's per-group weighted cells: sum of w_i · k_i in each cell
  // (exact, rounded once). Zero tables when no weighted rows were added.
  [[nodiscard]] std::vector<metrics::confusion_weights> weights(std::uint32_t b) const {
    require(b < replicates_, errc::out_of_range, "row_bootstrap::weights: replicate out of range");
    std::vector<metrics::confusion_weights> out(n_groups_);
    if (sums_.empty()) return out;
    for (std::uint32_t g = 0; g < n_groups_; ++g) {
      const std::size_t base = (static_cast<std::size_t>(b) * n_groups_ + g) * 4;
      out[g].tp = sums_[base + 0].value();
      out[g].fp = sums_[base + 1].value();
      out[g].tn = sums_[base + 2].value();
      out[g].fn = sums_[base + 3].value();
    }
    return out;
  }

 private:
  void add_impl(const metrics::binary_inputs& in, std::uint64_t first_row_id,
                std::span<const std::uint64_t> row_ids) {
    require(in.n_groups == n_groups_, errc::invalid_argument, [&] {
      return "row_bootstrap::add: n_groups = " + std::to_string(in.n_groups) + ", expected " +
             std::to_string(n_groups_);
    });
    const std::size_t n = in.y_true.size;
    require(in.y_pred.size() == n && in.groups.size == n && (!in.weights || in.weights->size == n),
            errc::length_mismatch, [&] {
              return "row_bootstrap::add: inputs differ in length (y_true has " +
                     std::to_string(n) + " rows)";
            });
    const bool w = in.weights.has_value();
    require(adds_ == 0 || w == weighted(), errc::invalid_argument,
            "row_bootstrap::add: cannot mix weighted and unweighted rows");
    // Validate and compute each row's cell once.
    std::vector<std::uint32_t> cell(n);
    std::vector<double> weight(w ? n : 0);
    for (std::size_t i = 0; i < n; ++i) {
      const std::int64_t y = in.y_true.at(i);
      require(y == 0 || y == 1, errc::out_of_range, [&] {
        return "row_bootstrap::add: labels[" + std::to_string(i) + "] = " + std::to_string(y) +
               ": labels must be 0 or 1";
      });
      const unsigned p = detail::paired_prediction(in.y_pred, i, "row_bootstrap::add:");
      const std::uint64_t g = in.groups.at(i);
      require(g < n_groups_, errc::out_of_range, [&] {
        return "row_bootstrap::add: groups[" + std::to_string(i) + "] = " + std::to_string(g) +
               ": group codes must be < n_groups = " + std::to_string(n_groups_);
      });
      // cell index within the group: 0 tp, 1 fp, 2 tn, 3 fn
      const std::uint32_t j = y == 1 ? (p == 1 ? 0u : 3u) : (p == 1 ? 1u : 2u);
      cell[i] = static_cast<std::uint32_t>(g) * 4u + j;
      if (w) {
        const double wi = in.weights->at(i);
        require(std::isfinite(wi) && wi >= 0.0, errc::invalid_value, [&] {
          return "row_bootstrap::add: weights[" + std::to_string(i) + "] = " + std::to_string(wi) +
                 ": weights must be finite and >= 0";
        });
        weight[i] = wi;
      }
    }
    // All rows are valid: only now change the state (a failed add() leaves it untouched).
    if (w && sums_.empty()) sums_.resize(counts_.size() * 4);
    ++adds_;
    std::vector<std::uint32_t> k(n);
    for (std::uint32_t b = 0; b < replicates_; ++b) {
      if (row_ids.empty()) {
        row_weights(seed_, b, first_row_id, k);
      } else {
        for (std::size_t i = 0; i < n; ++i) k[i] = row_weight(seed_, b, row_ids[i]);
      }
      metrics::confusion_counts* rep = counts_.data() + static_cast<std::size_t>(b) * n_groups_;
      for (std::size_t i = 0; i < n; ++i) {
        if (k[i] == 0) continue;
        const std::uint32_t g = cell[i] >> 2;
        switch (cell[i] & 3u) {
          case 0:
            rep[g].tp += k[i];
            break;
          case 1:
            rep[g].fp += k[i];
            break;
          case 2:
            rep[g].tn += k[i];
            break;
          default:
            rep[g].fn += k[i];
            break;
        }
        if (w) {
          metrics::exact_sum& s = sums_[(static_cast<std::size_t>(b) * n_groups_) * 4 + cell[i]];
          for (std::uint32_t t = 0; t < k[i]; ++t) s.add(weight[i]);
        }
      }
    }
  }

  std::uint32_t n_groups_;
  std::uint32_t replicates_;
  std::uint64_t seed_;
  std::vector<metrics::confusion_counts> counts_;  // [b][g]
  std::vector<metrics::exact_sum> sums_;           // [b][g][cell], only when weighted
  std::uint64_t adds_ = 0;
};

}  // namespace uncertainty

FAIRGATE_END_NAMESPACE
