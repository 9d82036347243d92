// fairgate/metrics/rates.hpp: confusion-based rates and regression metrics of one group.
//
//   auto r = fairgate::metrics::compute(fairgate::metrics::metric::true_positive_rate,
//   acc.counts(g)); if (r.undefined) { /* no positives in group g: r.value is NaN */ }
//
// Formulas (cells tp, fp, tn, fn; n = tp + fp + tn + fn):
//   selection_rate      (tp + fp) / n            Fairlearn selection_rate
//   base_rate           (tp + fn) / n            AIF360 base_rate
//   accuracy            (tp + tn) / n            sklearn accuracy_score
//   error_rate          (fp + fn) / n            AIF360 error_rate
//   balanced_accuracy   (TPR + TNR) / 2          sklearn balanced_accuracy_score
//   true_positive_rate  tp / (tp + fn)           recall_score, Fairlearn true_positive_rate
//   false_positive_rate fp / (fp + tn)           Fairlearn false_positive_rate
//   true_negative_rate  tn / (fp + tn)           Fairlearn true_negative_rate
//   false_negative_rate fn / (tp + fn)           Fairlearn false_negative_rate
//   precision (PPV)     tp / (tp + fp)           precision_score
//   npv                 tn / (tn + fn)           AIF360 negative_predictive_value
//   fdr                 fp / (tp + fp)           AIF360 false_discovery_rate
//   for (false omission)fn / (tn + fn)           AIF360 false_omission_rate
//   f1                  2 tp / (2 tp + fp + fn)  f1_score
//   count, total_weight n (unweighted) / sum of weights
// Regression (from regression_sums; weighted with w, else w = 1):
//   mean_prediction  sum w p / sum w; mae sum w |p - y| / sum w;
//   mse sum w (p - y)^2 / sum w; rmse sqrt(mse).
//
// Undefined cases: a zero denominator gives value NaN and undefined = true
// (fairgate's default, zero_division::nan). zero_division::zero reproduces
// sklearn's zero_division=0 (and so Fairlearn's metrics built on it): the
// value is 0, and undefined stays true so the caller can still tell.
// zero_division::one gives 1 (sklearn zero_division=1). For
// balanced_accuracy the compatibility modes follow sklearn: the mean of the
// per-class recalls that exist (if only one class is present, its recall);
// with neither class present the zero_division value.
//
// Weighted rates are computed from the exact cell sums: every numerator and
// denominator is an exact sum rounded once, then divided (so e.g. the
// denominator tp + fn is not the sum of two rounded cells).
#pragma once

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>
#include <string_view>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/metrics/accumulator.hpp>
#include <fairgate/metrics/confusion.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace metrics {

enum class zero_division : std::uint8_t { nan, zero, one };

// A metric value with its undefined flag (denominator zero).
struct rate_value {
  double value = std::numeric_limits<double>::quiet_NaN();
  bool undefined = true;
};

enum class metric : std::uint8_t {
  count,
  total_weight,
  selection_rate,
  base_rate,
  accuracy,
  error_rate,
  balanced_accuracy,
  true_positive_rate,
  false_positive_rate,
  true_negative_rate,
  false_negative_rate,
  precision,
  npv,
  fdr,
  false_omission_rate,
  f1,
  // regression (need a regression pass)
  mean_prediction,
  mae,
  mse,
  rmse,
};

inline constexpr bool is_regression(metric m) noexcept {
  return m >= metric::mean_prediction;
}

// Fairlearn / sklearn-style names (used by the CLI, reports and the C ABI).
inline constexpr std::string_view metric_name(metric m) noexcept {
  switch (m) {
    case metric::count:
      return "count";
    case metric::total_weight:
      return "total_weight";
    case metric::selection_rate:
      return "selection_rate";
    case metric::base_rate:
      return "base_rate";
    case metric::accuracy:
      return "accuracy";
    case metric::error_rate:
      return "error_rate";
    case metric::balanced_accuracy:
      return "balanced_accuracy";
    case metric::true_positive_rate:
      return "true_positive_rate";
    case metric::false_positive_rate:
      return "false_positive_rate";
    case metric::true_negative_rate:
      return "true_negative_rate";
    case metric::false_negative_rate:
      return "false_negative_rate";
    case metric::precision:
      return "precision";
    case metric::npv:
      return "negative_predictive_value";
    case metric::fdr:
      return "false_discovery_rate";
    case metric::false_omission_rate:
      return "false_omission_rate";
    case metric::f1:
      return "f1";
    case metric::mean_prediction:
      return "mean_prediction";
    case metric::mae:
      return "mean_absolute_error";
    case metric::mse:
      return "mean_squared_error";
    case metric::rmse:
      return "root_mean_squared_error";
  }
  return "unknown";
}

// The sums a rate needs, each exact before its single rounding to double.
struct rate_terms {
  double tp = 0, fp = 0, tn = 0, fn = 0;
  double n = 0, pos = 0, neg = 0, pred_pos = 0, pred_neg = 0, correct = 0, wrong = 0, f1_den = 0;
};

inline rate_terms terms_of(const confusion_counts& c) noexcept {
  auto d = [](std::uint64_t v) { return static_cast<double>(v); };
  return {d(c.tp),        d(c.fp),        d(c.tn),        d(c.fn),
          d(c.total()),   d(c.tp + c.fn), d(c.fp + c.tn), d(c.tp + c.fp),
          d(c.tn + c.fn), d(c.tp + c.tn), d(c.fp + c.fn), d(2 * c.tp + c.fp + c.fn)};
}

inline rate_terms terms_of(const exact_confusion& e) {
  auto sum = [](std::initializer_list<const exact_sum*> xs) {
    exact_sum s;
    for (const exact_sum* x : xs) s += *x;
    return s.value();
  };
  return {e.tp.value(),
          e.fp.value(),
          e.tn.value(),
          e.fn.value(),
          sum({&e.tp, &e.fp, &e.tn, &e.fn}),
          sum({&e.tp, &e.fn}),
          sum({&e.fp, &e.tn}),
          sum({&e.tp, &e.fp}),
          sum({&e.tn, &e.fn}),
          sum({&e.tp, &e.tn}),
          sum({&e.fp, &e.fn}),
          sum({&e.tp, &e.tp, &e.fp, &e.fn})};
}

namespace rates_detail {
inline rate_value divide(double num, double den, zero_division zd) noexcept {
  if (den == 0.0) {
    switch (zd) {
      case zero_division::nan:
        return {std::numeric_limits<double>::quiet_NaN(), true};
      case zero_division::zero:
        return {0.0, true};
      case zero_division::one:
        return {1.0, true};
    }
  }
  return {num / den, false};
}
}  // namespace rates_detail

// A confusion-based metric from the (exact) terms. Regression metrics are
// rejected here (use compute(metric, regression_sums, ...)).
inline rate_value compute(metric m, const rate_terms& t, zero_division zd = zero_division::nan) {
  using rates_detail::divide;
  switch (m) {
    case metric::count:
    case metric::total_weight:
      return {t.n, false};
    case metric::selection_rate:
      return divide(t.pred_pos, t.n, zd);
    case metric::base_rate:
      return divide(t.pos, t.n, zd);
    case metric::accuracy:
      return divide(t.correct, t.n, zd);
    case metric::error_rate:
      return divide(t.wrong, t.n, zd);
    case metric::true_positive_rate:
      return divide(t.tp, t.pos, zd);
    case metric::false_positive_rate:
      return divide(t.fp, t.neg, zd);
    case metric::true_negative_rate:
      return divide(t.tn, t.neg, zd);
    case metric::false_negative_rate:
      return divide(t.fn, t.pos, zd);
    case metric::precision:
      return divide(t.tp, t.pred_pos, zd);
    case metric::npv:
      return divide(t.tn, t.pred_neg, zd);
    case metric::fdr:
      return divide(t.fp, t.pred_pos, zd);
    case metric::false_omission_rate:
      return divide(t.fn, t.pred_neg, zd);
    case metric::f1:
      return divide(2.0 * t.tp, t.f1_den, zd);
    case metric::balanced_accuracy: {
      const rate_value tpr = divide(t.tp, t.pos, zero_division::nan);
      const rate_value tnr = divide(t.tn, t.neg, zero_division::nan);
      if (!tpr.undefined && !tnr.undefined) return {(tpr.value + tnr.value) / 2.0, false};
      if (zd == zero_division::nan) return {std::numeric_limits<double>::quiet_NaN(), true};
      // sklearn: mean of the recalls of the classes present in y_true.
      if (!tpr.undefined) return {tpr.value, true};
      if (!tnr.undefined) return {tnr.value, true};
      return {zd == zero_division::zero ? 0.0 : 1.0, true};
    }
    default:
      break;
  }
  throw error(errc::invalid_argument, std::string("metric '") + std::string(metric_name(m)) +
                                          "' is a regression metric, not a rate");
}

// Unweighted rate of a confusion table.
inline rate_value compute(metric m, const confusion_counts& c,
                          zero_division zd = zero_division::nan) {
  return compute(m, terms_of(c), zd);
}
// Weighted rate from exact weighted cells (for metric::count this is the total weight).
inline rate_value compute(metric m, const exact_confusion& e,
                          zero_division zd = zero_division::nan) {
  return compute(m, terms_of(e), zd);
}

// Regression metric of one group (weighted or unweighted sums).
inline rate_value compute(metric m, const regression_sums& r, bool weighted,
                          zero_division zd = zero_division::nan) {
  using rates_detail::divide;
  const double den = weighted ? r.weight.value() : static_cast<double>(r.count);
  switch (m) {
    case metric::count:
      return {static_cast<double>(r.count), false};
    case metric::total_weight:
      return {r.weight.value(), false};
    case metric::mean_prediction:
      return divide((weighted ? r.wsum_pred : r.sum_pred).value(), den, zd);
    case metric::mae:
      return divide((weighted ? r.wsum_abs_err : r.sum_abs_err).value(), den, zd);
    case metric::mse:
      return divide((weighted ? r.wsum_sq_err : r.sum_sq_err).value(), den, zd);
    case metric::rmse: {
      rate_value v = divide((weighted ? r.wsum_sq_err : r.sum_sq_err).value(), den, zd);
      if (!v.undefined) v.value = std::sqrt(v.value);  // sqrt is correctly rounded
      return v;
    }
    default:
      break;
  }
  throw error(errc::invalid_argument, std::string("metric '") + std::string(metric_name(m)) +
                                          "' is not a regression metric");
}

// Metric m of group g of an accumulator.
inline rate_value compute(metric m, const group_accumulator& acc, std::uint32_t g, bool weighted,
                          zero_division zd = zero_division::nan) {
  if (is_regression(m)) return compute(m, acc.regression(g), weighted, zd);
  if (m == metric::total_weight) return {acc.total_weight(g), false};
  if (m == metric::count) return {static_cast<double>(acc.count(g)), false};
  return weighted ? compute(m, acc.exact_weights(g), zd) : compute(m, acc.counts(g), zd);
}

}  // namespace metrics

FAIRGATE_END_NAMESPACE
