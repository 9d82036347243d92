// Score-based metrics: ROC AUC for all groups, threshold sweep vs one
// confusion pass, calibration (raw scores, and the accumulator's mergeable
// score statistics), log-loss / Brier.
//
// Data: f32 scores in [0,1), u8 labels, u8 group codes (8 groups), the
// layout of the targets (6 bytes per row). Limits reported alongside:
//   BM_read_bandwidth        single-core STREAM-style read (sum of a 1 GiB buffer)
//   BM_confusion_pass_scalar one confusion pass at one threshold: a plain scalar
//                            scatter loop (no validation);
//   BM_confusion_pass_fairgate the same pass with fairgate's own kernel
//                            (metrics/accumulate.hpp: validated, AVX2 popcounts),
//                            the fastest one-threshold pass; the threshold
//                            sweep target is "<= 3x one confusion pass".
// Peers (sklearn per group) are timed by bench/peers_metrics_scores.py on the
// same sizes. Run:
//   build/<dir>/bench/bench_metrics_scores --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include <fairgate/metrics/accumulate.hpp>
#include <fairgate/metrics/accumulator_scores.hpp>
#include <fairgate/metrics/calibration.hpp>
#include <fairgate/metrics/confusion.hpp>
#include <fairgate/metrics/probabilistic.hpp>
#include <fairgate/metrics/roc.hpp>
#include <fairgate/metrics/threshold_sweep.hpp>
#include <fairgate/rng/stream.hpp>

namespace fm = fairgate::metrics;

namespace {

constexpr std::size_t n_groups = 8;

struct dataset {
  std::vector<float> score;
  std::vector<std::uint8_t> label;
  std::vector<std::uint8_t> group;
  std::vector<double> weight;
};

// Same generator as bench/peers_metrics_scores.py is NOT required (timings,
// not values, are compared); the distribution is: score uniform in [0,1)
// rounded to f32, label ~ Bernoulli(0.25 + 0.5 score), group uniform in 0..7.
const dataset& data(std::size_t n) {
  static std::map<std::size_t, dataset> cache;
  auto it = cache.find(n);
  if (it != cache.end()) return it->second;
  dataset d;
  d.score.resize(n);
  d.label.resize(n);
  d.group.resize(n);
  d.weight.resize(n);
  fairgate::rng::stream s(2026, fairgate::rng::purposes::test, 1);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t a = s.next_u64();
    const std::uint32_t b = s.next_u32();
    const double u = static_cast<double>(a >> 11) * 0x1p-53;
    d.score[i] = static_cast<float>(u);
    if (d.score[i] >= 1.0f) d.score[i] = 0.99999994f;
    d.label[i] = static_cast<double>(b) * 0x1p-32 < 0.25 + 0.5 * u ? 1 : 0;
    d.group[i] = static_cast<std::uint8_t>(a & 7u);
    d.weight[i] = 0.5 + static_cast<double>((a >> 3) & 0xffu) / 128.0;
  }
  return cache.emplace(n, std::move(d)).first->second;
}

void set_rows(benchmark::State& state, std::size_t n, std::size_t bytes_per_row) {
  const auto it = static_cast<std::size_t>(state.iterations());
  state.SetItemsProcessed(static_cast<std::int64_t>(it * n));
  state.SetBytesProcessed(static_cast<std::int64_t>(it * n * bytes_per_row));
}

void BM_read_bandwidth(benchmark::State& state) {
  const std::size_t n = std::size_t{1} << 27;  // 2^27 u64 = 1 GiB
  static std::vector<std::uint64_t> buf(n, 1);
  for (auto _ : state) {
    std::uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (std::size_t i = 0; i < n; i += 4) {
      a0 += buf[i];
      a1 += buf[i + 1];
      a2 += buf[i + 2];
      a3 += buf[i + 3];
    }
    benchmark::DoNotOptimize(a0 + a1 + a2 + a3);
  }
  state.SetBytesProcessed(
      static_cast<std::int64_t>(static_cast<std::size_t>(state.iterations()) * n * 8));
}
BENCHMARK(BM_read_bandwidth)->Unit(benchmark::kMillisecond);

void BM_auc_all_groups(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const dataset& d = data(n);
  for (auto _ : state) {
    auto r = fm::roc_auc(std::span<const float>(d.score), std::span<const std::uint8_t>(d.label),
                         std::span<const std::uint8_t>(d.group), n_groups);
    benchmark::DoNotOptimize(r.overall.auc);
  }
  set_rows(state, n, 6);
}
BENCHMARK(BM_auc_all_groups)->Arg(1'000'000)->Arg(10'000'000)->Unit(benchmark::kMillisecond);

void BM_auc_all_groups_weighted(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const dataset& d = data(n);
  for (auto _ : state) {
    auto r = fm::roc_auc(std::span<const float>(d.score), std::span<const std::uint8_t>(d.label),
                         std::span<const std::uint8_t>(d.group), n_groups,
                         std::span<const double>(d.weight));
    benchmark::DoNotOptimize(r.overall.auc);
  }
  set_rows(state, n, 14);
}
BENCHMARK(BM_auc_all_groups_weighted)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// Reference: one confusion pass at threshold 0.5, scalar loop, no validation.
void BM_confusion_pass_scalar(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const dataset& d = data(n);
  for (auto _ : state) {
    std::array<std::uint64_t, n_groups * 4> cells{};
    const float* s = d.score.data();
    const std::uint8_t* y = d.label.data();
    const std::uint8_t* g = d.group.data();
    for (std::size_t i = 0; i < n; ++i) {
      ++cells[static_cast<std::size_t>(g[i]) * 4 + static_cast<std::size_t>(y[i]) * 2 +
              (s[i] >= 0.5f ? 1u : 0u)];
    }
    benchmark::DoNotOptimize(cells);
  }
  set_rows(state, n, 6);
}
BENCHMARK(BM_confusion_pass_scalar)->Arg(100'000'000)->Unit(benchmark::kMillisecond);

void BM_confusion_pass_fairgate(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const dataset& d = data(n);
  fm::binary_inputs in;
  in.y_true = std::span<const std::uint8_t>(d.label);
  in.y_pred = fm::prediction_view::scores(std::span<const float>(d.score), 0.5);
  in.groups = fm::code_view(std::span<const std::uint8_t>(d.group));
  in.n_groups = n_groups;
  for (auto _ : state) {
    auto acc = fm::accumulate(in, fm::accumulate_options{});
    benchmark::DoNotOptimize(acc.counts(0).tp);
  }
  set_rows(state, n, 6);
}
BENCHMARK(BM_confusion_pass_fairgate)->Arg(100'000'000)->Unit(benchmark::kMillisecond);

void BM_threshold_sweep(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto k = static_cast<std::size_t>(state.range(1));
  const dataset& d = data(n);
  std::vector<double> grid(k);
  for (std::size_t j = 0; j < k; ++j) grid[j] = static_cast<double>(j) / static_cast<double>(k);
  for (auto _ : state) {
    auto r = fm::threshold_sweep(
        std::span<const float>(d.score), std::span<const std::uint8_t>(d.label),
        std::span<const std::uint8_t>(d.group), n_groups, std::span<const double>(grid));
    benchmark::DoNotOptimize(r.counts.data());
  }
  set_rows(state, n, 6);
}
BENCHMARK(BM_threshold_sweep)
    ->Args({100'000'000, 100})
    ->Args({1'000'000, 100})
    ->Unit(benchmark::kMillisecond);

void BM_calibration(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto strategy = state.range(1) == 0 ? fm::binning::uniform : fm::binning::quantile;
  const dataset& d = data(n);
  for (auto _ : state) {
    auto r =
        fm::calibration(std::span<const float>(d.score), std::span<const std::uint8_t>(d.label),
                        std::span<const std::uint8_t>(d.group), n_groups, 10, strategy);
    benchmark::DoNotOptimize(r.overall.ece);
  }
  set_rows(state, n, 6);
}
BENCHMARK(BM_calibration)
    ->Args({1'000'000, 0})
    ->Args({1'000'000, 1})
    ->Unit(benchmark::kMillisecond);

// One accumulate() pass into an accumulator that also keeps 10 calibration
// bins and a 100-bin score histogram per group (accumulator_scores.hpp): the
// mergeable counterpart of BM_calibration/uniform. Args: rows, weighted.
void BM_accumulate_score_statistics(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const dataset& d = data(n);
  fm::binary_inputs in;
  in.y_true = std::span<const std::uint8_t>(d.label);
  in.y_pred = fm::prediction_view::scores(std::span<const float>(d.score), 0.5);
  in.groups = fm::code_view(std::span<const std::uint8_t>(d.group));
  in.n_groups = n_groups;
  if (state.range(1) != 0) in.weights = fm::real_view(std::span<const double>(d.weight));
  for (auto _ : state) {
    fm::group_accumulator acc(n_groups, {.calibration_bins = 10, .histogram_bins = 100});
    fm::accumulate(acc, in);
    benchmark::DoNotOptimize(acc.histogram_count(0, 0, 0));
  }
  set_rows(state, n, state.range(1) != 0 ? 14 : 6);
}
BENCHMARK(BM_accumulate_score_statistics)
    ->Args({1'000'000, 0})
    ->Args({1'000'000, 1})
    ->Unit(benchmark::kMillisecond);

void BM_log_loss(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const dataset& d = data(n);
  for (auto _ : state) {
    auto r = fm::log_loss(std::span<const float>(d.score), std::span<const std::uint8_t>(d.label),
                          std::span<const std::uint8_t>(d.group), n_groups);
    benchmark::DoNotOptimize(r.overall.value);
  }
  set_rows(state, n, 6);
}
BENCHMARK(BM_log_loss)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

void BM_brier(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const dataset& d = data(n);
  for (auto _ : state) {
    auto r =
        fm::brier_score(std::span<const float>(d.score), std::span<const std::uint8_t>(d.label),
                        std::span<const std::uint8_t>(d.group), n_groups);
    benchmark::DoNotOptimize(r.overall.value);
  }
  set_rows(state, n, 6);
}
BENCHMARK(BM_brier)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
