// Small hand-built data sets and policies for the gate tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <fairgate/gate/gate.hpp>
#include <fairgate/policy/parse.hpp>

namespace gate_test {

// Rows of one group: `n` copies of (label, baseline prediction, candidate prediction).
struct rows {
  std::vector<std::uint8_t> y;
  std::vector<double> base, cand;  // scores 0.0 / 1.0, threshold 0.5
  std::vector<std::uint8_t> g;
  void add(std::uint8_t group, int label, int a, int b, int n = 1) {
    for (int i = 0; i < n; ++i) {
      y.push_back(static_cast<std::uint8_t>(label));
      base.push_back(a);
      cand.push_back(b);
      g.push_back(group);
    }
  }
  [[nodiscard]] fairgate::gate::gate_inputs inputs(std::vector<std::string> names) const {
    return fairgate::gate::gate_inputs::from_scores(y, base, cand, 0.5, g, std::move(names));
  }
};

// Group A (code 0) and B (code 1), 10 rows each, 5 positives and 5 negatives.
//   A: baseline TPR 4/5 = 0.8, FPR 1/5 = 0.2; candidate the same.
//   B: baseline TPR 0.8, FPR 0.2; candidate TPR 2/5 = 0.4, FPR 0.2
//      (two positives that the baseline caught are lost).
inline rows two_groups() {
  rows r;
  for (std::uint8_t grp : {std::uint8_t{0}, std::uint8_t{1}}) {
    r.add(grp, 1, 1, 1, grp == 0 ? 4 : 2);  // caught by both
    if (grp == 1) r.add(grp, 1, 1, 0, 2);   // lost by the candidate
    r.add(grp, 1, 0, 0, 1);                 // missed by both
    r.add(grp, 0, 1, 1, 1);                 // false positive in both
    r.add(grp, 0, 0, 0, 4);                 // true negatives
  }
  return r;
}

// A policy with one target "t" over feature "f" and the given constraint body.
inline fairgate::policy::policy policy_with(const std::string& constraints,
                                            const std::string& target_extra = "",
                                            const std::string& defaults = "") {
  const std::string text = "schema_version = 1\nname = \"test\"\n" +
                           (defaults.empty() ? std::string() : "[defaults]\n" + defaults + "\n") +
                           "[[target]]\nname = \"t\"\nsensitive_features = [\"f\"]\n" +
                           target_extra + "\n" + constraints;
  return fairgate::policy::parse_policy_string(text, "test.toml");
}

}  // namespace gate_test
