// The gate's bounds, scopes, minimum support and undefined groups, on hand-computed data.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include <fairgate/error.hpp>
#include <fairgate/gate/gate.hpp>

#include "gate/gate_fixtures.hpp"

using fairgate::gate::evaluate;
using fairgate::gate::outcome;
using gate_test::policy_with;

namespace {
const std::vector<std::string> AB{"A", "B"};
}

TEST_CASE("an absolute equalized-odds bound fails when the candidate's TPR gap exceeds it",
          "[gate][bounds]") {
  // Candidate: TPR A = 4/5 = 0.8, TPR B = 2/5 = 0.4 -> TPR gap 0.4; FPR 0.2 in both -> gap 0.
  // equalized_odds_difference (worst_case) = max(0.4, 0) = 0.4 > 0.3.
  const auto data = gate_test::two_groups();
  const auto p = policy_with(
      "[[target.constraint]]\nid = \"eo\"\nmetric = \"equalized_odds_difference\"\nbound = \"<= "
      "0.3\"\n");
  const auto v = evaluate(p, "t", data.inputs(AB));
  REQUIRE_FALSE(v.pass);
  REQUIRE(v.constraints.size() == 1);
  const auto& c = v.constraints[0];
  CHECK(c.result == outcome::fail);
  CHECK(c.value == Approx(0.4).margin(1e-15));
  CHECK(c.items[0].baseline == 0.0);                      // baseline: both groups TPR 0.8, FPR 0.2
  CHECK(c.groups == std::vector<std::string>{"A", "B"});  // A has the highest TPR, B the lowest
  CHECK(c.reason.find("fails") != std::string::npos);
}

TEST_CASE("an absolute equalized-odds bound above the gap passes", "[gate][bounds]") {
  const auto data = gate_test::two_groups();
  const auto p = policy_with(
      "[[target.constraint]]\nid = \"eo\"\nmetric = \"equalized_odds_difference\"\nbound = \"<= "
      "0.5\"\n");
  const auto v = evaluate(p, "t", data.inputs(AB));
  CHECK(v.pass);
  CHECK(v.constraints[0].result == outcome::pass);
}

TEST_CASE("equalized odds with agg = mean averages the TPR and FPR gaps", "[gate][bounds]") {
  // mean(0.4, 0.0) = 0.2 <= 0.25 passes although worst_case (0.4) would fail.
  const auto data = gate_test::two_groups();
  const auto p = policy_with(
      "[[target.constraint]]\nid = \"eo\"\nmetric = \"equalized_odds_difference\"\nagg = "
      "\"mean\"\nbound = \"<= 0.25\"\n");
  const auto v = evaluate(p, "t", data.inputs(AB));
  CHECK(v.constraints[0].value == Approx(0.2).margin(1e-15));
  CHECK(v.pass);
}

TEST_CASE("a relative bound on a disparity compares with the baseline's disparity",
          "[gate][bounds]") {
  // demographic_parity_difference: selection rates
  //   baseline A (4+1)/10 = 0.5, B (4+1)/10 = 0.5 -> 0
  //   candidate A 0.5, B (2+1)/10 = 0.3 -> 0.2
  // "<= baseline + 0.1": change 0.2 - 0 = 0.2 > 0.1 fails; "+ 0.25" passes.
  const auto data = gate_test::two_groups();
  auto v = evaluate(
      policy_with("[[target.constraint]]\nid = \"dp\"\nmetric = \"demographic_parity_difference\"\n"
                  "bound = \"<= baseline + 0.1\"\n"),
      "t", data.inputs(AB));
  CHECK(v.constraints[0].result == outcome::fail);
  CHECK(v.constraints[0].value == Approx(0.2).margin(1e-15));
  v = evaluate(
      policy_with("[[target.constraint]]\nid = \"dp\"\nmetric = \"demographic_parity_difference\"\n"
                  "bound = \"<= baseline + 0.25\"\n"),
      "t", data.inputs(AB));
  CHECK(v.constraints[0].result == outcome::pass);
}

TEST_CASE("a ratio disparity is min over max of the group rates", "[gate][bounds]") {
  // demographic_parity_ratio of the candidate: 0.3 / 0.5 = 0.6 < 0.8 (four-fifths rule) fails.
  const auto data = gate_test::two_groups();
  const auto v = evaluate(policy_with("[[target.constraint]]\nid = \"di\"\nmetric = "
                                      "\"demographic_parity_ratio\"\nbound = \">= 0.8\"\n"),
                          "t", data.inputs(AB));
  CHECK(v.constraints[0].value == Approx(0.6).epsilon(1e-15));
  CHECK(v.constraints[0].result == outcome::fail);
}

TEST_CASE("a to_overall disparity measures the largest gap to the pooled rate", "[gate][bounds]") {
  // Candidate TPR pooled over both groups: (4 + 2) / 10 = 0.6; gaps |0.8-0.6| = |0.4-0.6| = 0.2.
  const auto data = gate_test::two_groups();
  const auto v = evaluate(
      policy_with("[[target.constraint]]\nid = \"eop\"\nmetric = \"equal_opportunity_difference\"\n"
                  "method = \"to_overall\"\nbound = \"<= 0.15\"\n"),
      "t", data.inputs(AB));
  CHECK(v.constraints[0].value == Approx(0.2).margin(1e-15));
  CHECK(v.constraints[0].result == outcome::fail);
}

TEST_CASE("a per-group guardrail relative to the baseline names the groups that break it",
          "[gate][bounds]") {
  // TPR change per group: A 0.8 - 0.8 = 0; B 0.4 - 0.8 = -0.4 < -0.3 (max_drop 0.3).
  const auto data = gate_test::two_groups();
  const auto v = evaluate(
      policy_with("[[target.constraint]]\nid = \"tpr\"\nmetric = \"tpr\"\nmax_drop = 0.3\n"), "t",
      data.inputs(AB));
  const auto& c = v.constraints[0];
  REQUIRE(c.items.size() == 2);
  CHECK(c.items[0].result == outcome::pass);
  CHECK(c.items[0].statistic == 0.0);
  CHECK(c.items[1].result == outcome::fail);
  CHECK(c.items[1].statistic == Approx(-0.4).margin(1e-15));
  CHECK(c.groups == std::vector<std::string>{"B"});
  CHECK(c.reason.find("1 of 2 groups fail") != std::string::npos);
  CHECK_FALSE(v.pass);
}

TEST_CASE("an absolute per-group guardrail judges each group's candidate rate", "[gate][bounds]") {
  // Candidate accuracy: A (4 + 4) / 10 = 0.8; B (2 + 4) / 10 = 0.6. ">= 0.7": A passes, B fails.
  const auto data = gate_test::two_groups();
  const auto v = evaluate(
      policy_with(
          "[[target.constraint]]\nid = \"acc\"\nmetric = \"accuracy\"\nbound = \">= 0.7\"\n"),
      "t", data.inputs(AB));
  const auto& c = v.constraints[0];
  CHECK(c.items[0].candidate == Approx(0.8).epsilon(1e-15));
  CHECK(c.items[1].candidate == Approx(0.6).epsilon(1e-15));
  CHECK(c.items[0].result == outcome::pass);
  CHECK(c.items[1].result == outcome::fail);
}

TEST_CASE("a group rate with scope overall is pooled over all rows", "[gate][bounds]") {
  // Pooled candidate accuracy: (8 + 6) / 20 = 0.7 >= 0.7 passes (the bound is inclusive).
  const auto data = gate_test::two_groups();
  const auto v = evaluate(
      policy_with(
          "[[target.constraint]]\nid = \"acc\"\nmetric = \"accuracy\"\nscope = \"overall\"\n"
          "bound = \">= 0.7\"\n"),
      "t", data.inputs(AB));
  REQUIRE(v.constraints[0].items.size() == 1);
  CHECK(v.constraints[0].items[0].group == "(overall)");
  CHECK(v.constraints[0].items[0].candidate == Approx(0.7).epsilon(1e-15));
  CHECK(v.pass);
}

TEST_CASE("groups below min_support are reported but not judged", "[gate][support]") {
  // Group C has 3 rows (< min_support 5): its TPR collapse is not judged.
  auto data = gate_test::two_groups();
  data.add(2, 1, 1, 0, 3);
  const auto v = evaluate(policy_with("[[target.constraint]]\nid = \"tpr\"\nmetric = "
                                      "\"tpr\"\nmax_drop = 0.5\nmin_support = 5\n"),
                          "t", data.inputs({"A", "B", "C"}));
  const auto& c = v.constraints[0];
  REQUIRE(c.items.size() == 3);
  CHECK(c.items[2].result == outcome::skipped);
  CHECK(c.items[2].note.find("min_support") != std::string::npos);
  CHECK(c.result == outcome::pass);
}

TEST_CASE("a constraint with no eligible group follows the undefined rule", "[gate][support]") {
  const auto data = gate_test::two_groups();
  auto v = evaluate(policy_with("[[target.constraint]]\nid = \"tpr\"\nmetric = \"tpr\"\nmax_drop = "
                                "0.0\nmin_support = 11\n"),
                    "t", data.inputs(AB));
  CHECK(v.constraints[0].result == outcome::skipped);
  CHECK(v.pass);
  v = evaluate(policy_with("[[target.constraint]]\nid = \"tpr\"\nmetric = \"tpr\"\nmax_drop = "
                           "0.0\nmin_support = 11\n"
                           "undefined = \"fail\"\n"),
               "t", data.inputs(AB));
  CHECK(v.constraints[0].result == outcome::fail);
  CHECK_FALSE(v.pass);
  // A between-groups disparity needs two eligible groups.
  v = evaluate(policy_with("[[target.constraint]]\nid = \"eo\"\nmetric = "
                           "\"equalized_odds_difference\"\nbound = \"<= 0.0\"\n"
                           "min_support = 11\n"),
               "t", data.inputs(AB));
  CHECK(v.constraints[0].result == outcome::skipped);
}

TEST_CASE("a group with an undefined rate is skipped, failed or passed as the policy says",
          "[gate][undefined]") {
  // Group C has only negatives: its TPR is 0/0.
  auto data = gate_test::two_groups();
  data.add(2, 0, 0, 0, 6);
  const std::vector<std::string> names{"A", "B", "C"};
  const std::string body =
      "[[target.constraint]]\nid = \"tpr\"\nmetric = \"tpr\"\nmax_drop = 0.5\n";
  auto v = evaluate(policy_with(body), "t", data.inputs(names));
  CHECK(v.constraints[0].items[2].undefined);
  CHECK(v.constraints[0].items[2].result == outcome::skipped);
  CHECK(v.pass);
  v = evaluate(policy_with(body + "undefined = \"fail\"\n"), "t", data.inputs(names));
  CHECK(v.constraints[0].items[2].result == outcome::fail);
  CHECK_FALSE(v.pass);
  v = evaluate(policy_with(body + "undefined = \"pass\"\n"), "t", data.inputs(names));
  CHECK(v.constraints[0].items[2].result == outcome::pass);
  CHECK(v.pass);
  // In a disparity the undefined group is left out (skip) or fails the constraint (fail).
  const std::string eo =
      "[[target.constraint]]\nid = \"eo\"\nmetric = \"equalized_odds_difference\"\nbound = \"<= "
      "0.5\"\n";
  CHECK(evaluate(policy_with(eo), "t", data.inputs(names)).pass);
  CHECK_FALSE(evaluate(policy_with(eo + "undefined = \"fail\"\n"), "t", data.inputs(names)).pass);
}

TEST_CASE("weighted rows change the point estimates by their weights", "[gate][weights]") {
  // Weight 3 on B's two lost positives: candidate TPR B = 2 / (2 + 3*2 + 1) = 2/9,
  // baseline TPR B = (2 + 6) / 9 = 8/9; change -6/9 = -0.667.
  const auto data = gate_test::two_groups();
  std::vector<double> w(data.y.size(), 1.0);
  for (std::size_t i = 0; i < data.y.size(); ++i)
    if (data.g[i] == 1 && data.y[i] == 1 && data.base[i] == 1.0 && data.cand[i] == 0.0) w[i] = 3.0;
  auto in = data.inputs(AB);
  in.weights = fairgate::metrics::real_view(w);
  const auto v = evaluate(
      policy_with("[[target.constraint]]\nid = \"tpr\"\nmetric = \"tpr\"\nmax_drop = 0.5\n"), "t",
      in);
  CHECK(v.constraints[0].items[1].candidate == Approx(2.0 / 9.0).epsilon(1e-15));
  CHECK(v.constraints[0].items[1].statistic == Approx(-6.0 / 9.0).epsilon(1e-14));
  CHECK(v.constraints[0].items[1].result == outcome::fail);
}

TEST_CASE("every constraint of the target is judged and any failure fails the verdict",
          "[gate][bounds]") {
  const auto data = gate_test::two_groups();
  const auto v = evaluate(
      policy_with("[[target.constraint]]\nid = \"eo\"\nmetric = \"equalized_odds_difference\"\n"
                  "bound = \"<= 0.5\"\n[[target.constraint]]\nid = \"acc\"\nmetric = \"accuracy\"\n"
                  "bound = \">= 0.7\"\n"),
      "t", data.inputs(AB));
  REQUIRE(v.constraints.size() == 2);
  CHECK(v.constraints[0].result == outcome::pass);
  CHECK(v.constraints[1].result == outcome::fail);
  CHECK_FALSE(v.pass);
}
