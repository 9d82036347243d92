// fairgate/uncertainty/wilson.hpp: Wilson score intervals for binomial proportions (rates).
//
//   auto ci = fairgate::uncertainty::wilson_interval(8, 10);          // 95%
//   // ci.lower = 0.4901..., ci.upper = 0.9433..., ci.estimate = 0.8
//   auto tpr = fairgate::uncertainty::wilson_interval(counts, fairgate::uncertainty::rate::tpr);
//
// E. B. Wilson, "Probable inference, the law of succession, and statistical
// inference", JASA 22 (1927) 209-212. With p = x/n and z = Phi^-1(1 - alpha/2),
// alpha = 1 - confidence:
//   center = (p + z^2/(2n)) / (1 + z^2/n)
//   half   = z sqrt(p(1-p)/n + z^2/(4n^2)) / (1 + z^2/n)
//   [lower, upper] = [center - half, center + half]
// evaluated in the same order as statsmodels' proportion_confint(method=
// "wilson"), then clipped to [0, 1] (lower is exactly 0 when x = 0 and upper
// exactly 1 when x = n; rounding could otherwise leave 1e-17 outside).
//
// Continuity correction (optional): R. G. Newcombe, "Two-sided confidence
// intervals for the single proportion", Stat. Med. 17 (1998) 857-872, method 4:
//   lower = (2np + z^2 - 1 - z sqrt(z^2 - 2 - 1/n + 4p(n(1-p) + 1))) / (2(n + z^2))
//   upper = (2np + z^2 + 1 + z sqrt(z^2 + 2 - 1/n + 4p(n(1-p) - 1))) / (2(n + z^2))
// with lower = 0 when p = 0 and upper = 1 when p = 1 (as R's prop.test).
//
// Weighted rates: the Wilson formula with n replaced by Kish's effective
// sample size n_eff = (sum w)^2 / sum w^2 (L. Kish, Survey Sampling, 1965)
// and p = (weight of successes) / (sum w). With all weights equal this is
// exactly the unweighted interval. It is an approximation (it treats the
// weights as fixed design weights); use the bootstrap when that matters.
//
// Undefined: trials = 0 (or total weight 0) gives NaN estimate and ends with
// defined = false; nothing is made up. Groups whose trials (n_eff for the
// weighted version) are below options.min_support have low_support = true.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/math/special.hpp>
#include <fairgate/metrics/confusion.hpp>
#include <fairgate/uncertainty/proportion.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace uncertainty {

// A two-sided interval around an estimate.
struct interval {
  double estimate = std::numeric_limits<double>::quiet_NaN();
  double lower = std::numeric_limits<double>::quiet_NaN();
  double upper = std::numeric_limits<double>::quiet_NaN();
  bool defined = false;      // false: no data (n = 0), all three numbers are NaN
  bool low_support = false;  // the sample size is below the requested minimum support
};

struct wilson_options {
  double confidence = 0.95;            // in (0, 1)
  bool continuity_correction = false;  // Newcombe (1998) method 4
  double min_support = 0.0;            // flag intervals with n (or n_eff) below this
};

namespace detail {

inline void check_confidence(double c, const char* who) {
  require(c > 0.0 && c < 1.0, errc::invalid_argument, [&] {
    return std::string(who) + ": confidence = " + std::to_string(c) + ": must be in (0, 1)";
  });
}

// z = Phi^-1(1 - alpha/2) with alpha = 1 - confidence, as -Phi^-1(alpha/2)
// (statsmodels' norm.isf(alpha / 2)); the small tail keeps full precision.
inline double two_sided_z(double confidence) noexcept {
  const double alpha = 1.0 - confidence;
  return -math::normal_quantile(alpha / 2.0);
}

// Wilson on a real-valued n (n > 0) and p in [0, 1].
inline interval wilson_core(double p, double n, double z, bool cc) noexcept {
  interval out;
  out.estimate = p;
  out.defined = true;
  const double z2 = z * z;
  if (!cc) {
    const double denom = 1.0 + z2 / n;
    const double center = (p + z2 / (2.0 * n)) / denom;
    double dist = z * std::sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n));
    dist /= denom;
    out.lower = center - dist;
    out.upper = center + dist;
  } else {
    const double two_np = 2.0 * n * p;
    const double den = 2.0 * (n + z2);
    const double lo_rad = z2 - 2.0 - 1.0 / n + 4.0 * p * (n * (1.0 - p) + 1.0);
    const double hi_rad = z2 + 2.0 - 1.0 / n + 4.0 * p * (n * (1.0 - p) - 1.0);
    out.lower = (two_np + z2 - 1.0 - z * std::sqrt(lo_rad > 0.0 ? lo_rad : 0.0)) / den;
    out.upper = (two_np + z2 + 1.0 + z * std::sqrt(hi_rad > 0.0 ? hi_rad : 0.0)) / den;
  }
  if (p == 0.0 || out.lower < 0.0) out.lower = 0.0;
  if (p == 1.0 || out.upper > 1.0) out.upper = 1.0;
  return out;
}

}  // namespace detail

// Wilson interval for successes out of trials. successes > trials throws
// errc::invalid_argument; trials = 0 returns an undefined interval.
inline interval wilson_interval(std::uint64_t successes, std::uint64_t trials,
                                const wilson_options& options = {}) {
  detail::check_confidence(options.confidence, "wilson_interval");
  require(successes <= trials, errc::invalid_argument, [&] {
    return "wilson_interval: successes = " + std::to_string(successes) +
           " > trials = " + std::to_string(trials);
  });
  interval out;
  if (trials == 0) {
    out.low_support = options.min_support > 0.0;
    return out;
  }
  const double n = static_cast<double>(trials);
  const double p = static_cast<double>(successes) / n;
  out = detail::wilson_core(p, n, detail::two_sided_z(options.confidence),
                            options.continuity_correction);
  out.low_support = n < options.min_support;
  return out;
}

// Wilson interval of one rate of one group (see proportion.hpp for the rates).
inline interval wilson_interval(const metrics::confusion_counts& counts, rate r,
                                const wilson_options& options = {}) {
  const auto pr = as_proportion(counts, r);
  return wilson_interval(pr.successes, pr.trials, options);
}

// Wilson interval of a metrics::metric (rates.hpp). Metrics that are not a
// single proportion (count, total_weight, balanced_accuracy, f1, regression)
// throw errc::unsupported: use the bootstrap for them.
inline interval wilson_interval(const metrics::confusion_counts& counts, metrics::metric m,
                                const wilson_options& options = {}) {
  const auto r = as_rate(m);
  require(r.has_value(), errc::unsupported, [&] {
    return "wilson_interval: " + std::string(metrics::metric_name(m)) +
           " is not a proportion of one denominator; use the bootstrap";
  });
  return wilson_interval(counts, *r, options);
}

// Weighted Wilson interval with Kish's effective sample size.
//   success_weight = sum of w over the rows counted as successes
//   total_weight   = sum of w over the rows in the denominator
//   total_weight_sq= sum of w^2 over the rows in the denominator
// Negative, NaN or infinite sums, success_weight > total_weight, or
// total_weight_sq = 0 with total_weight > 0 throw errc::invalid_argument. total_weight = 0 returns
// an undefined interval. The continuity correction is not defined for weighted data and is ignored
// (documented, not an error).
inline interval wilson_interval_weighted(double success_weight, double total_weight,
                                         double total_weight_sq,
                                         const wilson_options& options = {}) {
  detail::check_confidence(options.confidence, "wilson_interval_weighted");
  const auto finite_nonneg = [](double v) { return std::isfinite(v) && v >= 0.0; };
  require(finite_nonneg(success_weight) && finite_nonneg(total_weight) &&
              finite_nonneg(total_weight_sq),
          errc::invalid_argument, [&] {
            return "wilson_interval_weighted: sums must be finite and >= 0 (success_weight = " +
                   std::to_string(success_weight) +
                   ", total_weight = " + std::to_string(total_weight) +
                   ", total_weight_sq = " + std::to_string(total_weight_sq) + ")";
          });
  require(success_weight <= total_weight, errc::invalid_argument, [&] {
    return "wilson_interval_weighted: success_weight = " + std::to_string(success_weight) +
           " > total_weight = " + std::to_string(total_weight);
  });
  interval out;
  if (total_weight == 0.0) {
    out.low_support = options.min_support > 0.0;
    return out;
  }
  require(total_weight_sq > 0.0, errc::invalid_argument,
          "wilson_interval_weighted: total_weight > 0 but total_weight_sq = 0");
  const double n_eff = total_weight * total_weight / total_weight_sq;
  const double p = success_weight / total_weight;
  out = detail::wilson_core(p, n_eff, detail::two_sided_z(options.confidence), false);
  out.low_support = n_eff < options.min_support;
  return out;
}

}  // namespace uncertainty

FAIRGATE_END_NAMESPACE
