// fairgate/uncertainty/multiple_comparisons.hpp: Holm and Benjamini-Hochberg adjustments.
//
//   std::vector<double> p = {0.01, 0.04, 0.03, 0.005};
//   auto holm = fairgate::uncertainty::adjust(p, fairgate::uncertainty::adjustment::holm, 0.05);
//   // holm.adjusted[i] in input order; holm.reject[i] at alpha = 0.05
//
// When a gate tests every group (or every group x metric), some test fails
// by chance alone; these procedures control the family-wise error rate (Holm)
// or the false discovery rate (BH). Definitions, with p_(1) <= ... <= p_(m):
// - Holm (S. Holm, "A simple sequentially rejective multiple test procedure",
//   Scand. J. Statist. 6 (1979) 65-70):
//     adjusted_(i) = min(1, max_{j<=i} (m - j + 1) p_(j));
//     reject H_(1..k-1) where k is the first i with p_(i) > alpha / (m - i + 1).
// - Benjamini-Hochberg (JRSS B 57 (1995) 289-300):
//     adjusted_(i) = min(1, min_{j>=i} p_(j) m / j);
//     reject H_(1..k) where k is the largest i with p_(i) <= alpha i / m.
// These are statsmodels.stats.multitest.multipletests(method='holm' /
// 'fdr_bh'), with the same order of floating-point operations (Holm: p * (m-i);
// BH: p / (i/m)) and rejections decided on the raw p-values, as statsmodels does.
//
// Ties: the p-values are ordered by a STABLE sort (equal p-values keep their
// input order). The adjusted values of tied p-values are equal whatever their
// order, so this only fixes the internal order, documented for reproducibility.
// Undefined tests: NaN p-values (e.g. a group with no data) are left out of the
// family: m counts only the defined tests, their adjusted value is NaN and
// they are never rejected. A p-value outside [0, 1] throws.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace uncertainty {

enum class adjustment : std::uint8_t { holm, benjamini_hochberg };

struct adjusted_p_values {
  std::vector<double> adjusted;  // input order; NaN for undefined tests
  std::vector<bool> reject;      // input order
  std::size_t n_tests = 0;       // m: the number of defined (non-NaN) p-values
  std::size_t n_rejected = 0;
};

inline adjusted_p_values adjust(std::span<const double> p_values, adjustment method,
                                double alpha = 0.05) {
  require(alpha > 0.0 && alpha < 1.0, errc::invalid_argument,
          [&] { return "adjust: alpha = " + std::to_string(alpha) + ": must be in (0, 1)"; });
  adjusted_p_values out;
  out.adjusted.assign(p_values.size(), std::numeric_limits<double>::quiet_NaN());
  out.reject.assign(p_values.size(), false);
  std::vector<std::size_t> order;
  order.reserve(p_values.size());
  for (std::size_t i = 0; i < p_values.size(); ++i) {
    const double p = p_values[i];
    if (std::isnan(p)) continue;
    require(p >= 0.0 && p <= 1.0, errc::invalid_argument, [&] {
      return "adjust: p_values[" + std::to_string(i) + "] = " + std::to_string(p) +
             ": p-values must be in [0, 1]";
    });
    order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return p_values[a] < p_values[b]; });
  const std::size_t m = order.size();
  out.n_tests = m;
  if (m == 0) return out;
  const double dm = static_cast<double>(m);
  std::vector<double> adj(m);
  std::vector<bool> rej(m, false);
  if (method == adjustment::holm) {
    std::size_t first_keep = m;
    for (std::size_t i = 0; i < m; ++i) {
      const double p = p_values[order[i]];
      if (p > alpha / static_cast<double>(m - i)) {
        first_keep = i;
        break;
      }
    }
    for (std::size_t i = 0; i < first_keep; ++i) rej[i] = true;
    double running = 0.0;
    for (std::size_t i = 0; i < m; ++i) {
      const double raw = p_values[order[i]] * static_cast<double>(m - i);
      running = std::max(running, raw);
      adj[i] = running > 1.0 ? 1.0 : running;
    }
  } else {
    std::size_t last_reject = m;  // none
    for (std::size_t i = 0; i < m; ++i) {
      const double ecdf = static_cast<double>(i + 1) / dm;
      if (p_values[order[i]] <= ecdf * alpha) last_reject = i;
    }
    if (last_reject != m) {
      for (std::size_t i = 0; i <= last_reject; ++i) rej[i] = true;
    }
    double running = std::numeric_limits<double>::infinity();
    for (std::size_t i = m; i-- > 0;) {
      const double ecdf = static_cast<double>(i + 1) / dm;
      const double raw = p_values[order[i]] / ecdf;
      running = std::min(running, raw);
      adj[i] = running > 1.0 ? 1.0 : running;
    }
  }
  for (std::size_t i = 0; i < m; ++i) {
    out.adjusted[order[i]] = adj[i];
    out.reject[order[i]] = rej[i];
    if (rej[i]) ++out.n_rejected;
  }
  return out;
}

inline adjusted_p_values holm(std::span<const double> p_values, double alpha = 0.05) {
  return adjust(p_values, adjustment::holm, alpha);
}

inline adjusted_p_values benjamini_hochberg(std::span<const double> p_values, double alpha = 0.05) {
  return adjust(p_values, adjustment::benjamini_hochberg, alpha);
}

}  // namespace uncertainty

FAIRGATE_END_NAMESPACE
