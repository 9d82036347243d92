// fairgate/quantize/dynamic.hpp: observe-and-quantize in one call ("dynamic"
// quantization of a weight tensor with min-max ranges).
//
//   auto q = fairgate::quantize::quantize_minmax(w, {.type = qtype::int8,
//                                                   .rule = scale_rule::torch_symmetric, .axis =
//                                                   0});
//
// The result is bit-identical to
//   minmax_observer obs(s.axis); obs.observe(x); quantize(x, obs.calculate_qparams(s), ro)
// (tested), but when each channel's elements are one contiguous block of
// memory (axis 0 of a C-contiguous tensor, the layout of torch Linear/Conv
// weights) it reads the tensor from memory once: each channel is observed and
// then quantized while it is still in cache. Otherwise it makes the two passes.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/quantize/observer.hpp>
#include <fairgate/quantize/quantize.hpp>
#include <fairgate/quantize/scheme.hpp>
#include <fairgate/tensor/view.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace quantize {

// Writes the quantized bytes of x to `out` (storage_bytes(s.type, numel)) and
// returns the parameters. Errors as minmax_observer and quantize; an empty
// tensor is an error (empty_input), as it has no range.
inline qparams quantize_minmax_into(const tensor::view& x, const scheme& s,
                                    std::span<std::uint8_t> out, const rounding_options& ro = {}) {
  detail::check_float_view(x, "quantize_minmax input");
  require(x.numel() > 0, errc::empty_input,
          "quantize_minmax of an empty tensor: no range to observe");
  const bool fused = s.axis == 0 && x.rank >= 1 && x.is_contiguous() && !is_packed(s.type) &&
                     ro.mode != rounding::stochastic;
  if (!fused) {
    minmax_observer obs(s.axis);
    obs.observe(x);
    qparams p = obs.calculate_qparams(s);
    quantize_into(x, p, out, ro);
    return p;
  }
  const std::int64_t nch = x.shape[0];
  const std::int64_t inner = x.numel() / nch;
  require(static_cast<std::int64_t>(out.size()) == x.numel(), errc::length_mismatch, [&] {
    return "quantize output has " + std::to_string(out.size()) + " bytes, needs " +
           std::to_string(x.numel());
  });
  // Validates the scheme exactly as the two-pass route does.
  scheme one = s;
  one.axis = per_tensor;
  const qparams probe = make_qparams(one, 0.0f, 0.0f);
  qparams all;
  all.type = s.type;
  all.qmin = probe.qmin;
  all.qmax = probe.qmax;
  all.axis = 0;
  all.scale.resize(static_cast<std::size_t>(nch));
  all.zero_point.resize(static_cast<std::size_t>(nch));
  const qrange r{probe.qmin, probe.qmax};
  const bool f32 = x.type == tensor::dtype::f32;
  const bool avx2 = detail::avx2_available();
  for (std::int64_t c = 0; c < nch; ++c) {
    const auto cu = static_cast<std::size_t>(c);
    std::uint8_t* dst = out.data() + c * inner;
    float mnf = 0, mxf = 0;
    bool bad = false;
    if (f32) {
      const float* src = static_cast<const float*>(x.data) + c * inner;
      float mn = std::numeric_limits<float>::infinity(), mx = -mn;
      bad = detail::minmax_run(src, inner, 1, mn, mx);
      mnf = mn + 0.0f;  // -0 -> +0, as channel_minmax
      mxf = mx + 0.0f;
      if (!bad) {
        detail::channel_qparams(s, r, mnf, mxf, all.scale[cu], all.zero_point[cu]);
        const detail::chan<float> ch{
            1.0f / all.scale[cu], static_cast<float>(r.qmin - all.zero_point[cu]),
            static_cast<float>(r.qmax - all.zero_point[cu]), all.scale[cu], all.zero_point[cu]};
        if (ro.mode == rounding::half_to_even) {
          // Quantize the channel (now in L1/L2) in chunks, prefetching the
          // next channel so memory stays busy while this one is converted.
          constexpr std::int64_t chunk = 512;
          [[maybe_unused]] const float* next = c + 1 < nch ? src + inner : nullptr;
          for (std::int64_t j = 0; j < inner; j += chunk) {
            const std::int64_t len = std::min(chunk, inner - j);
#if FAIRGATE_QUANT_SSE2
            if (next) {
              for (std::int64_t k = 0; k < len; k += 16)
                _mm_prefetch(reinterpret_cast<const char*>(next + j + k), _MM_HINT_T0);
            }
#endif
            detail::quantize_run_f32(src + j, len, ch, dst + j, avx2);
          }
          continue;
        }
      }
    } else {
      const double* src = static_cast<const double*>(x.data) + c * inner;
      double mn = std::numeric_limits<double>::infinity(), mx = -mn;
      bad = detail::minmax_run(src, inner, 1, mn, mx);
      mnf = static_cast<float>(mn + 0.0);
      mxf = static_cast<float>(mx + 0.0);
    }
    if (bad) {
      // Names the flat index in the whole tensor, as the two-pass route does.
      minmax_observer full(0);
      full.observe(x);
      throw error(errc::internal, "non-finite element vanished");
    }
    detail::channel_qparams(s, r, mnf, mxf, all.scale[cu], all.zero_point[cu]);
    tensor::view row = x;
    row.rank = 1;
    row.shape[0] = inner;
    row.strides[0] = 1;
    row.data = static_cast<unsigned char*>(x.data) +
               static_cast<std::size_t>(c * inner) * tensor::dtype_size(x.type);
    const qparams p =
        qparams{all.type, all.qmin, all.qmax, per_tensor, {all.scale[cu]}, {all.zero_point[cu]}};
    quantize_into(row, p,
                  out.subspan(static_cast<std::size_t>(c * inner), static_cast<std::size_t>(inner)),
                  ro);
  }
  return all;
}

inline qtensor quantize_minmax(const tensor::view& x, const scheme& s,
                               const rounding_options& ro = {}) {
  qtensor q;
  q.rank = x.rank;
  q.shape = x.shape;
  q.data.resize(static_cast<std::size_t>(storage_bytes(s.type, x.numel())));
  q.params = quantize_minmax_into(x, s, q.data, ro);
  return q;
}

}  // namespace quantize

FAIRGATE_END_NAMESPACE
