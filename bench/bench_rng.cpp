// RNG throughput: raw Philox bits and uniform doubles, against std::mt19937_64
// with std::uniform_real_distribution in the same run.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>

#include <fairgate/rng/stream.hpp>

namespace {

void BM_philox_raw_bits(benchmark::State& state) {
  fairgate::rng::stream s(42, fairgate::rng::purposes::test);
  std::uint64_t b = 0;
  for (auto _ : state) {
    for (int i = 0; i < 1024; ++i) {
      const auto blk = s.block(b++);
      benchmark::DoNotOptimize(blk);
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * 1024 * 16);
}
BENCHMARK(BM_philox_raw_bits);

void BM_mt19937_64_uniform_double(benchmark::State& state) {
  std::mt19937_64 gen(42);
  std::uniform_real_distribution<double> dist(0.0, 1.0);
  for (auto _ : state) {
    double acc = 0;
    for (int i = 0; i < 1024; ++i) acc += dist(gen);
    benchmark::DoNotOptimize(acc);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 1024);
}
BENCHMARK(BM_mt19937_64_uniform_double);

}  // namespace

BENCHMARK_MAIN();
