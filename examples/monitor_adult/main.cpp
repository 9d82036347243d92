// examples/monitor_adult: a minimal "runtime" loop that feeds Adult predictions
// to a fairgate monitor, with a drift injected half-way, and reports the
// window at which the alarms fire.
//
//   ./monitor_adult            prints every poll
//   ./monitor_adult --check    also exits 1 unless the first alarm on the
//                              drifted group is in the first window after the
//                              drift, and nothing fires before it (CTest)
//
// The "deployed model" is a fixed scoring rule on four numeric features (a
// stand-in: the monitor never sees the model, only its scores):
//   score = 1 / (1 + exp(-(0.6 (education_num - 10) + 0.3 (age - 38) / 10
//                          + 0.25 (hours_per_week - 40) / 10 + 2 [capital_gain > 5000] - 1.2)))
// The baseline is the rule's output on the training split (30,162 rows). The
// stream is the test split (15,060 rows) in file order, in tumbling windows of
// 1,500 predictions. From row 7,500 on (the start of window 5) the runtime
// "deploys a compressed model" that under-scores women: their scores are
// multiplied by 0.6. Every fourth prediction's label arrives 100 predictions
// later through the delayed-label API.
//
// Rollback: before the loop the example plays the compression controller and
// records the target's last known-good configuration in a run directory
// (manifest + content store, under $TMPDIR), as docs/monitoring.md specifies.
// At the first alarm the host asks monitor::last_known_good for it and gets
// the recorded bytes back; --check requires them to be identical.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <vector>

#include <fairgate/io/adult.hpp>
#include <fairgate/math/deterministic.hpp>
#include <fairgate/monitor/monitor.hpp>
#if FAIRGATE_EXAMPLE_HAVE_MANIFEST
#include <unistd.h>
#include <filesystem>
#include <string>

#include <fairgate/io/store.hpp>
#include <fairgate/manifest/manifest.hpp>
#include <fairgate/monitor/rollback.hpp>
#endif

namespace fm = fairgate::monitor;

namespace {

struct scored {
  std::vector<double> score;
  std::vector<std::uint32_t> group;  // 0 = Female, 1 = Male (adult_dataset::sex_names order)
  std::vector<std::uint8_t> label;
};

scored score_split(const fairgate::io::adult_split& s) {
  const auto edu = s.table.numeric("education-num");
  const auto age = s.table.numeric("age");
  const auto hours = s.table.numeric("hours-per-week");
  const auto gain = s.table.numeric("capital-gain");
  scored out;
  for (std::size_t i = 0; i < edu.size(); ++i) {
    const double z = 0.6 * (edu[i] - 10.0) + 0.3 * (age[i] - 38.0) / 10.0 +
                     0.25 * (hours[i] - 40.0) / 10.0 + (gain[i] > 5000.0 ? 2.0 : 0.0) - 1.2;
    out.score.push_back(1.0 / (1.0 + fairgate::math::exp(-z)));
    out.group.push_back(s.sex[i]);
    out.label.push_back(s.labels[i]);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const bool check = argc > 1 && std::strcmp(argv[1], "--check") == 0;
  try {
    const auto adult = fairgate::io::load_adult();
    const auto train = score_split(adult.train);
    const auto test = score_split(adult.test);
    const std::uint32_t female = adult.sex_names[0] == "Female" ? 0 : 1;

    fm::monitor_config cfg;
    cfg.n_groups = static_cast<std::uint32_t>(adult.sex_names.size());
    cfg.window = {fm::window_kind::tumbling, 1500, 1.0};
    cfg.min_support = 30;
    cfg.target = "adult_demo";
    cfg.constraints.push_back({.metric = fm::rate_metric::selection_rate,
                               .kind = fm::constraint_kind::difference,
                               .op = fm::bound_op::le,
                               .bound = 0.25});
    cfg.constraints.push_back({.metric = fm::rate_metric::true_positive_rate,
                               .kind = fm::constraint_kind::group_rate,
                               .op = fm::bound_op::ge,
                               .bound = 0.3});
    fm::monitor mon(cfg, fm::make_baseline(train.score, train.group, train.label, cfg));
    std::printf("monitor: %zu heap bytes, groups:", mon.memory_bytes());
    for (const auto& n : adult.sex_names) std::printf(" %s", n.c_str());
    std::printf("\n");

#if FAIRGATE_EXAMPLE_HAVE_MANIFEST
    // The controller's record of the configuration that passed the gate.
    const std::string good_config =
        "target = \"adult_demo\"\nsparsity = 0.0\nbits = 32\nthreshold = 0.5\n";
    std::vector<std::byte> good_bytes(good_config.size());
    std::memcpy(good_bytes.data(), good_config.data(), good_config.size());
    const auto run_dir = std::filesystem::temp_directory_path() /
                         ("fairgate-monitor-adult-" + std::to_string(::getpid()));
    std::filesystem::remove_all(run_dir);
    fairgate::io::content_store store(run_dir / "store");
    {
      fairgate::manifest::manifest m;
      store.put(good_bytes);
      m.add_artifact(fm::last_good_artifact_name(cfg.target), good_bytes);
      m.write(run_dir / "manifest.json");
    }
    bool rolled_back = false, rollback_exact = false;
#endif
    const std::size_t drift_at = 7500;
    long first_alarm_window = -1, early_alarms = 0;
    for (std::size_t i = 0; i < test.score.size(); ++i) {
      double s = test.score[i];
      if (i >= drift_at && test.group[i] == female) s *= 0.6;  // the injected drift
      if (i % 4 == 0) {
        mon.observe_unlabeled(i, s, test.group[i]);
      } else {
        mon.observe(s, test.group[i], static_cast<std::int8_t>(test.label[i]));
      }
      if (i >= 100 && (i - 100) % 4 == 0) (void)mon.label(i - 100, test.label[i - 100]);
      if ((i + 1) % 1500 != 0) continue;
      const auto& r = mon.poll();  // a tumbling block just completed
      std::printf(
          "window %2llu rows %5llu  selection F %.3f M %.3f  TPR F %.3f M %.3f  PSI F %.3f  alarms "
          "%zu\n",
          static_cast<unsigned long long>(r.window_index),
          static_cast<unsigned long long>(r.observations), r.groups[female].rates[0].estimate,
          r.groups[1 - female].rates[0].estimate, r.groups[female].rates[1].estimate,
          r.groups[1 - female].rates[1].estimate, r.groups[female].psi, r.alarms.size());
      for (const auto& a : r.alarms) {
        std::printf(
            "  ALARM %-12s group %-6s metric %-20s value %.4f [%.4f, %.4f] threshold %.4g p %.3g "
            "support %.0f\n",
            fm::alarm_kind_name(a.kind),
            a.group == fm::no_group ? "-" : adult.sex_names[a.group].c_str(),
            a.kind == fm::alarm_kind::psi || a.kind == fm::alarm_kind::ks
                ? "score"
                : fm::rate_metric_name(a.metric),
            a.value, a.lower, a.upper, a.threshold, a.p_value, a.support);
#if FAIRGATE_EXAMPLE_HAVE_MANIFEST
        if (!rolled_back) {  // the host's reaction to the first alarm
          const auto m = fairgate::manifest::manifest::read(run_dir / "manifest.json");
          const auto good = fm::last_known_good(m, store, mon.config(), a);
          rolled_back = true;
          rollback_exact = good.bytes == good_bytes;
          std::printf("  ROLLBACK to %s (sha256 %.12s..., %zu bytes, %s)\n", good.artifact.c_str(),
                      good.sha256.c_str(), good.bytes.size(),
                      rollback_exact ? "identical to the recorded configuration" : "DIFFERENT");
        }
#endif
        if (a.group == female &&
            (a.kind == fm::alarm_kind::change || a.kind == fm::alarm_kind::psi)) {
          if (r.window_index < drift_at / 1500)
            ++early_alarms;
          else if (first_alarm_window < 0)
            first_alarm_window = static_cast<long>(r.window_index);
        }
      }
    }
    std::printf(
        "drift injected at row %zu (window %zu); first change/PSI alarm on Female: window %ld; "
        "earlier: %ld\n",
        drift_at, drift_at / 1500, first_alarm_window, early_alarms);
    bool rollback_ok = true;
#if FAIRGATE_EXAMPLE_HAVE_MANIFEST
    rollback_ok = rolled_back && rollback_exact;
    std::filesystem::remove_all(run_dir);
#endif
    if (check && (first_alarm_window != static_cast<long>(drift_at / 1500) || early_alarms != 0 ||
                  !rollback_ok)) {
      std::printf("CHECK FAILED\n");
      return 1;
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "monitor_adult: %s\n", e.what());
    return 1;
  }
}
