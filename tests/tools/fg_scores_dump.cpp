// fg_scores_dump: runs fairgate's score-based metric kernels on raw arrays and
// prints the results as text, for the Python differential tests
// (tests/metrics_scores/sklearn_differential.py).
//
// Usage: fg_scores_dump <dir> <n_groups> <command> [--weights] [--f32] [n_bins]
//   <dir> holds little-endian raw files: scores.f64 (or scores.f32 with --f32),
//   labels.u8, groups.u16, weights.f64 (read with --weights), thresholds.f64
//   (sweep only).
// Commands and output (one record per line, doubles as %.17g, "nan" for NaN;
// group "all" is the overall result):
//   auc              auc <g> <defined> <value>
//   roc              curve <g> <points>, then <threshold> <fpr> <tpr> per point
//   logloss | brier  loss <g> <defined> <value>
//   calib_uniform N | calib_quantile N
//                    bin <g> <bin> <count> <fraction_positive> <mean_predicted>  (nonempty bins)
//                    summary <g> <ece> <mce> <calibration_in_the_large>
//   xauc             xauc <a> <b> <defined> <value>
//   sweep            cell <g> <k> <tp> <fp> <tn> <fn> [<wtp> <wfp> <wtn> <wfn>]
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <vector>

#include <fairgate/error.hpp>
#include <fairgate/metrics/calibration.hpp>
#include <fairgate/metrics/probabilistic.hpp>
#include <fairgate/metrics/roc.hpp>
#include <fairgate/metrics/threshold_sweep.hpp>

#include "raw_files.hpp"

namespace fm = fairgate::metrics;

namespace {

using fairgate_test::read_raw;
const auto& gname = fairgate_test::group_label;

template <class S>
int run(const std::string& dir, std::size_t n_groups, const std::string& cmd, bool weighted,
        std::size_t n_bins) {
  const auto scores = read_raw<S>(dir + (sizeof(S) == 4 ? "/scores.f32" : "/scores.f64"));
  const auto labels = read_raw<std::uint8_t>(dir + "/labels.u8");
  const auto groups = read_raw<std::uint16_t>(dir + "/groups.u16");
  const auto wv = weighted ? read_raw<double>(dir + "/weights.f64") : std::vector<double>{};
  const std::span<const S> s(scores);
  const std::span<const std::uint8_t> y(labels);
  const std::span<const std::uint16_t> g(groups);
  const std::span<const double> w(wv);
  if (cmd == "auc") {
    const auto r = fm::roc_auc(s, y, g, n_groups, w);
    for (std::size_t k = 0; k <= n_groups; ++k) {
      const auto& v = k < n_groups ? r.groups[k] : r.overall;
      std::printf("auc %s %d %.17g\n", gname(k, n_groups).c_str(), v.defined ? 1 : 0, v.auc);
    }
  } else if (cmd == "roc") {
    const auto r = fm::roc_curves(s, y, g, n_groups, w);
    for (std::size_t k = 0; k <= n_groups; ++k) {
      const auto& c = k < n_groups ? r.groups[k] : r.overall;
      std::printf("curve %s %zu\n", gname(k, n_groups).c_str(), c.thresholds.size());
      for (std::size_t i = 0; i < c.thresholds.size(); ++i) {
        std::printf("%.17g %.17g %.17g\n", c.thresholds[i], c.fpr[i], c.tpr[i]);
      }
    }
  } else if (cmd == "logloss" || cmd == "brier") {
    const auto r =
        cmd == "brier" ? fm::brier_score(s, y, g, n_groups, w) : fm::log_loss(s, y, g, n_groups, w);
    for (std::size_t k = 0; k <= n_groups; ++k) {
      const auto& v = k < n_groups ? r.groups[k] : r.overall;
      std::printf("loss %s %d %.17g\n", gname(k, n_groups).c_str(), v.defined ? 1 : 0, v.value);
    }
  } else if (cmd == "calib_uniform" || cmd == "calib_quantile") {
    const auto r =
        fm::calibration(s, y, g, n_groups, n_bins,
                        cmd == "calib_uniform" ? fm::binning::uniform : fm::binning::quantile, w);
    for (std::size_t k = 0; k <= n_groups; ++k) {
      const auto& c = k < n_groups ? r.groups[k] : r.overall;
      for (std::size_t b = 0; b < c.bins.size(); ++b) {
        if (!c.bins[b].nonempty) continue;
        std::printf("bin %s %zu %llu %.17g %.17g\n", gname(k, n_groups).c_str(), b,
                    static_cast<unsigned long long>(c.bins[b].count), c.bins[b].fraction_positive,
                    c.bins[b].mean_predicted);
      }
      std::printf("summary %s %.17g %.17g %.17g\n", gname(k, n_groups).c_str(), c.ece, c.mce,
                  c.calibration_in_the_large);
    }
  } else if (cmd == "xauc") {
    const auto x = fm::xauc(s, y, g, n_groups, w);
    for (std::size_t a = 0; a < n_groups; ++a) {
      for (std::size_t b = 0; b < n_groups; ++b) {
        std::printf("xauc %zu %zu %d %.17g\n", a, b, x.is_defined(a, b) ? 1 : 0, x.at(a, b));
      }
    }
  } else if (cmd == "sweep") {
    const auto t = read_raw<double>(dir + "/thresholds.f64");
    const auto r = fm::threshold_sweep(s, y, g, n_groups, std::span<const double>(t), w);
    for (std::size_t k = 0; k <= n_groups; ++k) {
      for (std::size_t j = 0; j < t.size(); ++j) {
        const auto& c = r.at(k, j);
        std::printf("cell %s %zu %llu %llu %llu %llu", gname(k, n_groups).c_str(), j,
                    static_cast<unsigned long long>(c.tp), static_cast<unsigned long long>(c.fp),
                    static_cast<unsigned long long>(c.tn), static_cast<unsigned long long>(c.fn));
        if (weighted) {
          const auto& cw = r.weights_at(k, j);
          std::printf(" %.17g %.17g %.17g %.17g", cw.tp, cw.fp, cw.tn, cw.fn);
        }
        std::printf("\n");
      }
    }
  } else {
    std::fprintf(stderr, "unknown command %s\n", cmd.c_str());
    return 2;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr,
                 "usage: fg_scores_dump <dir> <n_groups> <command> [--weights] [--f32] [n_bins]\n");
    return 2;
  }
  bool weighted = false, f32 = false;
  std::size_t n_bins = 10;
  for (int i = 4; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--weights") {
      weighted = true;
    } else if (a == "--f32") {
      f32 = true;
    } else {
      n_bins = static_cast<std::size_t>(std::strtoull(argv[i], nullptr, 10));
    }
  }
  try {
    const auto n_groups = static_cast<std::size_t>(std::strtoull(argv[2], nullptr, 10));
    return f32 ? run<float>(argv[1], n_groups, argv[3], weighted, n_bins)
               : run<double>(argv[1], n_groups, argv[3], weighted, n_bins);
  } catch (const fairgate::error& e) {
    std::fprintf(stderr, "fairgate error (%s): %s\n", fairgate::errc_name(e.code()), e.what());
    return 1;
  }
}
