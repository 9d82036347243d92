// capi/src/util.hpp: helpers shared by the C ABI translation units: enum
// checks, versioned option structs, dtype -> typed view conversion, handles.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include <fairgate/fairgate.h>
#include <fairgate/error.hpp>
#include <fairgate/metrics/accumulator.hpp>
#include <fairgate/metrics/disparities.hpp>
#include <fairgate/metrics/inputs.hpp>

#include "guard.hpp"

// The opaque handle: a group_accumulator behind a C name.
struct fairgate_accumulator {
  fairgate::metrics::group_accumulator acc;
};

namespace fairgate::capi {

template <class Enum>
Enum checked_enum(int32_t value, int32_t count, const char* what) {
  if (value < 0 || value >= count) {
    throw fairgate::error(
        fairgate::errc::invalid_argument,
        std::string(what) + " = " + std::to_string(value) + " is not a known value");
  }
  return static_cast<Enum>(value);
}

// Reads a struct_size-versioned option struct. `v1_size` is the size of the
// first published version (the smallest accepted); a larger struct from a newer
// caller is read up to the fields this library knows. Fields the caller's
// (older) struct lacks keep the values of `defaults`.
template <class T>
T read_versioned(const T* in, std::size_t v1_size, const T& defaults, const char* name) {
  if (in->struct_size < v1_size) {
    throw fairgate::error(
        fairgate::errc::invalid_argument,
        std::string(name) + "->struct_size = " + std::to_string(in->struct_size) +
            " is smaller than any version of the struct; call its _init function first");
  }
  T o = defaults;
  const std::size_t n = in->struct_size < sizeof(T) ? in->struct_size : sizeof(T);
  std::memcpy(static_cast<void*>(&o), in, n);
  o.struct_size = static_cast<uint32_t>(sizeof(T));
  return o;
}

inline const fairgate::metrics::group_accumulator& acc_of(const fairgate_accumulator* a) {
  require_non_null(a, "acc");
  return a->acc;
}

inline std::string dtype_msg(const char* what, int32_t dtype, const char* allowed) {
  return std::string(what) + "_dtype = " + std::to_string(dtype) + ": must be one of " + allowed;
}

inline metrics::label_view label_view_of(const void* p, std::size_t n, int32_t dtype,
                                         const char* what) {
  metrics::label_view v;
  v.data = p;
  v.size = n;
  switch (dtype) {
    case FAIRGATE_DTYPE_U8:
      v.type = metrics::label_type::u8;
      break;
    case FAIRGATE_DTYPE_I32:
      v.type = metrics::label_type::i32;
      break;
    case FAIRGATE_DTYPE_I64:
      v.type = metrics::label_type::i64;
      break;
    default:
      throw error(errc::invalid_argument, dtype_msg(what, dtype, "U8, I32, I64"));
  }
  return v;
}

inline metrics::code_view code_view_of(const void* p, std::size_t n, int32_t dtype,
                                       const char* what) {
  metrics::code_view v;
  v.data = p;
  v.size = n;
  switch (dtype) {
    case FAIRGATE_DTYPE_U8:
      v.type = metrics::code_type::u8;
      break;
    case FAIRGATE_DTYPE_U16:
      v.type = metrics::code_type::u16;
      break;
    case FAIRGATE_DTYPE_U32:
      v.type = metrics::code_type::u32;
      break;
    default:
      throw error(errc::invalid_argument, dtype_msg(what, dtype, "U8, U16, U32"));
  }
  return v;
}

inline metrics::real_view real_view_of(const void* p, std::size_t n, int32_t dtype,
                                       const char* what) {
  metrics::real_view v;
  v.data = p;
  v.size = n;
  switch (dtype) {
    case FAIRGATE_DTYPE_F32:
      v.type = metrics::real_type::f32;
      break;
    case FAIRGATE_DTYPE_F64:
      v.type = metrics::real_type::f64;
      break;
    default:
      throw error(errc::invalid_argument, dtype_msg(what, dtype, "F32, F64"));
  }
  return v;
}

// Inside guard(): a non-NULL array when n > 0.
inline void require_array(const void* p, std::size_t n, const char* name) {
  if (n > 0) require_non_null(p, name);
}

inline fairgate_metric_options default_metric_options() {
  fairgate_metric_options o{};
  o.struct_size = sizeof(o);
  o.weighted = 0;
  o.zero_division = FAIRGATE_ZERO_DIVISION_NAN;
  o.min_support = 0;
  o.exclude_low_support = 0;
  o.method = FAIRGATE_BETWEEN_GROUPS;
  o.agg = FAIRGATE_EO_WORST_CASE;
  return o;
}

// NULL means the defaults.
inline metrics::disparity_options disparity_options_of(const fairgate_metric_options* in) {
  const fairgate_metric_options d = default_metric_options();
  const fairgate_metric_options o =
      in ? read_versioned(in, sizeof(fairgate_metric_options), d, "options") : d;
  metrics::disparity_options r;
  r.weighted = o.weighted != 0;
  r.zero_div = checked_enum<metrics::zero_division>(o.zero_division, 3, "options->zero_division");
  r.min_support = o.min_support;
  r.exclude_low_support = o.exclude_low_support != 0;
  r.method = checked_enum<metrics::aggregation>(o.method, 2, "options->method");
  r.agg = checked_enum<metrics::eo_aggregation>(o.agg, 2, "options->agg");
  return r;
}

// Confusion metrics only (the C enum stops before the regression metrics).
inline metrics::metric metric_of(int32_t m) {
  static_assert(FAIRGATE_METRIC_F1 == static_cast<int>(metrics::metric::f1),
                "C and C++ metric enums agree");
  return checked_enum<metrics::metric>(m, FAIRGATE_METRIC_F1 + 1, "metric");
}

inline metrics::aggregate_value disparity_of(const metrics::group_accumulator& acc, int32_t kind,
                                             const metrics::disparity_options& o) {
  switch (checked_enum<fairgate_disparity>(kind, 6, "disparity")) {
    case FAIRGATE_DEMOGRAPHIC_PARITY_DIFFERENCE:
      return metrics::demographic_parity_difference(acc, o);
    case FAIRGATE_DEMOGRAPHIC_PARITY_RATIO:
      return metrics::demographic_parity_ratio(acc, o);
    case FAIRGATE_EQUALIZED_ODDS_DIFFERENCE:
      return metrics::equalized_odds_difference(acc, o);
    case FAIRGATE_EQUALIZED_ODDS_RATIO:
      return metrics::equalized_odds_ratio(acc, o);
    case FAIRGATE_EQUAL_OPPORTUNITY_DIFFERENCE:
      return metrics::equal_opportunity_difference(acc, o);
    case FAIRGATE_EQUAL_OPPORTUNITY_RATIO:
      return metrics::equal_opportunity_ratio(acc, o);
  }
  throw error(errc::internal, "disparity_of: unreachable");
}

}  // namespace fairgate::capi
