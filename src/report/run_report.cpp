#include <fairgate/report/run_report.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include <fairgate/error.hpp>
#include <fairgate/report/svg.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace report {

namespace {

using json = nlohmann::json;

double num_or_nan(const json& j) {
  return j.is_number() ? j.get<double>() : std::numeric_limits<double>::quiet_NaN();
}

double at_or_nan(const json& obj, const char* key) {
  return obj.is_object() && obj.contains(key) ? num_or_nan(obj.at(key))
                                              : std::numeric_limits<double>::quiet_NaN();
}

std::string text_of(const json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_null()) return "";
  return j.dump();
}

// 12345 -> "12,345": group sizes people can read at a glance.
std::string thousands(std::uint64_t n) {
  std::string s = std::to_string(n), out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i > 0 && (s.size() - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return out;
}

std::uint64_t count_of(const json& j) {
  return j.is_number_unsigned() ? j.get<std::uint64_t>() : 0;
}

struct metric_info {
  const char* key;
  const char* title;
  const char* plain;  // one sentence for readers who are not data scientists
};

constexpr metric_info bar_metrics[] = {
    {"selection_rate", "Selection rate", "Share of the group the model predicts positive."},
    {"true_positive_rate", "True positive rate (recall)",
     "Of the group's actual positives, the share the model finds."},
    {"false_positive_rate", "False positive rate",
     "Of the group's actual negatives, the share the model wrongly flags."},
    {"accuracy", "Accuracy", "Share of the group's rows the model gets right."},
    {"precision", "Precision (positive predictive value)",
     "Of the group's positive predictions, the share that are correct."},
};

// results.json uses the short keys; map the chart keys to them.
const char* short_key(const std::string& k) {
  if (k == "true_positive_rate") return "tpr";
  if (k == "false_positive_rate") return "fpr";
  if (k == "precision") return "ppv";
  return nullptr;
}

double metric_of(const json& m, const std::string& key) {
  if (const char* s = short_key(key)) return at_or_nan(m, s);
  return at_or_nan(m, key.c_str());
}

json interval_of(const json& results, const std::string& group, const std::string& key) {
  if (!results.contains("intervals")) return nullptr;
  const json& iv = results.at("intervals");
  if (!iv.contains("by_group") || !iv.at("by_group").contains(group)) return nullptr;
  const json& g = iv.at("by_group").at(group);
  const char* s = short_key(key);
  const std::string k = s ? s : key;
  return g.contains(k) ? g.at(k) : json(nullptr);
}

section summary_section(const json& r) {
  std::string b;
  const json& rows = r.value("rows", json::object());
  const auto groups = r.value("groups", json::array());
  std::string cols;
  for (const auto& c : r.value("group_columns", json::array()))
    cols += (cols.empty() ? "" : " × ") + text_of(c);
  b += "<p>This report checks whether the predictions in <span class=\"mono\">" +
       escape(text_of(r.value("input", json()))) + "</span> treat the groups defined by <strong>" +
       escape(cols) + "</strong> alike. It used <strong>" +
       thousands(count_of(rows.value("used", json()))) + "</strong> of " +
       thousands(count_of(rows.value("read", json()))) + " rows";
  const std::uint64_t excluded = count_of(rows.value("excluded", json()));
  if (excluded > 0) {
    b += "; " + thousands(excluded) +
         " rows with a missing label, prediction, score, weight or group value were left out";
  }
  b += ".</p>\n";
  if (r.contains("threshold") && r.at("threshold").is_number()) {
    b += "<p>Predictions come from the score column: a score at or above " +
         format_number(r.at("threshold").get<double>()) + " counts as a positive prediction.</p>\n";
  }

  // The four-fifths rule (US EEOC Uniform Guidelines, 29 CFR 1607.4(D)): a
  // group's selection rate below 80% of the most favoured group's is evidence
  // of adverse impact. Checked on the ratio the audit computed.
  const json& d = r.value("disparities", json::object());
  const bool with_ref = d.contains("disparate_impact");
  const double ratio =
      with_ref ? at_or_nan(d, "disparate_impact") : at_or_nan(d, "demographic_parity_ratio");
  // disparate_impact > 1 means the reference group is the less selected one;
  // the rule compares the lower rate with the higher either way.
  const double folded = ratio > 1.0 ? 1.0 / ratio : ratio;
  const char* cls = std::isnan(ratio) ? "na" : (folded >= 0.8 ? "pass" : "fail");
  std::string what =
      with_ref ? "the lower of the two selection rates (the other groups pooled, and the reference "
                 "group " +
                     escape(text_of(r.value("reference", json()))) + ") divided by the higher"
               : "the lowest group selection rate divided by the highest";
  b += "<h3>Four-fifths rule</h3>\n<p>The rule of thumb used in US employment law: " + what +
       " should be at least 0.8.</p>\n";
  b += "<div class=\"verdict " + std::string(cls) + "\">" +
       (std::isnan(ratio) ? std::string("Not applicable: the ratio is undefined")
                          : (folded >= 0.8 ? "Passes" : "Fails") + std::string(": ratio = ") +
                                format_number(folded)) +
       "</div>\n";
  if (r.contains("intervals") && r.at("intervals").contains("disparities")) {
    const json& di = r.at("intervals").at("disparities");
    const std::string key = with_ref ? "disparate_impact" : "demographic_parity_ratio";
    if (di.contains(key) && di.at(key).is_object()) {
      b += "<p class=\"note\">" +
           format_number(num_or_nan(r.at("intervals").value("confidence", json(0.95))) * 100, 0) +
           "% bootstrap interval of the ratio: " + format_number(at_or_nan(di.at(key), "lower")) +
           " to " + format_number(at_or_nan(di.at(key), "upper")) + ".</p>\n";
    }
  }

  b += "<h3>Disparities</h3>\n<p>Each number compares groups. Differences are 0 and ratios are 1 "
       "when all groups "
       "are treated alike; \"undefined\" means a group had no rows to compute the rate on.</p>\n";
  b += "<table><tr><th>Disparity</th><th>Value</th>";
  const bool iv = r.contains("intervals") && r.at("intervals").contains("disparities");
  if (iv) b += "<th>Interval</th>";
  b += "</tr>\n";
  for (const auto& [name, v] : d.items()) {
    b += "<tr><td>" + escape(name) + "</td><td class=\"num\">" + format_number(num_or_nan(v)) +
         "</td>";
    if (iv) {
      const json& di = r.at("intervals").at("disparities");
      if (di.contains(name) && di.at(name).is_object()) {
        b += "<td class=\"num\">" + format_number(at_or_nan(di.at(name), "lower")) + " – " +
             format_number(at_or_nan(di.at(name), "upper")) + "</td>";
      } else {
        b += "<td class=\"na\">—</td>";
      }
    }
    b += "</tr>\n";
  }
  b += "</table>\n";
  b += "<h3>Groups</h3>\n<table><tr><th>Group</th><th>Rows</th><th>Note</th></tr>\n";
  std::vector<std::string> low;
  for (const auto& l : r.value("low_support_groups", json::array())) low.push_back(text_of(l));
  for (const auto& g : groups) {
    const std::string name = text_of(g.value("name", json()));
    const std::uint64_t n = count_of(g.value("count", json()));
    std::string note;
    if (n == 0)
      note = "no rows: left out of every comparison";
    else if (std::find(low.begin(), low.end(), name) != low.end())
      note = "fewer rows than --min-support: numbers are unreliable";
    b += "<tr><td>" + escape(name) + "</td><td class=\"num\">" + thousands(n) + "</td><td>" +
         escape(note) + "</td></tr>\n";
  }
  b += "</table>\n";
  return {"summary", "Summary", b};
}

section bars_section(const json& r) {
  std::string b;
  const bool iv = r.contains("intervals");
  b += "<p>Each bar is one group's value; the dashed line is the value over all rows. ";
  if (iv) {
    b += "The black whiskers show the " +
         format_number(num_or_nan(r.at("intervals").value("confidence", json(0.95))) * 100, 0) +
         "% bootstrap interval (" +
         std::to_string(count_of(r.at("intervals").value("replicates", json()))) +
         " resamples, seed " + text_of(r.at("intervals").value("seed", json())) +
         "): the range the value would plausibly take on another sample of the same size. ";
  }
  b += "Group sizes (n) are the rows of each group.</p>\n<div class=\"charts\">\n";
  const json& by = r.value("by_group", json::object());
  const json& overall = r.value("overall", json::object());
  for (const auto& mi : bar_metrics) {
    bar_chart c;
    c.title = mi.title;
    c.unit = "rate (0 = none of the rows, 1 = all of them)";
    c.reference = metric_of(overall, mi.key);
    c.reference_label = "all rows";
    for (const auto& g : r.value("groups", json::array())) {
      const std::string name = text_of(g.value("name", json()));
      bar x;
      x.label = name;
      x.note = "n = " + thousands(count_of(g.value("count", json())));
      if (by.contains(name)) x.value = metric_of(by.at(name), mi.key);
      const json ci = interval_of(r, name, mi.key);
      if (ci.is_object()) {
        x.lower = at_or_nan(ci, "lower");
        x.upper = at_or_nan(ci, "upper");
      }
      c.bars.push_back(std::move(x));
    }
    b += "<figure>" + render(c) + "<figcaption>" + escape(mi.plain) + "</figcaption></figure>\n";
  }
  b += "</div>\n";
  return {"metrics-by-group", "Metrics by group", b};
}

section calibration_section(const json& r) {
  const json& cal = r.at("curves").at("calibration");
  std::string b;
  b += "<p>Do the scores mean the same thing in every group? Rows are put into " +
       std::to_string(count_of(cal.value("bins", json()))) +
       " bins by score; each point is one bin: its average score (across) against the share of its "
       "rows that are "
       "actually positive (up). On the dashed diagonal a score of 0.7 means a 70% chance. A group "
       "whose line "
       "runs below the diagonal gets scores that are too high for it.</p>\n";
  line_chart c;
  c.title = "Reliability diagram by group";
  c.x_label = "average score in the bin (0 to 1)";
  c.y_label = "share actually positive (0 to 1)";
  c.diagonal = true;
  c.diagonal_label = "perfectly calibrated";
  const json& by = cal.value("by_group", json::object());
  for (const auto& g : r.value("groups", json::array())) {
    const std::string name = text_of(g.value("name", json()));
    if (!by.contains(name)) continue;
    series s;
    s.name = name + " (n = " + thousands(count_of(g.value("count", json()))) + ")";
    for (const auto& p : by.at(name))
      s.points.push_back({at_or_nan(p, "mean_predicted"), at_or_nan(p, "fraction_positive")});
    c.lines.push_back(std::move(s));
  }
  b += "<figure>" + render(c) + "</figure>\n";
  b += "<table><tr><th>Group</th><th>Expected calibration error</th></tr>\n";
  const json by_group = r.value("by_group", json::object());
  for (const auto& [name, m] : by_group.items()) {
    b += "<tr><td>" + escape(name) + "</td><td class=\"num\">" +
         format_number(at_or_nan(m, "ece")) + "</td></tr>\n";
  }
  b += "</table>\n<p class=\"note\">Expected calibration error: the average gap between a bin's "
       "score and its "
       "positive share, weighted by the bin's rows (0 = perfect).</p>\n";
  return {"calibration", "Calibration by group", b};
}

section thresholds_section(const json& r) {
  const json& cv = r.at("curves");
  std::vector<double> t;
  for (const auto& v : cv.at("thresholds")) t.push_back(num_or_nan(v));
  std::string b;
  b += "<p>How each group's rates would change if the score cut-off moved (the cut-off this audit "
       "used is "
       "stated in the summary); each line is one group.</p>\n<div class=\"charts\">\n";
  const std::pair<const char*, const char*> rates[] = {
      {"selection_rate", "Selection rate across thresholds"},
      {"tpr", "True positive rate across thresholds"},
      {"fpr", "False positive rate across thresholds"}};
  const json& by = cv.value("rates_by_threshold", json::object());
  for (const auto& [key, title] : rates) {
    line_chart c;
    c.title = title;
    c.x_label = "score threshold";
    c.y_label = "rate (0 to 1)";
    if (!t.empty()) {
      c.x_lo = t.front();
      c.x_hi = t.back();
    }
    for (const auto& g : r.value("groups", json::array())) {
      const std::string name = text_of(g.value("name", json()));
      if (!by.contains(name) || !by.at(name).contains(key)) continue;
      series s;
      s.name = name;
      const json& ys = by.at(name).at(key);
      for (std::size_t k = 0; k < t.size() && k < ys.size(); ++k)
        s.points.push_back({t[k], num_or_nan(ys[k])});
      c.lines.push_back(std::move(s));
    }
    b += "<figure>" + render(c) + "</figure>\n";
  }
  b += "</div>\n";
  return {"thresholds", "Rates across thresholds", b};
}

section table_section(const json& r) {
  std::string b;
  const json& by = r.value("by_group", json::object());
  std::vector<std::string> keys;
  const json overall = r.value("overall", json::object());
  for (const auto& [k, v] : overall.items()) keys.push_back(k);
  b += "<p>Every metric for every group and for all rows together. Rates are between 0 and 1; "
       "\"undefined\" means the rate had nothing to divide by (for example no actual positives in "
       "the group).</p>\n";
  b += "<div class=\"scroll\"><table><tr><th>Metric</th><th>All rows</th>";
  for (const auto& [g, v] : by.items()) b += "<th>" + escape(g) + "</th>";
  b += "</tr>\n";
  for (const auto& k : keys) {
    const int digits = k == "count" ? 0 : 3;
    b += "<tr><td>" + escape(k) + "</td><td class=\"num\">" +
         format_number(at_or_nan(r.at("overall"), k.c_str()), digits) + "</td>";
    for (const auto& [g, v] : by.items())
      b += "<td class=\"num\">" + format_number(at_or_nan(v, k.c_str()), digits) + "</td>";
    b += "</tr>\n";
  }
  b += "</table></div>\n";
  return {"all-numbers", "All numbers", b};
}

}  // namespace

std::vector<section> audit_sections(const json& r) {
  std::vector<section> out;
  out.push_back(summary_section(r));
  out.push_back(bars_section(r));
  if (r.contains("curves") && r.at("curves").contains("calibration"))
    out.push_back(calibration_section(r));
  if (r.contains("curves") && r.at("curves").contains("thresholds"))
    out.push_back(thresholds_section(r));
  out.push_back(table_section(r));
  return out;
}

std::vector<section> train_sections(const json& r) {
  std::string b;
  const json& m = r.value("model", json::object());
  b += "<p>A reference model was trained on <span class=\"mono\">" +
       escape(text_of(r.value("input", json()))) + "</span> to predict <strong>" +
       escape(text_of(r.value("label", json()))) + "</strong>.</p>\n<table>\n";
  b += "<tr><th>Rows used</th><td class=\"num\">" +
       thousands(count_of(r.value("rows_used", json()))) + "</td></tr>\n";
  b += "<tr><th>Rows left out (missing values)</th><td class=\"num\">" +
       thousands(count_of(r.value("rows_excluded", json()))) + "</td></tr>\n";
  b += "<tr><th>Input features after encoding</th><td class=\"num\">" +
       text_of(m.value("inputs", json())) + "</td></tr>\n";
  const json hidden = m.value("hidden", json::array());
  b += "<tr><th>Hidden layers</th><td>" +
       (hidden.empty() ? std::string("none (logistic regression)")
                       : escape(hidden.dump()) + " units (ReLU)") +
       "</td></tr>\n";
  b += "<tr><th>Fairness penalty</th><td>" + escape(text_of(r.value("penalty", json()))) +
       " (λ = " + escape(text_of(r.value("lambda", json()))) + ")</td></tr>\n";
  b += "<tr><th>Model file SHA-256</th><td class=\"mono\">" +
       escape(text_of(r.value("model_sha256", json()))) + "</td></tr>\n";
  b += "</table>\n";
  line_chart c;
  c.title = "Training loss per epoch";
  c.x_label = "epoch";
  c.y_label = "mean log-loss";
  series s;
  s.name = "training loss";
  double hi = 0.0;
  const auto losses = r.value("epoch_loss", json::array());
  for (std::size_t e = 0; e < losses.size(); ++e) {
    const double v = num_or_nan(losses[e]);
    s.points.push_back({static_cast<double>(e + 1), v});
    if (std::isfinite(v) && v > hi) hi = v;
  }
  c.x_lo = 1;
  c.x_hi = losses.size() > 1 ? static_cast<double>(losses.size()) : 2.0;
  c.y_hi = hi > 0 ? hi * 1.1 : 1.0;
  c.lines.push_back(std::move(s));
  b += "<figure>" + render(c) + "</figure>\n";
  return {section{"training", "Training", b}};
}

section lineage_section(const json& m) {
  std::string b;
  b += "<p>Everything needed to reproduce this report: the exact input files (by their SHA-256 "
       "fingerprint), "
       "the random seeds, and the software that produced it. Run <span class=\"mono\">fairgate "
       "verify "
       "manifest.json</span> to recompute and compare.</p>\n";
  const json& c = m.value("computation", json::object());
  b += "<h3>Input "
       "files</h3>\n<table><tr><th>Role</th><th>Path</th><th>Bytes</th><th>SHA-256</th></tr>\n";
  for (const auto& in : c.value("inputs", json::array())) {
    b += "<tr><td>" + escape(text_of(in.value("role", json()))) + "</td><td class=\"mono\">" +
         escape(text_of(in.value("path", json()))) + "</td><td class=\"num\">" +
         thousands(count_of(in.value("bytes", json()))) + "</td><td class=\"mono\">" +
         escape(text_of(in.value("sha256", json()))) + "</td></tr>\n";
  }
  b += "</table>\n";
  const auto tables = c.value("tables", json::array());
  if (!tables.empty()) {
    b += "<h3>Columns "
         "read</h3>\n<table><tr><th>Column</th><th>Type</th><th>Rows</th><th>Missing</"
         "th><th>SHA-256 of the values</th></tr>\n";
    for (const auto& t : tables) {
      b += "<tr><td>" + escape(text_of(t.value("name", json()))) + "</td><td>" +
           escape(text_of(t.value("type", json()))) + "</td><td class=\"num\">" +
           thousands(count_of(t.value("rows", json()))) + "</td><td class=\"num\">" +
           thousands(count_of(t.value("missing", json()))) + "</td><td class=\"mono\">" +
           escape(text_of(t.value("sha256", json()))) + "</td></tr>\n";
    }
    b += "</table>\n";
  }
  const json& rnd = c.value("randomness", json::object());
  b += "<h3>Randomness</h3>\n<p>Root seed: <strong>" +
       escape(rnd.value("root_seed", json()).is_null() ? std::string("none (no random draws)")
                                                       : text_of(rnd.at("root_seed"))) +
       "</strong>. Streams used: " + std::to_string(rnd.value("streams", json::array()).size()) +
       ".</p>\n";
  const auto streams = rnd.value("streams", json::array());
  if (!streams.empty()) {
    b += "<table><tr><th>Purpose</th><th>Tag</th><th>Index</th><th>Seed</th></tr>\n";
    const std::size_t shown = std::min<std::size_t>(streams.size(), 5);
    for (std::size_t i = 0; i < shown; ++i) {
      const auto& s = streams[i];
      b += "<tr><td>" + escape(text_of(s.value("purpose", json()))) + "</td><td class=\"num\">" +
           text_of(s.value("tag", json())) + "</td><td class=\"num\">" +
           text_of(s.value("index", json())) + "</td><td class=\"num\">" +
           text_of(s.value("seed", json())) + "</td></tr>\n";
    }
    if (streams.size() > shown) {
      b += "<tr><td colspan=\"4\" class=\"na\">… and " + std::to_string(streams.size() - shown) +
           " more (all listed in manifest.json)</td></tr>\n";
    }
    b += "</table>\n";
  }
  const json& env = m.value("environment", json::object());
  const json& build = env;
  b += "<h3>Software</h3>\n<table>\n";
  for (const char* k :
       {"fairgate_version", "git_describe", "compiler", "numeric_flags", "target_triple"}) {
    if (build.contains(k)) {
      b += "<tr><th>" + escape(k) + "</th><td class=\"mono\">" + escape(text_of(build.at(k))) +
           "</td></tr>\n";
    }
  }
  b += "</table>\n";
  if (m.contains("computation_sha256")) {
    b += "<p>Fingerprint of the recorded computation (SHA-256): <span class=\"mono\">" +
         escape(text_of(m.at("computation_sha256"))) + "</span></p>\n";
  }
  return {"lineage", "Data lineage", b};
}

std::string render_run(const json& results, const json& manifest) {
  require(results.is_object() && results.contains("command") && results.at("command").is_string(),
          errc::parse_error, "results.json: missing the \"command\" key");
  const std::string cmd = results.at("command").get<std::string>();
  std::vector<section> secs;
  std::string title;
  if (cmd == "audit") {
    secs = audit_sections(results);
    title = "Fairness audit: " + text_of(results.value("input", json()));
  } else if (cmd == "train") {
    secs = train_sections(results);
    title = "Reference model: " + text_of(results.value("input", json()));
  } else {
    throw error(errc::unsupported, "results.json: no report for command '" + cmd + "'");
  }
  document doc(title);
  doc.set_subtitle(
      "Produced by fairgate " +
      text_of(manifest.value("environment", json::object()).value("fairgate_version", json("?"))) +
      ". Numbers between 0 and 1 are shares of rows.");
  for (auto& s : secs) doc.add_section(std::move(s));
  doc.add_section(lineage_section(manifest));
  return doc.render();
}

}  // namespace report

FAIRGATE_END_NAMESPACE
