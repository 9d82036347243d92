// Verdict formatting: deterministic JSON and a readable table (verdict.hpp).
#include <fairgate/gate/verdict.hpp>

#include <cmath>
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

FAIRGATE_BEGIN_NAMESPACE
namespace gate {

std::string_view to_string(outcome o) noexcept {
  switch (o) {
    case outcome::pass:
      return "pass";
    case outcome::fail:
      return "fail";
    case outcome::skipped:
      return "skipped";
  }
  return "unknown";
}

namespace {

using ojson = nlohmann::ordered_json;

// JSON has no NaN: undefined numbers are null.
ojson number(double v) {
  return std::isnan(v) ? ojson(nullptr) : ojson(v);
}

std::string fixed(double v, int width) {
  if (std::isnan(v)) return std::string(static_cast<std::size_t>(width - 1), ' ') + "-";
  char buf[48];
  std::snprintf(buf, sizeof buf, "%*.4f", width, v);
  return buf;
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

}  // namespace

std::string verdict::to_json(int indent) const {
  ojson j;
  j["format"] = "fairgate.verdict/1";
  j["policy"] = policy;
  j["target"] = target;
  j["pass"] = pass;
  j["seed"] = seed;
  j["rows"] = rows;
  j["groups"] = group_names;
  ojson cs = ojson::array();
  for (const auto& c : constraints) {
    ojson jc;
    jc["id"] = c.id;
    jc["metric"] = c.metric;
    jc["scope"] = c.scope;
    jc["bound"] = c.bound;
    jc["evidence"] = c.evidence;
    jc["result"] = std::string(to_string(c.result));
    jc["value"] = number(c.value);
    jc["interval"] = {number(c.lower), number(c.upper)};
    jc["p_value"] = number(c.p_value);
    jc["groups"] = c.groups;
    jc["reason"] = c.reason;
    ojson items = ojson::array();
    for (const auto& it : c.items) {
      ojson ji;
      ji["group"] = it.group;
      ji["support"] = it.support;
      ji["baseline"] = number(it.baseline);
      ji["candidate"] = number(it.candidate);
      ji["statistic"] = number(it.statistic);
      ji["bound"] = number(it.bound);
      ji["interval"] = {number(it.lower), number(it.upper)};
      ji["judged"] = number(it.judged);
      ji["test"] = it.test;
      ji["p_value"] = number(it.p_value);
      ji["p_adjusted"] = number(it.p_adjusted);
      ji["undefined"] = it.undefined;
      ji["result"] = std::string(to_string(it.result));
      ji["note"] = it.note;
      items.push_back(std::move(ji));
    }
    jc["items"] = std::move(items);
    cs.push_back(std::move(jc));
  }
  j["constraints"] = std::move(cs);
  return j.dump(indent);
}

std::string verdict::to_table() const {
  std::string s = "policy '" + policy + "', target '" + target + "': " + (pass ? "PASS" : "FAIL") +
                  " (" + std::to_string(rows) + " rows, " + std::to_string(group_names.size()) +
                  " groups, seed " + std::to_string(seed) + ")\n";
  s += pad("constraint", 16) + pad("metric", 30) + pad("bound", 22) + pad("evidence", 12) +
       pad("result", 8) + "     value     lower     upper   p(adj)\n";
  for (const auto& c : constraints) {
    s += pad(c.id, 16) + pad(c.metric, 30) + pad(c.bound, 22) + pad(c.evidence, 12) +
         pad(std::string(to_string(c.result)), 8) + fixed(c.value, 10) + fixed(c.lower, 10) +
         fixed(c.upper, 10) + fixed(c.p_value, 9) + "\n";
    s += "    " + c.reason + "\n";
    for (const auto& it : c.items)
      if (it.result == outcome::fail) s += "    - " + it.group + ": " + it.note + "\n";
  }
  return s;
}

}  // namespace gate
FAIRGATE_END_NAMESPACE
