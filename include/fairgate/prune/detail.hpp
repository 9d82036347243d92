// fairgate/prune/detail.hpp: element walks and sort keys shared by the pruning passes.
//
// Not a public concept: the passes in this folder use it to visit a strided
// view in row-major flat order (the order every tie rule refers to) without
// copying it, and to map |w| to an unsigned key whose integer order is the
// order of the magnitudes.
#pragma once

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/tensor/mask.hpp>
#include <fairgate/tensor/view.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace prune::detail {

// Calls fn(flat_begin, offset_begin, len, stride) for every innermost run of
// the view, in row-major flat order. A C-contiguous view is one run.
template <class Fn>
void for_each_run(const tensor::view& v, Fn&& fn) {
  const std::int64_t n = v.numel();
  if (n == 0) return;
  if (v.rank == 0 || v.is_contiguous()) {
    fn(std::int64_t{0}, std::int64_t{0}, n, std::int64_t{1});
    return;
  }
  const std::size_t last = v.rank - 1;
  const std::int64_t len = v.shape[last];
  const std::int64_t stride = v.strides[last];
  std::array<std::int64_t, tensor::max_rank> idx{};
  std::int64_t offset = 0;
  for (std::int64_t flat = 0; flat < n; flat += len) {
    fn(flat, offset, len, stride);
    // Odometer increment over the outer dims.
    for (std::size_t d = last; d-- > 0;) {
      offset += v.strides[d];
      if (++idx[d] < v.shape[d]) break;
      offset -= v.strides[d] * v.shape[d];
      idx[d] = 0;
    }
  }
}

// Calls fn(flat, value_as_double) for every element in flat order.
template <class Fn>
void for_each_value(const tensor::view& v, Fn&& fn) {
  for_each_run(v,
               [&](std::int64_t flat0, std::int64_t off0, std::int64_t len, std::int64_t stride) {
                 switch (v.type) {
                   case tensor::dtype::f32: {
                     const float* p = v.as<const float>() + off0;
                     for (std::int64_t j = 0; j < len; ++j)
                       fn(flat0 + j, static_cast<double>(p[j * stride]));
                     break;
                   }
                   case tensor::dtype::f64: {
                     const double* p = v.as<const double>() + off0;
                     for (std::int64_t j = 0; j < len; ++j) fn(flat0 + j, p[j * stride]);
                     break;
                   }
                   default:
                     for (std::int64_t j = 0; j < len; ++j)
                       fn(flat0 + j, tensor::load_as_double(v, off0 + j * stride));
                 }
               });
}

// |x| as the bits of a non-negative double: for non-negative IEEE values the
// unsigned integer order of the bits is the numeric order (+0 and -0 both map
// to 0). Non-finite values map to >= inf_key.
inline constexpr std::uint64_t inf_key64 = 0x7ff0000000000000ULL;
inline std::uint64_t abs_key64(double x) noexcept {
  return std::bit_cast<std::uint64_t>(x) & 0x7fffffffffffffffULL;
}
inline constexpr std::uint32_t inf_key32 = 0x7f800000u;
inline std::uint32_t abs_key32(float x) noexcept {
  return std::bit_cast<std::uint32_t>(x) & 0x7fffffffu;
}

// A total order on doubles (finite ones; callers reject NaN) as unsigned
// integers: flip all bits of negatives, set the sign bit of non-negatives.
// -0.0 is mapped to +0.0 first so the two compare equal, as numbers do.
inline std::uint64_t signed_key64(double x) noexcept {
  if (x == 0.0) x = 0.0;
  const auto b = std::bit_cast<std::uint64_t>(x);
  return (b >> 63) ? ~b : (b | 0x8000000000000000ULL);
}

[[noreturn]] inline void throw_non_finite(std::string_view what, std::string_view name,
                                          std::int64_t flat, double value) {
  throw error(errc::invalid_value, std::string(what) + " '" + std::string(name) + "'[" +
                                       std::to_string(flat) + "] = " + std::to_string(value) +
                                       ": pruning needs finite weights (NaN/Inf are rejected)");
}

inline void require_pass_dtype(const tensor::view& v, std::string_view name) {
  require(v.data != nullptr || v.numel() == 0, errc::invalid_argument, "tensor view has null data");
  (void)name;
}

inline void require_mask_shape(const tensor::mask& m, const tensor::view& v,
                               std::string_view name) {
  require(m.same_shape(v), errc::length_mismatch, [&] {
    return "existing mask for tensor '" + std::string(name) +
           "' has a different shape from the tensor";
  });
}

}  // namespace prune::detail

FAIRGATE_END_NAMESPACE
