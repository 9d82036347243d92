// Converged L2 logistic regression (train/logistic_newton.hpp) on Adult's
// training split as examples/adult_mitigation encodes it (32,561 × 108,
// "?" kept as a category), C = 1: the base model of the ThresholdOptimizer
// rows and the shape of a Fairlearn-style reduction oracle call.
//
// Items are rows per fit. The work per Newton step is one pass over the
// design's nonzeros (15 per row with the intercept) for the gradient and
// Σ_i nnz_i (nnz_i + 1) / 2 ≈ 120 multiply-adds per row for the Hessian, a
// 109 × 109 Cholesky factorisation, and 1–2 line-search passes. The peer is
// scikit-learn's LogisticRegression on the same matrix (bench/peers_train.py).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include <fairgate/io/adult.hpp>
#include <fairgate/io/encoder.hpp>
#include <fairgate/train/logistic_newton.hpp>

namespace fg = fairgate;

namespace {

struct adult_matrix {
  fg::io::encoded_matrix x;
  std::vector<std::uint8_t> y;
  std::vector<double> w;  // a fixed non-uniform reweighting, as an EG oracle call sees
  adult_matrix() {
    fg::io::adult_options ao;
    ao.missing = fg::io::adult_missing::as_category;
    const auto adult = fg::io::load_adult(ao);
    const auto enc =
        fg::io::feature_encoder::fit(adult.train.table, fg::io::adult_encoder_options());
    x = enc.transform(adult.train.table);
    y = adult.train.labels;
    w.resize(x.rows);
    for (std::size_t i = 0; i < x.rows; ++i) w[i] = 0.5 + static_cast<double>(i % 7) / 7.0;
  }
  [[nodiscard]] fg::train::dataset_view view(bool weighted) const {
    return {x.values,
            x.rows,
            x.cols,
            y,
            weighted ? std::span<const double>(w) : std::span<const double>(),
            {},
            0};
  }
};

const adult_matrix& adult() {
  static const adult_matrix m;
  return m;
}

// A cold fit from β = 0, b = 0: sklearn's LogisticRegression(C=1).fit.
void BM_newton_cold_adult(benchmark::State& state) {
  const auto& a = adult();
  std::size_t steps = 0;
  for (auto _ : state) {
    auto r = fg::train::fit_logistic_newton(a.view(false));
    steps = r.iterations;
    benchmark::DoNotOptimize(r.model.coef.data());
  }
  state.counters["newton_steps"] = static_cast<double>(steps);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(a.x.rows));
}
BENCHMARK(BM_newton_cold_adult)->Unit(benchmark::kMillisecond);

// A weighted fit warm-started from the unweighted optimum: one oracle call of
// a reduction whose weights moved since the previous call.
void BM_newton_warm_weighted_adult(benchmark::State& state) {
  const auto& a = adult();
  const auto start = fg::train::fit_logistic_newton(a.view(false)).model;
  std::size_t steps = 0;
  for (auto _ : state) {
    auto r = fg::train::fit_logistic_newton(a.view(true), {}, start);
    steps = r.iterations;
    benchmark::DoNotOptimize(r.model.coef.data());
  }
  state.counters["newton_steps"] = static_cast<double>(steps);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(a.x.rows));
}
BENCHMARK(BM_newton_warm_weighted_adult)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
