// capi/src/compress.cpp: pruning and quantization passes on raw buffers over the C ABI.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fairgate/fairgate.h>
#include <fairgate/prune/amount.hpp>
#include <fairgate/prune/global.hpp>
#include <fairgate/prune/magnitude.hpp>
#include <fairgate/prune/nm.hpp>
#include <fairgate/prune/structured.hpp>
#include <fairgate/quantize/observer.hpp>
#include <fairgate/quantize/quantize.hpp>
#include <fairgate/quantize/scheme.hpp>
#include <fairgate/tensor/mask.hpp>
#include <fairgate/tensor/view.hpp>

#include "guard.hpp"
#include "util.hpp"

using fairgate::capi::checked_enum;
using fairgate::capi::guard;
using fairgate::capi::require_non_null;
namespace ft = fairgate::tensor;
namespace fp = fairgate::prune;
namespace fq = fairgate::quantize;

namespace {

static_assert(sizeof(void*) != 8 || sizeof(fairgate_tensor) == 40,
              "ABI: v1 layout is frozen (LP64)");
static_assert(sizeof(fairgate_quant_options) == 40, "ABI: v1 layout is frozen");

ft::view view_of(const fairgate_tensor* t, const char* name) {
  require_non_null(t, name);
  ft::dtype type = ft::dtype::f32;
  switch (t->dtype) {
    case FAIRGATE_DTYPE_F32:
      type = ft::dtype::f32;
      break;
    case FAIRGATE_DTYPE_F64:
      type = ft::dtype::f64;
      break;
    default:
      throw fairgate::error(
          fairgate::errc::invalid_argument,
          std::string(name) + "->dtype = " + std::to_string(t->dtype) + ": must be F32 or F64");
  }
  fairgate::require(t->rank <= ft::max_rank, fairgate::errc::invalid_argument, [&] {
    return std::string(name) + "->rank = " + std::to_string(t->rank) + ": at most 8 dimensions";
  });
  if (t->rank > 0) require_non_null(t->shape, "tensor->shape");
  std::int64_t numel = 1;
  for (std::size_t i = 0; i < t->rank; ++i) {
    fairgate::require(t->shape[i] >= 0 && t->shape[i] <= (std::int64_t{1} << 40),
                      fairgate::errc::invalid_argument, [&] {
                        return std::string(name) + "->shape[" + std::to_string(i) +
                               "] = " + std::to_string(t->shape[i]) + ": must be in [0, 2^40]";
                      });
    numel = t->shape[i] == 0 || numel == 0 ? 0 : numel * t->shape[i];
    fairgate::require(numel <= (std::int64_t{1} << 40), fairgate::errc::invalid_argument,
                      [&] { return std::string(name) + ": more than 2^40 elements"; });
  }
  if (numel > 0) require_non_null(t->data, "tensor->data");
  static const std::int64_t scalar_dim = 1;
  const std::int64_t* dims = t->rank > 0 ? t->shape : &scalar_dim;
  if (t->strides != nullptr) return ft::view::strided(t->data, type, dims, t->strides, t->rank);
  return ft::view::contiguous(t->data, type, dims, t->rank);
}

std::size_t numel_of(const ft::view& v) {
  return static_cast<std::size_t>(v.numel());
}

ft::mask mask_from_bytes(const ft::view& v, const std::uint8_t* bytes, const char* name) {
  ft::mask m = ft::mask::like(v, true);
  const std::size_t n = numel_of(v);
  for (std::size_t i = 0; i < n; ++i) {
    fairgate::require(bytes[i] <= 1, fairgate::errc::invalid_value, [&] {
      return std::string(name) + "[" + std::to_string(i) + "] = " + std::to_string(bytes[i]) +
             ": mask bytes must be 0 or 1";
    });
    if (bytes[i] == 0) m.set(static_cast<std::int64_t>(i), false);
  }
  return m;
}

void mask_to_bytes(const ft::mask& m, std::uint8_t* out) {
  const auto n = m.numel();
  for (std::int64_t i = 0; i < n; ++i) out[i] = m.kept(i) ? 1 : 0;
}

fp::amount amount_of(double amount, int32_t is_count) {
  if (is_count == 0) return fp::amount::fraction(amount);
  fairgate::require(
      std::isfinite(amount) && amount >= 0.0 && amount <= 9.0e15 && amount == std::floor(amount),
      fairgate::errc::invalid_argument, [&] {
        return "amount = " + std::to_string(amount) + ": a count must be a non-negative integer";
      });
  return fp::amount::count(static_cast<std::int64_t>(amount));
}

void require_out_mask(const ft::view& v, const std::uint8_t* out) {
  if (v.numel() > 0) require_non_null(out, "out_mask");
}

// The C++ kernels convert x * (1 / scale) to an integer before they report a
// non-finite element, which is undefined behaviour for NaN (UBSan finds it).
// The C ABI promises defined behaviour for every input, so it checks first:
// every input element must be finite, and 1 / scale must be a finite float
// (x * inf would be NaN for x = 0).
void require_finite(const ft::view& v, const char* name) {
  const std::int64_t n = v.numel();
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int64_t off = v.offset_of(i);
    const double x = v.type == ft::dtype::f32
                         ? static_cast<double>(static_cast<const float*>(v.data)[off])
                         : static_cast<const double*>(v.data)[off];
    fairgate::require(std::isfinite(x), fairgate::errc::invalid_value, [&] {
      return std::string(name) + "[" + std::to_string(i) + "] = " + std::to_string(x) +
             ": values to quantize must be finite";
    });
  }
}

void require_invertible_scales(const fq::qparams& p) {
  for (std::size_t c = 0; c < p.scale.size(); ++c) {
    fairgate::require(std::isfinite(1.0f / p.scale[c]), fairgate::errc::invalid_value, [&] {
      return "scale[" + std::to_string(c) + "] = " + std::to_string(p.scale[c]) +
             ": 1 / scale overflows float (scales must be >= 2^-127)";
    });
  }
}

fairgate_quant_options default_quant_options() {
  fairgate_quant_options o{};
  o.struct_size = sizeof(o);
  o.qtype = FAIRGATE_QTYPE_INT8;
  o.scale_rule = FAIRGATE_SCALE_TORCH_SYMMETRIC;
  o.axis = -1;
  o.rounding = FAIRGATE_ROUND_HALF_TO_EVEN;
  return o;
}

struct quant_setup {
  fq::scheme scheme;
  fq::rounding_options rounding;
};

quant_setup setup_of(const fairgate_quant_options* in) {
  const fairgate_quant_options d = default_quant_options();
  const auto o =
      in ? fairgate::capi::read_versioned(in, sizeof(fairgate_quant_options), d, "options") : d;
  quant_setup s;
  s.scheme.type = checked_enum<fq::qtype>(o.qtype, 4, "options->qtype");
  s.scheme.rule = checked_enum<fq::scale_rule>(o.scale_rule, 3, "options->scale_rule");
  fairgate::require(
      o.axis >= -1 && o.axis < static_cast<int32_t>(ft::max_rank), fairgate::errc::invalid_argument,
      [&] { return "options->axis = " + std::to_string(o.axis) + ": must be -1 or a dimension"; });
  s.scheme.axis = o.axis;
  s.scheme.reduce_range = o.reduce_range != 0;
  s.scheme.narrow_range = o.narrow_range != 0;
  s.rounding.mode = checked_enum<fq::rounding>(o.rounding, 3, "options->rounding");
  s.rounding.seed = o.seed;
  s.rounding.stream_index = o.stream_index;
  return s;
}

// Caller-given parameters: validated against the scheme's range and the tensor.
fq::qparams params_of(const quant_setup& s, const float* scales, const int32_t* zero_points,
                      size_t n_channels) {
  fairgate::require(n_channels >= 1, fairgate::errc::invalid_argument,
                    "n_channels must be at least 1");
  require_non_null(scales, "scales");
  require_non_null(zero_points, "zero_points");
  const fq::qrange r = fq::range_of(s.scheme.type, s.scheme.reduce_range, s.scheme.narrow_range);
  fq::qparams p;
  p.type = s.scheme.type;
  p.qmin = r.qmin;
  p.qmax = r.qmax;
  p.axis = s.scheme.axis;
  p.scale.assign(scales, scales + n_channels);
  p.zero_point.assign(zero_points, zero_points + n_channels);
  fairgate::require(p.axis >= 0 || n_channels == 1, fairgate::errc::invalid_argument, [&] {
    return "per-tensor options (axis = -1) given n_channels = " + std::to_string(n_channels);
  });
  fq::validate(p);
  require_invertible_scales(p);
  return p;
}

}  // namespace

extern "C" {

fairgate_status fairgate_prune_l1_unstructured(const fairgate_tensor* weights, double amount,
                                               int32_t amount_is_count,
                                               const uint8_t* existing_mask, uint8_t* out_mask) {
  return guard([&] {
    const ft::view v = view_of(weights, "weights");
    require_out_mask(v, out_mask);
    const fp::amount a = amount_of(amount, amount_is_count);
    ft::mask existing;
    if (existing_mask) existing = mask_from_bytes(v, existing_mask, "existing_mask");
    fp::options opt;
    opt.compute_digests = false;
    const auto r = fp::l1_unstructured(v, a, existing_mask ? &existing : nullptr, {}, opt);
    mask_to_bytes(r.mask, out_mask);
  });
}

fairgate_status fairgate_prune_global_l1_unstructured(const fairgate_tensor* weights,
                                                      size_t n_tensors, double amount,
                                                      int32_t amount_is_count,
                                                      const uint8_t* const* existing_masks,
                                                      uint8_t* const* out_masks) {
  return guard([&] {
    if (n_tensors > 0) {
      require_non_null(weights, "weights");
      require_non_null(out_masks, "out_masks");
    }
    std::vector<ft::view> views;
    views.reserve(n_tensors);
    for (std::size_t t = 0; t < n_tensors; ++t) {
      const std::string name = "weights[" + std::to_string(t) + "]";
      views.push_back(view_of(&weights[t], name.c_str()));
      if (views.back().numel() > 0 && out_masks[t] == nullptr) {
        throw fairgate::capi::null_argument{"an entry of out_masks"};
      }
    }
    const fp::amount a = amount_of(amount, amount_is_count);
    std::vector<ft::mask> existing;
    if (existing_masks) {
      existing.reserve(n_tensors);
      for (std::size_t t = 0; t < n_tensors; ++t) {
        const std::string name = "existing_masks[" + std::to_string(t) + "]";
        existing.push_back(existing_masks[t]
                               ? mask_from_bytes(views[t], existing_masks[t], name.c_str())
                               : ft::mask::like(views[t], true));
      }
    }
    fp::options opt;
    opt.compute_digests = false;
    const auto r = fp::global_l1_unstructured(views, a, existing, {}, opt);
    for (std::size_t t = 0; t < n_tensors; ++t) {
      if (views[t].numel() > 0) mask_to_bytes(r.masks[t], out_masks[t]);
    }
  });
}

fairgate_status fairgate_prune_n_m(const fairgate_tensor* weights, int32_t n, int32_t m,
                                   uint32_t axis, const uint8_t* existing_mask, uint8_t* out_mask) {
  return guard([&] {
    const ft::view v = view_of(weights, "weights");
    require_out_mask(v, out_mask);
    ft::mask existing;
    if (existing_mask) existing = mask_from_bytes(v, existing_mask, "existing_mask");
    fp::options opt;
    opt.compute_digests = false;
    const auto r = fp::n_m(v, n, m, axis, existing_mask ? &existing : nullptr, {}, opt);
    mask_to_bytes(r.mask, out_mask);
  });
}

fairgate_status fairgate_prune_ln_structured(const fairgate_tensor* weights, double amount,
                                             int32_t amount_is_count, int32_t norm, uint32_t dim,
                                             const uint8_t* existing_mask, uint8_t* out_mask) {
  return guard([&] {
    const ft::view v = view_of(weights, "weights");
    require_out_mask(v, out_mask);
    const fp::amount a = amount_of(amount, amount_is_count);
    fairgate::require(norm >= 1 && norm <= 3, fairgate::errc::invalid_argument,
                      [&] { return "norm = " + std::to_string(norm) + " is not a known value"; });
    ft::mask existing;
    if (existing_mask) existing = mask_from_bytes(v, existing_mask, "existing_mask");
    fp::options opt;
    opt.compute_digests = false;
    const auto r = fp::ln_structured(v, a, static_cast<fp::norm>(norm), dim,
                                     existing_mask ? &existing : nullptr, {}, opt);
    mask_to_bytes(r.mask, out_mask);
  });
}

fairgate_status fairgate_quant_options_init(fairgate_quant_options* options) {
  return guard([&] {
    require_non_null(options, "options");
    *options = default_quant_options();
  });
}

fairgate_status fairgate_quant_params(const fairgate_tensor* x,
                                      const fairgate_quant_options* options, float* out_scales,
                                      int32_t* out_zero_points, size_t capacity,
                                      size_t* out_channels) {
  return guard([&] {
    const ft::view v = view_of(x, "x");
    require_non_null(out_channels, "out_channels");
    const quant_setup s = setup_of(options);
    fairgate::require(s.scheme.axis < static_cast<int>(v.rank), fairgate::errc::invalid_argument,
                      [&] {
                        return "options->axis = " + std::to_string(s.scheme.axis) +
                               " but x has rank " + std::to_string(v.rank);
                      });
    fq::minmax_observer obs(s.scheme.axis);
    obs.observe(v);
    const fq::qparams p = obs.calculate_qparams(s.scheme);
    if (capacity >= p.channels()) {
      require_non_null(out_scales, "out_scales");
      require_non_null(out_zero_points, "out_zero_points");
      for (std::size_t c = 0; c < p.channels(); ++c) {
        out_scales[c] = p.scale[c];
        out_zero_points[c] = p.zero_point[c];
      }
    }
    *out_channels = p.channels();
  });
}

fairgate_status fairgate_quantize(const fairgate_tensor* x, const fairgate_quant_options* options,
                                  const float* scales, const int32_t* zero_points,
                                  size_t n_channels, uint8_t* out, size_t out_size) {
  return guard([&] {
    const ft::view v = view_of(x, "x");
    const quant_setup s = setup_of(options);
    const fq::qparams p = params_of(s, scales, zero_points, n_channels);
    if (out_size > 0) require_non_null(out, "out");
    require_finite(v, "x");
    fq::quantize_into(v, p, std::span<std::uint8_t>(out, out_size), s.rounding);
  });
}

fairgate_status fairgate_dequantize(const uint8_t* q, size_t q_size,
                                    const fairgate_quant_options* options, const float* scales,
                                    const int32_t* zero_points, size_t n_channels,
                                    const fairgate_tensor* out) {
  return guard([&] {
    const ft::view v = view_of(out, "out");
    if (q_size > 0) require_non_null(q, "q");
    const quant_setup s = setup_of(options);
    const fq::qparams p = params_of(s, scales, zero_points, n_channels);
    fq::dequantize(std::span<const std::uint8_t>(q, q_size), p, v);
  });
}

fairgate_status fairgate_fake_quantize(const fairgate_tensor* x,
                                       const fairgate_quant_options* options, const float* scales,
                                       const int32_t* zero_points, size_t n_channels,
                                       const fairgate_tensor* out) {
  return guard([&] {
    const ft::view vx = view_of(x, "x");
    const ft::view vo = view_of(out, "out");
    const quant_setup s = setup_of(options);
    const fq::qparams p = params_of(s, scales, zero_points, n_channels);
    require_finite(vx, "x");
    fq::fake_quantize(vx, p, vo, s.rounding);
  });
}

}  // extern "C"
