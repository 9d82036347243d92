// capi/src/metrics.cpp: group accumulators, metrics and disparities over the C ABI.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <fairgate/fairgate.h>
#include <fairgate/metrics/accumulate.hpp>
#include <fairgate/metrics/disparities.hpp>
#include <fairgate/metrics/frame.hpp>
#include <fairgate/metrics/roc.hpp>
#include <fairgate/metrics/serialize.hpp>

#include "guard.hpp"
#include "util.hpp"

using fairgate::capi::acc_of;
using fairgate::capi::checked_enum;
using fairgate::capi::guard;
using fairgate::capi::require_array;
using fairgate::capi::require_non_null;
namespace fm = fairgate::metrics;

namespace {

// v1 layouts are frozen: new fields only ever go at the end.
// (LP64 layouts; a 32-bit build has its own, equally frozen, layout.)
static_assert(sizeof(void*) != 8 || offsetof(fairgate_binary_inputs, n) == 8,
              "ABI: v1 layout is frozen");
static_assert(sizeof(void*) != 8 || sizeof(fairgate_binary_inputs) == 104,
              "ABI: v1 layout is frozen");
static_assert(sizeof(fairgate_accumulate_options) == 8, "ABI: v1 layout is frozen");
static_assert(sizeof(fairgate_metric_options) == 40, "ABI: v1 layout is frozen");
static_assert(sizeof(fairgate_value) == 24, "ABI: v1 layout is frozen");
static_assert(sizeof(fairgate_auc_value) == 32, "ABI: v1 layout is frozen");
static_assert(sizeof(fairgate_confusion_counts) == 32, "ABI: v1 layout is frozen");

fairgate_binary_inputs default_inputs() {
  fairgate_binary_inputs in{};
  in.struct_size = sizeof(in);
  in.y_true_dtype = FAIRGATE_DTYPE_U8;
  in.y_pred_dtype = FAIRGATE_DTYPE_U8;
  in.scores_dtype = FAIRGATE_DTYPE_F64;
  in.threshold = 0.5;
  in.groups_dtype = FAIRGATE_DTYPE_U32;
  in.weights_dtype = FAIRGATE_DTYPE_F64;
  return in;
}

fm::binary_inputs inputs_of(const fairgate_binary_inputs* p, std::uint32_t n_groups) {
  using namespace fairgate::capi;
  const auto in = read_versioned(p, sizeof(fairgate_binary_inputs), default_inputs(), "inputs");
  const std::size_t n = in.n;
  require_array(in.y_true, n, "inputs->y_true");
  require_array(in.groups, n, "inputs->groups");
  fairgate::require((in.y_pred == nullptr) != (in.scores == nullptr) || n == 0,
                    fairgate::errc::invalid_argument,
                    "inputs: exactly one of y_pred and scores must be non-NULL");
  fm::binary_inputs out;
  out.y_true = label_view_of(in.y_true, n, in.y_true_dtype, "inputs->y_true");
  if (in.scores != nullptr) {
    out.y_pred = fm::prediction_view::scores(
        real_view_of(in.scores, n, in.scores_dtype, "inputs->scores"), in.threshold);
  } else {
    out.y_pred =
        fm::prediction_view::hard(label_view_of(in.y_pred, n, in.y_pred_dtype, "inputs->y_pred"));
  }
  out.groups = code_view_of(in.groups, n, in.groups_dtype, "inputs->groups");
  out.n_groups = n_groups;
  if (in.weights != nullptr)
    out.weights = real_view_of(in.weights, n, in.weights_dtype, "inputs->weights");
  return out;
}

fairgate_value value_of(const fm::group_value& v) {
  fairgate_value r{};
  r.value = v.value;
  r.undefined = v.undefined ? 1 : 0;
  r.low_support = v.low_support ? 1 : 0;
  r.support = v.support;
  return r;
}

void write_aggregate(const fm::aggregate_value& a, double* out_value, int32_t* out_undefined) {
  *out_value = a.value;
  if (out_undefined) *out_undefined = a.undefined ? 1 : 0;
}

fairgate_auc_value auc_of(const fm::auc_value& v) {
  fairgate_auc_value r{};
  r.auc = v.auc;
  r.defined = v.defined ? 1 : 0;
  r.n_pos = v.n_pos;
  r.n_neg = v.n_neg;
  return r;
}

}  // namespace

extern "C" {

fairgate_status fairgate_binary_inputs_init(fairgate_binary_inputs* inputs) {
  return guard([&] {
    require_non_null(inputs, "inputs");
    *inputs = default_inputs();
  });
}

fairgate_status fairgate_accumulate_options_init(fairgate_accumulate_options* options) {
  return guard([&] {
    require_non_null(options, "options");
    *options = fairgate_accumulate_options{};
    options->struct_size = sizeof(fairgate_accumulate_options);
    options->threads = 1;
  });
}

fairgate_status fairgate_accumulator_create(uint32_t n_groups, fairgate_accumulator** out) {
  return guard([&] {
    require_non_null(out, "out");
    auto a = std::make_unique<fairgate_accumulator>();
    a->acc = fm::group_accumulator(n_groups);
    *out = a.release();
  });
}

void fairgate_accumulator_destroy(fairgate_accumulator* acc) {
  delete acc;
}

fairgate_status fairgate_accumulator_add(fairgate_accumulator* acc,
                                         const fairgate_binary_inputs* inputs,
                                         const fairgate_accumulate_options* options) {
  return guard([&] {
    require_non_null(acc, "acc");
    require_non_null(inputs, "inputs");
    fairgate_accumulate_options d{};
    d.struct_size = sizeof(d);
    d.threads = 1;
    const auto o = options ? fairgate::capi::read_versioned(options, sizeof(d), d, "options") : d;
    fairgate::require(o.threads >= 1 && o.threads <= 1024, fairgate::errc::invalid_argument, [&] {
      return "options->threads = " + std::to_string(o.threads) + ": must be in [1, 1024]";
    });
    fm::accumulate_options ao;
    ao.threads = o.threads;
    fm::accumulate(acc->acc, inputs_of(inputs, acc->acc.n_groups()), ao);
  });
}

fairgate_status fairgate_accumulator_merge(fairgate_accumulator* acc,
                                           const fairgate_accumulator* other) {
  return guard([&] {
    require_non_null(acc, "acc");
    require_non_null(other, "other");
    if (acc == other) {
      const fm::group_accumulator copy = other->acc;
      acc->acc.merge(copy);
    } else {
      acc->acc.merge(other->acc);
    }
  });
}

fairgate_status fairgate_accumulator_n_groups(const fairgate_accumulator* acc,
                                              uint32_t* out_n_groups) {
  return guard([&] {
    const auto& a = acc_of(acc);
    require_non_null(out_n_groups, "out_n_groups");
    *out_n_groups = a.n_groups();
  });
}

fairgate_status fairgate_accumulator_counts(const fairgate_accumulator* acc, uint32_t group,
                                            fairgate_confusion_counts* out) {
  return guard([&] {
    const auto& a = acc_of(acc);
    require_non_null(out, "out");
    fairgate::require(group < a.n_groups(), fairgate::errc::out_of_range, [&] {
      return "group = " + std::to_string(group) +
             ": must be < n_groups = " + std::to_string(a.n_groups());
    });
    const auto& c = a.counts(group);
    *out = fairgate_confusion_counts{c.tp, c.fp, c.tn, c.fn};
  });
}

fairgate_status fairgate_accumulator_weights(const fairgate_accumulator* acc, uint32_t group,
                                             double out_cells[4]) {
  return guard([&] {
    const auto& a = acc_of(acc);
    require_non_null(out_cells, "out_cells");
    fairgate::require(group < a.n_groups(), fairgate::errc::out_of_range, [&] {
      return "group = " + std::to_string(group) +
             ": must be < n_groups = " + std::to_string(a.n_groups());
    });
    const auto w = a.weights(group);
    out_cells[0] = w.tp;
    out_cells[1] = w.fp;
    out_cells[2] = w.tn;
    out_cells[3] = w.fn;
  });
}

fairgate_status fairgate_accumulator_serialize(const fairgate_accumulator* acc, uint8_t* buffer,
                                               size_t capacity, size_t* out_size) {
  return guard([&] {
    const auto& a = acc_of(acc);
    require_non_null(out_size, "out_size");
    const std::vector<std::uint8_t> bytes = fm::serialize(a);
    if (buffer != nullptr && capacity >= bytes.size())
      std::memcpy(buffer, bytes.data(), bytes.size());
    *out_size = bytes.size();
  });
}

fairgate_status fairgate_accumulator_deserialize(const uint8_t* bytes, size_t size,
                                                 fairgate_accumulator** out) {
  return guard([&] {
    require_array(bytes, size, "bytes");
    require_non_null(out, "out");
    auto a = std::make_unique<fairgate_accumulator>();
    a->acc = fm::deserialize(std::span<const std::uint8_t>(bytes, size));
    *out = a.release();
  });
}

fairgate_status fairgate_metric_options_init(fairgate_metric_options* options) {
  return guard([&] {
    require_non_null(options, "options");
    *options = fairgate::capi::default_metric_options();
  });
}

fairgate_status fairgate_metric_by_group(const fairgate_accumulator* acc, int32_t metric,
                                         const fairgate_metric_options* options,
                                         fairgate_value* out_by_group,
                                         fairgate_value* out_overall) {
  return guard([&] {
    const auto& a = acc_of(acc);
    require_non_null(out_by_group, "out_by_group");
    const auto m = fairgate::capi::metric_of(metric);
    const auto o = fairgate::capi::disparity_options_of(options);
    const fm::metric_frame f = fm::make_frame(a, m, o.frame());
    for (std::size_t g = 0; g < f.by_group.size(); ++g) out_by_group[g] = value_of(f.by_group[g]);
    if (out_overall) *out_overall = value_of(f.overall);
  });
}

fairgate_status fairgate_metric_aggregate(const fairgate_accumulator* acc, int32_t metric,
                                          int32_t aggregate, const fairgate_metric_options* options,
                                          double* out_value, int32_t* out_undefined) {
  return guard([&] {
    const auto& a = acc_of(acc);
    require_non_null(out_value, "out_value");
    const auto m = fairgate::capi::metric_of(metric);
    const auto kind = checked_enum<fairgate_aggregate>(aggregate, 4, "aggregate");
    const auto o = fairgate::capi::disparity_options_of(options);
    const fm::metric_frame f = fm::make_frame(a, m, o.frame());
    fm::aggregate_value v;
    switch (kind) {
      case FAIRGATE_AGGREGATE_GROUP_MIN:
        v = f.group_min();
        break;
      case FAIRGATE_AGGREGATE_GROUP_MAX:
        v = f.group_max();
        break;
      case FAIRGATE_AGGREGATE_DIFFERENCE:
        v = f.difference(o.method);
        break;
      case FAIRGATE_AGGREGATE_RATIO:
        v = f.ratio(o.method);
        break;
    }
    write_aggregate(v, out_value, out_undefined);
  });
}

fairgate_status fairgate_disparity_value(const fairgate_accumulator* acc, int32_t disparity,
                                         const fairgate_metric_options* options, double* out_value,
                                         int32_t* out_undefined) {
  return guard([&] {
    const auto& a = acc_of(acc);
    require_non_null(out_value, "out_value");
    const auto o = fairgate::capi::disparity_options_of(options);
    write_aggregate(fairgate::capi::disparity_of(a, disparity, o), out_value, out_undefined);
  });
}

fairgate_status fairgate_aif360_value(const fairgate_accumulator* acc, int32_t metric,
                                      const uint32_t* unprivileged, size_t n_unprivileged,
                                      const uint32_t* privileged, size_t n_privileged,
                                      const fairgate_metric_options* options, double* out_value,
                                      int32_t* out_undefined) {
  return guard([&] {
    const auto& a = acc_of(acc);
    require_non_null(out_value, "out_value");
    require_array(unprivileged, n_unprivileged, "unprivileged");
    require_array(privileged, n_privileged, "privileged");
    const auto m = checked_enum<fm::aif360_metric>(metric, 16, "metric");
    const auto d = fairgate::capi::disparity_options_of(options);
    fm::comparison_options co;
    co.weighted = d.weighted;
    co.zero_div = d.zero_div;
    co.min_support = d.min_support;
    fm::group_split split;
    if (n_unprivileged) split.unprivileged.assign(unprivileged, unprivileged + n_unprivileged);
    if (n_privileged) split.privileged.assign(privileged, privileged + n_privileged);
    write_aggregate(fm::compare(m, a, split, co), out_value, out_undefined);
  });
}

fairgate_status fairgate_roc_auc(const void* scores, int32_t scores_dtype, const void* labels,
                                 int32_t labels_dtype, const void* groups, int32_t groups_dtype,
                                 const void* weights, int32_t weights_dtype, size_t n,
                                 uint32_t n_groups, fairgate_auc_value* out_by_group,
                                 fairgate_auc_value* out_overall) {
  return guard([&] {
    using namespace fairgate::capi;
    require_array(scores, n, "scores");
    require_array(labels, n, "labels");
    require_array(groups, n, "groups");
    require_non_null(out_by_group, "out_by_group");
    fairgate::require(n_groups >= 1, fairgate::errc::invalid_argument,
                      "n_groups must be at least 1");
    const fm::real_view sv = real_view_of(scores, n, scores_dtype, "scores");
    const fm::label_view lv = label_view_of(labels, n, labels_dtype, "labels");
    const fm::code_view cv = code_view_of(groups, n, groups_dtype, "groups");
    // Canonical copies (validated here so that messages show the caller's value).
    std::vector<std::uint8_t> y(n);
    std::vector<std::uint32_t> g(n);
    for (std::size_t i = 0; i < n; ++i) {
      const std::int64_t v = lv.at(i);
      fairgate::require(v == 0 || v == 1, fairgate::errc::out_of_range, [&] {
        return "labels[" + std::to_string(i) + "] = " + std::to_string(v) +
               ": labels must be 0 or 1";
      });
      y[i] = static_cast<std::uint8_t>(v);
      const std::uint64_t c = cv.at(i);
      fairgate::require(c < n_groups, fairgate::errc::out_of_range, [&] {
        return "groups[" + std::to_string(i) + "] = " + std::to_string(c) +
               ": group codes must be < n_groups = " + std::to_string(n_groups);
      });
      g[i] = static_cast<std::uint32_t>(c);
    }
    std::vector<double> w;
    if (weights != nullptr) {
      const fm::real_view wv = real_view_of(weights, n, weights_dtype, "weights");
      w.resize(n);
      for (std::size_t i = 0; i < n; ++i) w[i] = wv.at(i);
    }
    const std::span<const std::uint8_t> ys(y);
    const std::span<const std::uint32_t> gs(g);
    const std::span<const double> ws(w);
    const fm::auc_result r =
        sv.type == fm::real_type::f32
            ? fm::roc_auc(std::span<const float>(static_cast<const float*>(scores), n), ys, gs,
                          n_groups, ws)
            : fm::roc_auc(std::span<const double>(static_cast<const double*>(scores), n), ys, gs,
                          n_groups, ws);
    for (std::size_t k = 0; k < r.groups.size(); ++k) out_by_group[k] = auc_of(r.groups[k]);
    if (out_overall) *out_overall = auc_of(r.overall);
  });
}

}  // extern "C"
