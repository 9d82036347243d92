// fairgate/metrics/disparities.hpp: named disparity metrics of the Fairlearn and AIF360 families.
//
//   namespace fm = fairgate::metrics;
//   auto dp = fm::demographic_parity_difference(acc);                      // Fairlearn
//   auto eo = fm::equalized_odds_ratio(acc, {.agg = fm::eo_aggregation::mean});
//   auto di = fm::disparate_impact(acc, {.unprivileged = {0}, .privileged = {1}});  // AIF360
//
// Fairlearn family (0.12 semantics), built on metric_frame (frame.hpp); all
// take disparity_options {weighted, zero_div, min_support, method, agg}:
//   demographic_parity_difference  = frame(selection_rate).difference(method)
//   demographic_parity_ratio       = frame(selection_rate).ratio(method)
//   equal_opportunity_difference   = frame(TPR).difference(method)
//   equal_opportunity_ratio        = frame(TPR).ratio(method)
//   equalized_odds_difference      = worst_case: max(d_TPR, d_FPR);  mean: (d_TPR + d_FPR) / 2
//   equalized_odds_ratio           = worst_case: min(r_TPR, r_FPR);  mean: (r_TPR + r_FPR) / 2
// (d_X = frame(X).difference(method), r_X = frame(X).ratio(method)).
// Undefined groups are skipped and listed (frame.hpp); an equalized-odds
// value is undefined if either of its two parts is, and lists the union of
// skipped and low-support groups.
//
// AIF360 family (ClassificationMetric semantics): a SIGNED comparison of the
// unprivileged side u with the privileged side p, each a SET of groups whose
// rows are pooled (exact pooled cells) - exactly AIF360's meaning of a list of
// unprivileged_groups / privileged_groups conditions (rows matching any).
//   statistical_parity_difference        SR_u - SR_p                      (SR = selection rate)
//   disparate_impact                     SR_u / SR_p
//   average_odds_difference              ((FPR_u - FPR_p) + (TPR_u - TPR_p)) / 2
//   average_abs_odds_difference          (|FPR_u - FPR_p| + |TPR_u - TPR_p|) / 2
//   equal_opportunity_difference (aif)   TPR_u - TPR_p
//   error_rate_difference / _ratio       ERR_u - ERR_p  /  ERR_u / ERR_p
//   {fpr,fnr,fdr,for}_difference/_ratio  X_u - X_p  /  X_u / X_p
//   average_predictive_value_difference  ((PPV_u - PPV_p) + (FOR_u - FOR_p)) / 2
// The last one follows AIF360's code and docstring, which use the false
// omission rate (not NPV) as the second term.
// Undefined: if a rate of either side is undefined (zero denominator), the
// result is NaN and flagged, and the groups of that side are listed in
// skipped. A ratio whose privileged rate is 0 is undefined (AIF360 returns
// inf or NaN from numpy). Swapping the sides negates every difference and
// inverts every ratio.
// Several unprivileged groups: either pool them (one group_split) or compare
// each group with a reference group (compare_to_reference): entry g is group
// g (unprivileged) vs the reference (privileged); the reference's own entry
// compares it with itself (0 / 1 when defined).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/metrics/accumulator.hpp>
#include <fairgate/metrics/frame.hpp>
#include <fairgate/metrics/rates.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace metrics {

// ---------------------------------------------------------------- Fairlearn
enum class eo_aggregation : std::uint8_t { worst_case, mean };

struct disparity_options {
  bool weighted = false;
  zero_division zero_div = zero_division::nan;
  std::uint64_t min_support = 0;
  bool exclude_low_support = false;
  aggregation method = aggregation::between_groups;
  eo_aggregation agg = eo_aggregation::worst_case;

  [[nodiscard]] frame_options frame() const {
    return {weighted, zero_div, min_support, exclude_low_support};
  }
};

namespace disparities_detail {
inline void merge_sorted(std::vector<std::uint32_t>& into, const std::vector<std::uint32_t>& from) {
  std::vector<std::uint32_t> out;
  std::set_union(into.begin(), into.end(), from.begin(), from.end(), std::back_inserter(out));
  into = std::move(out);
}
// Combines the TPR and FPR parts of equalized odds.
inline aggregate_value combine(aggregate_value a, const aggregate_value& b, bool use_max,
                               eo_aggregation agg) {
  merge_sorted(a.skipped, b.skipped);
  merge_sorted(a.low_support, b.low_support);
  if (a.undefined || b.undefined) {
    a.undefined = true;
    a.value = std::numeric_limits<double>::quiet_NaN();
    return a;
  }
  if (agg == eo_aggregation::mean) {
    a.value = (a.value + b.value) / 2.0;
  } else {
    a.value = use_max ? std::max(a.value, b.value) : std::min(a.value, b.value);
  }
  return a;
}
}  // namespace disparities_detail

inline aggregate_value demographic_parity_difference(const group_accumulator& acc,
                                                     const disparity_options& o = {}) {
  return make_frame(acc, metric::selection_rate, o.frame()).difference(o.method);
}
inline aggregate_value demographic_parity_ratio(const group_accumulator& acc,
                                                const disparity_options& o = {}) {
  return make_frame(acc, metric::selection_rate, o.frame()).ratio(o.method);
}
inline aggregate_value equal_opportunity_difference(const group_accumulator& acc,
                                                    const disparity_options& o = {}) {
  return make_frame(acc, metric::true_positive_rate, o.frame()).difference(o.method);
}
inline aggregate_value equal_opportunity_ratio(const group_accumulator& acc,
                                               const disparity_options& o = {}) {
  return make_frame(acc, metric::true_positive_rate, o.frame()).ratio(o.method);
}
inline aggregate_value equalized_odds_difference(const group_accumulator& acc,
                                                 const disparity_options& o = {}) {
  return disparities_detail::combine(
      make_frame(acc, metric::true_positive_rate, o.frame()).difference(o.method),
      make_frame(acc, metric::false_positive_rate, o.frame()).difference(o.method), true, o.agg);
}
inline aggregate_value equalized_odds_ratio(const group_accumulator& acc,
                                            const disparity_options& o = {}) {
  return disparities_detail::combine(
      make_frame(acc, metric::true_positive_rate, o.frame()).ratio(o.method),
      make_frame(acc, metric::false_positive_rate, o.frame()).ratio(o.method), false, o.agg);
}

// ---------------------------------------------------------------- AIF360
// The two sides of an AIF360-style comparison (sets of group codes, pooled).
struct group_split {
  std::vector<std::uint32_t> unprivileged;
  std::vector<std::uint32_t> privileged;
};

struct comparison_options {
  bool weighted = false;
  zero_division zero_div = zero_division::nan;
  std::uint64_t min_support = 0;
};

enum class aif360_metric : std::uint8_t {
  statistical_parity_difference,
  disparate_impact,
  average_odds_difference,
  average_abs_odds_difference,
  equal_opportunity_difference,
  error_rate_difference,
  error_rate_ratio,
  false_positive_rate_difference,
  false_positive_rate_ratio,
  false_negative_rate_difference,
  false_negative_rate_ratio,
  false_discovery_rate_difference,
  false_discovery_rate_ratio,
  false_omission_rate_difference,
  false_omission_rate_ratio,
  average_predictive_value_difference,
};

namespace disparities_detail {
inline void check_side(const std::vector<std::uint32_t>& side, const char* name, std::uint32_t G) {
  require(!side.empty(), errc::invalid_argument,
          [&] { return std::string("group_split: the ") + name + " side is empty"; });
  for (std::size_t i = 0; i < side.size(); ++i) {
    require(side[i] < G, errc::out_of_range, [&] {
      return std::string("group_split: ") + name + "[" + std::to_string(i) +
             "] = " + std::to_string(side[i]) +
             ": group codes must be < n_groups = " + std::to_string(G);
    });
  }
}
inline std::vector<std::uint32_t> sorted_unique(std::vector<std::uint32_t> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}
}  // namespace disparities_detail

// The AIF360 metric `m` of the pooled unprivileged side vs the pooled privileged side.
[[nodiscard]] inline aggregate_value compare(aif360_metric m, const group_accumulator& acc,
                                             const group_split& split,
                                             const comparison_options& o = {}) {
  using namespace disparities_detail;
  const std::uint32_t G = acc.n_groups();
  check_side(split.unprivileged, "unprivileged", G);
  check_side(split.privileged, "privileged", G);
  const auto u_groups = sorted_unique(split.unprivileged);
  const auto p_groups = sorted_unique(split.privileged);
  {
    std::vector<std::uint32_t> both;
    std::set_intersection(u_groups.begin(), u_groups.end(), p_groups.begin(), p_groups.end(),
                          std::back_inserter(both));
    require(both.empty(), errc::invalid_argument, [&] {
      return "group_split: group " + std::to_string(both.front()) +
             " is on both the unprivileged and privileged side";
    });
  }
  const rate_terms tu =
      o.weighted ? terms_of(acc.pooled_weights(u_groups)) : terms_of(acc.pooled_counts(u_groups));
  const rate_terms tp =
      o.weighted ? terms_of(acc.pooled_weights(p_groups)) : terms_of(acc.pooled_counts(p_groups));

  aggregate_value out;
  for (auto g : sorted_unique([&] {
         auto all = u_groups;
         all.insert(all.end(), p_groups.begin(), p_groups.end());
         return all;
       }())) {
    if (acc.count(g) < o.min_support) out.low_support.push_back(g);
  }
  bool u_bad = false, p_bad = false;
  auto rate = [&](metric r, const rate_terms& t, bool& bad) {
    const rate_value v = compute(r, t, o.zero_div);
    if (std::isnan(v.value)) bad = true;
    return v.value;
  };
  auto diff = [&](metric r) { return rate(r, tu, u_bad) - rate(r, tp, p_bad); };
  double value = 0.0;
  bool ratio_undefined = false;
  auto ratio = [&](metric r) {
    const double a = rate(r, tu, u_bad);
    const double b = rate(r, tp, p_bad);
    if (b == 0.0) ratio_undefined = true;
    return a / b;
  };
  switch (m) {
    case aif360_metric::statistical_parity_difference:
      value = diff(metric::selection_rate);
      break;
    case aif360_metric::disparate_impact:
      value = ratio(metric::selection_rate);
      break;
    case aif360_metric::average_odds_difference:
      value = (diff(metric::false_positive_rate) + diff(metric::true_positive_rate)) / 2.0;
      break;
    case aif360_metric::average_abs_odds_difference:
      value = (std::fabs(diff(metric::false_positive_rate)) +
               std::fabs(diff(metric::true_positive_rate))) /
              2.0;
      break;
    case aif360_metric::equal_opportunity_difference:
      value = diff(metric::true_positive_rate);
      break;
    case aif360_metric::error_rate_difference:
      value = diff(metric::error_rate);
      break;
    case aif360_metric::error_rate_ratio:
      value = ratio(metric::error_rate);
      break;
    case aif360_metric::false_positive_rate_difference:
      value = diff(metric::false_positive_rate);
      break;
    case aif360_metric::false_positive_rate_ratio:
      value = ratio(metric::false_positive_rate);
      break;
    case aif360_metric::false_negative_rate_difference:
      value = diff(metric::false_negative_rate);
      break;
    case aif360_metric::false_negative_rate_ratio:
      value = ratio(metric::false_negative_rate);
      break;
    case aif360_metric::false_discovery_rate_difference:
      value = diff(metric::fdr);
      break;
    case aif360_metric::false_discovery_rate_ratio:
      value = ratio(metric::fdr);
      break;
    case aif360_metric::false_omission_rate_difference:
      value = diff(metric::false_omission_rate);
      break;
    case aif360_metric::false_omission_rate_ratio:
      value = ratio(metric::false_omission_rate);
      break;
    case aif360_metric::average_predictive_value_difference:
      value = (diff(metric::precision) + diff(metric::false_omission_rate)) / 2.0;
      break;
  }
  if (u_bad) out.skipped.insert(out.skipped.end(), u_groups.begin(), u_groups.end());
  if (p_bad) out.skipped.insert(out.skipped.end(), p_groups.begin(), p_groups.end());
  out.skipped = sorted_unique(out.skipped);
  if (u_bad || p_bad || ratio_undefined) {
    out.undefined = true;
    out.value = std::numeric_limits<double>::quiet_NaN();
  } else {
    out.undefined = false;
    out.value = value;
  }
  return out;
}

// Entry g: group g (unprivileged) vs `reference` (privileged).
[[nodiscard]] inline std::vector<aggregate_value> compare_to_reference(
    aif360_metric m, const group_accumulator& acc, std::uint32_t reference,
    const comparison_options& o = {}) {
  require(reference < acc.n_groups(), errc::out_of_range, [&] {
    return "compare_to_reference: reference group " + std::to_string(reference) +
           " must be < n_groups = " + std::to_string(acc.n_groups());
  });
  std::vector<aggregate_value> out;
  out.reserve(acc.n_groups());
  for (std::uint32_t g = 0; g < acc.n_groups(); ++g) {
    if (g == reference) {
      // Self-comparison: pooling a group with itself is not a split, so the
      // value is computed as difference 0 / ratio 1 from the group's own rates.
      group_accumulator self(2);
      auto& c = self.mutable_counts();
      c[0] = c[1] = acc.counts(g);
      if (acc.has_weighted_cells()) {
        auto& w = self.mutable_weights();
        w[0] = w[1] = acc.exact_weights(g);
      }
      out.push_back(compare(m, self, {{0}, {1}}, o));
      continue;
    }
    out.push_back(compare(m, acc, {{g}, {reference}}, o));
  }
  return out;
}

// Named AIF360 metrics.
#define FAIRGATE_AIF360_NAMED(name)                                                               \
  [[nodiscard]] inline aggregate_value name(                                                      \
      const group_accumulator& acc, const group_split& split, const comparison_options& o = {}) { \
    return compare(aif360_metric::name, acc, split, o);                                           \
  }
FAIRGATE_AIF360_NAMED(statistical_parity_difference)
FAIRGATE_AIF360_NAMED(disparate_impact)
FAIRGATE_AIF360_NAMED(average_odds_difference)
FAIRGATE_AIF360_NAMED(average_abs_odds_difference)
FAIRGATE_AIF360_NAMED(error_rate_difference)
FAIRGATE_AIF360_NAMED(error_rate_ratio)
FAIRGATE_AIF360_NAMED(false_positive_rate_difference)
FAIRGATE_AIF360_NAMED(false_positive_rate_ratio)
FAIRGATE_AIF360_NAMED(false_negative_rate_difference)
FAIRGATE_AIF360_NAMED(false_negative_rate_ratio)
FAIRGATE_AIF360_NAMED(false_discovery_rate_difference)
FAIRGATE_AIF360_NAMED(false_discovery_rate_ratio)
FAIRGATE_AIF360_NAMED(false_omission_rate_difference)
FAIRGATE_AIF360_NAMED(false_omission_rate_ratio)
FAIRGATE_AIF360_NAMED(average_predictive_value_difference)
#undef FAIRGATE_AIF360_NAMED

// AIF360's equal_opportunity_difference (signed, TPR_u - TPR_p). Named with an
// aif360_ prefix because Fairlearn's equal_opportunity_difference above is
// the unsigned max-min over all groups.
[[nodiscard]] inline aggregate_value aif360_equal_opportunity_difference(
    const group_accumulator& acc, const group_split& split, const comparison_options& o = {}) {
  return compare(aif360_metric::equal_opportunity_difference, acc, split, o);
}

}  // namespace metrics

FAIRGATE_END_NAMESPACE
