// fairgate/objectives/penalties.hpp: differentiable fairness penalties.
//
//   objectives::penalty_inputs<float> in{scores, labels, groups, {}, n_groups};
//   std::vector<double> grad(scores.size());
//   auto dp = objectives::demographic_parity(in, {.form = gap_form::max_minus_min}, grad);
//   // loss += lambda * dp.value;  dloss/dscore += lambda * grad
//
// Every penalty returns its value and writes dV/ds_i for every score into the
// caller's gradient span (overwriting it), so any trainer can backpropagate.
// Scores are logits; the hard decision is s >= 0.
//
//   demographic_parity   gap over groups of the relaxed selection rate  E[ŷ | g]
//   equal_opportunity    gap of the relaxed TPR                         E[ŷ | g, y=1]
//   equalized_odds       TPR gap and FPR gap (E[ŷ | g, y=0]) combined by `aggregate`
//   calibration_gap      gap of calibration-in-the-large                E[σ(s) − y | g]
//   loss_equalisation    gap of the mean log-loss                       E[ℓ(s, y) | g]
//
// The gap form (max − min, or against the overall value) is chosen by name;
// see gap_form.hpp for the formulas and the Fairlearn metrics-vs-reductions
// distinction.
#pragma once

#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/objectives/gap_form.hpp>
#include <fairgate/objectives/group_mean_penalty.hpp>
#include <fairgate/objectives/penalty_inputs.hpp>
#include <fairgate/objectives/relaxation.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace objectives {

struct penalty_options {
  relaxation relax{};
  gap_form form = gap_form::max_minus_min;
  double tolerance = 0.0;  // used by gap_form::hinge_squared_to_overall
};

enum class odds_aggregate {
  worst_case,  // max(TPR gap, FPR gap): Fairlearn's equalized_odds_difference; ties → TPR
  mean,        // (TPR gap + FPR gap) / 2
  sum,         // TPR gap + FPR gap
};

struct penalty_result {
  double value = 0.0;
  std::vector<double> group_values;   // q_g of the (last) rate; for odds: see tpr/fpr
  std::vector<std::uint8_t> defined;  // groups that entered the gap
  double overall = 0.0;
};

namespace detail {

// The per-row slopes and the gradient share one f64 buffer: the caller's
// gradient span itself when it is f64 (written only after validation, so a
// bad input leaves it untouched), else a scratch vector converted at the end.
template <class Grad>
class gradient_buffer {
 public:
  explicit gradient_buffer(std::span<Grad> out) : out_(out) {
    if constexpr (!std::is_same_v<Grad, double>) scratch_.resize(out.size());
  }
  [[nodiscard]] std::span<double> doubles() noexcept {
    if constexpr (std::is_same_v<Grad, double>)
      return out_;
    else
      return scratch_;
  }
  void publish() {
    if constexpr (!std::is_same_v<Grad, double>) {
      for (std::size_t i = 0; i < out_.size(); ++i) out_[i] = static_cast<Grad>(scratch_[i]);
    }
  }

 private:
  std::span<Grad> out_;
  std::vector<double> scratch_;
};

template <class Score, class RowFn, class Grad>
penalty_result single_gap_penalty(const penalty_inputs<Score>& in, row_subset subset, RowFn&& f,
                                  gap_form form, double tolerance, std::span<Grad> gradient) {
  validate(in, gradient.size());
  gradient_buffer<Grad> buf(gradient);
  const std::span<double> g = buf.doubles();
  const group_means m = compute_group_means(in, subset, std::forward<RowFn>(f), g);
  const gap_value gap = evaluate_gap(form, m.mean, m.defined, m.overall, tolerance);
  assign_gradient(in, subset, m, gap, 1.0, g, g, /*zero_others=*/true);
  buf.publish();
  return {gap.value, m.mean, m.defined, m.overall};
}

inline auto relaxed_prediction(const relaxation& r) {
  r.validate();
  return [r](double s, std::uint8_t) { return std::pair{r.value(s), r.derivative(s)}; };
}

}  // namespace detail

template <class Score, class Grad>
penalty_result demographic_parity(const penalty_inputs<Score>& in, const penalty_options& opt,
                                  std::span<Grad> gradient) {
  return detail::single_gap_penalty(in, row_subset::all, detail::relaxed_prediction(opt.relax),
                                    opt.form, opt.tolerance, gradient);
}

template <class Score, class Grad>
penalty_result equal_opportunity(const penalty_inputs<Score>& in, const penalty_options& opt,
                                 std::span<Grad> gradient) {
  return detail::single_gap_penalty(in, row_subset::positives,
                                    detail::relaxed_prediction(opt.relax), opt.form, opt.tolerance,
                                    gradient);
}

struct odds_result {
  double value = 0.0;
  penalty_result tpr;
  penalty_result fpr;
};

template <class Score, class Grad>
odds_result equalized_odds(const penalty_inputs<Score>& in, const penalty_options& opt,
                           odds_aggregate aggregate, std::span<Grad> gradient) {
  validate(in, gradient.size());
  const auto f = detail::relaxed_prediction(opt.relax);
  // Positives and negatives are disjoint: one buffer holds both subsets' slopes.
  detail::gradient_buffer<Grad> buf(gradient);
  const std::span<double> g = buf.doubles();
  const group_means tpr = compute_group_means(in, row_subset::positives, f, g);
  const group_means fpr = compute_group_means(in, row_subset::negatives, f, g);
  const gap_value gap_tpr =
      evaluate_gap(opt.form, tpr.mean, tpr.defined, tpr.overall, opt.tolerance);
  const gap_value gap_fpr =
      evaluate_gap(opt.form, fpr.mean, fpr.defined, fpr.overall, opt.tolerance);

  double scale_tpr = 1.0, scale_fpr = 1.0, value = 0.0;
  switch (aggregate) {
    case odds_aggregate::worst_case:
      if (gap_tpr.value >= gap_fpr.value) {
        value = gap_tpr.value;
        scale_fpr = 0.0;
      } else {
        value = gap_fpr.value;
        scale_tpr = 0.0;
      }
      break;
    case odds_aggregate::mean:
      value = 0.5 * (gap_tpr.value + gap_fpr.value);
      scale_tpr = scale_fpr = 0.5;
      break;
    case odds_aggregate::sum:
      value = gap_tpr.value + gap_fpr.value;
      break;
  }
  // Each row is in exactly one subset, so it gets exactly one of the terms.
  assign_gradient(in, row_subset::positives, tpr, gap_tpr, scale_tpr, g, g, false);
  assign_gradient(in, row_subset::negatives, fpr, gap_fpr, scale_fpr, g, g, false);
  buf.publish();
  return {value,
          {gap_tpr.value, tpr.mean, tpr.defined, tpr.overall},
          {gap_fpr.value, fpr.mean, fpr.defined, fpr.overall}};
}

// Gap of calibration-in-the-large, E[σ(s) − y | g]: a group whose predicted
// probabilities run above (or below) its base rate is penalised.
template <class Score, class Grad>
penalty_result calibration_gap(const penalty_inputs<Score>& in, gap_form form,
                               std::span<Grad> gradient) {
  const auto f = [](double s, std::uint8_t y) {
    const double p = stable_sigmoid(s);
    return std::pair{p - static_cast<double>(y), p * (1.0 - p)};
  };
  return detail::single_gap_penalty(in, row_subset::all, f, form, 0.0, gradient);
}

// Gap of the mean binary cross-entropy ℓ(s, y) = softplus(s) − y s, by group.
// With gap_form::hinge_squared_to_overall and a tolerance γ this is the
// "Balancing Act" constraint of Tran et al. 2022: |ℓ_g − ℓ| ≤ γ for every g.
template <class Score, class Grad>
penalty_result loss_equalisation(const penalty_inputs<Score>& in, gap_form form, double tolerance,
                                 std::span<Grad> gradient) {
  require(tolerance >= 0.0, errc::invalid_argument, "loss_equalisation tolerance must be >= 0");
  const auto f = [](double s, std::uint8_t y) {
    const double yd = static_cast<double>(y);
    return std::pair{stable_softplus(s) - yd * s, stable_sigmoid(s) - yd};
  };
  return detail::single_gap_penalty(in, row_subset::all, f, form, tolerance, gradient);
}

}  // namespace objectives

FAIRGATE_END_NAMESPACE
