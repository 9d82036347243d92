// The three alarm families, judged on synthetic streams with known truth.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <vector>

#include <fairgate/monitor/monitor.hpp>
#include <fairgate/rng/stream.hpp>
#include <fairgate/rng/uniform.hpp>

namespace fm = fairgate::monitor;
namespace fr = fairgate::rng;

namespace {

// Group g is predicted positive with probability rate[g]; label = prediction
// with probability 0.8. Scores: U(0.5, 1) when positive, U(0, 0.5) otherwise,
// shifted by `shift` (clamped to [0, 1]).
void feed(fm::monitor& mon, std::uint64_t seed, std::size_t n, const std::vector<double>& rate,
          double shift = 0.0) {
  fr::stream s(seed, fr::purposes::test, 11);
  for (std::size_t i = 0; i < n; ++i) {
    const auto g = static_cast<std::uint32_t>(i % rate.size());
    const bool pos = fr::uniform_double(s) < rate[g];
    double score = (pos ? 0.5 : 0.0) + 0.5 * fr::uniform_double(s) + shift;
    score = score < 0.0 ? 0.0 : score > 1.0 ? 1.0 : score;
    const bool agree = fr::uniform_double(s) < 0.8;
    mon.observe(score, g, static_cast<std::int8_t>(agree == pos ? 1 : 0));
  }
}

fm::baseline baseline_of(const fm::monitor_config& cfg, std::uint64_t seed, std::size_t n,
                         const std::vector<double>& rate) {
  fr::stream s(seed, fr::purposes::test, 11);
  std::vector<double> sc(n);
  std::vector<std::uint32_t> gr(n);
  std::vector<std::uint8_t> lb(n);
  for (std::size_t i = 0; i < n; ++i) {
    gr[i] = static_cast<std::uint32_t>(i % rate.size());
    const bool pos = fr::uniform_double(s) < rate[gr[i]];
    sc[i] = (pos ? 0.5 : 0.0) + 0.5 * fr::uniform_double(s);
    lb[i] = (fr::uniform_double(s) < 0.8) == pos ? 1 : 0;
  }
  return fm::make_baseline(sc, gr, lb, cfg);
}

fm::monitor_config two_groups(double bound = 0.1) {
  fm::monitor_config c;
  c.n_groups = 2;
  c.window = {fm::window_kind::sliding, 2000, 1.0};
  c.constraints.push_back({.metric = fm::rate_metric::selection_rate,
                           .kind = fm::constraint_kind::difference,
                           .op = fm::bound_op::le,
                           .bound = bound});
  return c;
}

std::size_t count(const fm::report& r, fm::alarm_kind k) {
  std::size_t n = 0;
  for (const auto& a : r.alarms) n += a.kind == k;
  return n;
}

}  // namespace

TEST_CASE("a parity gap far above its bound is violated and raises one alarm",
          "[monitor][alarms]") {
  fm::monitor mon(two_groups(0.1));
  feed(mon, 1, 2000, {0.8, 0.2});  // true difference 0.6 >> 0.1
  const auto& r = mon.poll();
  REQUIRE(r.constraints[0].state == fm::constraint_state::violated);
  REQUIRE(count(r, fm::alarm_kind::parity_bound) == 1);
  const auto& a = r.alarms[0];
  CHECK(a.group == 0);
  CHECK(a.other_group == 1);
  CHECK(a.lower > 0.1);
  CHECK(a.lower <= a.value);
  CHECK(a.value <= a.upper);
  CHECK(a.threshold == 0.1);
}

TEST_CASE("a parity gap judged by its interval, not its point estimate", "[monitor][alarms]") {
  // 40 rows: a point gap above the bound but an interval that straddles it.
  auto cfg = two_groups(0.1);
  cfg.min_support = 10;
  fm::monitor mon(cfg);
  for (int i = 0; i < 20; ++i) mon.observe(i < 12 ? 0.9 : 0.1, 0);  // 0.6
  for (int i = 0; i < 20; ++i) mon.observe(i < 9 ? 0.9 : 0.1, 1);   // 0.45
  const auto& r = mon.poll();
  CHECK(r.constraints[0].value.estimate > 0.1);
  CHECK(r.constraints[0].state == fm::constraint_state::inconclusive);
  CHECK(count(r, fm::alarm_kind::parity_bound) == 0);
}

TEST_CASE("equal rates on a large window satisfy a parity bound", "[monitor][alarms]") {
  auto cfg = two_groups(0.1);
  cfg.window.size = 20000;
  fm::monitor mon(cfg);
  feed(mon, 2, 20000, {0.5, 0.5});
  const auto& r = mon.poll();
  CHECK(r.constraints[0].state == fm::constraint_state::satisfied);
  CHECK(r.alarms.empty());
}

TEST_CASE("groups below min_support are not judged", "[monitor][alarms]") {
  auto cfg = two_groups(0.1);
  cfg.min_support = 1000;
  fm::monitor mon(cfg);
  feed(mon, 3, 1000, {0.9, 0.1});  // 500 per group
  CHECK(mon.poll().constraints[0].state == fm::constraint_state::insufficient);
}

TEST_CASE("a per-group rate bound raises an alarm for each violating group only",
          "[monitor][alarms]") {
  auto cfg = two_groups();
  cfg.constraints[0] = {.metric = fm::rate_metric::selection_rate,
                        .kind = fm::constraint_kind::group_rate,
                        .op = fm::bound_op::ge,
                        .bound = 0.4};
  fm::monitor mon(cfg);
  feed(mon, 4, 2000, {0.7, 0.2});
  const auto& r = mon.poll();
  CHECK(r.constraints[0].state == fm::constraint_state::violated);
  CHECK(r.constraints[0].group == 1);
  REQUIRE(count(r, fm::alarm_kind::parity_bound) == 1);
  CHECK(r.alarms[0].group == 1);
}

TEST_CASE("a rate that moved away from the baseline raises a change alarm for that group",
          "[monitor][alarms]") {
  auto cfg = two_groups(0.9);  // a loose bound: only the change alarm can fire
  const auto base = baseline_of(cfg, 5, 4000, {0.5, 0.5});
  fm::monitor mon(cfg, base);
  feed(mon, 6, 2000, {0.5, 0.25});
  const auto& r = mon.poll();
  REQUIRE(count(r, fm::alarm_kind::change) == 1);
  const fm::alarm* a = nullptr;
  for (const auto& x : r.alarms)
    if (x.kind == fm::alarm_kind::change) a = &x;
  CHECK(a->group == 1);
  CHECK(a->p_value < a->level);
  CHECK(a->level == fm::spent_alpha(0.05, 1) / 2.0);
  CHECK(a->upper < 0.0);  // window - baseline is negative, with its interval
  CHECK(r.constraints[0].change_alarm);
}

TEST_CASE("no change alarm over 200 polls of a stream that matches its baseline",
          "[monitor][alarms]") {
  // Alpha spending bounds the family-wise false-alarm rate over all polls by alpha.
  auto cfg = two_groups(0.9);
  cfg.window = {fm::window_kind::tumbling, 500, 1.0};
  cfg.drift.enabled = false;
  const auto base = baseline_of(cfg, 7, 4000, {0.5, 0.3});
  fm::monitor mon(cfg, base);
  std::size_t changes = 0;
  for (std::uint64_t k = 0; k < 200; ++k) {
    feed(mon, 100 + k, 500, {0.5, 0.3});
    changes += count(mon.poll(), fm::alarm_kind::change);
  }
  CHECK(changes == 0);
}

TEST_CASE("a shifted score distribution raises PSI and KS alarms for the shifted group",
          "[monitor][alarms]") {
  auto cfg = two_groups(0.9);
  for (auto& c : cfg.constraints) c.watch_change = false;
  const auto base = baseline_of(cfg, 8, 4000, {0.5, 0.5});
  fm::monitor mon(cfg, base);
  // Same rates; group 1's scores shift by -0.2 inside each half of [0, 1].
  fr::stream s(9, fr::purposes::test, 12);
  for (int i = 0; i < 2000; ++i) {
    const auto g = static_cast<std::uint32_t>(i % 2);
    const bool pos = fr::uniform_double(s) < 0.5;
    double score = (pos ? 0.5 : 0.0) + 0.5 * fr::uniform_double(s);
    if (g == 1)
      score = (pos ? 0.5 : 0.0) + 0.5 * fr::uniform_double(s) * 0.4;  // mass moves to the low bins
    mon.observe(score, g, 1);
  }
  const auto& r = mon.poll();
  CHECK(r.groups[1].psi > 0.25);
  CHECK(r.groups[0].psi < 0.1);
  std::size_t psi1 = 0, ks1 = 0, other = 0;
  for (const auto& a : r.alarms) {
    if (a.group == 1 && a.kind == fm::alarm_kind::psi)
      ++psi1;
    else if (a.group == 1 && a.kind == fm::alarm_kind::ks)
      ++ks1;
    else if (a.kind == fm::alarm_kind::psi || a.kind == fm::alarm_kind::ks)
      ++other;
  }
  CHECK(psi1 == 1);
  CHECK(ks1 == 1);
  CHECK(other == 0);
}

TEST_CASE("the same stream gives the same report bit for bit", "[monitor][determinism]") {
  auto run = [] {
    auto cfg = two_groups(0.1);
    cfg.window = {fm::window_kind::decay, 0, 300.0};
    const auto base = baseline_of(cfg, 10, 3000, {0.5, 0.5});
    fm::monitor mon(cfg, base);
    std::vector<fm::alarm> all;
    for (int k = 0; k < 10; ++k) {
      feed(mon, 20 + static_cast<std::uint64_t>(k), 400, {0.5, k < 5 ? 0.5 : 0.2},
           k < 5 ? 0.0 : -0.1);
      const auto& r = mon.poll();
      all.insert(all.end(), r.alarms.begin(), r.alarms.end());
    }
    return all;
  };
  const auto a = run(), b = run();
  REQUIRE(a.size() == b.size());
  REQUIRE_FALSE(a.empty());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].kind == b[i].kind);
    CHECK(a[i].group == b[i].group);
    CHECK(std::memcmp(&a[i].value, &b[i].value, sizeof(double)) == 0);
    CHECK(std::memcmp(&a[i].lower, &b[i].lower, sizeof(double)) == 0);
    CHECK(std::memcmp(&a[i].upper, &b[i].upper, sizeof(double)) == 0);
  }
}
