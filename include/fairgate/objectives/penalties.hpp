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
// distinction. Each penalty is two passes over the rows. f32 scores with an
// f32 gradient run penalty_kernel_f32.hpp (everything in f32, the gradient
// untouched on invalid input); every other combination runs
// penalty_kernel.hpp in f64 (validate + vectorised relaxation + fixed-order
// group sums, then the gradient in place; on invalid input the gradient's
// contents are unspecified). Either way the error names the first bad row.
#pragma once

#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/objectives/gap_form.hpp>
#include <fairgate/objectives/group_mean_penalty.hpp>
#include <fairgate/objectives/penalty_inputs.hpp>
#include <fairgate/objectives/penalty_kernel.hpp>
#include <fairgate/objectives/penalty_kernel_f32.hpp>
#include <fairgate/objectives/relaxation.hpp>
#include <fairgate/objectives/relaxation_f32.hpp>

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

// The f64 kernel's per-row slopes and the gradient share one f64 buffer: the
// caller's gradient span itself when it is f64, else a scratch vector that
// pass 2 converts into the caller's span. The f32 kernel needs none (empty).
template <class Score, class Grad>
class gradient_buffer {
 public:
  explicit gradient_buffer(std::span<Grad> out) : out_(out) {
    constexpr bool f32_kernel = std::is_same_v<Score, float> && std::is_same_v<Grad, float>;
    if constexpr (!std::is_same_v<Grad, double> && !f32_kernel) scratch_.resize(out.size());
  }
  [[nodiscard]] std::span<double> doubles() noexcept {
    if constexpr (std::is_same_v<Grad, double>)
      return out_;
    else
      return scratch_;
  }

 private:
  std::span<Grad> out_;
  std::vector<double> scratch_;
};

// Per-slot gradient factors scale · (dV/dq_g / D_g + dV/dq / D), at `first`.
inline void put_factors(std::vector<double>& factor, std::size_t first, const group_means& m,
                        const gap_value& gap, double scale) {
  const auto f = gradient_factors(m, gap);
  for (std::size_t g = 0; g < f.size(); ++g) factor[first + g] = scale * f[g];
}

// f32 scores with an f32 gradient run the single-precision kernel
// (penalty_kernel_f32.hpp); every other combination the f64 one.
template <class Score, class Grad>
inline constexpr bool uses_f32_kernel = std::is_same_v<Score, float> && std::is_same_v<Grad, float>;

// Pass 1 of whichever kernel applies (the f64 kernel also stores f' in `d`).
template <class Score, class Group, class RowFn, class Grad>
slot_sums first_pass(const penalty_inputs<Score, Group>& in, slot_mode mode, const RowFn& f,
                     const row_fn_f32& f32, std::span<double> d) {
  if constexpr (uses_f32_kernel<Score, Grad>) {
    (void)f;
    (void)d;
    return f32_pass1(in, mode, f32);
  } else {
    (void)f32;
    return fused_pass1(in, mode, f, d);
  }
}

// Pass 2 of whichever kernel applies.
template <class Score, class Group, class Grad>
void second_pass(const penalty_inputs<Score, Group>& in, slot_mode mode, const row_fn_f32& f32,
                 std::span<const double> factor, std::span<double> d, std::span<Grad> gradient) {
  if constexpr (uses_f32_kernel<Score, Grad>) {
    (void)d;
    f32_pass2(in, mode, f32, factor, gradient);
  } else {
    (void)f32;
    fused_pass2(in, mode, factor, d, gradient);
  }
}

template <class Score, class Group, class RowFn, class Grad>
penalty_result single_gap_penalty(const penalty_inputs<Score, Group>& in, slot_mode mode,
                                  const RowFn& f, const row_fn_f32& f32, gap_form form,
                                  double tolerance, std::span<Grad> gradient) {
  validate_shapes(in, gradient.size());
  gradient_buffer<Score, Grad> buf(gradient);
  const std::span<double> d = buf.doubles();
  const slot_sums sums = first_pass<Score, Group, RowFn, Grad>(in, mode, f, f32, d);
  const group_means m = means_from_slots(sums, 0, in.n_groups);
  const gap_value gap = evaluate_gap(form, m.mean, m.defined, m.overall, tolerance);
  std::vector<double> factor(slot_count(mode, in.n_groups), 0.0);
  put_factors(factor, 0, m, gap, 1.0);
  second_pass(in, mode, f32, factor, d, gradient);
  return {gap.value, m.mean, m.defined, m.overall};
}

// The f32 row function of a relaxation when the f32 kernel will run (checking
// that 1/τ fits a float), else a placeholder the f64 kernel ignores.
template <class Score, class Grad>
row_fn_f32 row_fn_for(const relaxation& r) {
  if constexpr (uses_f32_kernel<Score, Grad>) return relaxation_row_f32(r);
  return {};
}

// Calls body(row_fn) with the branch-free row function of a relaxation
// (the same bits as relaxation::at), the switch hoisted out of the row loop.
template <class Body>
auto with_relaxation(const relaxation& r, Body&& body) {
  r.validate();
  const double inv_tau = 1.0 / r.temperature;
  switch (r.kind) {
    case relaxation_kind::hinge:
      return body(
          [inv_tau](double s, double) { return relaxation::hinge_at(s * inv_tau, inv_tau); });
    case relaxation_kind::softplus: {
      const double scale = inv_tau * relaxation::inv_ln2;
      return body([inv_tau, scale](double s, double) {
        return relaxation::softplus_at(s * inv_tau, scale);
      });
    }
    case relaxation_kind::sigmoid:
      break;
  }
  return body([inv_tau](double s, double) { return relaxation::sigmoid_at(s * inv_tau, inv_tau); });
}

}  // namespace detail

template <class Score, class Group, class Grad>
penalty_result demographic_parity(const penalty_inputs<Score, Group>& in,
                                  const penalty_options& opt, std::span<Grad> gradient) {
  const auto f32 = detail::row_fn_for<Score, Grad>(opt.relax);
  return detail::with_relaxation(opt.relax, [&](const auto& f) {
    return detail::single_gap_penalty(in, detail::slot_mode::all, f, f32, opt.form, opt.tolerance,
                                      gradient);
  });
}

template <class Score, class Group, class Grad>
penalty_result equal_opportunity(const penalty_inputs<Score, Group>& in, const penalty_options& opt,
                                 std::span<Grad> gradient) {
  const auto f32 = detail::row_fn_for<Score, Grad>(opt.relax);
  return detail::with_relaxation(opt.relax, [&](const auto& f) {
    return detail::single_gap_penalty(in, detail::slot_mode::positives, f, f32, opt.form,
                                      opt.tolerance, gradient);
  });
}

struct odds_result {
  double value = 0.0;
  penalty_result tpr;
  penalty_result fpr;
};

template <class Score, class Group, class Grad>
odds_result equalized_odds(const penalty_inputs<Score, Group>& in, const penalty_options& opt,
                           odds_aggregate aggregate, std::span<Grad> gradient) {
  validate_shapes(in, gradient.size());
  const auto f32 = detail::row_fn_for<Score, Grad>(opt.relax);
  return detail::with_relaxation(opt.relax, [&](const auto& f) {
    // One pass for both subsets: slot = label · n_groups + group.
    detail::gradient_buffer<Score, Grad> buf(gradient);
    const std::span<double> d = buf.doubles();
    const auto mode = detail::slot_mode::by_label;
    const detail::slot_sums sums =
        detail::first_pass<Score, Group, std::decay_t<decltype(f)>, Grad>(in, mode, f, f32, d);
    const group_means fpr = detail::means_from_slots(sums, 0, in.n_groups);
    const group_means tpr = detail::means_from_slots(sums, in.n_groups, in.n_groups);
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
    std::vector<double> factor(detail::slot_count(mode, in.n_groups), 0.0);
    detail::put_factors(factor, 0, fpr, gap_fpr, scale_fpr);
    detail::put_factors(factor, in.n_groups, tpr, gap_tpr, scale_tpr);
    detail::second_pass(in, mode, f32, factor, d, gradient);
    return odds_result{value,
                       {gap_tpr.value, tpr.mean, tpr.defined, tpr.overall},
                       {gap_fpr.value, fpr.mean, fpr.defined, fpr.overall}};
  });
}

// Gap of calibration-in-the-large, E[σ(s) − y | g]: a group whose predicted
// probabilities run above (or below) its base rate is penalised.
template <class Score, class Group, class Grad>
penalty_result calibration_gap(const penalty_inputs<Score, Group>& in, gap_form form,
                               std::span<Grad> gradient) {
  // σ(1 − σ) = e q² (relaxation.hpp), without the cancellation of 1 − σ.
  const auto f = [](double s, double y) {
    const sigmoid_parts sp = sigmoid_branchless(s);
    return relaxation::point{sp.p - y, sp.e * sp.q * sp.q};
  };
  return detail::single_gap_penalty(in, detail::slot_mode::all, f,
                                    row_fn_f32{row_kind_f32::calibration, 1.0f}, form, 0.0,
                                    gradient);
}

// Gap of the mean binary cross-entropy ℓ(s, y) = softplus(s) − y s, by group.
// With gap_form::hinge_squared_to_overall and a tolerance γ this is the
// "Balancing Act" constraint of Tran et al. 2022: |ℓ_g − ℓ| ≤ γ for every g.
template <class Score, class Group, class Grad>
penalty_result loss_equalisation(const penalty_inputs<Score, Group>& in, gap_form form,
                                 double tolerance, std::span<Grad> gradient) {
  require(tolerance >= 0.0, errc::invalid_argument, "loss_equalisation tolerance must be >= 0");
  const auto f = [](double s, double y) {
    const sigmoid_parts sp = sigmoid_branchless(s);
    return relaxation::point{softplus_branchless(s, sp.e) - y * s, sp.p - y};
  };
  return detail::single_gap_penalty(in, detail::slot_mode::all, f,
                                    row_fn_f32{row_kind_f32::log_loss, 1.0f}, form, tolerance,
                                    gradient);
}

}  // namespace objectives

FAIRGATE_END_NAMESPACE
