// fairgate/objectives/penalty_kernel.hpp: the two fused passes behind every
// penalty in penalties.hpp.
//
//   auto sums = objectives::detail::fused_pass1(in, slot_mode::all, row_fn, deriv);
//   ... group means → gap → per-slot factors ...
//   objectives::detail::fused_pass2(in, slot_mode::all, factors, deriv, gradient);
//
// A penalty's gradient needs the group means, so two passes over the rows are
// the minimum. Pass 1 validates each row, evaluates the per-row function
// (value f and slope f', branch-free, so the loop vectorises), stores f' in
// the caller's gradient buffer and adds w·f and w into per-(slot) sums. Pass 2
// turns f' into dV/ds_i = f'_i · w_i · factor[slot_i] in place. Nothing
// transcendental is evaluated twice.
//
// Rows go to "slots": a group index, or label·n_groups + group when both
// label subsets are needed at once (equalized odds); rows outside the subset
// go to a dump slot whose factor is 0.
//
// Fixed-order sums: row i adds into lane i mod 4 of its slot (four interleaved
// tables, so consecutive rows of one group do not serialise on one memory
// cell), and the lanes combine as (l0 + l1) + (l2 + l3); a group's overall sum
// adds groups in index order. The order depends on neither the SIMD width nor
// the compiler; unweighted counts are exact integers.
//
// The row loops are written once and compiled twice, for baseline x86-64 and
// with a function-level AVX2 target chosen at run time (as the confusion
// kernels do); every element gets the same IEEE operations either way.
#pragma once

#include <bit>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/objectives/group_mean_penalty.hpp>
#include <fairgate/objectives/penalty_inputs.hpp>

// Row pointers never alias (labels are u8, which C++ lets alias anything, so
// without this the compiler would guard every vector loop with overlap tests).
#define FAIRGATE_OBJECTIVES_RESTRICT __restrict

#if FAIRGATE_SIMD_ENABLED && defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define FAIRGATE_OBJECTIVES_HAVE_AVX2 1
#define FAIRGATE_OBJECTIVES_AVX2 __attribute__((target("avx2")))
#else
#define FAIRGATE_OBJECTIVES_HAVE_AVX2 0
#define FAIRGATE_OBJECTIVES_AVX2
#endif

FAIRGATE_BEGIN_NAMESPACE

namespace objectives {

namespace detail {

enum class slot_mode : std::uint8_t {
  all,        // slot = group
  positives,  // slot = group for y = 1, dump for y = 0
  negatives,  // slot = group for y = 0, dump for y = 1
  by_label,   // slot = y · n_groups + group
};

inline constexpr std::size_t kernel_lanes = 4;
inline constexpr std::size_t kernel_block = 512;  // rows per block (a multiple of the lanes)

// Number of slots, the dump slot included.
inline std::size_t slot_count(slot_mode m, std::uint32_t n_groups) noexcept {
  return (m == slot_mode::by_label ? 2u * std::size_t{n_groups} : std::size_t{n_groups}) + 1;
}

template <slot_mode M>
inline std::uint32_t slot_of(std::uint32_t n_groups, std::uint32_t y, std::uint32_t g) noexcept {
  if constexpr (M == slot_mode::all) return g;
  if constexpr (M == slot_mode::positives) return y ? g : n_groups;
  if constexpr (M == slot_mode::negatives) return y ? n_groups : g;
  if constexpr (M == slot_mode::by_label) return y * n_groups + g;
  return g;
}

// Calls body(std::integral_constant<slot_mode, m>{}) so the mode is a
// compile-time constant inside the row loops.
template <class Body>
decltype(auto) with_slot_mode(slot_mode m, Body&& body) {
  switch (m) {
    case slot_mode::positives:
      return body(std::integral_constant<slot_mode, slot_mode::positives>{});
    case slot_mode::negatives:
      return body(std::integral_constant<slot_mode, slot_mode::negatives>{});
    case slot_mode::by_label:
      return body(std::integral_constant<slot_mode, slot_mode::by_label>{});
    case slot_mode::all:
      break;
  }
  return body(std::integral_constant<slot_mode, slot_mode::all>{});
}

// Non-zero iff x is ±inf or NaN (exponent field all ones): integer ops only,
// so it vectorises.
inline std::uint32_t not_finite(double x) noexcept {
  return static_cast<std::uint32_t>(((std::bit_cast<std::uint64_t>(x) >> 52) & 0x7ffu) == 0x7ffu);
}

// Non-zero iff a row's label is not 0/1 or its group code is not below
// n_groups (both kernels' row checks; integer ops, so the loops vectorise).
template <class Group>
inline std::uint32_t label_or_group_bad(std::uint8_t y, Group g, std::uint32_t n_groups) noexcept {
  return static_cast<std::uint32_t>(y > 1) |
         static_cast<std::uint32_t>(static_cast<std::uint32_t>(g) >= n_groups);
}

// Non-zero iff a weight is not finite or is negative (−0 is allowed).
inline std::uint32_t weight_bad(double w) noexcept {
  const std::int64_t b = std::bit_cast<std::int64_t>(w);
  return not_finite(w) | static_cast<std::uint32_t>((b < 0) & ((b & 0x7fffffffffffffff) != 0));
}

// The vectorisable part of pass 1 for one block: checks, then f and f'.
// Returns non-zero if any row of the block is invalid.
#define FAIRGATE_OBJECTIVES_ROW_BLOCK_BODY                                            \
  std::uint32_t bad = 0;                                                              \
  for (std::size_t k = 0; k < m; ++k) {                                               \
    const double x = static_cast<double>(s[k]);                                       \
    bad |= not_finite(x) | label_or_group_bad(y[k], g[k], n_groups);                 \
    if constexpr (Weighted) bad |= weight_bad(static_cast<double>(w[k]));            \
    const auto pt = f(x, static_cast<double>(y[k]));                                  \
    v[k] = pt.value;                                                                  \
    d[k] = pt.slope;                                                                  \
  }                                                                                   \
  return bad;

template <bool Weighted, class Score, class Group, class RowFn>
inline std::uint32_t row_block_generic(const Score* FAIRGATE_OBJECTIVES_RESTRICT s,
                                       const std::uint8_t* FAIRGATE_OBJECTIVES_RESTRICT y,
                                       const Group* FAIRGATE_OBJECTIVES_RESTRICT g,
                                       const Score* FAIRGATE_OBJECTIVES_RESTRICT w, std::size_t m,
                                       std::uint32_t n_groups, const RowFn& f,
                                       double* FAIRGATE_OBJECTIVES_RESTRICT v,
                                       double* FAIRGATE_OBJECTIVES_RESTRICT d) noexcept {
  FAIRGATE_OBJECTIVES_ROW_BLOCK_BODY
}

#if FAIRGATE_OBJECTIVES_HAVE_AVX2
template <bool Weighted, class Score, class Group, class RowFn>
FAIRGATE_OBJECTIVES_AVX2 inline std::uint32_t row_block_avx2(
    const Score* FAIRGATE_OBJECTIVES_RESTRICT s, const std::uint8_t* FAIRGATE_OBJECTIVES_RESTRICT y,
    const Group* FAIRGATE_OBJECTIVES_RESTRICT g, const Score* FAIRGATE_OBJECTIVES_RESTRICT w,
    std::size_t m, std::uint32_t n_groups, const RowFn& f, double* FAIRGATE_OBJECTIVES_RESTRICT v,
    double* FAIRGATE_OBJECTIVES_RESTRICT d) noexcept {
  FAIRGATE_OBJECTIVES_ROW_BLOCK_BODY
}
#endif
#undef FAIRGATE_OBJECTIVES_ROW_BLOCK_BODY

inline bool use_avx2() noexcept {
#if FAIRGATE_OBJECTIVES_HAVE_AVX2
  static const bool has = __builtin_cpu_supports("avx2");
  return has;
#else
  return false;
#endif
}

// Per-slot sums of pass 1, lanes already combined.
struct slot_sums {
  std::vector<double> num;     // Σ w f per slot
  std::vector<double> weight;  // Σ w per slot (exact counts when unweighted)
};

template <bool Weighted, slot_mode Mode, class Score, class Group, class RowFn>
slot_sums fused_pass1_impl(const penalty_inputs<Score, Group>& in, std::span<const Group> groups,
                           const RowFn& f, std::span<double> deriv) {
  constexpr slot_mode mode = Mode;
  const std::size_t n = in.scores.size();
  const std::uint32_t G = in.n_groups;
  const std::size_t S = slot_count(mode, G);
  // Lane l, slot j: acc[2 (l S + j)] = Σ w f, acc[2 (l S + j) + 1] = Σ w (both
  // in one cache line; unweighted "weights" of 1.0 sum exactly up to 2^53).
  std::vector<double> acc(2 * kernel_lanes * S, 0.0);
  alignas(64) double v[kernel_block];
  const bool avx2 = use_avx2();
  for (std::size_t b = 0; b < n; b += kernel_block) {
    const std::size_t m = n - b < kernel_block ? n - b : kernel_block;
    const Score* s = in.scores.data() + b;
    const std::uint8_t* y = in.labels.data() + b;
    const Group* g = groups.data() + b;
    const Score* w = Weighted ? in.weights.data() + b : nullptr;
    double* d = deriv.data() + b;
#if FAIRGATE_OBJECTIVES_HAVE_AVX2
    const std::uint32_t bad = avx2 ? row_block_avx2<Weighted>(s, y, g, w, m, G, f, v, d)
                                   : row_block_generic<Weighted>(s, y, g, w, m, G, f, v, d);
#else
    (void)avx2;
    const std::uint32_t bad = row_block_generic<Weighted>(s, y, g, w, m, G, f, v, d);
#endif
    if (bad != 0) [[unlikely]] {
      validate(in, deriv.size());  // throws, naming the first bad row
      throw error(errc::internal, "penalty kernel: a row failed the fused check only");
    }
    // Scatter into lane (b + k) mod 4 = k mod 4 (blocks are multiples of 4).
    for (std::size_t k = 0; k < m; ++k) {
      double* cell = acc.data() + 2 * ((k % kernel_lanes) * S +
                                       slot_of<Mode>(G, y[k], static_cast<std::uint32_t>(g[k])));
      if constexpr (Weighted) {
        const double wk = static_cast<double>(w[k]);
        cell[0] += wk * v[k];
        cell[1] += wk;
      } else {
        cell[0] += v[k];
        cell[1] += 1.0;
      }
    }
  }
  slot_sums out;
  out.num.resize(S);
  out.weight.resize(S);
  const auto at = [&](std::size_t lane, std::size_t j, std::size_t part) {
    return acc[2 * (lane * S + j) + part];
  };
  for (std::size_t j = 0; j < S; ++j) {
    out.num[j] = (at(0, j, 0) + at(1, j, 0)) + (at(2, j, 0) + at(3, j, 0));
    out.weight[j] = (at(0, j, 1) + at(1, j, 1)) + (at(2, j, 1) + at(3, j, 1));
  }
  return out;
}

// Pass 1 over every row: validates, writes f' into `deriv` (n entries), and
// returns the per-slot sums. `RowFn(double s, double y)` returns {value, slope}
// and must be branch-free for the loop to vectorise.
template <class Score, class Group, class RowFn>
slot_sums fused_pass1(const penalty_inputs<Score, Group>& in, slot_mode mode, const RowFn& f,
                      std::span<double> deriv) {
  return with_slot_mode(mode, [&](auto m) {
    if (in.weights.empty()) return fused_pass1_impl<false, m.value>(in, in.groups, f, deriv);
    return fused_pass1_impl<true, m.value>(in, in.groups, f, deriv);
  });
}

// The group means of one subset, read from slots [first, first + n_groups).
inline group_means means_from_slots(const slot_sums& s, std::size_t first, std::uint32_t n_groups) {
  group_means m;
  m.mean.assign(n_groups, 0.0);
  m.weight.assign(n_groups, 0.0);
  m.defined.assign(n_groups, 0);
  double num_all = 0.0;
  for (std::uint32_t g = 0; g < n_groups; ++g) {
    const double num = s.num[first + g];
    const double den = s.weight[first + g];
    m.weight[g] = den;
    num_all += num;
    m.overall_weight += den;
    if (den > 0.0) {
      m.mean[g] = num / den;
      m.defined[g] = 1;
    }
  }
  m.overall = m.overall_weight > 0.0 ? num_all / m.overall_weight : 0.0;
  return m;
}

// out[i] = d[i] · w_i · factor[slot_i]; `io` is both d and out when the
// gradient is f64 (in place), else d is a f64 scratch and out the caller's.
#define FAIRGATE_OBJECTIVES_PASS2_BODY                                                         \
  for (std::size_t i = 0; i < n; ++i) {                                                        \
    const double fi = factor[slot_of<Mode>(n_groups, y[i], static_cast<std::uint32_t>(g[i]))]; \
    const double di = InPlace ? io[i] : d[i];                                                  \
    double r;                                                                                  \
    if constexpr (Weighted) {                                                                  \
      r = di * static_cast<double>(w[i]) * fi;                                                 \
    } else {                                                                                   \
      r = di * fi;                                                                             \
    }                                                                                          \
    if constexpr (InPlace) {                                                                   \
      io[i] = r;                                                                               \
    } else {                                                                                   \
      out[i] = static_cast<Grad>(r);                                                           \
    }                                                                                          \
  }

template <bool Weighted, bool InPlace, slot_mode Mode, class Score, class Group, class Grad>
inline void pass2_generic(const std::uint8_t* FAIRGATE_OBJECTIVES_RESTRICT y,
                          const Group* FAIRGATE_OBJECTIVES_RESTRICT g,
                          const Score* FAIRGATE_OBJECTIVES_RESTRICT w,
                          const double* FAIRGATE_OBJECTIVES_RESTRICT d,
                          double* FAIRGATE_OBJECTIVES_RESTRICT io,
                          const double* FAIRGATE_OBJECTIVES_RESTRICT factor, std::uint32_t n_groups,
                          std::size_t n, Grad* FAIRGATE_OBJECTIVES_RESTRICT out) noexcept {
  FAIRGATE_OBJECTIVES_PASS2_BODY
}
#if FAIRGATE_OBJECTIVES_HAVE_AVX2
template <bool Weighted, bool InPlace, slot_mode Mode, class Score, class Group, class Grad>
FAIRGATE_OBJECTIVES_AVX2 inline void pass2_avx2(
    const std::uint8_t* FAIRGATE_OBJECTIVES_RESTRICT y, const Group* FAIRGATE_OBJECTIVES_RESTRICT g,
    const Score* FAIRGATE_OBJECTIVES_RESTRICT w, const double* FAIRGATE_OBJECTIVES_RESTRICT d,
    double* FAIRGATE_OBJECTIVES_RESTRICT io, const double* FAIRGATE_OBJECTIVES_RESTRICT factor,
    std::uint32_t n_groups, std::size_t n, Grad* FAIRGATE_OBJECTIVES_RESTRICT out) noexcept {
  FAIRGATE_OBJECTIVES_PASS2_BODY
}
#endif
#undef FAIRGATE_OBJECTIVES_PASS2_BODY

// Pass 2: out[i] = f'_i · w_i · factor[slot_i], reading f' from `deriv`. When
// Grad is double, `deriv` must be `out` itself (the gradient is rewritten in
// place); otherwise `deriv` is a separate f64 buffer.
template <class Score, class Group, class Grad>
void fused_pass2(const penalty_inputs<Score, Group>& in, slot_mode mode,
                 std::span<const double> factor, std::span<double> deriv, std::span<Grad> out) {
  const std::size_t n = in.scores.size();
  const auto* y = in.labels.data();
  const auto* g = in.groups.data();
  const Score* w = in.weights.empty() ? nullptr : in.weights.data();
  constexpr bool in_place = std::is_same_v<Grad, double>;
  double* io = in_place ? deriv.data() : nullptr;
  const double* d = in_place ? nullptr : deriv.data();
  Grad* o = in_place ? nullptr : out.data();
  const double* fac = factor.data();
  const std::uint32_t G = in.n_groups;
  with_slot_mode(mode, [&](auto m) {
    constexpr slot_mode M = m.value;
#if FAIRGATE_OBJECTIVES_HAVE_AVX2
    if (use_avx2()) {
      if (w)
        pass2_avx2<true, in_place, M>(y, g, w, d, io, fac, G, n, o);
      else
        pass2_avx2<false, in_place, M>(y, g, w, d, io, fac, G, n, o);
      return;
    }
#endif
    if (w)
      pass2_generic<true, in_place, M>(y, g, w, d, io, fac, G, n, o);
    else
      pass2_generic<false, in_place, M>(y, g, w, d, io, fac, G, n, o);
  });
}

}  // namespace detail

}  // namespace objectives

FAIRGATE_END_NAMESPACE
