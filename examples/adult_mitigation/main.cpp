// adult_mitigation: every fairgate mitigation on UCI Adult, beside Fairlearn.
//
//   build/release/examples/adult_mitigation/adult_mitigation [--check]
//
// Setup (as docs/objectives.md and issue 6 state it): train on adult.data,
// evaluate on adult.test ("?" kept as a category), sensitive feature
// `sex`, logistic regression on one-hot categoricals plus standardised
// numerics. The model's features are Fairlearn's: every column but `sex`
// (Fairlearn's census example drops it from X; only the mitigation sees it).
// Prints a Markdown table: test accuracy, demographic-parity difference and
// equalized-odds difference (Fairlearn's definitions: max − min over groups;
// EO = max of the TPR and FPR differences), and fit time. With --check, exits
// 1 unless each row meets its documented target (or is waived by the
// documented noise rule, see waiver_if_noise).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include <fairgate/io/adult.hpp>
#include <fairgate/io/encoder.hpp>
#include <fairgate/mitigation/exponentiated_gradient.hpp>
#include <fairgate/mitigation/reweighing.hpp>
#include <fairgate/mitigation/threshold_optimizer.hpp>
#include <fairgate/objectives/lagrangian.hpp>
#include <fairgate/objectives/penalties.hpp>
#include <fairgate/objectives/proxy_lagrangian.hpp>
#include <fairgate/rng/stream.hpp>
#include <fairgate/rng/uniform.hpp>
#include <fairgate/train/logistic_newton.hpp>
#include <fairgate/train/trainer.hpp>
#include <fairgate/uncertainty/percentile.hpp>

namespace fg = fairgate;

namespace {

struct split {
  std::vector<double> x;
  std::size_t rows = 0, cols = 0;
  std::vector<std::uint8_t> y;
  std::vector<std::uint32_t> sex;

  [[nodiscard]] fg::train::dataset_view view(std::span<const double> w = {}) const {
    return {x, rows, cols, y, w, sex, 2};
  }
};

split make_split(const fg::io::adult_split& s, const fg::io::feature_encoder& enc) {
  auto m = enc.transform(s.table);
  split out;
  out.x = std::move(m.values);
  out.rows = m.rows;
  out.cols = m.cols;
  out.y = s.labels;
  out.sex.assign(s.sex.begin(), s.sex.end());
  return out;
}

// The model's feature columns. Fairlearn's (the table's): every Adult column
// but `sex`, as Fairlearn's census example has it
// (plot_grid_search_census.py: X = X_raw.drop(labels=["sex"], axis=1)).
// With the sex columns: the feature set of this table until session 3, kept
// for a diagnostic.
fg::io::encoder_options model_features(bool with_sex) {
  auto eo = fg::io::adult_encoder_options();
  if (!with_sex) std::erase(eo.categorical, std::string("sex"));
  return eo;
}

struct outcome {
  double accuracy = 0, dp = 0, eo = 0;
};

// Fairlearn's demographic_parity_difference and equalized_odds_difference
// (agg = worst_case), from 0/1 or expected predictions p.
outcome evaluate(std::span<const std::uint8_t> y, std::span<const std::uint32_t> sex,
                 std::span<const double> p) {
  double sel[2] = {0, 0}, n[2] = {0, 0}, tp[2] = {0, 0}, pos[2] = {0, 0}, fp[2] = {0, 0},
         neg[2] = {0, 0}, correct = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const auto g = sex[i];
    n[g] += 1;
    sel[g] += p[i];
    if (y[i]) {
      pos[g] += 1;
      tp[g] += p[i];
      correct += p[i];
    } else {
      neg[g] += 1;
      fp[g] += p[i];
      correct += 1 - p[i];
    }
  }
  outcome o;
  o.accuracy = correct / static_cast<double>(y.size());
  o.dp = std::abs(sel[0] / n[0] - sel[1] / n[1]);
  o.eo = std::max(std::abs(tp[0] / pos[0] - tp[1] / pos[1]),
                  std::abs(fp[0] / neg[0] - fp[1] / neg[1]));
  return o;
}
outcome evaluate(const split& d, std::span<const double> p) {
  return evaluate(d.y, d.sex, p);
}
outcome evaluate(const split& d, const std::vector<std::uint8_t>& y_hat) {
  return evaluate(d, std::vector<double>(y_hat.begin(), y_hat.end()));
}

// The labels and groups of a mini-batch's rows, for a penalty hook.
void gather_batch(const split& d, std::span<const std::size_t> rows, std::vector<std::uint8_t>& y,
                  std::vector<std::uint32_t>& g) {
  y.resize(rows.size());
  g.resize(rows.size());
  for (std::size_t k = 0; k < rows.size(); ++k) {
    y[k] = d.y[rows[k]];
    g[k] = d.sex[rows[k]];
  }
}

std::vector<double> logits_of(const fg::train::feedforward& m, const split& d) {
  std::vector<double> out(d.rows);
  m.predict_logits(d.view(), out);
  return out;
}

std::vector<double> logits_of(const fg::train::logistic_model& m, const split& d) {
  std::vector<double> out(d.rows);
  fg::train::decision_function(m, d.x, d.rows, out);
  return out;
}

std::vector<double> hard(const std::vector<double>& logits) {
  std::vector<double> p(logits.size());
  for (std::size_t i = 0; i < p.size(); ++i) p[i] = logits[i] >= 0 ? 1.0 : 0.0;
  return p;
}

std::vector<std::uint8_t> hard_u8(const std::vector<double>& logits) {
  std::vector<std::uint8_t> p(logits.size());
  for (std::size_t i = 0; i < p.size(); ++i) p[i] = logits[i] >= 0 ? 1 : 0;
  return p;
}

// The reference trainer (mini-batch Adam), for the rows that have no
// Fairlearn counterpart: penalty, Lagrangian and reweighing.
fg::train::fit_options base_options() {
  fg::train::fit_options o;
  o.epochs = 15;
  o.batch_size = 256;
  o.learning_rate = 0.005;
  o.l2 = 1e-5;
  o.seed = 20261123;
  return o;
}

template <class Fn>
double seconds(Fn&& fn) {
  const auto t0 = std::chrono::steady_clock::now();
  fn();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Issue 6's "logistic regression", as Fairlearn's run has it: sklearn's
// LogisticRegression() (C = 1) fitted to convergence on the training split
// (train/logistic_newton.hpp: sklearn's objective solved by Newton's method;
// the same optimum as sklearn's newton-cholesky solver to ~1e-14, which its
// default lbfgs approaches). It is the unmitigated row, and its
// decision_function on both splits is what ThresholdOptimizer thresholds.
struct lr_scores {
  std::vector<double> train, test;
  double fit_s = 0;
  std::size_t iterations = 0;
};
lr_scores converged_lr_scores(const split& train, const split& test) {
  lr_scores out;
  fg::train::newton_report fit;
  out.fit_s = seconds([&] { fit = fg::train::fit_logistic_newton(train.view()); });
  fg::require(fit.converged, fg::errc::internal,
              "the converged logistic regression did not converge");
  out.iterations = fit.iterations;
  out.train = logits_of(fit.model, train);
  out.test = logits_of(fit.model, test);
  return out;
}

// How much of a row's test figure is noise. Two kinds, each reported:
//  - the test set's: the disparity of the row's fixed expected predictions p
//    on 1000 bootstrap resamples of adult.test (rows drawn with replacement,
//    uniformly by rng::bounded_u32 from a keyed stream);
//  - for a randomized predictor, the randomization's: the disparity of its
//    0/1 predictions on adult.test under the 1000 seeds 0..999 (the table uses
//    seed 7; no seed is picked).
// Each as the median and the 90% interval.
struct interval {
  double median = NAN, lo = NAN, hi = NAN;
  [[nodiscard]] bool contains(double v) const { return lo <= v && v <= hi; }
};
enum class target { none, dp, eo };
double disparity(const outcome& o, target t) {
  return t == target::dp ? o.dp : o.eo;
}

// Median and 90% interval: numpy's linear quantiles (uncertainty/percentile.hpp).
interval sorted_interval(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  namespace fu = fg::uncertainty;
  return {fu::quantile_sorted(v, 0.5), fu::quantile_sorted(v, 0.05),
          fu::quantile_sorted(v, 0.95)};
}

interval bootstrap(const split& d, const std::vector<double>& p, target t) {
  fg::rng::stream s(20261123, fg::rng::purposes::bootstrap, 6);
  std::vector<double> values;
  std::vector<std::uint8_t> y(d.rows);
  std::vector<std::uint32_t> g(d.rows);
  std::vector<double> pb(d.rows);
  for (int b = 0; b < 1000; ++b) {
    for (std::size_t i = 0; i < d.rows; ++i) {
      const std::size_t k = fg::rng::bounded_u32(s, static_cast<std::uint32_t>(d.rows));
      y[i] = d.y[k];
      g[i] = d.sex[k];
      pb[i] = p[k];
    }
    values.push_back(disparity(evaluate(y, g, pb), t));
  }
  return sorted_interval(std::move(values));
}

interval over_seeds(const split& d,
                    const std::function<std::vector<std::uint8_t>(std::uint64_t)>& predict,
                    target t) {
  std::vector<double> values;
  for (std::uint64_t seed = 0; seed < 1000; ++seed)
    values.push_back(disparity(evaluate(d, predict(seed)), t));
  return sorted_interval(std::move(values));
}

struct row {
  std::string method;
  outcome test;
  double fit_s;
  // Fairlearn 0.12's figures for the same method (issue 6), NaN when none.
  double fl_accuracy = NAN, fl_dp = NAN, fl_eo = NAN, fl_time = NAN;
  // What --check demands: which disparity must be at or below which bound.
  target checked = target::none;
  double bound = NAN;
  // The noise intervals of the checked disparity (NaN when not measured):
  // test-set bootstrap, and over randomization seeds for randomized rows.
  interval boot = {}, seeds = {};
  bool randomized = false;
};

// The noise rule: a row that misses Fairlearn's disparity figure is waived
// (reported, not enforced) when Fairlearn's figure lies inside the 90%
// interval of the test-set bootstrap AND, for a randomized predictor, inside
// the 90% interval over randomization seeds: the two figures cannot then be
// told apart on adult.test. It excuses only the disparity: the accuracy part
// of the target stays enforced.
std::string waiver_if_noise(const row& r) {
  const double fl = r.checked == target::dp ? r.fl_dp : r.fl_eo;
  if (std::isnan(fl) || !r.boot.contains(fl) || (r.randomized && !r.seeds.contains(fl))) return {};
  char buf[300];
  std::snprintf(buf, sizeof buf,
                "Fairlearn's %.4f lies inside the 90%% intervals of this row's test %s, bootstrap "
                "[%.4f, %.4f]%s",
                fl, r.checked == target::dp ? "DP" : "EO", r.boot.lo, r.boot.hi,
                r.randomized ? " and over seeds" : "");
  std::string s = buf;
  if (r.randomized) {
    std::snprintf(buf, sizeof buf, " [%.4f, %.4f]", r.seeds.lo, r.seeds.hi);
    s += buf;
  }
  return s;
}

// A diagnostic, not a table row: the converged logistic regression and the
// two threshold rules on the feature set this table used until session 3,
// with the two `sex` columns among the model's features.
void print_with_sex_feature(const fg::io::adult_dataset& adult) {
  const auto enc = fg::io::feature_encoder::fit(adult.train.table, model_features(true));
  const split train = make_split(adult.train, enc);
  const split test = make_split(adult.test, enc);
  const auto s = converged_lr_scores(train, test);
  const auto base = evaluate(test, hard(s.test));
  std::printf(
      "  With sex as a model feature too (%zu features, this table's setup until session 3): "
      "converged LR test accuracy %.4f, DP %.4f, EO %.4f\n",
      train.cols, base.accuracy, base.dp, base.eo);
  for (auto c : {fg::mitigation::threshold_constraint::demographic_parity,
                 fg::mitigation::threshold_constraint::equalized_odds}) {
    fg::mitigation::threshold_options opt;
    opt.constraint = c;
    const auto rules = fg::mitigation::fit_thresholds(s.train, train.y, train.sex, 2, opt);
    const auto o = evaluate(test, fg::mitigation::predict_thresholds(rules, s.test, test.sex, 7));
    const auto e = evaluate(test, fg::mitigation::threshold_probability(rules, s.test, test.sex));
    std::printf(
        "    ThresholdOptimizer %s: accuracy %.4f, DP %.4f, EO %.4f (expected: %.4f, %.4f, %.4f)\n",
        c == fg::mitigation::threshold_constraint::demographic_parity ? "DP" : "EO", o.accuracy,
        o.dp, o.eo, e.accuracy, e.dp, e.eo);
  }
}

void print_noise(const char* what, const row& r) {
  const char* m = r.checked == target::dp ? "DP" : "EO";
  std::printf("  %s: test %s, bootstrap of adult.test median %.4f, 90%% interval [%.4f, %.4f]",
              what, m, r.boot.median, r.boot.lo, r.boot.hi);
  if (r.randomized)
    std::printf("; over seeds 0..999 median %.4f, 90%% interval [%.4f, %.4f]", r.seeds.median,
                r.seeds.lo, r.seeds.hi);
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  const bool check = argc > 1 && std::strcmp(argv[1], "--check") == 0;
  // Missing values ("?") kept as a category, as Fairlearn's and sklearn's
  // Adult examples do (OpenML's copy): 32,561 training and 16,281 test rows.
  fg::io::adult_options ao;
  ao.missing = fg::io::adult_missing::as_category;
  const auto adult = fg::io::load_adult(ao);
  const auto enc = fg::io::feature_encoder::fit(adult.train.table, model_features(false));
  const split train = make_split(adult.train, enc);
  const split test = make_split(adult.test, enc);
  std::printf(
      "Adult: %zu training rows, %zu test rows, %zu model features (Fairlearn's: every column "
      "but sex); sensitive feature sex (%s, %s)\n\n",
      train.rows, test.rows, train.cols, adult.sex_names[0].c_str(), adult.sex_names[1].c_str());

  std::vector<row> rows;

  // 1. Unmitigated: issue 6's logistic regression, sklearn's
  // LogisticRegression() fitted to convergence (converged_lr_scores). The
  // same model's scores are ThresholdOptimizer's input (section 5).
  const auto lr = converged_lr_scores(train, test);
  rows.push_back({"unmitigated (logistic regression, C = 1, converged)",
                  evaluate(test, hard(lr.test)), lr.fit_s, 0.8532, 0.1695, 0.0729, 2.6});
  std::printf("  unmitigated: %zu Newton steps\n", lr.iterations);

  // 1b. The reference trainer's unmitigated model (15 epochs of mini-batch
  // Adam): the base of the penalty, Lagrangian and reweighing rows, which
  // have no Fairlearn counterpart; their accuracy cost is measured from it.
  {
    fg::train::feedforward base(train.cols, {});
    const double t = seconds([&] {
      base.initialize(1);
      fg::train::fit(base, train.view(), base_options());
    });
    rows.push_back({"unmitigated (reference trainer, 15 Adam epochs)",
                    evaluate(test, hard(logits_of(base, test))), t});
  }

  // 2. Demographic-parity penalty.
  {
    fg::train::feedforward m(train.cols, {});
    const double lambda = 2.0;
    fg::objectives::penalty_options po;
    po.relax = {fg::objectives::relaxation_kind::sigmoid, 0.5};
    std::vector<std::uint8_t> yb;
    std::vector<std::uint32_t> gb;
    const auto hook = [&](std::span<const std::size_t> r, std::span<const double> logits,
                          std::span<double> dl) {
      gather_batch(train, r, yb, gb);
      const auto res = fg::objectives::demographic_parity(
          fg::objectives::penalty_inputs<double>{logits, yb, gb, {}, 2}, po, dl);
      for (double& v : dl) v *= lambda;
      return lambda * res.value;
    };
    const double t = seconds([&] {
      m.initialize(1);
      fg::train::fit(m, train.view(), base_options(), hook);
    });
    row r{"DP penalty (sigmoid τ=0.5, λ=2)", evaluate(test, hard(logits_of(m, test))), t};
    r.checked = target::dp;
    r.bound = 0.05;
    rows.push_back(r);
  }

  // 3. Proxy-Lagrangian with selection-rate parity constraints.
  {
    fg::train::feedforward m(train.cols, {});
    const auto cs =
        fg::objectives::parity_constraints(fg::objectives::rate_kind::selection, 2, 0.005);
    fg::objectives::multipliers lambda(cs.size(),
                                       fg::objectives::multiplier_update::proxy_lagrangian, 0.5);
    const fg::objectives::relaxation relax{fg::objectives::relaxation_kind::sigmoid, 0.5};
    std::vector<std::uint8_t> yb;
    std::vector<std::uint32_t> gb;
    const auto hook = [&](std::span<const std::size_t> r, std::span<const double> logits,
                          std::span<double> dl) {
      gather_batch(train, r, yb, gb);
      const auto v = fg::objectives::evaluate_constraints(
          fg::objectives::penalty_inputs<double>{logits, yb, gb, {}, 2},
          std::span<const fg::objectives::rate_constraint>(cs), relax, lambda.values(), dl);
      double value = 0;
      for (std::size_t j = 0; j < cs.size(); ++j) value += lambda.values()[j] * v.proxy[j];
      lambda.update(v);
      return value;
    };
    const double t = seconds([&] {
      m.initialize(1);
      fg::train::fit(m, train.view(), base_options(), hook);
    });
    row r{"proxy-Lagrangian, selection parity ε=0.005", evaluate(test, hard(logits_of(m, test))),
          t};
    r.checked = target::dp;
    r.bound = 0.05;
    rows.push_back(r);
  }

  // 3b. Proxy-Lagrangian with TFCO's swap-regret λ-player (proxy_lagrangian.hpp):
  // the weights are a distribution p over (objective, constraints); the trainer
  // minimises loss + Σ_j (p_j / p_0) proxy_j, i.e. p_0 · loss + Σ_j p_j proxy_j
  // rescaled by 1/p_0, since its own loss gradient has weight 1.
  {
    fg::train::feedforward m(train.cols, {});
    const auto cs =
        fg::objectives::parity_constraints(fg::objectives::rate_kind::selection, 2, 0.005);
    fg::objectives::proxy_lagrangian_options po;
    po.learning_rate = 1.0;
    fg::objectives::proxy_lagrangian player(cs.size(), po);
    const fg::objectives::relaxation relax{fg::objectives::relaxation_kind::sigmoid, 0.5};
    std::vector<std::uint8_t> yb;
    std::vector<std::uint32_t> gb;
    std::vector<double> weights(cs.size());
    const auto hook = [&](std::span<const std::size_t> r, std::span<const double> logits,
                          std::span<double> dl) {
      gather_batch(train, r, yb, gb);
      for (std::size_t j = 0; j < cs.size(); ++j)
        weights[j] = player.constraint_weights()[j] / player.objective_weight();
      const auto v = fg::objectives::evaluate_constraints(
          fg::objectives::penalty_inputs<double>{logits, yb, gb, {}, 2},
          std::span<const fg::objectives::rate_constraint>(cs), relax, weights, dl);
      double value = 0;
      for (std::size_t j = 0; j < cs.size(); ++j) value += weights[j] * v.proxy[j];
      player.update(v);
      return value;
    };
    const double t = seconds([&] {
      m.initialize(1);
      fg::train::fit(m, train.view(), base_options(), hook);
    });
    std::printf(
        "  proxy-Lagrangian (swap regret): final weights p_0 = %.4f, max p_j = %.4f\n",
        player.objective_weight(),
        *std::max_element(player.constraint_weights().begin(), player.constraint_weights().end()));
    row r{"proxy-Lagrangian (TFCO swap regret), selection parity ε=0.005",
          evaluate(test, hard(logits_of(m, test))), t};
    r.checked = target::dp;
    r.bound = 0.05;
    rows.push_back(r);
  }

  // 4. Exponentiated gradient. Its oracle is Fairlearn's: a full fit of
  // sklearn's LogisticRegression() (C = 1) on the reduction's relabelled,
  // reweighted rows (weights n·|sw|/Σ|sw|, as fairlearn's _Lagrangian gives
  // its estimator), i.e. train::fit_logistic_newton with C = 1, to
  // convergence. Step rule tol = 1e-6 rather than the default 1e-10: the fit
  // stops after a full Newton step of relative size ≤ 1e-6, and Newton's
  // quadratic convergence leaves an error of order tol² ≈ 1e-12 after it (on
  // Adult a 5e-8 step is followed by a 1e-14 one), so the models, and every
  // figure of the table, are the same as at 1e-10; it saves the one extra
  // step per call, of 20–100 calls per fit (sklearn's default tol is 1e-4).
  // Warm-started from the previous call's solution (the minimiser is unique,
  // so this changes only how fast it is reached); the first call starts from
  // zero, inside the timed fit. When every row with weight carries one label,
  // the response is that constant, as fairlearn's DummyClassifier (a logistic
  // fit has no finite minimiser then).
  fg::train::newton_options oracle_options;  // C = 1: Fairlearn's LogisticRegression()
  oracle_options.tol = 1e-6;
  auto run_eg = [&](fg::mitigation::eg_moment moment, bool lp_step, row& r) {
    std::vector<fg::train::logistic_model> models;
    fg::train::logistic_model warm{std::vector<double>(train.cols, 0.0), 0.0};
    std::size_t newton_steps = 0, constant = 0;
    const fg::mitigation::eg_learner learner{
        [&](std::span<const std::uint8_t> y, std::span<const double> w) {
          double w_pos = 0, w_neg = 0;
          for (std::size_t i = 0; i < y.size(); ++i) (y[i] ? w_pos : w_neg) += w[i];
          if (!(w_pos > 0 && w_neg > 0)) {
            ++constant;
            models.push_back({std::vector<double>(train.cols, 0.0), w_pos > 0 ? 1.0 : -1.0});
            return models.size() - 1;
          }
          const fg::train::dataset_view d{train.x, train.rows, train.cols, y, w, {}, 0};
          auto fit = fg::train::fit_logistic_newton(d, oracle_options, warm);
          fg::require(fit.converged, fg::errc::internal,
                      "exponentiated gradient's logistic-regression oracle did not converge");
          newton_steps += fit.iterations;
          warm = fit.model;
          models.push_back(std::move(fit.model));
          return models.size() - 1;
        },
        [&](std::size_t id) { return hard_u8(logits_of(models[id], train)); }};
    fg::mitigation::eg_result res;
    const double t = seconds([&] {
      fg::mitigation::eg_options eo;
      eo.run_linprog_step = lp_step;
      res = fg::mitigation::exponentiated_gradient(train.y, train.sex, 2, moment, learner, eo);
    });
    std::vector<std::vector<std::uint8_t>> preds, preds_train;
    std::size_t support = 0;  // classifiers with positive weight in the final Q
    for (std::size_t k = 0; k < res.classifier_ids.size(); ++k) {
      preds.push_back(hard_u8(logits_of(models[res.classifier_ids[k]], test)));
      preds_train.push_back(hard_u8(logits_of(models[res.classifier_ids[k]], train)));
      support += res.weights[k] > 0 ? 1 : 0;
    }
    const auto on_train = evaluate(train, fg::mitigation::ensemble_probability(res, preds_train));
    r.test = evaluate(test, fg::mitigation::predict_ensemble(res, preds, 7));
    r.fit_s = t;
    r.randomized = true;
    r.boot = bootstrap(test, fg::mitigation::ensemble_probability(res, preds), r.checked);
    r.seeds = over_seeds(
        test,
        [&](std::uint64_t seed) { return fg::mitigation::predict_ensemble(res, preds, seed); },
        r.checked);
    std::size_t lp_kept = 0;
    for (auto f : res.from_lp) lp_kept += f;
    std::printf(
        "  EG %s%s: %zu iterations, %zu oracle calls (%zu Newton steps, %zu constant), %zu LPs, "
        "LP mixture kept in %zu iterations, best gap %.4f from %s (nu %.5f); Q mixes %zu of %zu "
        "classifiers, expected on train: accuracy %.4f, DP %.4f, EO %.4f\n",
        moment.kind == fg::mitigation::eg_moment_kind::demographic_parity ? "DP" : "EO",
        lp_step ? "" : " (no LP step)", res.iterations, res.oracle_calls, newton_steps, constant,
        res.lp_solves, lp_kept, res.best_gap, res.best_from_lp() ? "the LP" : "the EG average",
        res.nu, support, res.classifier_ids.size(), on_train.accuracy, on_train.dp, on_train.eo);
    print_noise("    noise", r);
  };
  // Fairlearn's rows are its defaults, with the LP step. The rows without it
  // are fairgate's ablation, held to the same figures: --check enforces every
  // row that has a target, and waives a miss only by the noise rule.
  for (bool lp_step : {true, false}) {
    const std::string suffix = lp_step ? "" : ", no LP step";
    {
      row r{"ExponentiatedGradient, DemographicParity(0.01)" + suffix,
            {},
            0,
            0.8327,
            0.0125,
            0.2748,
            52};
      r.checked = target::dp;
      r.bound = 0.0125;
      run_eg({fg::mitigation::eg_moment_kind::demographic_parity, 0.01}, lp_step, r);
      rows.push_back(r);
    }
    {
      row r{
          "ExponentiatedGradient, EqualizedOdds(0.01)" + suffix, {}, 0, 0.8399, 0.1038, 0.0365, 62};
      r.checked = target::eo;
      r.bound = 0.0365;
      run_eg({fg::mitigation::eg_moment_kind::equalized_odds, 0.01}, lp_step, r);
      rows.push_back(r);
    }
  }

  // 5. Threshold optimizer on the unmitigated row's scores (sklearn's
  // converged LogisticRegression(), as Fairlearn's run post-processes). The
  // fit time is the threshold fit alone.
  for (auto c : {fg::mitigation::threshold_constraint::demographic_parity,
                 fg::mitigation::threshold_constraint::equalized_odds}) {
    fg::mitigation::threshold_options opt;
    opt.constraint = c;
    fg::mitigation::threshold_rules rules;
    const double t = seconds(
        [&] { rules = fg::mitigation::fit_thresholds(lr.train, train.y, train.sex, 2, opt); });
    const bool dp = c == fg::mitigation::threshold_constraint::demographic_parity;
    row r{dp ? "ThresholdOptimizer, demographic_parity" : "ThresholdOptimizer, equalized_odds",
          evaluate(test, fg::mitigation::predict_thresholds(rules, lr.test, test.sex, 7)), t};
    if (dp) {
      r.fl_accuracy = 0.8304;
      r.fl_dp = 0.0052;
      r.fl_eo = 0.3261;
      r.fl_time = 0.3;
      r.checked = target::dp;
      r.bound = 0.0052;
    } else {
      r.fl_accuracy = 0.8342;
      r.fl_dp = 0.0872;
      r.fl_eo = 0.0040;
      r.fl_time = 0.4;
      r.checked = target::eo;
      r.bound = 0.0040;
    }
    const auto expected = fg::mitigation::threshold_probability(rules, lr.test, test.sex);
    const auto e = evaluate(test, expected);
    const auto on_train =
        evaluate(train, fg::mitigation::threshold_probability(rules, lr.train, train.sex));
    r.randomized = true;
    r.boot = bootstrap(test, expected, r.checked);
    r.seeds = over_seeds(
        test,
        [&](std::uint64_t seed) {
          return fg::mitigation::predict_thresholds(rules, lr.test, test.sex, seed);
        },
        r.checked);
    std::printf(
        "  ThresholdOptimizer %s: expected on test (no randomization): accuracy %.4f, DP %.4f, EO "
        "%.4f; expected on train: DP %.4f, EO %.4f\n",
        dp ? "DP" : "EO", e.accuracy, e.dp, e.eo, on_train.dp, on_train.eo);
    print_noise("    noise", r);
    rows.push_back(r);
  }
  print_with_sex_feature(adult);

  // 6. Reweighing, then the reference trainer.
  {
    fg::train::feedforward m(train.cols, {});
    const double t = seconds([&] {
      const auto rw = fg::mitigation::reweighing(train.y, train.sex, 2);
      m.initialize(1);
      fg::train::fit(m, train.view(rw.row_weights), base_options());
    });
    row r{"Reweighing (Kamiran & Calders), reference trainer",
          evaluate(test, hard(logits_of(m, test))), t};
    r.checked = target::dp;
    r.bound = 0.15;
    rows.push_back(r);
  }

  std::printf(
      "\n| method | test accuracy | DP difference | EO difference | fit time | Fairlearn 0.12 (acc "
      "/ DP / EO / time) |\n");
  std::printf("|---|---|---|---|---|---|\n");
  // Both unmitigated models must show a clear disparity.
  bool ok = rows[0].test.dp > 0.1 && rows[1].test.dp > 0.1;
  std::size_t missed = 0;  // rows that miss a target (waived, or failing the check)
  for (const auto& r : rows) {
    std::printf("| %s | %.4f | %.4f | %.4f | %.3f s |", r.method.c_str(), r.test.accuracy,
                r.test.dp, r.test.eo, r.fit_s);
    if (std::isnan(r.fl_accuracy))
      std::printf(" — |\n");
    else
      std::printf(" %.4f / %.4f / %.4f / %.1f s |\n", r.fl_accuracy, r.fl_dp, r.fl_eo, r.fl_time);
    if (r.checked == target::none) continue;
    const bool disparity_ok = disparity(r.test, r.checked) <= r.bound;
    const bool accuracy_ok = std::isnan(r.fl_accuracy) || r.test.accuracy >= r.fl_accuracy - 0.005;
    if (disparity_ok && accuracy_ok) continue;
    // The noise rule excuses the disparity only; a missed accuracy fails.
    const std::string noise = disparity_ok ? std::string() : waiver_if_noise(r);
    const bool excused = accuracy_ok && !noise.empty();
    std::printf("  ^ misses its target: %s <= %.4f%s", r.checked == target::dp ? "DP" : "EO",
                r.bound, std::isnan(r.fl_accuracy) ? "" : " at accuracy >= Fairlearn's - 0.005");
    if (excused) std::printf(" (reported, not enforced: %s)", noise.c_str());
    std::printf("\n");
    ok = ok && excused;
    ++missed;
  }
  if (check) {
    std::printf("\n%s (%zu row(s) miss a target; the waived ones are reported, not enforced)\n",
                ok ? "all enforced targets met" : "some targets missed", missed);
    return ok ? 0 : 1;
  }
  return 0;
}
