// Metrics core: per-group confusion accumulation against the memory-bandwidth limit.
//
// A binary confusion pass from f32 scores, u8 labels and u8 group codes reads
// 6 bytes per row. BM_read_bandwidth (run first) measures single-core read
// bandwidth STREAM-style on a 1 GiB buffer (far above the LLC); every
// confusion benchmark then reports its own bytes/s and, in the counter
// pct_of_read_bw, that rate as a percentage of the measured bandwidth
// (best_piece_GBps); the 10^8-row cases also time 10^7-row slices
// (slice_pct_of_read_bw), see BM_read_bandwidth for why.
//   rows/s  -> items_per_second      bytes/s -> bytes_per_second (6 B/row, 14 B/row weighted f64)
//
// Run: bench_metrics --benchmark_repetitions=3 --benchmark_report_aggregates_only=false
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <fairgate/metrics/accumulate.hpp>
#include <fairgate/rng/stream.hpp>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define FG_BENCH_AVX2 1
#endif

namespace {

namespace fm = fairgate::metrics;

double g_read_bw = 0.0;       // bytes/s, best 64 MiB piece of BM_read_bandwidth
double g_read_bw_pass = 0.0;  // bytes/s, best whole 1 GiB pass

#if defined(FG_BENCH_AVX2)
__attribute__((target("avx2"))) std::uint64_t sum_u64(const std::uint64_t* p, std::size_t n) {
  __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
  for (std::size_t i = 0; i + 16 <= n; i += 16) {
    a0 = _mm256_add_epi64(a0, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i)));
    a1 = _mm256_add_epi64(a1, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + 4)));
    a2 = _mm256_add_epi64(a2, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + 8)));
    a3 = _mm256_add_epi64(a3, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + 12)));
  }
  const __m256i s = _mm256_add_epi64(_mm256_add_epi64(a0, a1), _mm256_add_epi64(a2, a3));
  alignas(32) std::uint64_t out[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(out), s);
  return out[0] + out[1] + out[2] + out[3];
}
#else
std::uint64_t sum_u64(const std::uint64_t* p, std::size_t n) {
  std::uint64_t a = 0;
  for (std::size_t i = 0; i < n; ++i) a += p[i];
  return a;
}
#endif

// STREAM-style read bandwidth: sum a 1 GiB buffer of u64. Besides whole
// passes, each 64 MiB piece is timed on its own and the best piece rate is
// kept (best_piece_GBps): on this shared 2-core machine other processes
// preempt long passes, and a short window catches the rate of an undisturbed
// core. The data still comes from DRAM (the buffer is far above the LLC).
void BM_read_bandwidth(benchmark::State& state) {
  const std::size_t n = (std::size_t{1} << 30) / sizeof(std::uint64_t);
  const std::size_t piece = (std::size_t{64} << 20) / sizeof(std::uint64_t);
  std::vector<std::uint64_t> buf(n);
  for (std::size_t i = 0; i < n; ++i) buf[i] = i;
  double best_pass = 0.0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    for (std::size_t b = 0; b < n; b += piece) {
      const auto p0 = std::chrono::steady_clock::now();
      benchmark::DoNotOptimize(sum_u64(buf.data() + b, piece));
      const std::chrono::duration<double> dp = std::chrono::steady_clock::now() - p0;
      const double bw = static_cast<double>(piece * sizeof(std::uint64_t)) / dp.count();
      if (bw > g_read_bw) g_read_bw = bw;
    }
    const std::chrono::duration<double> dt = std::chrono::steady_clock::now() - t0;
    const double bw = static_cast<double>(n * sizeof(std::uint64_t)) / dt.count();
    if (bw > best_pass) best_pass = bw;
  }
  state.SetBytesProcessed(state.iterations() *
                          static_cast<std::int64_t>(n * sizeof(std::uint64_t)));
  g_read_bw_pass = best_pass;
  state.counters["best_pass_GBps"] = best_pass / 1e9;
  state.counters["best_piece_GBps"] = g_read_bw / 1e9;
}
BENCHMARK(BM_read_bandwidth)->Unit(benchmark::kMillisecond)->Iterations(8)->UseRealTime();

struct data {
  std::vector<std::uint8_t> y, g8;
  std::vector<std::uint16_t> g16;
  std::vector<float> s;
  std::vector<double> w;
};

// Rows with labels, scores in [0,1), codes uniform in [0, G).
const data& dataset(std::size_t n, std::uint32_t G) {
  static std::size_t cached_n = 0;
  static std::uint32_t cached_G = 0;
  static data d;
  if (cached_n == n && cached_G == G) return d;
  d = data{};
  d.y.resize(n);
  d.s.resize(n);
  if (G <= 256)
    d.g8.resize(n);
  else
    d.g16.resize(n);
  const fairgate::rng::stream st(1, fairgate::rng::purposes::test);
  for (std::size_t i = 0; i < n; ++i) {
    const auto b = st.block(i);
    d.y[i] = static_cast<std::uint8_t>(b[0] & 1u);
    d.s[i] = static_cast<float>(b[1] >> 8) * 0x1p-24f;
    const auto code = static_cast<std::uint32_t>((static_cast<std::uint64_t>(b[2]) * G) >> 32);
    if (G <= 256)
      d.g8[i] = static_cast<std::uint8_t>(code);
    else
      d.g16[i] = static_cast<std::uint16_t>(code);
  }
  cached_n = n;
  cached_G = G;
  return d;
}

const std::vector<double>& weights(std::size_t n) {
  static std::vector<double> w;
  if (w.size() != n) {
    w.resize(n);
    const fairgate::rng::stream st(2, fairgate::rng::purposes::test);
    for (std::size_t i = 0; i < n; ++i) w[i] = static_cast<double>(st.block(i)[0]) * 0x1p-31;
  }
  return w;
}

// Shared body: args = rows, groups, threads, flags (1: force scalar, 2: weighted).
void run_confusion(benchmark::State& state, std::size_t row_bytes) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto G = static_cast<std::uint32_t>(state.range(1));
  const auto T = static_cast<unsigned>(state.range(2));
  const auto flags = state.range(3);
  const auto& d = dataset(n, G);
  fm::binary_inputs in;
  in.y_true = std::span<const std::uint8_t>(d.y);
  in.y_pred = fm::prediction_view::scores(std::span<const float>(d.s), 0.5);
  in.groups = G <= 256 ? fm::code_view(std::span<const std::uint8_t>(d.g8))
                       : fm::code_view(std::span<const std::uint16_t>(d.g16));
  in.n_groups = G;
  if (flags & 2) in.weights = fm::real_view(std::span<const double>(weights(n)));
  const fm::accumulate_options opt{.threads = T, .allow_simd = (flags & 1) == 0};
  double best = 1e300;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    auto acc = fm::accumulate(in, opt);
    benchmark::DoNotOptimize(acc.counts(0).tp);
    const std::chrono::duration<double> dt = std::chrono::steady_clock::now() - t0;
    if (dt.count() < best) best = dt.count();
  }
  // Best slice: 10 slices of n/10 rows (60 MB for n = 10^8), each timed on
  // its own, for the same reason as best_piece_GBps above; only for n >= 10^7.
  if (n >= 10'000'000 && G <= 256) {
    const std::size_t m = n / 10;
    double best_slice = 1e300;
    for (int rep = 0; rep < 2; ++rep) {
      for (std::size_t k = 0; k < 10; ++k) {
        fm::binary_inputs part = in;
        part.y_true = std::span<const std::uint8_t>(d.y).subspan(k * m, m);
        part.y_pred =
            fm::prediction_view::scores(std::span<const float>(d.s).subspan(k * m, m), 0.5);
        part.groups = std::span<const std::uint8_t>(d.g8).subspan(k * m, m);
        const auto t0 = std::chrono::steady_clock::now();
        auto acc = fm::accumulate(part, opt);
        benchmark::DoNotOptimize(acc.counts(0).tp);
        const std::chrono::duration<double> dt = std::chrono::steady_clock::now() - t0;
        if (dt.count() < best_slice) best_slice = dt.count();
      }
    }
    const double slice_bytes = static_cast<double>(m * row_bytes);
    state.counters["best_slice_GBps"] = slice_bytes / best_slice / 1e9;
    state.counters["best_slice_Mrows_per_s"] = static_cast<double>(m) / best_slice / 1e6;
    if (g_read_bw > 0)
      state.counters["slice_pct_of_read_bw"] = 100.0 * slice_bytes / best_slice / g_read_bw;
  }
  const double bytes = static_cast<double>(n * row_bytes);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(n * row_bytes));
  state.counters["best_ms"] = best * 1e3;
  state.counters["best_GBps"] = bytes / best / 1e9;
  state.counters["best_Mrows_per_s"] = static_cast<double>(n) / best / 1e6;
  if (g_read_bw_pass > 0) state.counters["pct_of_read_bw"] = 100.0 * bytes / best / g_read_bw_pass;
}

void BM_confusion_scores(benchmark::State& state) {
  run_confusion(state, 6);
}
void BM_confusion_weighted(benchmark::State& state) {
  run_confusion(state, 14);
}
void BM_confusion_many_groups(benchmark::State& state) {
  run_confusion(state, state.range(1) <= 256 ? 6 : 7);
}

// rows, groups, threads, flags
BENCHMARK(BM_confusion_scores)
    ->Args({100'000'000, 8, 1, 0})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(5);
BENCHMARK(BM_confusion_scores)
    ->Args({100'000'000, 8, 2, 0})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(5);
BENCHMARK(BM_confusion_scores)
    ->Args({100'000'000, 8, 1, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);
BENCHMARK(BM_confusion_scores)
    ->Args({1'000'000, 8, 1, 0})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK(BM_confusion_scores)
    ->Args({1'000'000, 8, 1, 1})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK(BM_confusion_weighted)
    ->Args({1'000'000, 8, 1, 2})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK(BM_confusion_many_groups)
    ->Args({1'000'000, 50, 1, 0})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK(BM_confusion_many_groups)
    ->Args({1'000'000, 1000, 1, 0})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
