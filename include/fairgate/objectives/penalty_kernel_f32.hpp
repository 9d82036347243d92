// fairgate/objectives/penalty_kernel_f32.hpp: the two passes behind every
// penalty when the scores AND the gradient are f32.
//
//   auto sums = objectives::detail::f32_pass1(in, slot_mode::all, row_fn);
//   ... group means → gap → per-slot factors ...
//   objectives::detail::f32_pass2(in, slot_mode::all, row_fn, factors, gradient);
//
// Why a second kernel: penalty_kernel.hpp evaluates every row in f64 and
// keeps the slope in an f64 buffer between its passes: right for f64 scores,
// but for f32 scores with an f32 gradient it moves twice the bytes it needs
// and runs the f64 exp at 4 lanes per AVX2 vector. Here:
//   pass 1 reads the rows once, evaluates f in f32 (8 lanes) and adds w·f and
//          w per slot; it writes nothing, so on invalid input the gradient is
//          untouched;
//   pass 2 reads the rows again, recomputes the slope (cheaper than storing
//          and reloading it) and writes dV/ds_i = f'_i · w_i · factor[slot_i]
//          in f32, with non-temporal stores when the gradient is larger than
//          the caches.
//
// Fixed-order sums (the order is part of the result, like any float sum):
// rows go in blocks of 256 starting at row 0. With at most 16 slots (the
// common case: demographic parity over ≤ 16 groups, equalized odds over ≤ 8)
// a block's rows are summed per slot into 16 f32 lanes, row i into lane
// i mod 16, sequentially within the block (16 rows per lane), and each lane's
// block total is added to an f64 lane accumulator; the 16 lanes combine as a
// balanced binary tree ((a0 + a1) + (a2 + a3)) + ... With more slots, row i
// is added in f64 to lane i mod 4 of its slot (as penalty_kernel.hpp).
// Unweighted counts are exact integers. The f32 partials carry a relative
// error of at most about 16 ulp of f32 (1e−6), below what f32 scores carry in.
//
// Three builds of every loop, chosen at run time: baseline (SSE2 on x86-64,
// NEON on aarch64), AVX2, and AVX-512 (F/BW/DQ/VL). The per-slot sum is
// written with intrinsics for AVX2 (two 8-lane halves) and AVX-512 (one
// 16-lane vector, compare into a mask, masked add; gcc does not vectorise
// the compare-and-add across slots well); every other loop is plain C++
// compiled three times. Every element gets the same IEEE operations in every
// version, so the bits never depend on the CPU.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/math/branchless_f32.hpp>
#include <fairgate/objectives/penalty_inputs.hpp>
#include <fairgate/objectives/penalty_kernel.hpp>
#include <fairgate/objectives/relaxation_f32.hpp>

#if FAIRGATE_OBJECTIVES_HAVE_AVX2
#include <immintrin.h>
// gcc widens auto-vectorised loops to 512 bits only when asked; clang rejects
// (and would ignore) the option, and picks its own width: same bits either way.
#if defined(__clang__)
#define FAIRGATE_OBJECTIVES_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl")))
#else
#define FAIRGATE_OBJECTIVES_AVX512 \
  __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,prefer-vector-width=512")))
#endif
#endif

FAIRGATE_BEGIN_NAMESPACE

namespace objectives {

namespace detail {

inline constexpr std::size_t f32_lanes = 16;
inline constexpr std::size_t f32_block = 256;            // rows per f32 partial sum
inline constexpr std::size_t f32_compare_max_slots = 16;  // above: the f64 scatter
inline constexpr std::size_t f32_stream_min_rows = std::size_t{1} << 20;  // 4 MB of gradient

// Non-zero iff a weight is not finite or is negative (−0 is allowed).
inline std::uint32_t weight_bad(float w) noexcept {
  const std::int32_t b = std::bit_cast<std::int32_t>(w);
  return math::not_finite_f32(w) | static_cast<std::uint32_t>((b < 0) & ((b & 0x7fffffff) != 0));
}

// The instruction set the f32 loops run with, chosen once per process.
enum class f32_isa : std::uint8_t { baseline, avx2, avx512 };
inline f32_isa f32_isa_in_use() noexcept {
#if FAIRGATE_OBJECTIVES_HAVE_AVX2
  static const f32_isa isa = [] {
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
      return f32_isa::avx512;
    return __builtin_cpu_supports("avx2") ? f32_isa::avx2 : f32_isa::baseline;
  }();
  return isa;
#else
  return f32_isa::baseline;
#endif
}

// One block's rows, evaluated: f (times w), w, and the slot (−1 for padding).
struct f32_block_rows {
  alignas(64) float v[f32_block];
  alignas(64) float w[f32_block];
  alignas(64) std::int32_t slot[f32_block];
};

// Stage A of pass 1: checks, then f·w, w and the slot of each row of a block.
// Returns non-zero if any row is invalid.
#define FAIRGATE_F32_ROWS_BODY                                                          \
  std::uint32_t bad = 0;                                                                \
  for (std::size_t k = 0; k < m; ++k) {                                                 \
    const float sk = s[k];                                                              \
    bad |= math::not_finite_f32(sk) | label_or_group_bad(y[k], g[k], n_groups);         \
    float val = f.value(sk, static_cast<float>(y[k]));                                  \
    if constexpr (Weighted) {                                                           \
      bad |= weight_bad(w[k]);                                                          \
      val = val * w[k];                                                                 \
      out.w[k] = w[k];                                                                  \
    }                                                                                   \
    out.v[k] = val;                                                                     \
    out.slot[k] = static_cast<std::int32_t>(                                            \
        slot_of<Mode>(n_groups, y[k], static_cast<std::uint32_t>(g[k])));               \
  }                                                                                     \
  return bad;

template <bool Weighted, slot_mode Mode, class Group, class Fn>
inline std::uint32_t f32_rows_generic(const float* FAIRGATE_OBJECTIVES_RESTRICT s,
                                      const std::uint8_t* FAIRGATE_OBJECTIVES_RESTRICT y,
                                      const Group* FAIRGATE_OBJECTIVES_RESTRICT g,
                                      const float* FAIRGATE_OBJECTIVES_RESTRICT w, std::size_t m,
                                      std::uint32_t n_groups, const Fn& f,
                                      f32_block_rows& out) noexcept {
  FAIRGATE_F32_ROWS_BODY
}
#if FAIRGATE_OBJECTIVES_HAVE_AVX2
template <bool Weighted, slot_mode Mode, class Group, class Fn>
FAIRGATE_OBJECTIVES_AVX2 inline std::uint32_t f32_rows_avx2(
    const float* FAIRGATE_OBJECTIVES_RESTRICT s, const std::uint8_t* FAIRGATE_OBJECTIVES_RESTRICT y,
    const Group* FAIRGATE_OBJECTIVES_RESTRICT g, const float* FAIRGATE_OBJECTIVES_RESTRICT w,
    std::size_t m, std::uint32_t n_groups, const Fn& f, f32_block_rows& out) noexcept {
  FAIRGATE_F32_ROWS_BODY
}
template <bool Weighted, slot_mode Mode, class Group, class Fn>
FAIRGATE_OBJECTIVES_AVX512 inline std::uint32_t f32_rows_avx512(
    const float* FAIRGATE_OBJECTIVES_RESTRICT s, const std::uint8_t* FAIRGATE_OBJECTIVES_RESTRICT y,
    const Group* FAIRGATE_OBJECTIVES_RESTRICT g, const float* FAIRGATE_OBJECTIVES_RESTRICT w,
    std::size_t m, std::uint32_t n_groups, const Fn& f, f32_block_rows& out) noexcept {
  FAIRGATE_F32_ROWS_BODY
}
#endif
#undef FAIRGATE_F32_ROWS_BODY

// Stage B, compare-and-add: for each slot j < n_slots, the block's f·w (and w)
// summed into 16 f32 lanes, then added to the f64 lane accumulators
// num[16 j + l] (and wsum[16 j + l]); unweighted rows are counted in count[j].
// `padded` is the block's row count rounded up to 16; padding rows have slot −1
// and v = w = +0. A partial is never −0 (it starts at +0, and x + (+0) = x
// for x ≠ −0), so adding a masked-out +0 and skipping the add agree.
template <bool Weighted>
inline void f32_slot_sums_generic(const f32_block_rows& b, std::size_t padded,
                                  std::size_t n_slots, double* num, double* wsum,
                                  std::uint64_t* count) noexcept {
  for (std::size_t j = 0; j < n_slots; ++j) {
    float part[f32_lanes] = {};
    float wpart[f32_lanes] = {};
    std::uint64_t c = 0;
    for (std::size_t r = 0; r < padded; r += f32_lanes) {
      for (std::size_t l = 0; l < f32_lanes; ++l) {
        const bool hit = b.slot[r + l] == static_cast<std::int32_t>(j);
        const std::uint32_t mask = 0u - static_cast<std::uint32_t>(hit);
        part[l] += std::bit_cast<float>(std::bit_cast<std::uint32_t>(b.v[r + l]) & mask);
        if constexpr (Weighted) {
          wpart[l] += std::bit_cast<float>(std::bit_cast<std::uint32_t>(b.w[r + l]) & mask);
        } else {
          c += static_cast<std::uint64_t>(hit);
        }
      }
    }
    for (std::size_t l = 0; l < f32_lanes; ++l) {
      num[f32_lanes * j + l] += static_cast<double>(part[l]);
      if constexpr (Weighted) wsum[f32_lanes * j + l] += static_cast<double>(wpart[l]);
    }
    if constexpr (!Weighted) count[j] += c;
  }
}

#if FAIRGATE_OBJECTIVES_HAVE_AVX2
// Adds 8 f32 lanes, widened, to 8 f64 accumulators.
FAIRGATE_OBJECTIVES_AVX2 inline void add_widened(double* a, __m256 part) noexcept {
  _mm256_storeu_pd(a, _mm256_add_pd(_mm256_loadu_pd(a), _mm256_cvtps_pd(_mm256_castps256_ps128(part))));
  _mm256_storeu_pd(a + 4, _mm256_add_pd(_mm256_loadu_pd(a + 4),
                                        _mm256_cvtps_pd(_mm256_extractf128_ps(part, 1))));
}

// The same sums as f32_slot_sums_generic, with the same operations per lane:
// lanes 0–7 and 8–15 are two 8-wide halves.
template <bool Weighted>
FAIRGATE_OBJECTIVES_AVX2 inline void f32_slot_sums_avx2(const f32_block_rows& b,
                                                        std::size_t padded, std::size_t n_slots,
                                                        double* num, double* wsum,
                                                        std::uint64_t* count) noexcept {
  for (std::size_t j = 0; j < n_slots; ++j) {
    const __m256i jj = _mm256_set1_epi32(static_cast<int>(j));
    __m256 lo = _mm256_setzero_ps(), hi = _mm256_setzero_ps();
    __m256 wlo = _mm256_setzero_ps(), whi = _mm256_setzero_ps();
    __m256i c = _mm256_setzero_si256();
    for (std::size_t r = 0; r < padded; r += f32_lanes) {
      const __m256i h0 = _mm256_cmpeq_epi32(
          _mm256_load_si256(reinterpret_cast<const __m256i*>(b.slot + r)), jj);
      const __m256i h1 = _mm256_cmpeq_epi32(
          _mm256_load_si256(reinterpret_cast<const __m256i*>(b.slot + r + 8)), jj);
      lo = _mm256_add_ps(lo, _mm256_and_ps(_mm256_load_ps(b.v + r), _mm256_castsi256_ps(h0)));
      hi = _mm256_add_ps(hi, _mm256_and_ps(_mm256_load_ps(b.v + r + 8), _mm256_castsi256_ps(h1)));
      if constexpr (Weighted) {
        wlo = _mm256_add_ps(wlo, _mm256_and_ps(_mm256_load_ps(b.w + r), _mm256_castsi256_ps(h0)));
        whi = _mm256_add_ps(whi,
                            _mm256_and_ps(_mm256_load_ps(b.w + r + 8), _mm256_castsi256_ps(h1)));
      } else {
        c = _mm256_sub_epi32(_mm256_sub_epi32(c, h0), h1);  // hit lanes are −1
      }
    }
    add_widened(num + f32_lanes * j, lo);
    add_widened(num + f32_lanes * j + 8, hi);
    if constexpr (Weighted) {
      add_widened(wsum + f32_lanes * j, wlo);
      add_widened(wsum + f32_lanes * j + 8, whi);
    } else {
      alignas(32) std::int32_t cl[8];
      _mm256_store_si256(reinterpret_cast<__m256i*>(cl), c);
      std::uint64_t total = 0;
      for (const std::int32_t x : cl) total += static_cast<std::uint64_t>(x);
      count[j] += total;
    }
  }
}

// Adds 16 f32 lanes, widened, to 16 f64 accumulators: through memory, four
// lanes at a time (gcc 12 flags its own _mm512_cvtps_pd, extract and shuffle
// intrinsics as reading an uninitialised value).
FAIRGATE_OBJECTIVES_AVX512 inline void add_widened16(double* a, __m512 part) noexcept {
  alignas(64) float t[16];
  _mm512_store_ps(t, part);
  for (std::size_t q = 0; q < 16; q += 4)
    _mm256_storeu_pd(a + q, _mm256_add_pd(_mm256_loadu_pd(a + q), _mm256_cvtps_pd(_mm_load_ps(t + q))));
}

// The same sums with 16-lane vectors: the compare yields a mask and the
// masked add leaves the other lanes as they are (the same bits as adding the
// +0 of the other versions: no partial is ever −0, see f32_slot_sums_generic).
template <bool Weighted>
FAIRGATE_OBJECTIVES_AVX512 inline void f32_slot_sums_avx512(const f32_block_rows& b,
                                                            std::size_t padded, std::size_t n_slots,
                                                            double* num, double* wsum,
                                                            std::uint32_t* lane_count) noexcept {
  const __m512i one = _mm512_set1_epi32(1);
  for (std::size_t j = 0; j < n_slots; ++j) {
    const __m512i jj = _mm512_set1_epi32(static_cast<int>(j));
    __m512 part = _mm512_setzero_ps(), wpart = _mm512_setzero_ps();
    __m512i c = _mm512_setzero_si512();
    for (std::size_t r = 0; r < padded; r += f32_lanes) {
      const __mmask16 hit = _mm512_cmpeq_epi32_mask(_mm512_load_si512(b.slot + r), jj);
      part = _mm512_mask_add_ps(part, hit, part, _mm512_load_ps(b.v + r));
      if constexpr (Weighted) {
        wpart = _mm512_mask_add_ps(wpart, hit, wpart, _mm512_load_ps(b.w + r));
      } else {
        c = _mm512_mask_add_epi32(c, hit, c, one);
      }
    }
    add_widened16(num + f32_lanes * j, part);
    if constexpr (Weighted) {
      add_widened16(wsum + f32_lanes * j, wpart);
    } else {
      // Per-lane counts stay in 32 bits across blocks (the caller folds them).
      std::uint32_t* lc = lane_count + f32_lanes * j;
      _mm512_storeu_si512(lc, _mm512_add_epi32(_mm512_loadu_si512(lc), c));
    }
  }
}
#endif

// Combines the 16 f64 lanes of a slot as a balanced binary tree.
inline double combine_lanes(const double* a) noexcept {
  const double q0 = (a[0] + a[1]) + (a[2] + a[3]), q1 = (a[4] + a[5]) + (a[6] + a[7]);
  const double q2 = (a[8] + a[9]) + (a[10] + a[11]), q3 = (a[12] + a[13]) + (a[14] + a[15]);
  return (q0 + q1) + (q2 + q3);
}

template <bool Weighted, slot_mode Mode, class Group, class Fn>
slot_sums f32_pass1_impl(const penalty_inputs<float, Group>& in, const Fn& f) {
  const std::size_t n = in.scores.size();
  const std::uint32_t G = in.n_groups;
  const std::size_t S = slot_count(Mode, G);  // the dump slot included
  const std::size_t real = S - 1;             // slots that enter a mean
  const bool compare = real <= f32_compare_max_slots;
  const f32_isa isa = f32_isa_in_use();
  // compare-and-add: f64 lanes per slot; scatter: 4 interleaved (Σ w f, Σ w) tables.
  std::vector<double> num(compare ? f32_lanes * real : 0, 0.0);
  std::vector<double> wsum(compare && Weighted ? f32_lanes * real : 0, 0.0);
  std::vector<std::uint64_t> count(compare && !Weighted ? real : 0, 0);
  // AVX-512 counts per lane in 32 bits (16 rows per lane per block), folded
  // into `count` every 2^24 blocks, long before they could wrap.
  std::vector<std::uint32_t> lane_count(compare && !Weighted ? f32_lanes * real : 0, 0);
  const auto fold_lane_counts = [&] {
    for (std::size_t j = 0; j < lane_count.size(); ++j) {
      count[j / f32_lanes] += lane_count[j];
      lane_count[j] = 0;
    }
  };
  std::size_t blocks_since_fold = 0;
  std::vector<double> acc(compare ? 0 : 2 * kernel_lanes * S, 0.0);
  f32_block_rows rows;
  for (std::size_t b = 0; b < n; b += f32_block) {
    const std::size_t m = n - b < f32_block ? n - b : f32_block;
    const float* s = in.scores.data() + b;
    const std::uint8_t* y = in.labels.data() + b;
    const Group* g = in.groups.data() + b;
    const float* w = Weighted ? in.weights.data() + b : nullptr;
#if FAIRGATE_OBJECTIVES_HAVE_AVX2
    const std::uint32_t bad =
        isa == f32_isa::avx512 ? f32_rows_avx512<Weighted, Mode>(s, y, g, w, m, G, f, rows)
        : isa == f32_isa::avx2 ? f32_rows_avx2<Weighted, Mode>(s, y, g, w, m, G, f, rows)
                               : f32_rows_generic<Weighted, Mode>(s, y, g, w, m, G, f, rows);
#else
    const std::uint32_t bad = f32_rows_generic<Weighted, Mode>(s, y, g, w, m, G, f, rows);
#endif
    if (bad != 0) [[unlikely]] {
      validate(in, n);  // throws, naming the first bad row
      throw error(errc::internal, "f32 penalty kernel: a row failed the fused check only");
    }
    if (compare) {
      const std::size_t padded = (m + f32_lanes - 1) / f32_lanes * f32_lanes;
      for (std::size_t k = m; k < padded; ++k) {
        rows.v[k] = 0.0f;
        rows.w[k] = 0.0f;
        rows.slot[k] = -1;
      }
#if FAIRGATE_OBJECTIVES_HAVE_AVX2
      if (isa == f32_isa::avx512) {
        f32_slot_sums_avx512<Weighted>(rows, padded, real, num.data(), wsum.data(),
                                       lane_count.data());
        if (++blocks_since_fold == (std::size_t{1} << 24)) {
          fold_lane_counts();
          blocks_since_fold = 0;
        }
        continue;
      }
      if (isa == f32_isa::avx2) {
        f32_slot_sums_avx2<Weighted>(rows, padded, real, num.data(), wsum.data(), count.data());
        continue;
      }
#endif
      f32_slot_sums_generic<Weighted>(rows, padded, real, num.data(), wsum.data(), count.data());
      continue;
    }
    // Scatter: row b + k into lane k mod 4 (blocks are multiples of 4).
    for (std::size_t k = 0; k < m; ++k) {
      double* cell =
          acc.data() + 2 * ((k % kernel_lanes) * S + static_cast<std::size_t>(rows.slot[k]));
      cell[0] += static_cast<double>(rows.v[k]);
      cell[1] += Weighted ? static_cast<double>(rows.w[k]) : 1.0;
    }
  }
  slot_sums out;
  out.num.assign(S, 0.0);
  out.weight.assign(S, 0.0);
  if (compare) {
    fold_lane_counts();
    for (std::size_t j = 0; j < real; ++j) {
      out.num[j] = combine_lanes(num.data() + f32_lanes * j);
      out.weight[j] =
          Weighted ? combine_lanes(wsum.data() + f32_lanes * j) : static_cast<double>(count[j]);
    }
    return out;
  }
  const auto at = [&](std::size_t lane, std::size_t j, std::size_t part) {
    return acc[2 * (lane * S + j) + part];
  };
  for (std::size_t j = 0; j < S; ++j) {
    out.num[j] = (at(0, j, 0) + at(1, j, 0)) + (at(2, j, 0) + at(3, j, 0));
    out.weight[j] = (at(0, j, 1) + at(1, j, 1)) + (at(2, j, 1) + at(3, j, 1));
  }
  return out;
}

// Pass 1 over every row: validates (throwing before anything is written) and
// returns the per-slot sums of w·f and w.
template <class Group>
slot_sums f32_pass1(const penalty_inputs<float, Group>& in, slot_mode mode, const row_fn_f32& fn) {
  return with_row_f32(fn, [&](const auto& f) {
    return with_slot_mode(mode, [&](auto md) {
      if (in.weights.empty()) return f32_pass1_impl<false, md.value>(in, f);
      return f32_pass1_impl<true, md.value>(in, f);
    });
  });
}

// Pass 2 for rows [0, m): out[k] = (f'_k · w_k) · factor[slot_k] in f32.
#define FAIRGATE_F32_PASS2_BODY                                                              \
  for (std::size_t k = 0; k < m; ++k) {                                                      \
    float r = f.slope(s[k], static_cast<float>(y[k]));                                       \
    if constexpr (Weighted) r = r * w[k];                                                    \
    out[k] = r * factor[slot_of<Mode>(n_groups, y[k], static_cast<std::uint32_t>(g[k]))];    \
  }

template <bool Weighted, slot_mode Mode, class Group, class Fn>
inline void f32_pass2_generic(const float* FAIRGATE_OBJECTIVES_RESTRICT s,
                              const std::uint8_t* FAIRGATE_OBJECTIVES_RESTRICT y,
                              const Group* FAIRGATE_OBJECTIVES_RESTRICT g,
                              const float* FAIRGATE_OBJECTIVES_RESTRICT w,
                              const float* FAIRGATE_OBJECTIVES_RESTRICT factor, std::size_t m,
                              std::uint32_t n_groups, const Fn& f,
                              float* FAIRGATE_OBJECTIVES_RESTRICT out) noexcept {
  FAIRGATE_F32_PASS2_BODY
}
#if FAIRGATE_OBJECTIVES_HAVE_AVX2
template <bool Weighted, slot_mode Mode, class Group, class Fn>
FAIRGATE_OBJECTIVES_AVX2 inline void f32_pass2_avx2(
    const float* FAIRGATE_OBJECTIVES_RESTRICT s, const std::uint8_t* FAIRGATE_OBJECTIVES_RESTRICT y,
    const Group* FAIRGATE_OBJECTIVES_RESTRICT g, const float* FAIRGATE_OBJECTIVES_RESTRICT w,
    const float* FAIRGATE_OBJECTIVES_RESTRICT factor, std::size_t m, std::uint32_t n_groups,
    const Fn& f, float* FAIRGATE_OBJECTIVES_RESTRICT out) noexcept {
  FAIRGATE_F32_PASS2_BODY
}
template <bool Weighted, slot_mode Mode, class Group, class Fn>
FAIRGATE_OBJECTIVES_AVX512 inline void f32_pass2_avx512(
    const float* FAIRGATE_OBJECTIVES_RESTRICT s, const std::uint8_t* FAIRGATE_OBJECTIVES_RESTRICT y,
    const Group* FAIRGATE_OBJECTIVES_RESTRICT g, const float* FAIRGATE_OBJECTIVES_RESTRICT w,
    const float* FAIRGATE_OBJECTIVES_RESTRICT factor, std::size_t m, std::uint32_t n_groups,
    const Fn& f, float* FAIRGATE_OBJECTIVES_RESTRICT out) noexcept {
  FAIRGATE_F32_PASS2_BODY
}

// Pass 2's first step when the factors fit one register: f'_k · w_k and the
// slot of each row of a block (the multiply by the factor follows in
// scale_by_slot*, a register permute instead of a gather).
#define FAIRGATE_F32_SLOPES_BODY                                                           \
  for (std::size_t k = 0; k < m; ++k) {                                                    \
    float r = f.slope(s[k], static_cast<float>(y[k]));                                     \
    if constexpr (Weighted) r = r * w[k];                                                  \
    out.v[k] = r;                                                                          \
    out.slot[k] =                                                                          \
        static_cast<std::int32_t>(slot_of<Mode>(n_groups, y[k], static_cast<std::uint32_t>(g[k]))); \
  }

template <bool Weighted, slot_mode Mode, class Group, class Fn>
FAIRGATE_OBJECTIVES_AVX2 inline void f32_slopes_avx2(
    const float* FAIRGATE_OBJECTIVES_RESTRICT s, const std::uint8_t* FAIRGATE_OBJECTIVES_RESTRICT y,
    const Group* FAIRGATE_OBJECTIVES_RESTRICT g, const float* FAIRGATE_OBJECTIVES_RESTRICT w,
    std::size_t m, std::uint32_t n_groups, const Fn& f, f32_block_rows& out) noexcept {
  FAIRGATE_F32_SLOPES_BODY
}
template <bool Weighted, slot_mode Mode, class Group, class Fn>
FAIRGATE_OBJECTIVES_AVX512 inline void f32_slopes_avx512(
    const float* FAIRGATE_OBJECTIVES_RESTRICT s, const std::uint8_t* FAIRGATE_OBJECTIVES_RESTRICT y,
    const Group* FAIRGATE_OBJECTIVES_RESTRICT g, const float* FAIRGATE_OBJECTIVES_RESTRICT w,
    std::size_t m, std::uint32_t n_groups, const Fn& f, f32_block_rows& out) noexcept {
  FAIRGATE_F32_SLOPES_BODY
}
#undef FAIRGATE_F32_SLOPES_BODY

// dst[k] = v[k] · table[slot[k]] for k < m, the table (at most 8 entries,
// padded to 8) in one register.
FAIRGATE_OBJECTIVES_AVX2 inline void scale_by_slot8(const f32_block_rows& b, std::size_t m,
                                                    const float* table8, float* dst) noexcept {
  const __m256 t = _mm256_loadu_ps(table8);
  std::size_t k = 0;
  for (; k + 8 <= m; k += 8) {
    const __m256i idx = _mm256_load_si256(reinterpret_cast<const __m256i*>(b.slot + k));
    _mm256_storeu_ps(dst + k, _mm256_mul_ps(_mm256_load_ps(b.v + k), _mm256_permutevar8x32_ps(t, idx)));
  }
  for (; k < m; ++k) dst[k] = b.v[k] * table8[b.slot[k]];
}
// The same with at most 16 entries, padded to 16 (the masked permute with an
// all-ones mask: gcc 12 warns about the undefined source of the plain one).
FAIRGATE_OBJECTIVES_AVX512 inline void scale_by_slot16(const f32_block_rows& b, std::size_t m,
                                                       const float* table16, float* dst) noexcept {
  const __m512 t = _mm512_loadu_ps(table16);
  std::size_t k = 0;
  for (; k + 16 <= m; k += 16) {
    const __m512i idx = _mm512_load_si512(b.slot + k);
    _mm512_storeu_ps(dst + k, _mm512_mul_ps(_mm512_load_ps(b.v + k), _mm512_mask_permutexvar_ps(t, 0xffff, idx, t)));
  }
  for (; k < m; ++k) dst[k] = b.v[k] * table16[b.slot[k]];
}

// Copies a block to `dst` with non-temporal stores (a large gradient would
// otherwise be read into the cache only to be overwritten). `dst` is 16-byte
// aligned; m is a multiple of 4.
FAIRGATE_OBJECTIVES_AVX2 inline void stream_block(float* dst, const float* src,
                                                  std::size_t m) noexcept {
  for (std::size_t k = 0; k < m; k += 4) _mm_stream_ps(dst + k, _mm_load_ps(src + k));
}
#endif
#undef FAIRGATE_F32_PASS2_BODY

template <bool Weighted, slot_mode Mode, class Group, class Fn>
void f32_pass2_impl(const penalty_inputs<float, Group>& in, const Fn& f,
                    std::span<const float> factor, std::span<float> gradient) {
  const std::size_t n = in.scores.size();
  const std::uint32_t G = in.n_groups;
  const float* fac = factor.data();
#if FAIRGATE_OBJECTIVES_HAVE_AVX2
  const f32_isa isa = f32_isa_in_use();
  if (isa != f32_isa::baseline) {
    const bool stream =
        n >= f32_stream_min_rows && (reinterpret_cast<std::uintptr_t>(gradient.data()) % 16) == 0;
    alignas(64) float block[f32_block];
    f32_block_rows rows;
    // Slots a row can land in (the dump slot only when some rows are outside
    // the subset), and their factors, zero-padded, for the register permute.
    constexpr bool has_dump = Mode == slot_mode::positives || Mode == slot_mode::negatives;
    const std::size_t used = has_dump ? factor.size() : factor.size() - 1;
    alignas(64) float table[16] = {};
    std::copy_n(fac, used < 16 ? used : 16, table);
    for (std::size_t b = 0; b < n; b += f32_block) {
      const std::size_t m = n - b < f32_block ? n - b : f32_block;
      const float* s = in.scores.data() + b;
      const std::uint8_t* y = in.labels.data() + b;
      const Group* g = in.groups.data() + b;
      const float* w = Weighted ? in.weights.data() + b : nullptr;
      const bool via_block = stream && m == f32_block;
      float* dst = via_block ? block : gradient.data() + b;
      if (isa == f32_isa::avx512 && used <= 16) {
        f32_slopes_avx512<Weighted, Mode>(s, y, g, w, m, G, f, rows);
        scale_by_slot16(rows, m, table, dst);
      } else if (isa == f32_isa::avx512) {
        f32_pass2_avx512<Weighted, Mode>(s, y, g, w, fac, m, G, f, dst);
      } else if (used <= 8) {
        f32_slopes_avx2<Weighted, Mode>(s, y, g, w, m, G, f, rows);
        scale_by_slot8(rows, m, table, dst);
      } else {
        f32_pass2_avx2<Weighted, Mode>(s, y, g, w, fac, m, G, f, dst);
      }
      if (via_block) stream_block(gradient.data() + b, block, m);
    }
    if (stream) _mm_sfence();  // order the streamed stores before the caller reads them
    return;
  }
#endif
  f32_pass2_generic<Weighted, Mode>(in.scores.data(), in.labels.data(), in.groups.data(),
                                    Weighted ? in.weights.data() : nullptr, fac, n, G, f,
                                    gradient.data());
}

// Pass 2: gradient[i] = f'_i · w_i · factor[slot_i] (factor in f64, rounded
// to f32 once; the dump slot's factor is 0).
template <class Group>
void f32_pass2(const penalty_inputs<float, Group>& in, slot_mode mode, const row_fn_f32& fn,
               std::span<const double> factor, std::span<float> gradient) {
  std::vector<float> fac(factor.size());
  for (std::size_t j = 0; j < fac.size(); ++j) fac[j] = static_cast<float>(factor[j]);
  with_row_f32(fn, [&](const auto& f) {
    with_slot_mode(mode, [&](auto md) {
      if (in.weights.empty())
        f32_pass2_impl<false, md.value>(in, f, fac, gradient);
      else
        f32_pass2_impl<true, md.value>(in, f, fac, gradient);
    });
  });
}

}  // namespace detail

}  // namespace objectives

FAIRGATE_END_NAMESPACE
