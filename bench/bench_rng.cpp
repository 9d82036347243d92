// RNG throughput: raw Philox bits, uniform doubles (per call and bulk),
// bounded integers, normals and Poisson draws, each against the
// std::mt19937_64 + <random> distribution a user would otherwise reach for,
// in the same run. Targets (docs/PERFORMANCE.md): raw bits >= 2 GB/s per
// core; uniform doubles at least as fast as mt19937_64 +
// uniform_real_distribution. Every loop makes 1024 draws (or blocks) per
// iteration; bytes are the random bytes produced (16 per Philox block).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include <fairgate/rng/discrete.hpp>
#include <fairgate/rng/normal.hpp>
#include <fairgate/rng/philox_bulk.hpp>
#include <fairgate/rng/stream.hpp>
#include <fairgate/rng/uniform.hpp>

namespace {

namespace r = fairgate::rng;
constexpr int kDraws = 1024;

r::stream bench_stream() {
  return r::stream(42, r::purposes::test);
}

void BM_philox_raw_bits(benchmark::State& state) {
  const auto s = bench_stream();
  std::uint64_t b = 0;
  for (auto _ : state) {
    for (int i = 0; i < kDraws; ++i) {
      const auto blk = s.block(b++);
      benchmark::DoNotOptimize(blk);
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * kDraws * 16);
}
BENCHMARK(BM_philox_raw_bits);

// The bulk path (AVX2 when the CPU has it): 1024 blocks = 16 KiB per iteration.
void BM_philox_blocks_bulk(benchmark::State& state) {
  std::vector<std::uint32_t> buf(4 * kDraws);
  std::uint64_t b = 0;
  for (auto _ : state) {
    r::philox4x32_10_blocks(b, r::purposes::test.tag, 0, {42, 0}, kDraws, buf.data());
    b += kDraws;
    benchmark::DoNotOptimize(buf.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * kDraws * 16);
  state.SetLabel(r::philox_blocks_path());
}
BENCHMARK(BM_philox_blocks_bulk);

void BM_fill_u32(benchmark::State& state) {
  auto s = bench_stream();
  std::vector<std::uint32_t> buf(4 * kDraws);
  for (auto _ : state) {
    r::fill_u32(s, buf);
    benchmark::DoNotOptimize(buf.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * kDraws * 16);
}
BENCHMARK(BM_fill_u32);

void BM_stream_next_u32(benchmark::State& state) {
  auto s = bench_stream();
  for (auto _ : state) {
    std::uint32_t acc = 0;
    for (int i = 0; i < kDraws; ++i) acc ^= s.next_u32();
    benchmark::DoNotOptimize(acc);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * kDraws * 4);
}
BENCHMARK(BM_stream_next_u32);

void BM_mt19937_64_raw_bits(benchmark::State& state) {
  std::mt19937_64 gen(42);
  for (auto _ : state) {
    std::uint64_t acc = 0;
    for (int i = 0; i < kDraws; ++i) acc ^= gen();
    benchmark::DoNotOptimize(acc);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * kDraws * 8);
}
BENCHMARK(BM_mt19937_64_raw_bits);

void BM_uniform_double(benchmark::State& state) {
  auto s = bench_stream();
  for (auto _ : state) {
    double acc = 0;
    for (int i = 0; i < kDraws; ++i) acc += r::uniform_double(s);
    benchmark::DoNotOptimize(acc);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kDraws);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * kDraws * 8);
}
BENCHMARK(BM_uniform_double);

void BM_fill_uniform_double(benchmark::State& state) {
  auto s = bench_stream();
  std::vector<double> buf(kDraws);
  for (auto _ : state) {
    r::fill_uniform_double(s, buf);
    benchmark::DoNotOptimize(buf.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kDraws);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * kDraws * 8);
}
BENCHMARK(BM_fill_uniform_double);

void BM_mt19937_64_uniform_double(benchmark::State& state) {
  std::mt19937_64 gen(42);
  std::uniform_real_distribution<double> dist(0.0, 1.0);
  for (auto _ : state) {
    double acc = 0;
    for (int i = 0; i < kDraws; ++i) acc += dist(gen);
    benchmark::DoNotOptimize(acc);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kDraws);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * kDraws * 8);
}
BENCHMARK(BM_mt19937_64_uniform_double);

void BM_mt19937_64_fill_uniform_double(benchmark::State& state) {
  std::mt19937_64 gen(42);
  std::uniform_real_distribution<double> dist(0.0, 1.0);
  std::vector<double> buf(kDraws);
  for (auto _ : state) {
    for (auto& x : buf) x = dist(gen);
    benchmark::DoNotOptimize(buf.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kDraws);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * kDraws * 8);
}
BENCHMARK(BM_mt19937_64_fill_uniform_double);

void BM_bounded_u32(benchmark::State& state) {
  auto s = bench_stream();
  const auto n = static_cast<std::uint32_t>(state.range(0));
  for (auto _ : state) {
    std::uint32_t acc = 0;
    for (int i = 0; i < kDraws; ++i) acc += r::bounded_u32(s, n);
    benchmark::DoNotOptimize(acc);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kDraws);
}
BENCHMARK(BM_bounded_u32)->Arg(1'000'003);

void BM_mt19937_64_uniform_int(benchmark::State& state) {
  std::mt19937_64 gen(42);
  std::uniform_int_distribution<std::uint32_t> dist(0,
                                                    static_cast<std::uint32_t>(state.range(0) - 1));
  for (auto _ : state) {
    std::uint32_t acc = 0;
    for (int i = 0; i < kDraws; ++i) acc += dist(gen);
    benchmark::DoNotOptimize(acc);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kDraws);
}
BENCHMARK(BM_mt19937_64_uniform_int)->Arg(1'000'003);

void BM_normal(benchmark::State& state) {
  auto s = bench_stream();
  for (auto _ : state) {
    double acc = 0;
    for (int i = 0; i < kDraws; ++i) acc += r::normal(s);
    benchmark::DoNotOptimize(acc);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kDraws);
}
BENCHMARK(BM_normal);

void BM_mt19937_64_normal(benchmark::State& state) {
  std::mt19937_64 gen(42);
  std::normal_distribution<double> dist(0.0, 1.0);
  for (auto _ : state) {
    double acc = 0;
    for (int i = 0; i < kDraws; ++i) acc += dist(gen);
    benchmark::DoNotOptimize(acc);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kDraws);
}
BENCHMARK(BM_mt19937_64_normal);

void BM_poisson1(benchmark::State& state) {
  auto s = bench_stream();
  for (auto _ : state) {
    std::uint32_t acc = 0;
    for (int i = 0; i < kDraws; ++i) acc += r::poisson1(s);
    benchmark::DoNotOptimize(acc);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kDraws);
}
BENCHMARK(BM_poisson1);

// lambda = state.range(0) / 10.
void BM_poisson(benchmark::State& state) {
  auto s = bench_stream();
  const double lambda = static_cast<double>(state.range(0)) / 10.0;
  for (auto _ : state) {
    std::uint64_t acc = 0;
    for (int i = 0; i < kDraws; ++i) acc += r::poisson(s, lambda);
    benchmark::DoNotOptimize(acc);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kDraws);
}
BENCHMARK(BM_poisson)->Arg(10)->Arg(37)->Arg(1000)->Arg(10'000'000);

void BM_mt19937_64_poisson(benchmark::State& state) {
  std::mt19937_64 gen(42);
  std::poisson_distribution<std::uint64_t> dist(static_cast<double>(state.range(0)) / 10.0);
  for (auto _ : state) {
    std::uint64_t acc = 0;
    for (int i = 0; i < kDraws; ++i) acc += dist(gen);
    benchmark::DoNotOptimize(acc);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kDraws);
}
BENCHMARK(BM_mt19937_64_poisson)->Arg(10)->Arg(37)->Arg(1000)->Arg(10'000'000);

}  // namespace

BENCHMARK_MAIN();
