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

// ------------------------------------------------------------ compress / demo

std::string verdict_box(bool pass, const std::string& text) {
  return std::string("<div class=\"verdict ") + (pass ? "pass" : "fail") + "\">" + escape(text) +
         "</div>\n";
}

std::string interval_text(const json& iv) {
  if (!iv.is_array() || iv.size() != 2 || (!iv[0].is_number() && !iv[1].is_number())) return "—";
  return format_number(num_or_nan(iv[0]), 4) + " – " + format_number(num_or_nan(iv[1]), 4);
}

std::string group_sizes_table(const json& t) {
  std::string b = "<table><tr><th>Group</th><th>Rows (n)</th></tr>\n";
  for (const auto& g : t.value("groups", json::array()))
    b += "<tr><td>" + escape(text_of(g.value("name", json()))) + "</td><td class=\"num\">" +
         thousands(count_of(g.value("count", json()))) + "</td></tr>\n";
  return b + "</table>\n";
}

section compression_summary_section(const json& r) {
  std::string b;
  b += "<p>Each deployment target may compress the model only as far as its fairness policy "
       "still holds. Every compression step (pruning = setting the least important weights to "
       "zero; quantization = storing weights with fewer bits) was checked against the target's "
       "constraints and undone when one broke. Below: where each target ended up, and every "
       "constraint's value there.</p>\n";
  b += "<table><tr><th>Target</th><th>Result</th><th>Weights pruned</th><th>Mean bits per "
       "weight</th><th>Worst-off group before</th><th>Worst-off group after</th></tr>\n";
  for (const auto& t : r.value("targets", json::array())) {
    const bool pass = t.value("pass", false);
    const json wb = t.value("worst_group_before", json());
    const json wa = t.value("worst_group_after", json());
    auto wg = [](const json& w) {
      if (!w.is_object()) return std::string("—");
      return escape(text_of(w.value("metric", json()))) + " " +
             format_number(at_or_nan(w, "value")) + " (" +
             escape(text_of(w.value("group", json()))) + ")";
    };
    b += "<tr><td><strong>" + escape(text_of(t.value("target", json()))) + "</strong><br>" +
         escape(text_of(t.value("description", json()))) + "</td><td class=\"" +
         (pass ? "pass" : "fail") + "\">" + (pass ? "PASS" : "FAIL") + "</td><td class=\"num\">" +
         format_number(at_or_nan(t, "sparsity") * 100, 1) + "%</td><td class=\"num\">" +
         format_number(at_or_nan(t, "mean_bits"), 1) + "</td><td>" + wg(wb) + "</td><td>" + wg(wa) +
         "</td></tr>\n";
  }
  b += "</table>\n";
  for (const auto& t : r.value("targets", json::array())) {
    const std::string name = text_of(t.value("target", json()));
    const bool pass = t.value("pass", false);
    b += "<h3>Target " + escape(name) + "</h3>\n";
    b += verdict_box(pass, pass ? "Passes: every constraint holds at " +
                                      format_number(at_or_nan(t, "sparsity") * 100, 1) +
                                      "% of weights pruned, " +
                                      format_number(at_or_nan(t, "mean_bits"), 0) + " bits"
                                : "Fails: no compressed state passed this target's policy");
    const json& v = t.value("verdict", json());
    if (v.is_object()) {
      b += "<table><tr><th>Constraint</th><th>Metric</th><th>Bound</th><th>Judged "
           "by</th><th>Result</th><th>Value</th><th>Interval</th><th>Reason</th></tr>\n";
      for (const auto& c : v.value("constraints", json::array())) {
        const std::string res = text_of(c.value("result", json()));
        b += "<tr><td>" + escape(text_of(c.value("id", json()))) + "</td><td>" +
             escape(text_of(c.value("metric", json()))) + "</td><td class=\"mono\">" +
             escape(text_of(c.value("bound", json()))) + "</td><td>" +
             escape(text_of(c.value("evidence", json()))) + "</td><td class=\"" +
             (res == "fail" ? "fail" : "pass") + "\">" + escape(res) + "</td><td class=\"num\">" +
             format_number(at_or_nan(c, "value"), 4) + "</td><td class=\"num\">" +
             interval_text(c.value("interval", json())) + "</td><td>" +
             escape(text_of(c.value("reason", json()))) + "</td></tr>\n";
      }
      b += "</table>\n";
    }
    b += "<p class=\"note\">Tensors: ";
    std::string tl;
    for (const auto& x : t.value("tensors", json::array()))
      tl += (tl.empty() ? "" : "; ") + escape(text_of(x.value("name", json()))) + " " +
            format_number(at_or_nan(x, "sparsity") * 100, 1) + "% pruned, " +
            text_of(x.value("bits", json())) + " bits";
    b += tl + ". Evaluated on " + thousands(count_of(t.value("rows", json()))) +
         " rows; groups smaller than the policy's minimum support are not judged.</p>\n";
    b += "<details><summary>Group sizes</summary>" + group_sizes_table(t) + "</details>\n";
  }
  return {"compression-summary", "Compression: pass or fail per target", b};
}

// Per target and per-group constraint: each judged group's value before
// (uncompressed) and after (the best state), with the gate's interval when
// the evidence has one, and the group sizes.
section compressed_groups_section(const json& r) {
  std::string b;
  b += "<p>For each per-group constraint of each target, every judged group's value on the "
       "uncompressed model and at the compressed state the target reached. Whiskers, where shown, "
       "are the gate's interval for the compressed value. n is the number of evaluation rows in "
       "the group.</p>\n<div class=\"charts\">\n";
  for (const auto& t : r.value("targets", json::array())) {
    const json v = t.value("verdict", json());
    if (!v.is_object()) continue;
    for (const auto& c : v.value("constraints", json::array())) {
      if (text_of(c.value("scope", json())) != "every_group") continue;
      bar_chart ch;
      const std::string metric = text_of(c.value("metric", json()));
      ch.title = text_of(t.value("target", json())) + ": " + metric + " by group";
      ch.unit = metric + " (0 to 1)";
      for (const auto& it : c.value("items", json::array())) {
        if (text_of(it.value("result", json())) == "skipped") continue;
        const std::string g = text_of(it.value("group", json()));
        const std::string n = "n = " + thousands(count_of(it.value("support", json())));
        bar before{g + ", uncompressed", at_or_nan(it, "baseline"), undefined, undefined, n};
        bar after{g + ", compressed", at_or_nan(it, "candidate"), undefined, undefined, n};
        const json iv = it.value("interval", json());
        if (iv.is_array() && iv.size() == 2 && iv[0].is_number() && iv[1].is_number()) {
          // Relative bounds judge candidate - baseline: shift the interval back.
          const bool rel =
              text_of(c.value("bound", json())).find("baseline") != std::string::npos ||
              text_of(c.value("bound", json())).find("drop") != std::string::npos;
          const double shift = rel ? after.value - at_or_nan(it, "statistic") : 0.0;
          after.lower = iv[0].get<double>() + shift;
          after.upper = iv[1].get<double>() + shift;
        }
        ch.bars.push_back(std::move(before));
        ch.bars.push_back(std::move(after));
      }
      if (ch.bars.empty()) continue;
      b += "<figure>" + render(ch) + "<figcaption>Constraint " +
           escape(text_of(c.value("id", json()))) + ": <span class=\"mono\">" +
           escape(text_of(c.value("bound", json()))) + "</span></figcaption></figure>\n";
    }
  }
  b += "</div>\n";
  return {"compressed-groups", "Metrics by group: uncompressed vs compressed", b};
}

section milestones_section(const json& r) {
  std::string b;
  b += "<p>How each constraint moved as the model was compressed, one chart per target and "
       "constraint. The horizontal axis is the controller's step (one evaluation each); each line "
       "is one group the policy judges (groups below its minimum support are left out; for a "
       "disparity, one line for all rows). The red dashed line is the policy's "
       "bound: a value on the wrong side of it breaks the constraint. Shaded steps were rolled "
       "back. For bounds relative to the uncompressed model, the value shown is the change from "
       "it.</p>\n";
  for (const auto& t : r.value("targets", json::array())) {
    const std::string name = text_of(t.value("target", json()));
    const auto steps = t.value("milestones", json::array());
    b += "<h3>Target " + escape(name) + "</h3>\n<div class=\"charts\">\n";
    std::vector<double> rolled;
    double x_hi = 1.0;
    for (const auto& s : steps) {
      const double x = at_or_nan(s, "step");
      if (std::isfinite(x)) x_hi = std::max(x_hi, x);
      if (text_of(s.value("decision", json())) == "rollback") rolled.push_back(x);
    }
    for (const auto& c : t.value("constraints", json::array())) {
      const std::string id = text_of(c.value("id", json()));
      line_chart ch;
      ch.title = name + ": " + id + " (" + text_of(c.value("metric", json())) + ")";
      ch.x_label = "compression step";
      const std::string bound = text_of(c.value("bound", json()));
      const bool relative = bound.find("baseline") != std::string::npos ||
                            text_of(c.value("scope", json())) == "every_group";
      ch.y_label = relative ? "value (change from uncompressed)" : "value";
      ch.x_lo = 0;
      ch.x_hi = x_hi;
      ch.x_marks = rolled;
      ch.x_marks_label = "rolled back";
      double lo = 0, hi = 0;
      bool any = false;
      std::vector<std::string> groups;
      for (const auto& s : steps) {
        if (!s.contains("values") || !s.at("values").contains(id)) continue;
        // Groups the gate did not judge (below min_support) are left out.
        for (const auto& [g, v] : s.at("values").at(id).items()) {
          if (text_of(v.value("result", json())) == "skipped") continue;
          if (std::find(groups.begin(), groups.end(), g) == groups.end()) groups.push_back(g);
        }
      }
      for (const auto& g : groups) {
        series ser;
        ser.name = g;
        for (const auto& s : steps) {
          double y = std::numeric_limits<double>::quiet_NaN();
          if (s.contains("values") && s.at("values").contains(id) &&
              s.at("values").at(id).contains(g) &&
              text_of(s.at("values").at(id).at(g).value("result", json())) != "skipped")
            y = at_or_nan(s.at("values").at(id).at(g), "statistic");
          if (std::isfinite(y)) {
            lo = any ? std::min(lo, y) : y;
            hi = any ? std::max(hi, y) : y;
            any = true;
          }
          if (s.contains("values")) ser.points.push_back({at_or_nan(s, "step"), y});
        }
        ch.lines.push_back(std::move(ser));
      }
      double bnd = std::numeric_limits<double>::quiet_NaN();
      const json bounds = c.value("bound_value", json::object());
      for (const auto& [g, v] : bounds.items()) {
        if (v.is_number()) {
          bnd = v.get<double>();
          break;
        }
      }
      if (std::isfinite(bnd)) {
        ch.y_reference = bnd;
        ch.y_reference_label = "bound " + format_number(bnd, 3);
        lo = any ? std::min(lo, bnd) : bnd;
        hi = any ? std::max(hi, bnd) : bnd;
        any = true;
      }
      if (any) {
        const double pad = hi > lo ? (hi - lo) * 0.08 : 0.05;
        ch.y_lo = lo - pad;
        ch.y_hi = hi + pad;
      }
      b += "<figure>" + render(ch) + "<figcaption>Bound: <span class=\"mono\">" + escape(bound) +
           "</span> (judged by " + escape(text_of(c.value("evidence", json()))) +
           ").</figcaption></figure>\n";
    }
    b += "</div>\n<details><summary>Every step of target " + escape(name) +
         "</summary><table><tr><th>Step</th><th>Attempt</th><th>Weights pruned</th><th>Bits</"
         "th><th>Verdict</th><th>Decision</th><th>Reason</th></tr>\n";
    for (const auto& s : steps) {
      b += "<tr><td class=\"num\">" + text_of(s.value("step", json())) + "</td><td>" +
           escape(text_of(s.value("attempt", json()))) + "</td><td class=\"num\">" +
           format_number(at_or_nan(s, "sparsity") * 100, 1) + "%</td><td class=\"num\">" +
           format_number(at_or_nan(s, "mean_bits"), 1) + "</td><td>" +
           escape(s.value("verdict", json()).is_null() ? std::string("—")
                                                       : text_of(s.at("verdict"))) +
           "</td><td>" + escape(text_of(s.value("decision", json()))) + "</td><td>" +
           escape(text_of(s.value("reason", json()))) + "</td></tr>\n";
    }
    b += "</table></details>\n";
  }
  return {"milestones", "Constraints across compression steps", b};
}

section frontier_section(const json& r) {
  std::string b;
  b += "<p>The trade-off each target faced: how much of the model was pruned (across) against "
       "the worst-off group's value of the target's first per-group metric (up). Every evaluated "
       "step is a dot; the line joins the passing states that no other passing state beats on "
       "both compression and the worst group (the Pareto frontier).</p>\n<div class=\"charts\">\n";
  for (const auto& t : r.value("targets", json::array())) {
    const std::string name = text_of(t.value("target", json()));
    line_chart ch;
    std::string metric = "worst-group metric";
    const json wb = t.value("worst_group_before", json());
    if (wb.is_object()) metric = "worst-group " + text_of(wb.value("metric", json()));
    ch.title = name + ": compression vs " + metric;
    ch.x_label = "share of weights pruned (0 to 1)";
    ch.y_label = metric;
    series front{"Pareto frontier (passing)", {}, false};
    series passing{"passing step", {}, true};
    series failing{"failing step (rolled back)", {}, true};
    double lo = 1, hi = 0;
    for (const auto& p : t.value("frontier", json::array())) {
      const double y = at_or_nan(p, "worst_group_metric");
      front.points.push_back({at_or_nan(p, "sparsity"), y});
      if (std::isfinite(y)) lo = std::min(lo, y), hi = std::max(hi, y);
    }
    for (const auto& s : t.value("milestones", json::array())) {
      if (!s.contains("worst_group") || !s.at("worst_group").is_object()) continue;
      const double y = at_or_nan(s.at("worst_group"), "value");
      const point pt{at_or_nan(s, "sparsity"), y};
      (text_of(s.value("verdict", json())) == "pass" ? passing : failing).points.push_back(pt);
      if (std::isfinite(y)) lo = std::min(lo, y), hi = std::max(hi, y);
    }
    std::sort(front.points.begin(), front.points.end(),
              [](const point& a, const point& c) { return a.x < c.x; });
    if (hi >= lo) {
      const double pad = hi > lo ? (hi - lo) * 0.1 : 0.05;
      ch.y_lo = lo - pad;
      ch.y_hi = hi + pad;
    }
    ch.lines = {front, passing, failing};
    b += "<figure>" + render(ch) + "</figure>\n";
  }
  b += "</div>\n";
  for (const auto& t : r.value("targets", json::array())) {
    b += "<table><tr><th colspan=\"5\">Frontier of target " +
         escape(text_of(t.value("target", json()))) +
         "</th></tr><tr><th>Step</th><th>Weights pruned</th><th>Mean bits</th><th>Worst-group "
         "value</th><th>Passes</th></tr>\n";
    for (const auto& p : t.value("frontier", json::array()))
      b += "<tr><td class=\"num\">" + text_of(p.value("step", json())) + "</td><td class=\"num\">" +
           format_number(at_or_nan(p, "sparsity") * 100, 1) + "%</td><td class=\"num\">" +
           format_number(at_or_nan(p, "mean_bits"), 1) + "</td><td class=\"num\">" +
           format_number(at_or_nan(p, "worst_group_metric"), 4) + "</td><td>" +
           (p.value("pass", false) ? "yes" : "no") + "</td></tr>\n";
    b += "</table>\n";
  }
  return {"frontier", "Pareto frontier: compression vs the worst-off group", b};
}

section demo_overview_section(const json& r) {
  std::string b;
  const json& d = r.value("data", json::object());
  const json& sp = r.value("split", json::object());
  const json& m = r.value("model", json::object());
  b += "<p>fairgate's whole job on real data: the UCI Adult census data (predict whether income "
       "exceeds $50K; " +
       escape(text_of(d.value("source", json()))) + "). " +
       thousands(count_of(d.value("rows_complete", json()))) + " complete rows of " +
       thousands(count_of(d.value("rows_read", json()))) + " were used (" +
       thousands(count_of(d.value("rows_excluded_missing", json()))) +
       " have a missing value). They were split, stratified by sex × race and label, into " +
       thousands(count_of(sp.value("train_rows", json()))) + " training rows and " +
       thousands(count_of(sp.value("test_rows", json()))) + " test rows (seed " +
       escape(text_of(sp.value("seed", json()))) + ").</p>\n";
  b += "<ol><li>Train the reference model (" + escape(text_of(m.value("architecture", json()))) +
       ").</li><li>Audit it by sex and race, with bootstrap intervals.</li><li>Mitigate: " +
       escape(text_of(r.value("mitigation", json::object()).value("method", json()))) +
       ", and retrain.</li><li>Compress the mitigated model for each deployment target under "
       "policy " +
       escape(text_of(r.value("policy", json()))) +
       ", checking every step and rolling back any step that breaks a constraint.</li></ol>\n";
  const json& mit = r.value("mitigation", json::object());
  b += "<h3>Effect of the mitigation (test rows)</h3>\n<p>" +
       escape(text_of(mit.value("scope", json()))) +
       "</p>\n<table><tr><th>Measure</th><th>Reference model</th><th>After mitigation</th></tr>\n";
  const json& before = mit.value("before", json::object());
  const json& after = mit.value("after", json::object());
  for (const auto& [k, v] : before.items()) {
    b += "<tr><td>" + escape(k) + "</td><td class=\"num\">" + format_number(num_or_nan(v), 4) +
         "</td><td class=\"num\">" + format_number(at_or_nan(after, k.c_str()), 4) + "</td></tr>\n";
  }
  b += "</table>\n";
  return {"demo-overview", "What this run did", b};
}

}  // namespace

std::vector<section> compress_sections(const json& r) {
  return {compression_summary_section(r), compressed_groups_section(r), milestones_section(r),
          frontier_section(r)};
}

std::vector<section> demo_sections(const json& r) {
  std::vector<section> out{demo_overview_section(r)};
  for (auto& s : compress_sections(r)) out.push_back(std::move(s));
  if (r.contains("audit") && r.at("audit").is_object()) {
    for (auto& s : audit_sections(r.at("audit"))) {
      if (s.id == "summary") s.title = "Audit of the reference model";
      if (s.id == "metrics-by-group") s.title = "Reference model: metrics by group";
      out.push_back(std::move(s));
    }
  }
  return out;
}

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
  } else if (cmd == "compress") {
    secs = compress_sections(results);
    title = "Compression under fairness policy " + text_of(results.value("policy", json()));
  } else if (cmd == "demo") {
    secs = demo_sections(results);
    title = "fairgate demo: fair compression of a UCI Adult model";
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
