// The metrics catalogue: one row per metric a policy may name.
#include <fairgate/policy/metric_catalogue.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <vector>

FAIRGATE_BEGIN_NAMESPACE
namespace policy {
namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

using K = metric_kind;
using F = metric_family;
using B = better_when;
using M = metric_id;

// Columns: id, name, kind, family, better, min, max, needs_scores, has_agg,
// has_method, is_proportion, summary. Ranges: Fairlearn differences and ratios
// lie in [0,1]; AIF360 signed differences in [-1,1]; AIF360 ratios in [0,inf).
constexpr std::array<metric_info, 38> table{{
    {M::demographic_parity_difference, "demographic_parity_difference", K::disparity, F::fairlearn,
     B::lower, 0, 1, false, false, true, false,
     "max - min over groups of the selection rate (Fairlearn)"},
    {M::demographic_parity_ratio, "demographic_parity_ratio", K::disparity, F::fairlearn, B::higher,
     0, 1, false, false, true, false, "min / max over groups of the selection rate (Fairlearn)"},
    {M::equalized_odds_difference, "equalized_odds_difference", K::disparity, F::fairlearn,
     B::lower, 0, 1, false, true, true, false,
     "agg(TPR difference, FPR difference), agg = max (worst_case) or mean (Fairlearn)"},
    {M::equalized_odds_ratio, "equalized_odds_ratio", K::disparity, F::fairlearn, B::higher, 0, 1,
     false, true, true, false,
     "agg(TPR ratio, FPR ratio), agg = min (worst_case) or mean (Fairlearn)"},
    {M::equal_opportunity_difference, "equal_opportunity_difference", K::disparity, F::fairlearn,
     B::lower, 0, 1, false, false, true, false, "max - min over groups of the TPR (Fairlearn)"},
    {M::equal_opportunity_ratio, "equal_opportunity_ratio", K::disparity, F::fairlearn, B::higher,
     0, 1, false, false, true, false, "min / max over groups of the TPR (Fairlearn)"},
    {M::statistical_parity_difference, "statistical_parity_difference", K::disparity, F::aif360,
     B::zero, -1, 1, false, false, false, false,
     "selection rate of g minus that of the reference group (AIF360)"},
    {M::disparate_impact, "disparate_impact", K::disparity, F::aif360, B::one, 0, inf, false, false,
     false, false, "selection rate of g over that of the reference group (AIF360)"},
    {M::average_odds_difference, "average_odds_difference", K::disparity, F::aif360, B::zero, -1, 1,
     false, false, false, false, "((FPR_g - FPR_ref) + (TPR_g - TPR_ref)) / 2 (AIF360)"},
    {M::average_abs_odds_difference, "average_abs_odds_difference", K::disparity, F::aif360,
     B::lower, 0, 1, false, false, false, false,
     "(|FPR_g - FPR_ref| + |TPR_g - TPR_ref|) / 2 (AIF360)"},
    {M::tpr_difference, "tpr_difference", K::disparity, F::aif360, B::zero, -1, 1, false, false,
     false, false,
     "TPR_g - TPR_ref (AIF360 equal_opportunity_difference / true_positive_rate_difference)"},
    {M::error_rate_difference, "error_rate_difference", K::disparity, F::aif360, B::zero, -1, 1,
     false, false, false, false, "ERR_g - ERR_ref (AIF360)"},
    {M::error_rate_ratio, "error_rate_ratio", K::disparity, F::aif360, B::one, 0, inf, false, false,
     false, false, "ERR_g / ERR_ref (AIF360)"},
    {M::fpr_difference, "fpr_difference", K::disparity, F::aif360, B::zero, -1, 1, false, false,
     false, false, "FPR_g - FPR_ref (AIF360 false_positive_rate_difference)"},
    {M::fpr_ratio, "fpr_ratio", K::disparity, F::aif360, B::one, 0, inf, false, false, false, false,
     "FPR_g / FPR_ref (AIF360 false_positive_rate_ratio)"},
    {M::fnr_difference, "fnr_difference", K::disparity, F::aif360, B::zero, -1, 1, false, false,
     false, false, "FNR_g - FNR_ref (AIF360 false_negative_rate_difference)"},
    {M::fnr_ratio, "fnr_ratio", K::disparity, F::aif360, B::one, 0, inf, false, false, false, false,
     "FNR_g / FNR_ref (AIF360 false_negative_rate_ratio)"},
    {M::fdr_difference, "fdr_difference", K::disparity, F::aif360, B::zero, -1, 1, false, false,
     false, false, "FDR_g - FDR_ref (AIF360 false_discovery_rate_difference)"},
    {M::fdr_ratio, "fdr_ratio", K::disparity, F::aif360, B::one, 0, inf, false, false, false, false,
     "FDR_g / FDR_ref (AIF360 false_discovery_rate_ratio)"},
    {M::for_difference, "for_difference", K::disparity, F::aif360, B::zero, -1, 1, false, false,
     false, false, "FOR_g - FOR_ref (AIF360 false_omission_rate_difference)"},
    {M::for_ratio, "for_ratio", K::disparity, F::aif360, B::one, 0, inf, false, false, false, false,
     "FOR_g / FOR_ref (AIF360 false_omission_rate_ratio)"},
    {M::average_predictive_value_difference, "average_predictive_value_difference", K::disparity,
     F::aif360, B::zero, -1, 1, false, false, false, false,
     "((PPV_g - PPV_ref) + (FOR_g - FOR_ref)) / 2 (AIF360)"},
    {M::accuracy, "accuracy", K::group_rate, F::rate, B::higher, 0, 1, false, false, false, true,
     "(TP + TN) / n"},
    {M::error_rate, "error_rate", K::group_rate, F::rate, B::lower, 0, 1, false, false, false, true,
     "(FP + FN) / n"},
    {M::selection_rate, "selection_rate", K::group_rate, F::rate, B::none, 0, 1, false, false,
     false, true, "(TP + FP) / n"},
    {M::tpr, "tpr", K::group_rate, F::rate, B::higher, 0, 1, false, false, false, true,
     "TP / (TP + FN), recall"},
    {M::fpr, "fpr", K::group_rate, F::rate, B::lower, 0, 1, false, false, false, true,
     "FP / (FP + TN)"},
    {M::tnr, "tnr", K::group_rate, F::rate, B::higher, 0, 1, false, false, false, true,
     "TN / (TN + FP), specificity"},
    {M::fnr, "fnr", K::group_rate, F::rate, B::lower, 0, 1, false, false, false, true,
     "FN / (FN + TP)"},
    {M::ppv, "ppv", K::group_rate, F::rate, B::higher, 0, 1, false, false, false, true,
     "TP / (TP + FP), precision"},
    {M::npv, "npv", K::group_rate, F::rate, B::higher, 0, 1, false, false, false, true,
     "TN / (TN + FN)"},
    {M::fdr, "fdr", K::group_rate, F::rate, B::lower, 0, 1, false, false, false, true,
     "FP / (TP + FP)"},
    {M::for_, "for", K::group_rate, F::rate, B::lower, 0, 1, false, false, false, true,
     "FN / (TN + FN)"},
    {M::balanced_accuracy, "balanced_accuracy", K::group_rate, F::rate, B::higher, 0, 1, false,
     false, false, false, "(TPR + TNR) / 2"},
    {M::f1, "f1", K::group_rate, F::rate, B::higher, 0, 1, false, false, false, false,
     "2 TP / (2 TP + FP + FN)"},
    {M::roc_auc, "roc_auc", K::group_rate, F::rate, B::higher, 0, 1, true, false, false, false,
     "area under the ROC curve of the scores, ties counted 1/2 (sklearn roc_auc_score)"},
    {M::roc_auc_difference, "roc_auc_difference", K::disparity, F::fairlearn, B::lower, 0, 1, true,
     false, true, false,
     "max - min over groups of the ROC AUC (Fairlearn MetricFrame(roc_auc_score).difference())"},
    {M::roc_auc_ratio, "roc_auc_ratio", K::disparity, F::fairlearn, B::higher, 0, 1, true, false,
     true, false, "min / max over groups of the ROC AUC (Fairlearn MetricFrame(...).ratio())"},
}};

// The row order must match metric_id, so info(id) is an index.
constexpr bool table_in_id_order() {
  for (std::size_t i = 0; i < table.size(); ++i)
    if (static_cast<std::size_t>(table[i].id) != i) return false;
  return true;
}
static_assert(table_in_id_order(), "metric table rows must follow metric_id order");
static_assert(static_cast<std::size_t>(metric_id::roc_auc_ratio) + 1 == table.size());

struct alias {
  std::string_view name;
  metric_id id;
};
// Long AIF360 / sklearn spellings users type; the canonical form uses the short name.
constexpr std::array<alias, 24> aliases{{
    {"true_positive_rate_difference", M::tpr_difference},
    {"false_positive_rate_difference", M::fpr_difference},
    {"false_positive_rate_ratio", M::fpr_ratio},
    {"false_negative_rate_difference", M::fnr_difference},
    {"false_negative_rate_ratio", M::fnr_ratio},
    {"false_discovery_rate_difference", M::fdr_difference},
    {"false_discovery_rate_ratio", M::fdr_ratio},
    {"false_omission_rate_difference", M::for_difference},
    {"false_omission_rate_ratio", M::for_ratio},
    {"true_positive_rate", M::tpr},
    {"recall", M::tpr},
    {"sensitivity", M::tpr},
    {"false_positive_rate", M::fpr},
    {"true_negative_rate", M::tnr},
    {"specificity", M::tnr},
    {"false_negative_rate", M::fnr},
    {"precision", M::ppv},
    {"positive_predictive_value", M::ppv},
    {"negative_predictive_value", M::npv},
    {"false_discovery_rate", M::fdr},
    {"false_omission_rate", M::for_},
    {"f1_score", M::f1},
    {"roc_auc_score", M::roc_auc},
    {"balanced_accuracy_score", M::balanced_accuracy},
}};

}  // namespace

std::span<const metric_info> metric_catalogue() noexcept {
  return table;
}

const metric_info& info(metric_id id) noexcept {
  return table[static_cast<std::size_t>(id)];
}

const metric_info* find_metric(std::string_view name) noexcept {
  for (const auto& m : table)
    if (m.name == name) return &m;
  for (const auto& a : aliases)
    if (a.name == name) return &info(a.id);
  return nullptr;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Two-row Wagner-Fischer.
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::optional<std::string_view> closest(std::string_view name,
                                        std::span<const std::string_view> candidates) {
  // Inputs can be arbitrarily long (fuzzed files); a typo is short.
  if (name.size() > 200) return std::nullopt;
  const std::size_t limit = std::max<std::size_t>(2, name.size() / 3);
  std::optional<std::string_view> best;
  std::size_t best_d = limit + 1;
  for (auto c : candidates) {
    const std::size_t d = edit_distance(name, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

std::optional<std::string_view> suggest_metric(std::string_view name) {
  // Aliases compete too, but the suggestion is the canonical name they stand for.
  std::vector<std::string_view> names;
  names.reserve(table.size() + aliases.size());
  for (const auto& m : table) names.push_back(m.name);
  for (const auto& a : aliases) names.push_back(a.name);
  const auto best = closest(name, names);
  if (!best) return std::nullopt;
  return find_metric(*best)->name;
}

}  // namespace policy
FAIRGATE_END_NAMESPACE
