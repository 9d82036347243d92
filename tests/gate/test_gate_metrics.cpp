// The gate's AIF360 reference-group metrics, roc_auc, and sample-weighted
// bootstrap evidence (per-row Poisson weights), each against a hand computation.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <fairgate/error.hpp>
#include <fairgate/gate/gate.hpp>
#include <fairgate/uncertainty/bootstrap.hpp>

#include "gate/gate_fixtures.hpp"

using fairgate::gate::evaluate;
using fairgate::gate::outcome;
using gate_test::policy_with;

namespace {
const std::vector<std::string> AB{"A", "B"};

std::string one(const std::string& metric, const std::string& bound,
                const std::string& extra = "") {
  return "[[target.constraint]]\nid = \"c\"\nmetric = \"" + metric + "\"\nbound = \"" + bound +
         "\"\n" + extra;
}
}  // namespace

TEST_CASE("AIF360 metrics compare each group with the reference group, by hand", "[gate][aif360]") {
  // gate_fixtures two_groups(), reference A. Candidate confusion tables:
  //   A: TP 4, FN 1, FP 1, TN 4   B: TP 2, FN 3, FP 1, TN 4
  // rates A / B: SR 5/10 / 3/10, TPR 4/5 / 2/5, FPR 1/5 / 1/5, FNR 1/5 / 3/5,
  //   ERR 2/10 / 4/10, PPV 4/5 / 2/3, FDR 1/5 / 1/3, FOR 1/5 / 3/7.
  // The baseline tables of A and B are both A's, so every baseline difference
  // is 0 and every baseline ratio 1.
  struct row {
    const char* metric;
    double candidate;
    double baseline;
  };
  const row rows[] = {
      {"statistical_parity_difference", 0.3 - 0.5, 0.0},
      {"disparate_impact", 0.3 / 0.5, 1.0},
      {"average_odds_difference", ((0.2 - 0.2) + (0.4 - 0.8)) / 2, 0.0},  // -0.2
      {"average_abs_odds_difference", (0.0 + 0.4) / 2, 0.0},              // 0.2
      {"tpr_difference", 0.4 - 0.8, 0.0},
      {"error_rate_difference", 0.4 - 0.2, 0.0},
      {"error_rate_ratio", 0.4 / 0.2, 1.0},
      {"fpr_difference", 0.0, 0.0},
      {"fpr_ratio", 1.0, 1.0},
      {"fnr_difference", 0.6 - 0.2, 0.0},
      {"fnr_ratio", 3.0, 1.0},
      {"fdr_difference", 1.0 / 3 - 1.0 / 5, 0.0},  // 2/15
      {"fdr_ratio", 5.0 / 3, 1.0},
      {"for_difference", 3.0 / 7 - 1.0 / 5, 0.0},  // 8/35
      {"for_ratio", 15.0 / 7, 1.0},
      // ((PPV_B - PPV_A) + (FOR_B - FOR_A)) / 2 = (-2/15 + 8/35) / 2 = 1/21
      {"average_predictive_value_difference", 1.0 / 21, 0.0},
  };
  const auto data = gate_test::two_groups();
  for (const auto& r : rows) {
    INFO(r.metric);
    const bool ratio = std::string(r.metric).find("ratio") != std::string::npos ||
                       std::string(r.metric) == "disparate_impact" ||
                       std::string(r.metric) == "average_abs_odds_difference";  // range [0, 1]
    const auto v =
        evaluate(policy_with(one(r.metric, ratio ? ">= 0" : ">= -1"), "reference_group = \"A\"\n"),
                 "t", data.inputs(AB));
    REQUIRE(v.constraints[0].items.size() == 1);
    const auto& it = v.constraints[0].items[0];
    CHECK(it.group == "(overall)");
    CHECK(it.candidate == Approx(r.candidate).margin(1e-15));
    CHECK(it.baseline == Approx(r.baseline).margin(1e-15));
    CHECK(it.result == outcome::pass);
    // The groups involved: the judged group, then the reference group.
    CHECK(v.constraints[0].groups == std::vector<std::string>{"B", "A"});
  }
}

TEST_CASE("an AIF360 bound must hold for every non-reference group", "[gate][aif360]") {
  // Three groups, reference A. Candidate selection rates: A 5/10, B 3/10, C 7/10
  // (baseline = candidate). SPD per group: B -0.2, C +0.2.
  gate_test::rows r;
  r.add(0, 1, 1, 1, 5);
  r.add(0, 0, 0, 0, 5);
  r.add(1, 1, 1, 1, 3);
  r.add(1, 0, 0, 0, 7);
  r.add(2, 1, 1, 1, 7);
  r.add(2, 0, 0, 0, 3);
  const std::vector<std::string> ABC{"A", "B", "C"};
  // "<= 0.1" judges the largest value: C's +0.2 fails.
  auto v = evaluate(
      policy_with(one("statistical_parity_difference", "<= 0.1"), "reference_group = \"A\"\n"), "t",
      r.inputs(ABC));
  CHECK(v.constraints[0].result == outcome::fail);
  CHECK(v.constraints[0].value == Approx(0.2).margin(1e-15));
  CHECK(v.constraints[0].groups == std::vector<std::string>{"C", "A"});
  // ">= -0.1" judges the smallest: B's -0.2 fails.
  v = evaluate(
      policy_with(one("statistical_parity_difference", ">= -0.1"), "reference_group = \"A\"\n"),
      "t", r.inputs(ABC));
  CHECK(v.constraints[0].value == Approx(-0.2).margin(1e-15));
  CHECK(v.constraints[0].groups == std::vector<std::string>{"B", "A"});
  // The four-fifths rule: DI of B = 0.3 / 0.5 = 0.6 < 0.8 fails; with reference C
  // (SR 0.7): B 3/7 = 0.4286, A 5/7 = 0.714: the smallest, B's, is judged.
  v = evaluate(policy_with(one("disparate_impact", ">= 0.8"), "reference_group = \"C\"\n"), "t",
               r.inputs(ABC));
  CHECK(v.constraints[0].value == Approx(3.0 / 7.0).margin(1e-15));
  CHECK(v.constraints[0].result == outcome::fail);
}

TEST_CASE("an AIF360 relative bound judges the change of the extreme value", "[gate][aif360]") {
  // two_groups: DI candidate 0.6, baseline 1.0; change -0.4 < -0.1.
  const auto v = evaluate(
      policy_with(one("disparate_impact", ">= baseline - 0.1"), "reference_group = \"A\"\n"), "t",
      gate_test::two_groups().inputs(AB));
  CHECK(v.constraints[0].value == Approx(-0.4).margin(1e-15));
  CHECK(v.constraints[0].result == outcome::fail);
}

TEST_CASE("an undefined or unsupported reference group follows the undefined rule",
          "[gate][aif360]") {
  const auto data = gate_test::two_groups();
  // Reference B below min_support (10 rows < 11): nothing to judge -> skipped / fail.
  auto v =
      evaluate(policy_with(one("statistical_parity_difference", ">= -0.1", "min_support = 11\n"),
                           "reference_group = \"B\"\n"),
               "t", data.inputs(AB));
  CHECK(v.constraints[0].result == outcome::skipped);
  CHECK(v.pass);
  v = evaluate(policy_with(one("statistical_parity_difference", ">= -0.1",
                               "min_support = 11\nundefined = \"fail\"\n"),
                           "reference_group = \"B\"\n"),
               "t", data.inputs(AB));
  CHECK(v.constraints[0].result == outcome::fail);
  // A reference selection rate of 0 under a ratio: undefined (AIF360 would divide by 0).
  gate_test::rows z;
  z.add(0, 1, 0, 0, 5);  // A never selected
  z.add(1, 1, 1, 1, 5);
  v = evaluate(policy_with(one("disparate_impact", ">= 0.8", "undefined = \"fail\"\n"),
                           "reference_group = \"A\"\n"),
               "t", z.inputs(AB));
  CHECK(v.constraints[0].items[0].undefined);
  CHECK(v.constraints[0].result == outcome::fail);
  // A reference group that is not among the inputs' groups is a clear error.
  CHECK_THROWS_WITH(
      evaluate(policy_with(one("disparate_impact", ">= 0.8"), "reference_group = \"Z\"\n"), "t",
               data.inputs(AB)),
      Catch::Matchers::Contains("reference group 'Z'"));
}

namespace {
// roc_auc rows: group A labels 1 1 0 0, group B labels 1 0 0.
struct auc_rows {
  std::vector<std::uint8_t> y{1, 1, 0, 0, 1, 0, 0};
  std::vector<std::uint8_t> g{0, 0, 0, 0, 1, 1, 1};
  std::vector<double> base{0.9, 0.8, 0.2, 0.1, 0.9, 0.1, 0.2};  // perfect ranking: AUC 1
  std::vector<double> cand{0.9, 0.4, 0.6, 0.1, 0.3, 0.5, 0.2};
  std::vector<double> w{1, 1, 1, 1, 1, 3, 1};
  fairgate::gate::gate_inputs inputs() const {
    return fairgate::gate::gate_inputs::from_scores(y, base, cand, 0.5, g, AB);
  }
};
}  // namespace

TEST_CASE("roc_auc per group and pooled, unweighted and weighted, by hand", "[gate][auc]") {
  // Candidate A: pos {0.9, 0.4}, neg {0.6, 0.1}: pairs 0.9>0.6, 0.9>0.1, 0.4<0.6, 0.4>0.1
  //   -> AUC 3/4. B: pos {0.3}, neg {0.5, 0.2}: 0.3<0.5, 0.3>0.2 -> 1/2.
  // Pooled: pos {0.9, 0.4, 0.3}, neg {0.6, 0.1, 0.5, 0.2}: 4 + 2 + 2 = 8 of 12 -> 2/3.
  // Weighted B (neg 0.5 has weight 3): (1*3*0 + 1*1*1) / (1 * 4) = 1/4.
  const auc_rows d;
  auto v =
      evaluate(policy_with(one("roc_auc", ">= 0.6", "scope = \"every_group\"\n")), "t", d.inputs());
  REQUIRE(v.constraints[0].items.size() == 2);
  CHECK(v.constraints[0].items[0].candidate == 0.75);
  CHECK(v.constraints[0].items[0].baseline == 1.0);
  CHECK(v.constraints[0].items[1].candidate == 0.5);
  CHECK(v.constraints[0].items[0].result == outcome::pass);
  CHECK(v.constraints[0].items[1].result == outcome::fail);
  CHECK(v.constraints[0].groups == std::vector<std::string>{"B"});
  v = evaluate(policy_with(one("roc_auc", ">= baseline - 0.3", "scope = \"overall\"\n")), "t",
               d.inputs());
  CHECK(v.constraints[0].items[0].candidate == Approx(2.0 / 3.0).margin(1e-15));
  CHECK(v.constraints[0].items[0].statistic == Approx(2.0 / 3.0 - 1.0).margin(1e-15));
  CHECK(v.constraints[0].result == outcome::fail);
  auto in = d.inputs();
  in.weights = fairgate::metrics::real_view{std::span<const double>(d.w)};
  v = evaluate(policy_with(one("roc_auc", ">= 0.6", "scope = \"every_group\"\n")), "t", in);
  CHECK(v.constraints[0].items[1].candidate == 0.25);
  CHECK(v.constraints[0].items[0].candidate == 0.75);  // A's weights are all 1
}

TEST_CASE("roc_auc needs scores, and an unchanged model's AUC change has a zero interval",
          "[gate][auc]") {
  auc_rows d;
  auto in = d.inputs();
  std::vector<std::uint8_t> hard{1, 1, 0, 0, 1, 0, 0};
  in.baseline = fairgate::metrics::prediction_view::hard(hard);
  CHECK_THROWS_WITH(evaluate(policy_with(one("roc_auc", ">= 0.6")), "t", in),
                    Catch::Matchers::Contains("roc_auc needs scores"));
  d.cand = d.base;
  const auto v = evaluate(
      policy_with(one("roc_auc", ">= baseline", "scope = \"every_group\"\nevidence = \"ci\"\n"), "",
                  "bootstrap_replicates = 100\nseed = 3"),
      "t", d.inputs());
  for (const auto& it : v.constraints[0].items) {
    CHECK(it.lower == 0.0);
    CHECK(it.upper == 0.0);
    CHECK(it.result == outcome::pass);
  }
}

TEST_CASE("weighted rows get a paired per-row Poisson bootstrap, recomputed by hand",
          "[gate][weights]") {
  // Pooled candidate accuracy with sample weights w. Replicate b gives row i the
  // weight w_i * k_ib, k_ib = row_weight(seed, b, i) (the documented stream
  // "bootstrap.rows"); accuracy_b = sum(w k [correct]) / sum(w k). The interval
  // is numpy's linear percentile of the defined replicate values.
  const auto data = gate_test::two_groups();
  std::vector<double> w;
  for (std::size_t i = 0; i < data.y.size(); ++i) w.push_back(1.0 + static_cast<double>(i % 3));
  auto in = data.inputs(AB);
  in.weights = fairgate::metrics::real_view{std::span<const double>(w)};
  const std::uint32_t B = 60;
  const std::uint64_t seed = 11;
  const auto v =
      evaluate(policy_with(one("accuracy", ">= 0.5", "scope = \"overall\"\nevidence = \"ci\"\n"),
                           "", "bootstrap_replicates = 60\nseed = 11"),
               "t", in);
  std::vector<double> values;
  for (std::uint32_t b = 0; b < B; ++b) {
    double num = 0, den = 0;
    for (std::size_t i = 0; i < data.y.size(); ++i) {
      const double wk = w[i] * static_cast<double>(fairgate::uncertainty::row_weight(seed, b, i));
      const int pred = data.cand[i] >= 0.5 ? 1 : 0;
      den += wk;
      if (pred == data.y[i]) num += wk;
    }
    if (den > 0) values.push_back(num / den);
  }
  std::sort(values.begin(), values.end());
  const auto quantile = [&](double q) {  // numpy "linear"
    const double h = (static_cast<double>(values.size()) - 1) * q;
    const auto lo = static_cast<std::size_t>(std::floor(h));
    const std::size_t hi = std::min(lo + 1, values.size() - 1);
    return values[lo] + (h - static_cast<double>(lo)) * (values[hi] - values[lo]);
  };
  const auto& it = v.constraints[0].items[0];
  CHECK(it.lower == Approx(quantile(0.025)).margin(1e-12));
  CHECK(it.upper == Approx(quantile(0.975)).margin(1e-12));
  CHECK(it.judged == it.lower);
  // The point estimate is the weighted accuracy: correct weight / total weight.
  double num = 0, den = 0;
  for (std::size_t i = 0; i < data.y.size(); ++i) {
    den += w[i];
    if ((data.cand[i] >= 0.5 ? 1 : 0) == data.y[i]) num += w[i];
  }
  CHECK(it.candidate == Approx(num / den).margin(1e-15));
  // Weighted paired tests use the same replicates of the change (candidate -
  // baseline): p = (1 + #holding) / (1 + #defined). H0 "change >= -0.05".
  std::vector<double> changes;
  for (std::uint32_t b = 0; b < B; ++b) {
    double nc = 0, nb = 0, total = 0;
    for (std::size_t i = 0; i < data.y.size(); ++i) {
      const double wk = w[i] * static_cast<double>(fairgate::uncertainty::row_weight(seed, b, i));
      total += wk;
      if ((data.cand[i] >= 0.5 ? 1 : 0) == data.y[i]) nc += wk;
      if ((data.base[i] >= 0.5 ? 1 : 0) == data.y[i]) nb += wk;
    }
    if (total > 0) changes.push_back(nc / total - nb / total);
  }
  const auto t = evaluate(policy_with(one("accuracy", ">= baseline - 0.05",
                                          "scope = \"overall\"\n"
                                          "evidence = \"paired_test\"\n"),
                                      "", "bootstrap_replicates = 60\nseed = 11"),
                          "t", in);
  const auto holding =
      std::count_if(changes.begin(), changes.end(), [](double x) { return x >= -0.05; });
  CHECK(t.constraints[0].items[0].p_value ==
        Approx(static_cast<double>(1 + holding) / static_cast<double>(1 + values.size()))
            .margin(1e-15));
  CHECK(t.constraints[0].items[0].test == "paired_row_bootstrap");
  // Per group (one pass over the rows per replicate serves both groups): the
  // candidate TPR of group k in replicate b is sum(w k [y=1, pred=1, g=k]) /
  // sum(w k [y=1, g=k]).
  const auto per_group =
      evaluate(policy_with(one("tpr", ">= 0.1", "scope = \"every_group\"\nevidence = \"ci\"\n"), "",
                           "bootstrap_replicates = 60\nseed = 11"),
               "t", in);
  REQUIRE(per_group.constraints[0].items.size() == 2);
  for (std::uint8_t grp = 0; grp < 2; ++grp) {
    std::vector<double> tprs;
    for (std::uint32_t b = 0; b < B; ++b) {
      double hit = 0, pos = 0;
      for (std::size_t i = 0; i < data.y.size(); ++i) {
        if (data.g[i] != grp || data.y[i] != 1) continue;
        const double wk = w[i] * static_cast<double>(fairgate::uncertainty::row_weight(seed, b, i));
        pos += wk;
        if (data.cand[i] >= 0.5) hit += wk;
      }
      if (pos > 0) tprs.push_back(hit / pos);
    }
    values = tprs;
    std::sort(values.begin(), values.end());
    const auto& gi = per_group.constraints[0].items[grp];
    CHECK(gi.lower == Approx(quantile(0.025)).margin(1e-12));
    CHECK(gi.upper == Approx(quantile(0.975)).margin(1e-12));
  }
  // Wilson intervals need unweighted counts.
  CHECK_THROWS_AS(
      evaluate(policy_with(one("accuracy", ">= 0.5", "evidence = \"ci\"\ninterval = \"wilson\"\n")),
               "t", in),
      fairgate::error);
}

TEST_CASE("roc_auc disparities follow Fairlearn's difference and ratio, by hand", "[gate][auc]") {
  // Candidate AUC: A 3/4, B 1/2, pooled 2/3 (see above); baseline 1 and 1.
  //   between_groups: difference 3/4 - 1/2 = 1/4, ratio (1/2) / (3/4) = 2/3
  //   to_overall:     max(|3/4 - 2/3|, |1/2 - 2/3|) = 1/6
  const auc_rows d;
  auto v = evaluate(policy_with(one("roc_auc_difference", "<= 0.2")), "t", d.inputs());
  CHECK(v.constraints[0].items[0].candidate == 0.25);
  CHECK(v.constraints[0].items[0].baseline == 0.0);
  CHECK(v.constraints[0].result == outcome::fail);
  CHECK(v.constraints[0].groups == std::vector<std::string>{"A", "B"});
  v = evaluate(policy_with(one("roc_auc_ratio", ">= 0.6")), "t", d.inputs());
  CHECK(v.constraints[0].items[0].candidate == Approx(2.0 / 3.0).margin(1e-15));
  CHECK(v.constraints[0].result == outcome::pass);
  v = evaluate(policy_with(one("roc_auc_difference", "<= 0.2", "method = \"to_overall\"\n")), "t",
               d.inputs());
  CHECK(v.constraints[0].items[0].candidate == Approx(1.0 / 6.0).margin(1e-15));
  CHECK(v.constraints[0].result == outcome::pass);
}
