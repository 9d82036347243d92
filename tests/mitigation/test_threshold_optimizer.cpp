// Group-specific thresholds: the constraints Fairlearn documents hold, in
// expectation and empirically, and predictions are reproducible.
#include <catch2/catch.hpp>

#include <vector>

#include <fairgate/mitigation/threshold_optimizer.hpp>
#include <fairgate/rng/normal.hpp>
#include <fairgate/rng/uniform.hpp>

using namespace fairgate;
using mitigation::threshold_constraint;

namespace {

struct scored {
  std::vector<double> s;
  std::vector<std::uint8_t> y;
  std::vector<std::uint32_t> g;
};

// Group 1 has a higher base rate and scores shifted up: unequal rates at any
// single threshold.
scored make_scored(std::size_t n, std::uint64_t seed) {
  rng::stream st(seed, rng::purposes::test);
  scored d;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t g = rng::uniform_double(st) < 0.5 ? 1 : 0;
    const std::uint8_t y = rng::uniform_double(st) < (g ? 0.45 : 0.2) ? 1 : 0;
    d.s.push_back((y ? 1.0 : -1.0) + 0.3 * g + rng::normal(st));
    d.y.push_back(y);
    d.g.push_back(g);
  }
  return d;
}

struct rates {
  double sel[2] = {0, 0}, tpr[2] = {0, 0}, fpr[2] = {0, 0}, acc = 0;
};

rates empirical(const scored& d, const std::vector<std::uint8_t>& yhat) {
  double n[2] = {0, 0}, p[2] = {0, 0}, q[2] = {0, 0}, correct = 0;
  rates r;
  for (std::size_t i = 0; i < d.s.size(); ++i) {
    const auto g = d.g[i];
    n[g] += 1;
    r.sel[g] += yhat[i];
    if (d.y[i]) {
      p[g] += 1;
      r.tpr[g] += yhat[i];
    } else {
      q[g] += 1;
      r.fpr[g] += yhat[i];
    }
    correct += yhat[i] == d.y[i] ? 1 : 0;
  }
  for (int g = 0; g < 2; ++g) {
    r.sel[g] /= n[g];
    r.tpr[g] /= p[g];
    r.fpr[g] /= q[g];
  }
  r.acc = correct / static_cast<double>(d.s.size());
  return r;
}

}  // namespace

TEST_CASE("Demographic-parity thresholds equalise selection rates") {
  const auto d = make_scored(40000, 1);
  const auto rules = mitigation::fit_thresholds(d.s, d.y, d.g, 2, {});
  // In expectation on the fitting data, exactly (both groups sit at x).
  for (const auto& r : rules.groups) CHECK(r.achieved_x == rules.x);
  const auto r = empirical(d, mitigation::predict_thresholds(rules, d.s, d.g, 7));
  INFO("selection rates " << r.sel[0] << " / " << r.sel[1] << ", x = " << rules.x);
  // Randomization adds binomial noise: sd ≈ sqrt(0.25/20000) ≈ 0.0035 per group.
  CHECK(std::abs(r.sel[0] - r.sel[1]) < 0.02);
  CHECK(std::abs(r.acc - rules.objective) < 0.01);
}

TEST_CASE("Equalized-odds thresholds equalise TPR and FPR") {
  const auto d = make_scored(40000, 2);
  mitigation::threshold_options opt;
  opt.constraint = threshold_constraint::equalized_odds;
  const auto rules = mitigation::fit_thresholds(d.s, d.y, d.g, 2, opt);
  CHECK(rules.groups[0].achieved_fpr == rules.groups[1].achieved_fpr);
  CHECK(rules.groups[0].achieved_tpr == Approx(rules.groups[1].achieved_tpr).epsilon(1e-12));
  const auto r = empirical(d, mitigation::predict_thresholds(rules, d.s, d.g, 3));
  INFO("TPR " << r.tpr[0] << " / " << r.tpr[1] << ", FPR " << r.fpr[0] << " / " << r.fpr[1]);
  CHECK(std::abs(r.tpr[0] - r.tpr[1]) < 0.03);
  CHECK(std::abs(r.fpr[0] - r.fpr[1]) < 0.02);
}

TEST_CASE("TPR and FPR parity equalise their own rate") {
  const auto d = make_scored(40000, 5);
  mitigation::threshold_options opt;
  opt.constraint = threshold_constraint::true_positive_rate_parity;
  const auto tpr_rules = mitigation::fit_thresholds(d.s, d.y, d.g, 2, opt);
  CHECK(tpr_rules.groups[0].achieved_tpr ==
        Approx(tpr_rules.groups[1].achieved_tpr).epsilon(1e-12));
  opt.constraint = threshold_constraint::false_positive_rate_parity;
  const auto fpr_rules = mitigation::fit_thresholds(d.s, d.y, d.g, 2, opt);
  CHECK(fpr_rules.groups[0].achieved_fpr ==
        Approx(fpr_rules.groups[1].achieved_fpr).epsilon(1e-12));
}

TEST_CASE("A constraint never beats the unconstrained optimum nor loses to a constant") {
  const auto d = make_scored(5000, 9);
  // Unconstrained optimum: each group's best single threshold, found by brute force.
  double best_correct = 0;
  for (std::uint32_t g = 0; g < 2; ++g) {
    double best_g = 0;
    std::vector<double> cands = d.s;
    cands.push_back(1e300);
    for (double t : cands) {
      double correct = 0;
      for (std::size_t i = 0; i < d.s.size(); ++i)
        if (d.g[i] == g) correct += ((d.s[i] >= t) == (d.y[i] == 1)) ? 1 : 0;
      best_g = std::max(best_g, correct);
    }
    best_correct += best_g;
  }
  const double unconstrained = best_correct / static_cast<double>(d.s.size());
  double negatives = 0;
  for (auto y : d.y) negatives += y == 0 ? 1 : 0;
  const double constant = negatives / static_cast<double>(d.s.size());
  for (auto c : {threshold_constraint::demographic_parity, threshold_constraint::equalized_odds,
                 threshold_constraint::true_positive_rate_parity,
                 threshold_constraint::false_positive_rate_parity}) {
    mitigation::threshold_options opt;
    opt.constraint = c;
    const auto rules = mitigation::fit_thresholds(d.s, d.y, d.g, 2, opt);
    CHECK(rules.objective <= unconstrained + 1e-12);
    CHECK(rules.objective >= constant - 1e-12);
  }
}

TEST_CASE("Randomized predictions depend only on the seed and the rows") {
  const auto d = make_scored(2000, 11);
  mitigation::threshold_options opt;
  opt.constraint = threshold_constraint::equalized_odds;
  const auto rules = mitigation::fit_thresholds(d.s, d.y, d.g, 2, opt);
  CHECK(mitigation::predict_thresholds(rules, d.s, d.g, 5) ==
        mitigation::predict_thresholds(rules, d.s, d.g, 5));
  CHECK(mitigation::predict_thresholds(rules, d.s, d.g, 5) !=
        mitigation::predict_thresholds(rules, d.s, d.g, 6));
}

TEST_CASE("Undefined rates are refused with the group named") {
  const std::vector<double> s = {0.1, 0.9, 0.3};
  const std::vector<std::uint8_t> y = {0, 1, 0};
  const std::vector<std::uint32_t> g = {0, 0, 1};
  mitigation::threshold_options opt;
  opt.constraint = threshold_constraint::equalized_odds;
  CHECK_THROWS_WITH(mitigation::fit_thresholds(s, y, g, 2, opt),
                    Catch::Matchers::Contains("group 1 has no positive rows"));
  CHECK_NOTHROW(mitigation::fit_thresholds(s, y, g, 2, {}));
}
