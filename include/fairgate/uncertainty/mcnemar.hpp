// fairgate/uncertainty/mcnemar.hpp: exact McNemar test of two models on the same rows.
//
//   auto r = fairgate::uncertainty::mcnemar_exact(/*b=*/1, /*c=*/6);   // p = 0.125
//   auto per_group = fairgate::uncertainty::mcnemar_by_group(paired_tables(in));
//
// Q. McNemar, "Note on the sampling error of the difference between correlated
// proportions or percentages", Psychometrika 12 (1947) 153-157, exact form:
// under H0 (both models equally accurate on this population) each of the
// b + c discordant rows is equally likely to favour either model, so
// min(b, c) ~ Binomial(b + c, 1/2) and
//   p = min(1, 2 P(X <= min(b, c))),  X ~ Bin(b + c, 1/2)
// exactly statsmodels' mcnemar(table, exact=True) (and, for p = 1/2,
// scipy.stats.binomtest(min(b,c), b+c).pvalue). b + c = 0 gives p = 1.
// b and c are defined in paired.hpp: b = baseline correct & candidate wrong,
// c = baseline wrong & candidate correct; concordant rows carry no
// information about the difference in accuracy.
#pragma once

#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/uncertainty/paired.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace uncertainty {

namespace detail {

// P(X <= k) for X ~ Bin(n, 1/2), k <= n / 2.
// pmf(k) = C(n,k) 2^-n is formed as a product of k exact-integer quotients
// with the binary exponent kept apart (frexp after each step), so neither
// C(n,k) nor 2^-n is ever formed; then the lower tail is summed relative to
// pmf(k) with pmf(i-1)/pmf(i) = i / (n - i + 1), from i = k down, stopping
// when the terms underflow. Relative error ~ k·1e-16 in the worst case.
inline double binomial_half_cdf(std::uint64_t k, std::uint64_t n) noexcept {
  if (k >= n) return 1.0;
  double mant = 1.0;
  long long exp2 = 0;
  for (std::uint64_t i = 1; i <= k; ++i) {
    mant *= static_cast<double>(n - k + i) / static_cast<double>(i);
    int e = 0;
    mant = std::frexp(mant, &e);
    exp2 += e;
  }
  double rel_sum = 1.0;
  double t = 1.0;
  for (std::uint64_t i = k; i > 0; --i) {
    t *= static_cast<double>(i) / static_cast<double>(n - i + 1);
    if (t == 0.0) break;
    rel_sum += t;
  }
  // pmf(k) * rel_sum = mant * rel_sum * 2^(exp2 - n); fold rel_sum into the mantissa.
  int e = 0;
  const double m = std::frexp(mant * rel_sum, &e);
  const long long total_exp = exp2 + e - static_cast<long long>(n);
  if (total_exp < -1100) return 0.0;
  return std::ldexp(m, static_cast<int>(total_exp));
}

}  // namespace detail

struct mcnemar_result {
  std::uint64_t b = 0;          // baseline correct, candidate wrong
  std::uint64_t c = 0;          // baseline wrong, candidate correct
  std::uint64_t statistic = 0;  // min(b, c), as statsmodels reports for exact=True
  double p_value = 1.0;
  bool low_support = false;  // the group's row count is below the requested minimum
};

inline mcnemar_result mcnemar_exact(std::uint64_t b, std::uint64_t c) {
  require(b <= (std::uint64_t{1} << 52) && c <= (std::uint64_t{1} << 52), errc::invalid_argument,
          "mcnemar_exact: counts must be below 2^52");
  mcnemar_result r;
  r.b = b;
  r.c = c;
  r.statistic = b < c ? b : c;
  const std::uint64_t n = b + c;
  if (n == 0) return r;
  const double p = 2.0 * detail::binomial_half_cdf(r.statistic, n);
  r.p_value = p < 1.0 ? p : 1.0;
  return r;
}

// McNemar per group on the joint tables; groups with fewer than min_support
// rows (all rows, not only discordant ones) are flagged.
inline std::vector<mcnemar_result> mcnemar_by_group(std::span<const paired_cells> tables,
                                                    std::uint64_t min_support = 0) {
  std::vector<mcnemar_result> out;
  out.reserve(tables.size());
  for (const paired_cells& t : tables) {
    mcnemar_result r = mcnemar_exact(t.baseline_only_correct(), t.candidate_only_correct());
    r.low_support = t.total() < min_support;
    out.push_back(r);
  }
  return out;
}

}  // namespace uncertainty

FAIRGATE_END_NAMESPACE
