// Penalty values: hand-computed cases, invariances and input errors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <vector>

#include <fairgate/objectives/penalties.hpp>

#include "random_inputs.hpp"

using namespace fairgate::objectives;
using Catch::Matchers::Contains;

namespace {
penalty_inputs<double> view_of(const random_problem& p, bool weighted) {
  return {p.scores, p.labels, p.groups,
          weighted ? std::span<const double>(p.weights) : std::span<const double>(), p.n_groups};
}
}  // namespace

TEST_CASE("Demographic parity with a hinge relaxation matches a hand computation") {
  // Hinge, τ = 1: v(s) = max(0, 1 + s), v'(s) = 1 for s > -1.
  // Group 0: s = 0, 1    → v = 1, 2   → q_0 = 1.5
  // Group 1: s = -1, -0.5 → v = 0, 0.5 → q_1 = 0.25
  // max − min = 1.25; dV/ds = +1/2 for group 0 rows, −1/2 · v' for group 1 rows:
  // s = -1 sits on the kink where v' = 0 (x > -1 is false), s = -0.5 gets −0.5.
  const std::vector<double> s = {0.0, 1.0, -1.0, -0.5};
  const std::vector<std::uint8_t> y = {1, 0, 1, 0};
  const std::vector<std::uint32_t> g = {0, 0, 1, 1};
  std::vector<double> grad(4);
  penalty_options opt;
  opt.relax = {relaxation_kind::hinge, 1.0};
  const auto r =
      demographic_parity(penalty_inputs<double>{s, y, g, {}, 2}, opt, std::span<double>(grad));
  CHECK(r.value == 1.25);
  CHECK(r.group_values == std::vector<double>{1.5, 0.25});
  CHECK(grad == std::vector<double>{0.5, 0.5, 0.0, -0.5});
}

TEST_CASE("Sigmoid relaxation of a zero logit is one half, and its slope is 1/(4τ)") {
  const relaxation r{relaxation_kind::sigmoid, 2.0};
  CHECK(r.value(0.0) == 0.5);
  CHECK(r.derivative(0.0) == 0.125);
}

TEST_CASE("Softplus relaxation equals 1 at zero and upper-bounds the indicator") {
  const relaxation r{relaxation_kind::softplus, 1.0};
  CHECK(r.value(0.0) == Approx(1.0).epsilon(1e-15));
  for (double s : {-5.0, -1.0, -0.1, 0.1, 1.0, 5.0}) CHECK(r.value(s) >= (s >= 0 ? 1.0 : 0.0));
}

TEST_CASE("Equal opportunity only looks at positive rows") {
  // Group 0 positives: s = 2 (hinge 3); group 1 positives: s = 0 (hinge 1).
  // Negatives (any score) must not matter: gap = 3 − 1 = 2.
  const std::vector<double> s = {2.0, 9.0, 0.0, -9.0};
  const std::vector<std::uint8_t> y = {1, 0, 1, 0};
  const std::vector<std::uint32_t> g = {0, 0, 1, 1};
  std::vector<double> grad(4);
  penalty_options opt;
  opt.relax = {relaxation_kind::hinge, 1.0};
  const auto r =
      equal_opportunity(penalty_inputs<double>{s, y, g, {}, 2}, opt, std::span<double>(grad));
  CHECK(r.value == 2.0);
  CHECK(grad == std::vector<double>{1.0, 0.0, -1.0, 0.0});
}

TEST_CASE("Equalized odds worst case takes the larger of the TPR and FPR gaps") {
  // Hinge τ = 1. TPR: group 0 s=1 → 2, group 1 s=0 → 1: gap 1.
  // FPR: group 0 s=-0.5 → 0.5, group 1 s=2 → 3: gap 2.5 → worst case 2.5, mean 1.75.
  const std::vector<double> s = {1.0, -0.5, 0.0, 2.0};
  const std::vector<std::uint8_t> y = {1, 0, 1, 0};
  const std::vector<std::uint32_t> g = {0, 0, 1, 1};
  std::vector<double> grad(4);
  penalty_options opt;
  opt.relax = {relaxation_kind::hinge, 1.0};
  const penalty_inputs<double> in{s, y, g, {}, 2};
  const auto worst = equalized_odds(in, opt, odds_aggregate::worst_case, std::span<double>(grad));
  CHECK(worst.value == 2.5);
  CHECK(worst.tpr.value == 1.0);
  CHECK(worst.fpr.value == 2.5);
  CHECK(grad == std::vector<double>{0.0, -1.0, 0.0, 1.0});
  const auto mean = equalized_odds(in, opt, odds_aggregate::mean, std::span<double>(grad));
  CHECK(mean.value == 1.75);
}

TEST_CASE("The to-overall and max-min forms differ as Fairlearn's reductions and metrics do") {
  // Three groups with relaxed rates 0.2, 0.5, 0.8 (hinge τ=1 on s = -0.8, -0.5, -0.2),
  // one row each: overall 0.5. max − min = 0.6; max |q_g − q| = 0.3.
  const std::vector<double> s = {-0.8, -0.5, -0.2};
  const std::vector<std::uint8_t> y = {0, 0, 0};
  const std::vector<std::uint32_t> g = {0, 1, 2};
  std::vector<double> grad(3);
  penalty_options opt;
  opt.relax = {relaxation_kind::hinge, 1.0};
  const penalty_inputs<double> in{s, y, g, {}, 3};
  opt.form = gap_form::max_minus_min;
  CHECK(demographic_parity(in, opt, std::span<double>(grad)).value == Approx(0.6).epsilon(1e-15));
  opt.form = gap_form::max_abs_to_overall;
  CHECK(demographic_parity(in, opt, std::span<double>(grad)).value == Approx(0.3).epsilon(1e-15));
}

TEST_CASE("Loss equalisation within its tolerance costs nothing") {
  const auto p = make_problem(400, 3, 11);
  std::vector<double> grad(p.scores.size());
  const auto in = view_of(p, false);
  const auto tight =
      loss_equalisation(in, gap_form::hinge_squared_to_overall, 0.0, std::span<double>(grad));
  REQUIRE(tight.value > 0.0);
  const auto loose =
      loss_equalisation(in, gap_form::hinge_squared_to_overall, 10.0, std::span<double>(grad));
  CHECK(loose.value == 0.0);
  CHECK(std::all_of(grad.begin(), grad.end(), [](double d) { return d == 0.0; }));
}

TEST_CASE("Penalties are invariant to row order") {
  const auto p = make_problem(300, 5, 3);
  std::vector<std::size_t> order(p.scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::reverse(order.begin(), order.end());
  random_problem q = p;
  for (std::size_t i = 0; i < order.size(); ++i) {
    q.scores[i] = p.scores[order[i]];
    q.labels[i] = p.labels[order[i]];
    q.groups[i] = p.groups[order[i]];
    q.weights[i] = p.weights[order[i]];
  }
  std::vector<double> gp(p.scores.size()), gq(p.scores.size());
  const penalty_options opt;
  const auto a = demographic_parity(view_of(p, true), opt, std::span<double>(gp));
  const auto b = demographic_parity(view_of(q, true), opt, std::span<double>(gq));
  CHECK(a.value == Approx(b.value).epsilon(1e-14));
  for (std::size_t i = 0; i < order.size(); ++i)
    CHECK(gq[i] == Approx(gp[order[i]]).epsilon(1e-12));
}

TEST_CASE("Weights of one equal the unweighted penalty, and integer weights equal repeated rows") {
  auto p = make_problem(200, 4, 5);
  std::fill(p.weights.begin(), p.weights.end(), 1.0);
  std::vector<double> g1(p.scores.size()), g2(p.scores.size());
  const penalty_options opt;
  const auto u =
      equalized_odds(view_of(p, false), opt, odds_aggregate::mean, std::span<double>(g1));
  const auto w = equalized_odds(view_of(p, true), opt, odds_aggregate::mean, std::span<double>(g2));
  CHECK(u.value == w.value);
  CHECK(g1 == g2);

  // Weight 2 on every third row == that row twice.
  random_problem rep = p;
  for (std::size_t i = 0; i < p.scores.size(); i += 3) {
    p.weights[i] = 2.0;
    rep.scores.push_back(p.scores[i]);
    rep.labels.push_back(p.labels[i]);
    rep.groups.push_back(p.groups[i]);
    rep.weights.push_back(1.0);
  }
  std::vector<double> gw(p.scores.size()), gr(rep.scores.size());
  const auto weighted = demographic_parity(view_of(p, true), opt, std::span<double>(gw));
  const auto repeated = demographic_parity(view_of(rep, false), opt, std::span<double>(gr));
  CHECK(weighted.value == Approx(repeated.value).epsilon(1e-13));
}

TEST_CASE("Gradient descent on the demographic-parity penalty shrinks the gap") {
  auto p = make_problem(500, 4, 9);
  std::vector<double> grad(p.scores.size());
  penalty_options opt;
  opt.form = gap_form::sum_squared_to_overall;
  const double before = demographic_parity(view_of(p, false), opt, std::span<double>(grad)).value;
  for (int step = 0; step < 200; ++step) {
    demographic_parity(view_of(p, false), opt, std::span<double>(grad));
    for (std::size_t i = 0; i < grad.size(); ++i) p.scores[i] -= 50.0 * grad[i];
  }
  const double after = demographic_parity(view_of(p, false), opt, std::span<double>(grad)).value;
  CHECK(after < 0.01 * before);
}

TEST_CASE("Groups without rows in a rate's subset are left out, not counted as zero") {
  // Group 1 has no positives: its TPR is undefined and must not create a gap.
  const std::vector<double> s = {1.0, -1.0, 0.5};
  const std::vector<std::uint8_t> y = {1, 0, 0};
  const std::vector<std::uint32_t> g = {0, 1, 1};
  std::vector<double> grad(3);
  const auto r = equal_opportunity(penalty_inputs<double>{s, y, g, {}, 2}, penalty_options{},
                                   std::span<double>(grad));
  CHECK(r.defined == std::vector<std::uint8_t>{1, 0});
  CHECK(r.value == 0.0);
}

TEST_CASE("Bad inputs are rejected with the row named") {
  std::vector<double> s = {0.1, 0.2, 0.3};
  std::vector<std::uint8_t> y = {0, 1, 0};
  std::vector<std::uint32_t> g = {0, 1, 0};
  std::vector<double> grad(3);
  const penalty_options opt;
  auto run = [&](std::vector<double> w = {}) {
    return demographic_parity(penalty_inputs<double>{s, y, g, w, 2}, opt, std::span<double>(grad));
  };
  y[1] = 2;
  CHECK_THROWS_WITH(run(), Contains("labels[1] = 2"));
  y[1] = 1;
  g[2] = 7;
  CHECK_THROWS_WITH(run(), Contains("groups[2] = 7"));
  g[2] = 0;
  s[0] = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(run(), Contains("scores[0] is not finite"));
  s[0] = 0.1;
  CHECK_THROWS_WITH(run({1.0, -1.0, 1.0}), Contains("weights[1]"));
  CHECK_THROWS_WITH(run({1.0}), Contains("weights has 1 entries"));
  std::vector<double> short_grad(2);
  CHECK_THROWS_AS(demographic_parity(penalty_inputs<double>{s, y, g, {}, 2}, opt,
                                     std::span<double>(short_grad)),
                  fairgate::error);
  penalty_options bad;
  bad.relax.temperature = 0.0;
  CHECK_THROWS_WITH(
      demographic_parity(penalty_inputs<double>{s, y, g, {}, 2}, bad, std::span<double>(grad)),
      Contains("temperature"));
}
