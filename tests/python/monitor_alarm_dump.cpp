// monitor_alarm_dump: the C++ monitor's reference output for
// python/tests/test_monitor.py, which feeds the same stream through the
// Python binding (C ABI) and requires identical text. Not a public tool.
//
//   monitor_alarm_dump <baseline.bin> <stream.bin>
// Files: rows of (f64 score, u32 group, i32 label) little-endian.
// The configuration and the feeding schedule are fixed here and mirrored in
// the Python test:
//   2 groups, tumbling windows of 1000, 10 bins, min_support 30, ks_alpha 0.001,
//   constraints: selection_rate difference <= 0.1; true_positive_rate
//   group_rate >= 0.5; baseline from the baseline rows (make_baseline).
//   Row i: i % 4 == 0 -> observe_unlabeled(i, score, group), its label given
//   100 rows later (before row i + 100 is observed); else observe(score, group, label).
//   poll() after every 1000th row.
// Output per poll: "poll <p> <obs> <window_index>", per group
// "group <g> <obs> <labelled> <sel est lo hi> <tpr est lo hi> <psi> <ks>", per
// constraint "constraint <k> <state> <group> <other> <est lo hi>", per alarm
// "alarm <kind> <constraint> <group> <other> <metric> <value> <lower> <upper>
// <threshold> <p_value>"; doubles as %.17g, every NaN printed as "nan".
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <fairgate/monitor/monitor.hpp>

#include "../monitor/stream_rows.hpp"

namespace fm = fairgate::monitor;

namespace {
using rows = fairgate_test::stream_rows;
std::string num(double x) {
  if (std::isnan(x)) return "nan";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}
std::string idx(std::uint32_t i) {
  return i == fm::no_group ? "-" : std::to_string(i);
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: monitor_alarm_dump baseline.bin stream.bin\n");
    return 2;
  }
  try {
    fm::monitor_config cfg;
    cfg.n_groups = 2;
    cfg.window = {fm::window_kind::tumbling, 1000, 1000.0};
    cfg.drift.bins = 10;
    cfg.drift.ks_alpha = 0.001;
    cfg.min_support = 30;
    cfg.constraints.push_back({fm::rate_metric::selection_rate, fm::constraint_kind::difference,
                               fm::bound_op::le, 0.1, 0.95, 0.05, true});
    cfg.constraints.push_back({fm::rate_metric::true_positive_rate, fm::constraint_kind::group_rate,
                               fm::bound_op::ge, 0.5, 0.95, 0.05, true});
    const rows base = fairgate_test::read_stream_rows(argv[1]);
    std::vector<std::uint8_t> bl(base.label.size());
    for (std::size_t i = 0; i < bl.size(); ++i) bl[i] = static_cast<std::uint8_t>(base.label[i]);
    fm::monitor mon(cfg, fm::make_baseline(base.score, base.group, bl, cfg));
    const rows s = fairgate_test::read_stream_rows(argv[2]);
    for (std::size_t i = 0; i < s.score.size(); ++i) {
      if (i >= 100 && (i - 100) % 4 == 0)
        (void)mon.label(i - 100, static_cast<std::uint8_t>(s.label[i - 100]));
      if (i % 4 == 0)
        mon.observe_unlabeled(i, s.score[i], s.group[i]);
      else
        mon.observe(s.score[i], s.group[i], static_cast<std::int8_t>(s.label[i]));
      if ((i + 1) % 1000 != 0) continue;
      const auto& r = mon.poll();
      std::printf("poll %llu %llu %llu\n", static_cast<unsigned long long>(r.poll),
                  static_cast<unsigned long long>(r.observations),
                  static_cast<unsigned long long>(r.window_index));
      for (std::uint32_t g = 0; g < cfg.n_groups; ++g) {
        const auto& x = r.groups[g];
        const auto& sel = x.rates[0];
        const auto& tpr = x.rates[1];
        std::printf("group %u %s %s %s %s %s %s %s %s %s %s\n", g, num(x.observations).c_str(),
                    num(x.labelled).c_str(), num(sel.estimate).c_str(), num(sel.lower).c_str(),
                    num(sel.upper).c_str(), num(tpr.estimate).c_str(), num(tpr.lower).c_str(),
                    num(tpr.upper).c_str(), num(x.psi).c_str(), num(x.ks).c_str());
      }
      for (std::size_t k = 0; k < r.constraints.size(); ++k) {
        const auto& c = r.constraints[k];
        std::printf("constraint %zu %s %s %s %s %s %s\n", k, fm::constraint_state_name(c.state),
                    idx(c.group).c_str(), idx(c.other_group).c_str(), num(c.value.estimate).c_str(),
                    num(c.value.lower).c_str(), num(c.value.upper).c_str());
      }
      for (const auto& a : r.alarms) {
        const bool drift = a.kind == fm::alarm_kind::psi || a.kind == fm::alarm_kind::ks;
        std::printf("alarm %s %s %s %s %s %s %s %s %s %s\n", fm::alarm_kind_name(a.kind),
                    idx(a.constraint).c_str(), idx(a.group).c_str(), idx(a.other_group).c_str(),
                    drift ? "-" : fm::rate_metric_name(a.metric), num(a.value).c_str(),
                    num(a.lower).c_str(), num(a.upper).c_str(), num(a.threshold).c_str(),
                    num(a.p_value).c_str());
      }
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "monitor_alarm_dump: %s\n", e.what());
    return 1;
  }
}
