// fairgate/rng/philox_bulk.hpp: many consecutive Philox4x32-10 blocks at once.
//
//   std::array<std::uint32_t, 4 * 64> words;
//   fairgate::rng::philox4x32_10_blocks(first_block, tag, index, key, 64, words.data());
//
// The same function as philox4x32_10 (Random123). Scalar Philox is bound by
// its 20 multiplies per block (about 2 GB/s per core); on x86-64 CPUs with
// AVX2 (checked at run time) 8 blocks go through each round together with
// vpmuludq. Integer arithmetic only, so the bits cannot depend on the path:
// tests/rng/test_philox_bulk.cpp checks both paths against Random123 on the
// KAT vectors and on random counters and keys. FAIRGATE_DISABLE_SIMD keeps
// only the scalar path.
#pragma once

#include <cstddef>
#include <cstdint>

#include <fairgate/config.hpp>
#include <fairgate/rng/philox.hpp>

#if FAIRGATE_SIMD_ENABLED && (defined(__x86_64__) || defined(_M_X64)) && \
    (defined(__GNUC__) || defined(__clang__))
#define FAIRGATE_PHILOX_AVX2 1
#include <immintrin.h>
#else
#define FAIRGATE_PHILOX_AVX2 0
#endif

FAIRGATE_BEGIN_NAMESPACE

namespace rng {

namespace detail {
// Salmon et al. (SC'11), Table 2; Random123 philox.h PHILOX_M4x32_0/1, PHILOX_W32_0/1.
inline constexpr std::uint32_t philox_m0 = 0xD2511F53u;
inline constexpr std::uint32_t philox_m1 = 0xCD9E8D57u;
inline constexpr std::uint32_t philox_w0 = 0x9E3779B9u;
inline constexpr std::uint32_t philox_w1 = 0xBB67AE85u;
inline constexpr std::size_t philox_lanes = 8;
}  // namespace detail

namespace detail {

// Scalar: one block at a time through Random123's reference code.
inline void philox_blocks_scalar(std::uint64_t first, std::uint32_t c2, std::uint32_t c3,
                                 const philox_key& key, std::size_t count,
                                 std::uint32_t* out) noexcept {
  for (std::size_t j = 0; j < count; ++j) {
    const std::uint64_t b = first + j;
    const philox_block blk = philox4x32_10(
        {static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(b >> 32), c2, c3}, key);
    for (std::size_t w = 0; w < 4; ++w) out[4 * j + w] = blk[w];
  }
}

#if FAIRGATE_PHILOX_AVX2
// (hi, lo) of the 8 lane products m * x.
__attribute__((target("avx2"))) inline void philox_mulhilo_avx2(__m256i m, __m256i x, __m256i& hi,
                                                                __m256i& lo) noexcept {
  const __m256i even = _mm256_mul_epu32(x, m);                        // lanes 0,2,4,6
  const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(x, 32), m);  // lanes 1,3,5,7
  lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
  hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
}

// Two independent groups of 8 blocks per iteration, so one group's
// multiplies overlap the other's latency. count must be a multiple of 16.
__attribute__((target("avx2"))) inline void philox_blocks_avx2(std::uint64_t first,
                                                               std::uint32_t c2, std::uint32_t c3,
                                                               const philox_key& key,
                                                               std::size_t count,
                                                               std::uint32_t* out) noexcept {
  constexpr std::size_t groups = 2;
  const __m256i m0 = _mm256_set1_epi32(static_cast<int>(philox_m0));
  const __m256i m1 = _mm256_set1_epi32(static_cast<int>(philox_m1));
  const __m256i lane = _mm256_setr_epi64x(0, 1, 2, 3);
  for (std::size_t done = 0; done < count; done += groups * philox_lanes) {
    __m256i x0[groups], x1[groups], x2[groups], x3[groups];
    for (std::size_t g = 0; g < groups; ++g) {
      // Block indices first + done + 8g + (0..7) as two vectors of 4 x 64 bits,
      // split into low words (x0) and high words (x1), lane order 0..7.
      const auto base = static_cast<long long>(first + done + g * philox_lanes);
      const __m256i b03 = _mm256_add_epi64(_mm256_set1_epi64x(base), lane);
      const __m256i b47 = _mm256_add_epi64(b03, _mm256_set1_epi64x(4));
      const __m256i idx = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
      const __m256i p03 = _mm256_permutevar8x32_epi32(b03, idx);  // lo0..lo3 | hi0..hi3
      const __m256i p47 = _mm256_permutevar8x32_epi32(b47, idx);  // lo4..lo7 | hi4..hi7
      x0[g] = _mm256_permute2x128_si256(p03, p47, 0x20);
      x1[g] = _mm256_permute2x128_si256(p03, p47, 0x31);
      x2[g] = _mm256_set1_epi32(static_cast<int>(c2));
      x3[g] = _mm256_set1_epi32(static_cast<int>(c3));
    }
    std::uint32_t k0 = key[0], k1 = key[1];
    for (int round = 0; round < 10; ++round) {
      const __m256i kv0 = _mm256_set1_epi32(static_cast<int>(k0));
      const __m256i kv1 = _mm256_set1_epi32(static_cast<int>(k1));
      for (std::size_t g = 0; g < groups; ++g) {
        __m256i hi0, lo0, hi1, lo1;
        philox_mulhilo_avx2(m0, x0[g], hi0, lo0);
        philox_mulhilo_avx2(m1, x2[g], hi1, lo1);
        x0[g] = _mm256_xor_si256(_mm256_xor_si256(hi1, x1[g]), kv0);
        x1[g] = lo1;
        x2[g] = _mm256_xor_si256(_mm256_xor_si256(hi0, x3[g]), kv1);
        x3[g] = lo0;
      }
      k0 += philox_w0;
      k1 += philox_w1;
    }
    for (std::size_t g = 0; g < groups; ++g) {
      // 4 x 8 (word, block) -> 8 blocks of 4 words.
      const __m256i t0 = _mm256_unpacklo_epi32(x0[g], x1[g]);
      const __m256i t1 = _mm256_unpackhi_epi32(x0[g], x1[g]);
      const __m256i t2 = _mm256_unpacklo_epi32(x2[g], x3[g]);
      const __m256i t3 = _mm256_unpackhi_epi32(x2[g], x3[g]);
      const __m256i b04 = _mm256_unpacklo_epi64(t0, t2);
      const __m256i b15 = _mm256_unpackhi_epi64(t0, t2);
      const __m256i b26 = _mm256_unpacklo_epi64(t1, t3);
      const __m256i b37 = _mm256_unpackhi_epi64(t1, t3);
      auto* o = reinterpret_cast<__m256i*>(out + 4 * (done + g * philox_lanes));
      _mm256_storeu_si256(o + 0, _mm256_permute2x128_si256(b04, b15, 0x20));
      _mm256_storeu_si256(o + 1, _mm256_permute2x128_si256(b26, b37, 0x20));
      _mm256_storeu_si256(o + 2, _mm256_permute2x128_si256(b04, b15, 0x31));
      _mm256_storeu_si256(o + 3, _mm256_permute2x128_si256(b26, b37, 0x31));
    }
  }
}

inline bool cpu_has_avx2() noexcept {
  return __builtin_cpu_supports("avx2");
}
#endif

}  // namespace detail

// Which path philox4x32_10_blocks takes on this CPU: "avx2" or "scalar".
inline const char* philox_blocks_path() noexcept {
#if FAIRGATE_PHILOX_AVX2
  if (detail::cpu_has_avx2()) return "avx2";
#endif
  return "scalar";
}

// Writes `count` blocks to out[0 .. 4*count): block j (j < count) is
// philox4x32_10({low32(first + j), high32(first + j), c2, c3}, key), its four
// words in order. This is exactly stream::block(first + j) for a stream whose
// purpose tag is c2 and index c3 (block indices wrap modulo 2^64).
inline void philox4x32_10_blocks(std::uint64_t first, std::uint32_t c2, std::uint32_t c3,
                                 const philox_key& key, std::size_t count,
                                 std::uint32_t* out) noexcept {
  std::size_t done = 0;
#if FAIRGATE_PHILOX_AVX2
  if (count >= 2 * detail::philox_lanes && detail::cpu_has_avx2()) {
    done = count - count % (2 * detail::philox_lanes);
    detail::philox_blocks_avx2(first, c2, c3, key, done, out);
  }
#endif
  detail::philox_blocks_scalar(first + done, c2, c3, key, count - done, out + 4 * done);
}

}  // namespace rng

FAIRGATE_END_NAMESPACE
