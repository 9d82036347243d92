// fairgate/uncertainty/proportion.hpp: a confusion-based rate seen as successes out of trials.
//
//   auto pr = fairgate::uncertainty::as_proportion(counts, fairgate::uncertainty::rate::tpr);
//   // pr.successes = tp, pr.trials = tp + fn
//
// Every rate that is one confusion cell sum over another (selection rate, TPR,
// PPV, ...) is a binomial proportion, so it gets a Wilson interval and the
// two-proportion tests. Balanced accuracy and F1 are not proportions of one
// denominator: use the bootstrap for them.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

#include <fairgate/config.hpp>
#include <fairgate/metrics/confusion.hpp>
#include <fairgate/metrics/rates.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace uncertainty {

// successes / trials; trials = 0 means the rate is undefined.
struct proportion {
  std::uint64_t successes = 0;
  std::uint64_t trials = 0;

  friend constexpr bool operator==(const proportion&, const proportion&) = default;
};

// The rates that are binomial proportions. Formulas (Fairlearn / AIF360 names):
//   selection_rate = (tp+fp) / n          base_rate = (tp+fn) / n
//   accuracy       = (tp+tn) / n          error_rate = (fp+fn) / n
//   tpr (recall)   = tp / (tp+fn)         fnr = fn / (tp+fn)
//   fpr            = fp / (fp+tn)         tnr = tn / (fp+tn)
//   ppv (precision)= tp / (tp+fp)         fdr = fp / (tp+fp)
//   npv            = tn / (tn+fn)         false_omission_rate = fn / (tn+fn)
enum class rate : std::uint8_t {
  selection_rate,
  base_rate,
  accuracy,
  error_rate,
  tpr,
  fpr,
  tnr,
  fnr,
  ppv,
  npv,
  fdr,
  false_omission_rate,
};

inline constexpr rate all_proportion_rates[] = {rate::selection_rate,
                                                rate::base_rate,
                                                rate::accuracy,
                                                rate::error_rate,
                                                rate::tpr,
                                                rate::fpr,
                                                rate::tnr,
                                                rate::fnr,
                                                rate::ppv,
                                                rate::npv,
                                                rate::fdr,
                                                rate::false_omission_rate};

constexpr std::string_view rate_name(rate r) noexcept {
  switch (r) {
    case rate::selection_rate:
      return "selection_rate";
    case rate::base_rate:
      return "base_rate";
    case rate::accuracy:
      return "accuracy";
    case rate::error_rate:
      return "error_rate";
    case rate::tpr:
      return "tpr";
    case rate::fpr:
      return "fpr";
    case rate::tnr:
      return "tnr";
    case rate::fnr:
      return "fnr";
    case rate::ppv:
      return "ppv";
    case rate::npv:
      return "npv";
    case rate::fdr:
      return "fdr";
    case rate::false_omission_rate:
      return "for";
  }
  return "unknown";
}

// The proportion rate behind one of metrics::metric (rates.hpp), or nullopt
// for the metrics that are not a single proportion (count, total_weight,
// balanced_accuracy, f1 and the regression metrics: bootstrap those).
constexpr std::optional<rate> as_rate(metrics::metric m) noexcept {
  switch (m) {
    case metrics::metric::selection_rate:
      return rate::selection_rate;
    case metrics::metric::base_rate:
      return rate::base_rate;
    case metrics::metric::accuracy:
      return rate::accuracy;
    case metrics::metric::error_rate:
      return rate::error_rate;
    case metrics::metric::true_positive_rate:
      return rate::tpr;
    case metrics::metric::false_positive_rate:
      return rate::fpr;
    case metrics::metric::true_negative_rate:
      return rate::tnr;
    case metrics::metric::false_negative_rate:
      return rate::fnr;
    case metrics::metric::precision:
      return rate::ppv;
    case metrics::metric::npv:
      return rate::npv;
    case metrics::metric::fdr:
      return rate::fdr;
    case metrics::metric::false_omission_rate:
      return rate::false_omission_rate;
    default:
      return std::nullopt;
  }
}

// The numerator and denominator of `r` on one group's counts.
template <class T>
struct basic_proportion {
  T successes{};
  T trials{};
};

template <class T>
constexpr basic_proportion<T> rate_cells(const metrics::basic_confusion<T>& c, rate r) noexcept {
  switch (r) {
    case rate::selection_rate:
      return {c.tp + c.fp, c.total()};
    case rate::base_rate:
      return {c.tp + c.fn, c.total()};
    case rate::accuracy:
      return {c.tp + c.tn, c.total()};
    case rate::error_rate:
      return {c.fp + c.fn, c.total()};
    case rate::tpr:
      return {c.tp, c.tp + c.fn};
    case rate::fpr:
      return {c.fp, c.fp + c.tn};
    case rate::tnr:
      return {c.tn, c.fp + c.tn};
    case rate::fnr:
      return {c.fn, c.tp + c.fn};
    case rate::ppv:
      return {c.tp, c.tp + c.fp};
    case rate::npv:
      return {c.tn, c.tn + c.fn};
    case rate::fdr:
      return {c.fp, c.tp + c.fp};
    case rate::false_omission_rate:
      return {c.fn, c.tn + c.fn};
  }
  return {};
}

constexpr proportion as_proportion(const metrics::confusion_counts& c, rate r) noexcept {
  const auto p = rate_cells(c, r);
  return {p.successes, p.trials};
}

// The rate's value: successes / trials, NaN when trials = 0 (undefined).
template <class T>
constexpr double rate_of(const metrics::basic_confusion<T>& c, rate r) noexcept {
  const auto p = rate_cells(c, r);
  if (p.trials == T{}) return std::numeric_limits<double>::quiet_NaN();
  return static_cast<double>(p.successes) / static_cast<double>(p.trials);
}

}  // namespace uncertainty

FAIRGATE_END_NAMESPACE
