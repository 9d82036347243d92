// fairgate/rng/discrete.hpp: Bernoulli and Poisson draws, bit-exact everywhere.
//
//   fairgate::rng::stream s(seed, fairgate::rng::purposes::bootstrap, replicate);
//   std::uint32_t w = fairgate::rng::poisson1(s);          // a bootstrap weight
//   std::uint64_t c = fairgate::rng::poisson(s, 1234.0);   // a whole cell's count
//
// Bernoulli and Poisson(1) are pure integer comparisons against documented
// thresholds. poisson(lambda) uses only + - * / sqrt floor and
// fairgate::math::exp/log/log1p, so it returns the same integers on every
// target (compiled with -ffp-contract=off, as fairgate::core enforces).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/math/deterministic.hpp>
#include <fairgate/rng/sampler_tables.hpp>
#include <fairgate/rng/stream.hpp>
#include <fairgate/rng/uniform.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace rng {

// true with probability ceil(p * 2^53) / 2^53, i.e. exactly p when p is a
// multiple of 2^-53 (every double in [2^-53, 1] rounded up to that grid).
// Draws one 64-bit value x (2 words) and returns (x >> 11) < ceil(p * 2^53),
// which equals uniform_double(s) < p. p = 0 is never true, p = 1 always.
// p outside [0, 1] or NaN throws errc::invalid_argument. The draw is made
// even when p is 0 or 1, so the stream position never depends on p.
inline bool bernoulli(stream& s, double p) {
  require(p >= 0.0 && p <= 1.0, errc::invalid_argument,
          [&] { return "bernoulli: p = " + std::to_string(p) + " is not in [0, 1]"; });
  // p * 2^53 is exact (scaling by a power of two); ceil is exact.
  const auto threshold = static_cast<std::uint64_t>(std::ceil(p * 0x1p53));
  return (s.next_u64() >> 11) < threshold;
}

// Poisson(1) by integer inversion: draws one 64-bit value x (2 words) and
// returns the smallest k with x < T[k], where T[k] = round(2^64 P(X <= k))
// (tables::poisson1_threshold, k = 0..19; generated and checked by
// scripts/gen-rng-tables and tests/rng/check_tables.py). So
// P(k) = (T[k] - T[k-1]) / 2^64, within 2^-64 of e^-1 / k!, and the largest
// value returned is 20. This is the per-row weight of the Poisson bootstrap.
inline std::uint32_t poisson1(stream& s) noexcept {
  const std::uint64_t x = s.next_u64();
  const auto& t = tables::poisson1_threshold;
  // Branch-free count over the first 6 thresholds (P(X >= 6) = 0.0006): the
  // thresholds increase, so the count of T[k] <= x is the answer when x < T[5].
  std::uint32_t k = static_cast<std::uint32_t>(x >= t[0]) + static_cast<std::uint32_t>(x >= t[1]) +
                    static_cast<std::uint32_t>(x >= t[2]) + static_cast<std::uint32_t>(x >= t[3]) +
                    static_cast<std::uint32_t>(x >= t[4]) + static_cast<std::uint32_t>(x >= t[5]);
  while (k < std::size(t) && x >= t[k]) [[unlikely]]++ k;
  return k;
}

namespace detail {

inline constexpr double half_log_2pi = 0x1.d67f1c864beb5p-1;  // 0.5 log(2 pi)

// log(k!) from the table for k < 128, else from Stirling's series for
// log Gamma(n), n = k + 1 >= 129 (Abramowitz & Stegun 6.1.41; the first
// omitted term, 1/(1680 n^7), is below 1e-18).
inline double stirling_correction(double n) noexcept {
  const double r = 1.0 / n;
  const double r2 = r * r;
  return r * (1.0 / 12.0 - r2 * (1.0 / 360.0 - r2 * (1.0 / 1260.0)));
}

// log P(X = k) for X ~ Poisson(lambda). For k >= 128 the terms are
// regrouped so that nothing of size lambda cancels: with n = k + 1 and
// d = (lambda - n) / n,
//   log p = k (log1p(d) - d) - d - log(n)/2 - log(2 pi)/2 - stirling_correction(n),
// which is algebraically k log(lambda) - lambda - log(k!) with Stirling's log(k!).
inline double poisson_log_pmf(double k, double lambda, double log_lambda) noexcept {
  if (k < static_cast<double>(std::size(tables::log_factorial))) {
    return k * log_lambda - lambda - tables::log_factorial[static_cast<std::size_t>(k)];
  }
  const double n = k + 1.0;
  const double d = (lambda - n) / n;
  return k * (math::log1p(d) - d) - d - 0.5 * math::log(n) - half_log_2pi - stirling_correction(n);
}

// Inversion by sequential search (Devroye 1986, X.3.3) for lambda < 10: one
// uniform u, return the first k whose rounded CDF exceeds u. If the rounded
// CDF stalls below u (a chance under 1e-15), the draw is discarded and
// repeated, so the result is still a well-defined function of the stream.
inline std::uint64_t poisson_inversion(stream& s, double lambda) noexcept {
  const double p0 = math::exp(-lambda);
  for (;;) {
    const double u = uniform_double(s);
    double p = p0;
    double cdf = p0;
    std::uint64_t k = 0;
    while (u >= cdf && k < 256) {
      ++k;
      p = p * lambda / static_cast<double>(k);
      cdf += p;
    }
    if (u < cdf) return k;
  }
}

// PTRS, the transformed rejection with squeeze of W. Hörmann, "The
// transformed rejection method for generating Poisson random variables",
// Insurance: Mathematics and Economics 12 (1993) 39-45, for lambda >= 10.
// Constants as in the paper (and numpy's random_poisson_ptrs). Each round
// consumes two uniform_double draws (4 words).
inline std::uint64_t poisson_ptrs(stream& s, double lambda) noexcept {
  const double slam = std::sqrt(lambda);  // correctly rounded (IEEE 754)
  const double log_lambda = math::log(lambda);
  const double b = 0.931 + 2.53 * slam;
  const double a = -0.059 + 0.02483 * b;
  const double log_inv_alpha = math::log(1.1239 + 1.1328 / (b - 3.4));
  const double vr = 0.9277 - 3.6224 / (b - 2.0);
  for (;;) {
    const double u = uniform_double(s) - 0.5;
    const double v = uniform_double(s);
    const double us = 0.5 - std::fabs(u);
    const double kd = std::floor((2.0 * a / us + b) * u + lambda + 0.43);
    // kd < 0 is rejected by the method; kd >= 2^53 has a probability far
    // below 2^-1000 for lambda <= 2^52 and is rejected so k stays exact.
    if (!(kd >= 0.0) || kd >= 0x1p53) continue;
    if (us >= 0.07 && v <= vr) return static_cast<std::uint64_t>(kd);
    if (us < 0.013 && v > us) continue;
    if (math::log(v) + log_inv_alpha - math::log(a / (us * us) + b) <=
        poisson_log_pmf(kd, lambda, log_lambda)) {
      return static_cast<std::uint64_t>(kd);
    }
  }
}

}  // namespace detail

// The largest lambda poisson() accepts: beyond 2^52 the counts near lambda
// are no longer all representable as doubles.
inline constexpr double poisson_max_lambda = 0x1p52;

// X ~ Poisson(lambda) for any 0 <= lambda <= 2^52, exact in distribution up
// to double rounding of the pmf (no truncation, no normal approximation):
//   lambda = 0      -> 0, consumes nothing;
//   0 < lambda < 10 -> inversion by sequential search, 2 words per attempt;
//   lambda >= 10    -> Hörmann's PTRS (1993), 4 words per round (about 1.1-1.3
//                      rounds on average).
// The sum of n independent Poisson(1) is Poisson(n): a bootstrap replicate of
// a cell of n rows draws poisson(s, n). NaN, negative or too large lambda
// throws errc::invalid_argument.
inline std::uint64_t poisson(stream& s, double lambda) {
  require(lambda >= 0.0 && lambda <= poisson_max_lambda, errc::invalid_argument,
          [&] { return "poisson: lambda = " + std::to_string(lambda) + " is not in [0, 2^52]"; });
  if (lambda == 0.0) return 0;
  if (lambda < 10.0) return detail::poisson_inversion(s, lambda);
  return detail::poisson_ptrs(s, lambda);
}

}  // namespace rng

FAIRGATE_END_NAMESPACE
