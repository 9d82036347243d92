// fairgate/gate/controller.hpp: the constraint-aware compression controller.
//
// The host owns the model: it registers named f32 weight tensors (views the
// controller writes into) and an evaluate() callback returning scores on the
// evaluation rows. The controller walks a plan of milestones (prune to a
// sparsity, or fake-quantize), and after each one gates the candidate
// against EVERY target of the policy; a failing step is rolled back and the
// configured remedies are tried in order. Every decision is appended to a
// JSON-lines changelog and every kept state is checkpointed in a
// content-addressed store, so a killed run resumes to the same result.
//
//   fairgate::gate::controller c(policy, eval_rows, opts);
//   c.add_tensor("fc1.weight", fc1_view, /*channel_axis=*/0);
//   c.on_evaluate([&] { return model.predict(X_eval); });
//   fairgate::gate::run_result r = c.run(plan);   // r.targets[i].best, r.frontier
//
// Semantics (docs/gate.md has the formats):
//  * Targets are compressed independently, in policy order, each starting from
//    the host's original weights (read once when run() starts); the host's
//    views hold the original weights again when run() returns. A milestone
//    outside a target's allowance (sparsity > max_sparsity, bits not in
//    allowed_bits) is skipped for it, as is a quantize milestone that would
//    not lower any tensor's bits.
//  * prune_global / prune_layer milestones raise the sparsity of the
//    registered tensors to `sparsity` (a fraction of all weights, resp. of each
//    tensor) by L1 magnitude over the current kept weights
//    (prune::global_l1_unstructured / l1_unstructured: ties prune the lower
//    index first). quantize milestones fake-quantize every tensor to `bits`
//    = 8 (int8, scale amax / 127.5) or 4 (int4, [-8, 7], scale amax / 7.5),
//    symmetric torch_symmetric scales, per channel along the tensor's channel
//    axis when `per_channel` (and the target allows it), per tensor otherwise.
//    Pruned weights stay exactly 0 after fake quantization.
//  * Remedies after a failing milestone, from the last passing state:
//     bisect          retry at the midpoint sparsity, up to `bisect_depth` halvings;
//     restore_critical restore `restore_fraction` of the weights this step pruned,
//                     the most important first for the worst-off group (the
//                     saliency callback's per-weight importance for that group
//                     if given, else |w|);
//     revert_tensor   for each tensor, the step applied to all tensors but that
//                     one; the tensor whose exclusion best improves the violated
//                     constraint's value is reverted (it keeps its previous
//                     sparsity / higher precision) and the rest is gated;
//     stop            stop this target's plan.
//    The first remedy whose candidate passes is kept. If none passes, the
//    target continues with the next milestone from the last passing state
//    (unless `stop` was reached).
//  * Result per target: the most compressed passing state seen (highest
//    sparsity, then fewest bits), and the Pareto frontier of the passing
//    states evaluated: those not dominated in (sparsity up, mean bits down,
//    worst-group metric better); and every logged decision with the full
//    verdict of each gated step (target_result::decisions, the changelog in
//    memory).
//  * The policy is checked against the evaluation rows in the constructor
//    (gate::validate: reference group, sensitive features, metric support),
//    before any work or file. record.hpp records a run in a manifest and
//    restores any recorded state (rollback).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/gate/verdict.hpp>
#include <fairgate/policy/model.hpp>
#include <fairgate/tensor/view.hpp>

FAIRGATE_BEGIN_NAMESPACE
namespace manifest {
class manifest;
}
namespace gate {

enum class milestone_kind : std::uint8_t { prune_global, prune_layer, quantize };

struct milestone {
  milestone_kind kind = milestone_kind::prune_global;
  double sparsity = 0.0;             // prune: the sparsity to reach, in [0, 1]
  std::uint32_t bits = 8;            // quantize: 8 (int8) or 4 (int4), symmetric torch-style scales
  bool per_channel = true;           // quantize
  std::uint32_t finetune_steps = 0;  // passed to the finetune callback after the pass (0: none)
};

// A plan of uniform prune steps: sparsity s0, s0 + step, ..., <= s1.
[[nodiscard]] std::vector<milestone> prune_steps(
    double s0, double s1, double step, milestone_kind kind = milestone_kind::prune_global);

enum class remedy : std::uint8_t { bisect, restore_critical, revert_tensor, stop };

// The rows the policy is judged on (views: the caller keeps them alive).
struct evaluation_rows {
  std::vector<std::uint8_t> labels;   // 0/1
  std::vector<std::uint32_t> groups;  // codes in [0, group_names.size())
  std::vector<std::string> group_names;
  double threshold = 0.5;
  // If not empty: the features the groups are made of, checked equal to every
  // target's sensitive_features (gate_inputs::sensitive_features).
  std::vector<std::string> sensitive_features;
};

struct controller_options {
  std::filesystem::path directory;   // checkpoint store + changelog (created if absent)
  std::vector<std::string> targets;  // empty: every target of the policy
  std::vector<remedy> remedies{remedy::bisect, remedy::restore_critical, remedy::revert_tensor,
                               remedy::stop};
  std::uint32_t bisect_depth = 2;
  double restore_fraction = 0.25;
  std::optional<std::uint64_t> seed;  // gate seed override (see gate_inputs::seed)
  bool resume = false;  // continue from the directory's last checkpoint of each target
  // Called after each checkpoint is durably written: (target, checkpoint number).
  // For tests (e.g. kill the process at checkpoint k).
  std::function<void(const std::string&, std::uint64_t)> after_checkpoint;
  // If not empty: run() writes a manifest of the run here at the end
  // (record_run, record.hpp; written atomically). The directory must exist.
  std::filesystem::path manifest_path;
};

struct state_summary {
  double sparsity = 0.0;    // fraction of registered weights that are 0 by mask
  double mean_bits = 32.0;  // numel-weighted mean of per-tensor bits
  std::vector<double> tensor_sparsity;
  std::vector<std::uint32_t> tensor_bits;
  double worst_group_metric = nan;  // see frontier_point
  bool pass = false;
  std::string state_digest;  // SHA-256 of the masks + bits + weights
  std::string verdict_json;
};

// One evaluated state: compression vs the worst group's value of the target's
// first per-group constraint metric (its first constraint if none is per-group).
struct frontier_point {
  std::uint64_t step = 0;
  double sparsity = 0.0;
  double mean_bits = 32.0;
  double worst_group_metric = nan;
  bool pass = false;
};

// One decision of a target's run, as its changelog line records it (field
// names and values as in the line, docs/gate.md "Changelog line"), so a host
// gets every gated step's full verdict - each group's values, intervals and
// decisions - without re-running the gate or parsing the changelog.
struct step_record {
  std::uint64_t step = 0;     // changelog "step" (0: the baseline)
  std::size_t milestone = 0;  // changelog "milestone": index into the plan (0 for the baseline)
  std::string pass;           // "prune_global", "prune_layer", "quantize"; "none" for the baseline
  // "baseline", "milestone", "bisect", "restore_critical", "revert_tensor" or "stop"
  std::string attempt;
  std::string decision;  // "keep" (accepted), "rollback", "skip" or "stop"
  std::string reason;
  double sparsity = 0.0;  // of the candidate (of the kept state for skip / stop)
  double mean_bits = 32.0;
  // The gate's verdict of the candidate, exactly the one the decision was
  // made on; empty for skip / stop lines (nothing was gated).
  std::optional<verdict> gated;
  std::string verdict_digest;  // SHA-256 of gated->to_json(-1), as logged; empty without a verdict
};

struct target_result {
  std::string target;
  state_summary best;                    // the most compressed passing state
  std::vector<frontier_point> frontier;  // non-dominated passing states, by step
  std::uint64_t steps = 0;               // changelog steps, skips included (and before a resume)
  bool stopped = false;                  // a `stop` remedy ended the plan
  // SHA-256 of every checkpoint object of this target, in order (checkpoint k
  // is checkpoints[k - 1]); restored from the checkpoint chain on resume.
  std::vector<std::string> checkpoints;
  std::uint64_t best_checkpoint = 0;  // the first checkpoint holding `best` (0: none)
  // Every changelog line this run() wrote for the target, in step order. A
  // resumed run holds only the lines written after the resume point (earlier
  // verdicts are in the changelog as digests only). Not part of `digest` or
  // of record_run's manifest.
  std::vector<step_record> decisions;
};

struct run_result {
  std::vector<target_result> targets;
  // SHA-256 over every target's best state digest, verdict and frontier: equal
  // digests = equal results (used by the kill-and-resume test).
  std::string digest;
  std::vector<milestone> plan;         // the plan that was run
  std::string baseline_scores_sha256;  // SHA-256 of the host's baseline scores (LE f64)
};

// Restoring a recorded state (record.hpp).
struct restored_state;

class controller {
 public:
  controller(policy::policy p, evaluation_rows rows, controller_options opts);

  // Registers a weight tensor (f32, C-contiguous). channel_axis: the axis of
  // per-channel quantization scales (output channels; 0 for [out, in]).
  void add_tensor(std::string name, tensor::view weights, int channel_axis = 0);

  // Required: scores of the current weights on the evaluation rows (one per row).
  void on_evaluate(std::function<std::vector<double>()> fn) { evaluate_ = std::move(fn); }
  // Optional: train the current weights in place for `steps` steps (the
  // controller re-applies masks and fake quantization afterwards).
  void on_finetune(std::function<void(std::uint32_t)> fn) { finetune_ = std::move(fn); }
  // Optional: importance of every weight of tensor `t` for group `g` (numel values).
  void on_saliency(std::function<std::vector<double>(std::size_t t, std::uint32_t g)> fn) {
    saliency_ = std::move(fn);
  }

  [[nodiscard]] run_result run(const std::vector<milestone>& plan);

  [[nodiscard]] std::filesystem::path changelog_path() const;

  [[nodiscard]] const policy::policy& get_policy() const noexcept { return policy_; }
  [[nodiscard]] const controller_options& options() const noexcept { return opts_; }
  [[nodiscard]] const evaluation_rows& rows() const noexcept { return rows_; }

  struct impl;

 private:
  friend void record_run(manifest::manifest& m, const run_result& r, const controller& c);
  friend restored_state restore(controller& c, const manifest::manifest& m, std::string_view target,
                                std::uint64_t checkpoint);

  policy::policy policy_;
  evaluation_rows rows_;
  controller_options opts_;
  struct tensor_reg {
    std::string name;
    tensor::view view;
    int axis = 0;
  };
  std::vector<tensor_reg> tensors_;
  std::function<std::vector<double>()> evaluate_;
  std::function<void(std::uint32_t)> finetune_;
  std::function<std::vector<double>(std::size_t, std::uint32_t)> saliency_;
};

}  // namespace gate
FAIRGATE_END_NAMESPACE
