// fairgate/monitor/sequential.hpp: the statistics behind the monitor's alarms, as pure functions.
//
//   double a_k = fairgate::monitor::spent_alpha(0.05, k);       // level of look k = 1, 2, ...
//   auto t = fairgate::monitor::two_proportion_z(p1, n1, p2, n2);  // t.z, t.p_value
//   auto d = fairgate::monitor::newcombe_difference(w1, w2);       // CI of p1 - p2 from two Wilson
//   CIs
//
// ALPHA SPENDING OVER AN OPEN-ENDED SEQUENCE OF POLLS. A deployed monitor is
// polled an unknown number of times, so the classical group-sequential
// boundaries (Pocock 1977; O'Brien & Fleming 1979; Lan & DeMets 1983 spending
// functions) that need the maximum number of looks K, or the information
// fraction t = n_k / n_max, do not apply. We spend alpha over looks
// k = 1, 2, ... with the p-series
//   alpha_k = alpha * 6 / (pi^2 k^2),     sum_k alpha_k = alpha,
// and test look k at level alpha_k. By the union bound the probability of ANY
// false alarm over the whole (infinite) sequence of polls is <= alpha, for any
// dependence between looks (windows overlap, labels arrive late). It is
// conservative (the looks are positively correlated), and its boundary
// grows like sqrt(2 ln k), slower than a Bonferroni over a fixed horizon.
// CUSUM (Page 1954) was the alternative: it detects small persistent shifts
// sooner, but needs the shift size and a threshold tuned by simulation for a
// target average run length, and does not give a stated false-alarm
// probability; a fairness gate is judged by a stated error rate, so we chose
// the spending sequence.
//
// TWO-PROPORTION z TEST (pooled; e.g. Agresti, Categorical Data Analysis,
// 3rd ed., sec. 3.1; statsmodels' test_proportions_2indep(method="score")
// without its correction is the same statistic):
//   p = (p1 n1 + p2 n2) / (n1 + n2),  z = (p1 - p2) / sqrt(p (1 - p) (1/n1 + 1/n2))
//   two-sided p-value = 2 Q(|z|), Q the normal survival function
// n1 and n2 may be effective (Kish) sizes of weighted samples. p (1 - p) = 0
// (both samples all successes or all failures) gives z = 0 and p-value 1.
//
// NEWCOMBE'S HYBRID SCORE INTERVAL for p1 - p2 (R. G. Newcombe, "Interval
// estimation for the difference between independent proportions", Stat.
// Med. 17 (1998) 873-890, method 10), from the two Wilson intervals
// [l1, u1], [l2, u2] at the same confidence:
//   lower = d - sqrt((p1 - l1)^2 + (u2 - p2)^2)
//   upper = d + sqrt((u1 - p1)^2 + (p2 - l2)^2),   d = p1 - p2
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/math/special.hpp>
#include <fairgate/uncertainty/wilson.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace monitor {

// 6 / pi^2 = 1 / zeta(2) = 0.60792710185402662866..., to double precision.
inline constexpr double six_over_pi_squared = 0.6079271018540267;

// Level of look k (k >= 1) when `alpha` is spent over an open-ended sequence.
[[nodiscard]] inline double spent_alpha(double alpha, std::uint64_t k) {
  require(alpha > 0.0 && alpha < 1.0, errc::invalid_argument,
          [&] { return "spent_alpha: alpha = " + std::to_string(alpha) + ": must be in (0, 1)"; });
  require(k >= 1, errc::invalid_argument, "spent_alpha: looks are numbered from 1");
  const double kk = static_cast<double>(k);
  return alpha * six_over_pi_squared / (kk * kk);
}

struct z_test {
  double z = std::numeric_limits<double>::quiet_NaN();
  double p_value = std::numeric_limits<double>::quiet_NaN();
  bool defined = false;  // false when n1 or n2 is 0
};

// Pooled two-proportion z test (see top comment). p1, p2 in [0, 1], n1, n2 >= 0.
[[nodiscard]] inline z_test two_proportion_z(double p1, double n1, double p2, double n2) {
  require(p1 >= 0.0 && p1 <= 1.0 && p2 >= 0.0 && p2 <= 1.0, errc::invalid_argument, [&] {
    return "two_proportion_z: proportions must be in [0, 1] (p1 = " + std::to_string(p1) +
           ", p2 = " + std::to_string(p2) + ")";
  });
  require(n1 >= 0.0 && n2 >= 0.0 && std::isfinite(n1) && std::isfinite(n2), errc::invalid_argument,
          "two_proportion_z: sample sizes must be finite and >= 0");
  z_test t;
  if (n1 == 0.0 || n2 == 0.0) return t;
  t.defined = true;
  const double p = (p1 * n1 + p2 * n2) / (n1 + n2);
  const double var = p * (1.0 - p) * (1.0 / n1 + 1.0 / n2);
  if (!(var > 0.0)) {
    t.z = 0.0;
    t.p_value = 1.0;
    return t;
  }
  t.z = (p1 - p2) / std::sqrt(var);
  const double two_sided = 2.0 * math::normal_sf(std::fabs(t.z));
  t.p_value = two_sided > 1.0 ? 1.0 : two_sided;
  return t;
}

// Newcombe's hybrid score interval of a.estimate - b.estimate (see top).
// Undefined (NaN, defined = false) when either interval is undefined.
[[nodiscard]] inline uncertainty::interval newcombe_difference(
    const uncertainty::interval& a, const uncertainty::interval& b) noexcept {
  uncertainty::interval out;
  if (!a.defined || !b.defined) return out;
  const double d = a.estimate - b.estimate;
  const double la = a.estimate - a.lower, ua = a.upper - a.estimate;
  const double lb = b.estimate - b.lower, ub = b.upper - b.estimate;
  out.estimate = d;
  out.lower = d - std::sqrt(la * la + ub * ub);
  out.upper = d + std::sqrt(ua * ua + lb * lb);
  out.defined = true;
  out.low_support = a.low_support || b.low_support;
  return out;
}

}  // namespace monitor

FAIRGATE_END_NAMESPACE
