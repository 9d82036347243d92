// fairgate/quantize/scheme.hpp: quantization targets, ranges, scale
// conventions and rounding modes, with the exact arithmetic of each named
// convention.
//
//   fairgate::quantize::scheme s{.type = qtype::int8, .rule = scale_rule::torch_symmetric};
//   float mn[] = {-1.0f}, mx[] = {2.0f};
//   auto qp = fairgate::quantize::make_qparams(s, mn, mx);  // scale 2/127.5, zero point 0
//
// A quantized value q stands for the real value (q - zero_point) * scale.
//
// Targets (two's complement for the signed ones):
//   int8  [-128, 127]   uint8 [0, 255]   int4 [-8, 7]   uint4 [0, 15]
// int4/uint4 are stored packed two per byte: element i lives in byte i / 2,
// in the low nibble when i is even and the high nibble when i is odd; a
// signed nibble is the low 4 bits of its two's complement. An odd-length
// tensor leaves the last high nibble 0.
//
// Range modifiers (applied in this order):
//   reduce_range  drops one bit, as PyTorch's observers do for x86 (vpmaddubsw
//                 overflow): qmin /= 2, qmax /= 2 rounding toward -inf
//                 (int8 -> [-64, 63], uint8 -> [0, 127], int4 -> [-4, 3], uint4 -> [0, 7]).
//   narrow_range  raises qmin by one, as TensorFlow's fake_quant narrow_range
//                 ("[1, 2^b - 1]") and TFLite/ONNX symmetric int8 weights
//                 ([-127, 127]) do.
//
// Scale conventions (scale_rule). All are computed in float32, in the
// operation order of PyTorch 1.13 torch/ao/quantization/observer.py
// `_calculate_qparams`, so that scale and zero point match PyTorch bit for bit
// (each line is one float32 operation, rounded to nearest even):
//   min_neg = min(min, 0), max_pos = max(max, 0)
//   torch_symmetric:  amax  = max(-min_neg, max_pos)
//                     scale = amax / float((qmax - qmin) / 2)  (int8: amax/127.5)
//                     scale = max(scale, eps)
//                     zero_point = 0 for signed targets; for unsigned ones 128
//                     on the full uint8 range (PyTorch), otherwise
//                     (qmin + qmax) / 2 rounded down (PyTorch's custom-range rule).
//   narrow_symmetric: TFLite / ONNX symmetric: scale = amax / float(qmax)
//                     (int8 narrow: amax/127), zero_point 0; an all-zero range
//                     gets scale 1 (TFLite tensor_utils::SymmetricQuantizeFloats).
//                     Signed targets only.
//   affine:           scale = (max_pos - min_neg) / float(qmax - qmin)
//                     scale = max(scale, eps)
//                     zero_point = clamp(qmin - round_half_even(min_neg / scale), qmin, qmax)
// eps defaults to float32 machine epsilon (2^-23), PyTorch's default, so an
// all-zero tensor gets scale 2^-23 under the torch rules.
//
// Per-channel quantization carries one (scale, zero_point) per index of
// `axis`; per-tensor uses axis = per_tensor and one pair.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace quantize {

enum class qtype : std::uint8_t { int8 = 0, uint8 = 1, int4 = 2, uint4 = 3 };

constexpr const char* qtype_name(qtype t) noexcept {
  switch (t) {
    case qtype::int8:
      return "int8";
    case qtype::uint8:
      return "uint8";
    case qtype::int4:
      return "int4";
    case qtype::uint4:
      return "uint4";
  }
  return "?";
}

constexpr bool is_signed(qtype t) noexcept {
  return t == qtype::int8 || t == qtype::int4;
}
constexpr bool is_packed(qtype t) noexcept {
  return t == qtype::int4 || t == qtype::uint4;
}

// Bytes needed to store n elements of type t (packed for 4-bit types).
constexpr std::int64_t storage_bytes(qtype t, std::int64_t n) noexcept {
  return is_packed(t) ? (n + 1) / 2 : n;
}

enum class scale_rule : std::uint8_t { torch_symmetric = 0, narrow_symmetric = 1, affine = 2 };

// How x / scale becomes an integer.
//   half_to_even:        nearest, ties to even (ONNX QuantizeLinear, PyTorch's
//                        nearbyint, IEEE default rounding).
//   half_away_from_zero: nearest, ties away from zero (TFLite reference
//                        kernels' TfLiteRound, std::round).
//   stochastic:          floor(t + u), t = x * (1 / scale), u = w * 2^-32, w the
//                        word `flat index` of rng::stream(seed,
//                        purposes::quant_stochastic, stream_index). For f32
//                        input with |t| >= 2^-29 (or t = 0) t + u is exact in
//                        double, so P(round up) = frac(t) up to the 2^-32 grid
//                        of u; otherwise t + u is rounded to double once.
//                        Unbiased in expectation, and the bits
//                        depend only on (seed, index, element position),
//                        never on thread count.
enum class rounding : std::uint8_t { half_to_even = 0, half_away_from_zero = 1, stochastic = 2 };

struct rounding_options {
  rounding mode = rounding::half_to_even;
  std::uint64_t seed = 0;          // stochastic only
  std::uint32_t stream_index = 0;  // stochastic only: e.g. the tensor's index in the model
};

inline constexpr int per_tensor = -1;

struct scheme {
  qtype type = qtype::int8;
  scale_rule rule = scale_rule::torch_symmetric;
  int axis = per_tensor;  // channel axis for per-channel parameters
  bool reduce_range = false;
  bool narrow_range = false;
  float eps = std::numeric_limits<float>::epsilon();
};

struct qrange {
  std::int32_t qmin = 0;
  std::int32_t qmax = 0;
};

// The integer range of a target after the documented modifiers.
inline qrange range_of(qtype t, bool reduce_range = false, bool narrow_range = false) {
  qrange r;
  switch (t) {
    case qtype::int8:
      r = {-128, 127};
      break;
    case qtype::uint8:
      r = {0, 255};
      break;
    case qtype::int4:
      r = {-8, 7};
      break;
    case qtype::uint4:
      r = {0, 15};
      break;
  }
  if (reduce_range) {
    // Floor division, as Python's // in calculate_qmin_qmax: -128 // 2 = -64, 127 // 2 = 63.
    r.qmin = r.qmin >= 0 ? r.qmin / 2 : -((-r.qmin + 1) / 2);
    r.qmax = r.qmax / 2;
  }
  if (narrow_range) r.qmin += 1;
  return r;
}

// Quantization parameters of one tensor: one (scale, zero_point) pair per
// channel of `axis`, or a single pair when axis == per_tensor.
struct qparams {
  qtype type = qtype::int8;
  std::int32_t qmin = -128;
  std::int32_t qmax = 127;
  int axis = per_tensor;
  std::vector<float> scale;
  std::vector<std::int32_t> zero_point;

  [[nodiscard]] std::size_t channels() const noexcept { return scale.size(); }

  // Single-pair parameters on the full range of t.
  static qparams per_tensor_params(qtype t, float s, std::int32_t zp) {
    const qrange r = range_of(t);
    qparams p;
    p.type = t;
    p.qmin = r.qmin;
    p.qmax = r.qmax;
    p.scale = {s};
    p.zero_point = {zp};
    return p;
  }
};

// Checks the internal consistency of parameters (not their fit to a tensor).
inline void validate(const qparams& p) {
  const qrange full = range_of(p.type);
  require(p.qmin >= full.qmin && p.qmax <= full.qmax && p.qmin < p.qmax, errc::invalid_argument,
          [&] {
            return "qparams range [" + std::to_string(p.qmin) + ", " + std::to_string(p.qmax) +
                   "] is not a non-empty sub-range of " + qtype_name(p.type);
          });
  require(!p.scale.empty(), errc::invalid_argument, "qparams has no scale");
  require(p.scale.size() == p.zero_point.size(), errc::length_mismatch, [&] {
    return "qparams has " + std::to_string(p.scale.size()) + " scales but " +
           std::to_string(p.zero_point.size()) + " zero points";
  });
  require(p.axis >= 0 || p.scale.size() == 1, errc::invalid_argument, [&] {
    return "per-tensor qparams must have exactly one scale, got " + std::to_string(p.scale.size());
  });
  for (std::size_t c = 0; c < p.scale.size(); ++c) {
    const float s = p.scale[c];
    require(std::isfinite(s) && s > 0.0f, errc::invalid_value, [&] {
      return "scale[" + std::to_string(c) + "] = " + std::to_string(s) +
             ": scales must be finite and positive";
    });
    require(p.zero_point[c] >= p.qmin && p.zero_point[c] <= p.qmax, errc::out_of_range, [&] {
      return "zero_point[" + std::to_string(c) + "] = " + std::to_string(p.zero_point[c]) +
             " lies outside [" + std::to_string(p.qmin) + ", " + std::to_string(p.qmax) + "]";
    });
  }
}

namespace detail {

// Round half to even of a float, exact for every float (nearbyint under the
// IEEE default mode, which fairgate never changes).
inline float round_half_even_f(float x) noexcept {
  return std::nearbyint(x);
}

// One channel's (scale, zero_point) from its observed [mn, mx], float32 throughout.
inline void channel_qparams(const scheme& s, qrange r, float mn, float mx, float& scale,
                            std::int32_t& zp) {
  const float min_neg = std::min(mn, 0.0f);
  const float max_pos = std::max(mx, 0.0f);
  switch (s.rule) {
    case scale_rule::torch_symmetric: {
      const float amax = std::max(-min_neg, max_pos);
      // (qmax - qmin) / 2 is a multiple of 0.5 below 2^8: exact in float.
      const float half_range = static_cast<float>(static_cast<double>(r.qmax - r.qmin) / 2.0);
      scale = std::max(amax / half_range, s.eps);
      if (is_signed(s.type)) {
        zp = 0;
      } else if (s.type == qtype::uint8 && r.qmin == 0 && r.qmax == 255) {
        zp = 128;
      } else {
        zp = (r.qmin + r.qmax) / 2;  // both >= 0: truncation == floor
      }
      return;
    }
    case scale_rule::narrow_symmetric: {
      const float amax = std::max(-min_neg, max_pos);
      scale = amax == 0.0f ? 1.0f : amax / static_cast<float>(r.qmax);
      zp = 0;
      return;
    }
    case scale_rule::affine: {
      const float span = max_pos - min_neg;
      scale = std::max(span / static_cast<float>(r.qmax - r.qmin), s.eps);
      const float ratio = round_half_even_f(min_neg / scale);
      // |ratio| <= qmax - qmin + 1 because scale >= span / (qmax - qmin).
      const std::int32_t z = r.qmin - static_cast<std::int32_t>(ratio);
      zp = std::clamp(z, r.qmin, r.qmax);
      return;
    }
  }
}

}  // namespace detail

// Parameters from observed per-channel minima and maxima (one entry for
// per-tensor). Errors: NaN/Inf bounds, min > max, mismatched lengths, a
// symmetric rule on a reduced unsigned 8-bit range (PyTorch refuses it too),
// narrow_symmetric on an unsigned target.
inline qparams make_qparams(const scheme& s, std::span<const float> mins,
                            std::span<const float> maxs) {
  require(mins.size() == maxs.size(), errc::length_mismatch, [&] {
    return std::to_string(mins.size()) + " minima but " + std::to_string(maxs.size()) + " maxima";
  });
  require(!mins.empty(), errc::empty_input, "make_qparams needs at least one channel range");
  require(s.axis >= 0 || mins.size() == 1, errc::invalid_argument, [&] {
    return "per-tensor scheme given " + std::to_string(mins.size()) + " channel ranges";
  });
  require(std::isfinite(s.eps) && s.eps > 0.0f, errc::invalid_argument,
          "eps must be finite and positive");
  require(!(s.rule == scale_rule::torch_symmetric && s.type == qtype::uint8 && s.reduce_range),
          errc::unsupported,
          "torch_symmetric with reduce_range on uint8 is not defined (PyTorch raises too)");
  require(!(s.rule == scale_rule::narrow_symmetric && !is_signed(s.type)), errc::invalid_argument,
          "narrow_symmetric needs a signed target (int8 or int4)");
  const qrange r = range_of(s.type, s.reduce_range, s.narrow_range);
  qparams p;
  p.type = s.type;
  p.qmin = r.qmin;
  p.qmax = r.qmax;
  p.axis = s.axis;
  p.scale.resize(mins.size());
  p.zero_point.resize(mins.size());
  for (std::size_t c = 0; c < mins.size(); ++c) {
    require(std::isfinite(mins[c]) && std::isfinite(maxs[c]), errc::invalid_value,
            [&] { return "range of channel " + std::to_string(c) + " is not finite"; });
    require(mins[c] <= maxs[c], errc::invalid_argument, [&] {
      return "channel " + std::to_string(c) + ": min " + std::to_string(mins[c]) + " > max " +
             std::to_string(maxs[c]);
    });
    detail::channel_qparams(s, r, mins[c], maxs[c], p.scale[c], p.zero_point[c]);
  }
  return p;
}

inline qparams make_qparams(const scheme& s, float mn, float mx) {
  const float a[1] = {mn};
  const float b[1] = {mx};
  return make_qparams(s, std::span<const float>(a), std::span<const float>(b));
}

}  // namespace quantize

FAIRGATE_END_NAMESPACE
