// fairgate/monitor/drift.hpp: score-distribution shift between two binned histograms (PSI, KS).
//
//   double psi = fairgate::monitor::population_stability_index(expected_hist, actual_hist);
//   double ks  = fairgate::monitor::ks_statistic_binned(expected_hist, actual_hist);
//   double crit = fairgate::monitor::ks_critical_value(0.01, n_expected, n_actual);
//
// Both statistics compare the bin masses of a baseline ("expected") and a
// monitored ("actual") histogram over the SAME fixed bins. Histograms hold
// non-negative masses (counts, or decayed weights); each is normalised by its
// own total.
//
// PSI (population stability index; N. Siddiqi, Credit Risk Scorecards, 2006,
// ch. 8; the usual credit-scoring drift score):
//   PSI = sum_k (a_k - e_k) * ln(a_k / e_k),   a_k, e_k = bin proportions
// An empty bin would make a term infinite, so every proportion is floored at
// `epsilon` (default 1e-4, the floor used by most PSI implementations) before
// the formula; this is the only smoothing. Rule of thumb (Siddiqi): < 0.1 no
// shift, 0.1-0.25 moderate, > 0.25 significant. PSI >= 0, = 0 iff equal.
// ln is fairgate::math::log (deterministic, not libm).
//
// KS over bins: D = max_k |A_k - E_k| with A_k, E_k the cumulative proportions
// after bin k (the two-sample Kolmogorov-Smirnov statistic evaluated only at
// the bin edges; equals scipy.stats.ks_2samp's statistic when every sample
// value is a bin's representative point). Critical value at level alpha
// (asymptotic two-sample, Smirnov 1948; as in e.g. Wikipedia "KS test"):
//   D_crit = c(alpha) * sqrt((n + m) / (n m)),  c(alpha) = sqrt(-ln(alpha / 2) / 2)
// with n, m the (effective) sample sizes.
//
// Undefined: a histogram whose total is 0 gives NaN for both statistics.
// Errors: histograms of different lengths, empty histograms, or a negative /
// non-finite mass throw fairgate::error naming the bin.
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <string>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/math/deterministic.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace monitor {

namespace drift_detail {

template <class A, class B>
inline void check_histograms(std::span<const A> e, std::span<const B> a, const char* who) {
  require(!e.empty() && e.size() == a.size(), errc::length_mismatch, [&] {
    return std::string(who) + ": histograms must be non-empty and of equal length (" +
           std::to_string(e.size()) + " vs " + std::to_string(a.size()) + " bins)";
  });
  for (std::size_t k = 0; k < e.size(); ++k) {
    const double ek = static_cast<double>(e[k]), ak = static_cast<double>(a[k]);
    require(std::isfinite(ek) && ek >= 0.0 && std::isfinite(ak) && ak >= 0.0, errc::invalid_value,
            [&] {
              return std::string(who) + ": bin " + std::to_string(k) +
                     " has mass expected = " + std::to_string(ek) +
                     ", actual = " + std::to_string(ak) + ": masses must be finite and >= 0";
            });
  }
}

// Total in bin order (fixed order: deterministic).
template <class T>
inline double total(std::span<const T> h) noexcept {
  double t = 0.0;
  for (const T& x : h) t += static_cast<double>(x);
  return t;
}

}  // namespace drift_detail

// Population stability index of `actual` against `expected` (see top comment).
template <class E, class A>
[[nodiscard]] double population_stability_index(std::span<const E> expected,
                                                std::span<const A> actual, double epsilon = 1e-4) {
  drift_detail::check_histograms(expected, actual, "population_stability_index");
  require(epsilon > 0.0 && epsilon < 1.0, errc::invalid_argument,
          "population_stability_index: epsilon must be in (0, 1)");
  const double te = drift_detail::total(expected), ta = drift_detail::total(actual);
  if (te == 0.0 || ta == 0.0) return std::numeric_limits<double>::quiet_NaN();
  double psi = 0.0;
  for (std::size_t k = 0; k < expected.size(); ++k) {
    double e = static_cast<double>(expected[k]) / te;
    double a = static_cast<double>(actual[k]) / ta;
    if (e < epsilon) e = epsilon;
    if (a < epsilon) a = epsilon;
    psi += (a - e) * math::log(a / e);
  }
  return psi;
}

// Two-sample KS statistic over the bin edges (see top comment).
template <class E, class A>
[[nodiscard]] double ks_statistic_binned(std::span<const E> expected, std::span<const A> actual) {
  drift_detail::check_histograms(expected, actual, "ks_statistic_binned");
  const double te = drift_detail::total(expected), ta = drift_detail::total(actual);
  if (te == 0.0 || ta == 0.0) return std::numeric_limits<double>::quiet_NaN();
  double ce = 0.0, ca = 0.0, d = 0.0;
  for (std::size_t k = 0; k < expected.size(); ++k) {
    ce += static_cast<double>(expected[k]);
    ca += static_cast<double>(actual[k]);
    const double diff = std::fabs(ca / ta - ce / te);
    if (diff > d) d = diff;
  }
  return d;
}

// Asymptotic two-sample KS critical value at level alpha for sample sizes n
// and m (real-valued: effective sizes of decayed windows are allowed).
// n or m <= 0 gives +inf (nothing can be rejected).
[[nodiscard]] inline double ks_critical_value(double alpha, double n, double m) {
  require(alpha > 0.0 && alpha < 1.0, errc::invalid_argument, [&] {
    return "ks_critical_value: alpha = " + std::to_string(alpha) + ": must be in (0, 1)";
  });
  if (!(n > 0.0) || !(m > 0.0)) return std::numeric_limits<double>::infinity();
  const double c = std::sqrt(-math::log(alpha / 2.0) / 2.0);
  return c * std::sqrt((n + m) / (n * m));
}

}  // namespace monitor

FAIRGATE_END_NAMESPACE
