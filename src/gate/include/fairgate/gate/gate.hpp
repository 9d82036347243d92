// fairgate/gate/gate.hpp: the fairness gate - does a target's policy still hold for a candidate?
//
//   fairgate::gate::gate_inputs in = fairgate::gate::gate_inputs::from_scores(
//       labels, baseline_scores, candidate_scores, 0.5, group_codes, encoder.names());
//   fairgate::gate::verdict v = fairgate::gate::evaluate(policy, "server", in);
//
// For every constraint of the target the gate computes the constraint's
// metric on the baseline (uncompressed) and on the candidate model, over the
// same rows, and judges it as the policy says (docs/gate.md has the full
// rules; docs/policy.md the policy keys):
//
//  * scope = every_group (a per-group guardrail): one item per group with at
//    least min_support rows; scope = overall: one item, the disparity (Fairlearn
//    between_groups / to_overall over the groups with >= min_support rows) or
//    the rate pooled over all rows.
//  * bound: absolute `m OP v` judges statistic = candidate metric against v;
//    relative `m OP baseline + d` judges statistic = candidate - baseline
//    against d (per group for guardrails).
//  * evidence = point: the point estimate (relative bounds use
//    policy::bound::holds, i.e. candidate OP baseline + d).
//    evidence = ci: the interval end on the bound's side (policy::judged_side:
//    upper for <=, lower for >=) at the policy's confidence. Interval: Wilson
//    on the candidate's group proportion (interval = "wilson", absolute bounds
//    on proportions, unweighted rows), else the PAIRED Poisson bootstrap of
//    the statistic, baseline and candidate resampled together: per cell
//    (uncertainty::paired_bootstrap) for unweighted confusion metrics, per row
//    (weights w_i * Poisson(1), stream "bootstrap.rows", row id = index) for
//    sample-weighted rows and for roc_auc.
//    evidence = paired_test: H0 "the bound holds", one-sided. Accuracy or
//    error-rate bounds "no change at all" (relative, d = 0) on unweighted rows
//    use McNemar's exact test (one-sided in the degrading direction); every
//    other statistic uses
//    the paired bootstrap p-value p = (1 + #{replicates where the bound holds})
//    / (1 + #defined replicates). All p-values of the target (every group of
//    every paired_test constraint) form ONE family corrected with the target's
//    correction (Holm / BH / none) at the target's alpha; an item fails iff
//    its H0 is rejected.
//  * undefined (0/0 rates, empty intervals, no group left): per the
//    constraint's `undefined` rule: skip (not judged), fail, pass.
//
// Supported metrics: every metric of the catalogue (policy/metric_catalogue.hpp):
//  * the Fairlearn disparities (demographic parity, equalized odds, equal
//    opportunity; difference and ratio; between_groups / to_overall);
//  * the AIF360 reference-group family (statistical_parity_difference,
//    disparate_impact, average_odds_difference, average_abs_odds_difference,
//    tpr_difference, error_rate / fpr / fnr / fdr / for differences and
//    ratios, average_predictive_value_difference): for each group g other
//    than the target's reference_group, m(g) - m(ref) or m(g) / m(ref) (means
//    of the two parts for the averaged ones, as aif360.metrics.
//    ClassificationMetric computes them); the bound must hold for every g, so
//    `<=` judges the largest value and `>=` the smallest. The reference group
//    and one other group need >= min_support rows; an undefined reference rate
//    (or a zero one under a ratio) makes the value undefined;
//  * every per-group rate, and roc_auc (sklearn roc_auc_score per group or
//    pooled, ties 1/2, sample-weighted if weights are given; needs score
//    predictions).
// Sample weights apply to every evidence kind except Wilson intervals
// (errc::unsupported).
//
// Bootstrap draws come from rng streams keyed by the seed (inputs.seed if set,
// else the constraint's evidence.seed), so the same inputs and seed give the
// same verdict bit for bit, on any machine and thread count.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/gate/verdict.hpp>
#include <fairgate/metrics/inputs.hpp>
#include <fairgate/policy/model.hpp>

FAIRGATE_BEGIN_NAMESPACE
namespace gate {

// The rows both models are judged on. Views: the caller keeps the data alive.
struct gate_inputs {
  metrics::label_view labels;         // 0/1
  metrics::prediction_view baseline;  // scores + threshold, or hard 0/1 predictions
  metrics::prediction_view candidate;
  metrics::code_view groups;  // codes in [0, group_names.size()), e.g. from metrics::group_encoder
  std::vector<std::string> group_names;  // one per code; "M|c" style for intersections
  // If not empty: must equal the target's sensitive_features (checked).
  std::vector<std::string> sensitive_features;
  std::optional<metrics::real_view> weights;  // sample weights (no Wilson intervals with them)
  std::optional<std::uint64_t> seed;          // overrides every constraint's evidence.seed

  static gate_inputs from_scores(metrics::label_view labels, metrics::real_view baseline_scores,
                                 metrics::real_view candidate_scores, double threshold,
                                 metrics::code_view groups, std::vector<std::string> group_names) {
    gate_inputs in;
    in.labels = labels;
    in.baseline = metrics::prediction_view::scores(baseline_scores, threshold);
    in.candidate = metrics::prediction_view::scores(candidate_scores, threshold);
    in.groups = groups;
    in.group_names = std::move(group_names);
    return in;
  }
};

// Judges every constraint of `target` (see the top of this header). Throws
// fairgate::error: unknown target (invalid_argument), sensitive features or
// reference group not matching the inputs (invalid_argument), unsupported
// metric (unsupported), bad rows (length_mismatch / out_of_range /
// invalid_value, naming the row).
[[nodiscard]] verdict evaluate(const policy::policy& p, std::string_view target,
                               const gate_inputs& in);

// The checks evaluate() makes before looking at the rows: the target exists,
// the sensitive features and the reference group match the inputs' group
// names, every metric is supported with its evidence (roc_auc needs score
// predictions; Wilson intervals neither weights nor disparities). Same errors
// as evaluate(). The controller calls it for every target before any work.
void validate(const policy::policy& p, std::string_view target, const gate_inputs& in);

}  // namespace gate
FAIRGATE_END_NAMESPACE
