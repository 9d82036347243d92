// Uncertainty: Poisson bootstrap of per-group confusion counts (count-based,
// stratified, paired), the per-row Poisson(1) bootstrap it replaces, and the
// per-call cost of Fisher's exact test, exact McNemar and Wilson intervals.
//
// The count-based bootstrap reads no rows at all: its input is the 4 cells of
// each of 8 groups (32 numbers), so its cost is O(B · cells) whatever the row
// count; the benchmarks take the row count as an argument to show it. The
// target (issue 3) is 1000 replicates of every group's confusion counts over
// 10^6 rows in under 1 s per core. "rows_per_s" is the number of (row,
// replicate) pairs the per-row formulation would have to touch per second.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <span>
#include <vector>

#include <fairgate/metrics/confusion.hpp>
#include <fairgate/metrics/inputs.hpp>
#include <fairgate/rng/discrete.hpp>
#include <fairgate/rng/stream.hpp>
#include <fairgate/rng/uniform.hpp>
#include <fairgate/uncertainty/bootstrap.hpp>
#include <fairgate/uncertainty/mcnemar.hpp>
#include <fairgate/uncertainty/proportion_tests.hpp>
#include <fairgate/uncertainty/wilson.hpp>

namespace {

namespace u = fairgate::uncertainty;
namespace fm = fairgate::metrics;
using fm::confusion_counts;

constexpr std::uint32_t n_groups = 8;
constexpr std::uint32_t replicates = 1000;

// Per-group cells of `rows` rows split over 8 groups of unequal size, base rate
// 0.3, a classifier 80% accurate (deterministic, no RNG needed).
std::vector<confusion_counts> cells_for(std::uint64_t rows) {
  std::vector<confusion_counts> g(n_groups);
  std::uint64_t left = rows;
  for (std::uint32_t k = 0; k < n_groups; ++k) {
    const std::uint64_t n =
        k + 1 == n_groups ? left : rows >> (k + 1);  // 1/2, 1/4, ..., 1/128, 1/128
    left -= n;
    const std::uint64_t pos = n * 3 / 10;
    const std::uint64_t neg = n - pos;
    g[k].tp = pos * 8 / 10;
    g[k].fn = pos - g[k].tp;
    g[k].tn = neg * 8 / 10;
    g[k].fp = neg - g[k].tn;
  }
  return g;
}

// Demographic-parity difference (max - min selection rate over groups).
double dp_difference(std::span<const confusion_counts> g) {
  double lo = 2.0, hi = -1.0;
  for (const auto& c : g) {
    const double r = u::rate_of(c, u::rate::selection_rate);
    if (r < lo) lo = r;
    if (r > hi) hi = r;
  }
  return hi - lo;
}

void BM_bootstrap_counts_poisson(benchmark::State& state) {
  const auto rows = static_cast<std::uint64_t>(state.range(0));
  const auto g = cells_for(rows);
  u::bootstrap_options o;
  o.seed = 42;
  o.replicates = replicates;
  for (auto _ : state) {
    auto r = u::bootstrap_counts(std::span<const confusion_counts>(g), dp_difference, o);
    benchmark::DoNotOptimize(r.ci.lower);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * replicates);
  state.counters["rows_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * replicates * static_cast<double>(rows),
      benchmark::Counter::kIsRate);
}
BENCHMARK(BM_bootstrap_counts_poisson)
    ->Arg(10'000)
    ->Arg(1'000'000)
    ->Arg(100'000'000)
    ->Unit(benchmark::kMillisecond);

void BM_bootstrap_counts_stratified(benchmark::State& state) {
  const auto rows = static_cast<std::uint64_t>(state.range(0));
  const auto g = cells_for(rows);
  u::bootstrap_options o;
  o.seed = 42;
  o.replicates = replicates;
  o.method = u::resampling::stratified;
  for (auto _ : state) {
    auto r = u::bootstrap_counts(std::span<const confusion_counts>(g), dp_difference, o);
    benchmark::DoNotOptimize(r.ci.lower);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * replicates);
}
BENCHMARK(BM_bootstrap_counts_stratified)
    ->Arg(10'000)
    ->Arg(1'000'000)
    ->Arg(100'000'000)
    ->Unit(benchmark::kMillisecond);

void BM_paired_bootstrap_poisson(benchmark::State& state) {
  const auto rows = static_cast<std::uint64_t>(state.range(0));
  const auto base = cells_for(rows);
  std::vector<u::paired_cells> g(n_groups);
  for (std::uint32_t k = 0; k < n_groups; ++k) {
    // The candidate flips 2% of each baseline cell's rows.
    const auto& c = base[k];
    g[k].n[u::paired_cells::index(1, 1, 1)] = c.tp - c.tp / 50;
    g[k].n[u::paired_cells::index(1, 1, 0)] = c.tp / 50;
    g[k].n[u::paired_cells::index(1, 0, 0)] = c.fn - c.fn / 50;
    g[k].n[u::paired_cells::index(1, 0, 1)] = c.fn / 50;
    g[k].n[u::paired_cells::index(0, 1, 1)] = c.fp - c.fp / 50;
    g[k].n[u::paired_cells::index(0, 1, 0)] = c.fp / 50;
    g[k].n[u::paired_cells::index(0, 0, 0)] = c.tn - c.tn / 50;
    g[k].n[u::paired_cells::index(0, 0, 1)] = c.tn / 50;
  }
  u::bootstrap_options o;
  o.seed = 42;
  o.replicates = replicates;
  for (auto _ : state) {
    auto r = u::paired_bootstrap(std::span<const u::paired_cells>(g),
                                 u::paired_change(dp_difference), o);
    benchmark::DoNotOptimize(r.ci.lower);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * replicates);
}
BENCHMARK(BM_paired_bootstrap_poisson)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// The per-row formulation on 10^6 rows, for comparison: B = 10 replicates per
// iteration (the cost is linear in B; multiply by 100 for B = 1000).
void BM_row_bootstrap_per_row(benchmark::State& state) {
  const auto rows = static_cast<std::size_t>(state.range(0));
  const std::uint32_t B = 10;
  std::vector<std::uint8_t> y(rows), p(rows), grp(rows);
  fairgate::rng::stream s(1, fairgate::rng::purposes::test);
  for (std::size_t i = 0; i < rows; ++i) {
    y[i] = fairgate::rng::bernoulli(s, 0.3) ? 1 : 0;
    p[i] = fairgate::rng::bernoulli(s, 0.8) ? y[i] : static_cast<std::uint8_t>(1 - y[i]);
    grp[i] = static_cast<std::uint8_t>(fairgate::rng::bounded_u32(s, n_groups));
  }
  fm::binary_inputs in;
  in.y_true = fm::label_view(std::span<const std::uint8_t>(y));
  in.y_pred = fm::prediction_view::hard(std::span<const std::uint8_t>(p));
  in.groups = fm::code_view(std::span<const std::uint8_t>(grp));
  in.n_groups = n_groups;
  for (auto _ : state) {
    u::row_bootstrap rb(n_groups, B, 42);
    rb.add(in, 0);
    benchmark::DoNotOptimize(rb.counts(0)[0].tp);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * B);
  state.counters["rows_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * B * static_cast<double>(rows),
                         benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * 3 *
                          static_cast<std::int64_t>(rows));
}
BENCHMARK(BM_row_bootstrap_per_row)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

void BM_fisher_exact(benchmark::State& state) {
  const auto a = static_cast<std::uint64_t>(state.range(0));
  // [[a, a/2], [a/3, a]]: small counts for a = 12, a large table for a = 1200.
  for (auto _ : state) {
    auto r = u::fisher_exact(a, a / 2, a / 3, a);
    benchmark::DoNotOptimize(r.p_value);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_fisher_exact)->Arg(12)->Arg(1200);

void BM_mcnemar_exact(benchmark::State& state) {
  const auto b = static_cast<std::uint64_t>(state.range(0));
  for (auto _ : state) {
    auto r = u::mcnemar_exact(b, b + b / 5 + 1);
    benchmark::DoNotOptimize(r.p_value);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_mcnemar_exact)->Arg(30)->Arg(5000);

void BM_wilson_interval(benchmark::State& state) {
  std::uint64_t x = 17;
  for (auto _ : state) {
    auto r = u::wilson_interval(x, 100);
    benchmark::DoNotOptimize(r.lower);
    x = (x + 1) % 100;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_wilson_interval);

}  // namespace

BENCHMARK_MAIN();
