// capi/src/scores.cpp: accumulators with score statistics over the C ABI:
// creation with options, calibration (ECE, MCE, CITL, reliability bins) and
// the binned ROC AUC (metrics/accumulator_scores.hpp).
//
// Every entry computes its whole result into C++ values first and copies it
// to the caller's memory only at the end, so a failing call (a throw inside
// guard()) never writes an output.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <fairgate/fairgate.h>
#include <fairgate/metrics/accumulator.hpp>
#include <fairgate/metrics/accumulator_scores.hpp>
#include <fairgate/metrics/calibration.hpp>
#include <fairgate/metrics/score_bins.hpp>

#include "guard.hpp"
#include "util.hpp"

using fairgate::capi::acc_of;
using fairgate::capi::guard;
using fairgate::capi::require_non_null;
namespace fm = fairgate::metrics;

namespace {

// v1 layouts are frozen: new fields only ever go at the end.
static_assert(sizeof(fairgate_accumulator_options) == 32, "ABI: v1 layout is frozen");
static_assert(offsetof(fairgate_accumulator_options, histogram_min) == 16,
              "ABI: v1 layout is frozen");
static_assert(sizeof(fairgate_calibration_summary) == 64, "ABI: v1 layout is frozen");
static_assert(sizeof(fairgate_calibration_bin) == 56, "ABI: v1 layout is frozen");

fairgate_accumulator_options default_options() {
  fairgate_accumulator_options o{};
  o.struct_size = sizeof(o);
  o.calibration_bins = 0;
  o.histogram_bins = 0;
  o.histogram_min = 0.0;
  o.histogram_max = 1.0;
  return o;
}

fairgate_calibration_summary summary_of(const fm::calibration_curve& c) {
  fairgate_calibration_summary s{};
  s.count = c.count;
  s.weight = c.weight;
  s.mean_score = c.mean_score;
  s.base_rate = c.base_rate;
  s.calibration_in_the_large = c.calibration_in_the_large;
  s.ece = c.ece;
  s.mce = c.mce;
  s.defined = c.defined ? 1 : 0;
  return s;
}

fairgate_calibration_bin bin_of(const fm::calibration_bin& b) {
  fairgate_calibration_bin r{};
  r.lower = b.lower;
  r.upper = b.upper;
  r.count = b.count;
  r.weight = b.weight;
  r.mean_predicted = b.mean_predicted;
  r.fraction_positive = b.fraction_positive;
  r.nonempty = b.nonempty ? 1 : 0;
  return r;
}

fairgate_auc_value auc_of(const fm::auc_value& v) {
  fairgate_auc_value r{};
  r.auc = v.auc;
  r.defined = v.defined ? 1 : 0;
  r.n_pos = v.n_pos;
  r.n_neg = v.n_neg;
  return r;
}

// The unweighted binned AUC counts pairs in 64-bit integers
// (accumulator_scores.hpp: n_pos * n_neg < 2^62); refuse rather than wrap.
void require_pair_count_fits(std::uint64_t n_pos, std::uint64_t n_neg, const std::string& what) {
  constexpr std::uint64_t limit = std::uint64_t{1} << 62;
  fairgate::require(n_pos == 0 || n_neg < limit / n_pos, fairgate::errc::unsupported, [&] {
    return what + ": " + std::to_string(n_pos) + " positives x " + std::to_string(n_neg) +
           " negatives is at least 2^62 pairs, beyond the unweighted binned AUC's exact "
           "64-bit pair count";
  });
}

}  // namespace

extern "C" {

fairgate_status fairgate_accumulator_options_init(fairgate_accumulator_options* options) {
  return guard([&] {
    require_non_null(options, "options");
    *options = default_options();
  });
}

fairgate_status fairgate_accumulator_create_with_options(
    uint32_t n_groups, const fairgate_accumulator_options* options, fairgate_accumulator** out) {
  return guard([&] {
    require_non_null(out, "out");
    auto a = std::make_unique<fairgate_accumulator>();
    if (options == nullptr) {
      a->acc = fm::group_accumulator(n_groups);
    } else {
      const auto o = fairgate::capi::read_versioned(options, sizeof(fairgate_accumulator_options),
                                                    default_options(), "options");
      fm::score_statistics_options so;
      so.calibration_bins = o.calibration_bins;
      so.histogram_bins = o.histogram_bins;
      so.histogram_min = o.histogram_min;
      so.histogram_max = o.histogram_max;
      // The constructor validates (bin counts, histogram range) before allocating.
      a->acc = so.any() ? fm::group_accumulator(n_groups, so) : fm::group_accumulator(n_groups);
    }
    *out = a.release();
  });
}

fairgate_status fairgate_accumulator_get_options(const fairgate_accumulator* acc,
                                                 fairgate_accumulator_options* out) {
  return guard([&] {
    const auto& a = acc_of(acc);
    require_non_null(out, "out");
    fairgate::require(out->struct_size >= sizeof(fairgate_accumulator_options),
                      fairgate::errc::invalid_argument, [&] {
                        return "out->struct_size = " + std::to_string(out->struct_size) +
                               " is smaller than any version of the struct; call "
                               "fairgate_accumulator_options_init first";
                      });
    const fm::score_statistics_options& so = a.score_options();
    fairgate_accumulator_options o = default_options();
    o.calibration_bins = so.calibration_bins;
    o.histogram_bins = so.histogram_bins;
    o.histogram_min = so.histogram_min;
    o.histogram_max = so.histogram_max;
    // A newer caller's larger struct keeps its extra fields and its struct_size.
    const uint32_t caller_size = out->struct_size;
    std::memcpy(static_cast<void*>(out), &o, sizeof(o));
    out->struct_size = caller_size;
  });
}

fairgate_status fairgate_accumulator_calibration(const fairgate_accumulator* acc,
                                                 fairgate_calibration_summary* out_by_group,
                                                 fairgate_calibration_summary* out_overall) {
  return guard([&] {
    const auto& a = acc_of(acc);
    require_non_null(out_by_group, "out_by_group");
    const fm::calibration_result r = fm::calibration(a);
    std::vector<fairgate_calibration_summary> by(r.groups.size());
    for (std::size_t g = 0; g < r.groups.size(); ++g) by[g] = summary_of(r.groups[g]);
    const fairgate_calibration_summary all = summary_of(r.overall);
    std::memcpy(out_by_group, by.data(), by.size() * sizeof(fairgate_calibration_summary));
    if (out_overall) *out_overall = all;
  });
}

fairgate_status fairgate_accumulator_reliability_bins(const fairgate_accumulator* acc,
                                                      uint32_t group,
                                                      fairgate_calibration_bin* out_bins,
                                                      size_t capacity, size_t* out_count) {
  return guard([&] {
    const auto& a = acc_of(acc);
    require_non_null(out_count, "out_count");
    fairgate::require(group < a.n_groups() || group == FAIRGATE_GROUP_OVERALL,
                      fairgate::errc::out_of_range, [&] {
                        return "group = " + std::to_string(group) +
                               ": must be < n_groups = " + std::to_string(a.n_groups()) +
                               " or FAIRGATE_GROUP_OVERALL";
                      });
    const fm::calibration_result r = fm::calibration(a);
    const fm::calibration_curve& c = group == FAIRGATE_GROUP_OVERALL ? r.overall : r.groups[group];
    const std::size_t needed = c.bins.size();
    if (out_bins != nullptr && capacity >= needed) {
      for (std::size_t b = 0; b < needed; ++b) out_bins[b] = bin_of(c.bins[b]);
    }
    *out_count = needed;
  });
}

fairgate_status fairgate_accumulator_roc_auc_binned(const fairgate_accumulator* acc,
                                                    fairgate_auc_value* out_by_group,
                                                    fairgate_auc_value* out_overall) {
  return guard([&] {
    const auto& a = acc_of(acc);
    require_non_null(out_by_group, "out_by_group");
    if (a.has_score_histogram() && !a.has_weighted_cells()) {
      // Row counts per class equal the histogram's (every row lands in one bin).
      std::uint64_t pos = 0, neg = 0;
      for (std::uint32_t g = 0; g < a.n_groups(); ++g) {
        const auto& c = a.counts(g);
        require_pair_count_fits(c.tp + c.fn, c.fp + c.tn, "group " + std::to_string(g));
        pos += c.tp + c.fn;
        neg += c.fp + c.tn;
      }
      require_pair_count_fits(pos, neg, "all rows");
    }
    const fm::auc_result r = fm::binned_roc_auc(a);
    std::vector<fairgate_auc_value> by(r.groups.size());
    for (std::size_t g = 0; g < r.groups.size(); ++g) by[g] = auc_of(r.groups[g]);
    const fairgate_auc_value all = auc_of(r.overall);
    std::memcpy(out_by_group, by.data(), by.size() * sizeof(fairgate_auc_value));
    if (out_overall) *out_overall = all;
  });
}

}  // extern "C"
