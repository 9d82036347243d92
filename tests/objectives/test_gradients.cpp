// Finite-difference checks of every penalty's gradient, in f64, on random
// inputs with many groups: dV/ds_i ≈ (V(s + h e_i) − V(s − h e_i)) / 2h.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <vector>

#include <fairgate/objectives/penalties.hpp>

#include "random_inputs.hpp"

using namespace fairgate::objectives;

namespace {

using penalty_fn = std::function<double(const penalty_inputs<double>&, std::span<double>)>;

// Checks every coordinate; returns the worst relative error seen.
double worst_fd_error(random_problem p, bool weighted, const penalty_fn& f) {
  const auto inputs = [&](const random_problem& q) {
    return penalty_inputs<double>{
        q.scores, q.labels, q.groups,
        weighted ? std::span<const double>(q.weights) : std::span<const double>(), q.n_groups};
  };
  std::vector<double> grad(p.scores.size()), scratch(p.scores.size());
  f(inputs(p), grad);
  double worst = 0.0;
  const double h = 1e-5;
  for (std::size_t i = 0; i < p.scores.size(); ++i) {
    const double s0 = p.scores[i];
    p.scores[i] = s0 + h;
    const double up = f(inputs(p), scratch);
    p.scores[i] = s0 - h;
    const double down = f(inputs(p), scratch);
    p.scores[i] = s0;
    const double fd = (up - down) / (2 * h);
    // Relative error with a floor of 1e-3: central differences carry a round-off
    // of about eps·|V|/h (V reaches ~40 here: ~1e-9 absolute), which dominates
    // for small gradients. So the check is 1e-5 relative, or 1e-8 absolute.
    const double err = std::abs(fd - grad[i]) / std::max(1e-3, std::abs(fd) + std::abs(grad[i]));
    worst = std::max(worst, err);
  }
  return worst;
}

}  // namespace

TEST_CASE("Every penalty's gradient matches central finite differences") {
  const bool weighted = GENERATE(false, true);
  const auto form = GENERATE(gap_form::max_minus_min, gap_form::max_abs_to_overall,
                             gap_form::sum_squared_to_overall, gap_form::hinge_squared_to_overall);
  const auto kind = GENERATE(relaxation_kind::sigmoid, relaxation_kind::softplus);
  penalty_options opt;
  opt.form = form;
  opt.tolerance = 0.01;
  opt.relax = {kind, 0.7};
  const auto problem = make_problem(120, 12, 21);
  INFO("weighted=" << weighted << " form=" << static_cast<int>(form)
                   << " relaxation=" << static_cast<int>(kind));

  CHECK(worst_fd_error(problem, weighted, [&](const auto& in, std::span<double> g) {
          return demographic_parity(in, opt, g).value;
        }) < 1e-5);
  CHECK(worst_fd_error(problem, weighted, [&](const auto& in, std::span<double> g) {
          return equal_opportunity(in, opt, g).value;
        }) < 1e-5);
  for (auto agg : {odds_aggregate::worst_case, odds_aggregate::mean, odds_aggregate::sum}) {
    CHECK(worst_fd_error(problem, weighted, [&](const auto& in, std::span<double> g) {
            return equalized_odds(in, opt, agg, g).value;
          }) < 1e-5);
  }
  CHECK(worst_fd_error(problem, weighted, [&](const auto& in, std::span<double> g) {
          return calibration_gap(in, form, g).value;
        }) < 1e-5);
  CHECK(worst_fd_error(problem, weighted, [&](const auto& in, std::span<double> g) {
          return loss_equalisation(in, form, 0.01, g).value;
        }) < 1e-5);
}

TEST_CASE("Float scores with an f64 gradient give the f64 kernel's bits") {
  // (f32 scores with an f32 gradient run the f32 kernel: test_penalties_f32.cpp.)
  const auto p = make_problem(64, 3, 2);
  std::vector<float> sf(p.scores.begin(), p.scores.end());
  std::vector<double> sd(sf.begin(), sf.end());
  std::vector<double> gf(sf.size());
  std::vector<double> gd(sd.size());
  const penalty_options opt;
  const auto a = demographic_parity(penalty_inputs<float>{sf, p.labels, p.groups, {}, 3}, opt,
                                    std::span<double>(gf));
  const auto b = demographic_parity(penalty_inputs<double>{sd, p.labels, p.groups, {}, 3}, opt,
                                    std::span<double>(gd));
  CHECK(a.value == b.value);
  CHECK(gf == gd);
}
