// fairgate/quantize/quantize.hpp: quantize, dequantize, fake-quantize and
// error statistics over f32/f64 tensor views of any strides.
//
//   auto qp = fairgate::quantize::make_qparams(scheme, mins, maxs);  // see scheme.hpp /
//   observer.hpp auto q  = fairgate::quantize::quantize(weights_view, qp);        // packed integer
//   bytes fairgate::quantize::fake_quantize(weights_view, qp, weights_view);  // in place, for
//   float eval
//
// Semantics (PyTorch 1.13's CPU kernels, checked bit for bit by
// tests/quantize/torch_differential.py):
//   inv = 1 / scale            (float32 for f32 input: 1.0f / scale; double for f64 input)
//   t   = x * inv              (a multiplication by the inverse, as fbgemm::Quantize and
//                               torch's fake_quantize kernels do; x / scale differs in
//                               a few ulp-boundary cases)
//   q   = clamp(zero_point + round(t), qmin, qmax)   round per rounding_options
//   dequantize(q) = T(q - zero_point) * T(scale)     (T = the output's float type)
//   fake_quantize(x) = dequantize(quantize(x))
// Clamping before rounding gives the same q as rounding before clamping (the
// bounds are integers and rounding is monotone); it keeps |t| small, so
// rounding is done exactly with the 1.5 * 2^(p-1) trick, which vectorises.
//
// Elements are numbered in row-major (C) order of the logical shape whatever
// the strides: that flat index is the position in the output buffer and the
// position of the stochastic-rounding word. Per-channel parameters apply to
// the index along qparams.axis.
//
// Errors: NaN or Inf in the input (invalid_value, naming the flat index), a
// dtype other than f32/f64, a channel count that differs from the axis
// length, an output buffer of the wrong size. A zero-size tensor quantizes to
// an empty buffer.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/math/deterministic.hpp>
#include <fairgate/quantize/scheme.hpp>
#include <fairgate/rng/stream.hpp>
#include <fairgate/tensor/view.hpp>

// Explicit SIMD row kernels (x86-64): SSE2 always, AVX2 when the CPU has it
// (chosen at run time; the library is built for baseline x86-64). Both do the
// same IEEE operations as the scalar code, so results are bit-identical with
// FAIRGATE_DISABLE_SIMD, on aarch64, and between the two x86 paths.
#if FAIRGATE_SIMD_ENABLED && defined(__SSE2__)
#include <immintrin.h>
#define FAIRGATE_QUANT_SSE2 1
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define FAIRGATE_QUANT_AVX2 1
#define FAIRGATE_TARGET_AVX2 __attribute__((target("avx2")))
#else
#define FAIRGATE_QUANT_AVX2 0
#endif
#else
#define FAIRGATE_QUANT_SSE2 0
#define FAIRGATE_QUANT_AVX2 0
#endif

FAIRGATE_BEGIN_NAMESPACE

namespace quantize {

// The integer value of element `i` of a quantized buffer (see scheme.hpp for
// the byte layout).
inline std::int32_t unpack(std::span<const std::uint8_t> bytes, qtype t, std::int64_t i) noexcept {
  switch (t) {
    case qtype::int8:
      return static_cast<std::int8_t>(bytes[static_cast<std::size_t>(i)]);
    case qtype::uint8:
      return bytes[static_cast<std::size_t>(i)];
    case qtype::int4: {
      const std::uint32_t nib = (bytes[static_cast<std::size_t>(i / 2)] >> ((i & 1) * 4)) & 0xFu;
      return static_cast<std::int32_t>(nib) - (nib >= 8 ? 16 : 0);
    }
    case qtype::uint4:
      return static_cast<std::int32_t>((bytes[static_cast<std::size_t>(i / 2)] >> ((i & 1) * 4)) &
                                       0xFu);
  }
  return 0;
}

// An owning quantized tensor: parameters, logical shape, bytes.
struct qtensor {
  qparams params;
  std::size_t rank = 0;
  std::array<std::int64_t, tensor::max_rank> shape{};
  std::vector<std::uint8_t> data;

  [[nodiscard]] std::int64_t numel() const noexcept {
    std::int64_t n = 1;
    for (std::size_t i = 0; i < rank; ++i) n *= shape[i];
    return n;
  }
  [[nodiscard]] std::int32_t value(std::int64_t flat) const noexcept {
    return unpack(data, params.type, flat);
  }
};

namespace detail {

// Iteration plan over a view: dims after `keep_after` may be merged when they
// are laid out contiguously relative to each other, so that rows are long.
// Each row has a constant channel unless the channel axis is the last dim.
struct row_plan {
  std::size_t rank = 0;
  std::array<std::int64_t, tensor::max_rank> shape{};
  std::array<std::int64_t, tensor::max_rank> strides{};
};

inline row_plan make_plan(const tensor::view& v, int axis) {
  row_plan p;
  if (v.rank == 0) {
    p.rank = 1;
    p.shape[0] = 1;
    p.strides[0] = 1;
    return p;
  }
  p.rank = 1;
  p.shape[0] = v.shape[0];
  p.strides[0] = v.strides[0];
  for (std::size_t d = 1; d < v.rank; ++d) {
    const std::size_t last = p.rank - 1;
    // Merge dim d into the previous one only if both lie after the channel
    // axis (so a row never spans two channels) and memory is consistent.
    const bool after_axis = static_cast<int>(d) - 1 > axis;
    if (after_axis && p.strides[last] == v.strides[d] * v.shape[d]) {
      p.shape[last] *= v.shape[d];
      p.strides[last] = v.strides[d];
    } else {
      p.shape[p.rank] = v.shape[d];
      p.strides[p.rank] = v.strides[d];
      ++p.rank;
    }
  }
  return p;
}

// Calls f(offset_of_first_element, flat_index_of_first_element, row_length,
// row_stride) for every row, in flat order.
template <class F>
void for_each_row(const row_plan& p, F&& f) {
  std::int64_t total = 1;
  for (std::size_t i = 0; i < p.rank; ++i) total *= p.shape[i];
  if (total == 0) return;
  const std::int64_t len = p.shape[p.rank - 1];
  const std::int64_t stride = p.strides[p.rank - 1];
  const std::int64_t rows = total / len;
  std::array<std::int64_t, tensor::max_rank> idx{};
  std::int64_t off = 0;
  for (std::int64_t r = 0; r < rows; ++r) {
    f(off, r * len, len, stride);
    for (std::size_t d = p.rank - 1; d-- > 0;) {
      off += p.strides[d];
      if (++idx[d] < p.shape[d]) break;
      off -= p.strides[d] * p.shape[d];
      idx[d] = 0;
    }
  }
}

inline void check_float_view(const tensor::view& v, const char* what) {
  require(v.type == tensor::dtype::f32 || v.type == tensor::dtype::f64, errc::unsupported, [&] {
    return std::string(what) + " has dtype " + tensor::dtype_name(v.type) +
           "; quantization passes take f32 or f64";
  });
}

// Product of the dims after `axis` (the flat-index period of one channel).
inline std::int64_t inner_size(const tensor::view& v, int axis) {
  std::int64_t n = 1;
  for (std::size_t d = static_cast<std::size_t>(axis) + 1; d < v.rank; ++d) n *= v.shape[d];
  return n;
}

inline void check_params_fit(const qparams& p, const tensor::view& v) {
  validate(p);
  if (p.axis >= 0) {
    require(static_cast<std::size_t>(p.axis) < v.rank, errc::invalid_argument, [&] {
      return "channel axis " + std::to_string(p.axis) + " is out of range for a rank-" +
             std::to_string(v.rank) + " tensor";
    });
    require(v.shape[static_cast<std::size_t>(p.axis)] == static_cast<std::int64_t>(p.channels()),
            errc::length_mismatch, [&] {
              return "axis " + std::to_string(p.axis) + " has length " +
                     std::to_string(v.shape[static_cast<std::size_t>(p.axis)]) +
                     " but qparams has " + std::to_string(p.channels()) + " channels";
            });
  }
}

template <class T>
struct chan {
  T inv;
  T lo;  // qmin - zero_point
  T hi;  // qmax - zero_point
  T scale;
  std::int32_t zp;
};

template <class T>
inline std::vector<chan<T>> make_chans(const qparams& p) {
  std::vector<chan<T>> c(p.channels());
  for (std::size_t i = 0; i < c.size(); ++i) {
    const T s = static_cast<T>(p.scale[i]);
    c[i] = {static_cast<T>(1) / s, static_cast<T>(p.qmin - p.zero_point[i]),
            static_cast<T>(p.qmax - p.zero_point[i]), s, p.zero_point[i]};
  }
  return c;
}

// 1.5 * 2^(mantissa bits): adding and subtracting it rounds |t| < 2^(p-2) to an
// integer in the current (IEEE default: nearest-even) mode.
template <class T>
inline constexpr T round_magic = std::is_same_v<T, float> ? static_cast<T>(12582912.0f)
                                                          : static_cast<T>(6755399441055744.0);

// q - zero_point for one element, with t already clamped to [lo, hi].
template <class T, rounding M>
inline T round_clamped(T t, std::uint32_t word) noexcept {
  if constexpr (M == rounding::half_to_even) {
    return (t + round_magic<T>)-round_magic<T>;
  } else if constexpr (M == rounding::half_away_from_zero) {
    T r = (t + round_magic<T>)-round_magic<T>;
    const T d = t - r;  // exact: r is the nearest integer to a small t
    r = (d == static_cast<T>(0.5) && t > 0) ? r + 1 : r;
    r = (d == static_cast<T>(-0.5) && t < 0) ? r - 1 : r;
    return r;
  } else {
    const double u = static_cast<double>(word) * 0x1p-32;
    return static_cast<T>(std::floor(static_cast<double>(t) + u));
  }
}

template <class T, rounding M>
inline T qminus_zp(T x, const chan<T>& c, std::uint32_t word) noexcept {
  T t = x * c.inv;
  // Written so that NaN (from a NaN input, or 0 · inf) clamps to lo: the
  // int conversion that follows is then always defined. The caller reports
  // the non-finite input; the byte written meanwhile is never used.
  t = !(t >= c.lo) ? c.lo : t;
  t = t > c.hi ? c.hi : t;
  return round_clamped<T, M>(t, word);
}

template <class T>
inline bool nonfinite(T x) noexcept {
  return !(std::fabs(x) <= std::numeric_limits<T>::max());
}

template <class T>
[[noreturn]] inline void throw_nonfinite(T x, std::int64_t flat) {
  throw error(errc::invalid_value, "x[" + std::to_string(flat) + "] = " + std::to_string(x) +
                                       ": cannot quantize NaN or Inf");
}

// Finds and reports the first non-finite element of a row known to hold one.
template <class T>
[[noreturn]] inline void report_row(const T* src, std::int64_t n, std::int64_t stride,
                                    std::int64_t flat0) {
  for (std::int64_t j = 0; j < n; ++j) {
    if (nonfinite(src[j * stride])) throw_nonfinite(src[j * stride], flat0 + j);
  }
  throw error(errc::internal, "non-finite element vanished");
}

// The stochastic word of element `flat`; blocks of 4 are shared by neighbours.
struct word_source {
  const rng::stream* st = nullptr;
  std::uint64_t cached = ~std::uint64_t{0};
  rng::philox_block blk{};
  std::uint32_t at(std::int64_t flat) noexcept {
    const auto pos = static_cast<std::uint64_t>(flat);
    if ((pos >> 2) != cached) {
      cached = pos >> 2;
      blk = st->block(cached);
    }
    return blk[pos & 3u];
  }
};

#if FAIRGATE_QUANT_SSE2
// SSE2 versions of the f32 half-to-even row kernels. They perform the same
// IEEE operations as the scalar code (x * inv, max with lo, min with hi, +/-
// the rounding constant, exact truncation of an integer-valued float), so the
// bits are identical with or without FAIRGATE_DISABLE_SIMD. Each returns the
// number of leading elements it handled; the scalar loop does the tail.
inline std::int64_t sse2_quantize_row(const float* src, std::int64_t n, const chan<float>& c,
                                      std::uint8_t* d, unsigned& bad) noexcept {
  const __m128 vinv = _mm_set1_ps(c.inv), vlo = _mm_set1_ps(c.lo), vhi = _mm_set1_ps(c.hi);
  const __m128 magic = _mm_set1_ps(round_magic<float>);
  const __m128 absmask = _mm_castsi128_ps(_mm_set1_epi32(0x7fffffff));
  const __m128 big = _mm_set1_ps(std::numeric_limits<float>::max());
  const __m128i vzp = _mm_set1_epi32(c.zp), low = _mm_set1_epi16(0xFF);
  __m128 nf = _mm_setzero_ps();
  std::int64_t j = 0;
  for (; j + 16 <= n; j += 16) {
    __m128i q[4];
    for (int k = 0; k < 4; ++k) {
      const __m128 v = _mm_loadu_ps(src + j + 4 * k);
      nf = _mm_or_ps(nf, _mm_cmpnle_ps(_mm_and_ps(v, absmask), big));
      __m128 t = _mm_mul_ps(v, vinv);
      t = _mm_max_ps(t, vlo);
      t = _mm_min_ps(t, vhi);
      t = _mm_sub_ps(_mm_add_ps(t, magic), magic);
      q[k] = _mm_add_epi32(_mm_cvttps_epi32(t), vzp);
    }
    // q is in [qmin, qmax] within [-128, 255]: packs is exact, and the low
    // byte of each 16-bit lane is the stored byte (two's complement for int8).
    const __m128i a = _mm_and_si128(_mm_packs_epi32(q[0], q[1]), low);
    const __m128i b = _mm_and_si128(_mm_packs_epi32(q[2], q[3]), low);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(d + j), _mm_packus_epi16(a, b));
  }
  bad |= static_cast<unsigned>(_mm_movemask_ps(nf));
  return j;
}

inline std::int64_t sse2_fake_row(const float* src, std::int64_t n, const chan<float>& c, float* d,
                                  unsigned& bad) noexcept {
  const __m128 vinv = _mm_set1_ps(c.inv), vlo = _mm_set1_ps(c.lo), vhi = _mm_set1_ps(c.hi);
  const __m128 vs = _mm_set1_ps(c.scale), magic = _mm_set1_ps(round_magic<float>);
  const __m128 absmask = _mm_castsi128_ps(_mm_set1_epi32(0x7fffffff));
  const __m128 big = _mm_set1_ps(std::numeric_limits<float>::max());
  __m128 nf = _mm_setzero_ps();
  std::int64_t j = 0;
  for (; j + 4 <= n; j += 4) {
    const __m128 v = _mm_loadu_ps(src + j);
    nf = _mm_or_ps(nf, _mm_cmpnle_ps(_mm_and_ps(v, absmask), big));
    __m128 t = _mm_mul_ps(v, vinv);
    t = _mm_max_ps(t, vlo);
    t = _mm_min_ps(t, vhi);
    t = _mm_sub_ps(_mm_add_ps(t, magic), magic);
    _mm_storeu_ps(d + j, _mm_mul_ps(t, vs));
  }
  bad |= static_cast<unsigned>(_mm_movemask_ps(nf));
  return j;
}
#endif

#if FAIRGATE_QUANT_AVX2
inline bool cpu_has_avx2() noexcept {
  return __builtin_cpu_supports("avx2");
}

FAIRGATE_TARGET_AVX2 inline std::int64_t avx2_quantize_row(const float* src, std::int64_t n,
                                                           const chan<float>& c, std::uint8_t* d,
                                                           unsigned& bad) noexcept {
  const __m256 vinv = _mm256_set1_ps(c.inv), vlo = _mm256_set1_ps(c.lo), vhi = _mm256_set1_ps(c.hi);
  const __m256 magic = _mm256_set1_ps(round_magic<float>);
  const __m256 absmask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
  const __m256 big = _mm256_set1_ps(std::numeric_limits<float>::max());
  const __m256i vzp = _mm256_set1_epi32(c.zp), low = _mm256_set1_epi16(0xFF);
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  __m256 nf = _mm256_setzero_ps();
  std::int64_t j = 0;
  for (; j + 32 <= n; j += 32) {
    __m256i q[4];
    for (int k = 0; k < 4; ++k) {
      const __m256 v = _mm256_loadu_ps(src + j + 8 * k);
      nf = _mm256_or_ps(nf, _mm256_cmp_ps(_mm256_and_ps(v, absmask), big, _CMP_NLE_UQ));
      __m256 t = _mm256_mul_ps(v, vinv);
      t = _mm256_max_ps(t, vlo);
      t = _mm256_min_ps(t, vhi);
      t = _mm256_sub_ps(_mm256_add_ps(t, magic), magic);
      q[k] = _mm256_add_epi32(_mm256_cvttps_epi32(t), vzp);
    }
    // In-lane packs interleave 128-bit halves; the dword permutation restores order.
    const __m256i a = _mm256_and_si256(_mm256_packs_epi32(q[0], q[1]), low);
    const __m256i b = _mm256_and_si256(_mm256_packs_epi32(q[2], q[3]), low);
    const __m256i bytes = _mm256_permutevar8x32_epi32(_mm256_packus_epi16(a, b), order);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(d + j), bytes);
  }
  bad |= static_cast<unsigned>(_mm256_movemask_ps(nf));
  return j;
}

FAIRGATE_TARGET_AVX2 inline std::int64_t avx2_fake_row(const float* src, std::int64_t n,
                                                       const chan<float>& c, float* d,
                                                       unsigned& bad) noexcept {
  const __m256 vinv = _mm256_set1_ps(c.inv), vlo = _mm256_set1_ps(c.lo), vhi = _mm256_set1_ps(c.hi);
  const __m256 vs = _mm256_set1_ps(c.scale), magic = _mm256_set1_ps(round_magic<float>);
  const __m256 absmask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
  const __m256 big = _mm256_set1_ps(std::numeric_limits<float>::max());
  __m256 nf = _mm256_setzero_ps();
  std::int64_t j = 0;
  for (; j + 8 <= n; j += 8) {
    const __m256 v = _mm256_loadu_ps(src + j);
    nf = _mm256_or_ps(nf, _mm256_cmp_ps(_mm256_and_ps(v, absmask), big, _CMP_NLE_UQ));
    __m256 t = _mm256_mul_ps(v, vinv);
    t = _mm256_max_ps(t, vlo);
    t = _mm256_min_ps(t, vhi);
    t = _mm256_sub_ps(_mm256_add_ps(t, magic), magic);
    _mm256_storeu_ps(d + j, _mm256_mul_ps(t, vs));
  }
  bad |= static_cast<unsigned>(_mm256_movemask_ps(nf));
  return j;
}

// Min and max of a contiguous f32 run, 16 lanes; returns elements handled.
// _mm256_min_ps(v, m) is exactly v < m ? v : m, the scalar rule.
FAIRGATE_TARGET_AVX2 inline std::int64_t avx2_minmax_row(const float* src, std::int64_t n,
                                                         float* lmn, float* lmx,
                                                         unsigned& bad) noexcept {
  __m256 mn0 = _mm256_set1_ps(lmn[0]), mn1 = mn0, mx0 = _mm256_set1_ps(lmx[0]), mx1 = mx0;
  __m256 nan = _mm256_setzero_ps();
  std::int64_t j = 0;
  for (; j + 16 <= n; j += 16) {
    const __m256 a = _mm256_loadu_ps(src + j), b = _mm256_loadu_ps(src + j + 8);
    mn0 = _mm256_min_ps(a, mn0);
    mn1 = _mm256_min_ps(b, mn1);
    mx0 = _mm256_max_ps(a, mx0);
    mx1 = _mm256_max_ps(b, mx1);
    nan = _mm256_or_ps(nan, _mm256_cmp_ps(a, b, _CMP_UNORD_Q));
  }
  _mm256_storeu_ps(lmn, mn0);
  _mm256_storeu_ps(lmn + 8, mn1);
  _mm256_storeu_ps(lmx, mx0);
  _mm256_storeu_ps(lmx + 8, mx1);
  bad |= static_cast<unsigned>(_mm256_movemask_ps(nan));
  return j;
}
#endif

// The hot kernel: a contiguous f32 run, half-to-even, 8-bit output. Returns
// true if the run holds a NaN or an infinity (the bytes are then garbage).
inline bool quantize_run_f32(const float* src, std::int64_t n, const chan<float>& c,
                             std::uint8_t* d, [[maybe_unused]] bool avx2) noexcept {
  unsigned bad = 0;
  std::int64_t j = 0;
#if FAIRGATE_QUANT_SSE2
#if FAIRGATE_QUANT_AVX2
  if (avx2) j = avx2_quantize_row(src, n, c, d, bad);
#endif
  j += sse2_quantize_row(src + j, n - j, c, d + j, bad);
#endif
  for (; j < n; ++j) {
    const float v = src[j];
    bad |= static_cast<unsigned>(nonfinite(v));
    const float r = qminus_zp<float, rounding::half_to_even>(v, c, 0u);
    d[j] = static_cast<std::uint8_t>(static_cast<std::int32_t>(r) + c.zp);
  }
  return bad != 0;
}

// Software prefetch of the cache line at byte address `p`. The address may lie
// past the end of the caller's buffer: a prefetch never faults, and the
// address is formed as an integer so no out-of-range pointer is computed.
inline void prefetch_address([[maybe_unused]] std::uintptr_t p) noexcept {
#if FAIRGATE_QUANT_SSE2
  _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T0);
#endif
}

// The same kernel as quantize_run_f32 (same operations, same bits) for a run
// read straight from memory rather than from cache. The conversion does about
// a dozen vector operations per 32 bytes read, which keeps too few loads in
// flight for the hardware prefetcher alone to reach read bandwidth: measured
// on the 4096 x 4096 benchmark, the plain run took 9-11 ms, about 1.6x the
// fused observe + quantize pass, which converts from L1 while prefetching.
// This works in 1 KiB pieces and prefetches 4 KiB ahead of the piece being
// converted (distance and piece size chosen by measurement: 256/1024 floats
// and 256/1536 were best, 3.6-4.1 ms; 512/512 gave 4.7-5.4 ms).
inline bool quantize_stream_f32(const float* src, std::int64_t n, const chan<float>& c,
                                std::uint8_t* d, bool avx2) noexcept {
  constexpr std::int64_t piece = 256;     // floats converted per step
  constexpr std::uintptr_t ahead = 4096;  // bytes prefetched ahead
  constexpr std::uintptr_t line = 64;
  bool bad = false;
  for (std::int64_t j = 0; j < n; j += piece) {
    const std::int64_t len = std::min(piece, n - j);
    const auto at = reinterpret_cast<std::uintptr_t>(src + j) + ahead;
    for (std::uintptr_t b = 0; b < static_cast<std::uintptr_t>(len) * sizeof(float); b += line)
      prefetch_address(at + b);
    bad |= quantize_run_f32(src + j, len, c, d + j, avx2);
  }
  return bad;
}

inline bool avx2_available() noexcept {
#if FAIRGATE_QUANT_AVX2
  return cpu_has_avx2();
#else
  return false;
#endif
}

// Applies sink(flat, q_minus_zp, channel) to every element in flat order.
// Rows with a constant channel run a tight loop the compiler vectorises.
template <class T, rounding M, class RowSink, class ElemSink>
void walk_quantize(const tensor::view& x, const qparams& p, const rounding_options& ro,
                   RowSink&& row_sink, ElemSink&& elem_sink) {
  const std::vector<chan<T>> ch = make_chans<T>(p);
  const row_plan plan = make_plan(x, p.axis >= 0 ? p.axis : -1);
  const bool channel_varies_in_row = p.axis >= 0 && static_cast<std::size_t>(p.axis) + 1 == x.rank;
  const std::int64_t inner = p.axis >= 0 ? inner_size(x, p.axis) : 1;
  const std::int64_t nch = static_cast<std::int64_t>(ch.size());
  const T* base = static_cast<const T*>(x.data);
  const rng::stream st(ro.seed, rng::purposes::quant_stochastic, ro.stream_index);
  word_source ws{&st};
  for_each_row(plan, [&](std::int64_t off, std::int64_t flat0, std::int64_t n,
                         std::int64_t stride) {
    const T* src = base + off;
    if (!channel_varies_in_row && stride == 1 && M != rounding::stochastic) {
      const chan<T>& c = ch[static_cast<std::size_t>(p.axis >= 0 ? (flat0 / inner) % nch : 0)];
      row_sink(src, n, flat0, c);
      return;
    }
    for (std::int64_t j = 0; j < n; ++j) {
      const T v = src[j * stride];
      if (nonfinite(v)) throw_nonfinite(v, flat0 + j);
      const std::int64_t flat = flat0 + j;
      const std::size_t ci =
          p.axis < 0 ? 0
                     : static_cast<std::size_t>(channel_varies_in_row ? j : (flat / inner) % nch);
      const std::uint32_t w = M == rounding::stochastic ? ws.at(flat) : 0u;
      elem_sink(flat, qminus_zp<T, M>(v, ch[ci], w), ch[ci]);
    }
  });
}

template <class T, rounding M>
void quantize_impl(const tensor::view& x, const qparams& p, const rounding_options& ro,
                   std::span<std::uint8_t> out) {
  if (!is_packed(p.type)) {
    std::uint8_t* dst = out.data();
    const bool avx2 = avx2_available();
    walk_quantize<T, M>(
        x, p, ro,
        [&](const T* src, std::int64_t n, std::int64_t flat0, const chan<T>& c) {
          std::uint8_t* d = dst + flat0;
          if constexpr (std::is_same_v<T, float> && M == rounding::half_to_even) {
            if (quantize_stream_f32(src, n, c, d, avx2)) report_row(src, n, 1, flat0);
            return;
          }
          unsigned bad = 0;
          for (std::int64_t j = 0; j < n; ++j) {
            const T v = src[j];
            bad |= static_cast<unsigned>(nonfinite(v));
            const T r = qminus_zp<T, M>(v, c, 0u);
            d[j] = static_cast<std::uint8_t>(static_cast<std::int32_t>(r) + c.zp);
          }
          if (bad) report_row(src, n, 1, flat0);
        },
        [&](std::int64_t flat, T r, const chan<T>& c) {
          dst[flat] = static_cast<std::uint8_t>(static_cast<std::int32_t>(r) + c.zp);
        });
    return;
  }
  std::fill(out.begin(), out.end(), std::uint8_t{0});
  auto put = [&](std::int64_t flat, std::int32_t q) {
    const auto nib = static_cast<std::uint8_t>(static_cast<std::uint32_t>(q) & 0xFu);
    out[static_cast<std::size_t>(flat >> 1)] |= static_cast<std::uint8_t>(nib << ((flat & 1) * 4));
  };
  walk_quantize<T, M>(
      x, p, ro,
      [&](const T* src, std::int64_t n, std::int64_t flat0, const chan<T>& c) {
        for (std::int64_t j = 0; j < n; ++j) {
          if (nonfinite(src[j])) throw_nonfinite(src[j], flat0 + j);
          put(flat0 + j, static_cast<std::int32_t>(qminus_zp<T, M>(src[j], c, 0u)) + c.zp);
        }
      },
      [&](std::int64_t flat, T r, const chan<T>& c) {
        put(flat, static_cast<std::int32_t>(r) + c.zp);
      });
}

template <class T>
void quantize_dispatch(const tensor::view& x, const qparams& p, const rounding_options& ro,
                       std::span<std::uint8_t> out) {
  switch (ro.mode) {
    case rounding::half_to_even:
      quantize_impl<T, rounding::half_to_even>(x, p, ro, out);
      return;
    case rounding::half_away_from_zero:
      quantize_impl<T, rounding::half_away_from_zero>(x, p, ro, out);
      return;
    case rounding::stochastic:
      quantize_impl<T, rounding::stochastic>(x, p, ro, out);
      return;
  }
  throw error(errc::invalid_argument, "unknown rounding mode");
}

template <class T, class U, rounding M>
void fake_impl(const tensor::view& x, const qparams& p, const rounding_options& ro,
               const tensor::view& out) {
  U* obase = static_cast<U*>(out.data);
  const bool out_contig = out.is_contiguous();
#if FAIRGATE_QUANT_AVX2
  const bool avx2 = cpu_has_avx2();
#endif
  walk_quantize<T, M>(
      x, p, ro,
      [&](const T* src, std::int64_t n, std::int64_t flat0, const chan<T>& c) {
        if (out_contig) {
          U* d = obase + flat0;
          unsigned bad = 0;
          std::int64_t j = 0;
#if FAIRGATE_QUANT_SSE2
          if constexpr (std::is_same_v<T, float> && std::is_same_v<U, float> &&
                        M == rounding::half_to_even) {
#if FAIRGATE_QUANT_AVX2
            if (avx2) j = avx2_fake_row(src, n, c, d, bad);
#endif
            j += sse2_fake_row(src + j, n - j, c, d + j, bad);
          }
#endif
          for (; j < n; ++j) {
            const T v = src[j];
            bad |= static_cast<unsigned>(nonfinite(v));
            d[j] = static_cast<U>(qminus_zp<T, M>(v, c, 0u) * c.scale);
          }
          if (bad)
            report_row(src, n, 1, flat0);  // in place: d == src is already written;
                                           // the error still names the index
        } else {
          for (std::int64_t j = 0; j < n; ++j) {
            const T v = src[j];
            if (nonfinite(v)) throw_nonfinite(v, flat0 + j);
            obase[out.offset_of(flat0 + j)] = static_cast<U>(qminus_zp<T, M>(v, c, 0u) * c.scale);
          }
        }
      },
      [&](std::int64_t flat, T r, const chan<T>& c) {
        obase[out_contig ? flat : out.offset_of(flat)] = static_cast<U>(r * c.scale);
      });
}

}  // namespace detail

// Quantizes x into `out` (storage_bytes(p.type, x.numel()) bytes, flat
// row-major order, 4-bit types packed). See the header comment for semantics.
inline void quantize_into(const tensor::view& x, const qparams& p, std::span<std::uint8_t> out,
                          const rounding_options& ro = {}) {
  detail::check_float_view(x, "quantize input");
  detail::check_params_fit(p, x);
  const std::int64_t need = storage_bytes(p.type, x.numel());
  require(static_cast<std::int64_t>(out.size()) == need, errc::length_mismatch, [&] {
    return "quantize output has " + std::to_string(out.size()) + " bytes, needs " +
           std::to_string(need);
  });
  if (x.type == tensor::dtype::f32)
    detail::quantize_dispatch<float>(x, p, ro, out);
  else
    detail::quantize_dispatch<double>(x, p, ro, out);
}

inline qtensor quantize(const tensor::view& x, const qparams& p, const rounding_options& ro = {}) {
  qtensor q;
  q.params = p;
  q.rank = x.rank;
  q.shape = x.shape;
  q.data.resize(static_cast<std::size_t>(storage_bytes(p.type, x.numel())));
  quantize_into(x, p, q.data, ro);
  return q;
}

// out[i] = T(q[i] - zero_point) * T(scale) for the output's float type T, in
// flat row-major order of out's shape (any strides).
inline void dequantize(std::span<const std::uint8_t> q, const qparams& p, const tensor::view& out) {
  detail::check_float_view(out, "dequantize output");
  detail::check_params_fit(p, out);
  const std::int64_t n = out.numel();
  require(static_cast<std::int64_t>(q.size()) == storage_bytes(p.type, n), errc::length_mismatch,
          [&] {
            return "dequantize input has " + std::to_string(q.size()) + " bytes, needs " +
                   std::to_string(storage_bytes(p.type, n));
          });
  const std::int64_t inner = p.axis >= 0 ? detail::inner_size(out, p.axis) : 1;
  const auto nch = static_cast<std::int64_t>(p.channels());
  for (std::int64_t i = 0; i < n; ++i) {
    const auto c = static_cast<std::size_t>(p.axis >= 0 ? (i / inner) % nch : 0);
    const std::int32_t d = unpack(q, p.type, i) - p.zero_point[c];
    const std::int64_t off = out.offset_of(i);
    if (out.type == tensor::dtype::f32) {
      out.as<float>()[off] = static_cast<float>(d) * p.scale[c];
    } else {
      out.as<double>()[off] = static_cast<double>(d) * static_cast<double>(p.scale[c]);
    }
  }
}

inline void dequantize(const qtensor& q, const tensor::view& out) {
  require(out.rank == q.rank &&
              std::equal(q.shape.begin(), q.shape.begin() + static_cast<std::ptrdiff_t>(q.rank),
                         out.shape.begin()),
          errc::length_mismatch, "dequantize output shape differs from the quantized tensor's");
  dequantize(q.data, q.params, out);
}

// out = dequantize(quantize(x)), computed in x's float type and stored in
// out's (f32 or f64, same shape, any strides). out may be x itself (in place);
// other overlaps are undefined. On a NaN/Inf error some of out may already
// be written.
inline void fake_quantize(const tensor::view& x, const qparams& p, const tensor::view& out,
                          const rounding_options& ro = {}) {
  detail::check_float_view(x, "fake_quantize input");
  detail::check_float_view(out, "fake_quantize output");
  detail::check_params_fit(p, x);
  require(out.rank == x.rank &&
              std::equal(x.shape.begin(), x.shape.begin() + static_cast<std::ptrdiff_t>(x.rank),
                         out.shape.begin()),
          errc::length_mismatch, "fake_quantize output shape differs from the input's");
  auto run = [&]<class T, class U>() {
    switch (ro.mode) {
      case rounding::half_to_even:
        detail::fake_impl<T, U, rounding::half_to_even>(x, p, ro, out);
        return;
      case rounding::half_away_from_zero:
        detail::fake_impl<T, U, rounding::half_away_from_zero>(x, p, ro, out);
        return;
      case rounding::stochastic:
        detail::fake_impl<T, U, rounding::stochastic>(x, p, ro, out);
        return;
    }
  };
  const bool xf = x.type == tensor::dtype::f32;
  const bool of = out.type == tensor::dtype::f32;
  if (xf && of)
    run.template operator()<float, float>();
  else if (xf)
    run.template operator()<float, double>();
  else if (of)
    run.template operator()<double, float>();
  else
    run.template operator()<double, double>();
}

// Quantization error of one tensor or channel, with e = fake_quantize(x) - x
// computed in double:
//   mse              = sum(e^2) / count
//   max_abs_error    = max |e|
//   signal_power     = sum(x^2) / count
//   sqnr_db          = 10 log10(sum(x^2) / sum(e^2)), with log10 from the
//                      deterministic fairgate::math::log (log(r) / log(10));
//                      +inf when sum(e^2) = 0, -inf when sum(x^2) = 0 < sum(e^2)
//   fraction_clipped = share of elements whose unclamped zero_point + round(x/scale)
//                      falls outside [qmin, qmax] (PyTorch fake-quant's mask, negated)
// Sums run in flat order (per channel: flat order within the channel).
struct error_stats {
  std::int64_t count = 0;
  double mse = 0;
  double max_abs_error = 0;
  double signal_power = 0;
  double sqnr_db = 0;
  double fraction_clipped = 0;
};

struct error_report {
  error_stats tensor;
  std::vector<error_stats> channels;  // one per channel (one entry for per-tensor params)
};

namespace detail {

struct error_acc {
  std::int64_t n = 0, clipped = 0;
  double se = 0, sx = 0, maxe = 0;
  void add(double x, double fq, bool clip) noexcept {
    const double e = fq - x;
    ++n;
    se += e * e;
    sx += x * x;
    maxe = std::max(maxe, std::fabs(e));
    clipped += clip ? 1 : 0;
  }
  [[nodiscard]] error_stats finish() const noexcept {
    error_stats s;
    s.count = n;
    if (n == 0) return s;
    const double dn = static_cast<double>(n);
    s.mse = se / dn;
    s.max_abs_error = maxe;
    s.signal_power = sx / dn;
    s.fraction_clipped = static_cast<double>(clipped) / dn;
    const double inf = std::numeric_limits<double>::infinity();
    if (se == 0.0)
      s.sqnr_db = inf;
    else if (sx == 0.0)
      s.sqnr_db = -inf;
    else
      s.sqnr_db = 10.0 * (math::log(sx) - math::log(se)) / math::log(10.0);
    return s;
  }
};

template <class T>
error_report error_impl(const tensor::view& x, const qparams& p, const rounding_options& ro) {
  const std::vector<chan<T>> ch = make_chans<T>(p);
  const std::int64_t inner = p.axis >= 0 ? inner_size(x, p.axis) : 1;
  const auto nch = static_cast<std::int64_t>(ch.size());
  const rng::stream st(ro.seed, rng::purposes::quant_stochastic, ro.stream_index);
  word_source ws{&st};
  error_acc total;
  std::vector<error_acc> per(ch.size());
  const T* base = static_cast<const T*>(x.data);
  const std::int64_t n = x.numel();
  for (std::int64_t i = 0; i < n; ++i) {
    const T v = base[x.offset_of(i)];
    if (nonfinite(v)) throw_nonfinite(v, i);
    const auto ci = static_cast<std::size_t>(p.axis >= 0 ? (i / inner) % nch : 0);
    const chan<T>& c = ch[ci];
    const std::uint32_t w = ro.mode == rounding::stochastic ? ws.at(i) : 0u;
    // Unclamped rounding, exact for any magnitude (nearbyint/round/floor are exact).
    const double t = static_cast<double>(v * c.inv);
    double r = 0;
    switch (ro.mode) {
      case rounding::half_to_even:
        r = std::nearbyint(t);
        break;
      case rounding::half_away_from_zero:
        r = std::round(t);
        break;
      case rounding::stochastic:
        r = std::floor(t + static_cast<double>(w) * 0x1p-32);
        break;
    }
    const bool clip = r < static_cast<double>(c.lo) || r > static_cast<double>(c.hi);
    T rq;
    switch (ro.mode) {
      case rounding::half_to_even:
        rq = qminus_zp<T, rounding::half_to_even>(v, c, w);
        break;
      case rounding::half_away_from_zero:
        rq = qminus_zp<T, rounding::half_away_from_zero>(v, c, w);
        break;
      default:
        rq = qminus_zp<T, rounding::stochastic>(v, c, w);
        break;
    }
    const double fq = static_cast<double>(static_cast<T>(rq * c.scale));
    total.add(static_cast<double>(v), fq, clip);
    per[ci].add(static_cast<double>(v), fq, clip);
  }
  error_report rep;
  rep.tensor = total.finish();
  rep.channels.reserve(per.size());
  for (const auto& a : per) rep.channels.push_back(a.finish());
  return rep;
}

}  // namespace detail

// Error statistics of quantizing x with p (see error_stats). Errors: an empty
// tensor (empty_input), NaN/Inf (invalid_value), as quantize.
inline error_report quantization_error(const tensor::view& x, const qparams& p,
                                       const rounding_options& ro = {}) {
  detail::check_float_view(x, "quantization_error input");
  detail::check_params_fit(p, x);
  require(x.numel() > 0, errc::empty_input, "quantization_error of an empty tensor is undefined");
  if (x.type == tensor::dtype::f32) return detail::error_impl<float>(x, p, ro);
  return detail::error_impl<double>(x, p, ro);
}

}  // namespace quantize

FAIRGATE_END_NAMESPACE
