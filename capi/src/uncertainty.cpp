// capi/src/uncertainty.cpp: Wilson intervals, two-group tests, McNemar,
// multiple-comparison adjustment and the bootstrap over the C ABI.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <fairgate/fairgate.h>
#include <fairgate/metrics/disparities.hpp>
#include <fairgate/uncertainty/bootstrap.hpp>
#include <fairgate/uncertainty/mcnemar.hpp>
#include <fairgate/uncertainty/multiple_comparisons.hpp>
#include <fairgate/uncertainty/paired.hpp>
#include <fairgate/uncertainty/proportion_tests.hpp>
#include <fairgate/uncertainty/wilson.hpp>

#include "guard.hpp"
#include "util.hpp"

using fairgate::capi::acc_of;
using fairgate::capi::checked_enum;
using fairgate::capi::guard;
using fairgate::capi::require_array;
using fairgate::capi::require_non_null;
namespace fm = fairgate::metrics;
namespace fu = fairgate::uncertainty;

namespace {

static_assert(sizeof(fairgate_interval) == 32, "ABI: v1 layout is frozen");
static_assert(sizeof(fairgate_bootstrap_options) == 40, "ABI: v1 layout is frozen");
static_assert(sizeof(fairgate_mcnemar_result) == 32, "ABI: v1 layout is frozen");

fairgate_interval interval_of(const fu::interval& i) {
  fairgate_interval r{};
  r.estimate = i.estimate;
  r.lower = i.lower;
  r.upper = i.upper;
  r.defined = i.defined ? 1 : 0;
  r.low_support = i.low_support ? 1 : 0;
  return r;
}

fu::rate proportion_rate_of(int32_t metric) {
  const fm::metric m = fairgate::capi::metric_of(metric);
  const auto r = fu::as_rate(m);
  fairgate::require(r.has_value(), fairgate::errc::unsupported, [&] {
    return "metric " + std::string(fm::metric_name(m)) +
           " is not a proportion of one denominator; use the bootstrap";
  });
  return *r;
}

void check_group(const fm::group_accumulator& a, uint32_t g, const char* name) {
  fairgate::require(g < a.n_groups(), fairgate::errc::out_of_range, [&] {
    return std::string(name) + " = " + std::to_string(g) +
           ": must be < n_groups = " + std::to_string(a.n_groups());
  });
}

fu::wilson_options wilson_options_of(double confidence, int32_t cc) {
  fu::wilson_options o;
  o.confidence = confidence;
  o.continuity_correction = cc != 0;
  return o;
}

fairgate_bootstrap_options default_bootstrap_options() {
  fairgate_bootstrap_options o{};
  o.struct_size = sizeof(o);
  o.seed = 0;
  o.replicates = 1000;
  o.confidence = 0.95;
  o.stratified = 0;
  return o;
}

}  // namespace

extern "C" {

fairgate_status fairgate_wilson_interval(const fairgate_accumulator* acc, uint32_t group,
                                         int32_t metric, double confidence,
                                         int32_t continuity_correction, fairgate_interval* out) {
  return guard([&] {
    const auto& a = acc_of(acc);
    require_non_null(out, "out");
    check_group(a, group, "group");
    const fu::rate r = proportion_rate_of(metric);
    *out = interval_of(fu::wilson_interval(a.counts(group), r,
                                           wilson_options_of(confidence, continuity_correction)));
  });
}

fairgate_status fairgate_wilson_interval_counts(uint64_t successes, uint64_t trials,
                                                double confidence, int32_t continuity_correction,
                                                fairgate_interval* out) {
  return guard([&] {
    require_non_null(out, "out");
    *out = interval_of(fu::wilson_interval(successes, trials,
                                           wilson_options_of(confidence, continuity_correction)));
  });
}

fairgate_status fairgate_compare_groups(const fairgate_accumulator* acc, uint32_t group1,
                                        uint32_t group2, int32_t metric, int32_t test,
                                        int32_t alternative, double* out_statistic,
                                        double* out_p_value) {
  return guard([&] {
    const auto& a = acc_of(acc);
    require_non_null(out_statistic, "out_statistic");
    require_non_null(out_p_value, "out_p_value");
    check_group(a, group1, "group1");
    check_group(a, group2, "group2");
    const fu::rate r = proportion_rate_of(metric);
    const auto kind = checked_enum<fairgate_proportion_test>(test, 2, "test");
    const auto alt = checked_enum<fu::alternative>(alternative, 3, "alternative");
    if (kind == FAIRGATE_TEST_Z_POOLED) {
      const auto z = fu::compare_groups_z(a.counts(group1), a.counts(group2), r, alt);
      *out_statistic = z.z;
      *out_p_value = z.p_value;
    } else {
      const auto f = fu::compare_groups_fisher(a.counts(group1), a.counts(group2), r, alt);
      *out_statistic = f.odds_ratio;
      *out_p_value = f.p_value;
    }
  });
}

fairgate_status fairgate_mcnemar_by_group(const void* y_true, int32_t y_true_dtype,
                                          const void* baseline, int32_t baseline_dtype,
                                          const void* candidate, int32_t candidate_dtype,
                                          const void* groups, int32_t groups_dtype, size_t n,
                                          uint32_t n_groups, fairgate_mcnemar_result* out) {
  return guard([&] {
    using namespace fairgate::capi;
    require_array(y_true, n, "y_true");
    require_array(baseline, n, "baseline");
    require_array(candidate, n, "candidate");
    require_array(groups, n, "groups");
    require_non_null(out, "out");
    fu::paired_inputs in;
    in.y_true = label_view_of(y_true, n, y_true_dtype, "y_true");
    in.baseline = fm::prediction_view::hard(label_view_of(baseline, n, baseline_dtype, "baseline"));
    in.candidate =
        fm::prediction_view::hard(label_view_of(candidate, n, candidate_dtype, "candidate"));
    in.groups = code_view_of(groups, n, groups_dtype, "groups");
    in.n_groups = n_groups;
    const auto tables = fu::paired_tables(in);
    const auto results = fu::mcnemar_by_group(tables);
    for (std::size_t g = 0; g < results.size(); ++g) {
      out[g] = fairgate_mcnemar_result{results[g].b, results[g].c, results[g].statistic,
                                       results[g].p_value};
    }
  });
}

fairgate_status fairgate_adjust_p_values(const double* p_values, size_t n, int32_t method,
                                         double alpha, double* out_adjusted, uint8_t* out_reject) {
  return guard([&] {
    require_array(p_values, n, "p_values");
    require_array(out_adjusted, n, "out_adjusted");
    const auto m = checked_enum<fu::adjustment>(method, 2, "method");
    const auto r = fu::adjust(std::span<const double>(p_values, n), m, alpha);
    for (std::size_t i = 0; i < n; ++i) {
      out_adjusted[i] = r.adjusted[i];
      if (out_reject) out_reject[i] = r.reject[i] ? 1 : 0;
    }
  });
}

fairgate_status fairgate_bootstrap_options_init(fairgate_bootstrap_options* options) {
  return guard([&] {
    require_non_null(options, "options");
    *options = default_bootstrap_options();
  });
}

fairgate_status fairgate_bootstrap_disparity(const fairgate_accumulator* acc, int32_t disparity,
                                             const fairgate_metric_options* metric_options,
                                             const fairgate_bootstrap_options* options,
                                             fairgate_interval* out, uint32_t* out_n_undefined) {
  return guard([&] {
    const auto& a = acc_of(acc);
    require_non_null(options, "options");
    require_non_null(out, "out");
    const auto d = fairgate::capi::disparity_options_of(metric_options);
    fairgate::require(
        !d.weighted, fairgate::errc::unsupported,
        "bootstrap_disparity: the bootstrap resamples unweighted counts; set weighted = 0");
    (void)fairgate::capi::disparity_of(a, disparity, d);  // validates the kind before any work
    const auto b = fairgate::capi::read_versioned(options, sizeof(fairgate_bootstrap_options),
                                                  default_bootstrap_options(), "options");
    fu::bootstrap_options bo;
    bo.seed = b.seed;
    bo.replicates = b.replicates;
    bo.confidence = b.confidence;
    bo.method = b.stratified != 0 ? fu::resampling::stratified : fu::resampling::poisson;
    bo.min_support = d.min_support;
    const uint32_t G = a.n_groups();
    std::vector<fm::confusion_counts> counts(G);
    for (uint32_t g = 0; g < G; ++g) counts[g] = a.counts(g);
    fm::group_accumulator scratch(G);
    auto metric = [&](std::span<const fm::confusion_counts> cs) {
      auto& c = scratch.mutable_counts();
      for (std::size_t g = 0; g < cs.size(); ++g) c[g] = cs[g];
      return fairgate::capi::disparity_of(scratch, disparity, d).value;
    };
    const auto r = fu::bootstrap_counts(std::span<const fm::confusion_counts>(counts), metric, bo);
    *out = interval_of(r.ci);
    if (out_n_undefined) *out_n_undefined = r.n_undefined;
  });
}

}  // extern "C"
