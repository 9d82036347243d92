// fg_acc_scores_dump: score statistics of a group_accumulator, for
// sklearn_differential.py. Reads <dir>/scores.f64 (or .f32 with --f32),
// labels.u8, groups.u16 and (with --weights) weights.f64, accumulates them
// in three shards (the middle one on 2 threads), serialises each shard,
// deserialises and merges them in reverse order, and prints
//   calbin <g> <bin> <count> <weight> <fraction_positive> <mean_predicted>  (nonempty bins)
//   calsum <g> <defined> <ece> <mce> <calibration_in_the_large>
//   hist   <g> <bin> <count_neg> <count_pos> <weight_neg> <weight_pos>
//   auc    <g> <defined> <binned auc>
// with <g> a group code or "all".
// Usage: fg_acc_scores_dump <dir> <n_groups> <cal_bins> <hist_bins> <lo> <hi> [--weights] [--f32]
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
#include <fairgate/metrics/accumulate.hpp>
#include <fairgate/metrics/accumulator_scores.hpp>
#include <fairgate/metrics/serialize.hpp>

#include "../tools/raw_files.hpp"

namespace fm = fairgate::metrics;

namespace {

using fairgate_test::read_raw;
const auto& gname = fairgate_test::group_label;

template <class S>
int run(const std::string& dir, std::uint32_t G, const fm::score_statistics_options& so,
        bool weighted) {
  const auto scores = read_raw<S>(dir + (sizeof(S) == 4 ? "/scores.f32" : "/scores.f64"));
  const auto labels = read_raw<std::uint8_t>(dir + "/labels.u8");
  const auto groups = read_raw<std::uint16_t>(dir + "/groups.u16");
  const auto wv = weighted ? read_raw<double>(dir + "/weights.f64") : std::vector<double>{};
  const std::size_t n = labels.size();
  const std::size_t cuts[4] = {0, n / 3, n / 3 + n / 2, n};
  std::vector<std::vector<std::uint8_t>> blobs;
  for (int part = 0; part < 3; ++part) {
    const std::size_t b = cuts[part], e = cuts[part + 1];
    fm::binary_inputs in{
        std::span<const std::uint8_t>(labels.data() + b, e - b),
        fm::prediction_view::scores(std::span<const S>(scores.data() + b, e - b), 0.5),
        std::span<const std::uint16_t>(groups.data() + b, e - b), G};
    if (weighted) in.weights = fm::real_view(std::span<const double>(wv.data() + b, e - b));
    fm::group_accumulator acc(G, so);
    fm::accumulate(acc, in, {.threads = part == 1 ? 2u : 1u});
    blobs.push_back(fm::serialize(acc));
  }
  fm::group_accumulator acc(G, so);
  for (int part = 2; part >= 0; --part)
    acc.merge(fm::deserialize(blobs[static_cast<std::size_t>(part)]));

  if (so.calibration_bins > 0) {
    const auto cal = fm::calibration(acc);
    for (std::size_t k = 0; k <= G; ++k) {
      const auto& c = k < G ? cal.groups[k] : cal.overall;
      for (std::size_t b = 0; b < c.bins.size(); ++b) {
        if (!c.bins[b].nonempty) continue;
        std::printf("calbin %s %zu %llu %.17g %.17g %.17g\n", gname(k, G).c_str(), b,
                    static_cast<unsigned long long>(c.bins[b].count), c.bins[b].weight,
                    c.bins[b].fraction_positive, c.bins[b].mean_predicted);
      }
      std::printf("calsum %s %d %.17g %.17g %.17g\n", gname(k, G).c_str(), c.defined ? 1 : 0, c.ece,
                  c.mce, c.calibration_in_the_large);
    }
  }
  if (so.histogram_bins > 0) {
    for (std::size_t k = 0; k <= G; ++k) {
      const auto h = k < G ? fm::histogram(acc, static_cast<std::uint32_t>(k))
                           : fm::pooled_histogram(acc, acc.all_groups());
      for (std::size_t b = 0; b < so.histogram_bins; ++b) {
        std::printf("hist %s %zu %llu %llu %.17g %.17g\n", gname(k, G).c_str(), b,
                    static_cast<unsigned long long>(h.count_neg[b]),
                    static_cast<unsigned long long>(h.count_pos[b]), h.weight_neg[b],
                    h.weight_pos[b]);
      }
    }
    const auto auc = fm::binned_roc_auc(acc);
    for (std::size_t k = 0; k <= G; ++k) {
      const auto& v = k < G ? auc.groups[k] : auc.overall;
      std::printf("auc %s %d %.17g\n", gname(k, G).c_str(), v.defined ? 1 : 0, v.auc);
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 7) {
    std::fprintf(stderr,
                 "usage: fg_acc_scores_dump <dir> <n_groups> <cal_bins> <hist_bins> <lo> <hi> "
                 "[--weights] [--f32]\n");
    return 2;
  }
  bool weighted = false, f32 = false;
  for (int i = 7; i < argc; ++i) {
    const std::string a = argv[i];
    weighted = weighted || a == "--weights";
    f32 = f32 || a == "--f32";
  }
  try {
    const auto G = static_cast<std::uint32_t>(std::strtoul(argv[2], nullptr, 10));
    const fm::score_statistics_options so{
        .calibration_bins = static_cast<std::uint32_t>(std::strtoul(argv[3], nullptr, 10)),
        .histogram_bins = static_cast<std::uint32_t>(std::strtoul(argv[4], nullptr, 10)),
        .histogram_min = std::strtod(argv[5], nullptr),
        .histogram_max = std::strtod(argv[6], nullptr)};
    return f32 ? run<float>(argv[1], G, so, weighted) : run<double>(argv[1], G, so, weighted);
  } catch (const fairgate::error& e) {
    std::fprintf(stderr, "fairgate error (%s): %s\n", fairgate::errc_name(e.code()), e.what());
    return 1;
  }
}
