// fairgate/tensor/view.hpp: a non-owning view of a host's weight tensor.
//
//   float w[64][3][3][3];
//   auto v = fairgate::tensor::view::contiguous(&w[0][0][0][0], {64, 3, 3, 3});
//
// The host owns the memory; passes read (and, for masks and fake-quant, write)
// through the view and never copy a large tensor. Strides count elements, not
// bytes (as torch and DLPack do), and may be arbitrary, including zero-size
// dims. f32 and f64 are the pass dtypes; f16 and bf16 are readable.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <string>
#include <type_traits>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace tensor {

enum class dtype : std::uint8_t { f32 = 0, f64 = 1, f16 = 2, bf16 = 3 };

constexpr std::size_t dtype_size(dtype t) noexcept {
  switch (t) {
    case dtype::f32:
      return 4;
    case dtype::f64:
      return 8;
    case dtype::f16:
      return 2;
    case dtype::bf16:
      return 2;
  }
  return 0;
}

constexpr const char* dtype_name(dtype t) noexcept {
  switch (t) {
    case dtype::f32:
      return "f32";
    case dtype::f64:
      return "f64";
    case dtype::f16:
      return "f16";
    case dtype::bf16:
      return "bf16";
  }
  return "?";
}

// Enough for conv3d weights and attention blocks; fixed so views stay trivially copyable.
inline constexpr std::size_t max_rank = 8;

struct view {
  void* data = nullptr;
  dtype type = dtype::f32;
  std::size_t rank = 0;
  std::array<std::int64_t, max_rank> shape{};
  std::array<std::int64_t, max_rank> strides{};  // in elements

  // Number of elements (1 for rank 0, 0 if any dim is 0).
  [[nodiscard]] std::int64_t numel() const noexcept {
    std::int64_t n = 1;
    for (std::size_t i = 0; i < rank; ++i) n *= shape[i];
    return n;
  }

  [[nodiscard]] bool is_contiguous() const noexcept {
    std::int64_t expected = 1;
    for (std::size_t i = rank; i-- > 0;) {
      if (shape[i] != 1 && strides[i] != expected) return false;
      expected *= shape[i];
    }
    return true;
  }

  // Element offset (in elements) of the flat, row-major index `flat`.
  [[nodiscard]] std::int64_t offset_of(std::int64_t flat) const noexcept {
    std::int64_t off = 0;
    for (std::size_t i = rank; i-- > 0;) {
      const std::int64_t d = shape[i];
      off += (flat % d) * strides[i];
      flat /= d;
    }
    return off;
  }

  template <class T>
  [[nodiscard]] T* as() const noexcept {
    return static_cast<T*>(data);
  }

  // Builds a C-contiguous (row-major) view.
  template <class T>
  static view contiguous(T* data, std::initializer_list<std::int64_t> dims);
  static view contiguous(void* data, dtype t, const std::int64_t* dims, std::size_t rank);
  static view strided(void* data, dtype t, const std::int64_t* dims, const std::int64_t* strides,
                      std::size_t rank);
};

template <class T>
constexpr dtype dtype_of() noexcept {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                "tensor views hold float or double (f16/bf16 are read via dtype)");
  if constexpr (std::is_same_v<T, float>)
    return dtype::f32;
  else
    return dtype::f64;
}

inline view view::strided(void* data, dtype t, const std::int64_t* dims,
                          const std::int64_t* strides_in, std::size_t r) {
  require(r <= max_rank, errc::invalid_argument, [&] {
    return "tensor rank " + std::to_string(r) + " exceeds " + std::to_string(max_rank);
  });
  view v;
  v.data = data;
  v.type = t;
  v.rank = r;
  for (std::size_t i = 0; i < r; ++i) {
    require(dims[i] >= 0, errc::invalid_argument, [&] {
      return "tensor dim " + std::to_string(i) + " is negative (" + std::to_string(dims[i]) + ")";
    });
    v.shape[i] = dims[i];
    v.strides[i] = strides_in[i];
  }
  require(data != nullptr || v.numel() == 0, errc::invalid_argument,
          "tensor view has null data but non-zero size");
  return v;
}

inline view view::contiguous(void* data, dtype t, const std::int64_t* dims, std::size_t r) {
  std::array<std::int64_t, max_rank> st{};
  require(r <= max_rank, errc::invalid_argument, [&] {
    return "tensor rank " + std::to_string(r) + " exceeds " + std::to_string(max_rank);
  });
  std::int64_t s = 1;
  for (std::size_t i = r; i-- > 0;) {
    st[i] = s;
    s *= dims[i];
  }
  return strided(data, t, dims, st.data(), r);
}

template <class T>
view view::contiguous(T* data, std::initializer_list<std::int64_t> dims) {
  return contiguous(static_cast<void*>(data), dtype_of<T>(), dims.begin(), dims.size());
}

// Reads element `offset` (in elements) as double, whatever the dtype.
// f16 and bf16 widen exactly.
inline double load_as_double(const view& v, std::int64_t offset) noexcept {
  const auto* base = static_cast<const unsigned char*>(v.data);
  switch (v.type) {
    case dtype::f32:
      return static_cast<double>(static_cast<const float*>(v.data)[offset]);
    case dtype::f64:
      return static_cast<const double*>(v.data)[offset];
    case dtype::bf16: {
      std::uint16_t h;
      std::memcpy(&h, base + 2 * offset, 2);
      const std::uint32_t bits = static_cast<std::uint32_t>(h) << 16;
      float f;
      std::memcpy(&f, &bits, 4);
      return static_cast<double>(f);
    }
    case dtype::f16: {
      std::uint16_t h;
      std::memcpy(&h, base + 2 * offset, 2);
      const int sign = (h >> 15) ? -1 : 1;
      const int exp = (h >> 10) & 0x1f;
      const int frac = h & 0x3ff;
      if (exp == 0) return sign * std::ldexp(static_cast<double>(frac), -24);
      if (exp == 31) {
        return frac ? std::numeric_limits<double>::quiet_NaN()
                    : sign * std::numeric_limits<double>::infinity();
      }
      return sign * std::ldexp(static_cast<double>(frac | 0x400), exp - 25);
    }
  }
  return 0.0;
}

}  // namespace tensor

FAIRGATE_END_NAMESPACE
