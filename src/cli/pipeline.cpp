// The compression pipeline shared by `fairgate compress`, `fairgate demo` and
// examples/compress_adult (see fairgate/cli/pipeline.hpp).
#include <fairgate/cli/pipeline.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

#include <fairgate/error.hpp>
#include <fairgate/gate/record.hpp>
#include <fairgate/io/sha256.hpp>
#include <fairgate/manifest/manifest.hpp>
#include <fairgate/objectives/relaxation.hpp>
#include <fairgate/policy/metric_catalogue.hpp>

FAIRGATE_BEGIN_NAMESPACE
namespace cli {

using json = nlohmann::json;

mlp_host::mlp_host(train::feedforward& model, train::dataset_view eval, bool probabilities)
    : model_(&model), eval_(eval), probabilities_(probabilities) {
  for (const auto& L : model.layers()) {
    std::vector<float> w;
    w.reserve(L.weight.size());
    for (double v : L.weight) w.push_back(static_cast<float>(v));
    w32_.push_back(std::move(w));
  }
}

void mlp_host::register_tensors(gate::controller& c) {
  const auto& layers = model_->layers();
  for (std::size_t l = 0; l < layers.size(); ++l) {
    c.add_tensor(
        "layer" + std::to_string(l) + ".weight",
        tensor::view::contiguous(w32_[l].data(), {static_cast<std::int64_t>(layers[l].out),
                                                  static_cast<std::int64_t>(layers[l].in)}),
        0);
  }
}

std::vector<double> mlp_host::evaluate() {
  auto& layers = model_->layers();
  for (std::size_t l = 0; l < layers.size(); ++l)
    for (std::size_t i = 0; i < w32_[l].size(); ++i)
      layers[l].weight[i] = static_cast<double>(w32_[l][i]);
  std::vector<double> s(eval_.rows);
  model_->predict_logits(eval_, s);
  // objectives::stable_sigmoid uses the deterministic math::exp.
  if (probabilities_)
    for (double& v : s) v = objectives::stable_sigmoid(v);
  return s;
}

std::vector<gate::milestone> default_plan(const policy::target& t, std::vector<double> sparsities) {
  if (sparsities.empty()) sparsities = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95};
  std::vector<gate::milestone> plan;
  const auto& bits = t.compression.allowed_bits;
  if (std::find(bits.begin(), bits.end(), 8u) != bits.end()) {
    gate::milestone q;
    q.kind = gate::milestone_kind::quantize;
    q.bits = 8;
    q.per_channel = true;
    plan.push_back(q);
  }
  for (double s : sparsities) {
    require(std::isfinite(s) && s > 0.0 && s <= 1.0, errc::invalid_argument,
            [&] { return "sparsity step " + std::to_string(s) + " is outside (0, 1]"; });
    gate::milestone m;
    m.sparsity = s;
    plan.push_back(m);
  }
  return plan;
}

namespace {

json jnum(double v) {
  return std::isfinite(v) ? json(v) : json(nullptr);
}

// The worst group's candidate value of the target's first per-group
// constraint (the controller's frontier metric, gate/controller.hpp).
json worst_group(const gate::verdict& v, const policy::target& t) {
  for (std::size_t i = 0; i < t.constraints.size() && i < v.constraints.size(); ++i) {
    const auto& pc = t.constraints[i];
    if (pc.scope != policy::scope_kind::every_group) continue;
    const bool higher = policy::info(pc.metric).better != policy::better_when::lower;
    double w = std::numeric_limits<double>::quiet_NaN();
    std::string g;
    for (const auto& it : v.constraints[i].items) {
      if (it.result == gate::outcome::skipped || std::isnan(it.candidate)) continue;
      if (std::isnan(w) || (higher ? it.candidate < w : it.candidate > w)) {
        w = it.candidate;
        g = it.group;
      }
    }
    return {{"metric", v.constraints[i].metric},
            {"constraint", v.constraints[i].id},
            {"value", jnum(w)},
            {"group", g}};
  }
  if (v.constraints.empty() || v.constraints[0].items.empty()) return nullptr;
  return {{"metric", v.constraints[0].metric},
          {"constraint", v.constraints[0].id},
          {"value", jnum(v.constraints[0].items[0].candidate)},
          {"group", v.constraints[0].items[0].group}};
}

// Per constraint, each judged item's statistic and candidate value.
json step_values(const gate::verdict& v) {
  json out = json::object();
  for (const auto& c : v.constraints) {
    json items = json::object();
    for (const auto& it : c.items) {
      items[it.group] = {{"statistic", jnum(it.statistic)},
                         {"candidate", jnum(it.candidate)},
                         {"result", std::string(gate::to_string(it.result))}};
    }
    out[c.id] = std::move(items);
  }
  return out;
}

}  // namespace

compression_output compress(mlp_host& host, const compression_request& rq) {
  std::vector<std::string> names = rq.targets;
  if (names.empty())
    for (const auto& t : rq.policy.targets) names.push_back(t.name);
  for (const auto& n : names) {
    bool found = false;
    for (const auto& t : rq.policy.targets) found = found || t.name == n;
    require(found, errc::invalid_argument, [&] {
      std::string all;
      for (const auto& t : rq.policy.targets) all += (all.empty() ? "'" : ", '") + t.name + "'";
      return "target '" + n + "' is not in policy '" + rq.policy.name + "' (its targets: " + all +
             ")";
    });
  }

  compression_output out;
  out.results["targets"] = json::array();
  // Targets in policy order, as the controller would run them.
  for (const auto& target : rq.policy.targets) {
    if (std::find(names.begin(), names.end(), target.name) == names.end()) continue;
    gate::controller_options o;
    o.directory = rq.directory;
    o.targets = {target.name};
    o.remedies = rq.remedies;
    gate::controller c(rq.policy, rq.rows, o);
    host.register_tensors(c);
    std::uint64_t evaluations = 0;
    c.on_evaluate([&] {
      std::vector<double> scores = host.evaluate();
      ++evaluations;
      if (rq.progress) rq.progress(target.name, evaluations);
      return scores;
    });
    const auto plan = default_plan(target, rq.sparsities);
    gate::run_result r = c.run(plan);
    require(r.targets.size() == 1, errc::invalid_argument, "controller returned no target result");
    const gate::target_result& tr = r.targets[0];
    {
      manifest::manifest scratch;
      gate::record_run(scratch, r, c);
      const auto& comp = scratch.computation();
      out.records[target.name] = {{"config", comp.at("config").value("controller", json())},
                                  {"results", comp.at("results").value("controller", json())}};
    }

    // Every changelog line of the run, with the verdict the controller gated it on.
    json steps = json::array();
    gate::verdict baseline;
    for (const gate::step_record& d : tr.decisions) {
      json s = {{"step", d.step},
                {"milestone", d.milestone},
                {"pass", d.pass},
                {"attempt", d.attempt},
                {"sparsity", d.sparsity},
                {"mean_bits", d.mean_bits},
                {"verdict", d.gated ? json(d.gated->pass ? "pass" : "fail") : json(nullptr)},
                {"decision", d.decision},
                {"reason", d.reason}};
      if (d.gated) {
        s["verdict_digest"] = d.verdict_digest;
        if (d.attempt == "baseline") baseline = *d.gated;
        s["values"] = step_values(*d.gated);
        s["worst_group"] = worst_group(*d.gated, target);
      }
      steps.push_back(std::move(s));
    }
    const auto& best = tr.best;
    json constraints = json::array();
    for (const auto& cr : baseline.constraints) {
      json bounds = json::object();
      for (const auto& it : cr.items) bounds[it.group] = jnum(it.bound);
      constraints.push_back({{"id", cr.id},
                             {"metric", cr.metric},
                             {"scope", cr.scope},
                             {"bound", cr.bound},
                             {"evidence", cr.evidence},
                             {"bound_value", bounds}});
    }
    json frontier = json::array();
    for (const auto& p : tr.frontier)
      frontier.push_back({{"step", p.step},
                          {"sparsity", p.sparsity},
                          {"mean_bits", p.mean_bits},
                          {"worst_group_metric", jnum(p.worst_group_metric)},
                          {"pass", p.pass}});
    json tensors = json::array();
    const auto& layers_names = best.tensor_sparsity;
    for (std::size_t t = 0; t < layers_names.size(); ++t)
      tensors.push_back({{"name", "layer" + std::to_string(t) + ".weight"},
                         {"sparsity", best.tensor_sparsity[t]},
                         {"bits", t < best.tensor_bits.size() ? best.tensor_bits[t] : 32u}});
    json best_verdict = best.verdict_json.empty() ? json(nullptr) : json::parse(best.verdict_json);
    json t = {{"target", target.name},
              {"description", target.description},
              {"sensitive_features", target.sensitive_features},
              {"pass", best.pass},
              {"sparsity", best.sparsity},
              {"mean_bits", best.mean_bits},
              {"tensors", tensors},
              {"state_digest", best.state_digest},
              {"steps", tr.steps},
              {"evaluations", evaluations},
              {"stopped", tr.stopped},
              {"worst_group_before", worst_group(baseline, target)},
              {"worst_group_after", nullptr},
              {"constraints", constraints},
              {"verdict", best_verdict},
              {"frontier", frontier},
              {"milestones", steps}};
    // The best state's worst group: the step whose verdict is the best state's.
    const std::string best_digest =
        best.verdict_json.empty() ? std::string() : io::sha256_hex(best.verdict_json);
    for (const auto& s : steps) {
      if (s.contains("worst_group") && s.value("verdict_digest", "") == best_digest)
        t["worst_group_after"] = s.at("worst_group");
    }
    out.results["targets"].push_back(std::move(t));
    out.run.targets.push_back(tr);
    out.run.digest = r.digest;  // one target per controller: the last target's digest
  }
  return out;
}

}  // namespace cli
FAIRGATE_END_NAMESPACE
