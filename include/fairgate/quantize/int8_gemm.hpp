// fairgate/quantize/int8_gemm.hpp: the integer reference kernel of a
// quantized linear layer, bit-compatible with TFLite's int8 FullyConnected
// reference kernel and gemmlowp's fixed-point requantization.
//
//   linear_params lp{.input_zero_point = za, .output_zero_point = zo,
//                    .requant = {quantize_multiplier(s_in * s_w / s_out)}};
//   int8_linear(a, M, K, w, N, bias, lp, out);   // out = requant(a . w^T + bias)
//
// For input row i and output unit j (weights stored [N, K], the layout of
// torch.nn.Linear and TFLite FullyConnected):
//   acc      = sum_k (a[i,k] - za) * (w[j,k] - zw) + bias[j]     exact, must fit int32
//   scaled   = MultiplyByQuantizedMultiplier(acc, M_j, shift_j)  (TFLite, double rounding)
//   out[i,j] = clamp(scaled + zo, out_min, out_max)
// where (M_j, shift_j) = quantize_multiplier(real_j) encodes real_j ~ M_j 2^(shift_j - 31).
//
// Fixed-point rounding (gemmlowp fixedpoint.h, reproduced exactly):
//   SaturatingRoundingDoublingHighMul(a, b) = round(a * b / 2^31) with the nudge
//     +2^30 (ab >= 0) or 1 - 2^30 (ab < 0) and a truncating division. Worked
//     out, that is round half toward +infinity, floor((ab + 2^30) / 2^31), the
//     ARM SQRDMULH rounding: 0.5 -> 1 but -0.5 -> 0 and -1.5 -> -1 (it is often
//     described as "away from zero", which holds only for positive products).
//     The one overflow case a = b = INT32_MIN saturates to INT32_MAX.
//   RoundingDivideByPOT(x, e) = round(x / 2^e), ties away from zero
//     (threshold = mask >> 1, plus one for negative x).
//   MultiplyByQuantizedMultiplier(x, M, s) =
//     RoundingDivideByPOT(SRDHM(x * 2^max(s,0), M), max(-s,0)); the left shift
//     wraps modulo 2^32 as a device's int32 multiply does.
//
// The kernel computes sum_k a*w in int32 on contiguous rows (4 input rows at a
// time against a block of weight rows that stays in cache; with AVX2, chosen
// at run time, the int8 values are widened to int16 once and multiplied with
// vpmaddwd; otherwise the compiler vectorises the int8 products) and applies
// the zero points afterwards with row sums: sum (a-za)(w-zw) = sum aw - zw sum a
// - za sum w + K za zw, evaluated in int64. This is exact, so the order of
// accumulation cannot change the result.
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

// AVX2 dot products (chosen at run time) on x86-64. Integer arithmetic is
// exact, so every path gives the same accumulators.
#if FAIRGATE_SIMD_ENABLED && defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define FAIRGATE_GEMM_AVX2 1
#else
#define FAIRGATE_GEMM_AVX2 0
#endif

FAIRGATE_BEGIN_NAMESPACE

namespace quantize {

// real ~ multiplier * 2^(shift - 31), multiplier in [2^30, 2^31) (or 0).
struct quantized_multiplier {
  std::int32_t multiplier = 0;
  int shift = 0;
};

// TFLite's QuantizeMultiplier (tensorflow/lite/kernels/internal/quantization_util.cc):
//   q, shift = frexp(real)  (q in [0.5, 1), exact)
//   q_fixed  = round_half_away_from_zero(q * 2^31)  (std::round: exact; q * 2^31 is exact)
//   q_fixed == 2^31 -> q_fixed = 2^30, ++shift
//   shift < -31 -> multiplier 0, shift 0 (the result would be 0 anyway)
// Errors: negative, NaN or infinite real; shift > 30 (the left shift of the
// double-rounding MultiplyByQuantizedMultiplier would overflow).
inline quantized_multiplier quantize_multiplier(double real) {
  require(std::isfinite(real) && real >= 0.0, errc::invalid_argument, [&] {
    return "real multiplier " + std::to_string(real) + " must be finite and non-negative";
  });
  quantized_multiplier r;
  if (real == 0.0) return r;
  int shift = 0;
  const double q = std::frexp(real, &shift);
  auto q_fixed = static_cast<std::int64_t>(std::round(q * 2147483648.0));
  if (q_fixed == (std::int64_t{1} << 31)) {
    q_fixed /= 2;
    ++shift;
  }
  if (shift < -31) {
    shift = 0;
    q_fixed = 0;
  }
  require(shift <= 30, errc::invalid_argument, [&] {
    return "real multiplier " + std::to_string(real) + " needs shift " + std::to_string(shift) +
           " > 30";
  });
  r.multiplier = static_cast<std::int32_t>(q_fixed);
  r.shift = shift;
  return r;
}

// gemmlowp::SaturatingRoundingDoublingHighMul for int32.
constexpr std::int32_t saturating_rounding_doubling_high_mul(std::int32_t a,
                                                             std::int32_t b) noexcept {
  const bool overflow = a == b && a == std::numeric_limits<std::int32_t>::min();
  const std::int64_t ab = static_cast<std::int64_t>(a) * static_cast<std::int64_t>(b);
  const std::int64_t nudge = ab >= 0 ? (std::int64_t{1} << 30) : (1 - (std::int64_t{1} << 30));
  const auto high = static_cast<std::int32_t>((ab + nudge) / (std::int64_t{1} << 31));
  return overflow ? std::numeric_limits<std::int32_t>::max() : high;
}

// gemmlowp::RoundingDivideByPOT for int32, exponent in [0, 31].
constexpr std::int32_t rounding_divide_by_pot(std::int32_t x, int exponent) noexcept {
  const std::int32_t mask = static_cast<std::int32_t>((std::int64_t{1} << exponent) - 1);
  const std::int32_t remainder = x & mask;
  const std::int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// TFLite's MultiplyByQuantizedMultiplier (double-rounding variant).
constexpr std::int32_t multiply_by_quantized_multiplier(std::int32_t x, std::int32_t multiplier,
                                                        int shift) noexcept {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  // x * 2^left modulo 2^32, as the device's int32 arithmetic.
  const auto shifted = static_cast<std::int32_t>(static_cast<std::uint32_t>(x) << left);
  return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(shifted, multiplier), right);
}

struct linear_params {
  std::int32_t input_zero_point = 0;            // za, in [-128, 127]
  std::int32_t weight_zero_point = 0;           // zw, in [-128, 127] (TFLite int8 weights use 0)
  std::int32_t output_zero_point = 0;           // zo
  std::vector<quantized_multiplier> requant{};  // 1 (per tensor) or N (per output channel)
  std::int32_t out_min = -128;
  std::int32_t out_max = 127;
};

// Largest depth for which sum_k a*w cannot overflow int32 (|a*w| <= 2^14).
inline constexpr std::int64_t max_gemm_depth = (std::int64_t{1} << 17) - 1;

namespace detail {

// raw[i*ldr + j] = sum_k a[i,k] * w[j,k] for rows i in [i0, i0+4) (clipped to M).
inline void dot_block(const std::int8_t* a, std::int64_t M, std::int64_t K, const std::int8_t* w,
                      std::int64_t j0, std::int64_t j1, std::int64_t i0, std::int32_t* raw,
                      std::int64_t N) {
  const std::int64_t rows = std::min<std::int64_t>(4, M - i0);
  const std::int8_t* a0 = a + i0 * K;
  if (rows == 4) {
    const std::int8_t* a1 = a0 + K;
    const std::int8_t* a2 = a1 + K;
    const std::int8_t* a3 = a2 + K;
    for (std::int64_t j = j0; j < j1; ++j) {
      const std::int8_t* wr = w + j * K;
      std::int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (std::int64_t k = 0; k < K; ++k) {
        const std::int32_t wk = wr[k];
        s0 += static_cast<std::int32_t>(a0[k]) * wk;
        s1 += static_cast<std::int32_t>(a1[k]) * wk;
        s2 += static_cast<std::int32_t>(a2[k]) * wk;
        s3 += static_cast<std::int32_t>(a3[k]) * wk;
      }
      raw[(i0 + 0) * N + j] = s0;
      raw[(i0 + 1) * N + j] = s1;
      raw[(i0 + 2) * N + j] = s2;
      raw[(i0 + 3) * N + j] = s3;
    }
    return;
  }
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::int8_t* ar = a0 + r * K;
    for (std::int64_t j = j0; j < j1; ++j) {
      const std::int8_t* wr = w + j * K;
      std::int32_t s = 0;
      for (std::int64_t k = 0; k < K; ++k)
        s += static_cast<std::int32_t>(ar[k]) * static_cast<std::int32_t>(wr[k]);
      raw[(i0 + r) * N + j] = s;
    }
  }
}

#if FAIRGATE_GEMM_AVX2
__attribute__((target("avx2"))) inline std::int32_t avx2_hsum(__m256i v) noexcept {
  const __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  const __m128i t = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
  return _mm_cvtsi128_si32(_mm_add_epi32(t, _mm_shuffle_epi32(t, 0xB1)));
}

// raw[(i0 + r) * N + j] = sum_k a16[(i0 + r) * K + k] * w16[j * K + k] for
// r < 4, j in [j0, j1), from int8 values widened to int16: vpmaddwd forms
// pair sums of products (|a*w| <= 2^14, so no overflow) into int32 lanes.
__attribute__((target("avx2"))) inline void avx2_dot_block4(const std::int16_t* a16, std::int64_t K,
                                                            const std::int16_t* w16,
                                                            std::int64_t j0, std::int64_t j1,
                                                            std::int64_t i0, std::int32_t* raw,
                                                            std::int64_t N) {
  const std::int16_t* a0 = a16 + i0 * K;
  const std::int16_t* a1 = a0 + K;
  const std::int16_t* a2 = a1 + K;
  const std::int16_t* a3 = a2 + K;
  const std::int64_t kv = K - K % 16;
  for (std::int64_t j = j0; j < j1; ++j) {
    const std::int16_t* wr = w16 + j * K;
    __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
    for (std::int64_t k = 0; k < kv; k += 16) {
      const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wr + k));
      s0 = _mm256_add_epi32(
          s0, _mm256_madd_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a0 + k)), w));
      s1 = _mm256_add_epi32(
          s1, _mm256_madd_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a1 + k)), w));
      s2 = _mm256_add_epi32(
          s2, _mm256_madd_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a2 + k)), w));
      s3 = _mm256_add_epi32(
          s3, _mm256_madd_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a3 + k)), w));
    }
    std::int32_t r0 = avx2_hsum(s0), r1 = avx2_hsum(s1), r2 = avx2_hsum(s2), r3 = avx2_hsum(s3);
    for (std::int64_t k = kv; k < K; ++k) {
      const std::int32_t wk = wr[k];
      r0 += a0[k] * wk;
      r1 += a1[k] * wk;
      r2 += a2[k] * wk;
      r3 += a3[k] * wk;
    }
    raw[(i0 + 0) * N + j] = r0;
    raw[(i0 + 1) * N + j] = r1;
    raw[(i0 + 2) * N + j] = r2;
    raw[(i0 + 3) * N + j] = r3;
  }
}
#endif

inline void check_zp(std::int32_t z, const char* what) {
  require(z >= -128 && z <= 127, errc::out_of_range, [&] {
    return std::string(what) + " = " + std::to_string(z) + " lies outside [-128, 127]";
  });
}

}  // namespace detail

// Packs weights stored input-major ([K, N], e.g. a TFLite/numpy "x @ W"
// layout) into the kernel's [N, K] rows, so every dot product runs over
// contiguous memory. Returns the N*K packed values.
inline std::vector<std::int8_t> pack_weights_from_kn(std::span<const std::int8_t> w_kn,
                                                     std::int64_t K, std::int64_t N) {
  require(K >= 0 && N >= 0 && static_cast<std::int64_t>(w_kn.size()) == K * N,
          errc::length_mismatch, [&] {
            return "weights have " + std::to_string(w_kn.size()) +
                   " values, expected K*N = " + std::to_string(K * N);
          });
  std::vector<std::int8_t> out(w_kn.size());
  // 32 x 32 tiles keep both the reads and the writes within a few cache lines.
  constexpr std::int64_t T = 32;
  for (std::int64_t k0 = 0; k0 < K; k0 += T)
    for (std::int64_t n0 = 0; n0 < N; n0 += T)
      for (std::int64_t k = k0; k < std::min(K, k0 + T); ++k)
        for (std::int64_t n = n0; n < std::min(N, n0 + T); ++n)
          out[static_cast<std::size_t>(n * K + k)] = w_kn[static_cast<std::size_t>(k * N + n)];
  return out;
}

// acc[i*N + j] = sum_k (a[i,k] - za)(w[j,k] - zw) + bias[j] (bias may be empty),
// exact; out_of_range if an accumulator does not fit int32 (a device's int32
// accumulator would wrap). a: M x K, w: N x K, both row-major contiguous.
inline void int8_linear_accumulate(std::span<const std::int8_t> a, std::int64_t M, std::int64_t K,
                                   std::span<const std::int8_t> w, std::int64_t N,
                                   std::span<const std::int32_t> bias, std::int32_t za,
                                   std::int32_t zw, std::span<std::int32_t> acc) {
  require(M >= 0 && N >= 0 && K >= 0, errc::invalid_argument, "negative GEMM dimension");
  require(K <= max_gemm_depth, errc::invalid_argument, [&] {
    return "depth K = " + std::to_string(K) + " exceeds " + std::to_string(max_gemm_depth);
  });
  require(static_cast<std::int64_t>(a.size()) == M * K, errc::length_mismatch, [&] {
    return "input has " + std::to_string(a.size()) +
           " values, expected M*K = " + std::to_string(M * K);
  });
  require(static_cast<std::int64_t>(w.size()) == N * K, errc::length_mismatch, [&] {
    return "weights have " + std::to_string(w.size()) +
           " values, expected N*K = " + std::to_string(N * K);
  });
  require(bias.empty() || static_cast<std::int64_t>(bias.size()) == N, errc::length_mismatch, [&] {
    return "bias has " + std::to_string(bias.size()) + " values, expected N = " + std::to_string(N);
  });
  require(static_cast<std::int64_t>(acc.size()) == M * N, errc::length_mismatch, [&] {
    return "accumulator has " + std::to_string(acc.size()) +
           " values, expected M*N = " + std::to_string(M * N);
  });
  detail::check_zp(za, "input zero point");
  detail::check_zp(zw, "weight zero point");
  std::vector<std::int64_t> sum_a(static_cast<std::size_t>(M), 0),
      sum_w(static_cast<std::size_t>(N), 0);
  for (std::int64_t i = 0; i < M; ++i) {
    std::int32_t s = 0;
    for (std::int64_t k = 0; k < K; ++k) s += a[static_cast<std::size_t>(i * K + k)];
    sum_a[static_cast<std::size_t>(i)] = s;
  }
  for (std::int64_t j = 0; j < N; ++j) {
    std::int32_t s = 0;
    for (std::int64_t k = 0; k < K; ++k) s += w[static_cast<std::size_t>(j * K + k)];
    sum_w[static_cast<std::size_t>(j)] = s;
  }
  // Weight rows per block: about 128 KiB of weights stays in L2 while 4 input
  // rows stream through L1.
  const std::int64_t jb =
      std::max<std::int64_t>(16, (std::int64_t{128} << 10) / std::max<std::int64_t>(K, 1));
#if FAIRGATE_GEMM_AVX2
  if (__builtin_cpu_supports("avx2") && M >= 4) {
    // Widen once to int16 (O((M + N) K) work against O(M N K)).
    std::vector<std::int16_t> a16(a.begin(), a.end()), w16(w.begin(), w.end());
    const std::int64_t jb2 =
        std::max<std::int64_t>(16, (std::int64_t{256} << 10) / std::max<std::int64_t>(2 * K, 1));
    const std::int64_t m4 = M - M % 4;
    for (std::int64_t j0 = 0; j0 < N; j0 += jb2) {
      const std::int64_t j1 = std::min(N, j0 + jb2);
      for (std::int64_t i0 = 0; i0 < m4; i0 += 4)
        detail::avx2_dot_block4(a16.data(), K, w16.data(), j0, j1, i0, acc.data(), N);
      if (m4 < M) detail::dot_block(a.data(), M, K, w.data(), j0, j1, m4, acc.data(), N);
    }
  } else
#endif
  {
    for (std::int64_t j0 = 0; j0 < N; j0 += jb) {
      const std::int64_t j1 = std::min(N, j0 + jb);
      for (std::int64_t i0 = 0; i0 < M; i0 += 4)
        detail::dot_block(a.data(), M, K, w.data(), j0, j1, i0, acc.data(), N);
    }
  }
  const std::int64_t kzz = K * za * zw;
  for (std::int64_t i = 0; i < M; ++i) {
    for (std::int64_t j = 0; j < N; ++j) {
      const auto idx = static_cast<std::size_t>(i * N + j);
      const std::int64_t v = static_cast<std::int64_t>(acc[idx]) -
                             zw * sum_a[static_cast<std::size_t>(i)] -
                             za * sum_w[static_cast<std::size_t>(j)] + kzz +
                             (bias.empty() ? 0 : bias[static_cast<std::size_t>(j)]);
      require(v >= std::numeric_limits<std::int32_t>::min() &&
                  v <= std::numeric_limits<std::int32_t>::max(),
              errc::out_of_range, [&] {
                return "accumulator [" + std::to_string(i) + ", " + std::to_string(j) +
                       "] = " + std::to_string(v) + " overflows int32";
              });
      acc[idx] = static_cast<std::int32_t>(v);
    }
  }
}

// The full quantized linear layer: out[i*N + j] (int8) as in the header
// comment. lp.requant has 1 entry (per tensor) or N (per output channel).
inline void int8_linear(std::span<const std::int8_t> a, std::int64_t M, std::int64_t K,
                        std::span<const std::int8_t> w, std::int64_t N,
                        std::span<const std::int32_t> bias, const linear_params& lp,
                        std::span<std::int8_t> out) {
  require(lp.requant.size() == 1 || static_cast<std::int64_t>(lp.requant.size()) == N,
          errc::length_mismatch, [&] {
            return "requant has " + std::to_string(lp.requant.size()) +
                   " multipliers, expected 1 or N = " + std::to_string(N);
          });
  require(static_cast<std::int64_t>(out.size()) == M * N, errc::length_mismatch, [&] {
    return "output has " + std::to_string(out.size()) +
           " values, expected M*N = " + std::to_string(M * N);
  });
  require(lp.out_min >= -128 && lp.out_max <= 127 && lp.out_min <= lp.out_max,
          errc::invalid_argument, "output clamp must be a sub-range of [-128, 127]");
  for (const auto& q : lp.requant) {
    require(q.multiplier >= 0 && q.shift <= 30 && q.shift >= -31, errc::invalid_argument,
            "requant multipliers must come from quantize_multiplier");
  }
  std::vector<std::int32_t> acc(static_cast<std::size_t>(M * N));
  int8_linear_accumulate(a, M, K, w, N, bias, lp.input_zero_point, lp.weight_zero_point, acc);
  for (std::int64_t i = 0; i < M; ++i) {
    for (std::int64_t j = 0; j < N; ++j) {
      const auto idx = static_cast<std::size_t>(i * N + j);
      const quantized_multiplier& q =
          lp.requant.size() == 1 ? lp.requant[0] : lp.requant[static_cast<std::size_t>(j)];
      // Adding zo in int64 keeps a saturated INT32_MAX from wrapping.
      const std::int64_t v = static_cast<std::int64_t>(multiply_by_quantized_multiplier(
                                 acc[idx], q.multiplier, q.shift)) +
                             lp.output_zero_point;
      out[idx] = static_cast<std::int8_t>(std::clamp<std::int64_t>(v, lp.out_min, lp.out_max));
    }
  }
}

}  // namespace quantize

FAIRGATE_END_NAMESPACE
