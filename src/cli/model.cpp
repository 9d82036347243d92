// `fairgate train` and `fairgate predict`: the reference model from a CSV, saved as versioned JSON.
#include <charconv>
#include <cmath>
#include <cstdio>

#include <fairgate/error.hpp>
#include <fairgate/io/csv.hpp>
#include <fairgate/io/encoder.hpp>
#include <fairgate/io/file.hpp>
#include <fairgate/io/schema.hpp>
#include <fairgate/io/sha256.hpp>
#include <fairgate/objectives/penalties.hpp>
#include <fairgate/objectives/relaxation.hpp>
#include <fairgate/rng/stream.hpp>
#include <fairgate/train/trainer.hpp>

#include "cli.hpp"

namespace fairgate_cli {

namespace fio = fairgate::io;
namespace ft = fairgate::train;
namespace fo = fairgate::objectives;
using fairgate::errc;

inline constexpr const char* model_format = "fairgate.model";
inline constexpr int model_version = 1;

json to_json(const train_config& c) {
  return json{{"command", "train"},
              {"input", c.input},
              {"label", c.label},
              {"positive", c.positive ? json(*c.positive) : json(nullptr)},
              {"categorical", c.categorical},
              {"numeric", c.numeric},
              {"sensitive", c.sensitive.empty() ? json(nullptr) : json(c.sensitive)},
              {"penalty", c.penalty},
              {"lambda", c.lambda},
              {"hidden", c.hidden},
              {"epochs", c.epochs},
              {"batch_size", c.batch_size},
              {"learning_rate", c.learning_rate},
              {"l2", c.l2},
              {"seed", c.seed},
              {"out", c.out}};
}

train_config train_config_from_json(const json& j) {
  require(j.is_object() && j.value("command", "") == "train", errc::parse_error,
          "manifest config: not a train configuration");
  train_config c;
  c.input = j.at("input").get<std::string>();
  c.label = j.at("label").get<std::string>();
  if (j.at("positive").is_string()) c.positive = j.at("positive").get<std::string>();
  c.categorical = j.at("categorical").get<std::vector<std::string>>();
  c.numeric = j.at("numeric").get<std::vector<std::string>>();
  if (j.at("sensitive").is_string()) c.sensitive = j.at("sensitive").get<std::string>();
  c.penalty = j.at("penalty").get<std::string>();
  c.lambda = j.at("lambda").get<double>();
  c.hidden = j.at("hidden").get<std::vector<std::size_t>>();
  c.epochs = j.at("epochs").get<std::size_t>();
  c.batch_size = j.at("batch_size").get<std::size_t>();
  c.learning_rate = j.at("learning_rate").get<double>();
  c.l2 = j.at("l2").get<double>();
  c.seed = j.at("seed").get<std::uint64_t>();
  c.out = j.at("out").get<std::string>();
  return c;
}

train_output run_train(const train_config& c, const terminal& t,
                       fairgate::manifest::manifest& man) {
  require(c.penalty == "none" || c.penalty == "dp" || c.penalty == "eo", errc::invalid_argument,
          [&] { return "--penalty '" + c.penalty + "': expected none, dp or eo"; });
  require(c.penalty == "none" || !c.sensitive.empty(), errc::invalid_argument,
          "--penalty dp|eo needs --sensitive COL");
  require(std::isfinite(c.lambda) && c.lambda >= 0.0, errc::invalid_argument,
          "--lambda must be >= 0");

  const fio::csv_table table = fio::read_csv(c.input);
  require(table.rows() > 0, errc::empty_input,
          [&] { return c.input + ": no data rows after the header"; });
  (void)table.column_index(c.label);

  // Features: the lists given, or every other column by its inferred type.
  fio::encoder_options eo;
  eo.numeric = c.numeric;
  eo.categorical = c.categorical;
  eo.unseen = fio::unseen_category::all_zeros;  // predict on new data: unseen category -> all zeros
  if (eo.numeric.empty() && eo.categorical.empty()) {
    for (std::size_t k = 0; k < table.columns(); ++k) {
      const std::string& name = table.column_names()[k];
      if (name == c.label) continue;
      (fio::infer_column_type(table, k) == fio::column_type::numeric ? eo.numeric : eo.categorical)
          .push_back(name);
    }
  }
  for (const auto& f : eo.numeric)
    require(f != c.label, errc::invalid_argument, "the label column cannot be a feature");
  for (const auto& f : eo.categorical)
    require(f != c.label, errc::invalid_argument, "the label column cannot be a feature");
  std::vector<std::string> used{c.label};
  used.insert(used.end(), eo.numeric.begin(), eo.numeric.end());
  used.insert(used.end(), eo.categorical.begin(), eo.categorical.end());
  if (!c.sensitive.empty() && std::find(used.begin(), used.end(), c.sensitive) == used.end())
    used.push_back(c.sensitive);
  const fio::filtered_table kept = fio::drop_missing_rows(table, used);
  const fio::csv_table& tb = kept.table;
  require(tb.rows() > 0, errc::empty_input, [&] {
    return c.input + ": no row without missing values (" + kept.report.summary() + ")";
  });

  label_mapper lm(c.positive);
  lm.fit(tb.categorical(c.label).categories, c.input + ": label column '" + c.label + "'");
  const std::size_t lc = tb.column_index(c.label);
  std::vector<std::uint8_t> y(tb.rows());
  for (std::size_t r = 0; r < tb.rows(); ++r) y[r] = *lm.map(tb.cell(r, lc));

  const fio::feature_encoder enc = fio::feature_encoder::fit(tb, eo);
  const fio::encoded_matrix X = enc.transform(tb);
  std::vector<std::uint32_t> groups;
  std::uint32_t n_groups = 0;
  if (!c.sensitive.empty()) {
    auto col = tb.categorical(c.sensitive);
    groups = std::move(col.codes);
    n_groups = static_cast<std::uint32_t>(col.categories.size());
  }
  const ft::dataset_view data{X.values, X.rows, X.cols, y, {}, groups, n_groups};

  ft::feedforward model(X.cols, c.hidden);
  model.initialize(c.seed);
  ft::fit_options fopt;
  fopt.epochs = c.epochs;
  fopt.batch_size = c.batch_size;
  fopt.learning_rate = c.learning_rate;
  fopt.l2 = c.l2;
  fopt.seed = c.seed;

  // The fairness penalty (objectives/penalties.hpp) on the batch's relaxed
  // predictions, scaled by lambda: dp = selection-rate gap, eo = worst of the
  // TPR and FPR gaps (Fairlearn's equalized-odds aggregation).
  std::vector<std::uint8_t> yb;
  std::vector<std::uint32_t> gb;
  fo::penalty_options po;
  po.relax = {fo::relaxation_kind::sigmoid, 0.5};
  ft::penalty_hook hook;
  if (c.penalty != "none") {
    hook = [&](std::span<const std::size_t> rows, std::span<const double> logits,
               std::span<double> dl) {
      yb.resize(rows.size());
      gb.resize(rows.size());
      for (std::size_t k = 0; k < rows.size(); ++k) {
        yb[k] = y[rows[k]];
        gb[k] = groups[rows[k]];
      }
      const fo::penalty_inputs<double> pin{logits, yb, gb, {}, n_groups};
      double value = 0.0;
      if (c.penalty == "dp") {
        value = fo::demographic_parity(pin, po, dl).value;
      } else {
        value = fo::equalized_odds(pin, po, fo::odds_aggregate::worst_case, dl).value;
      }
      for (double& v : dl) v *= c.lambda;
      return c.lambda * value;
    };
  }
  const std::size_t steps_per_epoch =
      (X.rows + c.batch_size - 1) / std::max<std::size_t>(c.batch_size, 1);
  progress_bar bar(t, "training", c.epochs * steps_per_epoch);
  std::uint64_t step = 0;
  const auto report =
      ft::fit(model, data, fopt, hook, [&](ft::feedforward&) { bar.update(++step); });
  bar.finish();

  std::vector<double> logits(X.rows);
  model.predict_logits(data, logits);
  std::uint64_t correct = 0;
  for (std::size_t r = 0; r < X.rows; ++r) correct += ((logits[r] >= 0.0) == (y[r] == 1)) ? 1u : 0u;

  json doc;
  doc["format"] = model_format;
  doc["version"] = model_version;
  doc["label"] = c.label;
  doc["positive"] = c.positive ? json(*c.positive) : json(nullptr);
  doc["sensitive"] = c.sensitive.empty() ? json(nullptr) : json(c.sensitive);
  doc["encoder"] = json::parse(enc.to_json());
  json hidden = c.hidden;
  doc["architecture"] = {
      {"inputs", X.cols}, {"hidden", hidden}, {"activation", "relu"}, {"output", "logit"}};
  doc["layers"] = json::array();
  for (const auto& l : model.layers()) {
    doc["layers"].push_back({{"in", l.in}, {"out", l.out}, {"weight", l.weight}, {"bias", l.bias}});
  }
  json tcfg = to_json(c);
  tcfg.erase("command");
  tcfg.erase("out");
  doc["training"] = tcfg;
  train_output out;
  out.model_text = doc.dump(1) + "\n";

  json epoch_loss = json::array();
  for (const auto& e : report.epochs) epoch_loss.push_back(jnum(e.mean_loss));
  out.results = {{"command", "train"},
                 {"input", c.input},
                 {"label", c.label},
                 {"rows_read", table.rows()},
                 {"rows_used", tb.rows()},
                 {"rows_excluded", kept.report.dropped()},
                 {"features", enc.feature_names().size()},
                 {"model", {{"inputs", X.cols}, {"hidden", hidden}}},
                 {"penalty", c.penalty},
                 {"lambda", c.lambda},
                 {"steps", report.steps},
                 {"epoch_loss", epoch_loss},
                 {"train_accuracy", static_cast<double>(correct) / static_cast<double>(X.rows)},
                 {"model_sha256", fio::sha256_hex(out.model_text)}};

  man.add_input_file("train_data", c.input);
  for (const auto& d : fio::column_digests(table)) {
    if (std::find(used.begin(), used.end(), d.schema.name) == used.end()) continue;
    man.tables().push_back({{"table", "train_data"},
                            {"name", d.schema.name},
                            {"type", fio::column_type_name(d.schema.type)},
                            {"rows", d.rows},
                            {"missing", d.missing},
                            {"sha256", d.sha256}});
  }
  man.set_root_seed(c.seed);
  for (std::size_t l = 0; l < model.layers().size(); ++l) {
    man.add_stream({c.seed, fairgate::rng::purposes::init.tag, static_cast<std::uint32_t>(l)},
                   "initial weights of layer " + std::to_string(l));
  }
  for (std::size_t e = 0; e < c.epochs; ++e) {
    man.add_stream({c.seed, fairgate::rng::purposes::minibatch.tag, static_cast<std::uint32_t>(e)},
                   "mini-batch order of epoch " + std::to_string(e));
  }
  man.config() = to_json(c);
  man.results() = out.results;
  const std::string_view mt(out.model_text);
  man.add_artifact("model.json", std::as_bytes(std::span<const char>(mt.data(), mt.size())));
  return out;
}

namespace {

std::string csv_field(std::string_view s) {
  const bool quote = s.find_first_of(",\"\r\n") != std::string_view::npos ||
                     (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.back() == ' ' ||
                                     s.back() == '\t'));
  if (!quote) return std::string(s);
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

std::string shortest(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

}  // namespace

loaded_model load_model(const std::string& path) {
  const json doc = [&] {
    const std::string text = fio::read_text_file(path);
    try {
      return json::parse(text);
    } catch (const json::parse_error& e) {
      throw fairgate::error(errc::parse_error, path + ": not valid JSON (" + e.what() + ")");
    }
  }();
  require(doc.is_object() && doc.value("format", "") == model_format, errc::parse_error, [&] {
    return path + ": not a fairgate model file (\"format\" is not \"fairgate.model\")";
  });
  require(doc.value("version", 0) <= model_version, errc::unsupported, [&] {
    return path + ": model format version " + doc.at("version").dump() +
           " is newer than this fairgate reads (" + std::to_string(model_version) + ")";
  });
  loaded_model lm;
  try {
    lm.encoder = fio::feature_encoder::from_json(doc.at("encoder").dump());
    lm.model = ft::feedforward(doc.at("architecture").at("inputs").get<std::size_t>(),
                               doc.at("architecture").at("hidden").get<std::vector<std::size_t>>());
    const json& layers = doc.at("layers");
    require(layers.size() == lm.model.layers().size(), errc::parse_error,
            "layer count does not match the architecture");
    for (std::size_t l = 0; l < layers.size(); ++l) {
      auto& dst = lm.model.layers()[l];
      auto w = layers[l].at("weight").get<std::vector<double>>();
      auto b = layers[l].at("bias").get<std::vector<double>>();
      require(w.size() == dst.weight.size() && b.size() == dst.bias.size(), errc::parse_error,
              [&] { return "layer " + std::to_string(l) + " has the wrong number of weights"; });
      dst.weight = std::move(w);
      dst.bias = std::move(b);
    }
    require(lm.encoder.n_features() == lm.model.inputs(), errc::parse_error,
            "the encoder and the model disagree on the input size");
    lm.label = doc.value("label", "");
    if (doc.contains("positive") && doc.at("positive").is_string())
      lm.positive = doc.at("positive").get<std::string>();
  } catch (const json::exception& e) {
    throw fairgate::error(errc::parse_error, path + ": malformed model file (" + e.what() + ")");
  } catch (const fairgate::error& e) {
    throw fairgate::error(e.code(), path + ": " + e.what());
  }
  return lm;
}

std::pair<std::string, json> run_predict(const predict_config& c) {
  loaded_model lm = load_model(c.model);
  const ft::feedforward& model = lm.model;
  const fio::feature_encoder& enc = lm.encoder;

  const fio::csv_table table = fio::read_csv(c.input);
  for (const auto& name : {c.score_column, c.pred_column}) {
    require(!table.has_column(name), errc::invalid_argument, [&] {
      return c.input + ": already has a column '" + name +
             "' (choose another with --score-column/--pred-column)";
    });
  }
  std::vector<std::string> feats;
  for (const auto& f : enc.numeric()) feats.push_back(f.name);
  for (const auto& f : enc.categorical()) feats.push_back(f.name);
  const fio::filtered_table kept = fio::drop_missing_rows(table, feats);
  std::vector<double> score(table.rows(), std::numeric_limits<double>::quiet_NaN());
  if (kept.table.rows() > 0) {
    const fio::encoded_matrix X = enc.transform(kept.table);
    std::vector<double> logits(X.rows);
    model.predict_logits(ft::dataset_view{X.values, X.rows, X.cols, {}, {}, {}, 0}, logits);
    std::vector<bool> dropped(table.rows(), false);
    for (auto r : kept.report.dropped_rows) dropped[r] = true;
    std::size_t k = 0;
    for (std::size_t r = 0; r < table.rows(); ++r) {
      if (!dropped[r]) score[r] = fo::stable_sigmoid(logits[k++]);
    }
  }
  std::string out;
  for (std::size_t j = 0; j < table.columns(); ++j) out += csv_field(table.column_names()[j]) + ",";
  out += csv_field(c.score_column) + "," + csv_field(c.pred_column) + "\n";
  std::uint64_t positives = 0;
  for (std::size_t r = 0; r < table.rows(); ++r) {
    for (std::size_t j = 0; j < table.columns(); ++j) out += csv_field(table.cell(r, j)) + ",";
    if (std::isnan(score[r])) {
      out += ",\n";  // missing features: no score, no prediction (audit excludes the row)
    } else {
      const bool p = score[r] >= c.threshold;
      positives += p ? 1u : 0u;
      out += shortest(score[r]) + (p ? ",1\n" : ",0\n");
    }
  }
  json summary = {{"rows", table.rows()},
                  {"scored", kept.table.rows()},
                  {"unscored_missing_features", kept.report.dropped()},
                  {"predicted_positive", positives},
                  {"threshold", c.threshold}};
  return {out, summary};
}

}  // namespace fairgate_cli
