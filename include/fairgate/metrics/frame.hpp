// fairgate/metrics/frame.hpp: one metric by group and overall, with Fairlearn's aggregations.
//
//   auto f = fairgate::metrics::make_frame(acc, fairgate::metrics::metric::selection_rate);
//   f.by_group[g].value; f.overall.value;
//   auto d = f.difference();            // max - min over groups (Fairlearn between_groups)
//   auto r = f.ratio(fairgate::metrics::aggregation::to_overall);
//
// This is Fairlearn's MetricFrame for a single metric, with the same names:
//   group_min / group_max      min / max over groups
//   difference(between_groups) group_max - group_min
//   difference(to_overall)     max over groups of |m_g - m_overall|
//   ratio(between_groups)      group_min / group_max
//   ratio(to_overall)          min over groups of min(m_g / m_all, m_all / m_g)
// "overall" is the metric of all rows pooled (exact pooled sums), as in
// Fairlearn, not a mean of the group values.
//
// Where fairgate differs from Fairlearn (0.12), on purpose:
//   - Groups with no rows (empty intersectional combinations) are listed with
//     count 0 and undefined values; Fairlearn never sees them. They are never
//     used by an aggregate.
//   - Undefined values (NaN, zero denominator) are SKIPPED by every aggregate
//     and listed in aggregate_value::skipped. If every group is skipped, the
//     aggregate is undefined. (With zero_division::zero the values are 0, as
//     in Fairlearn/sklearn, and are used.)
//   - ratio with a zero denominator is undefined (NaN, flagged): between_groups
//     when group_max = 0; to_overall when m_overall = 0 (a group with
//     m_g = m_all = 0 is not an issue then: the ratio is undefined as a whole).
//     Fairlearn returns NaN or 0 here depending on pandas' NaN handling.
//     Ratios are meant for non-negative metrics: a negative value makes the
//     ratio undefined.
//   - Minimum support: groups whose row count is below min_support are
//     flagged in by_group and listed in aggregate_value::low_support whenever
//     they take part in an aggregate (they are not dropped: the flag is the
//     warning; use exclude_low_support to drop them).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/metrics/accumulator.hpp>
#include <fairgate/metrics/rates.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace metrics {

enum class aggregation : std::uint8_t { between_groups, to_overall };

struct frame_options {
  bool weighted = false;  // use sample weights (weight 1 when none were given)
  zero_division zero_div = zero_division::nan;
  std::uint64_t min_support = 0;     // rows; groups below it are flagged
  bool exclude_low_support = false;  // also skip them in aggregates
};

// One group's value in a frame.
struct group_value {
  double value = std::numeric_limits<double>::quiet_NaN();
  bool undefined = true;
  bool low_support = false;
  std::uint64_t support = 0;  // rows of the group
};

// The result of an aggregate or a disparity.
struct aggregate_value {
  double value = std::numeric_limits<double>::quiet_NaN();
  bool undefined = true;
  std::vector<std::uint32_t> skipped;      // groups not used: empty, undefined value (or excluded)
  std::vector<std::uint32_t> low_support;  // groups used although below min_support
};

struct metric_frame {
  metric m = metric::selection_rate;
  frame_options options{};
  std::vector<group_value> by_group;
  group_value overall;

  [[nodiscard]] aggregate_value group_min() const { return extreme(false); }
  [[nodiscard]] aggregate_value group_max() const { return extreme(true); }

  [[nodiscard]] aggregate_value difference(aggregation method = aggregation::between_groups) const {
    aggregate_value out = usable();
    if (out.undefined) return out;
    if (method == aggregation::between_groups) {
      const auto [lo, hi] = min_max(out);
      out.value = hi - lo;
      return out;
    }
    if (overall.undefined && std::isnan(overall.value)) return undefined_like(out);
    double d = 0.0;
    for_each_used(out, [&](double v) { d = std::max(d, std::fabs(v - overall.value)); });
    out.value = d;
    return out;
  }

  [[nodiscard]] aggregate_value ratio(aggregation method = aggregation::between_groups) const {
    aggregate_value out = usable();
    if (out.undefined) return out;
    bool negative = false;
    for_each_used(out, [&](double v) { negative = negative || v < 0.0; });
    if (negative) return undefined_like(out);
    if (method == aggregation::between_groups) {
      const auto [lo, hi] = min_max(out);
      if (hi == 0.0) return undefined_like(out);
      out.value = lo / hi;
      return out;
    }
    const double all = overall.value;
    if (std::isnan(all) || all <= 0.0) return undefined_like(out);
    double r = 1.0;
    for_each_used(out, [&](double v) {
      double x = v / all;
      // Fold to <= 1 as Fairlearn does; m_all / m_g is one rounding, where
      // Fairlearn's 1 / (m_g / m_all) is two, so the last bit may differ.
      if (x > 1.0) x = all / v;
      r = std::min(r, x);
    });
    out.value = r;
    return out;
  }

  // Whether group g takes part in aggregates.
  [[nodiscard]] bool is_used(std::uint32_t g) const {
    const auto& v = by_group[g];
    if (v.support == 0 || std::isnan(v.value)) return false;
    return !(options.exclude_low_support && v.low_support);
  }

 private:
  // The used groups' list (encoded in skipped/low_support); value unset.
  [[nodiscard]] aggregate_value usable() const {
    aggregate_value out;
    bool any = false;
    for (std::uint32_t g = 0; g < by_group.size(); ++g) {
      if (!is_used(g)) {
        out.skipped.push_back(g);
        continue;
      }
      any = true;
      if (by_group[g].low_support) out.low_support.push_back(g);
    }
    out.undefined = !any;
    return out;
  }
  template <class F>
  void for_each_used(const aggregate_value&, F&& f) const {
    for (std::uint32_t g = 0; g < by_group.size(); ++g) {
      if (is_used(g)) f(by_group[g].value);
    }
  }
  [[nodiscard]] std::pair<double, double> min_max(const aggregate_value& a) const {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for_each_used(a, [&](double v) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    });
    return {lo, hi};
  }
  [[nodiscard]] aggregate_value extreme(bool max) const {
    aggregate_value out = usable();
    if (out.undefined) return out;
    const auto [lo, hi] = min_max(out);
    out.value = max ? hi : lo;
    return out;
  }
  static aggregate_value undefined_like(aggregate_value a) {
    a.value = std::numeric_limits<double>::quiet_NaN();
    a.undefined = true;
    return a;
  }
};

// Metric m of every group of acc and of all rows pooled.
[[nodiscard]] inline metric_frame make_frame(const group_accumulator& acc, metric m,
                                             const frame_options& opt = {}) {
  metric_frame f;
  f.m = m;
  f.options = opt;
  const std::uint32_t G = acc.n_groups();
  f.by_group.resize(G);
  auto support_of = [&](std::uint32_t g) {
    return is_regression(m) ? acc.regression(g).count : acc.count(g);
  };
  for (std::uint32_t g = 0; g < G; ++g) {
    const rate_value r = compute(m, acc, g, opt.weighted, opt.zero_div);
    auto& v = f.by_group[g];
    v.support = support_of(g);
    v.value = r.value;
    v.undefined = r.undefined;
    v.low_support = v.support < opt.min_support;
    if (v.support == 0 && !std::isnan(v.value) && m != metric::count && m != metric::total_weight) {
      // An empty group has no value even under zero_division compatibility.
      v.value = std::numeric_limits<double>::quiet_NaN();
      v.undefined = true;
    }
  }
  const auto all = acc.all_groups();
  rate_value o;
  if (is_regression(m)) {
    o = compute(m, acc.pooled_regression(all), opt.weighted, opt.zero_div);
    f.overall.support = acc.pooled_regression(all).count;
  } else if (m == metric::count) {
    f.overall.support = acc.pooled_counts(all).total();
    o = {static_cast<double>(f.overall.support), false};
  } else if (m == metric::total_weight) {
    o = {acc.pooled_weights(all).total(), false};
    f.overall.support = acc.pooled_counts(all).total();
  } else {
    o = opt.weighted ? compute(m, acc.pooled_weights(all), opt.zero_div)
                     : compute(m, acc.pooled_counts(all), opt.zero_div);
    f.overall.support = acc.pooled_counts(all).total();
  }
  f.overall.value = o.value;
  f.overall.undefined = o.undefined;
  f.overall.low_support = f.overall.support < opt.min_support;
  return f;
}

}  // namespace metrics

FAIRGATE_END_NAMESPACE
