// `fairgate audit`: per-group metrics, overall metrics and disparities of a predictions CSV.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <span>

#include <fairgate/error.hpp>
#include <fairgate/io/csv.hpp>
#include <fairgate/io/schema.hpp>
#include <fairgate/metrics/accumulate.hpp>
#include <fairgate/metrics/calibration.hpp>
#include <fairgate/metrics/disparities.hpp>
#include <fairgate/metrics/frame.hpp>
#include <fairgate/metrics/groups.hpp>
#include <fairgate/metrics/probabilistic.hpp>
#include <fairgate/metrics/roc.hpp>
#include <fairgate/metrics/threshold_sweep.hpp>
#include <fairgate/report/svg.hpp>
#include <fairgate/rng/stream.hpp>
#include <fairgate/uncertainty/bootstrap.hpp>

#include "cli.hpp"

namespace fairgate_cli {

namespace fm = fairgate::metrics;
namespace fu = fairgate::uncertainty;
namespace fio = fairgate::io;
using fairgate::errc;

json to_json(const audit_config& c) {
  json j;
  j["command"] = "audit";
  j["input"] = c.input;
  j["label"] = c.label;
  j["pred"] = c.pred.empty() ? json(nullptr) : json(c.pred);
  j["score"] = c.score.empty() ? json(nullptr) : json(c.score);
  j["threshold"] = c.threshold;
  j["group"] = c.groups;
  j["weight"] = c.weight.empty() ? json(nullptr) : json(c.weight);
  j["positive"] = c.positive ? json(*c.positive) : json(nullptr);
  j["reference"] = c.reference ? json(*c.reference) : json(nullptr);
  j["bootstrap"] = c.bootstrap;
  j["seed"] = c.seed;
  j["confidence"] = c.confidence;
  j["min_support"] = c.min_support;
  j["calibration_bins"] = c.calibration_bins;
  return j;
}

namespace {

std::string opt_string(const json& j, const char* key) {
  return j.contains(key) && j.at(key).is_string() ? j.at(key).get<std::string>() : std::string();
}

std::optional<std::string> opt_value(const json& j, const char* key) {
  if (j.contains(key) && j.at(key).is_string()) return j.at(key).get<std::string>();
  return std::nullopt;
}

// The metric keys, in the order they are printed.
struct metric_key {
  const char* key;
  fm::metric m;
};
constexpr metric_key count_metrics[] = {
    {"selection_rate", fm::metric::selection_rate},
    {"base_rate", fm::metric::base_rate},
    {"accuracy", fm::metric::accuracy},
    {"balanced_accuracy", fm::metric::balanced_accuracy},
    {"tpr", fm::metric::true_positive_rate},
    {"fpr", fm::metric::false_positive_rate},
    {"tnr", fm::metric::true_negative_rate},
    {"fnr", fm::metric::false_negative_rate},
    {"ppv", fm::metric::precision},
    {"npv", fm::metric::npv},
    {"fdr", fm::metric::fdr},
    {"for", fm::metric::false_omission_rate},
    {"f1", fm::metric::f1},
};

using disparity_fn = std::function<fm::aggregate_value(const fm::group_accumulator&)>;
struct named_disparity {
  std::string name;
  disparity_fn fn;
};

double value_of(const fm::aggregate_value& a) {
  return a.undefined ? std::numeric_limits<double>::quiet_NaN() : a.value;
}

json interval_json(const fu::bootstrap_result& r) {
  return json{{"lower", jnum(r.ci.lower, !r.ci.defined)},
              {"upper", jnum(r.ci.upper, !r.ci.defined)}};
}

}  // namespace

audit_config audit_config_from_json(const json& j) {
  require(j.is_object() && j.value("command", "") == "audit", errc::parse_error,
          "manifest config: not an audit configuration");
  audit_config c;
  c.input = j.at("input").get<std::string>();
  c.label = j.at("label").get<std::string>();
  c.pred = opt_string(j, "pred");
  c.score = opt_string(j, "score");
  c.threshold = j.at("threshold").get<double>();
  c.groups = j.at("group").get<std::vector<std::string>>();
  c.weight = opt_string(j, "weight");
  c.positive = opt_value(j, "positive");
  c.reference = opt_value(j, "reference");
  c.bootstrap = j.at("bootstrap").get<std::uint32_t>();
  c.seed = j.at("seed").get<std::uint64_t>();
  c.confidence = j.at("confidence").get<double>();
  c.min_support = j.at("min_support").get<std::uint64_t>();
  c.calibration_bins = j.at("calibration_bins").get<std::uint32_t>();
  return c;
}

json run_audit(const audit_config& c, const terminal& t, fairgate::manifest::manifest& man) {
  require(c.pred.empty() != c.score.empty(), errc::invalid_argument,
          "give exactly one of --pred and --score");
  require(!c.groups.empty(), errc::invalid_argument, "--group needs at least one column");

  const fio::csv_table table = fio::read_csv(c.input);
  require(table.rows() > 0, errc::empty_input,
          [&] { return c.input + ": no data rows after the header"; });

  // Every column the audit reads; unknown ones fail here, naming the file and the columns it has.
  std::vector<std::string> used{c.label};
  used.push_back(c.pred.empty() ? c.score : c.pred);
  for (const auto& g : c.groups) used.push_back(g);
  if (!c.weight.empty()) used.push_back(c.weight);
  for (std::size_t i = 0; i < used.size(); ++i) {
    (void)table.column_index(used[i]);
    for (std::size_t k = 0; k < i; ++k) {
      require(used[k] != used[i], errc::invalid_argument,
              [&] { return "column '" + used[i] + "' is used for two roles"; });
    }
  }
  const fio::filtered_table kept = fio::drop_missing_rows(table, used);
  const fio::csv_table& tb = kept.table;
  const std::size_t n = tb.rows();
  require(n > 0, errc::empty_input, [&] {
    return c.input + ": every one of the " + std::to_string(table.rows()) +
           " rows has a missing label, prediction, group or weight (" + kept.report.summary() + ")";
  });

  // Labels (and hard predictions) as 0/1.
  label_mapper lm(c.positive);
  lm.fit(tb.categorical(c.label).categories, c.input + ": label column '" + c.label + "'");
  std::vector<std::uint8_t> y(n);
  const std::size_t lc = tb.column_index(c.label);
  for (std::size_t r = 0; r < n; ++r) y[r] = *lm.map(tb.cell(r, lc));

  std::vector<std::uint8_t> yhat;
  std::vector<double> scores;
  if (!c.pred.empty()) {
    const std::size_t pc = tb.column_index(c.pred);
    yhat.resize(n);
    for (std::size_t r = 0; r < n; ++r) {
      const auto v = lm.map(tb.cell(r, pc));
      require(v.has_value(), errc::invalid_value, [&] {
        return tb.where(r, pc) + ": prediction '" + std::string(tb.cell(r, pc)) +
               "' is not one of the label's classes (0/1, true/false; or pass --positive VALUE)";
      });
      yhat[r] = *v;
    }
  } else {
    require(std::isfinite(c.threshold), errc::invalid_argument,
            "--threshold must be a finite number");
    scores = tb.numeric(c.score);  // non-numeric text: parse_error naming file, line, column
  }
  std::vector<double> weights;
  if (!c.weight.empty()) {
    weights = tb.numeric(c.weight);
    const std::size_t wc = tb.column_index(c.weight);
    for (std::size_t r = 0; r < n; ++r) {
      require(weights[r] >= 0.0, errc::invalid_value, [&] {
        return tb.where(r, wc) + ": weight " + std::string(tb.cell(r, wc)) + " is negative";
      });
    }
  }

  // Intersectional groups: mixed-radix codes, names joined with '|' in the order given.
  std::vector<fm::sensitive_feature> features;
  std::vector<std::vector<std::uint32_t>> feature_codes;
  double combos = 1.0;
  for (const auto& g : c.groups) {
    auto col = tb.categorical(g);
    combos *= static_cast<double>(col.categories.size());
    features.push_back({g, col.categories});
    feature_codes.push_back(std::move(col.codes));
  }
  require(combos <= 65536.0, errc::invalid_argument, [&] {
    return "the group columns have " + fairgate::report::format_number(combos, 0) +
           " combinations; fairgate audits at most 65,536 groups";
  });
  const fm::group_encoder enc(features);
  const std::uint32_t G = enc.n_groups();
  std::vector<std::uint32_t> codes(n);
  {
    std::vector<std::span<const std::uint32_t>> cols;
    for (const auto& fc : feature_codes) cols.emplace_back(fc);
    enc.encode_rows(std::span<const std::span<const std::uint32_t>>(cols),
                    std::span<std::uint32_t>(codes));
  }
  const std::vector<std::string> names = enc.names();

  fm::binary_inputs in;
  in.y_true = fm::label_view(y);
  in.y_pred = c.pred.empty() ? fm::prediction_view::scores(fm::real_view(scores), c.threshold)
                             : fm::prediction_view::hard(fm::label_view(yhat));
  in.groups = fm::code_view(codes);
  in.n_groups = G;
  if (!weights.empty()) in.weights = fm::real_view(weights);
  const fm::group_accumulator acc = fm::accumulate(in);

  std::uint32_t nonempty = 0;
  for (std::uint32_t g = 0; g < G; ++g) nonempty += acc.count(g) > 0 ? 1u : 0u;
  require(nonempty >= 2, errc::invalid_argument, [&] {
    std::string which;
    for (std::uint32_t g = 0; g < G; ++g) {
      if (acc.count(g) > 0) which = names[g];
    }
    return c.input + ": all " + std::to_string(n) + " rows are in one group ('" + which + "' of " +
           enc.feature_label() + "): a fairness audit needs at least two groups";
  });

  const bool weighted = !weights.empty();
  json res;
  res["command"] = "audit";
  res["input"] = c.input;
  json excl = json::object();
  for (const auto& [col, k] : kept.report.missing_by_column) excl[col] = k;
  res["rows"] = {{"read", table.rows()},
                 {"used", n},
                 {"excluded", kept.report.dropped()},
                 {"excluded_by_column", excl}};
  res["group_columns"] = c.groups;
  res["groups"] = json::array();
  std::vector<std::string> low;
  for (std::uint32_t g = 0; g < G; ++g) {
    res["groups"].push_back({{"name", names[g]}, {"count", acc.count(g)}});
    if (acc.count(g) > 0 && acc.count(g) < c.min_support) low.push_back(names[g]);
  }
  res["low_support_groups"] = low;
  res["threshold"] = c.pred.empty() ? json(c.threshold) : json(nullptr);
  res["positive"] = c.positive ? json(*c.positive) : json(nullptr);
  res["reference"] = c.reference ? json(*c.reference) : json(nullptr);
  res["weighted"] = weighted;

  // --- per-group and overall metrics (Fairlearn MetricFrame semantics)
  fm::frame_options fo;
  fo.weighted = weighted;
  fo.min_support = c.min_support;
  json overall = json::object(), by_group = json::object();
  for (std::uint32_t g = 0; g < G; ++g) by_group[names[g]] = json{{"count", acc.count(g)}};
  std::uint64_t total = 0;
  for (std::uint32_t g = 0; g < G; ++g) total += acc.count(g);
  overall["count"] = total;
  if (weighted) {
    double tw = 0.0;
    for (std::uint32_t g = 0; g < G; ++g) {
      by_group[names[g]]["total_weight"] = acc.total_weight(g);
    }
    tw = fm::compute(fm::metric::total_weight, acc.pooled_weights(acc.all_groups())).value;
    overall["total_weight"] = tw;
  }
  for (const auto& mk : count_metrics) {
    const fm::metric_frame f = fm::make_frame(acc, mk.m, fo);
    overall[mk.key] = jnum(f.overall.value, f.overall.undefined);
    for (std::uint32_t g = 0; g < G; ++g)
      by_group[names[g]][mk.key] = jnum(f.by_group[g].value, f.by_group[g].undefined);
  }

  // --- score-based metrics
  const std::span<const double> wspan(weights);
  if (!scores.empty()) {
    const std::span<const double> s(scores);
    const std::span<const std::uint8_t> ys(y);
    const std::span<const std::uint32_t> gs(codes);
    const auto auc = fm::roc_auc(s, ys, gs, G, wspan);
    overall["roc_auc"] = jnum(auc.overall.auc, !auc.overall.defined);
    for (std::uint32_t g = 0; g < G; ++g)
      by_group[names[g]]["roc_auc"] = jnum(auc.groups[g].auc, !auc.groups[g].defined);
    const bool probabilities =
        std::all_of(scores.begin(), scores.end(), [](double v) { return v >= 0.0 && v <= 1.0; });
    res["scores_are_probabilities"] = probabilities;
    if (probabilities) {
      const auto ll = fm::log_loss(s, ys, gs, G, wspan);
      const auto br = fm::brier_score(s, ys, gs, G, wspan);
      const auto cal =
          fm::calibration(s, ys, gs, G, c.calibration_bins, fm::binning::uniform, wspan);
      overall["log_loss"] = jnum(ll.overall.value, !ll.overall.defined);
      overall["brier"] = jnum(br.overall.value, !br.overall.defined);
      overall["ece"] = jnum(cal.overall.ece, !cal.overall.defined);
      json cal_by = json::object();
      for (std::uint32_t g = 0; g < G; ++g) {
        auto& bg = by_group[names[g]];
        bg["log_loss"] = jnum(ll.groups[g].value, !ll.groups[g].defined);
        bg["brier"] = jnum(br.groups[g].value, !br.groups[g].defined);
        bg["ece"] = jnum(cal.groups[g].ece, !cal.groups[g].defined);
        json pts = json::array();
        for (const auto& b : cal.groups[g].bins) {
          if (!b.nonempty) continue;
          pts.push_back({{"lower", b.lower},
                         {"upper", b.upper},
                         {"count", b.count},
                         {"mean_predicted", jnum(b.mean_predicted)},
                         {"fraction_positive", jnum(b.fraction_positive)}});
        }
        cal_by[names[g]] = pts;
      }
      res["curves"]["calibration"] = {
          {"bins", c.calibration_bins}, {"strategy", "uniform"}, {"by_group", cal_by}};
    } else {
      // log-loss, Brier and calibration are defined for probabilities only.
      overall["log_loss"] = overall["brier"] = overall["ece"] = nullptr;
      for (std::uint32_t g = 0; g < G; ++g) {
        auto& bg = by_group[names[g]];
        bg["log_loss"] = bg["brier"] = bg["ece"] = nullptr;
      }
    }
    // Rates across a grid of 21 thresholds: min(score) .. max(score) for
    // arbitrary scores, 0, 0.05, ..., 1 for probabilities. Unweighted counts.
    std::vector<double> grid(21);
    double lo = 0.0, hi = 1.0;
    if (!probabilities) {
      lo = *std::min_element(scores.begin(), scores.end());
      hi = *std::max_element(scores.begin(), scores.end());
      if (!(hi > lo)) hi = lo + 1.0;
    }
    for (std::size_t k = 0; k < grid.size(); ++k) {
      grid[k] = k == 20 ? hi : lo + (hi - lo) * static_cast<double>(k) / 20.0;
    }
    const auto sw = fm::threshold_sweep(s, ys, gs, G, std::span<const double>(grid));
    json rt = json::object();
    for (std::uint32_t g = 0; g < G; ++g) {
      json sr = json::array(), tp = json::array(), fp = json::array();
      for (std::size_t k = 0; k < grid.size(); ++k) {
        const auto& cc = sw.at(g, k);
        const auto a = fm::compute(fm::metric::selection_rate, cc);
        const auto b = fm::compute(fm::metric::true_positive_rate, cc);
        const auto d = fm::compute(fm::metric::false_positive_rate, cc);
        sr.push_back(jnum(a.value, a.undefined));
        tp.push_back(jnum(b.value, b.undefined));
        fp.push_back(jnum(d.value, d.undefined));
      }
      rt[names[g]] = {{"selection_rate", sr}, {"tpr", tp}, {"fpr", fp}};
    }
    res["curves"]["thresholds"] = grid;
    res["curves"]["rates_by_threshold"] = rt;
  }
  res["overall"] = overall;
  res["by_group"] = by_group;

  // --- disparities: Fairlearn's (all groups) and AIF360's (reference = privileged)
  fm::disparity_options dopt;
  dopt.weighted = weighted;
  dopt.min_support = c.min_support;
  std::vector<named_disparity> ds = {
      {"demographic_parity_difference",
       [dopt](const auto& a) { return fm::demographic_parity_difference(a, dopt); }},
      {"demographic_parity_ratio",
       [dopt](const auto& a) { return fm::demographic_parity_ratio(a, dopt); }},
      {"equalized_odds_difference",
       [dopt](const auto& a) { return fm::equalized_odds_difference(a, dopt); }},
      {"equalized_odds_ratio", [dopt](const auto& a) { return fm::equalized_odds_ratio(a, dopt); }},
      {"equal_opportunity_difference",
       [dopt](const auto& a) { return fm::equal_opportunity_difference(a, dopt); }},
      {"equal_opportunity_ratio",
       [dopt](const auto& a) { return fm::equal_opportunity_ratio(a, dopt); }},
  };
  if (c.reference) {
    const auto it = std::find(names.begin(), names.end(), *c.reference);
    require(it != names.end(), errc::invalid_argument, [&] {
      std::string all;
      for (const auto& nm : names) all += (all.empty() ? "'" : ", '") + nm + "'";
      return "--reference '" + *c.reference + "' is not a group of " + enc.feature_label() +
             "; the groups are " + all;
    });
    const auto ref = static_cast<std::uint32_t>(it - names.begin());
    require(acc.count(ref) > 0, errc::empty_input, [&] {
      return "--reference '" + *c.reference + "' has no rows after excluding missing values";
    });
    fm::group_split split;
    split.privileged = {ref};
    for (std::uint32_t g = 0; g < G; ++g) {
      if (g != ref) split.unprivileged.push_back(g);
    }
    fm::comparison_options co;
    co.weighted = weighted;
    co.min_support = c.min_support;
    const std::pair<const char*, fm::aif360_metric> aif[] = {
        {"statistical_parity_difference", fm::aif360_metric::statistical_parity_difference},
        {"disparate_impact", fm::aif360_metric::disparate_impact},
        {"average_odds_difference", fm::aif360_metric::average_odds_difference},
        {"average_abs_odds_difference", fm::aif360_metric::average_abs_odds_difference},
        {"aif360_equal_opportunity_difference", fm::aif360_metric::equal_opportunity_difference},
        {"error_rate_difference", fm::aif360_metric::error_rate_difference},
        {"error_rate_ratio", fm::aif360_metric::error_rate_ratio},
        {"false_positive_rate_difference", fm::aif360_metric::false_positive_rate_difference},
        {"false_positive_rate_ratio", fm::aif360_metric::false_positive_rate_ratio},
        {"false_negative_rate_difference", fm::aif360_metric::false_negative_rate_difference},
        {"false_negative_rate_ratio", fm::aif360_metric::false_negative_rate_ratio},
        {"false_discovery_rate_difference", fm::aif360_metric::false_discovery_rate_difference},
        {"false_discovery_rate_ratio", fm::aif360_metric::false_discovery_rate_ratio},
        {"false_omission_rate_difference", fm::aif360_metric::false_omission_rate_difference},
        {"false_omission_rate_ratio", fm::aif360_metric::false_omission_rate_ratio},
        {"average_predictive_value_difference",
         fm::aif360_metric::average_predictive_value_difference},
    };
    for (const auto& [name, m] : aif) {
      ds.push_back({name, [m = m, split, co](const fm::group_accumulator& a) {
                      return fm::compare(m, a, split, co);
                    }});
    }
  }
  json disp = json::object();
  for (const auto& d : ds) disp[d.name] = jnum(value_of(d.fn(acc)));
  res["disparities"] = disp;

  // --- bootstrap intervals (count-based metrics and disparities)
  if (c.bootstrap > 0) {
    fu::bootstrap_options bo;
    bo.seed = c.seed;
    bo.replicates = c.bootstrap;
    bo.confidence = c.confidence;
    bo.min_support = c.min_support;
    json iv_over = json::object(), iv_by = json::object(), iv_d = json::object();
    for (std::uint32_t g = 0; g < G; ++g) iv_by[names[g]] = json::object();
    std::string method;
    if (!weighted) {
      // Cell-level Poisson bootstrap: one Poisson(n_cell) draw per
      // (group, label, prediction) cell, exactly the distribution of per-row
      // Poisson(1) weights (uncertainty/bootstrap.hpp).
      method = "poisson bootstrap (cells), percentile interval";
      std::vector<fm::confusion_counts> cells(G);
      for (std::uint32_t g = 0; g < G; ++g) cells[g] = acc.counts(g);
      const std::span<const fm::confusion_counts> cs(cells);
      progress_bar bar(t, "bootstrap", std::size(count_metrics) * 2 + ds.size());
      std::uint64_t step = 0;
      for (const auto& mk : count_metrics) {
        const auto m = mk.m;
        const auto rate = [m](const fm::confusion_counts& cc) {
          const auto v = fm::compute(m, cc);
          return v.undefined ? std::numeric_limits<double>::quiet_NaN() : v.value;
        };
        const auto per = fu::bootstrap_per_group(cs, rate, bo);
        for (std::uint32_t g = 0; g < G; ++g) iv_by[names[g]][mk.key] = interval_json(per[g]);
        bar.update(++step);
        const auto all = fu::bootstrap_counts(
            cs,
            [&rate](std::span<const fm::confusion_counts> gsp) {
              fm::confusion_counts sum;
              for (const auto& x : gsp) sum += x;
              return rate(sum);
            },
            bo);
        iv_over[mk.key] = interval_json(all);
        bar.update(++step);
      }
      for (const auto& d : ds) {
        const auto r = fu::bootstrap_counts(
            cs,
            [&](std::span<const fm::confusion_counts> gsp) {
              fm::group_accumulator a(G);
              a.mutable_counts().assign(gsp.begin(), gsp.end());
              return value_of(d.fn(a));
            },
            bo);
        iv_d[d.name] = interval_json(r);
        bar.update(++step);
      }
      bar.finish();
      man.set_root_seed(c.seed);
      for (std::uint32_t b = 0; b < c.bootstrap; ++b) {
        man.add_stream(fairgate::rng::stream_key{c.seed, fairgate::rng::purposes::bootstrap.tag, b},
                       "bootstrap replicate " + std::to_string(b));
      }
    } else {
      // Weighted rows: TFMA's per-row Poisson(1) multipliers k_i, drawn as a
      // pure function of (seed, replicate, row index) (row_weights), and the
      // replicate's metrics computed with weights w_i * k_i.
      method = "poisson bootstrap (rows, weighted), percentile interval";
      const std::size_t M = std::size(count_metrics);
      std::vector<double> v_by(M * G * c.bootstrap), v_all(M * c.bootstrap),
          v_d(ds.size() * c.bootstrap);
      std::vector<std::uint32_t> k(n);
      std::vector<double> wb(n);
      progress_bar bar(t, "bootstrap", c.bootstrap);
      for (std::uint32_t b = 0; b < c.bootstrap; ++b) {
        fu::row_weights(c.seed, b, 0, std::span<std::uint32_t>(k));
        for (std::size_t i = 0; i < n; ++i) wb[i] = weights[i] * static_cast<double>(k[i]);
        fm::binary_inputs rb = in;
        rb.weights = fm::real_view(wb);
        const fm::group_accumulator ab = fm::accumulate(rb);
        for (std::size_t j = 0; j < M; ++j) {
          const fm::metric_frame f = fm::make_frame(ab, count_metrics[j].m, fo);
          v_all[j * c.bootstrap + b] =
              f.overall.undefined ? std::numeric_limits<double>::quiet_NaN() : f.overall.value;
          for (std::uint32_t g = 0; g < G; ++g) {
            v_by[(j * G + g) * c.bootstrap + b] = f.by_group[g].undefined
                                                      ? std::numeric_limits<double>::quiet_NaN()
                                                      : f.by_group[g].value;
          }
        }
        for (std::size_t j = 0; j < ds.size(); ++j)
          v_d[j * c.bootstrap + b] = value_of(ds[j].fn(ab));
        bar.update(b + 1);
      }
      bar.finish();
      const auto slice = [&](const std::vector<double>& v, std::size_t row) {
        return std::vector<double>(
            v.begin() + static_cast<std::ptrdiff_t>(row * c.bootstrap),
            v.begin() + static_cast<std::ptrdiff_t>((row + 1) * c.bootstrap));
      };
      for (std::size_t j = 0; j < M; ++j) {
        const fm::metric_frame f = fm::make_frame(acc, count_metrics[j].m, fo);
        iv_over[count_metrics[j].key] =
            interval_json(fu::summarize_replicates(f.overall.value, slice(v_all, j), c.confidence));
        for (std::uint32_t g = 0; g < G; ++g) {
          iv_by[names[g]][count_metrics[j].key] = interval_json(
              fu::summarize_replicates(f.by_group[g].value, slice(v_by, j * G + g), c.confidence));
        }
      }
      for (std::size_t j = 0; j < ds.size(); ++j) {
        iv_d[ds[j].name] = interval_json(
            fu::summarize_replicates(value_of(ds[j].fn(acc)), slice(v_d, j), c.confidence));
      }
      man.set_root_seed(c.seed);
      for (std::uint32_t b = 0; b < c.bootstrap; ++b) {
        man.add_stream(fairgate::rng::stream_key{c.seed, fu::bootstrap_purposes::rows.tag, b},
                       "bootstrap row weights, replicate " + std::to_string(b));
      }
    }
    // Score-based metrics (roc_auc, log_loss, brier, ece) have no cell-level
    // shortcut: every replicate reweights the rows by Poisson(1) multipliers
    // k_i (uncertainty::row_weights, a pure function of (seed, replicate,
    // row)) times the sample weight, and recomputes the metric with those
    // weights (TFMA's Poisson bootstrap). Percentile interval as above.
    if (!scores.empty()) {
      const bool probs =
          std::all_of(scores.begin(), scores.end(), [](double v) { return v >= 0.0 && v <= 1.0; });
      const std::size_t K = probs ? 4 : 1;  // roc_auc only for arbitrary scores
      const char* skeys[4] = {"roc_auc", "log_loss", "brier", "ece"};
      const std::span<const double> s(scores);
      const std::span<const std::uint8_t> ys(y);
      const std::span<const std::uint32_t> gs(codes);
      const std::size_t B = c.bootstrap;
      std::vector<double> v_all(K * B), v_by(K * G * B);
      std::vector<std::uint32_t> k(n);
      std::vector<double> wb(n);
      const auto nan_if = [](bool defined, double v) {
        return defined ? v : std::numeric_limits<double>::quiet_NaN();
      };
      progress_bar bar(t, "bootstrap (score metrics)", B);
      for (std::uint32_t b = 0; b < c.bootstrap; ++b) {
        fu::row_weights(c.seed, b, 0, std::span<std::uint32_t>(k));
        for (std::size_t i = 0; i < n; ++i)
          wb[i] = (weighted ? weights[i] : 1.0) * static_cast<double>(k[i]);
        const std::span<const double> w(wb);
        const auto auc = fm::roc_auc(s, ys, gs, G, w);
        v_all[b] = nan_if(auc.overall.defined, auc.overall.auc);
        for (std::uint32_t g = 0; g < G; ++g)
          v_by[g * B + b] = nan_if(auc.groups[g].defined, auc.groups[g].auc);
        if (probs) {
          const auto ll = fm::log_loss(s, ys, gs, G, w);
          const auto br = fm::brier_score(s, ys, gs, G, w);
          const auto cal =
              fm::calibration(s, ys, gs, G, c.calibration_bins, fm::binning::uniform, w);
          v_all[1 * B + b] = nan_if(ll.overall.defined, ll.overall.value);
          v_all[2 * B + b] = nan_if(br.overall.defined, br.overall.value);
          v_all[3 * B + b] = nan_if(cal.overall.defined, cal.overall.ece);
          for (std::uint32_t g = 0; g < G; ++g) {
            v_by[(1 * G + g) * B + b] = nan_if(ll.groups[g].defined, ll.groups[g].value);
            v_by[(2 * G + g) * B + b] = nan_if(br.groups[g].defined, br.groups[g].value);
            v_by[(3 * G + g) * B + b] = nan_if(cal.groups[g].defined, cal.groups[g].ece);
          }
        }
        bar.update(b + 1);
      }
      bar.finish();
      const auto slice = [&](const std::vector<double>& v, std::size_t row) {
        return std::vector<double>(v.begin() + static_cast<std::ptrdiff_t>(row * B),
                                   v.begin() + static_cast<std::ptrdiff_t>((row + 1) * B));
      };
      for (std::size_t j = 0; j < K; ++j) {
        const json& ov = overall.at(skeys[j]);
        iv_over[skeys[j]] = interval_json(fu::summarize_replicates(
            ov.is_number() ? ov.get<double>() : std::numeric_limits<double>::quiet_NaN(),
            slice(v_all, j), c.confidence));
        for (std::uint32_t g = 0; g < G; ++g) {
          const json& gv = by_group.at(names[g]).at(skeys[j]);
          iv_by[names[g]][skeys[j]] = interval_json(fu::summarize_replicates(
              gv.is_number() ? gv.get<double>() : std::numeric_limits<double>::quiet_NaN(),
              slice(v_by, j * G + g), c.confidence));
        }
      }
      if (!weighted) {
        for (std::uint32_t b = 0; b < c.bootstrap; ++b) {
          man.add_stream(fairgate::rng::stream_key{c.seed, fu::bootstrap_purposes::rows.tag, b},
                         "bootstrap row weights (score metrics), replicate " + std::to_string(b));
        }
      }
    }
    res["intervals"] = {
        {"method", method},
        {"replicates", c.bootstrap},
        {"score_method", scores.empty() ? json(nullptr)
                                        : json("poisson bootstrap (rows" +
                                               std::string(weighted ? ", weighted" : "") +
                                               "), percentile interval")},
        {"seed", c.seed},
        {"confidence", c.confidence},
        {"overall", iv_over},
        {"by_group", iv_by},
        {"disparities", iv_d}};
  }

  // --- manifest: inputs, the columns read, the configuration, the results
  man.add_input_file("predictions", c.input);
  for (const auto& d : fio::column_digests(table)) {
    if (std::find(used.begin(), used.end(), d.schema.name) == used.end()) continue;
    man.tables().push_back({{"table", "predictions"},
                            {"name", d.schema.name},
                            {"type", fio::column_type_name(d.schema.type)},
                            {"rows", d.rows},
                            {"missing", d.missing},
                            {"sha256", d.sha256}});
  }
  man.config() = to_json(c);
  man.results() = res;
  return res;
}

void print_audit_table(const json& r, const terminal& t) {
  auto fmt = [](const json& v, int digits = 3) {
    return v.is_number() ? fairgate::report::format_number(v.get<double>(), digits)
                         : std::string("-");
  };
  const json& rows = r.at("rows");
  std::printf("fairgate audit: %s\n", r.at("input").get<std::string>().c_str());
  std::printf("rows: %s read, %s used, %s excluded (missing label, prediction, group or weight)\n",
              rows.at("read").dump().c_str(), rows.at("used").dump().c_str(),
              rows.at("excluded").dump().c_str());
  std::vector<std::string> groups;
  for (const auto& g : r.at("groups")) groups.push_back(g.at("name").get<std::string>());
  std::size_t w0 = 18;
  std::vector<std::size_t> w;
  for (const auto& g : groups) w.push_back(std::max<std::size_t>(10, g.size() + 2));
  std::printf("\n%-*s %10s", static_cast<int>(w0), "metric", "overall");
  for (std::size_t i = 0; i < groups.size(); ++i)
    std::printf(" %*s", static_cast<int>(w[i]), groups[i].c_str());
  std::printf("\n");
  for (const auto& [k, v] : r.at("overall").items()) {
    const int digits = (k == "count" || k == "total_weight") ? 0 : 3;
    std::printf("%-*s %10s", static_cast<int>(w0), k.c_str(), fmt(v, digits).c_str());
    for (std::size_t i = 0; i < groups.size(); ++i) {
      const json& bg = r.at("by_group").at(groups[i]);
      std::printf(" %*s", static_cast<int>(w[i]),
                  bg.contains(k) ? fmt(bg.at(k), digits).c_str() : "-");
    }
    std::printf("\n");
  }
  std::printf("\n%-40s %10s", "disparity", "value");
  const bool iv = r.contains("intervals");
  if (iv)
    std::printf("  %s%% interval",
                fmt(r.at("intervals").at("confidence").get<double>() * 100, 0).c_str());
  std::printf("\n");
  for (const auto& [k, v] : r.at("disparities").items()) {
    std::string shown = fmt(v);
    // The four-fifths rule on the selection-rate ratios, coloured on a TTY.
    if ((k == "disparate_impact" || k == "demographic_parity_ratio") && v.is_number()) {
      const double x = v.get<double>();
      const bool ok = (x > 1.0 ? 1.0 / x : x) >= 0.8;
      shown = t.paint(t.colour_stdout, ok ? "32" : "31", shown);
      if (t.colour_stdout)
        shown =
            std::string(static_cast<std::size_t>(std::max(0, 10 - static_cast<int>(fmt(v).size()))),
                        ' ') +
            shown;
    }
    std::printf("%-40s %10s", k.c_str(), shown.c_str());
    if (iv) {
      const json& d = r.at("intervals").at("disparities").at(k);
      std::printf("  [%s, %s]", fmt(d.at("lower")).c_str(), fmt(d.at("upper")).c_str());
    }
    std::printf("\n");
  }
  if (!r.at("low_support_groups").empty()) {
    std::printf("\nlow support (fewer rows than --min-support): %s\n",
                r.at("low_support_groups").dump().c_str());
  }
}

}  // namespace fairgate_cli
