// Objectives: a fairness penalty and its gradient over 10^7 rows, against one
// confusion pass over the same rows (the yardstick: within 3×), and one
// epoch of the reference logistic regression on Adult's shape.
//
// Bytes: the penalty's pass 1 reads f32 score + u8 label + u32 (or u8) group
// per row and writes the f64 slope (8 B); pass 2 reads the codes again and
// rewrites the gradient in place (8 B read + 8 B written). The confusion pass
// reads 6 B (f32, u8, u8).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include <fairgate/metrics/accumulate.hpp>
#include <fairgate/objectives/penalties.hpp>
#include <fairgate/rng/uniform.hpp>
#include <fairgate/train/trainer.hpp>

namespace fg = fairgate;

namespace {

constexpr std::size_t kRows = 10'000'000;
constexpr std::uint32_t kGroups = 8;

struct rows_data {
  std::vector<float> scores;
  std::vector<std::uint8_t> labels, groups8;
  std::vector<std::uint32_t> groups32;
  std::vector<double> grad;
  std::vector<float> grad32;
  rows_data() {
    fg::rng::stream s(1, fg::rng::purposes::test);
    scores.resize(kRows);
    labels.resize(kRows);
    groups8.resize(kRows);
    groups32.resize(kRows);
    grad.resize(kRows);
    grad32.resize(kRows);
    for (std::size_t i = 0; i < kRows; ++i) {
      scores[i] = 4.0f * fg::rng::uniform_float(s) - 2.0f;
      labels[i] = static_cast<std::uint8_t>(s.next_u32() & 1u);
      groups32[i] = fg::rng::bounded_u32(s, kGroups);
      groups8[i] = static_cast<std::uint8_t>(groups32[i]);
    }
  }
};

// iterations × a per-iteration count, without mixing signed and unsigned.
std::int64_t per_iteration(const benchmark::State& state, std::size_t count) {
  return static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(count);
}

const rows_data& data() {
  static const rows_data d;
  return d;
}

void BM_confusion_pass_1e7(benchmark::State& state) {
  const auto& d = data();
  for (auto _ : state) {
    fg::metrics::group_accumulator acc(kGroups);
    const fg::metrics::binary_inputs in{
        d.labels, fg::metrics::prediction_view::scores(d.scores, 0.0), d.groups8, kGroups};
    fg::metrics::accumulate(acc, in);
    benchmark::DoNotOptimize(acc);
  }
  state.SetItemsProcessed(per_iteration(state, kRows));
  state.SetBytesProcessed(per_iteration(state, kRows * 6));
}
BENCHMARK(BM_confusion_pass_1e7)->Unit(benchmark::kMillisecond);

void BM_penalty_with_gradient_1e7(benchmark::State& state) {
  auto& d = const_cast<rows_data&>(data());
  fg::objectives::penalty_options opt;
  opt.relax.kind = static_cast<fg::objectives::relaxation_kind>(state.range(0));
  for (auto _ : state) {
    const auto r = fg::objectives::demographic_parity(
        fg::objectives::penalty_inputs<float>{d.scores, d.labels, d.groups32, {}, kGroups}, opt,
        std::span<double>(d.grad));
    benchmark::DoNotOptimize(r.value);
  }
  state.SetLabel(state.range(0) == 0 ? "sigmoid" : state.range(0) == 1 ? "hinge" : "softplus");
  state.SetItemsProcessed(per_iteration(state, kRows));
}
BENCHMARK(BM_penalty_with_gradient_1e7)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

// Demographic parity over u8 group codes (the layout the confusion pass
// reads) into a gradient of type Grad, relaxation state.range(0).
template <class Grad>
void run_dp_u8_groups(benchmark::State& state, std::span<Grad> grad, std::size_t bytes_per_row) {
  const auto& d = data();
  fg::objectives::penalty_options opt;
  opt.relax.kind = static_cast<fg::objectives::relaxation_kind>(state.range(0));
  for (auto _ : state) {
    const auto r = fg::objectives::demographic_parity(
        fg::objectives::penalty_inputs<float, std::uint8_t>{
            d.scores, d.labels, d.groups8, {}, kGroups},
        opt, grad);
    benchmark::DoNotOptimize(r.value);
  }
  state.SetLabel(state.range(0) == 0 ? "sigmoid" : state.range(0) == 1 ? "hinge" : "softplus");
  state.SetItemsProcessed(per_iteration(state, kRows));
  state.SetBytesProcessed(per_iteration(state, kRows * bytes_per_row));
}

// f32 scores, f64 gradient: the f64 kernel. Bytes per row: pass 1 reads 6
// (f32, u8, u8) and writes the 8-byte slope; pass 2 reads the slope and the
// code (9) and writes 8: 31 in all.
void BM_penalty_with_gradient_1e7_u8_groups(benchmark::State& state) {
  run_dp_u8_groups(state, std::span<double>(const_cast<rows_data&>(data()).grad), 31);
}
BENCHMARK(BM_penalty_with_gradient_1e7_u8_groups)
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond);

// f32 scores with an f32 gradient: the single-precision kernel
// (penalty_kernel_f32.hpp). Bytes per row: pass 1 reads 6 (f32, u8, u8) and
// writes nothing; pass 2 reads the score and the code again (5; demographic
// parity's slope and slot do not use the label, so it is not loaded) and
// writes the 4-byte gradient with streaming stores: 15 in all.
void BM_penalty_f32_gradient_1e7_u8_groups(benchmark::State& state) {
  run_dp_u8_groups(state, std::span<float>(const_cast<rows_data&>(data()).grad32), 15);
}
BENCHMARK(BM_penalty_f32_gradient_1e7_u8_groups)
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond);

// The f32 kernel's two passes timed apart (demographic parity's slots), to
// show where the time goes.
void BM_f32_kernel_pass1_1e7(benchmark::State& state) {
  const auto& d = data();
  const fg::objectives::penalty_inputs<float, std::uint8_t> in{
      d.scores, d.labels, d.groups8, {}, kGroups};
  const fg::objectives::row_fn_f32 f{static_cast<fg::objectives::row_kind_f32>(state.range(0)),
                                     1.0f};
  for (auto _ : state) {
    auto sums = fg::objectives::detail::f32_pass1(in, fg::objectives::detail::slot_mode::all, f);
    benchmark::DoNotOptimize(sums);
  }
  state.SetLabel(state.range(0) == 0 ? "sigmoid" : state.range(0) == 1 ? "hinge" : "softplus");
}
BENCHMARK(BM_f32_kernel_pass1_1e7)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

void BM_f32_kernel_pass2_1e7(benchmark::State& state) {
  auto& d = const_cast<rows_data&>(data());
  const fg::objectives::penalty_inputs<float, std::uint8_t> in{
      d.scores, d.labels, d.groups8, {}, kGroups};
  const fg::objectives::row_fn_f32 f{static_cast<fg::objectives::row_kind_f32>(state.range(0)),
                                     1.0f};
  const std::vector<double> factor{0.1, -0.2, 0.3, -0.4, 0.5, -0.6, 0.7, -0.8, 0.0};
  for (auto _ : state) {
    fg::objectives::detail::f32_pass2(in, fg::objectives::detail::slot_mode::all, f, factor,
                                      std::span<float>(d.grad32));
    benchmark::ClobberMemory();
  }
  state.SetLabel(state.range(0) == 0 ? "sigmoid" : state.range(0) == 1 ? "hinge" : "softplus");
}
BENCHMARK(BM_f32_kernel_pass2_1e7)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

// Equalized odds (16 slots: label × 8 groups), f32 kernel, sigmoid.
void BM_equalized_odds_f32_gradient_1e7_u8_groups(benchmark::State& state) {
  auto& d = const_cast<rows_data&>(data());
  const fg::objectives::penalty_options opt;
  for (auto _ : state) {
    const auto r = fg::objectives::equalized_odds(
        fg::objectives::penalty_inputs<float, std::uint8_t>{
            d.scores, d.labels, d.groups8, {}, kGroups},
        opt, fg::objectives::odds_aggregate::worst_case, std::span<float>(d.grad32));
    benchmark::DoNotOptimize(r.value);
  }
  state.SetItemsProcessed(per_iteration(state, kRows));
}
BENCHMARK(BM_equalized_odds_f32_gradient_1e7_u8_groups)->Unit(benchmark::kMillisecond);

// One epoch of logistic regression (Adam, batch 256) on Adult's shape:
// 32,561 rows × 108 features (as examples/adult_mitigation encodes it).
void BM_logistic_epoch_adult_shape(benchmark::State& state) {
  constexpr std::size_t rows = 32561, cols = 108;
  static std::vector<double> x;
  static std::vector<std::uint8_t> y;
  if (x.empty()) {
    fg::rng::stream s(2, fg::rng::purposes::test);
    x.resize(rows * cols);
    y.resize(rows);
    for (auto& v : x) v = fg::rng::uniform_double(s) - 0.5;
    for (std::size_t i = 0; i < rows; ++i) y[i] = x[i * cols] + 0.3 * x[i * cols + 1] > 0 ? 1 : 0;
  }
  const fg::train::dataset_view d{x, rows, cols, y, {}, {}, 0};
  fg::train::feedforward m(cols, {});
  m.initialize(1);
  fg::train::fit_options opt;
  opt.epochs = 1;
  for (auto _ : state) {
    fg::train::fit(m, d, opt);
    benchmark::DoNotOptimize(m.layers()[0].weight.data());
  }
  state.SetItemsProcessed(per_iteration(state, rows));
}
BENCHMARK(BM_logistic_epoch_adult_shape)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
