// compress_adult: the constraint-aware compression controller on UCI Adult (issue 5).
//
//   build/examples/compress_adult/compress_adult [--check] [--out DIR]
//
// 1. Trains the reference MLP (108 -> 32 -> 1, ReLU) on adult.data ("?" kept
//    as a category) and evaluates on adult.test; sensitive features sex and
//    race, intersectional (10 groups, those with < 100 test rows not judged).
// 2. Policy examples/compress_adult/adult_targets.toml: targets `server`
//    (fp32, pruning) and `device` (int8 per-channel + pruning), each with an
//    equalized-odds bound and per-group TPR (and accuracy) guardrails relative
//    to the uncompressed model.
// 3. Plain global magnitude pruning in uniform steps (0.1 ... 0.9, 0.95; the
//    device target first fake-quantizes to int8 per channel) with no remedies:
//    each step is gated, a failing one is rolled back. Then the controller on
//    the same plan with its remedies (bisect, restore critical weights for the
//    worst-off group, revert the most damaging tensor).
// 4. Prints both runs and, with --check, exits 1 unless for every target:
//    plain pruning breaks the policy at high sparsity (>= 0.8), the controller
//    ends in a passing state, and that state is sparser than the most
//    aggressive uniform step that still passes.
// Checkpoints and the JSON-lines changelog of each run are left under --out.
// The host (the MLP's f32 weight copies) and the plan come from
// fairgate/cli/pipeline.hpp, the code path `fairgate demo` and `fairgate
// compress` run on.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <fairgate/cli/pipeline.hpp>
#include <fairgate/gate/controller.hpp>
#include <fairgate/io/adult.hpp>
#include <fairgate/io/encoder.hpp>
#include <fairgate/metrics/groups.hpp>
#include <fairgate/policy/parse.hpp>
#include <fairgate/train/trainer.hpp>

namespace fg = fairgate;
namespace fs = std::filesystem;

namespace {

struct split {
  std::vector<double> x;
  std::size_t rows = 0, cols = 0;
  std::vector<std::uint8_t> y;
  [[nodiscard]] fg::train::dataset_view view() const { return {x, rows, cols, y, {}, {}, 0}; }
};

split make_split(const fg::io::adult_split& s, const fg::io::feature_encoder& enc) {
  auto m = enc.transform(s.table);
  split out;
  out.x = std::move(m.values);
  out.rows = m.rows;
  out.cols = m.cols;
  out.y = s.labels;
  return out;
}

struct step_line {
  std::string attempt;
  double sparsity = 0;
  double bits = 32;
  std::string verdict, decision, reason;
};

std::vector<step_line> read_log(const fs::path& p, const std::string& target) {
  std::vector<step_line> out;
  std::ifstream in(p);
  std::string line;
  while (std::getline(in, line)) {
    const auto j = nlohmann::json::parse(line);
    if (j["target"] != target) continue;
    out.push_back({j["attempt"], j["sparsity"], j["mean_bits"],
                   j["verdict"].is_null() ? "-" : std::string(j["verdict"]), j["decision"],
                   j["reason"]});
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  bool check = false;
  fs::path out = "compress_adult_run";
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--check") == 0)
      check = true;
    else if (std::strcmp(argv[i], "--out") == 0 && i + 1 < argc)
      out = argv[++i];
    else {
      std::fprintf(stderr, "usage: compress_adult [--check] [--out DIR]\n");
      return 2;
    }
  }
  fs::remove_all(out);

  fg::io::adult_options ao;
  ao.missing = fg::io::adult_missing::as_category;
  const auto adult = fg::io::load_adult(ao);
  const auto enc = fg::io::feature_encoder::fit(adult.train.table, fg::io::adult_encoder_options());
  const split train = make_split(adult.train, enc);
  const split test = make_split(adult.test, enc);

  // The reference trainer's MLP, deterministic (seeded init and mini-batches).
  fg::train::feedforward model(train.cols, {32});
  model.initialize(7);
  fg::train::fit_options fo;
  fo.epochs = 6;
  fo.batch_size = 256;
  fo.learning_rate = 0.005;
  fo.l2 = 1e-5;
  fo.seed = 20261123;
  fg::train::fit(model, train.view(), fo);

  // Intersectional groups sex x race on the test rows.
  fg::metrics::group_encoder genc({{"sex", adult.sex_names}, {"race", adult.race_names}});
  fg::gate::evaluation_rows rows;
  rows.labels = test.y;
  rows.group_names = genc.names();
  rows.threshold = 0.0;  // logits: predict 1 iff logit >= 0 (probability >= 0.5)
  for (std::size_t i = 0; i < test.rows; ++i) {
    const std::uint32_t cats[2] = {adult.test.sex[i], adult.test.race[i]};
    rows.groups.push_back(genc.encode(cats));
  }

  // The host: f32 copies of the two weight matrices (biases stay dense, fp32),
  // scored as logits (rows.threshold = 0).
  fg::cli::mlp_host host(model, test.view(), /*probabilities=*/false);

  const auto policy = fg::policy::parse_policy_file(FAIRGATE_COMPRESS_ADULT_POLICY);
  std::printf(
      "Adult: %zu training rows, %zu test rows, %zu features; MLP %zu-32-1; %zu groups (sex x "
      "race)\n",
      train.rows, test.rows, train.cols, train.cols, rows.group_names.size());

  bool ok = true;
  for (const auto& target : policy.targets) {
    // 0.1, 0.2, ..., 0.9 (as prune_steps computes them), 0.95; the device
    // target first fake-quantizes to int8 per channel.
    std::vector<double> steps;
    for (const auto& m : fg::gate::prune_steps(0.1, 0.9, 0.1)) steps.push_back(m.sparsity);
    steps.push_back(0.95);
    const auto plan = fg::cli::default_plan(target, steps);
    fg::gate::run_result res[2];
    const char* names[2] = {"plain", "controller"};
    for (int mode = 0; mode < 2; ++mode) {
      fg::gate::controller_options o;
      o.directory = out / (target.name + "-" + names[mode]);
      o.targets = {target.name};
      if (mode == 0) o.remedies = {};  // plain: gate and roll back, nothing else
      fg::gate::controller c(policy, rows, o);
      host.register_tensors(c);
      c.on_evaluate([&] { return host.evaluate(); });
      res[mode] = c.run(plan);
      std::printf("\n== target '%s', %s run (%s) ==\n", target.name.c_str(), names[mode],
                  mode == 0 ? "uniform global magnitude steps, no remedies"
                            : "remedies: bisect, restore_critical, revert_tensor");
      std::printf("  %-17s %9s %6s %-8s %-9s %s\n", "attempt", "sparsity", "bits", "verdict",
                  "decision", "reason");
      for (const auto& s : read_log(c.changelog_path(), target.name))
        std::printf("  %-17s %9.4f %6.2f %-8s %-9s %.110s\n", s.attempt.c_str(), s.sparsity, s.bits,
                    s.verdict.c_str(), s.decision.c_str(), s.reason.c_str());
    }
    // Plain run facts: the most aggressive passing uniform step, and a failing high step.
    double uniform_best = 0.0;
    bool high_fails = false;
    for (const auto& s :
         read_log(out / (target.name + "-plain") / "changelog.jsonl", target.name)) {
      if (s.attempt != "milestone" || s.verdict == "-") continue;
      if (s.verdict == "pass") uniform_best = std::max(uniform_best, s.sparsity);
      if (s.verdict == "fail" && s.sparsity >= 0.8) high_fails = true;
    }
    const auto& best = res[1].targets[0].best;
    std::printf(
        "\n  target '%s': most aggressive passing uniform step: sparsity %.4f; plain pruning at >= "
        "0.8 %s\n",
        target.name.c_str(), uniform_best, high_fails ? "breaks the policy" : "still passes");
    std::printf(
        "  controller: %s, sparsity %.4f (layer0 %.4f, layer1 %.4f), mean bits %.2f, worst-group "
        "TPR %.4f\n",
        best.pass ? "PASS" : "FAIL", best.sparsity, best.tensor_sparsity[0],
        best.tensor_sparsity[1], best.mean_bits, best.worst_group_metric);
    std::printf("  Pareto frontier (sparsity, mean bits, worst-group TPR, pass):");
    for (const auto& p : res[1].targets[0].frontier)
      std::printf(" (%.3f, %.1f, %.4f, %s)", p.sparsity, p.mean_bits, p.worst_group_metric,
                  p.pass ? "pass" : "fail");
    std::printf("\n");
    const bool claim = high_fails && best.pass && best.sparsity > uniform_best;
    std::printf(
        "  claims (plain breaks at high sparsity; controller passes; sparser than uniform): %s\n",
        claim ? "hold" : "DO NOT HOLD");
    ok = ok && claim;
  }
  if (check && !ok) {
    std::fprintf(stderr, "compress_adult --check: a demonstrated claim does not hold\n");
    return 1;
  }
  return 0;
}
