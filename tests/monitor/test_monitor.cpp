// The monitor's windows, delayed labels, memory discipline and input errors.
// gcc 12 pairs the replaced operator new below with the free() inside the
// replaced delete and warns (a known false positive for replacement
// allocation functions); the pair is consistent.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <new>
#include <vector>

#include <fairgate/error.hpp>
#include <fairgate/metrics/confusion.hpp>
#include <fairgate/monitor/monitor.hpp>
#include <fairgate/rng/stream.hpp>
#include <fairgate/rng/uniform.hpp>
#include <fairgate/uncertainty/wilson.hpp>

// A counting global operator new: the test binary counts every allocation,
// so "never allocates after construction" is checked, not assumed.
namespace {
std::atomic<std::uint64_t> g_allocations{0};
}
void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
// The nothrow forms too, so every new is paired with the same allocator's
// delete (Catch2 uses new(nothrow); ASan reports a mismatch otherwise).
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n == 0 ? 1 : n);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}

namespace fm = fairgate::monitor;
namespace fr = fairgate::rng;

namespace {

struct row {
  double score;
  std::uint32_t group;
  std::int8_t label;
};

std::vector<row> random_stream(std::size_t n, std::uint32_t groups, std::uint64_t seed,
                               double label_prob = 0.7) {
  fr::stream s(seed, fr::purposes::test, 7);
  std::vector<row> out(n);
  for (auto& r : out) {
    r.group = fr::bounded_u32(s, groups);
    r.score = fr::uniform_double(s);
    const double u = fr::uniform_double(s);
    r.label = u < label_prob ? static_cast<std::int8_t>(fr::uniform_double(s) < r.score ? 1 : 0)
                             : fm::no_label;
  }
  return out;
}

// Brute force: the confusion cells of rows [b, e) of one group.
struct cells6 {
  std::uint64_t c[6]{};
};
cells6 brute(const std::vector<row>& rows, std::size_t b, std::size_t e, std::uint32_t g,
             double thr) {
  cells6 out;
  for (std::size_t i = b; i < e; ++i) {
    if (rows[i].group != g) continue;
    const bool p = rows[i].score >= thr;
    const int cell = rows[i].label < 0    ? (p ? 4 : 5)
                     : rows[i].label == 1 ? (p ? 0 : 3)
                                          : (p ? 1 : 2);
    ++out.c[cell];
  }
  return out;
}

fm::monitor_config small_config(fm::window_kind kind, std::uint64_t n) {
  fm::monitor_config c;
  c.n_groups = 3;
  c.window.kind = kind;
  c.window.size = n;
  c.window.half_life = static_cast<double>(n);
  c.min_support = 1;
  return c;
}

void check_matches(const fm::report& r, const std::vector<row>& rows, std::size_t b, std::size_t e,
                   double thr) {
  for (std::uint32_t g = 0; g < 3; ++g) {
    const auto c = brute(rows, b, e, g, thr);
    const std::uint64_t all = c.c[0] + c.c[1] + c.c[2] + c.c[3] + c.c[4] + c.c[5];
    INFO("group " << g << " window [" << b << ", " << e << ")");
    CHECK(r.groups[g].observations == static_cast<double>(all));
    CHECK(r.groups[g].labelled == static_cast<double>(c.c[0] + c.c[1] + c.c[2] + c.c[3]));
    // Bit-identical to the Wilson interval of the brute-force counts.
    const auto sel = fairgate::uncertainty::wilson_interval(c.c[0] + c.c[1] + c.c[4], all);
    const auto tpr = fairgate::uncertainty::wilson_interval(c.c[0], c.c[0] + c.c[3]);
    const auto& rs = r.groups[g].rates[static_cast<std::size_t>(fm::rate_metric::selection_rate)];
    const auto& rt =
        r.groups[g].rates[static_cast<std::size_t>(fm::rate_metric::true_positive_rate)];
    CHECK(rs.defined == sel.defined);
    if (sel.defined) {
      CHECK(rs.lower == sel.lower);
      CHECK(rs.upper == sel.upper);
    }
    CHECK(rt.defined == tpr.defined);
    if (tpr.defined) CHECK(rt.estimate == tpr.estimate);
  }
}

}  // namespace

TEST_CASE("a sliding window reports exactly the last N observations", "[monitor][window]") {
  const auto rows = random_stream(5000, 3, 1);
  fm::monitor mon(small_config(fm::window_kind::sliding, 700));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    mon.observe(rows[i].score, rows[i].group, rows[i].label);
    if (i % 611 == 0 || i + 1 == rows.size()) {
      const auto& r = mon.poll();
      const std::size_t e = i + 1, b = e > 700 ? e - 700 : 0;
      check_matches(r, rows, b, e, 0.5);
    }
  }
}

TEST_CASE("a tumbling window judges the last complete block, the filling one before that",
          "[monitor][window]") {
  const auto rows = random_stream(2500, 3, 2);
  fm::monitor mon(small_config(fm::window_kind::tumbling, 1000));
  for (std::size_t i = 0; i < 999; ++i) mon.observe(rows[i].score, rows[i].group, rows[i].label);
  {
    const auto& r = mon.poll();
    CHECK_FALSE(r.window_complete);
    check_matches(r, rows, 0, 999, 0.5);
  }
  mon.observe(rows[999].score, rows[999].group, rows[999].label);  // block 0 completes
  {
    const auto& r = mon.poll();
    CHECK(r.window_complete);
    CHECK(r.window_index == 0);
    check_matches(r, rows, 0, 1000, 0.5);
  }
  for (std::size_t i = 1000; i < 2500; ++i)
    mon.observe(rows[i].score, rows[i].group, rows[i].label);
  const auto& r = mon.poll();
  CHECK(r.window_index == 1);
  check_matches(r, rows, 1000, 2000, 0.5);
}

TEST_CASE("a decay window halves an observation's weight every half-life", "[monitor][window]") {
  // H observations predicted 1, then H predicted 0, in one group. With
  // r = 2^(-1/H) the first block weighs r^H = 1/2 of the second in total:
  // selection rate = (1/2) / (1 + 1/2) = 1/3.
  auto cfg = small_config(fm::window_kind::decay, 50);
  fm::monitor mon(cfg);
  for (int i = 0; i < 50; ++i) mon.observe(0.9, 0);
  for (int i = 0; i < 50; ++i) mon.observe(0.1, 0);
  const auto& r = mon.poll();
  CHECK_THAT(r.groups[0].rates[0].estimate, Catch::Matchers::WithinAbs(1.0 / 3.0, 1e-12));
  // Kish's effective size is below the raw count (unequal weights).
  CHECK(r.groups[0].effective < 100.0);
}

TEST_CASE("a decay window survives its internal rescaling (half-life 1, 5000 observations)",
          "[monitor][window]") {
  // Weights grow by 2 per observation and are rescaled by 2^-256 every 256:
  // after many 1s and a single 0, selection = (sum_k>=1 2^-k) / (1 + sum) -> 1/2.
  auto cfg = small_config(fm::window_kind::decay, 1);
  fm::monitor mon(cfg);
  for (int i = 0; i < 5000; ++i) mon.observe(1.0, 1);
  mon.observe(0.0, 1);
  const auto& r = mon.poll();
  REQUIRE(std::isfinite(r.groups[1].observations));
  CHECK_THAT(r.groups[1].rates[0].estimate, Catch::Matchers::WithinAbs(0.5, 1e-12));
}

TEST_CASE("delayed labels give the same window as labels given at once", "[monitor][labels]") {
  // Same stream twice: once labelled directly, once unlabelled with the labels
  // delivered later in a scrambled order (but while still in the window).
  const auto rows = random_stream(3000, 3, 3, 1.0);
  for (auto kind : {fm::window_kind::sliding, fm::window_kind::tumbling}) {
    auto cfg = small_config(kind, 4000);
    cfg.pending_capacity = 4096;
    fm::monitor direct(cfg), delayed(cfg);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      direct.observe(rows[i].score, rows[i].group, rows[i].label);
      delayed.observe_unlabeled(1000003u * i + 17u, rows[i].score, rows[i].group);
    }
    // Deliver labels in a fixed scrambled order: i -> (i * 7919) mod n (7919 is prime, n = 3000).
    for (std::size_t k = 0; k < rows.size(); ++k) {
      const std::size_t i = (k * 7919) % rows.size();
      CHECK(delayed.label(1000003u * i + 17u, static_cast<std::uint8_t>(rows[i].label)) ==
            fm::label_result::applied);
    }
    const auto& a = direct.poll();
    const auto& b = delayed.poll();
    for (std::uint32_t g = 0; g < 3; ++g) {
      for (std::size_t m = 0; m < fm::n_rate_metrics; ++m) {
        CHECK(a.groups[g].rates[m].estimate == b.groups[g].rates[m].estimate);
      }
    }
    CHECK(b.pending_overwritten == 0);
  }
}

TEST_CASE("a full delayed-label ring overwrites and counts its oldest entries",
          "[monitor][labels]") {
  auto cfg = small_config(fm::window_kind::sliding, 100);
  cfg.pending_capacity = 4;
  fm::monitor mon(cfg);
  for (std::uint64_t id = 0; id < 6; ++id) mon.observe_unlabeled(id, 0.7, 0);
  // ids 0 and 1 were overwritten by 4 and 5.
  CHECK(mon.label(0, 1) == fm::label_result::unknown_id);
  CHECK(mon.label(5, 1) == fm::label_result::applied);
  CHECK(mon.label(5, 1) == fm::label_result::unknown_id);  // already labelled
  const auto& r = mon.poll();
  CHECK(r.pending_overwritten == 2);
  CHECK(r.labels_unknown_id == 2);
  CHECK(r.groups[0].labelled == 1.0);
}

TEST_CASE("a label for an observation that left the sliding window is dropped and counted",
          "[monitor][labels]") {
  auto cfg = small_config(fm::window_kind::sliding, 10);
  fm::monitor mon(cfg);
  mon.observe_unlabeled(42, 0.9, 2);
  for (int i = 0; i < 10; ++i) mon.observe(0.1, 2, 0);
  CHECK(mon.label(42, 1) == fm::label_result::outside_window);
  const auto& r = mon.poll();
  CHECK(r.labels_outside_window == 1);
  CHECK(r.groups[2].observations == 10.0);
  CHECK(r.groups[2].labelled == 10.0);
}

TEST_CASE("a label for the previous tumbling block updates that block", "[monitor][labels]") {
  auto cfg = small_config(fm::window_kind::tumbling, 4);
  fm::monitor mon(cfg);
  mon.observe_unlabeled(9, 0.9, 0);
  for (int i = 0; i < 3; ++i) mon.observe(0.9, 0, 1);  // block 0 complete: 4 rows, 3 labelled
  mon.observe(0.9, 0, 1);                              // block 1 filling
  CHECK(mon.label(9, 0) == fm::label_result::applied);
  const auto& r = mon.poll();
  CHECK(r.window_index == 0);
  CHECK(r.groups[0].labelled == 4.0);
  // tp = 3, fp = 1: precision 3/4.
  CHECK(r.groups[0].rates[static_cast<std::size_t>(fm::rate_metric::precision)].estimate == 0.75);
}

TEST_CASE("observe, label and poll never allocate after construction", "[monitor][memory]") {
  const auto rows = random_stream(20000, 3, 4);
  std::vector<std::uint64_t> ids(rows.size());
  for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = i * 2654435761u;
  for (auto kind : {fm::window_kind::sliding, fm::window_kind::tumbling, fm::window_kind::decay}) {
    auto cfg = small_config(kind, 1000);
    cfg.pending_capacity = 64;
    cfg.constraints.push_back({});
    cfg.constraints.push_back({.metric = fm::rate_metric::true_positive_rate,
                               .kind = fm::constraint_kind::group_rate,
                               .op = fm::bound_op::ge,
                               .bound = 0.9});
    std::vector<double> bs(300);
    std::vector<std::uint32_t> bg(300);
    std::vector<std::uint8_t> bl(300);
    for (std::size_t i = 0; i < 300; ++i) {
      bs[i] = rows[i].score;
      bg[i] = rows[i].group;
      bl[i] = static_cast<std::uint8_t>(i % 2);
    }
    fm::monitor mon(cfg, fm::make_baseline(bs, bg, bl, cfg));
    const std::uint64_t before = g_allocations.load();
    std::size_t alarms = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (i % 3 == 0) {
        mon.observe_unlabeled(ids[i], rows[i].score, rows[i].group);
      } else {
        mon.observe(rows[i].score, rows[i].group, rows[i].label);
      }
      if (i % 3 == 1) (void)mon.label(ids[i - 1], 1);
      if (i % 500 == 0) alarms += mon.poll().alarms.size();
    }
    CHECK(g_allocations.load() == before);
    CHECK(mon.observations() == rows.size());
    (void)alarms;
  }
}

TEST_CASE("memory_bytes follows the documented formula", "[monitor][memory]") {
  auto cfg = small_config(fm::window_kind::sliding, 1000);
  cfg.drift.bins = 10;
  cfg.pending_capacity = 100;  // index: pow2ceil(200) = 256 slots
  fm::monitor mon(cfg);
  const std::size_t G = 3, K = 10, N = 1000, P = 100, C = 0;
  const std::size_t expected = 1 * G * (12 + K) * 8 + N * 8 + P * 40 + 4 * 256 +
                               G * sizeof(fm::group_status) + C * sizeof(fm::constraint_status) +
                               (2 * C + 2) * G * sizeof(fm::alarm);
  CHECK(mon.memory_bytes() == expected);
}

TEST_CASE("the monitor rejects bad observations with row-named errors", "[monitor][errors]") {
  fm::monitor mon(small_config(fm::window_kind::sliding, 10));
  mon.observe(0.5, 0, 1);
  CHECK_THROWS_WITH(mon.observe(0.5, 3, 1),
                    Catch::Contains("observation 1") && Catch::Contains("group = 3"));
  CHECK_THROWS_WITH(mon.observe(std::nan(""), 0, 1), Catch::Contains("must be finite"));
  CHECK_THROWS_WITH(mon.observe(0.5, 0, 2), Catch::Contains("label = 2"));
  mon.observe_unlabeled(5, 0.5, 0);
  CHECK_THROWS_WITH(mon.observe_unlabeled(5, 0.5, 0), Catch::Contains("id 5 is already awaiting"));
  CHECK_THROWS_AS(mon.label(5, 2), fairgate::error);
  // A rejected observation changes nothing.
  CHECK(mon.observations() == 2);
}

TEST_CASE("the monitor rejects invalid configurations and mismatched baselines",
          "[monitor][errors]") {
  auto bad = small_config(fm::window_kind::sliding, 0);
  CHECK_THROWS_WITH(fm::monitor(bad), Catch::Contains("window.size"));
  auto bins = small_config(fm::window_kind::sliding, 10);
  bins.drift.bins = 0;
  CHECK_THROWS_AS(fm::monitor(bins), fairgate::error);
  auto bound = small_config(fm::window_kind::sliding, 10);
  bound.constraints.push_back({.bound = std::nan("")});
  CHECK_THROWS_WITH(fm::monitor(bound), Catch::Contains("constraints[0]"));
  auto ok = small_config(fm::window_kind::sliding, 10);
  fm::baseline b{fairgate::metrics::group_accumulator(2), {}};
  CHECK_THROWS_WITH(fm::monitor(ok, b), Catch::Contains("baseline has 2 groups"));
  fm::baseline h{fairgate::metrics::group_accumulator(3), std::vector<std::uint64_t>(5)};
  CHECK_THROWS_AS(fm::monitor(ok, h), fairgate::error);
}
