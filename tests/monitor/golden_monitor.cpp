// Golden program for scripts/check-determinism: the monitor on a fixed stream
// with an injected drift and delayed labels, under each window kind. Prints
// "<name> <value>" lines: an FNV-1a 64 hash of the bits of every poll's
// report (per-group rates, intervals, PSI/KS, constraint states, alarms), the
// number of alarms, and the first poll that raised each alarm kind. No test
// framework and no compiled fairgate parts. With a file argument it also
// compares its output with that file and exits 1 on any difference.
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <fairgate/digest.hpp>
#include <fairgate/monitor/monitor.hpp>
#include <fairgate/rng/stream.hpp>
#include <fairgate/rng/uniform.hpp>

namespace fm = fairgate::monitor;
namespace fr = fairgate::rng;

namespace {

void hash_double(fairgate::fnv1a64& h, double v) {
  std::uint64_t b = 0;
  std::memcpy(&b, &v, sizeof b);
  h.update_u64(b);
}

// Row i of the stream: 3 groups; from row 6000 on, group 2's positive rate
// drops from 0.5 to 0.25 and its scores shrink towards 0.
struct row {
  double score;
  std::uint32_t group;
  std::uint8_t label;
};
row make_row(fr::stream& s, std::uint64_t i) {
  row r{};
  r.group = fr::bounded_u32(s, 3);
  const bool drift = i >= 6000 && r.group == 2;
  const bool pos = fr::uniform_double(s) < (drift ? 0.25 : 0.5);
  const double u = fr::uniform_double(s);
  r.score = (pos ? 0.5 : 0.0) + 0.5 * (drift ? u * u : u);
  r.label = (fr::uniform_double(s) < 0.85) == pos ? 1 : 0;
  return r;
}

std::vector<std::pair<std::string, std::string>> run(fm::window_kind kind, const char* name) {
  fm::monitor_config cfg;
  cfg.n_groups = 3;
  cfg.window = {kind, 1500, 1000.0};
  cfg.min_support = 50;
  cfg.pending_capacity = 256;
  cfg.constraints.push_back({.metric = fm::rate_metric::selection_rate, .bound = 0.1});
  cfg.constraints.push_back({.metric = fm::rate_metric::true_positive_rate,
                             .kind = fm::constraint_kind::group_rate,
                             .op = fm::bound_op::ge,
                             .bound = 0.6});
  // Baseline: 6000 rows of the undrifted distribution (its own stream).
  fr::stream bs(2024, fr::purposes::test, 1);
  std::vector<double> sc;
  std::vector<std::uint32_t> gr;
  std::vector<std::uint8_t> lb;
  for (std::uint64_t i = 0; i < 6000; ++i) {
    const row r = make_row(bs, i);
    sc.push_back(r.score);
    gr.push_back(r.group);
    lb.push_back(r.label);
  }
  fm::monitor mon(cfg, fm::make_baseline(sc, gr, lb, cfg));
  fr::stream s(2024, fr::purposes::test, 2);
  fairgate::fnv1a64 h;
  std::uint64_t alarms = 0;
  std::map<std::string, std::uint64_t> first;
  std::uint8_t held[64] = {};  // labels of the last 64 rows (the host's label source)
  for (std::uint64_t i = 0; i < 15000; ++i) {
    const row r = make_row(s, i);
    if (i % 4 == 0) {
      mon.observe_unlabeled(i, r.score, r.group);  // labelled 40 rows later
    } else {
      mon.observe(r.score, r.group, static_cast<std::int8_t>(r.label));
    }
    held[i % 64] = r.label;
    if (i >= 40 && (i - 40) % 4 == 0) (void)mon.label(i - 40, held[(i - 40) % 64]);
    if (i % 500 == 499) {
      const auto& rep = mon.poll();
      for (const auto& g : rep.groups) {
        hash_double(h, g.observations);
        hash_double(h, g.effective);
        for (const auto& iv : g.rates) {
          hash_double(h, iv.estimate);
          hash_double(h, iv.lower);
          hash_double(h, iv.upper);
        }
        hash_double(h, g.psi);
        hash_double(h, g.ks);
      }
      for (const auto& c : rep.constraints) {
        h.update_u32(static_cast<std::uint32_t>(c.state));
        hash_double(h, c.value.lower);
        hash_double(h, c.value.upper);
      }
      for (const auto& a : rep.alarms) {
        h.update_u32(static_cast<std::uint32_t>(a.kind));
        h.update_u32(a.group);
        hash_double(h, a.value);
        hash_double(h, a.lower);
        hash_double(h, a.upper);
        hash_double(h, a.threshold);
        hash_double(h, a.p_value);
        ++alarms;
        first.emplace(fm::alarm_kind_name(a.kind), rep.poll);
      }
    }
  }
  std::vector<std::pair<std::string, std::string>> out;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016" PRIx64, h.value());
  out.emplace_back(std::string("monitor.") + name + ".report_hash", hex);
  out.emplace_back(std::string("monitor.") + name + ".alarms", std::to_string(alarms));
  for (const char* k : {"parity_bound", "change", "psi", "ks"}) {
    const auto it = first.find(k);
    out.emplace_back(std::string("monitor.") + name + ".first_poll." + k,
                     it == first.end() ? "none" : std::to_string(it->second));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::pair<std::string, std::string>> lines;
  for (auto [kind, name] : {std::pair{fm::window_kind::sliding, "sliding"},
                            std::pair{fm::window_kind::tumbling, "tumbling"},
                            std::pair{fm::window_kind::decay, "decay"}}) {
    auto part = run(kind, name);
    lines.insert(lines.end(), part.begin(), part.end());
  }
  for (const auto& [n, v] : lines) std::printf("%s %s\n", n.c_str(), v.c_str());
  if (argc < 2) return 0;
  std::ifstream in(argv[1]);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", argv[1]);
    return 2;
  }
  std::map<std::string, std::string> expected;
  std::string name, value;
  while (in >> name >> value) expected[name] = value;
  int bad = 0;
  for (const auto& [n, v] : lines) {
    const auto it = expected.find(n);
    if (it == expected.end() || it->second != v) {
      std::fprintf(stderr, "MISMATCH %s: got %s, expected %s\n", n.c_str(), v.c_str(),
                   it == expected.end() ? "(missing)" : it->second.c_str());
      ++bad;
    }
  }
  if (expected.size() != lines.size()) ++bad;
  std::fprintf(stderr, "%s: %zu golden lines, %d mismatches\n", argv[1], lines.size(), bad);
  return bad == 0 ? 0 : 1;
}
