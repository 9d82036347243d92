// The converged L2 logistic regression (train/logistic_newton.hpp): hand-solved
// optima, optimality, weights, warm starts, determinism and errors. The
// comparison with scikit-learn is tests/train/logistic_newton_vs_sklearn.py.
#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <fairgate/rng/permutation.hpp>
#include <fairgate/rng/stream.hpp>
#include <fairgate/rng/uniform.hpp>
#include <fairgate/train/logistic_newton.hpp>

using namespace fairgate;
using Catch::Matchers::Contains;

namespace {

struct problem {
  std::vector<double> x;
  std::vector<std::uint8_t> y;
  std::vector<double> w;
  std::size_t rows = 0, cols = 0;

  [[nodiscard]] train::dataset_view view(bool weighted = true) const {
    return {x,  rows, cols, y, weighted ? std::span<const double>(w) : std::span<const double>(),
            {}, 0};
  }
};

// Rows with 3 dense features and a one-hot block of 4 columns (collinear with
// the intercept, as Adult's one-hot blocks), labels drawn from a logistic
// model, integer weights 0..3.
problem make_problem(std::size_t rows, std::uint64_t seed) {
  rng::stream s(seed, rng::purposes::test);
  problem p;
  p.rows = rows;
  p.cols = 7;
  for (std::size_t i = 0; i < rows; ++i) {
    double logit = -0.3;
    for (int j = 0; j < 3; ++j) {
      const double v = 4.0 * rng::uniform_double(s) - 2.0;
      p.x.push_back(v);
      logit += (j == 0 ? 1.5 : -0.7) * v;
    }
    const auto cat = static_cast<std::size_t>(4.0 * rng::uniform_double(s));
    for (std::size_t c = 0; c < 4; ++c) p.x.push_back(c == cat ? 1.0 : 0.0);
    logit += 0.4 * static_cast<double>(cat);
    p.y.push_back(rng::uniform_double(s) < 1.0 / (1.0 + std::exp(-logit)) ? 1 : 0);
    p.w.push_back(std::floor(4.0 * rng::uniform_double(s)));
  }
  return p;
}

double max_rel_diff(const train::logistic_model& a, const train::logistic_model& b) {
  double diff = std::abs(a.intercept - b.intercept), scale = std::abs(b.intercept);
  for (std::size_t j = 0; j < a.coef.size(); ++j) {
    diff = std::max(diff, std::abs(a.coef[j] - b.coef[j]));
    scale = std::max(scale, std::abs(b.coef[j]));
  }
  return diff / std::max(1.0, scale);
}

}  // namespace

TEST_CASE("an intercept-only model fits the log-odds of the weighted positive rate",
          "[train][newton]") {
  // f(β, b) = C Σ w ℓ(b, y) + ½β² with an all-zero feature: ∂f/∂β = β, so
  // β = 0; ∂f/∂b = C Σ w (σ(b) − y) = 0 gives σ(b) = Σ w y / Σ w.
  // Unweighted, labels 1, 1, 1, 0: σ(b) = 3/4, b = log 3.
  const std::vector<double> x = {0, 0, 0, 0};
  const std::vector<std::uint8_t> y = {1, 1, 1, 0};
  const auto fit = train::fit_logistic_newton({x, 4, 1, y, {}, {}, 0});
  CHECK(fit.converged);
  CHECK(fit.model.coef[0] == 0.0);
  CHECK(fit.model.intercept == Approx(std::log(3.0)).epsilon(1e-12));
  // Weighted, labels 1, 0 with weights 3, 1: the same σ(b) = 3/4.
  const std::vector<double> x2 = {0, 0};
  const std::vector<std::uint8_t> y2 = {1, 0};
  const std::vector<double> w2 = {3, 1};
  const auto fit2 = train::fit_logistic_newton({x2, 2, 1, y2, w2, {}, 0});
  CHECK(fit2.model.intercept == Approx(std::log(3.0)).epsilon(1e-12));
}

TEST_CASE("a symmetric one-feature problem solves beta (1 + e^beta) = 2C", "[train][newton]") {
  // Rows (x = 1, y = 1) and (x = −1, y = 0). At b = 0, ∂f/∂b =
  // C (σ(β) − 1 + σ(−β)) = 0, so b = 0 by symmetry, and
  // ∂f/∂β = C [(σ(β) − 1) − σ(−β)] + β = −2C σ(−β) + β = 0, i.e.
  // β (1 + e^β) = 2C. With C = (1 + e)/2 the unique root is β = 1.
  const std::vector<double> x = {1, -1};
  const std::vector<std::uint8_t> y = {1, 0};
  train::newton_options opt;
  opt.C = (1.0 + std::exp(1.0)) / 2.0;
  const auto fit = train::fit_logistic_newton({x, 2, 1, y, {}, {}, 0}, opt);
  CHECK(fit.converged);
  CHECK(fit.model.coef[0] == Approx(1.0).epsilon(1e-12));
  CHECK(std::abs(fit.model.intercept) < 1e-12);
  // Without an intercept the same β (b = 0 was optimal anyway), and b stays 0.
  opt.fit_intercept = false;
  const auto no_b = train::fit_logistic_newton({x, 2, 1, y, {}, {}, 0}, opt);
  CHECK(no_b.model.coef[0] == Approx(1.0).epsilon(1e-12));
  CHECK(no_b.model.intercept == 0.0);
}

TEST_CASE("the fit is a stationary point of sklearn's objective", "[train][newton]") {
  // The gradient C Σ w (σ(z) − y)(x, 1) + (β, 0), recomputed here in long
  // double with the C library's exp, independently of the solver.
  const auto p = make_problem(500, 11);
  for (double C : {0.01, 1.0, 100.0}) {
    train::newton_options opt;
    opt.C = C;
    const auto fit = train::fit_logistic_newton(p.view(), opt);
    REQUIRE(fit.converged);
    std::vector<long double> g(p.cols + 1, 0.0L);
    for (std::size_t i = 0; i < p.rows; ++i) {
      long double z = fit.model.intercept;
      for (std::size_t j = 0; j < p.cols; ++j) z += p.x[i * p.cols + j] * fit.model.coef[j];
      const long double r = 1.0L / (1.0L + std::exp(-z)) - p.y[i];
      for (std::size_t j = 0; j < p.cols; ++j) g[j] += C * p.w[i] * r * p.x[i * p.cols + j];
      g[p.cols] += C * p.w[i] * r;
    }
    for (std::size_t j = 0; j < p.cols; ++j) g[j] += fit.model.coef[j];
    for (std::size_t j = 0; j <= p.cols; ++j) {
      INFO("C = " << C << ", component " << j);
      CHECK(std::abs(static_cast<double>(g[j])) < 1e-9 * std::max(1.0, C * 500.0));
    }
    CHECK(fit.max_abs_gradient < 1e-9 * std::max(1.0, C * 500.0));
  }
}

TEST_CASE("integer sample weights act as duplicated rows and zero weights as removed rows",
          "[train][newton]") {
  const auto p = make_problem(400, 12);
  problem dup;
  dup.cols = p.cols;
  for (std::size_t i = 0; i < p.rows; ++i) {
    for (int k = 0; k < static_cast<int>(p.w[i]); ++k) {
      dup.x.insert(dup.x.end(), p.x.begin() + static_cast<std::ptrdiff_t>(i * p.cols),
                   p.x.begin() + static_cast<std::ptrdiff_t>((i + 1) * p.cols));
      dup.y.push_back(p.y[i]);
      ++dup.rows;
    }
  }
  const auto weighted = train::fit_logistic_newton(p.view(true));
  const auto duplicated = train::fit_logistic_newton(dup.view(false));
  REQUIRE(weighted.converged);
  REQUIRE(duplicated.converged);
  // Same objective, summed in a different order: equal up to rounding.
  CHECK(max_rel_diff(weighted.model, duplicated.model) < 1e-10);
  CHECK(weighted.objective == Approx(duplicated.objective).epsilon(1e-12));
}

TEST_CASE("row order changes the optimum only by rounding", "[train][newton]") {
  const auto p = make_problem(300, 13);
  rng::stream s(5, rng::purposes::test);
  std::vector<std::size_t> perm(p.rows);
  for (std::size_t i = 0; i < p.rows; ++i) perm[i] = i;
  rng::shuffle(s, perm);
  problem q = p;
  for (std::size_t i = 0; i < p.rows; ++i) {
    for (std::size_t j = 0; j < p.cols; ++j) q.x[i * p.cols + j] = p.x[perm[i] * p.cols + j];
    q.y[i] = p.y[perm[i]];
    q.w[i] = p.w[perm[i]];
  }
  const auto a = train::fit_logistic_newton(p.view());
  const auto b = train::fit_logistic_newton(q.view());
  CHECK(max_rel_diff(a.model, b.model) < 1e-10);
}

TEST_CASE("the same data and options give the same bits", "[train][newton]") {
  const auto p = make_problem(300, 14);
  const auto a = train::fit_logistic_newton(p.view());
  const auto b = train::fit_logistic_newton(p.view());
  REQUIRE(a.model.coef.size() == b.model.coef.size());
  for (std::size_t j = 0; j < a.model.coef.size(); ++j)
    CHECK(std::bit_cast<std::uint64_t>(a.model.coef[j]) ==
          std::bit_cast<std::uint64_t>(b.model.coef[j]));
  CHECK(std::bit_cast<std::uint64_t>(a.model.intercept) ==
        std::bit_cast<std::uint64_t>(b.model.intercept));
  CHECK(a.iterations == b.iterations);
}

TEST_CASE("a warm start at the optimum stops after one step and one elsewhere reaches it",
          "[train][newton]") {
  const auto p = make_problem(300, 15);
  const auto cold = train::fit_logistic_newton(p.view());
  REQUIRE(cold.converged);
  const auto again = train::fit_logistic_newton(p.view(), {}, cold.model);
  CHECK(again.converged);
  CHECK(again.iterations == 1);
  CHECK(max_rel_diff(again.model, cold.model) < 1e-12);
  train::logistic_model far{std::vector<double>(p.cols, 3.0), -4.0};
  const auto from_far = train::fit_logistic_newton(p.view(), {}, far);
  CHECK(from_far.converged);
  CHECK(max_rel_diff(from_far.model, cold.model) < 1e-9);
}

TEST_CASE("running out of iterations is reported, with a model better than the start",
          "[train][newton]") {
  // At β = 0, b = 0 every row's loss is log 2: f(0) = C Σ w log 2.
  const auto p = make_problem(300, 16);
  train::newton_options opt;
  opt.max_iter = 1;
  const auto fit = train::fit_logistic_newton(p.view(), opt);
  CHECK_FALSE(fit.converged);
  CHECK(fit.iterations == 1);
  double total_w = 0;
  for (double w : p.w) total_w += w;
  CHECK(fit.objective < total_w * std::log(2.0));
}

TEST_CASE("decision_function is x times coef plus intercept", "[train][newton]") {
  // Row (3, 1) with coef (1, −2), intercept 0.5: 3 − 2 + 0.5 = 1.5; row (0, 0): 0.5.
  const train::logistic_model m{{1.0, -2.0}, 0.5};
  const std::vector<double> x = {3, 1, 0, 0};
  std::vector<double> s(2);
  train::decision_function(m, x, 2, s);
  CHECK(s[0] == 1.5);
  CHECK(s[1] == 0.5);
  std::vector<double> wrong(3);
  CHECK_THROWS_WITH(train::decision_function(m, x, 2, wrong), Contains("scores has 3"));
  CHECK_THROWS_WITH(train::decision_function(m, x, 3, s), Contains("features has 4 values"));
}

TEST_CASE("bad input is an error that names the problem", "[train][newton]") {
  const std::vector<double> x = {0.5, -1.0, 2.0};
  const std::vector<std::uint8_t> y = {1, 0, 1};
  const std::vector<double> w = {1, 1, 1};
  const train::dataset_view ok{x, 3, 1, y, w, {}, 0};
  train::newton_options opt;

  const std::vector<std::uint8_t> bad_y = {1, 2, 0};
  CHECK_THROWS_WITH(train::fit_logistic_newton({x, 3, 1, bad_y, {}, {}, 0}),
                    Contains("labels[1] = 2"));
  const std::vector<double> nan_x = {0.5, std::numeric_limits<double>::quiet_NaN(), 2.0};
  CHECK_THROWS_WITH(train::fit_logistic_newton({nan_x, 3, 1, y, {}, {}, 0}),
                    Contains("features[1, 0]"));
  const std::vector<double> neg_w = {1, -1, 1};
  CHECK_THROWS_WITH(train::fit_logistic_newton({x, 3, 1, y, neg_w, {}, 0}), Contains("weights[1]"));
  CHECK_THROWS_WITH(train::fit_logistic_newton({x, 2, 1, y, {}, {}, 0}), Contains("features has"));
  CHECK_THROWS_WITH(train::fit_logistic_newton({{}, 0, 1, {}, {}, {}, 0}), Contains("no rows"));

  opt.C = 0.0;
  CHECK_THROWS_WITH(train::fit_logistic_newton(ok, opt), Contains("C must be finite"));
  opt.C = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(train::fit_logistic_newton(ok, opt), Contains("C must be finite"));
  opt = {};
  opt.tol = -1.0;
  CHECK_THROWS_WITH(train::fit_logistic_newton(ok, opt), Contains("tol"));
  opt = {};
  opt.max_iter = 0;
  CHECK_THROWS_WITH(train::fit_logistic_newton(ok, opt), Contains("max_iter"));
  opt = {};

  CHECK_THROWS_WITH(train::fit_logistic_newton(ok, opt, {{1.0, 2.0}, 0.0}),
                    Contains("2 coefficients for 1 feature columns"));
  CHECK_THROWS_WITH(
      train::fit_logistic_newton(ok, opt, {{std::numeric_limits<double>::infinity()}, 0.0}),
      Contains("coef[0] is not finite"));
  opt.fit_intercept = false;
  CHECK_THROWS_WITH(train::fit_logistic_newton(ok, opt, {{0.0}, 1.0}),
                    Contains("fit_intercept is false"));
  opt = {};

  // One class only: with an intercept, b → +∞ (no finite minimiser).
  const std::vector<std::uint8_t> ones = {1, 1, 1};
  CHECK_THROWS_WITH(train::fit_logistic_newton({x, 3, 1, ones, {}, {}, 0}), Contains("label 1"));
  // Weight only on the positive rows is the same situation.
  const std::vector<double> w_pos = {1, 0, 1};
  CHECK_THROWS_WITH(train::fit_logistic_newton({x, 3, 1, y, w_pos, {}, 0}), Contains("label 1"));
  const std::vector<double> zeros = {0, 0, 0};
  CHECK_THROWS_WITH(train::fit_logistic_newton({x, 3, 1, y, zeros, {}, 0}), Contains("sum to 0"));
  const std::vector<double> huge = {1e308, 1e308, 1e308};
  CHECK_THROWS_WITH(train::fit_logistic_newton({x, 3, 1, y, huge, {}, 0}), Contains("overflows"));
  // Without an intercept one class is fine: ½β² keeps β finite.
  opt.fit_intercept = false;
  CHECK(train::fit_logistic_newton({x, 3, 1, ones, {}, {}, 0}, opt).converged);
}
