// fairgate/uncertainty/binomial_sampler.hpp: deterministic Binomial and Multinomial draws.
//
//   fairgate::rng::stream s(seed, fairgate::uncertainty::bootstrap_purposes::stratified, b);
//   std::uint64_t x = fairgate::uncertainty::binomial(s, 1000, 0.3);
//   std::array<std::uint64_t, 4> cells = {tp, fp, tn, fn}, draw{};
//   fairgate::uncertainty::multinomial_counts(s, n, cells, draw);  // draw sums to n
//
// The stratified bootstrap keeps every group's size: a replicate of a group of
// n rows is a Multinomial(n, observed cell proportions) draw, i.e. exactly the
// cell counts of n rows drawn with replacement from the group. This header
// draws it in O(cells · sd) work, independent of n's size in rows.
//
// Binomial(n, p) by inversion (Devroye 1986, "Non-Uniform Random Variate
// Generation", X.4): one uniform u (rng::uniform_double, 2 words) and a
// search that subtracts pmf values until u falls in one:
//   - n p < 10: from k = 0 upwards (pmf(0) = exp(n log1p(-p)));
//   - otherwise: from the mode m = floor((n+1) p) outwards, alternating
//     m, m-1, m+1, m-2, m+2, ... (Kemp's search from the mode), so the
//     expected work is O(sqrt(n p (1-p))).
// Ratios pmf(k+1)/pmf(k) = (n-k) p / ((k+1)(1-p)) are exact rationals up to
// rounding. pmf(m) = exp(log C(n,m) + m log p + (n-m) log1p(-p)) uses the
// deterministic math::log_binomial / exp / log, so the sampler is exact in
// distribution up to double rounding of the pmf (relative error about
// n log n · 1e-16, e.g. 2e-9 at n = 10^6) and bit-identical on every target.
// If rounding leaves u unaccounted for (probability ~1e-15), the draw is
// repeated with the next uniform, so the result is still a function of the
// stream. p > 1/2 draws n - Binomial(n, 1 - p) (1 - p is exact there, by
// Sterbenz's lemma).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/math/deterministic.hpp>
#include <fairgate/math/special.hpp>
#include <fairgate/rng/stream.hpp>
#include <fairgate/rng/uniform.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace uncertainty {

namespace detail {

inline std::uint64_t binomial_small_mean(rng::stream& s, std::uint64_t n, double p) noexcept {
  const double r = p / (1.0 - p);
  const double f0 = math::exp(static_cast<double>(n) * math::log1p(-p));
  for (;;) {
    double u = rng::uniform_double(s);
    double f = f0;
    std::uint64_t k = 0;
    for (;;) {
      if (u < f) return k;
      u -= f;
      if (k == n) break;
      ++k;
      f *= (static_cast<double>(n - k + 1) / static_cast<double>(k)) * r;
      if (f == 0.0) break;
    }
  }
}

inline std::uint64_t binomial_from_mode(rng::stream& s, std::uint64_t n, double p) noexcept {
  const double q = 1.0 - p;
  const double dn = static_cast<double>(n);
  auto m = static_cast<std::uint64_t>(std::floor((dn + 1.0) * p));
  if (m > n) m = n;
  const double dm = static_cast<double>(m);
  const double fm =
      math::exp(math::log_binomial(n, m) + dm * math::log(p) + (dn - dm) * math::log1p(-p));
  for (;;) {
    double u = rng::uniform_double(s);
    if (u < fm) return m;
    u -= fm;
    double f_lo = fm;
    double f_hi = fm;
    std::uint64_t lo = m;
    std::uint64_t hi = m;
    bool lo_done = (m == 0);
    bool hi_done = (m == n);
    while (!(lo_done && hi_done)) {
      if (!lo_done) {
        // pmf(lo-1) = pmf(lo) * lo q / ((n - lo + 1) p)
        f_lo *= (static_cast<double>(lo) * q) / (static_cast<double>(n - lo + 1) * p);
        --lo;
        if (u < f_lo) return lo;
        u -= f_lo;
        lo_done = (lo == 0) || f_lo == 0.0;
      }
      if (!hi_done) {
        // pmf(hi+1) = pmf(hi) * (n - hi) p / ((hi + 1) q)
        f_hi *= (static_cast<double>(n - hi) * p) / (static_cast<double>(hi + 1) * q);
        ++hi;
        if (u < f_hi) return hi;
        u -= f_hi;
        hi_done = (hi == n) || f_hi == 0.0;
      }
    }
  }
}

}  // namespace detail

// X ~ Binomial(n, p). p outside [0, 1] or NaN, or n > 2^52, throws
// errc::invalid_argument. n = 0, p = 0 or p = 1 consume nothing.
inline std::uint64_t binomial(rng::stream& s, std::uint64_t n, double p) {
  require(p >= 0.0 && p <= 1.0, errc::invalid_argument,
          [&] { return "binomial: p = " + std::to_string(p) + " is not in [0, 1]"; });
  require(n <= (std::uint64_t{1} << 52), errc::invalid_argument, "binomial: n must be <= 2^52");
  if (n == 0 || p == 0.0) return 0;
  if (p == 1.0) return n;
  if (p > 0.5) return n - binomial(s, n, 1.0 - p);
  if (static_cast<double>(n) * p < 10.0) return detail::binomial_small_mean(s, n, p);
  return detail::binomial_from_mode(s, n, p);
}

// Multinomial(n, weights / sum(weights)) by sequential conditional binomials:
//   out[j] ~ Binomial(n - out[0..j-1], weights[j] / (weights[j..k-1] sum)),
// the last non-zero cell taking the remainder. Integer weights (cell counts)
// make every conditional probability one correctly rounded quotient. Cells
// with weight 0 get 0 and consume nothing. sum(weights) = 0 with n > 0 throws.
inline void multinomial_counts(rng::stream& s, std::uint64_t n,
                               std::span<const std::uint64_t> weights,
                               std::span<std::uint64_t> out) {
  require(out.size() == weights.size(), errc::length_mismatch,
          "multinomial_counts: out and weights differ in length");
  std::uint64_t rest_w = 0;
  for (std::uint64_t w : weights) rest_w += w;
  require(rest_w > 0 || n == 0, errc::invalid_argument,
          "multinomial_counts: all weights are 0 but n > 0");
  std::uint64_t rest_n = n;
  for (std::size_t j = 0; j < weights.size(); ++j) {
    const std::uint64_t w = weights[j];
    std::uint64_t x = 0;
    if (w == 0 || rest_n == 0) {
      x = 0;
    } else if (w == rest_w) {
      x = rest_n;
    } else {
      x = binomial(s, rest_n, static_cast<double>(w) / static_cast<double>(rest_w));
    }
    out[j] = x;
    rest_n -= x;
    rest_w -= w;
  }
}

}  // namespace uncertainty

FAIRGATE_END_NAMESPACE
