// The cross-target determinism suite (issue 7, "Bit-identical across targets"):
// the whole demonstration pipeline on a fixed subset of UCI Adult, one digest
// per stage and one final digest. scripts/check-determinism builds it with
// g++ -O0, g++ -O3, clang++ -O3, g++ -O3 -DFAIRGATE_DISABLE_SIMD and
// aarch64-linux-gnu-g++ (run under qemu-aarch64), runs each with 1 and 2
// threads, and requires every output to equal pipeline.expected.
//
//   determinism_pipeline --data DIR [--threads N] [--dump OUT]
//
// DIR holds adult/adult.data (the repository's data/ directory). Stages:
//  1. data      the first 3,000 complete rows of adult.data (load_adult,
//               drop_rows); groups sex x race (10 intersectional groups)
//  2. split     rng::stratified_split 70/30, strata (group, label)
//  3. features  io::feature_encoder fitted on the training part (standardised
//               numerics, one-hot categoricals)
//  4. train     the reference MLP (features -> 16 -> 1), Adam, 3 epochs, with
//               a demographic-parity penalty (objectives) on every mini-batch
//  5. metrics   baseline predictions on the test part; metrics::accumulate on
//               N threads; per-group rates, Fairlearn disparities, Wilson CIs
//  6. bootstrap Poisson bootstrap (per-group TPR, equalized-odds difference)
//               and the stratified bootstrap
//  7. prune     global magnitude pruning (50%) of the f32 weight matrices
//  8. quantize  int8 per-channel (PyTorch symmetric) of the pruned weights,
//               fake-quantized back for evaluation
//  9. candidate re-evaluation of the compressed model (accumulate on N threads)
// 10. gate      the verdict of a fixed policy (parsed from TOML below):
//               point, ci (paired bootstrap) and paired_test (Holm) evidence
// 11. manifest  the manifest's canonical hashed computation section: SHA-256 of
//               adult.data (OpenSSL), the policy, seeds and stream keys,
//               results, and the SHA-256 of every artifact
// Each line is "<stage> <value>": an FNV-1a 64 hash of the stage's outputs
// (doubles as IEEE bit patterns, little-endian), or a SHA-256 where the
// library computes one. The last line, "pipeline <hash>", hashes all lines
// before it. Nothing on stdout depends on the thread count, the compiler,
// the CPU or the SIMD path; those go to stderr. --dump OUT also writes the
// verdict (verdict.json, verdict.txt) and the manifest (manifest.json) into
// OUT, to find the cause when two targets disagree.
#include <bit>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <numeric>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fairgate/digest.hpp>
#include <fairgate/error.hpp>
#include <fairgate/gate/gate.hpp>
#include <fairgate/io/adult.hpp>
#include <fairgate/io/encoder.hpp>
#include <fairgate/io/schema.hpp>
#include <fairgate/manifest/manifest.hpp>
#include <fairgate/metrics/accumulate.hpp>
#include <fairgate/metrics/disparities.hpp>
#include <fairgate/metrics/groups.hpp>
#include <fairgate/metrics/rates.hpp>
#include <fairgate/objectives/penalties.hpp>
#include <fairgate/policy/canonical.hpp>
#include <fairgate/policy/parse.hpp>
#include <fairgate/prune/global.hpp>
#include <fairgate/quantize/observer.hpp>
#include <fairgate/quantize/quantize.hpp>
#include <fairgate/rng/split.hpp>
#include <fairgate/tensor/view.hpp>
#include <fairgate/train/trainer.hpp>
#include <fairgate/uncertainty/bootstrap.hpp>
#include <fairgate/uncertainty/wilson.hpp>

namespace fg = fairgate;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kRows = 3000;              // subset of adult.data (complete rows, file order)
constexpr std::uint64_t kSplitSeed = 11;         // rng::stratified_split
constexpr std::uint64_t kInitSeed = 7;           // feedforward::initialize
constexpr std::uint64_t kTrainSeed = 13;         // fit_options::seed (mini-batch shuffles)
constexpr double kPenalty = 0.5;                 // weight of the demographic-parity penalty
constexpr std::uint64_t kBootSeed = 17;          // the metrics-stage bootstraps
constexpr std::uint32_t kReplicates = 200;       // metrics-stage bootstraps
constexpr std::uint64_t kPolicySeed = 20261123;  // the policy's [defaults] seed (gate bootstraps)

// The fixed policy of the gate stage. Bounds are loose enough that the
// verdict is stable in meaning, but every evidence kind is exercised.
constexpr std::string_view kPolicy = R"(schema_version = 1
name = "determinism-suite"
description = "cross-target determinism suite: every evidence kind on a small Adult subset"

[defaults]
min_support = 30
undefined_groups = "skip"
seed = 20261123
bootstrap_replicates = 200
alpha = 0.05
correction = "holm"

[[target]]
name = "device"
description = "int8 per-channel weights plus 50% global magnitude pruning"
sensitive_features = ["sex", "race"]
max_sparsity = 0.9
allowed_bits = [8]
per_channel = true

[[target.constraint]]
id = "eo"
metric = "equalized_odds_difference"
bound = "<= baseline + 0.05"
evidence = "ci"
confidence = 0.9

[[target.constraint]]
id = "tpr-drop"
metric = "tpr"
max_drop = 0.05
evidence = "paired_test"

[[target.constraint]]
id = "accuracy"
metric = "accuracy"
scope = "overall"
max_drop = 0.0
evidence = "paired_test"

[[target.constraint]]
id = "dp"
metric = "demographic_parity_difference"
bound = "<= 0.40"

[[target.constraint]]
id = "selection"
metric = "selection_rate"
bound = ">= 0.02"
evidence = "ci"
interval = "wilson"
)";

class stage_hash {
 public:
  void u64(std::uint64_t v) { h_.update_u64(v); }
  void f64(double v) { h_.update_u64(std::bit_cast<std::uint64_t>(v)); }
  void f32(float v) { h_.update_u32(std::bit_cast<std::uint32_t>(v)); }
  void text(std::string_view s) {
    h_.update_u64(s.size());
    h_.update(s);
  }
  void bytes(std::span<const std::uint8_t> b) {
    h_.update_u64(b.size());
    h_.update(b);
  }
  [[nodiscard]] std::uint64_t value() const { return h_.value(); }

 private:
  fg::fnv1a64 h_;
};

// Collects the printed lines; the final digest hashes them all.
struct report {
  std::string all;
  void line(std::string_view name, std::string_view value) {
    std::string l = std::string(name) + " " + std::string(value) + "\n";
    std::fputs(l.c_str(), stdout);
    all += l;
  }
  void hash(std::string_view name, const stage_hash& h) {
    char buf[20];
    std::snprintf(buf, sizeof buf, "%016" PRIx64, h.value());
    line(name, buf);
  }
};

struct matrix {
  std::vector<double> x;
  std::size_t rows = 0, cols = 0;
  std::vector<std::uint8_t> y;
  [[nodiscard]] fg::train::dataset_view view() const { return {x, rows, cols, y, {}, {}, 0}; }
};

matrix encode(const fg::io::feature_encoder& enc, const fg::io::csv_table& t,
              std::vector<std::uint8_t> labels) {
  auto m = enc.transform(t);
  matrix out;
  out.x = std::move(m.values);
  out.rows = m.rows;
  out.cols = m.cols;
  out.y = std::move(labels);
  return out;
}

template <class T>
std::vector<T> pick(const std::vector<T>& v, const std::vector<std::size_t>& rows) {
  std::vector<T> out;
  out.reserve(rows.size());
  for (std::size_t r : rows) out.push_back(v[r]);
  return out;
}

void hash_accumulator(stage_hash& h, const fg::metrics::group_accumulator& acc) {
  for (std::uint32_t g = 0; g < acc.n_groups(); ++g) {
    const auto& c = acc.counts(g);
    h.u64(c.tp);
    h.u64(c.fp);
    h.u64(c.tn);
    h.u64(c.fn);
  }
}

void hash_aggregate(stage_hash& h, const fg::metrics::aggregate_value& a) {
  h.f64(a.value);
  h.u64(a.undefined ? 1 : 0);
  for (auto g : a.skipped) h.u64(g);
  h.u64(0xffff);
  for (auto g : a.low_support) h.u64(g);
  h.u64(0xfffe);
}

void hash_interval(stage_hash& h, const fg::uncertainty::interval& i) {
  h.f64(i.estimate);
  h.f64(i.lower);
  h.f64(i.upper);
  h.u64(i.defined ? 1 : 0);
  h.u64(i.low_support ? 1 : 0);
}

void hash_bootstrap(stage_hash& h, const fg::uncertainty::bootstrap_result& r) {
  h.f64(r.estimate);
  hash_interval(h, r.ci);
  for (double v : r.values) h.f64(v);
  h.u64(r.n_undefined);
}

// Rates and disparities of one model's predictions (logits, threshold 0).
struct evaluation {
  fg::metrics::group_accumulator acc;
  std::vector<double> accuracy_by_group, tpr_by_group;
  double dp = 0, eo = 0;
};

evaluation evaluate(std::span<const double> logits, const std::vector<std::uint8_t>& labels,
                    const std::vector<std::uint32_t>& groups, std::uint32_t n_groups,
                    unsigned threads, stage_hash& h) {
  const fg::metrics::binary_inputs in{labels, fg::metrics::prediction_view::scores(logits, 0.0),
                                      groups, n_groups};
  evaluation e{fg::metrics::accumulate(in, {.threads = threads}), {}, {}, 0, 0};
  hash_accumulator(h, e.acc);
  using fg::metrics::metric;
  for (std::uint32_t g = 0; g < n_groups; ++g) {
    const auto& c = e.acc.counts(g);
    for (metric m :
         {metric::selection_rate, metric::accuracy, metric::true_positive_rate,
          metric::false_positive_rate, metric::precision, metric::f1, metric::balanced_accuracy}) {
      const auto v = fg::metrics::compute(m, c);
      h.f64(v.value);
      h.u64(v.undefined ? 1 : 0);
    }
    e.accuracy_by_group.push_back(fg::metrics::compute(metric::accuracy, c).value);
    e.tpr_by_group.push_back(fg::metrics::compute(metric::true_positive_rate, c).value);
    hash_interval(h, fg::uncertainty::wilson_interval(c, metric::true_positive_rate, {}));
  }
  fg::metrics::disparity_options o;
  o.min_support = 30;
  o.exclude_low_support = true;
  const auto dp = fg::metrics::demographic_parity_difference(e.acc, o);
  const auto eo = fg::metrics::equalized_odds_difference(e.acc, o);
  const auto eq = fg::metrics::equal_opportunity_ratio(e.acc, o);
  o.method = fg::metrics::aggregation::to_overall;
  const auto dpo = fg::metrics::demographic_parity_ratio(e.acc, o);
  for (const auto* a : {&dp, &eo, &eq, &dpo}) hash_aggregate(h, *a);
  e.dp = dp.value;
  e.eo = eo.value;
  return e;
}

std::vector<double> predict(const fg::train::feedforward& m, const matrix& d) {
  std::vector<double> logits(d.rows);
  m.predict_logits(d.view(), logits);
  return logits;
}

int run(const fs::path& data_dir, unsigned threads, const fs::path& dump) {
  report out;

  // ---- 1. data: a fixed subset of adult.data ----------------------------
  const auto adult = fg::io::load_adult(data_dir / "adult");
  fg::require(adult.train.table.rows() >= kRows, fg::errc::invalid_value,
              "adult.data has fewer complete rows than the suite needs");
  std::vector<std::size_t> subset(kRows);
  std::iota(subset.begin(), subset.end(), std::size_t{0});
  const fg::io::csv_table table = adult.train.table.select_rows(subset);
  const auto labels = pick(adult.train.labels, subset);
  fg::metrics::group_encoder genc({{"sex", adult.sex_names}, {"race", adult.race_names}});
  const std::uint32_t n_groups = genc.n_groups();
  std::vector<std::uint32_t> groups(kRows);
  for (std::size_t i = 0; i < kRows; ++i)
    groups[i] = genc.encode({adult.train.sex[i], adult.train.race[i]});
  {
    stage_hash h;
    h.text(adult.train.sha256);
    for (std::size_t i = 0; i < kRows; ++i) {
      h.u64(labels[i]);
      h.u64(groups[i]);
      for (std::size_t c = 0; c < table.columns(); ++c) h.text(table.cell(i, c));
    }
    for (const auto& n : genc.names()) h.text(n);
    out.hash("data", h);
  }

  // ---- 2. split: stratified by (group, label) ---------------------------
  std::vector<std::uint32_t> strata(kRows);
  for (std::size_t i = 0; i < kRows; ++i) strata[i] = groups[i] * 2 + labels[i];
  const double fractions[] = {0.7, 0.3};
  const auto split = fg::rng::stratified_split(strata, fractions, kSplitSeed);
  std::vector<std::size_t> train_rows, test_rows;
  for (std::size_t i = 0; i < kRows; ++i)
    (split.part[i] == 0 ? train_rows : test_rows).push_back(i);
  {
    stage_hash h;
    for (auto p : split.part) h.u64(p);
    for (auto s : split.part_size) h.u64(s);
    out.hash("split", h);
  }

  // ---- 3. features -------------------------------------------------------
  const auto train_table = table.select_rows(train_rows);
  const auto test_table = table.select_rows(test_rows);
  // A category absent from the training part (e.g. a rare workclass) is
  // encoded as all zeros, as sklearn's OneHotEncoder(handle_unknown="ignore").
  auto eo = fg::io::adult_encoder_options();
  eo.unseen = fg::io::unseen_category::all_zeros;
  const auto enc = fg::io::feature_encoder::fit(train_table, eo);
  const matrix train = encode(enc, train_table, pick(labels, train_rows));
  const matrix test = encode(enc, test_table, pick(labels, test_rows));
  const auto test_groups = pick(groups, test_rows);
  {
    stage_hash h;
    h.text(enc.to_json());
    for (double v : train.x) h.f64(v);
    for (double v : test.x) h.f64(v);
    out.hash("features", h);
  }

  // ---- 4. train the reference MLP ---------------------------------------
  fg::train::feedforward model(train.cols, {16});
  model.initialize(kInitSeed);
  fg::train::fit_options fo;
  fo.epochs = 3;
  fo.batch_size = 128;
  fo.learning_rate = 0.01;
  fo.l2 = 1e-4;
  fo.seed = kTrainSeed;
  // Plus a demographic-parity penalty (objectives/penalties.hpp): lambda times
  // the sum of squared gaps of each group's relaxed selection rate to the
  // overall one, on every mini-batch.
  const auto train_groups = pick(groups, train_rows);
  std::vector<std::uint8_t> batch_y;
  std::vector<std::uint32_t> batch_g;
  std::vector<double> batch_grad;
  const fg::train::penalty_hook dp_penalty = [&](std::span<const std::size_t> rows,
                                                 std::span<const double> logits,
                                                 std::span<double> dlogit) {
    batch_y.clear();
    batch_g.clear();
    for (std::size_t r : rows) {
      batch_y.push_back(train.y[r]);
      batch_g.push_back(train_groups[r]);
    }
    batch_grad.assign(rows.size(), 0.0);
    fg::objectives::penalty_options po;
    po.form = fg::objectives::gap_form::sum_squared_to_overall;
    const fg::objectives::penalty_inputs<double> pin{logits, batch_y, batch_g, {}, n_groups};
    const auto r = fg::objectives::demographic_parity(pin, po, std::span<double>(batch_grad));
    for (std::size_t i = 0; i < rows.size(); ++i) dlogit[i] = kPenalty * batch_grad[i];
    return kPenalty * r.value;
  };
  const auto fit = fg::train::fit(model, train.view(), fo, dp_penalty);
  {
    stage_hash h;
    for (const auto& L : model.layers()) {
      for (double v : L.weight) h.f64(v);
      for (double v : L.bias) h.f64(v);
    }
    for (const auto& e : fit.epochs) {
      h.f64(e.mean_loss);
      h.f64(e.mean_penalty);
    }
    h.u64(fit.steps);
    h.f64(fg::train::mean_log_loss(model, test.view()));
    out.hash("train", h);
  }

  // ---- 5. baseline metrics ----------------------------------------------
  const auto base_logits = predict(model, test);
  stage_hash hm;
  for (double v : base_logits) hm.f64(v);
  const evaluation base = evaluate(base_logits, test.y, test_groups, n_groups, threads, hm);
  out.hash("metrics.baseline", hm);

  // ---- 6. bootstrap intervals -------------------------------------------
  std::vector<fg::metrics::confusion_counts> counts(n_groups);
  for (std::uint32_t g = 0; g < n_groups; ++g) counts[g] = base.acc.counts(g);
  {
    namespace u = fg::uncertainty;
    stage_hash h;
    u::bootstrap_options bo;
    bo.seed = kBootSeed;
    bo.replicates = kReplicates;
    bo.min_support = 30;
    const auto tpr = u::bootstrap_per_group(
        counts,
        [](const fg::metrics::confusion_counts& c) {
          return fg::metrics::compute(fg::metrics::metric::true_positive_rate, c).value;
        },
        bo);
    for (const auto& r : tpr) hash_bootstrap(h, r);
    // Equalized-odds difference over the groups with >= 30 test rows.
    const auto eo_of = [](std::span<const fg::metrics::confusion_counts> gs) {
      // The disparity from the replicate's tables: max - min over the
      // well-supported groups of TPR and FPR, the larger of the two.
      double tmax = -1, tmin = 2, fmax = -1, fmin = 2;
      for (const auto& c : gs) {
        if (c.tp + c.fp + c.tn + c.fn < 30) continue;
        const double t = fg::metrics::compute(fg::metrics::metric::true_positive_rate, c).value;
        const double f = fg::metrics::compute(fg::metrics::metric::false_positive_rate, c).value;
        if (t != t || f != f) return std::numeric_limits<double>::quiet_NaN();
        tmax = std::max(tmax, t);
        tmin = std::min(tmin, t);
        fmax = std::max(fmax, f);
        fmin = std::min(fmin, f);
      }
      return std::max(tmax - tmin, fmax - fmin);
    };
    hash_bootstrap(h, u::bootstrap_counts(counts, eo_of, bo));
    bo.method = u::resampling::stratified;
    hash_bootstrap(h, u::bootstrap_counts(counts, eo_of, bo));
    out.hash("bootstrap", h);
  }

  // ---- 7. prune: global magnitude, f32 copies of the weight matrices -----
  auto& layers = model.layers();
  std::vector<std::vector<float>> w32(layers.size());
  for (std::size_t l = 0; l < layers.size(); ++l)
    for (double v : layers[l].weight) w32[l].push_back(static_cast<float>(v));
  std::vector<fg::tensor::view> views;
  for (std::size_t l = 0; l < layers.size(); ++l)
    views.push_back(fg::tensor::view::contiguous(
        w32[l].data(),
        {static_cast<std::int64_t>(layers[l].out), static_cast<std::int64_t>(layers[l].in)}));
  const auto pruned = fg::prune::global_l1_unstructured(views, fg::prune::amount::fraction(0.5));
  std::vector<std::uint8_t> mask_bytes;
  {
    stage_hash h;
    for (std::size_t l = 0; l < views.size(); ++l) {
      pruned.masks[l].apply(views[l]);
      const auto m = pruned.masks[l].serialize();
      mask_bytes.insert(mask_bytes.end(), m.begin(), m.end());
      h.u64(pruned.masks[l].digest());
      h.u64(static_cast<std::uint64_t>(pruned.masks[l].count_kept()));
      for (float v : w32[l]) h.f32(v);
    }
    h.u64(static_cast<std::uint64_t>(pruned.pruned_new));
    out.hash("prune", h);
  }

  // ---- 8. quantize: int8 per output channel, then fake-quantize ----------
  std::vector<std::uint8_t> q_bytes;
  {
    stage_hash h;
    fg::quantize::scheme s;
    s.type = fg::quantize::qtype::int8;
    s.rule = fg::quantize::scale_rule::torch_symmetric;
    s.axis = 0;
    for (std::size_t l = 0; l < views.size(); ++l) {
      fg::quantize::minmax_observer obs(0);
      obs.observe(views[l]);
      const auto qp = obs.calculate_qparams(s);
      const auto q = fg::quantize::quantize(views[l], qp);
      for (float sc : qp.scale) h.f32(sc);
      for (auto zp : qp.zero_point) h.u64(static_cast<std::uint64_t>(zp));
      h.bytes(q.data);
      q_bytes.insert(q_bytes.end(), q.data.begin(), q.data.end());
      fg::quantize::fake_quantize(views[l], qp, views[l]);
      for (float v : w32[l]) h.f32(v);
    }
    out.hash("quantize", h);
  }

  // ---- 9. re-evaluation of the compressed model --------------------------
  fg::train::feedforward compressed = model;
  for (std::size_t l = 0; l < layers.size(); ++l)
    for (std::size_t i = 0; i < w32[l].size(); ++i)
      compressed.layers()[l].weight[i] = static_cast<double>(w32[l][i]);
  const auto cand_logits = predict(compressed, test);
  stage_hash hc;
  for (double v : cand_logits) hc.f64(v);
  const evaluation cand = evaluate(cand_logits, test.y, test_groups, n_groups, threads, hc);
  out.hash("metrics.candidate", hc);

  // ---- 10. gate verdict ---------------------------------------------------
  const auto policy = fg::policy::parse_policy_string(kPolicy, "determinism-suite.toml");
  auto gin = fg::gate::gate_inputs::from_scores(test.y, base_logits, cand_logits, 0.0, test_groups,
                                                genc.names());
  gin.sensitive_features = {"sex", "race"};
  const auto verdict = fg::gate::evaluate(policy, "device", gin);
  const std::string verdict_json = verdict.to_json();
  {
    stage_hash h;
    h.text(verdict_json);
    out.line("gate.pass", verdict.pass ? "true" : "false");
    std::string per;
    for (const auto& c : verdict.constraints)
      per += (per.empty() ? "" : ",") + c.id + "=" + std::string(fg::gate::to_string(c.result));
    out.line("gate.constraints", per);
    out.hash("gate", h);
  }

  // ---- 11. manifest: the hashed computation section ----------------------
  fg::manifest::manifest m;
  {
    // Relative path: the computation section must not depend on where the
    // repository is checked out.
    const auto cwd = fs::current_path();
    fs::current_path(data_dir);
    m.add_input_file("train_data", "adult/adult.data");
    fs::current_path(cwd);
  }
  const std::string canonical = fg::policy::to_canonical_toml(policy);
  m.set_policy("determinism-suite.toml", canonical);
  m.set_root_seed(kPolicySeed);
  // Schema and SHA-256 of every column of the subset (io/schema.hpp), as the
  // CLI records its tables.
  for (const auto& d : fg::io::column_digests(table))
    m.tables().push_back({{"table", "adult_subset"},
                          {"name", d.schema.name},
                          {"type", fg::io::column_type_name(d.schema.type)},
                          {"rows", d.rows},
                          {"missing", d.missing},
                          {"sha256", d.sha256}});
  m.add_stream({kSplitSeed, fg::rng::purposes::split.tag, 0}, "train/test split");
  for (std::uint32_t l = 0; l < layers.size(); ++l)
    m.add_stream({kInitSeed, fg::rng::purposes::init.tag, l},
                 "initial weights of layer " + std::to_string(l));
  for (std::uint32_t e = 0; e < fo.epochs; ++e)
    m.add_stream({kTrainSeed, fg::rng::purposes::minibatch.tag, e},
                 "mini-batch order of epoch " + std::to_string(e));
  m.add_stream({kBootSeed, fg::rng::purposes::bootstrap.tag, 0},
               "metrics-stage Poisson bootstrap (replicate index = stream index)");
  m.config()["rows"] = kRows;
  m.config()["fractions"] = {0.7, 0.3};
  m.config()["hidden"] = {16};
  m.config()["epochs"] = fo.epochs;
  m.config()["batch_size"] = fo.batch_size;
  m.config()["learning_rate"] = fo.learning_rate;
  m.config()["dp_penalty"] = kPenalty;
  m.config()["prune_amount"] = 0.5;
  m.config()["quantize"] = "int8 per-channel torch_symmetric axis 0";
  m.results()["baseline"]["demographic_parity_difference"] = base.dp;
  m.results()["baseline"]["equalized_odds_difference"] = base.eo;
  m.results()["baseline"]["accuracy_by_group"] = base.accuracy_by_group;
  m.results()["baseline"]["tpr_by_group"] = base.tpr_by_group;
  m.results()["candidate"]["demographic_parity_difference"] = cand.dp;
  m.results()["candidate"]["equalized_odds_difference"] = cand.eo;
  m.results()["candidate"]["accuracy_by_group"] = cand.accuracy_by_group;
  m.results()["candidate"]["tpr_by_group"] = cand.tpr_by_group;
  m.results()["gate_pass"] = verdict.pass;
  m.add_artifact("masks.bin", std::as_bytes(std::span(mask_bytes)));
  m.add_artifact("weights.int8", std::as_bytes(std::span(q_bytes)));
  m.add_artifact("verdict.json",
                 std::as_bytes(std::span(verdict_json.data(), verdict_json.size())));
  m.set_threads(threads);  // environment section: not hashed into the computation
  out.line("policy.sha256", fg::policy::digest(policy));
  out.line("manifest.computation_sha256", m.computation_sha256());

  if (!dump.empty()) {
    fs::create_directories(dump);
    m.write(dump / "manifest.json");
    for (const auto& [name, text] :
         {std::pair<const char*, std::string>{"verdict.json", verdict_json},
          {"verdict.txt", verdict.to_table()}}) {
      std::FILE* f = std::fopen((dump / name).string().c_str(), "wb");
      fg::require(f != nullptr, fg::errc::io_error, "cannot write to the --dump directory");
      std::fwrite(text.data(), 1, text.size(), f);
      std::fclose(f);
    }
  }

  // ---- final digest -------------------------------------------------------
  stage_hash all;
  all.text(out.all);
  out.hash("pipeline", all);

  const auto b = fg::manifest::current_build();
  std::fprintf(
      stderr,
      "determinism_pipeline: %s, %s, %s, threads %u, %zu train / %zu test rows, %zu features\n",
      b.compiler.c_str(), b.target_triple.c_str(),
#if defined(FAIRGATE_DISABLE_SIMD)
      "SIMD disabled",
#else
      "SIMD enabled",
#endif
      threads, train.rows, test.rows, train.cols);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  fs::path data, dump;
  unsigned threads = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--threads" && i + 1 < argc) {
      const long t = std::strtol(argv[++i], nullptr, 10);
      if (t < 1 || t > 64) {
        std::fprintf(stderr, "determinism_pipeline: --threads must be in [1, 64]\n");
        return 2;
      }
      threads = static_cast<unsigned>(t);
    } else if (a == "--data" && i + 1 < argc) {
      data = argv[++i];
    } else if (a == "--dump" && i + 1 < argc) {
      dump = argv[++i];
    } else {
      std::fprintf(stderr, "usage: determinism_pipeline --data DIR [--threads N] [--dump OUT]\n");
      return 2;
    }
  }
  if (data.empty()) {
    std::fprintf(stderr, "usage: determinism_pipeline --data DIR [--threads N] [--dump OUT]\n");
    return 2;
  }
  try {
    return run(data, threads, dump);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "determinism_pipeline: %s\n", e.what());
    return 1;
  }
}
