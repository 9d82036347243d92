// fairgate/prune/global.hpp: global magnitude pruning across many tensors, without a copy.
//
//   std::vector<fairgate::tensor::view> ws = {fc1, fc2, fc3};
//   auto g = fairgate::prune::global_l1_unstructured(ws, amount::fraction(0.7));
//   for (std::size_t i = 0; i < ws.size(); ++i) g.masks[i].apply(ws[i]);
//
// Semantics = torch.nn.utils.prune.global_unstructured(params, L1Unstructured,
// amount=a) (which concatenates the tensors, in the order given, into one
// vector and prunes it inside a PruningContainer):
//   - the tensors form one sequence: tensor 0's weights in flat row-major
//     order, then tensor 1's, ... (the order of `weights`);
//   - eligible = weights still kept by `existing` (all if `existing` is empty);
//   - k = amount.to_count(total eligible) (Python round, ties to even);
//   - the k eligible weights with the smallest |w| are pruned; ties (equal |w|)
//     -> the lower (tensor index, flat index) is pruned first.
//   - NaN / +-Inf in an eligible weight throws errc::invalid_value naming the
//     tensor and flat index (already-pruned weights are never read).
// With one tensor the mask equals l1_unstructured's.
//
// Algorithm (no concatenated copy; extra memory O(candidates), not O(n)):
// selection on the bits of |w|. For non-negative IEEE floats the unsigned
// order of the bit patterns is the numeric order. If every tensor is f32 the
// key is the 31-bit f32 pattern; if any tensor is f64 (or f16/bf16) every
// |w| is widened exactly to f64 and the key is its 63-bit pattern (widening
// preserves the order, so mixing dtypes changes nothing but the key width).
// The selection yields the k-th smallest key T; then one pass writes the
// masks: prune key < T, and the first `need_eq` eligible weights with
// key == T in sequence order (the tie rule).
//   Fast path (all f32, C-contiguous, no existing masks): a strided sample
//   of ~2^18 keys brackets T in [lo, hi]; one SIMD pass (AVX2 picked at run
//   time, else SSE2, else scalar; all give the same bits) counts keys < lo and
//   collects keys in [lo, hi] (~1% of them); nth_element on those gives T.
//   Total: 2 read passes. If the bracket misses (never for typical weights,
//   possible for adversarial data) it falls back to:
//   Radix select: pass 1 = histogram of the top 16 key bits; pass 2 = in the
//   bin holding T, collect its keys and nth_element if there are <= 2^22 of
//   them, else histogram the next 16 bits inside the bin and repeat. Total:
//   3 read passes for typical inputs.
// Either way the answer is exact and identical; only the speed differs.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <fairgate/config.hpp>
#if FAIRGATE_SIMD_ENABLED && defined(__SSE2__)
#include <emmintrin.h>
#endif
#if FAIRGATE_SIMD_ENABLED && defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#endif
#include <fairgate/error.hpp>
#include <fairgate/prune/amount.hpp>
#include <fairgate/prune/detail.hpp>
#include <fairgate/prune/record.hpp>
#include <fairgate/tensor/mask.hpp>
#include <fairgate/tensor/view.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace prune {

struct global_result {
  std::vector<tensor::mask> masks;  // one per tensor, in the order given
  std::vector<record> records;      // one per tensor; `requested` is the global amount
  std::int64_t eligible = 0;        // weights remaining before the call, over all tensors
  std::int64_t pruned_new = 0;      // k
};

namespace detail {

// Branch-free SWAR popcount: std::popcount is a libgcc call on x86-64
// builds without -mpopcnt, which costs more than this in the mask pass.
constexpr int popcount64(std::uint64_t x) noexcept {
  x = x - ((x >> 1) & 0x5555555555555555ULL);
  x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
  return static_cast<int>((x * 0x0101010101010101ULL) >> 56);
}

// Visits the eligible weights of `v` in flat order as fn(key, flat).
template <class K, class Fn>
inline void visit_keys(const tensor::view& v, const tensor::mask* m, Fn&& fn) {
  for_each_run(v,
               [&](std::int64_t flat0, std::int64_t off0, std::int64_t len, std::int64_t stride) {
                 auto body = [&](auto load) {
                   if (m == nullptr) {
                     for (std::int64_t j = 0; j < len; ++j) fn(load(j), flat0 + j);
                   } else {
                     const std::uint64_t* words = m->words().data();
                     for (std::int64_t j = 0; j < len; ++j) {
                       const std::int64_t f = flat0 + j;
                       if ((words[f >> 6] >> (f & 63)) & 1u) fn(load(j), f);
                     }
                   }
                 };
                 if constexpr (std::is_same_v<K, std::uint32_t>) {
                   const float* p = v.as<const float>() + off0;
                   if (stride == 1)
                     body([p](std::int64_t j) { return abs_key32(p[j]); });
                   else
                     body([p, stride](std::int64_t j) { return abs_key32(p[j * stride]); });
                 } else {
                   switch (v.type) {
                     case tensor::dtype::f32: {
                       const float* p = v.as<const float>() + off0;
                       body([p, stride](std::int64_t j) {
                         return abs_key64(static_cast<double>(p[j * stride]));
                       });
                       break;
                     }
                     case tensor::dtype::f64: {
                       const double* p = v.as<const double>() + off0;
                       body([p, stride](std::int64_t j) { return abs_key64(p[j * stride]); });
                       break;
                     }
                     default:
                       body([&v, off0, stride](std::int64_t j) {
                         return abs_key64(tensor::load_as_double(v, off0 + j * stride));
                       });
                   }
                 }
               });
}

#if FAIRGATE_SIMD_ENABLED && defined(__SSE2__)
inline constexpr bool sse2_paths = true;
#else
inline constexpr bool sse2_paths = false;
#endif

#if FAIRGATE_SIMD_ENABLED && defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define FAIRGATE_PRUNE_AVX2 1
// AVX2 versions of the two hot loops, chosen at run time so the default
// (no -mavx2) build still uses them on AVX2 machines. Integer compares on
// the key bits only: results are identical to the SSE2/scalar loops.
inline bool prune_cpu_has_avx2() noexcept {
  static const bool ok = __builtin_cpu_supports("avx2");
  return ok;
}

// Bracket scan of p[0, n) in steps of 32 keys; advances i, adds to lt_count,
// appends candidates. Returns false on a non-finite key or too many candidates.
__attribute__((target("avx2"))) inline bool bracket_scan_avx2(
    const std::uint32_t* p, std::int64_t n, std::int64_t& i, std::uint32_t lo, std::uint32_t hi,
    std::int64_t& lt_count, std::vector<std::uint32_t>& cand, std::size_t limit) {
  const __m256i absm = _mm256_set1_epi32(0x7fffffff);
  const __m256i lov = _mm256_set1_epi32(static_cast<int>(lo));
  const __m256i hiv = _mm256_set1_epi32(static_cast<int>(hi));
  const __m256i finv = _mm256_set1_epi32(0x7f7fffff);
  const __m256i ones = _mm256_set1_epi32(-1);
  while (i + 32 <= n) {
    const std::int64_t stop = std::min(n - 31, i + (std::int64_t{1} << 24));
    __m256i acc = _mm256_setzero_si256(), badv = _mm256_setzero_si256();
    for (; i < stop; i += 32) {
      unsigned inside = 0;
      for (int u = 0; u < 4; ++u) {
        const __m256i kv = _mm256_and_si256(
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + 8 * u)), absm);
        const __m256i lt = _mm256_cmpgt_epi32(lov, kv);
        const __m256i gt = _mm256_cmpgt_epi32(kv, hiv);
        badv = _mm256_or_si256(badv, _mm256_cmpgt_epi32(kv, finv));
        acc = _mm256_sub_epi32(acc, lt);
        inside |= static_cast<unsigned>(_mm256_movemask_ps(
                      _mm256_castsi256_ps(_mm256_xor_si256(_mm256_or_si256(lt, gt), ones))))
                  << (8 * u);
      }
      while (inside != 0) [[unlikely]] {
          cand.push_back(p[i + std::countr_zero(inside)] & 0x7fffffffu);
          inside &= inside - 1;
        }
    }
    alignas(32) std::int32_t lanes[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), acc);
    for (std::int32_t l : lanes) lt_count += l;
    if (!_mm256_testz_si256(badv, badv) || cand.size() > limit) return false;
  }
  return true;
}

// lt / eq bit masks of 64 consecutive keys against t.
__attribute__((target("avx2"))) inline void mask_block_avx2(const float* p, std::uint32_t t,
                                                            std::uint64_t& lt, std::uint64_t& eq) {
  const __m256i absm = _mm256_set1_epi32(0x7fffffff);
  const __m256i tv = _mm256_set1_epi32(static_cast<int>(t));
  std::uint64_t l = 0, e = 0;
  for (int j = 0; j < 64; j += 8) {
    const __m256i kv =
        _mm256_and_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + j)), absm);
    l |= static_cast<std::uint64_t>(static_cast<unsigned>(
             _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32(tv, kv)))))
         << j;
    e |= static_cast<std::uint64_t>(static_cast<unsigned>(
             _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(kv, tv)))))
         << j;
  }
  lt = l;
  eq = e;
}
#endif

// Fast exact selection for unmasked, C-contiguous f32 tensors (the common
// one-shot case): a strided sample of ~2^18 keys brackets the k-th smallest
// key in [lo, hi]; ONE pass counts keys < lo and collects keys in [lo, hi];
// if the k-th key is among them, nth_element on the few candidates gives it
// exactly. Otherwise (unlucky or adversarial data, non-finite values) it
// returns false and the caller runs the radix select. The sample only
// decides how fast the answer comes, never what it is.
inline bool bracket_select_f32(std::span<const tensor::view> ws, std::int64_t total, std::int64_t k,
                               std::uint32_t& threshold, std::int64_t& below) {
  constexpr std::int64_t sample_target = std::int64_t{1} << 18;
  constexpr std::size_t candidate_limit = std::size_t{1} << 23;
  constexpr std::uint32_t max_finite = 0x7f7fffffu;
  if (total < 8 * sample_target || k <= 0) return false;
  std::vector<std::uint32_t> sample;
  sample.reserve(static_cast<std::size_t>(sample_target) + ws.size());
  // Runs of 16 consecutive keys (one cache line) at a fixed stride: 16x fewer
  // cache misses than single keys; the run length only affects speed.
  constexpr std::int64_t run = 16;
  for (const auto& v : ws) {
    const std::int64_t n = v.numel();
    const std::int64_t runs = n * sample_target / total / run;
    if (runs <= 0) continue;
    const std::int64_t stride = n / runs;
    if (stride < run) continue;
    const float* p = v.as<const float>();
    for (std::int64_t j = 0; j < runs; ++j) {
      const float* q = p + j * stride + (stride - run) / 2;
      for (std::int64_t r = 0; r < run; ++r) sample.push_back(abs_key32(q[r]));
    }
  }
  const auto m = static_cast<std::int64_t>(sample.size());
  if (m < 1024) return false;
  // Rank of the k-th key in the sample, +- 6 binomial standard deviations.
  const double frac = static_cast<double>(k) / static_cast<double>(total);
  const double q = frac * static_cast<double>(m);
  const double delta = 6.0 * std::sqrt(static_cast<double>(m) * frac * (1.0 - frac)) + 64.0;
  const auto ilo = static_cast<std::int64_t>(q - delta);
  const auto ihi = static_cast<std::int64_t>(q + delta);
  std::uint32_t lo = 0, hi = max_finite;
  if (ilo > 0) {
    std::nth_element(sample.begin(), sample.begin() + ilo, sample.end());
    lo = sample[static_cast<std::size_t>(ilo)];
  }
  if (ihi < m - 1) {
    std::nth_element(sample.begin(), sample.begin() + ihi, sample.end());
    hi = sample[static_cast<std::size_t>(ihi)];
  }
  if (hi > max_finite) return false;
  std::vector<std::uint32_t> cand;
  cand.reserve(static_cast<std::size_t>(static_cast<double>(total) *
                                        (2.0 * delta / static_cast<double>(m))) +
               1024);
  std::int64_t lt_count = 0;
  bool bad = false;
  for (const auto& v : ws) {
    const auto* p = static_cast<const std::uint32_t*>(v.data);
    const std::int64_t n = v.numel();
    std::int64_t i = 0;
#if defined(FAIRGATE_PRUNE_AVX2)
    if (prune_cpu_has_avx2()) {
      if (!bracket_scan_avx2(p, n, i, lo, hi, lt_count, cand, candidate_limit)) return false;
    }
#endif
    if constexpr (sse2_paths) {
#if FAIRGATE_SIMD_ENABLED && defined(__SSE2__)
      const __m128i absm = _mm_set1_epi32(0x7fffffff);
      const __m128i lov = _mm_set1_epi32(static_cast<int>(lo));
      const __m128i hiv = _mm_set1_epi32(static_cast<int>(hi));
      const __m128i finv = _mm_set1_epi32(static_cast<int>(max_finite));
      while (i + 4 <= n) {
        // Chunks of <= 2^22 vectors so the per-lane 32-bit counts cannot overflow.
        const std::int64_t stop = std::min(n - 3, i + (std::int64_t{1} << 24));
        __m128i acc = _mm_setzero_si128(), badv = _mm_setzero_si128();
        const __m128i ones = _mm_set1_epi32(-1);
        // 16 keys per step: one branch decides whether any is a candidate.
        const std::int64_t stop16 = stop - 12;
        for (; i < stop16; i += 16) {
          unsigned inside = 0;
          for (int u = 0; u < 4; ++u) {
            const __m128i kv = _mm_and_si128(
                _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + 4 * u)), absm);
            const __m128i lt = _mm_cmplt_epi32(kv, lov);
            const __m128i gt = _mm_cmpgt_epi32(kv, hiv);
            badv = _mm_or_si128(badv, _mm_cmpgt_epi32(kv, finv));
            acc = _mm_sub_epi32(acc, lt);
            inside |= static_cast<unsigned>(_mm_movemask_ps(
                          _mm_castsi128_ps(_mm_xor_si128(_mm_or_si128(lt, gt), ones))))
                      << (4 * u);
          }
          while (inside != 0) [[unlikely]] {
              cand.push_back(p[i + std::countr_zero(inside)] & 0x7fffffffu);
              inside &= inside - 1;
            }
        }
        for (; i < stop; i += 4) {
          const __m128i kv =
              _mm_and_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)), absm);
          const __m128i lt = _mm_cmplt_epi32(kv, lov);
          const __m128i gt = _mm_cmpgt_epi32(kv, hiv);
          badv = _mm_or_si128(badv, _mm_cmpgt_epi32(kv, finv));
          acc = _mm_sub_epi32(acc, lt);
          const int inside = ~_mm_movemask_ps(_mm_castsi128_ps(_mm_or_si128(lt, gt))) & 0xf;
          if (inside != 0) [[unlikely]] {
            for (int b = 0; b < 4; ++b) {
              if ((inside >> b) & 1) cand.push_back(p[i + b] & 0x7fffffffu);
            }
          }
        }
        alignas(16) std::int32_t lanes[4];
        _mm_store_si128(reinterpret_cast<__m128i*>(lanes), acc);
        lt_count += static_cast<std::int64_t>(lanes[0]) + lanes[1] + lanes[2] + lanes[3];
        bad = bad || _mm_movemask_epi8(badv) != 0;
        if (cand.size() > candidate_limit || bad) return false;
      }
#endif
    }
    for (; i < n; ++i) {
      const std::uint32_t key = p[i] & 0x7fffffffu;
      if (key > max_finite) return false;
      if (key < lo)
        ++lt_count;
      else if (key <= hi)
        cand.push_back(key);
    }
    if (cand.size() > candidate_limit) return false;
  }
  const std::int64_t r = k - 1;
  if (r < lt_count || r >= lt_count + static_cast<std::int64_t>(cand.size())) return false;
  const auto pos = static_cast<std::size_t>(r - lt_count);
  std::nth_element(cand.begin(), cand.begin() + static_cast<std::ptrdiff_t>(pos), cand.end());
  threshold = cand[pos];
  below = lt_count;
  for (std::uint32_t c : cand) below += c < threshold ? 1 : 0;
  return true;
}

template <class K>
inline global_result global_select(std::span<const tensor::view> ws, amount a,
                                   std::span<const tensor::mask> existing,
                                   std::span<const std::string_view> names, options opt) {
  constexpr int key_bits = static_cast<int>(sizeof(K) * 8);
  constexpr K inf_key =
      static_cast<K>(std::is_same_v<K, std::uint32_t> ? std::uint64_t{inf_key32} : inf_key64);
  constexpr std::size_t candidate_limit = std::size_t{1} << 22;
  const std::size_t nt = ws.size();
  auto name_of = [&](std::size_t t) { return t < names.size() ? names[t] : std::string_view{}; };
  auto mask_of = [&](std::size_t t) -> const tensor::mask* {
    return existing.empty() ? nullptr : &existing[t];
  };

  std::vector<std::int64_t> eligible(nt, 0);
  std::int64_t total = 0;
  bool fast = std::is_same_v<K, std::uint32_t> && existing.empty();
  for (std::size_t t = 0; t < nt; ++t) {
    fast = fast && ws[t].is_contiguous();
    eligible[t] = existing.empty() ? ws[t].numel() : existing[t].count_kept();
    total += eligible[t];
  }
  const std::int64_t k = a.to_count(total);

  // Select T = the k-th smallest key (rank k-1) and how many of the keys equal
  // to T are pruned (the first need_eq in sequence order).
  K threshold = 0;
  std::int64_t need_eq = 0;
  std::int64_t below_fast = 0;
  std::uint32_t t32 = 0;
  if (k > 0 && fast && bracket_select_f32(ws, total, k, t32, below_fast)) {
    threshold = static_cast<K>(t32);
    need_eq = k - below_fast;
  } else {
    // Pass 1: top-16-bit histogram (also the finiteness check: non-finite
    // keys land in the bins at and above inf_key's).
    std::vector<std::uint64_t> hist(65536, 0);
    int shift = key_bits - 16;
    for (std::size_t t = 0; t < nt; ++t) {
      visit_keys<K>(ws[t], mask_of(t),
                    [&](K key, std::int64_t) { ++hist[static_cast<std::size_t>(key >> shift)]; });
    }
    bool non_finite = false;
    for (std::size_t d = static_cast<std::size_t>(inf_key >> shift); d < hist.size(); ++d)
      non_finite = non_finite || hist[d] != 0;
    if (non_finite) {
      // Find the first one for the message.
      for (std::size_t t = 0; t < nt; ++t) {
        const tensor::mask* m = mask_of(t);
        detail::for_each_value(ws[t], [&](std::int64_t flat, double x) {
          if (!(x - x == 0.0) && (m == nullptr || m->kept(flat)))
            throw_non_finite("weight of tensor", name_of(t), flat, x);
        });
      }
    }
    if (k > 0) {
      auto rank = static_cast<std::uint64_t>(k - 1);
      std::uint64_t below = 0;
      K prefix = 0;
      for (;;) {
        std::size_t d = 0;
        std::uint64_t cum = 0;
        while (cum + hist[d] <= rank) cum += hist[d++];
        rank -= cum;
        below += cum;
        prefix = static_cast<K>(prefix | (static_cast<K>(d) << shift));
        const std::uint64_t bin = hist[d];
        if (shift == 0) {
          threshold = prefix;
          break;
        }
        const K want = static_cast<K>(prefix >> shift);
        if (bin <= candidate_limit) {
          std::vector<K> cand;
          cand.reserve(static_cast<std::size_t>(bin));
          for (std::size_t t = 0; t < nt; ++t) {
            visit_keys<K>(ws[t], mask_of(t), [&](K key, std::int64_t) {
              if ((key >> shift) == want) cand.push_back(key);
            });
          }
          std::nth_element(cand.begin(), cand.begin() + static_cast<std::ptrdiff_t>(rank),
                           cand.end());
          threshold = cand[static_cast<std::size_t>(rank)];
          for (K c : cand) below += (c < threshold) ? 1u : 0u;
          break;
        }
        // Too many keys share this prefix (e.g. many equal magnitudes): refine.
        const int next = shift - 16;
        std::fill(hist.begin(), hist.end(), 0);
        for (std::size_t t = 0; t < nt; ++t) {
          visit_keys<K>(ws[t], mask_of(t), [&](K key, std::int64_t) {
            if ((key >> shift) == want) ++hist[static_cast<std::size_t>((key >> next) & 0xffffu)];
          });
        }
        shift = next;
      }
      need_eq = k - static_cast<std::int64_t>(below);
    }
  }

  // Pass 3: masks.
  global_result out;
  out.eligible = total;
  out.pruned_new = k;
  out.masks.reserve(nt);
  out.records.reserve(nt);
  for (std::size_t t = 0; t < nt; ++t) {
    const tensor::view& v = ws[t];
    const tensor::mask* ex = mask_of(t);
    tensor::mask after = ex != nullptr ? *ex : tensor::mask::like(v);
    std::uint64_t* words = after.words().data();
    const std::int64_t n = v.numel();
    std::int64_t pruned_here = 0;
    if (k > 0 && v.type == tensor::dtype::f32 && std::is_same_v<K, std::uint32_t> &&
        v.is_contiguous() && n > 0) {
      // Fast path: 64 weights -> one mask word, branch-free except for ties.
      const float* p = v.as<const float>();
#if defined(FAIRGATE_PRUNE_AVX2)
      const bool use_avx2 = prune_cpu_has_avx2();
#endif
      const std::int64_t nblocks = (n + 63) / 64;
      for (std::int64_t b = 0; b < nblocks; ++b) {
        const std::int64_t base = b * 64;
        const int cnt = static_cast<int>(std::min<std::int64_t>(64, n - base));
        std::uint64_t lt = 0, eq = 0;
        int j = 0;
#if defined(FAIRGATE_PRUNE_AVX2)
        if (cnt == 64 && use_avx2) {
          mask_block_avx2(p + base, static_cast<std::uint32_t>(threshold), lt, eq);
          j = 64;
        }
#endif
#if FAIRGATE_SIMD_ENABLED && defined(__SSE2__)
        if (cnt == 64 && j == 0) {
          const __m128i absm = _mm_set1_epi32(0x7fffffff);
          const __m128i tv = _mm_set1_epi32(static_cast<int>(threshold));
          for (; j < 64; j += 4) {
            const __m128i kv = _mm_and_si128(
                _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + base + j)), absm);
            lt |= static_cast<std::uint64_t>(
                      _mm_movemask_ps(_mm_castsi128_ps(_mm_cmplt_epi32(kv, tv))))
                  << j;
            eq |= static_cast<std::uint64_t>(
                      _mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(kv, tv))))
                  << j;
          }
        }
#endif
        for (; j < cnt; ++j) {
          const K key = static_cast<K>(abs_key32(p[base + j]));
          lt |= static_cast<std::uint64_t>(key < threshold) << j;
          eq |= static_cast<std::uint64_t>(key == threshold) << j;
        }
        const std::uint64_t live = words[b];
        lt &= live;
        eq &= live;
        while (eq != 0 && need_eq > 0) {
          lt |= eq & (~eq + 1);
          eq &= eq - 1;
          --need_eq;
        }
        words[b] = live & ~lt;
        pruned_here += popcount64(lt);
      }
    } else if (k > 0) {
      visit_keys<K>(v, ex, [&](K key, std::int64_t f) {
        if (key < threshold || (key == threshold && need_eq > 0)) {
          if (key == threshold) --need_eq;
          words[f >> 6] &= ~(std::uint64_t{1} << (f & 63));
          ++pruned_here;
        }
      });
    }
    record r;
    r.tensor_name = std::string(name_of(t));
    r.how = method::global_l1_unstructured;
    r.detail = "global k=" + std::to_string(k) + " of " + std::to_string(total) + " eligible in " +
               std::to_string(nt) + " tensors";
    r.requested = a;
    r.eligible = eligible[t];
    r.pruned_new = pruned_here;
    // eligible[t] is the kept count before the call, so no recount is needed.
    detail::fill_counts(r, n, eligible[t], eligible[t] - pruned_here);
    if (opt.compute_digests) {
      detail::fill_digests(r, ex != nullptr ? *ex : tensor::mask::like(v), after, true);
    } else {
      r.digest_computed = false;
    }
    out.masks.push_back(std::move(after));
    out.records.push_back(std::move(r));
  }
  return out;
}

}  // namespace detail

inline global_result global_l1_unstructured(std::span<const tensor::view> weights, amount a,
                                            std::span<const tensor::mask> existing = {},
                                            std::span<const std::string_view> names = {},
                                            options opt = {}) {
  require(existing.empty() || existing.size() == weights.size(), errc::length_mismatch, [&] {
    return "global pruning: " + std::to_string(existing.size()) + " existing masks for " +
           std::to_string(weights.size()) + " tensors";
  });
  require(names.empty() || names.size() == weights.size(), errc::length_mismatch,
          "global pruning: names must be empty or one per tensor");
  bool all_f32 = true;
  for (std::size_t t = 0; t < weights.size(); ++t) {
    const std::string_view nm = t < names.size() ? names[t] : std::string_view{};
    detail::require_pass_dtype(weights[t], nm);
    if (!existing.empty()) detail::require_mask_shape(existing[t], weights[t], nm);
    all_f32 = all_f32 && weights[t].type == tensor::dtype::f32;
  }
  return all_f32 ? detail::global_select<std::uint32_t>(weights, a, existing, names, opt)
                 : detail::global_select<std::uint64_t>(weights, a, existing, names, opt);
}

}  // namespace prune

FAIRGATE_END_NAMESPACE
