// capi/src/objectives.cpp: fairness penalties with gradients over the C ABI.
#include <cstddef>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>

#include <fairgate/fairgate.h>
#include <fairgate/objectives/penalties.hpp>

#include "guard.hpp"

using fairgate::capi::guard;
using fairgate::capi::require_non_null;
namespace obj = fairgate::objectives;

namespace {

template <class Enum>
Enum checked_enum(int32_t value, int32_t count, const char* what) {
  if (value < 0 || value >= count) {
    throw fairgate::error(
        fairgate::errc::invalid_argument,
        std::string(what) + " = " + std::to_string(value) + " is not a known value");
  }
  return static_cast<Enum>(value);
}

// Version 1 of the struct ends after odds_aggregate. A newer caller's larger
// struct is read up to the fields this library knows.
constexpr std::size_t penalty_options_v1_size =
    offsetof(fairgate_penalty_options, odds_aggregate) + sizeof(int32_t);
static_assert(offsetof(fairgate_penalty_options, temperature) == 16, "ABI: v1 layout is frozen");

fairgate_penalty_options read_options(const fairgate_penalty_options* in) {
  if (in->struct_size < penalty_options_v1_size) {
    throw fairgate::error(fairgate::errc::invalid_argument,
                          "options->struct_size = " + std::to_string(in->struct_size) +
                              " is smaller than any version of fairgate_penalty_options;"
                              " call fairgate_penalty_options_init first");
  }
  fairgate_penalty_options o{};
  const std::size_t n = in->struct_size < sizeof(o) ? in->struct_size : sizeof(o);
  std::memcpy(&o, in, n);
  o.struct_size = sizeof(o);
  return o;
}

// The body of fairgate_penalty (Real = double) and fairgate_penalty_f32
// (Real = float): one code path, so both entries check, map options and name
// errors identically. With Real = float the scores, weights and gradient are
// f32 and the penalties run the f32 kernel (penalty_kernel_f32.hpp).
template <class Real>
void penalty_entry(const fairgate_penalty_options* options, const Real* scores,
                   const uint8_t* labels, const uint32_t* groups, const Real* weights, size_t n,
                   uint32_t n_groups, double* out_value, Real* out_gradient) {
  require_non_null(options, "options");
  require_non_null(out_value, "out_value");
  if (n > 0) {
    require_non_null(scores, "scores");
    require_non_null(labels, "labels");
    require_non_null(groups, "groups");
    require_non_null(out_gradient, "out_gradient");
  }
  const auto o = read_options(options);
  const auto kind = checked_enum<fairgate_penalty_kind>(o.kind, 5, "options->kind");
  obj::penalty_options p;
  p.form = checked_enum<obj::gap_form>(o.form, 4, "options->form");
  p.relax.kind = checked_enum<obj::relaxation_kind>(o.relaxation, 3, "options->relaxation");
  p.relax.temperature = o.temperature;
  p.tolerance = o.tolerance;
  const auto agg =
      checked_enum<obj::odds_aggregate>(o.odds_aggregate, 3, "options->odds_aggregate");
  const obj::penalty_inputs<Real> in{
      std::span<const Real>(scores, n), std::span<const std::uint8_t>(labels, n),
      std::span<const std::uint32_t>(groups, n),
      weights ? std::span<const Real>(weights, n) : std::span<const Real>(), n_groups};
  // The C ABI promises untouched outputs on error. The f64 kernel validates
  // rows while it already writes the gradient, so its rows are checked first
  // (one extra read pass, only on this boundary). The f32 kernel checks every
  // row in its first pass, which writes nothing, and names the first bad row
  // the same way (objectives::validate), so it needs no extra pass
  // (tests/capi/test_capi.c checks untouched outputs for both entries).
  if constexpr (std::is_same_v<Real, double>) obj::validate(in, n);
  const std::span<Real> grad(out_gradient, n);
  double value = 0.0;
  switch (kind) {
    case FAIRGATE_PENALTY_DEMOGRAPHIC_PARITY:
      value = obj::demographic_parity(in, p, grad).value;
      break;
    case FAIRGATE_PENALTY_EQUAL_OPPORTUNITY:
      value = obj::equal_opportunity(in, p, grad).value;
      break;
    case FAIRGATE_PENALTY_EQUALIZED_ODDS:
      value = obj::equalized_odds(in, p, agg, grad).value;
      break;
    case FAIRGATE_PENALTY_CALIBRATION_GAP:
      value = obj::calibration_gap(in, p.form, grad).value;
      break;
    case FAIRGATE_PENALTY_LOSS_EQUALISATION:
      value = obj::loss_equalisation(in, p.form, p.tolerance, grad).value;
      break;
  }
  *out_value = value;
}

}  // namespace

extern "C" {

fairgate_status fairgate_penalty_options_init(fairgate_penalty_options* options) {
  return guard([&] {
    require_non_null(options, "options");
    *options = fairgate_penalty_options{};
    options->struct_size = sizeof(fairgate_penalty_options);
    options->kind = FAIRGATE_PENALTY_DEMOGRAPHIC_PARITY;
    options->form = FAIRGATE_GAP_MAX_MINUS_MIN;
    options->relaxation = FAIRGATE_RELAX_SIGMOID;
    options->temperature = 1.0;
    options->tolerance = 0.0;
    options->odds_aggregate = FAIRGATE_ODDS_WORST_CASE;
  });
}

fairgate_status fairgate_penalty(const fairgate_penalty_options* options, const double* scores,
                                 const uint8_t* labels, const uint32_t* groups,
                                 const double* weights, size_t n, uint32_t n_groups,
                                 double* out_value, double* out_gradient) {
  return guard([&] {
    penalty_entry(options, scores, labels, groups, weights, n, n_groups, out_value, out_gradient);
  });
}

fairgate_status fairgate_penalty_f32(const fairgate_penalty_options* options, const float* scores,
                                     const uint8_t* labels, const uint32_t* groups,
                                     const float* weights, size_t n, uint32_t n_groups,
                                     double* out_value, float* out_gradient) {
  return guard([&] {
    penalty_entry(options, scores, labels, groups, weights, n, n_groups, out_value, out_gradient);
  });
}

}  // extern "C"
