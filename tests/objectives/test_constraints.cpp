// Rate constraints, multipliers and best-candidate selection.
#include <catch2/catch.hpp>

#include <vector>

#include <fairgate/objectives/lagrangian.hpp>
#include <fairgate/objectives/rate_constraints.hpp>

#include "random_inputs.hpp"

using namespace fairgate::objectives;

TEST_CASE("Constraint truth values use hard predictions, proxies the relaxation") {
  // Group 0: s = 1, -1 → hard selection 1/2; group 1: s = 2, 3 → 1. Overall 3/4.
  // Selection parity, ε = 0.1:
  //   g0 (+): 0.5 − 0.75 − 0.1 = −0.35    g0 (−): 0.75 − 0.5 − 0.1 = 0.15
  //   g1 (+): 1 − 0.75 − 0.1 = 0.15       g1 (−): 0.75 − 1 − 0.1 = −0.35
  // Hinge τ=1 proxies: v = 2, 0, 3, 4 → q0 = 1, q1 = 3.5, q = 2.25:
  //   g0 (+): 1 − 2.25 − 0.1 = −1.35 ... g1 (+): 3.5 − 2.25 − 0.1 = 1.15
  const std::vector<double> s = {1.0, -1.0, 2.0, 3.0};
  const std::vector<std::uint8_t> y = {1, 0, 1, 0};
  const std::vector<std::uint32_t> g = {0, 0, 1, 1};
  std::vector<double> grad(4);
  const auto cs = parity_constraints(rate_kind::selection, 2, 0.1);
  const relaxation hinge{relaxation_kind::hinge, 1.0};
  const auto v = evaluate_constraints(penalty_inputs<double>{s, y, g, {}, 2},
                                      std::span<const rate_constraint>(cs), hinge, {},
                                      std::span<double>(grad));
  CHECK(v.truth[0] == Approx(-0.35).epsilon(1e-15));
  CHECK(v.truth[1] == Approx(0.15).epsilon(1e-15));
  CHECK(v.truth[2] == Approx(0.15).epsilon(1e-15));
  CHECK(v.truth[3] == Approx(-0.35).epsilon(1e-15));
  CHECK(v.proxy[0] == Approx(-1.35).epsilon(1e-15));
  CHECK(v.proxy[2] == Approx(1.15).epsilon(1e-15));
}

TEST_CASE("The multiplier-weighted constraint gradient matches finite differences") {
  auto p = make_problem(150, 6, 31);
  std::vector<rate_constraint> cs;
  for (auto r : {rate_kind::selection, rate_kind::tpr, rate_kind::fpr, rate_kind::error}) {
    const auto part = parity_constraints(r, 6, 0.05);
    cs.insert(cs.end(), part.begin(), part.end());
  }
  std::vector<double> lambda(cs.size());
  for (std::size_t j = 0; j < lambda.size(); ++j) lambda[j] = 0.1 * static_cast<double>(j % 7);
  const relaxation sig{relaxation_kind::sigmoid, 0.8};
  auto weighted_sum = [&](std::vector<double>& grad) {
    const auto v = evaluate_constraints(
        penalty_inputs<double>{p.scores, p.labels, p.groups, p.weights, 6},
        std::span<const rate_constraint>(cs), sig, lambda, std::span<double>(grad));
    double total = 0;
    for (std::size_t j = 0; j < cs.size(); ++j) total += lambda[j] * v.proxy[j];
    return total;
  };
  std::vector<double> grad(p.scores.size()), scratch(p.scores.size());
  weighted_sum(grad);
  double worst = 0;
  for (std::size_t i = 0; i < p.scores.size(); ++i) {
    const double s0 = p.scores[i], h = 1e-5;
    p.scores[i] = s0 + h;
    const double up = weighted_sum(scratch);
    p.scores[i] = s0 - h;
    const double down = weighted_sum(scratch);
    p.scores[i] = s0;
    worst = std::max(worst, std::abs((up - down) / (2 * h) - grad[i]));
  }
  CHECK(worst < 1e-8);
}

TEST_CASE("Multipliers ascend on violations and stay within [0, max]") {
  multipliers plain(2, multiplier_update::lagrangian, 0.5, 1.0);
  multipliers proxy(2, multiplier_update::proxy_lagrangian, 0.5, 1.0);
  const constraint_values v{{0.4, -0.2}, {-0.1, 0.6}};
  plain.update(v);
  proxy.update(v);
  // Plain follows proxy: 0 + 0.5·0.4 = 0.2, 0 + 0.5·(−0.2) → clamped to 0.
  CHECK(plain.values()[0] == Approx(0.2));
  CHECK(plain.values()[1] == 0.0);
  // Proxy-Lagrangian follows the truth: 0 → clamped, 0.5·0.6 = 0.3.
  CHECK(proxy.values()[0] == 0.0);
  CHECK(proxy.values()[1] == Approx(0.3));
  for (int i = 0; i < 10; ++i) proxy.update(v);
  CHECK(proxy.values()[1] == 1.0);
}

TEST_CASE("find_best_candidate_index follows TFCO's documented heuristic") {
  // One constraint, violations max(0, g) = [0, 0.5, 0] → average ranks
  // [1.5, 3, 1.5]; candidates 0 and 2 tie on max rank 1.5, the objective
  // breaks the tie: f = 3 vs 2 → candidate 2.
  const std::vector<double> f = {3.0, 1.0, 2.0};
  const std::vector<double> g = {-0.2, 0.5, 0.0};
  CHECK(find_best_candidate_index(f, g, 1) == 2);
  // Ranking objectives too: f ranks [3, 1, 2] → max ranks [3, 3, 2] → 2.
  CHECK(find_best_candidate_index(f, g, 1, true) == 2);
  // Two constraints pulling apart: violations [0.3, 0, 0.1] and [0, 0.4, 0.1]
  // → ranks [3, 1, 2] and [1, 3, 2] → max [3, 3, 2] → candidate 2.
  const std::vector<double> g2 = {0.3, 0.0, 0.1, 0.0, 0.4, 0.1};
  CHECK(find_best_candidate_index(f, g2, 2) == 2);
  CHECK_THROWS_AS(find_best_candidate_index(f, g2, 3), fairgate::error);
}
