// Exponentiated gradient: the behaviour fairlearn documents — the final
// randomized classifier's disparity ends within eps (+ slack) on the training
// data, at a bounded accuracy cost — plus reproducibility.
#include <catch2/catch.hpp>

#include <algorithm>

#include <vector>

#include <fairgate/mitigation/exponentiated_gradient.hpp>
#include <fairgate/rng/uniform.hpp>
#include <fairgate/train/trainer.hpp>

using namespace fairgate;

namespace {

struct biased_data {
  std::vector<double> x;  // rows × 3
  std::vector<std::uint8_t> y;
  std::vector<std::uint32_t> g;
  std::size_t rows = 0;
};

biased_data make_biased(std::size_t rows, std::uint64_t seed) {
  rng::stream s(seed, rng::purposes::test);
  biased_data d;
  d.rows = rows;
  for (std::size_t i = 0; i < rows; ++i) {
    const std::uint32_t grp = rng::uniform_double(s) < 0.35 ? 1 : 0;
    const double x0 = 2.0 * rng::uniform_double(s) - 1.0 + (grp ? 0.5 : 0.0);
    const double x1 = 2.0 * rng::uniform_double(s) - 1.0;
    d.x.insert(d.x.end(), {x0, x1, static_cast<double>(grp)});
    d.y.push_back(x0 + 0.4 * x1 + 0.4 * (rng::uniform_double(s) - 0.5) > 0.2 ? 1 : 0);
    d.g.push_back(grp);
  }
  return d;
}

// A warm-started weighted logistic regression as the oracle.
struct logistic_oracle {
  const biased_data& d;
  std::vector<train::feedforward> models;
  train::feedforward current{3, {}};

  explicit logistic_oracle(const biased_data& data) : d(data) { current.initialize(1); }

  mitigation::eg_learner learner() {
    return {[this](std::span<const std::uint8_t> y, std::span<const double> w) {
              train::fit_options opt;
              opt.epochs = 4;
              opt.learning_rate = 0.05;
              opt.seed = models.size();
              train::dataset_view v{d.x, d.rows, 3, y, w, {}, 0};
              train::fit(current, v, opt);
              models.push_back(current);
              return models.size() - 1;
            },
            [this](std::size_t id) { return predict(models[id], d); }};
  }

  static std::vector<std::uint8_t> predict(const train::feedforward& m, const biased_data& data) {
    std::vector<double> logits(data.rows);
    const std::vector<std::uint8_t> dummy(data.rows, 0);
    m.predict_logits(train::dataset_view{data.x, data.rows, 3, dummy, {}, {}, 0}, logits);
    std::vector<std::uint8_t> out(data.rows);
    for (std::size_t i = 0; i < data.rows; ++i) out[i] = logits[i] >= 0 ? 1 : 0;
    return out;
  }
};

double expected_dp_gap(const std::vector<double>& p, const biased_data& d) {
  double sel[2] = {0, 0}, n[2] = {0, 0};
  for (std::size_t i = 0; i < d.rows; ++i) {
    sel[d.g[i]] += p[i];
    n[d.g[i]] += 1;
  }
  return std::abs(sel[0] / n[0] - sel[1] / n[1]);
}

double expected_error(const std::vector<double>& p, const biased_data& d) {
  double e = 0;
  for (std::size_t i = 0; i < d.rows; ++i) e += d.y[i] ? 1 - p[i] : p[i];
  return e / static_cast<double>(d.rows);
}

}  // namespace

TEST_CASE("Exponentiated gradient with demographic parity ends near eps on the training data") {
  const auto d = make_biased(4000, 3);
  logistic_oracle oracle(d);
  const mitigation::eg_moment dp{mitigation::eg_moment_kind::demographic_parity, 0.02};
  const auto r = mitigation::exponentiated_gradient(d.y, d.g, 2, dp, oracle.learner(), {});

  std::vector<std::vector<std::uint8_t>> preds;
  for (auto id : r.classifier_ids) preds.push_back(logistic_oracle::predict(oracle.models[id], d));
  const auto p = mitigation::ensemble_probability(r, preds);
  // Baseline: the first, unconstrained best response.
  std::vector<double> p0(preds[0].begin(), preds[0].end());
  const double gap0 = expected_dp_gap(p0, d), gap = expected_dp_gap(p, d);
  INFO("unconstrained DP gap " << gap0 << " error " << expected_error(p0, d) << "; EG gap " << gap
                               << " error " << expected_error(p, d) << "; iterations "
                               << r.iterations << ", oracle calls " << r.oracle_calls
                               << ", best gap " << r.best_gap << " (nu " << r.nu << ")");
  CHECK(gap0 > 0.15);
  // Group-vs-overall constraints at eps bound the pairwise gap by 2 eps; allow
  // 0.01 for an oracle that is only warm-started for 4 epochs per call.
  CHECK(gap <= 2 * dp.eps + 0.01);
  CHECK(expected_error(p, d) < 0.3);
  double total = 0;
  for (double w : r.weights) total += w;
  CHECK(total == Approx(1.0).epsilon(1e-12));
}

TEST_CASE("Exponentiated gradient is reproducible bit for bit") {
  const auto d = make_biased(1500, 5);
  const mitigation::eg_moment eo{mitigation::eg_moment_kind::equalized_odds, 0.05};
  mitigation::eg_options opt;
  opt.max_iter = 8;
  logistic_oracle a(d), b(d);
  const auto ra = mitigation::exponentiated_gradient(d.y, d.g, 2, eo, a.learner(), opt);
  const auto rb = mitigation::exponentiated_gradient(d.y, d.g, 2, eo, b.learner(), opt);
  CHECK(ra.weights == rb.weights);
  CHECK(ra.gaps == rb.gaps);
  std::vector<std::vector<std::uint8_t>> preds;
  for (auto id : ra.classifier_ids) preds.push_back(logistic_oracle::predict(a.models[id], d));
  CHECK(mitigation::predict_ensemble(ra, preds, 9) == mitigation::predict_ensemble(ra, preds, 9));
}

TEST_CASE("Signed weights follow the reduction's cost difference") {
  // Two rows per group, DP, λ = (λ+_0, λ−_0, λ+_1, λ−_1) = (1, 0, 0, 0).
  // P(g0) = P(g1) = 1/2 → n·∂γ_{+,0}/∂h_i = 1/P(g0) − 1/P(all) = 2 − 1 = 1 for
  // group-0 rows and −1 for group-1 rows; sw = (2y − 1) − that.
  const std::vector<std::uint8_t> y = {1, 0, 1, 0};
  const std::vector<std::uint32_t> g = {0, 0, 1, 1};
  const mitigation::detail::eg_lagrangian lag(
      y, g, 2, {mitigation::eg_moment_kind::demographic_parity, 0.1});
  REQUIRE(lag.size() == 4);
  const std::vector<double> lambda = {1.0, 0.0, 0.0, 0.0};
  const auto sw = lag.signed_weights(lambda);
  CHECK(sw == std::vector<double>{0.0, -2.0, 2.0, 0.0});
  // γ for h = (1, 1, 0, 0): E[h|g0] − E[h] = 1 − 0.5 = 0.5.
  const std::vector<double> h = {1, 1, 0, 0};
  CHECK(lag.gamma(h) == std::vector<double>{0.5, -0.5, -0.5, 0.5});
}

TEST_CASE("The LP step keeps, each iteration, a mixture whose gap is at most the EG average's") {
  const auto d = make_biased(3000, 7);
  const mitigation::eg_moment dp{mitigation::eg_moment_kind::demographic_parity, 0.02};
  logistic_oracle with_lp(d), without_lp(d);
  mitigation::eg_options opt;
  const auto r = mitigation::exponentiated_gradient(d.y, d.g, 2, dp, with_lp.learner(), opt);
  opt.run_linprog_step = false;
  const auto r0 = mitigation::exponentiated_gradient(d.y, d.g, 2, dp, without_lp.learner(), opt);
  REQUIRE(r.gaps.size() == r.gaps_eg.size());
  std::size_t lp_kept = 0;
  for (std::size_t t = 0; t < r.gaps.size(); ++t) {
    CHECK(r.gaps[t] <= r.gaps_eg[t]);
    lp_kept += r.from_lp[t];
  }
  CHECK(r.lp_solves >= 1);
  CHECK(r0.lp_solves == 0);
  CHECK(std::all_of(r0.from_lp.begin(), r0.from_lp.end(), [](auto f) { return f == 0; }));
  // Both end within the training-data bound of the DP test above.
  std::vector<std::vector<std::uint8_t>> preds;
  for (auto id : r.classifier_ids) preds.push_back(logistic_oracle::predict(with_lp.models[id], d));
  const auto p = mitigation::ensemble_probability(r, preds);
  INFO("LP kept in " << lp_kept << " of " << r.iterations << " iterations; best gap " << r.best_gap
                     << " (LP: " << r.best_from_lp() << ") vs EG-only " << r0.best_gap
                     << "; DP gap " << expected_dp_gap(p, d));
  CHECK(expected_dp_gap(p, d) <= 2 * dp.eps + 0.01);
  double total = 0;
  for (double w : r.weights) total += w;
  CHECK(total == Approx(1.0).epsilon(1e-9));
}

TEST_CASE("The duality gap's Lagrangian nets each constraint's + and - multipliers") {
  // fairlearn's _eval with project_lambda. DP, y = (1, 0, 1, 0), g = (0, 0, 1, 1),
  // eps = 0.1, λ = (λ+_0, λ−_0, λ+_1, λ−_1) = (0.3, 0.1, 0, 0.2).
  // Projected: group 0 nets 0.3 − 0.1 = 0.2 → (0.2, 0); group 1 nets 0 − 0.2 → (0, 0.2).
  // h = (1, 1, 0, 0): err = 2/4 = 0.5 (rows 1 and 2 wrong), γ = (0.5, −0.5, −0.5, 0.5)
  // (signed weights test above). L = 0.5 + 0.2·(0.5 − 0.1) + 0.2·(0.5 − 0.1) = 0.66,
  // where the unprojected λ would give 0.5 + 0.3·0.4 + 0.1·(−0.6) + 0.2·0.4 = 0.64.
  const std::vector<std::uint8_t> y = {1, 0, 1, 0};
  const std::vector<std::uint32_t> g = {0, 0, 1, 1};
  const mitigation::detail::eg_lagrangian lag(
      y, g, 2, {mitigation::eg_moment_kind::demographic_parity, 0.1});
  const std::vector<double> lambda = {0.3, 0.1, 0.0, 0.2};
  const auto p = lag.project(lambda);
  CHECK(p[0] == Approx(0.2).margin(1e-15));
  CHECK(p[1] == 0.0);
  CHECK(p[2] == 0.0);
  CHECK(p[3] == 0.2);
  const std::vector<double> h = {1, 1, 0, 0};
  CHECK(lag.lagrangian(lag.error(h), lag.gamma(h), lambda) == Approx(0.66).margin(1e-14));
}

TEST_CASE("Bounded group loss keeps its one-sided multipliers unprojected") {
  // One constraint per group (no − side), so fairlearn's BoundedGroupLoss
  // returns λ as is: L = err + Σ_j λ_j (γ_j − ζ). y = (1, 0, 1, 0),
  // g = (0, 0, 1, 1), h = (1, 1, 0, 0): group 0 loss 1/2, group 1 loss 1/2,
  // err 1/2; ζ = 0.2, λ = (0.3, 0.1): L = 0.5 + 0.3·0.3 + 0.1·0.3 = 0.62.
  const std::vector<std::uint8_t> y = {1, 0, 1, 0};
  const std::vector<std::uint32_t> g = {0, 0, 1, 1};
  const mitigation::detail::eg_lagrangian lag(
      y, g, 2, {mitigation::eg_moment_kind::bounded_group_loss, 0.2});
  REQUIRE(lag.size() == 2);
  const std::vector<double> lambda = {0.3, 0.1};
  CHECK(lag.project(lambda) == lambda);
  const std::vector<double> h = {1, 1, 0, 0};
  CHECK(lag.lagrangian(lag.error(h), lag.gamma(h), lambda) == Approx(0.62).margin(1e-14));
}

TEST_CASE("Projecting the multipliers keeps Σλγ and never lowers the Lagrangian") {
  const auto d = make_biased(300, 11);
  rng::stream s(12, rng::purposes::test);
  for (auto kind :
       {mitigation::eg_moment_kind::demographic_parity, mitigation::eg_moment_kind::equalized_odds,
        mitigation::eg_moment_kind::error_rate_parity}) {
    const mitigation::detail::eg_lagrangian lag(d.y, d.g, 2, {kind, 0.05});
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<double> lambda(lag.size()), h(d.rows);
      for (double& v : lambda) v = 10.0 * rng::uniform_double(s);
      for (double& v : h) v = rng::uniform_double(s);
      const auto p = lag.project(lambda);
      const auto gamma = lag.gamma(h);
      double raw = lag.error(h), dot_raw = 0.0, dot_p = 0.0;
      for (std::size_t j = 0; j < lag.size(); ++j) {
        raw += lambda[j] * (gamma[j] - 0.05);
        dot_raw += lambda[j] * gamma[j];
        dot_p += p[j] * gamma[j];
        CHECK(p[j] >= 0.0);
        if (j % 2 == 1) CHECK(p[j - 1] * p[j] == 0.0);  // at most one side of a pair
      }
      CHECK(dot_p == Approx(dot_raw).margin(1e-9));
      CHECK(lag.lagrangian(lag.error(h), gamma, lambda) >= raw - 1e-12);
    }
  }
}
