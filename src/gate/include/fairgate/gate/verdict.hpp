// fairgate/gate/verdict.hpp: the structured answer of the fairness gate.
//
// A verdict says, for one target of a policy, whether every constraint still
// holds for a candidate (compressed) model, and why. Per constraint it keeps
// every judged item (one per group for a per-group guardrail, one "overall"
// item for a disparity or a pooled rate) with the baseline and candidate
// values, the judged statistic, its interval, p-values and a decision.
//
//   fairgate::gate::verdict v = fairgate::gate::evaluate(policy, "device", inputs);
//   if (!v.pass) std::cerr << v.to_table();
//   write_file(v.to_json());   // deterministic bytes for the same inputs + seed
//
// The JSON layout is documented in docs/gate.md ("Verdict JSON").
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include <fairgate/config.hpp>

FAIRGATE_BEGIN_NAMESPACE
namespace gate {

enum class outcome : std::uint8_t {
  pass,
  fail,
  skipped,  // nothing could be judged (undefined / below min_support) and the policy says "skip"
};
[[nodiscard]] std::string_view to_string(outcome o) noexcept;

inline constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// One judged quantity: a group's rate (scope every_group) or the whole
// constraint's value (disparity, pooled rate; group = "(overall)").
struct item_result {
  std::string group;
  std::uint64_t support = 0;  // rows of the group (all rows for "(overall)")
  double baseline = nan;      // metric of the baseline model
  double candidate = nan;     // metric of the candidate model
  // What is compared with the bound: `candidate` for absolute bounds,
  // `candidate - baseline` for relative bounds.
  double statistic = nan;
  double bound = nan;  // the right-hand side for `statistic` (absolute value or delta)
  double lower = nan;  // interval of `statistic` (evidence = ci), else NaN
  double upper = nan;
  double judged = nan;      // the number actually compared: point, or the interval end
  double p_value = nan;     // evidence = paired_test: raw one-sided p-value
  double p_adjusted = nan;  // after the target's multiple-comparison correction
  std::string test;         // "", "mcnemar_exact", "paired_bootstrap"
  bool undefined = false;   // baseline or candidate metric (or interval) undefined
  outcome result = outcome::pass;
  std::string note;  // why (short)
};

struct constraint_result {
  std::string id;
  std::string metric;    // canonical metric name
  std::string scope;     // "overall" | "every_group"
  std::string bound;     // TOML spelling, e.g. "<= baseline + 0.02"
  std::string evidence;  // "point" | "ci" | "paired_test"
  outcome result = outcome::pass;
  // The worst item (smallest margin to the bound, failing items first):
  double value = nan;  // its statistic
  double lower = nan;  // its interval
  double upper = nan;
  double p_value = nan;  // its adjusted p-value (paired_test)
  std::vector<std::string>
      groups;          // groups involved: failing groups, or the max/min groups of a disparity
  std::string reason;  // one line
  std::vector<item_result> items;
};

struct verdict {
  std::string policy;
  std::string target;
  std::uint64_t seed = 0;  // root seed used for bootstrap draws
  std::uint64_t rows = 0;
  std::vector<std::string> group_names;
  bool pass = true;  // no constraint failed
  std::vector<constraint_result> constraints;

  // Deterministic JSON (keys in a fixed order, NaN as null, doubles in
  // shortest round-trip form), indent < 0 gives one line.
  [[nodiscard]] std::string to_json(int indent = 2) const;
  // A readable fixed-width table, one line per constraint then per failing item.
  [[nodiscard]] std::string to_table() const;
};

}  // namespace gate
FAIRGATE_END_NAMESPACE
