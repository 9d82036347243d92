// fairgate/metrics/confusion_kernels.hpp: the row loops behind accumulate().
//
// Each kernel reads rows [begin, end) of validated-shape inputs, adds them to
// a FRESH group_accumulator, and returns the index of the first invalid row
// (or nullopt). Validation is fused into the same pass, so the data is read
// once; on an invalid row the partial results are discarded by the caller,
// which then names the problem with check_row() (inputs.hpp).
//
// Three unweighted layouts, all giving identical (integer) counts:
//   - avx2 fast path (f32 scores + threshold, u8 labels, u8 codes, up to
//     fast_path_max_groups groups): per 64 rows, compare 8x8 scores with the
//     threshold and take movemasks (a 64-bit prediction mask), a movemask of
//     labels << 7 (label mask), and per group a cmpeq + movemask on the codes
//     followed by popcounts of mask, mask & pred, mask & label and
//     mask & pred & label (the scheme of docs/design.md). Cost grows with the
//     number of groups, hence the limit.
//   - scalar scatter: each row increments cell (group, 2 y + p) of a small
//     table; four interleaved tables break the store-to-load dependency
//     between consecutive rows of the same group. Any number of groups.
//   - the weighted variant of the scatter, adding weights to exact sums.
// The avx2 path is compiled with a function-level target attribute and chosen
// at run time (__builtin_cpu_supports), so the default (non -mavx2) build
// still uses it; FAIRGATE_DISABLE_SIMD removes it.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/metrics/accumulator.hpp>
#include <fairgate/metrics/inputs.hpp>

#if FAIRGATE_SIMD_ENABLED && defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define FAIRGATE_METRICS_HAVE_AVX2 1
#include <immintrin.h>
#else
#define FAIRGATE_METRICS_HAVE_AVX2 0
#endif

FAIRGATE_BEGIN_NAMESPACE

namespace metrics {

namespace kernels {

inline constexpr std::uint32_t fast_path_max_groups = 16;

// Cell index within a group: 2 * y + p  ->  0 tn, 1 fp, 2 fn, 3 tp.
inline void add_cells(confusion_counts& c, const std::uint64_t* cell) noexcept {
  c.tn += cell[0];
  c.fp += cell[1];
  c.fn += cell[2];
  c.tp += cell[3];
}

template <class T>
inline const T* ptr(const void* p) noexcept {
  return static_cast<const T*>(p);
}

// Prediction of row i from scores (P = float or double) or hard labels.
template <class P>
struct pred_reader {
  const P* data;
  P threshold;  // scores only
  // Returns 0 or 1, or 2 if the row is invalid (NaN score, y_pred not 0/1).
  [[nodiscard]] std::uint32_t operator()(std::size_t i) const noexcept {
    const P v = data[i];
    if constexpr (std::is_floating_point_v<P>) {
      if (v != v) return 2;
      return v >= threshold ? 1u : 0u;
    } else {
      const auto u = static_cast<std::uint64_t>(v);
      return u <= 1 ? static_cast<std::uint32_t>(u) : 2u;
    }
  }
};

// Scalar scatter, unweighted (weights == nullopt) or weighted.
template <class L, class P, class C>
std::optional<std::size_t> scatter(const L* y, pred_reader<P> pred, const C* g, std::uint32_t G,
                                   const std::optional<real_view>& w, std::size_t begin,
                                   std::size_t end, group_accumulator& out) {
  if (!w) {
    // Four interleaved tables when they fit in L1/L2; one otherwise.
    const std::size_t copies = G <= 4096 ? 4 : 1;
    std::vector<std::uint64_t> table(copies * 4u * G, 0);
    std::size_t i = begin;
    auto one = [&](std::size_t row, std::size_t copy) -> bool {
      const auto yy = static_cast<std::uint64_t>(y[row]);
      const std::uint32_t p = pred(row);
      const auto c = static_cast<std::uint64_t>(g[row]);
      if (yy > 1 || p > 1 || c >= G) return false;
      ++table[(copy * G + c) * 4u + 2u * yy + p];
      return true;
    };
    if (copies == 4) {
      for (; i + 4 <= end; i += 4) {
        const bool ok0 = one(i, 0);
        const bool ok1 = one(i + 1, 1);
        const bool ok2 = one(i + 2, 2);
        const bool ok3 = one(i + 3, 3);
        if (!(ok0 && ok1 && ok2 && ok3)) {
          if (!ok0) return i;
          if (!ok1) return i + 1;
          if (!ok2) return i + 2;
          return i + 3;
        }
      }
    }
    for (; i < end; ++i) {
      if (!one(i, 0)) return i;
    }
    auto& counts = out.mutable_counts();
    for (std::size_t k = 0; k < copies; ++k) {
      for (std::uint32_t gg = 0; gg < G; ++gg) add_cells(counts[gg], &table[(k * G + gg) * 4u]);
    }
    return std::nullopt;
  }
  // Weighted: the cell is found through a table of pointers (no branch on the
  // cell, which is unpredictable), in the same 2 y + p order as the counts.
  auto& counts = out.mutable_counts();
  auto& wc = out.mutable_weights();
  std::vector<std::uint64_t> table(4u * G, 0);
  std::vector<exact_sum*> slot(4u * G);
  for (std::uint32_t k = 0; k < G; ++k) {
    slot[4u * k + 0] = &wc[k].tn;
    slot[4u * k + 1] = &wc[k].fp;
    slot[4u * k + 2] = &wc[k].fn;
    slot[4u * k + 3] = &wc[k].tp;
  }
  auto run = [&](auto wp) -> std::optional<std::size_t> {
    for (std::size_t i = begin; i < end; ++i) {
      const auto yy = static_cast<std::uint64_t>(y[i]);
      const std::uint32_t p = pred(i);
      const auto c = static_cast<std::uint64_t>(g[i]);
      const auto wi = static_cast<double>(wp[i]);
      if (yy > 1 || p > 1 || c >= G || !(wi >= 0.0) || wi == HUGE_VAL) return i;
      const std::size_t idx = c * 4u + 2u * yy + p;
      ++table[idx];
      slot[idx]->add(wi);
    }
    return std::nullopt;
  };
  const auto bad = w->type == real_type::f32 ? run(ptr<float>(w->data)) : run(ptr<double>(w->data));
  if (bad) return bad;
  for (std::uint32_t k = 0; k < G; ++k) add_cells(counts[k], &table[4u * k]);
  return std::nullopt;
}

#if FAIRGATE_METRICS_HAVE_AVX2
// True when the running CPU has what the avx2 path uses.
inline bool cpu_has_avx2() noexcept {
  static const bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
  return ok;
}

// Fast path. Requires G <= fast_path_max_groups. Counts into out.
__attribute__((target("avx2,popcnt"))) inline std::optional<std::size_t> fast_avx2(
    const std::uint8_t* y, const float* s, float thr, const std::uint8_t* g, std::uint32_t G,
    std::size_t begin, std::size_t end, group_accumulator& out) {
  // Per group: n, p (predicted positive), l (label 1), pl (both).
  std::uint64_t acc[fast_path_max_groups][4] = {};
  const __m256 vthr = _mm256_set1_ps(thr);
  __m256i vgroup[fast_path_max_groups];
  for (std::uint32_t k = 0; k < G; ++k) vgroup[k] = _mm256_set1_epi8(static_cast<char>(k));
  const __m256i label_bad_bits = _mm256_set1_epi8(static_cast<char>(0xfe));
  const __m256i max_code = _mm256_set1_epi8(static_cast<char>(G - 1));

  // Validation runs per chunk: on any bad row the chunk is rescanned by the
  // scalar checker to find the first one (the counts are thrown away anyway).
  constexpr std::size_t chunk = 1u << 14;
  std::size_t i = begin;
  while (i + 64 <= end) {
    const std::size_t chunk_end = i + ((end - i) / 64 < chunk / 64 ? (end - i) / 64 * 64 : chunk);
    __m256i bad_label = _mm256_setzero_si256();
    __m256i code_max = _mm256_setzero_si256();
    __m256 nan_seen = _mm256_setzero_ps();
    const std::size_t chunk_begin = i;
    for (; i < chunk_end; i += 64) {
      std::uint64_t pred = 0;
      for (int b = 0; b < 8; ++b) {
        const __m256 v = _mm256_loadu_ps(s + i + 8 * b);
        nan_seen = _mm256_or_ps(nan_seen, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
        const auto m =
            static_cast<std::uint32_t>(_mm256_movemask_ps(_mm256_cmp_ps(v, vthr, _CMP_GE_OQ)));
        pred |= static_cast<std::uint64_t>(m) << (8 * b);
      }
      const __m256i y0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y + i));
      const __m256i y1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y + i + 32));
      bad_label =
          _mm256_or_si256(bad_label, _mm256_and_si256(_mm256_or_si256(y0, y1), label_bad_bits));
      const std::uint64_t lab =
          static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_slli_epi16(y0, 7))) |
          (static_cast<std::uint64_t>(
               static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_slli_epi16(y1, 7))))
           << 32);
      const __m256i c0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(g + i));
      const __m256i c1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(g + i + 32));
      code_max = _mm256_max_epu8(code_max, _mm256_max_epu8(c0, c1));
      const std::uint64_t pl = pred & lab;
      for (std::uint32_t k = 0; k < G; ++k) {
        const std::uint64_t m =
            static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(c0, vgroup[k]))) |
            (static_cast<std::uint64_t>(
                 static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(c1, vgroup[k]))))
             << 32);
        acc[k][0] += static_cast<std::uint64_t>(_mm_popcnt_u64(m));
        acc[k][1] += static_cast<std::uint64_t>(_mm_popcnt_u64(m & pred));
        acc[k][2] += static_cast<std::uint64_t>(_mm_popcnt_u64(m & lab));
        acc[k][3] += static_cast<std::uint64_t>(_mm_popcnt_u64(m & pl));
      }
    }
    // max(code) > G-1  <=>  max(code, G-1) != G-1
    const __m256i over = _mm256_xor_si256(_mm256_max_epu8(code_max, max_code), max_code);
    const bool bad = !_mm256_testz_si256(bad_label, bad_label) || !_mm256_testz_si256(over, over) ||
                     _mm256_movemask_ps(nan_seen) != 0;
    if (bad) {
      for (std::size_t r = chunk_begin; r < chunk_end; ++r) {
        if (y[r] > 1 || s[r] != s[r] || g[r] >= G) return r;
      }
    }
  }
  auto& counts = out.mutable_counts();
  for (std::uint32_t k = 0; k < G; ++k) {
    counts[k].tp += acc[k][3];
    counts[k].fp += acc[k][1] - acc[k][3];
    counts[k].fn += acc[k][2] - acc[k][3];
    counts[k].tn += acc[k][0] - acc[k][1] - acc[k][2] + acc[k][3];
  }
  // Tail (< 64 rows) through the scalar path.
  if (i < end) {
    return scatter<std::uint8_t, float, std::uint8_t>(y, pred_reader<float>{s, thr}, g, G,
                                                      std::nullopt, i, end, out);
  }
  return std::nullopt;
}
#endif

// Whether the avx2 fast path applies to these inputs.
inline bool fast_path_applies(const binary_inputs& in) noexcept {
  return in.y_pred.from_scores && in.y_pred.score.type == real_type::f32 &&
         in.y_true.type == label_type::u8 && in.groups.type == code_type::u8 && !in.weights &&
         in.n_groups <= fast_path_max_groups;
}

// Dispatch on the element types; returns the first bad row of [begin, end).
template <class L, class C>
std::optional<std::size_t> run_pred(const binary_inputs& in, std::size_t begin, std::size_t end,
                                    group_accumulator& out) {
  const L* y = ptr<L>(in.y_true.data);
  const C* g = ptr<C>(in.groups.data);
  const auto G = in.n_groups;
  if (in.y_pred.from_scores) {
    if (in.y_pred.score.type == real_type::f32) {
      return scatter<L, float, C>(
          y, {ptr<float>(in.y_pred.score.data), float_threshold(in.y_pred.threshold)}, g, G,
          in.weights, begin, end, out);
    }
    return scatter<L, double, C>(y, {ptr<double>(in.y_pred.score.data), in.y_pred.threshold}, g, G,
                                 in.weights, begin, end, out);
  }
  switch (in.y_pred.labels.type) {
    case label_type::u8:
      return scatter<L, std::uint8_t, C>(y, {ptr<std::uint8_t>(in.y_pred.labels.data), 0}, g, G,
                                         in.weights, begin, end, out);
    case label_type::i32:
      return scatter<L, std::int32_t, C>(y, {ptr<std::int32_t>(in.y_pred.labels.data), 0}, g, G,
                                         in.weights, begin, end, out);
    case label_type::i64:
      return scatter<L, std::int64_t, C>(y, {ptr<std::int64_t>(in.y_pred.labels.data), 0}, g, G,
                                         in.weights, begin, end, out);
  }
  return std::nullopt;
}

template <class L>
std::optional<std::size_t> run_codes(const binary_inputs& in, std::size_t begin, std::size_t end,
                                     group_accumulator& out) {
  switch (in.groups.type) {
    case code_type::u8:
      return run_pred<L, std::uint8_t>(in, begin, end, out);
    case code_type::u16:
      return run_pred<L, std::uint16_t>(in, begin, end, out);
    case code_type::u32:
      return run_pred<L, std::uint32_t>(in, begin, end, out);
  }
  return std::nullopt;
}

// Rows [begin, end) of a binary pass into `out` (a fresh accumulator).
inline std::optional<std::size_t> binary_pass(const binary_inputs& in, std::size_t begin,
                                              std::size_t end, group_accumulator& out,
                                              bool allow_simd) {
#if FAIRGATE_METRICS_HAVE_AVX2
  if (allow_simd && fast_path_applies(in) && cpu_has_avx2()) {
    return fast_avx2(ptr<std::uint8_t>(in.y_true.data), ptr<float>(in.y_pred.score.data),
                     float_threshold(in.y_pred.threshold), ptr<std::uint8_t>(in.groups.data),
                     in.n_groups, begin, end, out);
  }
#else
  (void)allow_simd;
#endif
  switch (in.y_true.type) {
    case label_type::u8:
      return run_codes<std::uint8_t>(in, begin, end, out);
    case label_type::i32:
      return run_codes<std::int32_t>(in, begin, end, out);
    case label_type::i64:
      return run_codes<std::int64_t>(in, begin, end, out);
  }
  return std::nullopt;
}

// Rows [begin, end) of the score statistics (score_bins.hpp) of a binary pass
// with scores, into `out` (a fresh accumulator made by empty_like()). The rows
// were already validated by binary_pass. A score outside [0, 1] while
// calibration bins are kept throws out_of_range naming the row (the caller
// only scans rows before binary_pass's first bad row, so the error is the
// first problem in the range). Each row's terms (w * p) are rounded by that
// row alone and added exactly, so the bins do not depend on chunking.
inline void score_pass(const binary_inputs& in, std::size_t begin, std::size_t end,
                       group_accumulator& out) {
  if (in.weights) (void)out.mutable_weights();  // materialises the score weight sums too
  const auto& so = out.score_options();
  const std::size_t nc = so.calibration_bins, nh = so.histogram_bins;
  const bool weighted = out.has_weighted_cells();
  auto& cal = out.mutable_calibration_bins();
  auto& hc = out.mutable_histogram_counts();
  auto& hw = out.mutable_histogram_weights();
  const double* cal_inner = nc > 0 ? out.calibration_edges().data() + 1 : nullptr;
  const double* hist_edges = nh > 0 ? out.histogram_edges().data() : nullptr;
  const double inv_width =
      nh > 0 ? static_cast<double>(nh) / (so.histogram_max - so.histogram_min) : 0.0;
  const real_view& sv = in.y_pred.score;
  for (std::size_t i = begin; i < end; ++i) {
    const double p = sv.at(i);
    const auto y = static_cast<std::uint32_t>(in.y_true.at(i));
    const auto g = static_cast<std::size_t>(in.groups.at(i));
    const double w = in.weights ? in.weights->at(i) : 1.0;
    if (nc > 0) {
      require(p >= 0.0 && p <= 1.0, errc::out_of_range, [&] {
        return inputs_detail::row_msg("scores", i, inputs_detail::num(p),
                                      "calibration bins need probabilities in [0, 1]");
      });
      calibration_bin_sums& b = cal[g * nc + detail::count_below(cal_inner, nc - 1, p)];
      ++b.count;
      b.positives += y;
      if (weighted) {
        b.weight.add(w);
        b.sum_p.add(w * p);
        if (y) b.sum_y.add(w);
      } else {
        b.sum_p.add(p);
      }
    }
    if (nh > 0) {
      const std::size_t k = (g * 2u + y) * nh + detail::histogram_bin(hist_edges, nh, inv_width, p);
      ++hc[k];
      if (weighted) hw[k].add(w);
    }
  }
}

// Rows [begin, end) of a regression pass. Each row's terms are rounded to
// double by that row alone (d = p - y; w * p, w * |d|, w * (d * d)), then
// added exactly. A row whose terms overflow to infinity is reported as bad.
inline std::optional<std::size_t> regression_pass(const regression_inputs& in, std::size_t begin,
                                                  std::size_t end, group_accumulator& out) {
  auto& reg = out.mutable_regression();
  const auto G = in.n_groups;
  for (std::size_t i = begin; i < end; ++i) {
    const double y = in.y_true.at(i);
    const double p = in.y_pred.at(i);
    const std::uint64_t c = in.groups.at(i);
    const double w = in.weights ? in.weights->at(i) : 1.0;
    if (!std::isfinite(y) || !std::isfinite(p) || c >= G || !(w >= 0.0) || !std::isfinite(w))
      return i;
    const double d = p - y;
    const double ad = std::fabs(d);
    const double sq = d * d;
    const double wp = w * p, wad = w * ad, wsq = w * sq;
    if (!std::isfinite(d) || !std::isfinite(sq) || !std::isfinite(wp) || !std::isfinite(wad) ||
        !std::isfinite(wsq)) {
      return i;
    }
    auto& r = reg[c];
    ++r.count;
    r.sum_pred.add(p);
    r.sum_abs_err.add(ad);
    r.sum_sq_err.add(sq);
    r.weight.add(w);
    r.wsum_pred.add(wp);
    r.wsum_abs_err.add(wad);
    r.wsum_sq_err.add(wsq);
  }
  return std::nullopt;
}

}  // namespace kernels

}  // namespace metrics

FAIRGATE_END_NAMESPACE
