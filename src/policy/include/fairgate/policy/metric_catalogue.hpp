// fairgate/policy/metric_catalogue.hpp: the one table of metric names a policy may use.
//
// A constraint names its metric by string; this table is the single source of
// truth for which names exist, what kind of quantity each is, the range of its
// values and which options apply to it. The parser rejects every other name
// (with a "did you mean ...?" suggestion) and the gate switches on `metric_id`.
//
//   const auto* m = fairgate::policy::find_metric("equalized_odds_difference");
//   if (m && m->kind == fairgate::policy::metric_kind::disparity) { ... }
//
// Names follow Fairlearn (fairlearn.metrics) for between-group disparities and
// AIF360 (aif360.metrics.ClassificationMetric) for reference-group metrics, so
// a user of either library finds the names they know; see docs/policy.md.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <fairgate/config.hpp>

FAIRGATE_BEGIN_NAMESPACE
namespace policy {

enum class metric_id : std::uint8_t {
  // Fairlearn-style disparities between groups (unsigned; no reference group).
  demographic_parity_difference,
  demographic_parity_ratio,
  equalized_odds_difference,
  equalized_odds_ratio,
  equal_opportunity_difference,
  equal_opportunity_ratio,
  // AIF360-style: each non-reference group against the target's reference
  // group, "unprivileged minus (or over) privileged".
  statistical_parity_difference,
  disparate_impact,
  average_odds_difference,
  average_abs_odds_difference,
  tpr_difference,
  error_rate_difference,
  error_rate_ratio,
  fpr_difference,
  fpr_ratio,
  fnr_difference,
  fnr_ratio,
  fdr_difference,
  fdr_ratio,
  for_difference,
  for_ratio,
  average_predictive_value_difference,
  // Per-group rates (guardrails, or the pooled rate with scope = "overall").
  accuracy,
  error_rate,
  selection_rate,
  tpr,
  fpr,
  tnr,
  fnr,
  ppv,
  npv,
  fdr,
  for_,
  balanced_accuracy,
  f1,
  roc_auc,
  // Fairlearn-style disparities of the per-group ROC AUC (appended last so
  // the earlier ids keep their values).
  roc_auc_difference,
  roc_auc_ratio,
};

enum class metric_kind : std::uint8_t {
  disparity,   // one number comparing groups
  group_rate,  // one number per group (and a pooled number overall)
};

// Which convention a disparity follows, which decides what the gate computes.
enum class metric_family : std::uint8_t {
  fairlearn,  // max-min (difference) or min/max (ratio) over groups
  aif360,     // per non-reference group g: m(g) - m(ref) or m(g) / m(ref)
  rate,       // a per-group rate, not a disparity
};

// Which value is better: a direction hint for reports and for the controller's
// "worst-off group". `zero` and `one` are the ideal values of signed AIF360
// differences and ratios; `none` has no preferred direction (selection_rate).
enum class better_when : std::uint8_t { lower, higher, zero, one, none };

struct metric_info {
  metric_id id;
  std::string_view name;  // canonical spelling, used in the canonical form
  metric_kind kind;
  metric_family family;
  better_when better;
  double min_value;          // the metric's range: absolute bounds outside it are errors
  double max_value;          // +inf for unbounded ratios (disparate_impact ...)
  bool needs_scores;         // needs continuous scores, not only 0/1 predictions
  bool has_agg;              // accepts agg = "worst_case" | "mean" (equalized odds)
  bool has_method;           // accepts method = "between_groups" | "to_overall" (Fairlearn)
  bool is_proportion;        // a binomial proportion per group: Wilson intervals apply
  std::string_view summary;  // one line for docs and error messages
};

// Every metric, in metric_id order.
[[nodiscard]] std::span<const metric_info> metric_catalogue() noexcept;

// The entry of `id` (always exists).
[[nodiscard]] const metric_info& info(metric_id id) noexcept;

// Looks a name up, accepting the canonical name or a documented alias (e.g.
// "recall" -> tpr, "false_positive_rate_difference" -> fpr_difference).
// nullptr when unknown. Matching is exact (case-sensitive).
[[nodiscard]] const metric_info* find_metric(std::string_view name) noexcept;

// The canonical name closest to `name` by edit distance, if one is close enough
// to be a plausible typo (distance <= max(2, |name| / 3)); used for
// "did you mean ...?" in diagnostics.
[[nodiscard]] std::optional<std::string_view> suggest_metric(std::string_view name);

// Levenshtein distance (insert, delete, substitute all cost 1). Exposed because
// the parser also suggests keys with it.
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `name` if within max(2, |name| / 3); empty otherwise.
// Ties go to the earlier candidate, so suggestions are deterministic.
[[nodiscard]] std::optional<std::string_view> closest(std::string_view name,
                                                      std::span<const std::string_view> candidates);

}  // namespace policy
FAIRGATE_END_NAMESPACE
