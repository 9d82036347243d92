// fairgate/metrics/score_bins.hpp: the score statistics a group_accumulator can carry:
// equal-width calibration bins and a fixed-bin score histogram per (group, label).
//
//   fairgate::metrics::group_accumulator acc(8, {.calibration_bins = 10, .histogram_bins = 100});
//   fairgate::metrics::accumulate(acc, inputs);   // binary inputs with scores
//   auto cal = fairgate::metrics::calibration(acc);   // accumulator_scores.hpp
//
// Both are configured when the accumulator is created and are optional (0
// bins = not kept). Their edges are fixed in advance, so a row's bin depends
// on that row alone: bins from shards merge exactly into the bins of the
// union (equal-mass bins, whose edges are quantiles of all the scores, can
// not; see calibration.hpp and docs/metrics.md).
//
// Calibration bins (n = calibration_bins), sklearn.calibration.calibration_curve
// strategy='uniform' and fairgate's calibration(..., binning::uniform):
//   edges e_i = numpy.linspace(0, 1, n + 1)[i] = i * (1/n) for i < n, e_n = 1;
//   a score p in [0, 1] goes to bin #{e_1..e_{n-1} < p}
//   (numpy.searchsorted(edges[1:-1], p, 'left')): bin 0 = [e_0, e_1], bin i > 0 = (e_i, e_{i+1}].
//   Per bin: row count, count of label-1 rows, and exact sums (exact_sum.hpp)
//   of w (weight), w p (sum_p) and w y (sum_y); rows without weights count
//   with w = 1. Scores outside [0, 1] are an error when calibration bins are kept.
//
// Score histogram (n = histogram_bins over [histogram_min, histogram_max] = [lo, hi]):
//   edges h_i = numpy.linspace(lo, hi, n + 1)[i] = i * ((hi - lo) / n) + lo for i < n, h_n = hi;
//   a score s goes to bin #{h_1..h_{n-1} <= s}: bin k = [h_k, h_{k+1}), the
//   last bin closed; scores below lo count in bin 0 and above hi (or
//   infinite) in bin n - 1. That is numpy.histogram(numpy.clip(s, lo, hi), n, (lo, hi)).
//   Per (group, label 0/1, bin): row count and the exact sum of weights.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/metrics/exact_sum.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace metrics {

// Which score statistics an accumulator keeps (fixed at creation).
struct score_statistics_options {
  std::uint32_t calibration_bins = 0;  // equal-width bins on [0, 1]; 0 = none
  std::uint32_t histogram_bins = 0;    // histogram bins per (group, label); 0 = none
  double histogram_min = 0.0;          // lo
  double histogram_max = 1.0;          // hi

  [[nodiscard]] bool any() const noexcept { return calibration_bins > 0 || histogram_bins > 0; }
  friend bool operator==(const score_statistics_options&,
                         const score_statistics_options&) = default;
};

// Upper limit on either bin count (keeps a corrupt or careless configuration
// from allocating gigabytes; 65536 bins is far finer than any score needs).
inline constexpr std::uint32_t max_score_bins = 1u << 16;

// One calibration bin of one group. Unweighted, weight and sum_y are the
// exact counterparts of count and positives; an accumulator keeps them
// explicitly only once weighted rows arrive (see group_accumulator).
struct calibration_bin_sums {
  std::uint64_t count = 0;
  std::uint64_t positives = 0;  // rows with y = 1
  exact_sum weight;             // sum of w
  exact_sum sum_p;              // sum of w * p
  exact_sum sum_y;              // sum of w over rows with y = 1

  calibration_bin_sums& operator+=(const calibration_bin_sums& o) {
    count += o.count;
    positives += o.positives;
    weight += o.weight;
    sum_p += o.sum_p;
    sum_y += o.sum_y;
    return *this;
  }
  friend bool operator==(const calibration_bin_sums&, const calibration_bin_sums&) = default;
};

// numpy.linspace(lo, hi, n + 1)[i] (numpy 1.24: arange * step + start, last = stop).
inline double linspace_edge(double lo, double hi, std::size_t i, std::size_t n) noexcept {
  if (i == n) return hi;
  const double step = (hi - lo) / static_cast<double>(n);
  return static_cast<double>(i) * step + lo;
}

inline std::vector<double> linspace_edges(double lo, double hi, std::size_t n) {
  std::vector<double> e(n + 1);
  for (std::size_t i = 0; i <= n; ++i) e[i] = linspace_edge(lo, hi, i, n);
  return e;
}

// Throws invalid_argument naming the problem if the options are unusable.
inline void validate(const score_statistics_options& o) {
  require(o.calibration_bins <= max_score_bins && o.histogram_bins <= max_score_bins,
          errc::invalid_argument, [&] {
            return "score statistics: " + std::to_string(o.calibration_bins) +
                   " calibration bins / " + std::to_string(o.histogram_bins) +
                   " histogram bins; at most " + std::to_string(max_score_bins) + " each";
          });
  if (o.histogram_bins > 0) {
    const double step = (o.histogram_max - o.histogram_min) / static_cast<double>(o.histogram_bins);
    require(std::isfinite(o.histogram_min) && std::isfinite(o.histogram_max) &&
                o.histogram_min < o.histogram_max && std::isfinite(step) && step > 0.0,
            errc::invalid_argument, [&] {
              return "score histogram range [" + std::to_string(o.histogram_min) + ", " +
                     std::to_string(o.histogram_max) +
                     "] must be finite with min < max and a positive, finite bin width";
            });
  }
}

namespace detail {

// #{inner[j] < p}: sklearn's bin (searchsorted side='left').
inline std::size_t count_below(const double* inner, std::size_t n_inner, double p) noexcept {
  if (n_inner <= 32) {
    std::size_t b = 0;
    for (std::size_t j = 0; j < n_inner; ++j) b += inner[j] < p ? 1u : 0u;
    return b;
  }
  return static_cast<std::size_t>(std::lower_bound(inner, inner + n_inner, p) - inner);
}

// #{inner[j] <= s}: numpy.histogram's bin (half-open [h_k, h_{k+1})).
inline std::size_t count_at_or_below(const double* inner, std::size_t n_inner, double s) noexcept {
  if (n_inner <= 32) {
    std::size_t b = 0;
    for (std::size_t j = 0; j < n_inner; ++j) b += inner[j] <= s ? 1u : 0u;
    return b;
  }
  return static_cast<std::size_t>(std::upper_bound(inner, inner + n_inner, s) - inner);
}

// The histogram bin of s over edges[0..n] (n >= 1): #{edges[1..n-1] <= s}.
// An arithmetic guess, floor((s - lo) * (n / (hi - lo))), is corrected by
// comparisons with the edges until edges[k] <= s < edges[k+1] (ends clamped),
// so the result is exactly the edge rule whatever the rounding of the guess
// (numpy.histogram corrects its guess the same way); the guess only saves the
// binary search's unpredictable branches.
inline std::size_t histogram_bin(const double* edges, std::size_t n, double inv_width,
                                 double s) noexcept {
  const double t = (s - edges[0]) * inv_width;
  std::size_t k = 0;
  if (t >= static_cast<double>(n)) {
    k = n - 1;
  } else if (t > 0.0) {
    k = static_cast<std::size_t>(t);
  }
  while (k > 0 && s < edges[k]) --k;
  while (k + 1 < n && s >= edges[k + 1]) ++k;
  return k;
}

}  // namespace detail

}  // namespace metrics

FAIRGATE_END_NAMESPACE
