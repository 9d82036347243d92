// `fairgate compress` and `fairgate demo`: the constraint-aware compression
// controller on a reference model, through the one code path of
// fairgate/cli/pipeline.hpp (also used by examples/compress_adult).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include <fairgate/cli/pipeline.hpp>
#include <fairgate/error.hpp>
#include <fairgate/io/adult.hpp>
#include <fairgate/io/csv.hpp>
#include <fairgate/io/file.hpp>
#include <fairgate/io/schema.hpp>
#include <fairgate/io/sha256.hpp>
#include <fairgate/metrics/groups.hpp>
#include <fairgate/mitigation/reweighing.hpp>
#include <fairgate/objectives/relaxation.hpp>
#include <fairgate/policy/parse.hpp>
#include <fairgate/rng/split.hpp>
#include <fairgate/rng/stream.hpp>
#include <fairgate/train/trainer.hpp>

#include "cli.hpp"

namespace fairgate_cli {

namespace fs = std::filesystem;
namespace fio = fairgate::io;
namespace ft = fairgate::train;
namespace fm = fairgate::metrics;
namespace fp = fairgate::policy;
namespace fg = fairgate::gate;
using fairgate::errc;

namespace {

std::string shortest(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

json string_list(const std::vector<std::string>& v) {
  json j = json::array();
  for (const auto& s : v) j.push_back(s);
  return j;
}

// A fresh controller directory: the files a previous run left are removed
// (the changelog is appended to, heads are resumed from otherwise).
void reset_run_directory(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  require(!ec, errc::io_error,
          [&] { return dir.string() + ": cannot create the directory (" + ec.message() + ")"; });
  for (const char* name : {"changelog.jsonl", "heads", "store"}) fs::remove_all(dir / name, ec);
}

// Group codes of `tab` for a target's sensitive features (intersectional,
// names joined with '|' in the order given).
fg::evaluation_rows rows_for(const fio::csv_table& tab, const std::vector<std::uint8_t>& y,
                             const std::vector<std::string>& features, double threshold,
                             const std::string& what) {
  require(!features.empty(), errc::invalid_argument,
          [&] { return what + ": the target names no sensitive_features"; });
  std::vector<fm::sensitive_feature> sf;
  std::vector<std::vector<std::uint32_t>> codes;
  for (const auto& f : features) {
    auto col = tab.categorical(f);
    sf.push_back({f, col.categories});
    codes.push_back(std::move(col.codes));
  }
  const fm::group_encoder enc(sf);
  fg::evaluation_rows rows;
  rows.labels = y;
  rows.group_names = enc.names();
  rows.threshold = threshold;
  rows.groups.resize(tab.rows());
  std::vector<std::uint64_t> count(enc.n_groups(), 0);
  std::vector<std::uint32_t> cats(features.size());
  for (std::size_t r = 0; r < tab.rows(); ++r) {
    for (std::size_t f = 0; f < features.size(); ++f) cats[f] = codes[f][r];
    rows.groups[r] = enc.encode(std::span<const std::uint32_t>(cats));
    ++count[rows.groups[r]];
  }
  std::size_t nonempty = 0;
  for (auto k : count) nonempty += k > 0 ? 1 : 0;
  require(nonempty >= 2, errc::invalid_argument, [&] {
    return what + ": all " + std::to_string(tab.rows()) + " rows are in one group of " +
           enc.feature_label() + ": a fairness gate needs at least two groups";
  });
  return rows;
}

void record_gate_streams(fairgate::manifest::manifest& m, const fp::policy& p,
                         const std::vector<std::string>& targets) {
  for (const auto& t : p.targets) {
    if (std::find(targets.begin(), targets.end(), t.name) == targets.end()) continue;
    for (const auto& c : t.constraints) {
      if (c.evidence.kind == fp::evidence_kind::point) continue;
      m.add_stream({c.evidence.seed, fairgate::rng::purpose_tag("bootstrap.paired"), 0},
                   "gate paired bootstrap, target " + t.name + ", constraint " + c.id);
    }
  }
}

std::vector<std::string> selected_targets(const fp::policy& p,
                                          const std::vector<std::string>& asked) {
  std::vector<std::string> out;
  for (const auto& a : asked) {
    const bool found = std::any_of(p.targets.begin(), p.targets.end(),
                                   [&](const fp::target& t) { return t.name == a; });
    require(found, errc::invalid_argument, [&] {
      std::string all;
      for (const auto& t : p.targets) all += (all.empty() ? "'" : ", '") + t.name + "'";
      return "--target '" + a + "' is not a target of policy '" + p.name +
             "' (its targets: " + all + ")";
    });
  }
  for (const auto& t : p.targets)
    if (asked.empty() || std::find(asked.begin(), asked.end(), t.name) != asked.end())
      out.push_back(t.name);
  return out;
}

// The compression step shared by compress and demo: `model` scored on `tab`
// (already free of missing values in the used columns), one controller run
// per target into `dir`.
json compress_rows(ft::feedforward& model, const fio::feature_encoder& enc,
                   const fio::csv_table& tab, const std::vector<std::uint8_t>& y,
                   const fp::policy& policy, const std::vector<std::string>& targets,
                   const std::vector<double>& sparsities, bool remedies, double threshold,
                   const fs::path& dir, const terminal& t, json& records) {
  const fio::encoded_matrix X = enc.transform(tab);
  const ft::dataset_view view{X.values, X.rows, X.cols, y, {}, {}, 0};
  fairgate::cli::mlp_host host(model, view, true);
  reset_run_directory(dir);
  json out = json::array();
  for (const auto& name : targets) {
    const auto& target = *std::find_if(policy.targets.begin(), policy.targets.end(),
                                       [&](const fp::target& x) { return x.name == name; });
    fairgate::cli::compression_request rq;
    rq.policy = policy;
    rq.rows = rows_for(tab, y, target.sensitive_features, threshold, "target '" + name + "'");
    rq.directory = dir;
    rq.targets = {name};
    rq.sparsities = sparsities;
    if (!remedies) rq.remedies = {};
    const std::size_t plan = fairgate::cli::default_plan(target, sparsities).size();
    progress_bar bar(t, "compressing for target " + name, 3 * plan + 1);
    rq.progress = [&](const std::string&, std::uint64_t k) {
      bar.update(std::min<std::uint64_t>(k, 3 * plan + 1));
    };
    auto res = fairgate::cli::compress(host, rq);
    bar.finish();
    for (const auto& [k, v] : res.records.items()) records[k] = v;
    for (auto& x : res.results.at("targets")) {
      json groups = json::array();
      std::vector<std::uint64_t> n(rq.rows.group_names.size(), 0);
      for (auto g : rq.rows.groups) ++n[g];
      for (std::size_t g = 0; g < n.size(); ++g)
        groups.push_back({{"name", rq.rows.group_names[g]}, {"count", n[g]}});
      x["groups"] = groups;
      x["rows"] = rq.rows.labels.size();
      out.push_back(std::move(x));
    }
  }
  return out;
}

// The controller's own record of each target's run (gate::record_run): the
// plan, options, tensors, evaluation rows' digests and baseline-score hash
// (config.controller.<target>), and the best state, frontier and checkpoint
// hashes (results.controller.<target>).
void record_controllers(fairgate::manifest::manifest& m, const json& records) {
  for (const auto& [target, r] : records.items()) {
    m.config()["controller"][target] = r.at("config");
    m.results()["controller"][target] = r.at("results");
  }
}

std::vector<std::uint8_t> binary_labels(const fio::csv_table& tab, const std::string& label,
                                        const std::optional<std::string>& positive,
                                        const std::string& where) {
  label_mapper lm(positive);
  lm.fit(tab.categorical(label).categories, where + ": label column '" + label + "'");
  std::vector<std::uint8_t> y(tab.rows());
  const std::size_t lc = tab.column_index(label);
  for (std::size_t r = 0; r < tab.rows(); ++r) y[r] = *lm.map(tab.cell(r, lc));
  return y;
}

void record_columns(fairgate::manifest::manifest& m, const fio::csv_table& table,
                    const std::string& role, const std::vector<std::string>& used) {
  for (const auto& d : fio::column_digests(table)) {
    if (!used.empty() && std::find(used.begin(), used.end(), d.schema.name) == used.end()) continue;
    m.tables().push_back({{"table", role},
                          {"name", d.schema.name},
                          {"type", fio::column_type_name(d.schema.type)},
                          {"rows", d.rows},
                          {"missing", d.missing},
                          {"sha256", d.sha256}});
  }
}

}  // namespace

void add_directory_artifacts(fairgate::manifest::manifest& m, const std::string& dir,
                             const std::vector<std::string>& include) {
  std::vector<std::string> names;
  for (const auto& top : include) {
    const fs::path p = fs::path(dir) / top;
    if (fs::is_regular_file(p)) {
      names.push_back(top);
    } else if (fs::is_directory(p)) {
      for (const auto& e : fs::recursive_directory_iterator(p)) {
        if (!e.is_regular_file()) continue;
        const std::string rel = fs::relative(e.path(), dir).generic_string();
        // Not artifacts: interrupted atomic writes, probes and other dot files.
        if (rel.find(".tmp") != std::string::npos || rel.find("/.") != std::string::npos ||
            rel.front() == '.')
          continue;
        names.push_back(rel);
      }
    }
  }
  std::sort(names.begin(), names.end());
  for (const auto& n : names)
    m.add_artifact_digest(n, fio::sha256_file(fs::path(dir) / n),
                          static_cast<std::uint64_t>(fs::file_size(fs::path(dir) / n)));
}

// ------------------------------------------------------------------ compress
json to_json(const compress_config& c) {
  return json{{"command", "compress"},
              {"model", c.model},
              {"policy", c.policy},
              {"targets", string_list(c.targets)},
              {"data", c.data},
              {"label", c.label},
              {"positive", c.positive ? json(*c.positive) : json(nullptr)},
              {"threshold", c.threshold},
              {"sparsities", c.sparsities},
              {"remedies", c.remedies},
              {"out", c.out}};
}

compress_config compress_config_from_json(const json& j) {
  require(j.is_object() && j.value("command", "") == "compress", errc::parse_error,
          "manifest config: not a compress configuration");
  compress_config c;
  c.model = j.at("model").get<std::string>();
  c.policy = j.at("policy").get<std::string>();
  c.targets = j.at("targets").get<std::vector<std::string>>();
  c.data = j.at("data").get<std::string>();
  c.label = j.at("label").get<std::string>();
  if (j.at("positive").is_string()) c.positive = j.at("positive").get<std::string>();
  c.threshold = j.at("threshold").get<double>();
  c.sparsities = j.at("sparsities").get<std::vector<double>>();
  c.remedies = j.at("remedies").get<bool>();
  c.out = j.at("out").get<std::string>();
  return c;
}

json run_compress(const compress_config& c, const std::string& dir, const terminal& t,
                  fairgate::manifest::manifest& m) {
  require(std::isfinite(c.threshold) && c.threshold > 0.0 && c.threshold < 1.0,
          errc::invalid_argument, "--threshold must be in (0, 1) (a probability)");
  const std::string policy_text = fio::read_text_file(c.policy);
  const fp::policy policy = fp::parse_policy_string(policy_text, c.policy);
  const std::vector<std::string> targets = selected_targets(policy, c.targets);
  loaded_model lm = load_model(c.model);
  const std::string label = c.label.empty() ? lm.label : c.label;
  require(!label.empty(), errc::invalid_argument,
          [&] { return c.model + ": the model names no label column; pass --label COL"; });
  const std::optional<std::string> positive = c.positive ? c.positive : lm.positive;

  const fio::csv_table table = fio::read_csv(c.data);
  require(table.rows() > 0, errc::empty_input,
          [&] { return c.data + ": no data rows after the header"; });
  std::vector<std::string> used{label};
  for (const auto& f : lm.encoder.numeric()) used.push_back(f.name);
  for (const auto& f : lm.encoder.categorical()) used.push_back(f.name);
  for (const auto& tn : targets)
    for (const auto& pt : policy.targets)
      if (pt.name == tn)
        for (const auto& f : pt.sensitive_features)
          if (std::find(used.begin(), used.end(), f) == used.end()) used.push_back(f);
  for (const auto& u : used) (void)table.column_index(u);  // unknown column: names file + columns
  const fio::filtered_table kept = fio::drop_missing_rows(table, used);
  require(kept.table.rows() > 0, errc::empty_input, [&] {
    return c.data + ": every row has a missing value in a used column (" + kept.report.summary() +
           ")";
  });
  const auto y = binary_labels(kept.table, label, positive, c.data);

  json res;
  res["command"] = "compress";
  res["model"] = c.model;
  res["data"] = c.data;
  res["policy"] = policy.name;
  res["label"] = label;
  res["threshold"] = c.threshold;
  res["rows"] = {
      {"read", table.rows()}, {"used", kept.table.rows()}, {"excluded", kept.report.dropped()}};
  json records = json::object();
  res["targets"] = compress_rows(lm.model, lm.encoder, kept.table, y, policy, targets, c.sparsities,
                                 c.remedies, c.threshold, dir, t, records);

  m.add_input_file("model", c.model);
  m.add_input_file("data", c.data);
  m.set_policy(c.policy, policy_text);
  record_columns(m, table, "data", used);
  m.set_root_seed(policy.defaults.seed);
  record_gate_streams(m, policy, targets);
  m.config() = to_json(c);
  m.results() = res;
  record_controllers(m, records);
  return res;
}

// ------------------------------------------------------------------ demo
json to_json(const demo_config& c) {
  return json{{"command", "demo"}, {"data", c.data},           {"policy", c.policy},
              {"seed", c.seed},    {"bootstrap", c.bootstrap}, {"out", c.out}};
}

demo_config demo_config_from_json(const json& j) {
  require(j.is_object() && j.value("command", "") == "demo", errc::parse_error,
          "manifest config: not a demo configuration");
  demo_config c;
  c.data = j.at("data").get<std::string>();
  c.policy = j.at("policy").get<std::string>();
  c.seed = j.at("seed").get<std::uint64_t>();
  c.bootstrap = j.at("bootstrap").get<std::uint32_t>();
  c.out = j.at("out").get<std::string>();
  return c;
}

namespace {

// The demo's reference model: the MLP of examples/compress_adult (108 -> 32 -> 1).
constexpr std::size_t demo_hidden = 32;
constexpr std::size_t demo_epochs = 6;

ft::feedforward train_demo_model(const ft::dataset_view& d, std::uint64_t seed,
                                 const std::string& label, const terminal& t) {
  ft::feedforward model(d.cols, {demo_hidden});
  model.initialize(seed);
  ft::fit_options fo;
  fo.epochs = demo_epochs;
  fo.batch_size = 256;
  fo.learning_rate = 0.005;
  fo.l2 = 1e-5;
  fo.seed = seed;
  const std::size_t steps = demo_epochs * ((d.rows + 255) / 256);
  progress_bar bar(t, label, steps);
  std::uint64_t k = 0;
  (void)ft::fit(model, d, fo, {}, [&](ft::feedforward&) { bar.update(++k); });
  return model;
}

std::vector<double> probabilities(const ft::feedforward& model, const ft::dataset_view& d) {
  std::vector<double> s(d.rows);
  model.predict_logits(d, s);
  for (double& v : s) v = fairgate::objectives::stable_sigmoid(v);
  return s;
}

void stage(const terminal& t, bool quiet, const std::string& text) {
  (void)t;
  if (!quiet) std::fprintf(stderr, "fairgate demo: %s\n", text.c_str());
}

}  // namespace

json run_demo(const demo_config& c, const std::string& dir, const terminal& t,
              fairgate::manifest::manifest& m) {
  const bool quiet = !t.progress;
  const std::string policy_text = fio::read_text_file(c.policy);
  const fp::policy policy = fp::parse_policy_string(policy_text, c.policy);

  // 1. Data and a deterministic split stratified by (sex x race, label).
  stage(t, quiet, "1/6 loading UCI Adult from " + c.data + " and splitting it");
  const auto adult = fio::load_adult(c.data);
  const fm::group_encoder genc({{"sex", adult.sex_names}, {"race", adult.race_names}});
  const auto& full = adult.train;
  std::vector<std::uint32_t> groups_all(full.table.rows()), strata(full.table.rows());
  for (std::size_t i = 0; i < full.table.rows(); ++i) {
    const std::uint32_t cats[2] = {full.sex[i], full.race[i]};
    groups_all[i] = genc.encode(cats);
    strata[i] = groups_all[i] * 2u + full.labels[i];
  }
  const double fractions[] = {0.7, 0.3};
  const auto split = fairgate::rng::stratified_split(strata, fractions, c.seed);
  std::vector<std::size_t> rows_part[2];
  for (std::size_t i = 0; i < split.part.size(); ++i) rows_part[split.part[i]].push_back(i);
  const fio::csv_table train_tab = full.table.select_rows(rows_part[0]);
  const fio::csv_table test_tab = full.table.select_rows(rows_part[1]);
  std::vector<std::uint8_t> y_train, y_test;
  std::vector<std::uint32_t> g_train, g_test;
  for (auto i : rows_part[0]) y_train.push_back(full.labels[i]), g_train.push_back(groups_all[i]);
  for (auto i : rows_part[1]) y_test.push_back(full.labels[i]), g_test.push_back(groups_all[i]);

  const auto enc = fio::feature_encoder::fit(train_tab, fio::adult_encoder_options());
  const auto Xtr = enc.transform(train_tab);
  const auto Xte = enc.transform(test_tab);
  const ft::dataset_view dtr{Xtr.values, Xtr.rows, Xtr.cols, y_train, {}, {}, 0};
  const ft::dataset_view dte{Xte.values, Xte.rows, Xte.cols, y_test, {}, {}, 0};

  // 2. The reference model.
  stage(t, quiet,
        "2/6 training the reference model (MLP " + std::to_string(Xtr.cols) + "-" +
            std::to_string(demo_hidden) + "-1, " + std::to_string(demo_epochs) + " epochs) on " +
            std::to_string(Xtr.rows) + " rows");
  ft::feedforward reference = train_demo_model(dtr, c.seed, "training", t);
  const auto s_ref = probabilities(reference, dte);

  // 4. Mitigation: Kamiran & Calders reweighing over sex x race, then retrain.
  stage(t, quiet, "3/6 mitigating: reweighing (Kamiran & Calders) over sex x race, retraining");
  const auto rw = fairgate::mitigation::reweighing(y_train, g_train, genc.n_groups());
  const ft::dataset_view dtrw{Xtr.values, Xtr.rows, Xtr.cols, y_train, rw.row_weights, {}, 0};
  ft::feedforward mitigated = train_demo_model(dtrw, c.seed, "training (reweighed)", t);
  const auto s_mit = probabilities(mitigated, dte);

  // 3. Audit both on the test rows (the CSV is also an output of the run).
  stage(t, quiet,
        "4/6 auditing by sex and race with " + std::to_string(c.bootstrap) +
            " Poisson-bootstrap replicates");
  std::string csv = "sex,race,income,score_reference,score_mitigated\n";
  for (std::size_t r = 0; r < test_tab.rows(); ++r) {
    csv += adult.sex_names[g_test[r] / static_cast<std::uint32_t>(adult.race_names.size())] + ",";
    csv += adult.race_names[g_test[r] % static_cast<std::uint32_t>(adult.race_names.size())] + ",";
    csv += (y_test[r] ? "1," : "0,") + shortest(s_ref[r]) + "," + shortest(s_mit[r]) + "\n";
  }
  const fs::path pred_path = fs::path(dir) / "predictions.csv";
  fio::write_file_atomic(pred_path, std::string_view(csv));
  audit_config ac;
  ac.input = pred_path.string();
  ac.label = "income";
  ac.score = "score_reference";
  ac.groups = {"sex", "race"};
  ac.bootstrap = c.bootstrap;
  ac.seed = c.seed;
  ac.min_support = policy.defaults.min_support;
  fairgate::manifest::manifest scratch;
  json audit = run_audit(ac, t, scratch);
  audit["input"] = "predictions.csv (score_reference)";
  ac.score = "score_mitigated";
  ac.bootstrap = 0;
  fairgate::manifest::manifest scratch2;
  json audit_mit = run_audit(ac, t, scratch2);
  // The mitigation's effect over the groups the policy judges (>= min_support
  // rows): a tiny group's rates (e.g. 1 positive in 26 rows) would dominate
  // every max-min gap. Gaps = max - min of the group rates (Fairlearn's
  // between_groups differences restricted to those groups).
  const auto gaps = [&](const json& a) {
    double lo[3] = {2, 2, 2}, hi[3] = {-1, -1, -1};
    const char* rate[3] = {"selection_rate", "tpr", "fpr"};
    for (const auto& [g, v] : a.at("by_group").items()) {
      if (v.at("count").get<std::uint64_t>() < policy.defaults.min_support) continue;
      for (int k = 0; k < 3; ++k) {
        if (!v.at(rate[k]).is_number()) continue;
        lo[k] = std::min(lo[k], v.at(rate[k]).get<double>());
        hi[k] = std::max(hi[k], v.at(rate[k]).get<double>());
      }
    }
    json j;
    j["demographic_parity_difference"] = hi[0] - lo[0];
    j["equal_opportunity_difference"] = hi[1] - lo[1];
    j["equalized_odds_difference"] = std::max(hi[1] - lo[1], hi[2] - lo[2]);
    for (const char* k : {"accuracy", "roc_auc", "selection_rate"}) j[k] = a.at("overall").at(k);
    return j;
  };
  const json before = gaps(audit), after = gaps(audit_mit);

  // 5-6. Compression for each target under the policy, every milestone gated.
  stage(t, quiet,
        "5/6 compressing the mitigated model for targets server and device (every "
        "milestone gated, rollback on failure)");
  json records = json::object();
  json targets = compress_rows(mitigated, enc, test_tab, y_test, policy,
                               selected_targets(policy, {}), {}, true, 0.5, dir, t, records);
  stage(t, quiet, "6/6 writing the manifest and the report");

  json res;
  res["command"] = "demo";
  res["data"] = {{"source", "UCI Adult (Becker & Kohavi 1996), CC BY 4.0"},
                 {"rows_read", full.rows_read},
                 {"rows_complete", full.table.rows()},
                 {"rows_excluded_missing", full.missing.dropped()}};
  res["split"] = {{"method", "stratified by (sex x race, label), rng::stratified_split"},
                  {"seed", c.seed},
                  {"fractions", {0.7, 0.3}},
                  {"train_rows", rows_part[0].size()},
                  {"test_rows", rows_part[1].size()}};
  res["model"] = {{"architecture", "MLP " + std::to_string(Xtr.cols) + "-" +
                                       std::to_string(demo_hidden) + "-1 (ReLU)"},
                  {"epochs", demo_epochs},
                  {"features", Xtr.cols}};
  res["audit"] = audit;
  res["mitigation"] = {{"method", "reweighing (Kamiran & Calders 2012) over sex x race"},
                       {"scope", "Gaps between the groups with at least " +
                                     std::to_string(policy.defaults.min_support) +
                                     " test rows (max - min of the group rates); accuracy, ROC "
                                     "AUC and selection rate over all test rows."},
                       {"before", before},
                       {"after", after}};
  res["policy"] = policy.name;
  res["targets"] = targets;

  for (const auto& f : {"adult.data", "adult.test"}) m.add_input_file(f, fs::path(c.data) / f);
  m.set_policy(c.policy, policy_text);
  record_columns(m, full.table, "adult.data", {});
  m.set_root_seed(c.seed);
  m.add_stream({c.seed, fairgate::rng::purposes::split.tag, 0}, "stratified train/test split");
  for (const char* which : {"reference", "reweighed"}) {
    for (std::uint32_t l = 0; l < 2; ++l)
      m.add_stream(
          {c.seed, fairgate::rng::purposes::init.tag, l},
          std::string("initial weights of layer ") + std::to_string(l) + " (" + which + " model)");
    for (std::uint32_t e = 0; e < demo_epochs; ++e)
      m.add_stream({c.seed, fairgate::rng::purposes::minibatch.tag, e},
                   "mini-batch order of epoch " + std::to_string(e) + " (" + which + " model)");
  }
  for (std::uint32_t b = 0; b < c.bootstrap; ++b)
    m.add_stream({c.seed, fairgate::rng::purposes::bootstrap.tag, b},
                 "audit bootstrap replicate " + std::to_string(b));
  record_gate_streams(m, policy, selected_targets(policy, {}));
  m.config() = to_json(c);
  m.results() = res;
  record_controllers(m, records);
  return res;
}

void print_compress_summary(const json& r, const std::string& out_dir, const terminal& t) {
  auto f = [](const json& v, int d = 4) {
    return v.is_number()
               ? shortest(std::round(v.get<double>() * std::pow(10.0, d)) / std::pow(10.0, d))
               : std::string("-");
  };
  if (r.value("command", "") == "compress") {
    std::printf(
        "fairgate compress: %s on %s (%s rows used, %s excluded: missing values), policy %s\n",
        r.at("model").get<std::string>().c_str(), r.at("data").get<std::string>().c_str(),
        r.at("rows").at("used").dump().c_str(), r.at("rows").at("excluded").dump().c_str(),
        r.at("policy").get<std::string>().c_str());
  }
  if (r.contains("mitigation")) {
    const auto& b = r.at("mitigation").at("before");
    const auto& a = r.at("mitigation").at("after");
    std::printf("mitigation (%s):\n", r.at("mitigation").at("method").get<std::string>().c_str());
    for (const char* k : {"equalized_odds_difference", "demographic_parity_difference", "accuracy"})
      std::printf("  %-32s %8s -> %8s\n", k, f(b.at(k)).c_str(), f(a.at(k)).c_str());
  }
  for (const auto& x : r.at("targets")) {
    const bool pass = x.at("pass").get<bool>();
    std::printf("target %-8s %s  sparsity %s, mean bits %s",
                x.at("target").get<std::string>().c_str(),
                t.paint(t.colour_stdout, pass ? "32" : "31", pass ? "PASS" : "FAIL").c_str(),
                f(x.at("sparsity")).c_str(), f(x.at("mean_bits"), 2).c_str());
    const auto& wb = x.at("worst_group_before");
    const auto& wa = x.at("worst_group_after");
    if (wb.is_object() && wa.is_object())
      std::printf("; worst-group %s %s (%s) before -> %s (%s) after",
                  wb.at("metric").get<std::string>().c_str(), f(wb.at("value")).c_str(),
                  wb.at("group").get<std::string>().c_str(), f(wa.at("value")).c_str(),
                  wa.at("group").get<std::string>().c_str());
    std::printf("\n");
    if (x.at("verdict").is_object())
      for (const auto& cr : x.at("verdict").at("constraints"))
        std::printf("    %-16s %-5s %s\n", cr.at("id").get<std::string>().c_str(),
                    cr.at("result").get<std::string>().c_str(),
                    cr.at("reason").get<std::string>().c_str());
  }
  std::printf("report: %s\n", (fs::path(out_dir) / "report.html").string().c_str());
}

}  // namespace fairgate_cli
