// fairgate/uncertainty/proportion_tests.hpp: is a rate different between two groups?
//
//   auto z = fairgate::uncertainty::two_proportion_z_test(40, 100, 25, 100);
//   auto f = fairgate::uncertainty::fisher_exact(8, 2, 1, 5);   // table [[8,2],[1,5]]
//   auto t = fairgate::uncertainty::compare_groups_z(counts[0], counts[1], rate::tpr);
//   bool differs = f.p_value < 0.05;
//
// Two classical tests of H0: p1 = p2 for two independent groups.
// - two_proportion_z_test: the pooled z-test (large samples), as statsmodels'
//   proportions_ztest(count, nobs, value=0) with its default pooled variance.
// - fisher_exact: the exact conditional test on the 2x2 table (small counts),
//   as scipy.stats.fisher_exact, including its two-sided rule.
// Both are pure functions of the counts and deterministic (special functions
// from math/special.hpp, fixed summation order).
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

// The alternative hypothesis, in the direction of group 1 versus group 2
// (for Fisher: of the table's odds ratio vs 1, scipy's convention).
//   two_sided: p1 != p2      less: p1 < p2      greater: p1 > p2
// statsmodels calls these 'two-sided', 'smaller', 'larger'.
enum class alternative : std::uint8_t { two_sided, less, greater };

struct z_test_result {
  double z = std::numeric_limits<double>::quiet_NaN();
  double p_value = std::numeric_limits<double>::quiet_NaN();
  double p1 = std::numeric_limits<double>::quiet_NaN();      // x1 / n1
  double p2 = std::numeric_limits<double>::quiet_NaN();      // x2 / n2
  double pooled = std::numeric_limits<double>::quiet_NaN();  // (x1 + x2) / (n1 + n2)
  bool defined = false;
};

// Pooled two-proportion z-test:
//   p = (x1 + x2)/(n1 + n2),  z = (x1/n1 - x2/n2) / sqrt(p (1 - p) (1/n1 + 1/n2))
//   two_sided: 2 Q(|z|)   greater: Q(z)   less: Phi(z)     (Q = 1 - Phi)
// Undefined (defined = false, z and p_value NaN): n1 = 0 or n2 = 0, or a
// pooled rate of exactly 0 or 1 (zero variance: both groups all-failure or
// all-success; statsmodels then returns nan/inf). x > n throws.
inline z_test_result two_proportion_z_test(std::uint64_t x1, std::uint64_t n1, std::uint64_t x2,
                                           std::uint64_t n2,
                                           alternative alt = alternative::two_sided) {
  require(x1 <= n1 && x2 <= n2, errc::invalid_argument, [&] {
    return "two_proportion_z_test: successes exceed trials (x1 = " + std::to_string(x1) +
           ", n1 = " + std::to_string(n1) + ", x2 = " + std::to_string(x2) +
           ", n2 = " + std::to_string(n2) + ")";
  });
  z_test_result r;
  if (n1 == 0 || n2 == 0) return r;
  const double dn1 = static_cast<double>(n1);
  const double dn2 = static_cast<double>(n2);
  r.p1 = static_cast<double>(x1) / dn1;
  r.p2 = static_cast<double>(x2) / dn2;
  r.pooled = static_cast<double>(x1 + x2) / (dn1 + dn2);
  if (x1 + x2 == 0 || x1 + x2 == n1 + n2) return r;
  // statsmodels' order of operations: nobs_fact = sum(1/nobs).
  const double var = r.pooled * (1.0 - r.pooled) * (1.0 / dn1 + 1.0 / dn2);
  r.z = (r.p1 - r.p2) / std::sqrt(var);
  switch (alt) {
    case alternative::two_sided:
      r.p_value = 2.0 * math::normal_sf(std::fabs(r.z));
      break;
    case alternative::greater:
      r.p_value = math::normal_sf(r.z);
      break;
    case alternative::less:
      r.p_value = math::normal_cdf(r.z);
      break;
  }
  r.defined = true;
  return r;
}

struct fisher_result {
  double odds_ratio = std::numeric_limits<double>::quiet_NaN();  // (a d) / (b c)
  double p_value = 1.0;
};

// Fisher's exact test on the 2x2 table [[a, b], [c, d]] (rows: groups 1 and
// 2; columns: successes and failures, e.g. a = x1, b = n1 - x1). Conditional
// on the margins, a ~ Hypergeometric(N = a+b+c+d, K = a+b, n = a+c).
//   less:      P(X <= a)          greater: P(X >= a)
//   two_sided: sum of P(X = x) over the x with P(X = x) <= P(X = a) (1 + 1e-14),
//              exactly scipy.stats.fisher_exact's rule: if P(X = a) is within
//              1e-14 (relative) of the mode's probability the p-value is 1;
//              otherwise all x in a's tail, plus the x on the other side of
//              the mode whose probability is <= P(X = a) (1 + 1e-14).
// odds_ratio as scipy: a d / (b c), +inf when b = 0 or c = 0, NaN (and p = 1)
// when a row or a column of the table sums to 0.
//
// Method: the pmf is computed relative to the mode by the exact ratio
// recurrence P(x+1)/P(x) = (K-x)(n-x) / ((x+1)(N-K-n+x+1)), each ratio one
// correctly rounded quotient of exact integer products (exact for counts
// below 2^26), walking out from the mode until the terms underflow; the
// p-value is (sum of the selected terms) / (sum of all terms), so no
// factorial is ever formed. Cost O(sd of X) per call, typically a few dozen
// steps for small tables.
inline fisher_result fisher_exact(std::uint64_t a, std::uint64_t b, std::uint64_t c,
                                  std::uint64_t d, alternative alt = alternative::two_sided) {
  fisher_result r;
  const std::uint64_t n1 = a + b;    // row 1 total (K)
  const std::uint64_t n2 = c + d;    // row 2 total
  const std::uint64_t col1 = a + c;  // draws (n)
  const std::uint64_t col2 = b + d;
  require(n1 <= (std::uint64_t{1} << 52) && n2 <= (std::uint64_t{1} << 52), errc::invalid_argument,
          "fisher_exact: counts must be below 2^52");
  if (n1 == 0 || n2 == 0 || col1 == 0 || col2 == 0) return r;  // NaN odds ratio, p = 1
  if (c > 0 && b > 0) {
    r.odds_ratio = (static_cast<double>(a) * static_cast<double>(d)) /
                   (static_cast<double>(c) * static_cast<double>(b));
  } else {
    r.odds_ratio = std::numeric_limits<double>::infinity();
  }
  const std::uint64_t N = n1 + n2;
  const std::uint64_t K = n1;
  const std::uint64_t n = col1;
  const std::uint64_t lo = n > N - K ? n - (N - K) : 0;  // support of X
  const std::uint64_t hi = K < n ? K : n;
  // The mode formula scipy uses: floor((n + 1)(K + 1) / (N + 2)), clamped.
  std::uint64_t mode =
      static_cast<std::uint64_t>((static_cast<double>(n) + 1.0) * (static_cast<double>(K) + 1.0) /
                                 (static_cast<double>(N) + 2.0));
  if (mode < lo) mode = lo;
  if (mode > hi) mode = hi;
  const double dK = static_cast<double>(K);
  const double dn = static_cast<double>(n);
  const double dNKn1 = static_cast<double>(N - K) - dn + 1.0;  // N - K - n + 1 (may be <= 0)
  // up(x) = P(x+1)/P(x);  P(x-1)/P(x) = 1/up(x-1).
  const auto up = [&](std::uint64_t x) {
    const double dx = static_cast<double>(x);
    return ((dK - dx) * (dn - dx)) / ((dx + 1.0) * (dNKn1 + dx));
  };
  // The observed table's weight relative to the mode (0 if it underflows).
  double w_obs = 1.0;
  if (a < mode) {
    for (std::uint64_t x = mode; x > a && w_obs != 0.0; --x) w_obs /= up(x - 1);
  } else {
    for (std::uint64_t x = mode; x < a && w_obs != 0.0; ++x) w_obs *= up(x);
  }
  // Sum of the terms with x in [from, to], walking from the mode outwards.
  const auto tail_sum = [&](std::uint64_t from, std::uint64_t to) {
    double s = 0.0;
    double w = 1.0;
    if (from <= mode && mode <= to) s += 1.0;
    for (std::uint64_t x = mode; x > lo;) {
      w /= up(x - 1);
      --x;
      if (w == 0.0 || x < from) break;
      if (x <= to) s += w;
    }
    w = 1.0;
    for (std::uint64_t x = mode; x < hi;) {
      w *= up(x);
      ++x;
      if (w == 0.0 || x > to) break;
      if (x >= from) s += w;
    }
    return s;
  };
  const double total = tail_sum(lo, hi);
  double selected = 0.0;
  switch (alt) {
    case alternative::less:
      selected = tail_sum(lo, a);
      break;
    case alternative::greater:
      selected = tail_sum(a, hi);
      break;
    case alternative::two_sided: {
      constexpr double epsilon = 1e-14;
      constexpr double gamma = 1.0 + epsilon;
      // scipy: |pexact - pmode| / max(pexact, pmode) <= epsilon  ->  p = 1.
      if (std::fabs(1.0 - w_obs) / (w_obs > 1.0 ? w_obs : 1.0) <= epsilon) {
        r.p_value = 1.0;
        return r;
      }
      const double limit = w_obs * gamma;
      if (a < mode) {
        selected = tail_sum(lo, a);
        double w = 1.0;  // the other side: x > mode with weight <= limit
        for (std::uint64_t x = mode; x < hi;) {
          w *= up(x);
          ++x;
          if (w == 0.0) break;
          if (w <= limit) selected += w;
        }
      } else {
        selected = tail_sum(a, hi);
        double w = 1.0;  // the other side: x < mode with weight <= limit
        for (std::uint64_t x = mode; x > lo;) {
          w /= up(x - 1);
          --x;
          if (w == 0.0) break;
          if (w <= limit) selected += w;
        }
      }
      break;
    }
  }
  const double p = selected / total;
  r.p_value = p < 1.0 ? p : 1.0;
  return r;
}

// The same tests on one rate of two groups' confusion counts: x_i / n_i are
// the rate's numerator / denominator in group i (proportion.hpp); Fisher's
// table is [[x1, n1 - x1], [x2, n2 - x2]].
inline z_test_result compare_groups_z(const metrics::confusion_counts& g1,
                                      const metrics::confusion_counts& g2, rate r,
                                      alternative alt = alternative::two_sided) {
  const proportion a = as_proportion(g1, r);
  const proportion b = as_proportion(g2, r);
  return two_proportion_z_test(a.successes, a.trials, b.successes, b.trials, alt);
}

inline fisher_result compare_groups_fisher(const metrics::confusion_counts& g1,
                                           const metrics::confusion_counts& g2, rate r,
                                           alternative alt = alternative::two_sided) {
  const proportion a = as_proportion(g1, r);
  const proportion b = as_proportion(g2, r);
  return fisher_exact(a.successes, a.trials - a.successes, b.successes, b.trials - b.successes,
                      alt);
}

}  // namespace uncertainty

FAIRGATE_END_NAMESPACE
