// monitor_dump: runs the monitor over a binary stream file and prints every
// poll's per-group statistics, for the Python differential test
// (test_monitor_oracle.py). Not a public tool.
//
//   monitor_dump <kind: sliding|tumbling|decay> <N or H> <bins> <poll_every> <baseline.bin>
//   <stream.bin>
// Files: rows of (f64 score, u32 group, i32 label) little-endian; label -1 = none.
// Output per poll and group: "poll g obs eff sel sel_lo sel_hi tpr tpr_lo tpr_hi psi ks" (%.17g).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <iterator>
#include <vector>

#include <fairgate/monitor/monitor.hpp>

#include "stream_rows.hpp"

namespace fm = fairgate::monitor;

namespace {
using rows = fairgate_test::stream_rows;
}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) {
    std::fprintf(stderr, "usage: monitor_dump kind N bins poll_every baseline.bin stream.bin\n");
    return 2;
  }
  try {
    fm::monitor_config cfg;
    cfg.n_groups = 3;
    const std::string kind = argv[1];
    cfg.window.kind = kind == "tumbling" ? fm::window_kind::tumbling
                      : kind == "decay"  ? fm::window_kind::decay
                                         : fm::window_kind::sliding;
    cfg.window.size = std::strtoull(argv[2], nullptr, 10);
    cfg.window.half_life = std::strtod(argv[2], nullptr);
    cfg.drift.bins = static_cast<std::uint32_t>(std::strtoul(argv[3], nullptr, 10));
    cfg.min_support = 1;
    const auto every = std::strtoull(argv[4], nullptr, 10);
    const rows base = fairgate_test::read_stream_rows(argv[5]);
    std::vector<std::uint8_t> bl(base.label.size());
    for (std::size_t i = 0; i < bl.size(); ++i) bl[i] = static_cast<std::uint8_t>(base.label[i]);
    fm::monitor mon(cfg, fm::make_baseline(base.score, base.group, bl, cfg));
    const rows s = fairgate_test::read_stream_rows(argv[6]);
    for (std::size_t i = 0; i < s.score.size(); ++i) {
      mon.observe(s.score[i], s.group[i], static_cast<std::int8_t>(s.label[i]));
      if ((i + 1) % every != 0) continue;
      const auto& r = mon.poll();
      for (std::uint32_t g = 0; g < 3; ++g) {
        const auto& x = r.groups[g];
        const auto& sel = x.rates[static_cast<std::size_t>(fm::rate_metric::selection_rate)];
        const auto& tpr = x.rates[static_cast<std::size_t>(fm::rate_metric::true_positive_rate)];
        std::printf("%zu %u %.17g %.17g %.17g %.17g %.17g %.17g %.17g %.17g %.17g %.17g\n", i + 1,
                    g, x.observations, x.effective, sel.estimate, sel.lower, sel.upper,
                    tpr.estimate, tpr.lower, tpr.upper, x.psi, x.ks);
      }
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "monitor_dump: %s\n", e.what());
    return 1;
  }
}
