// fairgate/metrics/detail/score_inputs.hpp: validation of the row inputs of
// the score-based metrics (scores, labels, group codes, optional weights).
//
// Every score kernel (probabilistic.hpp, calibration.hpp, roc.hpp,
// threshold_sweep.hpp, inequality.hpp) checks its input here, so all of them
// reject bad rows the same way and name the row at fault:
//   length mismatch            -> errc::length_mismatch "labels has 9 rows but scores has 10"
//   NaN score                  -> errc::invalid_value   "scores[17] = nan: scores must not be NaN"
//   score outside [0,1] (probability kernels only)
//                              -> errc::out_of_range    "scores[3] = 1.5: probabilities must lie in
//                              [0, 1]"
//   label outside {0,1}        -> errc::out_of_range    "labels[17] = 2: labels must be 0 or 1"
//   group code >= n_groups     -> errc::out_of_range    "groups[5] = 9: group codes must be <
//   n_groups = 8" negative / NaN / inf weight-> errc::invalid_value   "weights[3] = -1: weights
//   must be finite and >= 0"
// The fast path ORs per-row failure flags over a block (vectorisable) and only
// rescans a block to build the message when a flag is set, so validation costs
// one extra read of data that is already in L1.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <span>
#include <string>
#include <type_traits>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace metrics::detail {

template <class S>
concept score_type = std::is_same_v<S, float> || std::is_same_v<S, double>;
template <class L>
concept label_type = std::is_same_v<L, std::uint8_t> || std::is_same_v<L, std::int32_t> ||
    std::is_same_v<L, std::int64_t> || std::is_same_v<L, bool>;
template <class G>
concept code_type = std::is_same_v<G, std::uint8_t> || std::is_same_v<G, std::uint16_t> ||
    std::is_same_v<G, std::uint32_t>;
template <class W>
concept weight_type = std::is_same_v<W, float> || std::is_same_v<W, double>;

// Rows per validation block: small enough that a validated block is still in
// L1 when the kernel reads it again.
inline constexpr std::size_t validate_block = 2048;

inline std::string fmt_double(double v) {
  if (v != v) return "nan";
  // The shortest of %.15g..%.17g that reads back as v ("0.4", not "0.40000000000000002").
  char buf[40];
  int n = 0;
  for (int prec = 15; prec <= 17; ++prec) {
    n = std::snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return std::string(buf, buf + (n > 0 ? n : 0));
}

inline void require_same_length(std::size_t n, std::size_t m, const char* name, const char* ref) {
  require(n == m, errc::length_mismatch, [&] {
    return std::string(name) + " has " + std::to_string(n) + " rows but " + ref + " has " +
           std::to_string(m);
  });
}

template <class L>
constexpr bool label_bad(L y) noexcept {
  if constexpr (std::is_same_v<L, bool>) {
    return false;
  } else {
    // Negative labels wrap to huge unsigned values, so one compare catches both.
    return static_cast<std::uint64_t>(y) > 1u;
  }
}

// What a kernel requires of its scores.
enum class score_domain : std::uint8_t {
  any = 0,          // any non-NaN value (+-inf allowed): ranking kernels
  probability = 1,  // [0, 1]: log-loss, Brier, calibration
};

// Fast scans: one simple loop per column (each vectorises on its own type);
// they only say whether some row of the block is bad.
template <class S>
bool any_bad_score(const S* s, std::size_t n, score_domain dom) noexcept {
  // Integer OR reductions (not bool) so that the loops vectorise.
  unsigned bad = 0;
  if (dom == score_domain::probability) {
    for (std::size_t i = 0; i < n; ++i)
      bad |= static_cast<unsigned>(!((s[i] >= S(0)) & (s[i] <= S(1))));
  } else {
    for (std::size_t i = 0; i < n; ++i) bad |= static_cast<unsigned>(s[i] != s[i]);
  }
  return bad != 0;
}
template <class L>
bool any_bad_label(const L* y, std::size_t n) noexcept {
  if constexpr (std::is_same_v<L, bool>) {
    return false;
  } else {
    // Negative labels become large unsigned values: bits above bit 0 are set.
    using U = std::make_unsigned_t<L>;
    U bad = 0;
    for (std::size_t i = 0; i < n; ++i) bad |= static_cast<U>(static_cast<U>(y[i]) >> 1);
    return bad != 0;
  }
}
template <class G>
bool any_bad_code(const G* g, std::size_t n, std::size_t n_groups) noexcept {
  if (n_groups > static_cast<std::size_t>(std::numeric_limits<G>::max())) return false;
  G mx = 0;
  for (std::size_t i = 0; i < n; ++i) mx = g[i] > mx ? g[i] : mx;
  return n > 0 && static_cast<std::size_t>(mx) >= n_groups;
}
template <class W>
bool any_bad_weight(const W* w, std::size_t n) noexcept {
  unsigned bad = 0;
  for (std::size_t i = 0; i < n; ++i) {
    bad |= static_cast<unsigned>(!((w[i] >= W(0)) & (w[i] <= std::numeric_limits<W>::max())));
  }
  return bad != 0;
}

// Validates rows [begin, end). Throws with the first bad row's index.
template <class S, class L, class G, class W>
void validate_rows(std::span<const S> scores, std::span<const L> labels, std::span<const G> groups,
                   std::size_t n_groups, std::span<const W> weights, score_domain dom,
                   std::size_t begin, std::size_t end) {
  const bool weighted = !weights.empty();
  const bool prob = dom == score_domain::probability;
  const std::size_t len = end - begin;
  bool bad = any_bad_score(scores.data() + begin, len, dom);
  bad |= any_bad_label(labels.data() + begin, len);
  bad |= any_bad_code(groups.data() + begin, len, n_groups);
  if (weighted) bad |= any_bad_weight(weights.data() + begin, len);
  if (!bad) [[likely]]
    return;
  for (std::size_t i = begin; i < end; ++i) {
    const double s = static_cast<double>(scores[i]);
    require(s == s, errc::invalid_value,
            [&] { return "scores[" + std::to_string(i) + "] = nan: scores must not be NaN"; });
    if (prob) {
      require(s >= 0.0 && s <= 1.0, errc::out_of_range, [&] {
        return "scores[" + std::to_string(i) + "] = " + fmt_double(s) +
               ": probabilities must lie in [0, 1]";
      });
    }
    require(!label_bad(labels[i]), errc::out_of_range, [&] {
      return "labels[" + std::to_string(i) +
             "] = " + std::to_string(static_cast<long long>(labels[i])) + ": labels must be 0 or 1";
    });
    require(static_cast<std::size_t>(groups[i]) < n_groups, errc::out_of_range, [&] {
      return "groups[" + std::to_string(i) +
             "] = " + std::to_string(static_cast<unsigned long long>(groups[i])) +
             ": group codes must be < n_groups = " + std::to_string(n_groups);
    });
    if (weighted) {
      const double w = static_cast<double>(weights[i]);
      require(w >= 0.0 && w <= 1.7976931348623157e308, errc::invalid_value, [&] {
        return "weights[" + std::to_string(i) + "] = " + fmt_double(w) +
               ": weights must be finite and >= 0";
      });
    }
  }
}

// Checks lengths and n_groups, then every row.
template <class S, class L, class G, class W>
void validate_inputs(std::span<const S> scores, std::span<const L> labels,
                     std::span<const G> groups, std::size_t n_groups, std::span<const W> weights,
                     score_domain dom) {
  require(n_groups >= 1, errc::invalid_argument, "n_groups must be >= 1");
  require_same_length(labels.size(), scores.size(), "labels", "scores");
  require_same_length(groups.size(), scores.size(), "groups", "scores");
  if (!weights.empty()) require_same_length(weights.size(), scores.size(), "weights", "scores");
  validate_rows(scores, labels, groups, n_groups, weights, dom, 0, scores.size());
}

}  // namespace metrics::detail

FAIRGATE_END_NAMESPACE
