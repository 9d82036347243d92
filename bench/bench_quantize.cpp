// Quantization throughput: per-channel int8 quantization of a 4096 x 4096 f32
// matrix (observer pass + quantize pass, fused and separately), fake-quant,
// and the int8 reference GEMM. The limit is the single-core read bandwidth,
// measured in the same run by BM_read_bandwidth over the same 64 MiB buffer.
// Peer: bench/peers_quantize.py (torch.quantize_per_channel, observers).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include <fairgate/quantize/dynamic.hpp>
#include <fairgate/quantize/int8_gemm.hpp>
#include <fairgate/quantize/observer.hpp>
#include <fairgate/quantize/quantize.hpp>

namespace fq = fairgate::quantize;

namespace {

constexpr std::int64_t kRows = 4096, kCols = 4096, kN = kRows * kCols;

std::vector<float>& matrix() {
  static std::vector<float> m = [] {
    std::vector<float> v(static_cast<std::size_t>(kN));
    std::mt19937 gen(1);
    std::normal_distribution<float> d(0.0f, 1.0f);
    for (auto& x : v) x = d(gen);
    return v;
  }();
  return m;
}

fairgate::tensor::view matrix_view() {
  return fairgate::tensor::view::contiguous(matrix().data(), {kRows, kCols});
}

const fq::scheme kScheme{
    .type = fq::qtype::int8, .rule = fq::scale_rule::torch_symmetric, .axis = 0};

void set_bytes(benchmark::State& state) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * kN * 4);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kN);
}

// STREAM-style read: sum the 64 MiB as 64-bit words (integer adds vectorise;
// 4 independent lanes keep the loop load-bound).
void BM_read_bandwidth(benchmark::State& state) {
  const auto* p = reinterpret_cast<const std::uint64_t*>(matrix().data());
  const std::size_t n = static_cast<std::size_t>(kN) / 2;
  for (auto _ : state) {
    std::uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (std::size_t i = 0; i < n; i += 4) {
      s0 += p[i];
      s1 += p[i + 1];
      s2 += p[i + 2];
      s3 += p[i + 3];
    }
    benchmark::DoNotOptimize(s0 + s1 + s2 + s3);
  }
  set_bytes(state);
}
BENCHMARK(BM_read_bandwidth)->Unit(benchmark::kMillisecond);

// Observer pass + quantize pass, fused per channel (one read of the matrix).
void BM_quantize_per_channel_fused(benchmark::State& state) {
  std::vector<std::uint8_t> out(static_cast<std::size_t>(kN));
  const auto v = matrix_view();
  for (auto _ : state) {
    auto p = fq::quantize_minmax_into(v, kScheme, out);
    benchmark::DoNotOptimize(p.scale.data());
    benchmark::DoNotOptimize(out.data());
  }
  set_bytes(state);
}
BENCHMARK(BM_quantize_per_channel_fused)->Unit(benchmark::kMillisecond);

// The same work as two separate passes: minmax_observer, then quantize_into.
void BM_quantize_per_channel_two_pass(benchmark::State& state) {
  std::vector<std::uint8_t> out(static_cast<std::size_t>(kN));
  const auto v = matrix_view();
  for (auto _ : state) {
    fq::minmax_observer obs(0);
    obs.observe(v);
    const auto p = obs.calculate_qparams(kScheme);
    fq::quantize_into(v, p, out);
    benchmark::DoNotOptimize(out.data());
  }
  set_bytes(state);
}
BENCHMARK(BM_quantize_per_channel_two_pass)->Unit(benchmark::kMillisecond);

void BM_observer_per_channel(benchmark::State& state) {
  const auto v = matrix_view();
  for (auto _ : state) {
    fq::minmax_observer obs(0);
    obs.observe(v);
    benchmark::DoNotOptimize(obs.min().data());
  }
  set_bytes(state);
}
BENCHMARK(BM_observer_per_channel)->Unit(benchmark::kMillisecond);

void BM_quantize_only_per_channel(benchmark::State& state) {
  std::vector<std::uint8_t> out(static_cast<std::size_t>(kN));
  const auto v = matrix_view();
  fq::minmax_observer obs(0);
  obs.observe(v);
  const auto p = obs.calculate_qparams(kScheme);
  for (auto _ : state) {
    fq::quantize_into(v, p, out);
    benchmark::DoNotOptimize(out.data());
  }
  set_bytes(state);
}
BENCHMARK(BM_quantize_only_per_channel)->Unit(benchmark::kMillisecond);

// Fake-quant into a second 64 MiB f32 buffer (reads 64 MiB, writes 64 MiB).
void BM_fake_quantize_per_channel(benchmark::State& state) {
  std::vector<float> out(static_cast<std::size_t>(kN));
  const auto v = matrix_view();
  fq::minmax_observer obs(0);
  obs.observe(v);
  const auto p = obs.calculate_qparams(kScheme);
  const auto o = fairgate::tensor::view::contiguous(out.data(), {kRows, kCols});
  for (auto _ : state) {
    fq::fake_quantize(v, p, o);
    benchmark::DoNotOptimize(out.data());
  }
  set_bytes(state);
}
BENCHMARK(BM_fake_quantize_per_channel)->Unit(benchmark::kMillisecond);

// int8 GEMM, M x K input by N x K weights: 2*M*N*K integer ops per call.
void BM_int8_linear(benchmark::State& state) {
  const std::int64_t M = state.range(0), K = state.range(1), N = state.range(2);
  std::mt19937 gen(2);
  std::uniform_int_distribution<int> b(-128, 127);
  std::vector<std::int8_t> a(static_cast<std::size_t>(M * K)), w(static_cast<std::size_t>(N * K));
  for (auto& x : a) x = static_cast<std::int8_t>(b(gen));
  for (auto& x : w) x = static_cast<std::int8_t>(b(gen));
  std::vector<std::int32_t> bias(static_cast<std::size_t>(N), 100);
  fq::linear_params lp{
      .input_zero_point = 3, .output_zero_point = -2, .requant = {fq::quantize_multiplier(1e-4)}};
  std::vector<std::int8_t> out(static_cast<std::size_t>(M * N));
  for (auto _ : state) {
    fq::int8_linear(a, M, K, w, N, bias, lp, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["GOP/s"] = benchmark::Counter(static_cast<double>(2 * M * N * K),
                                               benchmark::Counter::kIsIterationInvariantRate,
                                               benchmark::Counter::OneK::kIs1000);
}
BENCHMARK(BM_int8_linear)->Args({256, 1024, 1024})->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
