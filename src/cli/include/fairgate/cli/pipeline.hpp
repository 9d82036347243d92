// fairgate/cli/pipeline.hpp: compress a reference model under a policy - the code path
// shared by `fairgate compress`, `fairgate demo` and examples/compress_adult.
//
//   fairgate::cli::mlp_host host(model, eval_view);          // f32 copies of the weights
//   fairgate::cli::compression_request rq{policy, rows, "out/checkpoints"};
//   nlohmann::json results = fairgate::cli::compress(host, rq);   // per target: best, frontier,
//   milestones
//
// The host (here the reference trainer's feedforward network) owns the model;
// the controller (gate/controller.hpp) prunes and fake-quantizes the host's f32
// weight copies and calls mlp_host::evaluate() for scores. compress() runs the
// controller once per target and turns its run_result and changelog into the
// JSON the report draws (docs/cli.md, "compress results"):
//  * per target: the most compressed passing state (sparsity, bits, verdict
//    with each constraint's value, interval and reason), the worst-group
//    metric before (uncompressed) and after, the Pareto frontier;
//  * per changelog step: the decision and, for every constraint, each group's
//    judged statistic, taken from the verdict the controller gated that step
//    on (gate::target_result::decisions; the changelog itself logs only each
//    verdict's SHA-256, which is copied as `verdict_digest`).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <fairgate/config.hpp>
#include <fairgate/gate/controller.hpp>
#include <fairgate/policy/model.hpp>
#include <fairgate/train/feedforward.hpp>
#include <fairgate/train/trainer.hpp>

FAIRGATE_BEGIN_NAMESPACE
namespace cli {

// A feedforward model as the controller's host: one f32 tensor per layer
// weight matrix ([out, in], channel axis 0); biases stay dense fp32.
class mlp_host {
 public:
  // `eval` must outlive the host. probabilities: evaluate() returns
  // sigmoid(logit) (threshold in probability units), else logits.
  mlp_host(train::feedforward& model, train::dataset_view eval, bool probabilities = true);
  void register_tensors(gate::controller& c);
  // Copies the (possibly compressed) f32 weights into the model and scores the evaluation rows.
  [[nodiscard]] std::vector<double> evaluate();
  [[nodiscard]] std::size_t tensors() const noexcept { return w32_.size(); }

 private:
  train::feedforward* model_;
  train::dataset_view eval_;
  bool probabilities_;
  std::vector<std::vector<float>> w32_;
};

// The default plan for a target: global magnitude pruning to 0.1, 0.2, ...,
// 0.9, 0.95, preceded by an int8 per-channel fake-quantization milestone when
// the target allows 8 bits.
[[nodiscard]] std::vector<gate::milestone> default_plan(const policy::target& t,
                                                        std::vector<double> sparsities = {});

struct compression_request {
  policy::policy policy;
  gate::evaluation_rows rows;
  std::filesystem::path directory;   // checkpoint store + changelog
  std::vector<std::string> targets;  // empty: every target of the policy
  std::vector<double> sparsities;    // prune steps; empty: default_plan's
  std::vector<gate::remedy> remedies{gate::remedy::bisect, gate::remedy::restore_critical,
                                     gate::remedy::revert_tensor, gate::remedy::stop};
  // Called once per evaluation: (target, evaluations so far).
  std::function<void(const std::string&, std::uint64_t)> progress;
};

struct compression_output {
  nlohmann::json results;  // {"targets": [...]} (docs/cli.md)
  gate::run_result run;    // the controller's result, one entry per target
  // Per target: gate::record_run's record of the controller run
  // ({"config": config.controller, "results": results.controller}).
  nlohmann::json records = nlohmann::json::object();
};

// Runs the controller once per requested target (in policy order), each from
// the model's original weights, into request.directory.
[[nodiscard]] compression_output compress(mlp_host& host, const compression_request& request);

}  // namespace cli
FAIRGATE_END_NAMESPACE
