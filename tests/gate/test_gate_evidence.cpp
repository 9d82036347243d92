// The gate's evidence kinds (point, Wilson / bootstrap intervals, paired tests with
// multiple-comparison correction), determinism, output formats and errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include <fairgate/error.hpp>
#include <fairgate/gate/gate.hpp>

#include "gate/gate_fixtures.hpp"

using fairgate::gate::evaluate;
using fairgate::gate::outcome;
using gate_test::policy_with;

namespace {
const std::vector<std::string> AB{"A", "B"};

// Two groups, each with n rows where the baseline is right and the candidate
// wrong (label 1, baseline 1, candidate 0), plus 20 rows where both agree.
gate_test::rows broken(int n_a, int n_b) {
  gate_test::rows r;
  r.add(0, 1, 1, 0, n_a);
  r.add(0, 1, 1, 1, 10);
  r.add(0, 0, 0, 0, 10);
  r.add(1, 1, 1, 0, n_b);
  r.add(1, 1, 1, 1, 10);
  r.add(1, 0, 0, 0, 10);
  return r;
}
}  // namespace

TEST_CASE("a Wilson interval judges the lower end of a per-group rate for a >= bound",
          "[gate][evidence]") {
  // Candidate accuracy of B: 6/10 = 0.6 >= 0.5 holds as a point estimate. Wilson 95%
  // (z = 1.959964): centre (0.6 + z^2/20) / (1 + z^2/10) = 0.792073 / 1.384146 = 0.572247,
  // half-width z sqrt(0.6*0.4/10 + z^2/400) / 1.384146 = 1.959964 * 0.183314 / 1.384146 = 0.259576,
  // lower = 0.312671 < 0.5, so the conservative ci evidence fails.
  const auto data = gate_test::two_groups();
  const auto point = evaluate(
      policy_with(
          "[[target.constraint]]\nid = \"acc\"\nmetric = \"accuracy\"\nbound = \">= 0.5\"\n"),
      "t", data.inputs(AB));
  CHECK(point.pass);
  const auto v = evaluate(
      policy_with("[[target.constraint]]\nid = \"acc\"\nmetric = \"accuracy\"\nbound = \">= 0.5\"\n"
                  "evidence = \"ci\"\ninterval = \"wilson\"\n"),
      "t", data.inputs(AB));
  const auto& b = v.constraints[0].items[1];
  CHECK(b.lower == Approx(0.312671).margin(2e-6));
  CHECK(b.judged == b.lower);
  CHECK(b.result == outcome::fail);
  CHECK(v.constraints[0].groups ==
        std::vector<std::string>{"A", "B"});  // A: 8/10, lower 0.4902 < 0.5 too
}

TEST_CASE("a bootstrap interval of an unchanged model's change is exactly zero",
          "[gate][evidence]") {
  // Identical baseline and candidate: every paired replicate has change 0, so the
  // interval is [0, 0] and ">= baseline" (change >= 0) holds at its lower end.
  auto data = gate_test::two_groups();
  data.cand = data.base;
  const auto v = evaluate(
      policy_with("[[target.constraint]]\nid = \"tpr\"\nmetric = \"tpr\"\nbound = \">= baseline\"\n"
                  "evidence = \"ci\"\n",
                  "", "bootstrap_replicates = 200\nseed = 7"),
      "t", data.inputs(AB));
  for (const auto& it : v.constraints[0].items) {
    CHECK(it.lower == 0.0);
    CHECK(it.upper == 0.0);
    CHECK(it.result == outcome::pass);
  }
}

TEST_CASE(
    "a bootstrap interval of a disparity brackets the point estimate and is judged at its upper "
    "end",
    "[gate][evidence]") {
  // Candidate EO gap is 0.4 (two_groups). Its 95% bootstrap interval is wide with 10 rows
  // per group; the upper end is what is compared with "<= 0.5".
  const auto data = gate_test::two_groups();
  const auto v = evaluate(
      policy_with("[[target.constraint]]\nid = \"eo\"\nmetric = \"equalized_odds_difference\"\n"
                  "bound = \"<= 0.5\"\nevidence = \"ci\"\n",
                  "", "bootstrap_replicates = 300\nseed = 3"),
      "t", data.inputs(AB));
  const auto& it = v.constraints[0].items[0];
  CHECK(it.lower <= it.statistic);
  CHECK(it.statistic <= it.upper);
  CHECK(it.judged == it.upper);
  CHECK(it.upper > 0.5);  // the point (0.4) passes, the interval does not
  CHECK(it.result == outcome::fail);
}

TEST_CASE("McNemar's one-sided exact test judges 'no accuracy drop' per group",
          "[gate][evidence]") {
  // Group A: 20 rows the candidate broke, none fixed: one-sided p = P(X >= 20 | n = 20, 1/2) =
  // 2^-20. Group B: 0 broken: p = 1. Holm with m = 2: A's adjusted p = 2 * 2^-20 <= 0.05 -> fail.
  const auto data = broken(20, 0);
  const auto v = evaluate(policy_with("[[target.constraint]]\nid = \"acc\"\nmetric = \"accuracy\"\n"
                                      "bound = \">= baseline\"\nevidence = \"paired_test\"\n"),
                          "t", data.inputs(AB));
  const auto& c = v.constraints[0];
  CHECK(c.items[0].test == "mcnemar_exact");
  CHECK(c.items[0].p_value == std::ldexp(1.0, -20));
  CHECK(c.items[0].p_adjusted == std::ldexp(1.0, -19));
  CHECK(c.items[1].p_value == 1.0);
  CHECK(c.items[0].result == outcome::fail);
  CHECK(c.items[1].result == outcome::pass);
  CHECK_FALSE(v.pass);
}

TEST_CASE("Holm's correction across groups turns two marginal violations into a pass",
          "[gate][evidence]") {
  // Each group: 5 broken, 0 fixed -> one-sided p = 2^-5 = 0.03125 <= alpha 0.05.
  //   correction none: both rejected -> fail.
  //   Holm (m = 2): smallest p * 2 = 0.0625 > 0.05 -> nothing rejected -> pass.
  //   BH (m = 2): p_(2) * 2/2 = 0.03125 <= 0.05 -> both rejected -> fail.
  const auto data = broken(5, 5);
  const std::string body =
      "[[target.constraint]]\nid = \"acc\"\nmetric = \"accuracy\"\nbound = \">= "
      "baseline\"\nevidence = \"paired_test\"\n";
  const auto none = evaluate(policy_with(body, "correction = \"none\""), "t", data.inputs(AB));
  const auto holm = evaluate(policy_with(body, "correction = \"holm\""), "t", data.inputs(AB));
  const auto bh = evaluate(policy_with(body, "correction = \"bh\""), "t", data.inputs(AB));
  CHECK(none.constraints[0].items[0].p_value == 0.03125);
  CHECK_FALSE(none.pass);
  CHECK(holm.constraints[0].items[0].p_adjusted == 0.0625);
  CHECK(holm.pass);
  CHECK(bh.constraints[0].items[0].p_adjusted == 0.03125);
  CHECK_FALSE(bh.pass);
}

TEST_CASE("the correction family spans every paired test of the target", "[gate][evidence]") {
  // Group A alone: p = 2^-5, B unchanged (p = 1). A second paired-test constraint on
  // error_rate ("<= baseline", also McNemar) adds two more tests with the same p-values:
  // Holm m = 4: 2^-5 * 4 = 0.125 > 0.05 -> pass; with one constraint (m = 2): 0.0625 -> pass too,
  // but with correction none each is rejected.
  const auto data = broken(5, 0);
  const std::string acc =
      "[[target.constraint]]\nid = \"acc\"\nmetric = \"accuracy\"\nbound = \">= "
      "baseline\"\nevidence = \"paired_test\"\n";
  const std::string err =
      "[[target.constraint]]\nid = \"err\"\nmetric = \"error_rate\"\nbound = \"<= "
      "baseline\"\nevidence = \"paired_test\"\n";
  const auto v = evaluate(policy_with(acc + err), "t", data.inputs(AB));
  CHECK(v.constraints[0].items[0].p_adjusted == 0.125);
  CHECK(v.constraints[1].items[0].p_adjusted == 0.125);
  CHECK(v.pass);
}

TEST_CASE("a paired bootstrap test of an unchanged model has p-value exactly 1",
          "[gate][evidence]") {
  // Every replicate's change is 0 <= 0.02, so p = (1 + B) / (1 + B) = 1.
  auto data = gate_test::two_groups();
  data.cand = data.base;
  const auto v = evaluate(
      policy_with("[[target.constraint]]\nid = \"eo\"\nmetric = \"equalized_odds_difference\"\n"
                  "bound = \"<= baseline + 0.02\"\nevidence = \"paired_test\"\n",
                  "", "bootstrap_replicates = 100"),
      "t", data.inputs(AB));
  CHECK(v.constraints[0].items[0].test == "paired_bootstrap");
  CHECK(v.constraints[0].items[0].p_value == 1.0);
  CHECK(v.pass);
}

TEST_CASE("a paired bootstrap test rejects a large, consistent TPR drop", "[gate][evidence]") {
  // B loses 40 of 50 positives: change -0.8 with every replicate far below -0.02, so
  // p = (1 + 0) / (1 + B) = 1/201 and the drop is significant.
  gate_test::rows r;
  r.add(0, 1, 1, 1, 50);
  r.add(0, 0, 0, 0, 50);
  r.add(1, 1, 1, 0, 40);
  r.add(1, 1, 1, 1, 10);
  r.add(1, 0, 0, 0, 50);
  const auto v = evaluate(
      policy_with("[[target.constraint]]\nid = \"tpr\"\nmetric = \"tpr\"\nmax_drop = 0.02\n"
                  "evidence = \"paired_test\"\n",
                  "", "bootstrap_replicates = 200"),
      "t", r.inputs(AB));
  CHECK(v.constraints[0].items[1].p_value == 1.0 / 201.0);
  CHECK(v.constraints[0].items[1].result == outcome::fail);
  CHECK(v.constraints[0].items[0].result == outcome::pass);
}

TEST_CASE("the same inputs and seed give the same verdict bit for bit", "[gate][determinism]") {
  const auto data = gate_test::two_groups();
  const auto p = policy_with(
      "[[target.constraint]]\nid = \"eo\"\nmetric = \"equalized_odds_difference\"\n"
      "bound = \"<= 0.5\"\nevidence = \"ci\"\n[[target.constraint]]\nid = \"tpr\"\n"
      "metric = \"tpr\"\nmax_drop = 0.1\nevidence = \"paired_test\"\n",
      "", "bootstrap_replicates = 300\nseed = 11");
  const auto a = evaluate(p, "t", data.inputs(AB)).to_json();
  const auto b = evaluate(p, "t", data.inputs(AB)).to_json();
  CHECK(a == b);
  auto in = data.inputs(AB);
  in.seed = 12;  // another seed draws other replicates
  const auto c = evaluate(p, "t", in);
  CHECK(c.seed == 12);
  CHECK(c.to_json() != a);
}

TEST_CASE("the verdict JSON carries every constraint, item and decision", "[gate][format]") {
  const auto data = gate_test::two_groups();
  const auto v = evaluate(
      policy_with("[[target.constraint]]\nid = \"tpr\"\nmetric = \"tpr\"\nmax_drop = 0.3\n"), "t",
      data.inputs(AB));
  const auto j = nlohmann::json::parse(v.to_json());
  CHECK(j["format"] == "fairgate.verdict/1");
  CHECK(j["pass"] == false);
  CHECK(j["constraints"][0]["id"] == "tpr");
  CHECK(j["constraints"][0]["result"] == "fail");
  CHECK(j["constraints"][0]["groups"][0] == "B");
  CHECK(j["constraints"][0]["items"][1]["statistic"].get<double>() ==
        v.constraints[0].items[1].statistic);
  CHECK(j["constraints"][0]["items"][0]["p_value"].is_null());  // NaN is written as null
  const std::string table = v.to_table();
  CHECK(table.find("FAIL") != std::string::npos);
  CHECK(table.find("- B:") != std::string::npos);
}

TEST_CASE("bad requests and bad rows are clear errors", "[gate][errors]") {
  const auto data = gate_test::two_groups();
  const auto p =
      policy_with("[[target.constraint]]\nid = \"tpr\"\nmetric = \"tpr\"\nmax_drop = 0.3\n");
  using Catch::Matchers::Contains;
  CHECK_THROWS_WITH(evaluate(p, "phone", data.inputs(AB)), Contains("no target 'phone'"));
  CHECK_THROWS_WITH(evaluate(p, "t", data.inputs({})), Contains("group_names is empty"));
  // Group codes outside the named groups.
  CHECK_THROWS_WITH(evaluate(p, "t", data.inputs({"A"})), Contains("groups[10] = 1"));
  // Sensitive features that are not the target's.
  auto in = data.inputs(AB);
  in.sensitive_features = {"sex"};
  CHECK_THROWS_WITH(evaluate(p, "t", in), Contains("sensitive features 'f'"));
  // Lengths and NaN scores.
  auto bad = data;
  bad.cand.pop_back();
  CHECK_THROWS_AS(evaluate(p, "t", bad.inputs(AB)), fairgate::error);
  bad = data;
  bad.cand[3] = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(evaluate(p, "t", bad.inputs(AB)), Contains("scores[3] is NaN"));
  // A score-based metric on hard predictions, and groups the inputs do not have.
  const auto auc = policy_with(
      "[[target.constraint]]\nid = \"auc\"\nmetric = \"roc_auc\"\nbound = \">= 0.5\"\n");
  auto hard = data.inputs(AB);
  const std::vector<std::uint8_t> hard_pred(data.y.size(), 1);
  hard.candidate = fairgate::metrics::prediction_view::hard(hard_pred);
  CHECK_THROWS_WITH(evaluate(auc, "t", hard), Contains("roc_auc needs scores"));
  const auto di = policy_with(
      "[[target.constraint]]\nid = \"di\"\nmetric = \"disparate_impact\"\nbound = \">= 0.8\"\n",
      "reference_group = \"Z\"");
  CHECK_THROWS_WITH(evaluate(di, "t", data.inputs(AB)), Contains("reference group 'Z'"));
  // Weighted rows with Wilson intervals (which need unweighted counts).
  std::vector<double> w(data.y.size(), 1.0);
  in = data.inputs(AB);
  in.weights = fairgate::metrics::real_view(w);
  const auto ci = policy_with(
      "[[target.constraint]]\nid = \"tpr\"\nmetric = \"tpr\"\nbound = \">= 0.1\"\n"
      "evidence = \"ci\"\ninterval = \"wilson\"\n");
  CHECK_THROWS_WITH(evaluate(ci, "t", in), Contains("Wilson intervals need unweighted counts"));
}
