// Pearson's chi-square statistic and fixed critical values for the RNG tests.
// Every test uses a fixed seed, so it is deterministic: a threshold at the
// 0.999 quantile means a correct generator fails a given test for one seed
// in a thousand, and the seeds below were not chosen to pass.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>

namespace fairgate_test {

// 0.999 quantiles of the chi-square distribution for df = 1..60, from
// scipy.stats.chi2.ppf(0.999, df) (scipy 1.10); df = 1..30 agree with the
// printed table in Abramowitz & Stegun 26.8 / NIST e-Handbook 1.3.6.7.4
// (e.g. df 1: 10.828, df 10: 29.588, df 30: 59.703).
inline constexpr double chi2_999[61] = {
    0,       10.8276, 13.8155, 16.2662, 18.4668, 20.5150, 22.4577, 24.3219, 26.1245,
    27.8772, 29.5883, 31.2641, 32.9095, 34.5282, 36.1233, 37.6973, 39.2524, 40.7902,
    42.3124, 43.8202, 45.3147, 46.7970, 48.2679, 49.7282, 51.1786, 52.6197, 54.0520,
    55.4760, 56.8923, 58.3012, 59.7031, 61.0983, 62.4872, 63.8701, 65.2472, 66.6188,
    67.9852, 69.3465, 70.7029, 72.0547, 73.4020, 74.7449, 76.0838, 77.4186, 78.7495,
    80.0767, 81.4003, 82.7204, 84.0371, 85.3506, 86.6608, 87.9680, 89.2722, 90.5734,
    91.8718, 93.1675, 94.4605, 95.7510, 97.0388, 98.3242, 99.6072};
// scipy.stats.chi2.ppf(0.999, 99) and (0.999, 495).
inline constexpr double chi2_999_df99 = 148.2304;
inline constexpr double chi2_999_df495 = 597.9563;

inline double chi2_critical(std::size_t df) {
  if (df >= 1 && df <= 60) return chi2_999[df];
  if (df == 99) return chi2_999_df99;
  if (df == 495) return chi2_999_df495;
  throw std::logic_error("no tabulated chi-square quantile for this df");
}

// sum (observed - expected)^2 / expected; expected[i] = total * p[i].
inline double chi2_statistic(std::span<const std::uint64_t> observed,
                             std::span<const double> expected) {
  double stat = 0.0;
  for (std::size_t i = 0; i < observed.size(); ++i) {
    const double d = static_cast<double>(observed[i]) - expected[i];
    stat += d * d / expected[i];
  }
  return stat;
}

}  // namespace fairgate_test
