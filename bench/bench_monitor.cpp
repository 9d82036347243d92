// Monitor benchmarks: the per-prediction cost of observe() (target <= 50 ns),
// the delayed-label path, poll(), and accumulator merge cost vs row count.
// Items = observations; the limit is the 50 ns per call.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include <fairgate/metrics/accumulate.hpp>
#include <fairgate/metrics/serialize.hpp>
#include <fairgate/monitor/monitor.hpp>
#include <fairgate/rng/stream.hpp>
#include <fairgate/rng/uniform.hpp>

namespace fm = fairgate::monitor;
namespace fr = fairgate::rng;

namespace {

constexpr std::size_t n_rows = 1 << 16;  // the stream replayed (fits in L2 with the monitor)

struct stream_rows {
  std::vector<double> score;
  std::vector<std::uint32_t> group;
  std::vector<std::int8_t> label;
};
const stream_rows& rows() {
  static const stream_rows r = [] {
    stream_rows x;
    fr::stream s(1, fr::purposes::test, 0);
    for (std::size_t i = 0; i < n_rows; ++i) {
      x.score.push_back(fr::uniform_double(s));
      x.group.push_back(fr::bounded_u32(s, 8));
      x.label.push_back(static_cast<std::int8_t>(fr::bounded_u32(s, 3)) - 1);
    }
    return x;
  }();
  return r;
}

fm::monitor_config config(fm::window_kind kind) {
  fm::monitor_config c;
  c.n_groups = 8;
  c.window = {kind, 10000, 10000.0};
  c.drift.bins = 20;
  c.constraints.push_back({});
  return c;
}

void BM_observe(benchmark::State& state) {
  const auto kind = static_cast<fm::window_kind>(state.range(0));
  fm::monitor mon(config(kind));
  const auto& r = rows();
  std::size_t i = 0;
  for (auto _ : state) {
    mon.observe(r.score[i], r.group[i], r.label[i]);
    i = (i + 1) & (n_rows - 1);
  }
  benchmark::DoNotOptimize(mon.observations());
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetLabel(kind == fm::window_kind::tumbling  ? "tumbling"
                 : kind == fm::window_kind::sliding ? "sliding"
                                                    : "decay");
}
BENCHMARK(BM_observe)->Arg(0)->Arg(1)->Arg(2);

// observe_unlabeled followed, 100 observations later, by label(): per pair.
void BM_delayed_label(benchmark::State& state) {
  auto cfg = config(fm::window_kind::sliding);
  cfg.pending_capacity = 1024;
  fm::monitor mon(cfg);
  const auto& r = rows();
  std::uint64_t id = 0;
  for (auto _ : state) {
    const std::size_t i = id & (n_rows - 1);
    mon.observe_unlabeled(id, r.score[i], r.group[i]);
    if (id >= 100) benchmark::DoNotOptimize(mon.label(id - 100, 1));
    ++id;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_delayed_label);

void BM_poll(benchmark::State& state) {
  auto cfg = config(fm::window_kind::sliding);
  cfg.n_groups = static_cast<std::uint32_t>(state.range(0));
  fm::monitor mon(cfg);
  const auto& r = rows();
  for (std::size_t i = 0; i < n_rows; ++i)
    mon.observe(r.score[i], r.group[i] % cfg.n_groups, r.label[i]);
  for (auto _ : state) benchmark::DoNotOptimize(mon.poll().alarms.size());
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_poll)->Arg(2)->Arg(8)->Arg(64);

// Merging two deserialised shard accumulators: the cost depends on the groups, not on the rows
// behind them.
void BM_merge_serialized(benchmark::State& state) {
  const auto G = static_cast<std::uint32_t>(state.range(0));
  const auto rows_behind = static_cast<std::uint64_t>(state.range(1));
  fairgate::metrics::group_accumulator a(G), b(G);
  for (std::uint32_t g = 0; g < G; ++g) {
    a.mutable_counts()[g] = {rows_behind / (4 * G), rows_behind / (4 * G), rows_behind / (4 * G),
                             rows_behind / (4 * G)};
    b.mutable_counts()[g] = a.counts(g);
  }
  const auto bytes = fairgate::metrics::serialize(b);
  for (auto _ : state) {
    auto acc = a;
    acc.merge(fairgate::metrics::deserialize(bytes));
    benchmark::DoNotOptimize(acc.counts(0).tp);
  }
  state.SetBytesProcessed(
      static_cast<std::int64_t>(state.iterations() * static_cast<std::int64_t>(bytes.size())));
  state.counters["bytes"] = static_cast<double>(bytes.size());
}
BENCHMARK(BM_merge_serialized)
    ->Args({8, 1000})
    ->Args({8, 1000000000})
    ->Args({64, 1000})
    ->Args({64, 1000000000});

}  // namespace

BENCHMARK_MAIN();
