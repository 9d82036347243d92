// fairgate/uncertainty/percentile.hpp: sample quantiles exactly as numpy computes them.
//
//   std::vector<double> v = {3, 1, 2, 4};
//   double q = fairgate::uncertainty::quantile(v, 0.25);   // 1.75 == np.quantile(v, 0.25)
//
// Bootstrap percentile intervals are quantiles of the replicate values. The
// definition is numpy's default, method="linear" (Hyndman & Fan 1996 type 7,
// also R's default), with numpy 1.24's exact floating-point steps so results
// match np.quantile / np.percentile bit for bit:
//   h = (m - 1) q,  i = floor(h),  g = h - i
//   i >= m - 1  ->  x[m-1]
//   else        ->  lerp(x[i], x[i+1], g), where lerp(a, b, g) = a + (b - a) g
//                   for g < 1/2 and b - (b - a)(1 - g) for g >= 1/2
// over the sorted values x[0..m-1]. np.percentile(x, P) is np.quantile(x, P/100).
// (When x[i] = x[i+1] the value is returned as is, even if infinite, where
// numpy's lerp would produce NaN from inf - inf.)
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace uncertainty {

// Quantile q in [0, 1] of values already sorted ascending (no NaN).
// Empty input throws errc::empty_input; q outside [0, 1] throws.
inline double quantile_sorted(std::span<const double> sorted, double q) {
  require(!sorted.empty(), errc::empty_input, "quantile: no values");
  require(q >= 0.0 && q <= 1.0, errc::invalid_argument,
          [&] { return "quantile: q = " + std::to_string(q) + ": must be in [0, 1]"; });
  const std::size_t m = sorted.size();
  const double h = static_cast<double>(m - 1) * q;
  if (h >= static_cast<double>(m - 1)) return sorted[m - 1];
  const double fl = std::floor(h);
  const auto i = static_cast<std::size_t>(fl);
  const double g = h - fl;
  const double a = sorted[i];
  const double b = sorted[i + 1];
  if (a == b) return a;
  const double diff = b - a;
  return g >= 0.5 ? b - diff * (1.0 - g) : a + diff * g;
}

// Quantile of unsorted values (copied and sorted). A NaN value throws
// errc::invalid_value naming its index.
inline double quantile(std::span<const double> values, double q) {
  std::vector<double> v(values.begin(), values.end());
  for (std::size_t i = 0; i < v.size(); ++i) {
    require(!std::isnan(v[i]), errc::invalid_value,
            [&] { return "quantile: values[" + std::to_string(i) + "] is NaN"; });
  }
  std::sort(v.begin(), v.end());
  return quantile_sorted(v, q);
}

}  // namespace uncertainty

FAIRGATE_END_NAMESPACE
