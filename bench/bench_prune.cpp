// Pruning benchmarks. Limit: single-core memory read bandwidth, measured in
// the same run (BM_ReadBandwidth, a STREAM-style integer sum over the same
// 400 MB of weights), so global pruning can be stated in "read passes":
// time x bandwidth / 400 MB. Target (issue 4): global magnitude pruning of
// 10^8 f32 weights in 50 tensors, amount 0.7, within 4 read passes and >= 100x
// faster than torch.nn.utils.prune.global_unstructured (bench/peers_prune.py).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <vector>

#include <fairgate/prune/global.hpp>
#include <fairgate/prune/magnitude.hpp>
#include <fairgate/prune/nm.hpp>
#include <fairgate/rng/stream.hpp>

namespace {

namespace fp = fairgate::prune;
using fairgate::tensor::view;

constexpr std::int64_t total_params = 100'000'000;
constexpr std::int64_t tensors = 50;
double g_bandwidth = 0.0;  // bytes/s of wall time, best of BM_ReadBandwidth
double g_bandwidth_cpu =
    0.0;  // bytes/s of process CPU time (robust when other jobs share the cores)

double cpu_seconds() {
  return static_cast<double>(std::clock()) / CLOCKS_PER_SEC;
}

// Triangular(-1, 1) weights from a keyed stream (sum of two uniforms).
std::vector<float> make_weights(std::int64_t n, std::uint64_t seed) {
  std::vector<float> w(static_cast<std::size_t>(n));
  fairgate::rng::stream s(seed, fairgate::rng::purposes::test);
  for (std::int64_t i = 0; i < n; i += 2) {
    const auto b = s.block(static_cast<std::uint64_t>(i / 2));
    w[static_cast<std::size_t>(i)] =
        static_cast<float>((static_cast<double>(b[0]) + static_cast<double>(b[1])) * 0x1p-32 - 1.0);
    if (i + 1 < n)
      w[static_cast<std::size_t>(i + 1)] = static_cast<float>(
          (static_cast<double>(b[2]) + static_cast<double>(b[3])) * 0x1p-32 - 1.0);
  }
  return w;
}

std::vector<float>& big_weights() {
  static std::vector<float> w = make_weights(total_params, 1);
  return w;
}

std::vector<view> split_views(std::vector<float>& w, std::int64_t n_tensors) {
  std::vector<view> vs;
  const std::int64_t per = static_cast<std::int64_t>(w.size()) / n_tensors;
  for (std::int64_t t = 0; t < n_tensors; ++t) {
    const std::int64_t dims[] = {per / 1000, 1000};
    vs.push_back(view::contiguous(w.data() + t * per, fairgate::tensor::dtype::f32, dims, 2));
  }
  return vs;
}

// STREAM-style read: sum the 400 MB buffer as u32 (integer adds vectorise and
// are exact), 4 independent accumulators.
void BM_ReadBandwidth(benchmark::State& state) {
  auto& w = big_weights();
  const auto n = w.size();
  const auto* p = reinterpret_cast<const std::uint32_t*>(w.data());
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = cpu_seconds();
    std::uint32_t a = 0, b = 0, c = 0, d = 0;
    for (std::size_t i = 0; i + 4 <= n; i += 4) {
      a += p[i];
      b += p[i + 1];
      c += p[i + 2];
      d += p[i + 3];
    }
    benchmark::DoNotOptimize(a + b + c + d);
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double csecs = cpu_seconds() - c0;
    const double bw = static_cast<double>(n * 4) / secs;
    if (bw > g_bandwidth) g_bandwidth = bw;  // best of the iterations
    const double bwc = static_cast<double>(n * 4) / csecs;
    if (bwc > g_bandwidth_cpu) g_bandwidth_cpu = bwc;
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(n * 4));
  state.counters["GB/s_best"] = g_bandwidth / 1e9;
  state.counters["GB/s_cpu_best"] = g_bandwidth_cpu / 1e9;
}

void run_global(benchmark::State& state, std::int64_t n_params, bool digests) {
  auto& all = big_weights();
  std::vector<float> local;
  std::vector<view> vs;
  if (n_params == total_params) {
    vs = split_views(all, tensors);
  } else {
    local.assign(all.begin(), all.begin() + n_params);
    vs = split_views(local, tensors);
  }
  double best = 1e300, best_cpu = 1e300;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = cpu_seconds();
    auto g =
        fp::global_l1_unstructured(vs, fp::amount::fraction(0.7), {}, {}, fp::options{digests});
    benchmark::DoNotOptimize(g.masks.data());
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double csecs = cpu_seconds() - c0;
    best = secs < best ? secs : best;
    best_cpu = csecs < best_cpu ? csecs : best_cpu;
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * n_params * 4);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * n_params);
  state.counters["best_s"] = best;
  state.counters["best_cpu_s"] = best_cpu;
  if (g_bandwidth > 0) {
    state.counters["read_passes_best"] = best * g_bandwidth / static_cast<double>(n_params * 4);
    state.counters["read_passes_cpu"] =
        best_cpu * g_bandwidth_cpu / static_cast<double>(n_params * 4);
  }
}

void BM_GlobalL1_1e8_50tensors(benchmark::State& state) {
  run_global(state, total_params, false);
}
void BM_GlobalL1_1e8_50tensors_digests(benchmark::State& state) {
  run_global(state, total_params, true);
}
void BM_GlobalL1_1e7_50tensors(benchmark::State& state) {
  run_global(state, 10'000'000, false);
}

// Per-tensor L1 (nth_element on (|w|, index) pairs), one 4M-weight tensor.
void BM_L1PerTensor_4M(benchmark::State& state) {
  auto w = make_weights(std::int64_t{1} << 22, 2);
  const view v = view::contiguous(w.data(), {2048, 2048});
  for (auto _ : state) {
    auto r = fp::l1_unstructured(v, fp::amount::fraction(0.5), nullptr, {}, fp::options{false});
    benchmark::DoNotOptimize(r.mask.words().data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * v.numel());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * v.numel() * 4);
}

// 2:4 along the input dim of a 4096x4096 f32 weight.
void BM_NM_2of4_4096x4096(benchmark::State& state) {
  auto w = make_weights(4096 * 4096, 3);
  const view v = view::contiguous(w.data(), {4096, 4096});
  for (auto _ : state) {
    auto r = fp::n_m(v, 2, 4, 1, nullptr, {}, fp::options{false});
    benchmark::DoNotOptimize(r.mask.words().data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * v.numel());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * v.numel() * 4);
}

}  // namespace

BENCHMARK(BM_ReadBandwidth)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_GlobalL1_1e8_50tensors)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_GlobalL1_1e8_50tensors_digests)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_GlobalL1_1e7_50tensors)->Unit(benchmark::kMillisecond)->Iterations(10);
BENCHMARK(BM_L1PerTensor_4M)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_NM_2of4_4096x4096)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
