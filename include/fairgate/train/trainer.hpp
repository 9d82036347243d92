// fairgate/train/trainer.hpp: deterministic mini-batch training of the reference model.
//
//   train::fit_options opt;  opt.epochs = 10;  opt.seed = 7;
//   auto report = train::fit(model, data, opt);                 // plain log-loss
//   auto fair = train::fit(model, data, opt, penalty);          // + a fairness penalty
//
// Objective per mini-batch B: the weighted mean binary cross-entropy
//   L_B = Σ_{i∈B} w_i ℓ(s_i, y_i) / Σ_{i∈B} w_i,  ℓ(s, y) = softplus(s) − y s,
// plus (l2 / 2)·‖W‖² over weights (not biases), plus whatever the penalty hook
// adds. The hook sees the batch's rows and logits and writes ∂penalty/∂logit,
// so objectives::penalties, Lagrangian multipliers or any host-defined term
// plug in without the trainer knowing about groups.
//
// Determinism: batches come from a Fisher–Yates shuffle of the row indices
// drawn from stream(seed, "train.minibatch", epoch); gradients accumulate row
// by row in batch order; Adam uses only +, −, ×, ÷ and sqrt. Same seed, same
// data → same bits on every compiler and CPU.
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <numeric>
#include <span>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/math/deterministic.hpp>
#include <fairgate/objectives/relaxation.hpp>
#include <fairgate/rng/permutation.hpp>
#include <fairgate/rng/stream.hpp>
#include <fairgate/train/dataset.hpp>
#include <fairgate/train/feedforward.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace train {

enum class optimizer_kind { sgd, adam };

struct fit_options {
  std::size_t epochs = 10;
  std::size_t batch_size = 256;
  double learning_rate = 0.01;
  double l2 = 0.0;  // weight decay on weights (not biases)
  optimizer_kind optimizer = optimizer_kind::adam;
  double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;  // Adam (Kingma & Ba 2015)
  std::uint64_t seed = 0;
};

// Writes ∂penalty/∂logit for each batch row into `dlogit` (already zeroed) and
// returns the penalty's value. `rows` are dataset row indices.
using penalty_hook = std::function<double(
    std::span<const std::size_t> rows, std::span<const double> logits, std::span<double> dlogit)>;
// Called after every optimizer step (e.g. to re-apply pruning masks).
using step_hook = std::function<void(feedforward&)>;

struct epoch_log {
  std::size_t epoch = 0;
  double mean_loss = 0.0;     // weighted mean log-loss over the epoch's batches
  double mean_penalty = 0.0;  // mean of the hook's values over batches
};

struct fit_report {
  std::vector<epoch_log> epochs;
  std::size_t steps = 0;
};

// ℓ(s, y) = log(1 + e^s) − y s, and its slope σ(s) − y.
inline double logistic_loss(double s, std::uint8_t y) noexcept {
  return objectives::stable_softplus(s) - (y ? s : 0.0);
}

// Weighted mean log-loss of the model on every row of `d`.
inline double mean_log_loss(const feedforward& m, const dataset_view& d) {
  validate(d);
  std::vector<double> logits(d.rows);
  m.predict_logits(d, logits);
  double num = 0.0, den = 0.0;
  for (std::size_t i = 0; i < d.rows; ++i) {
    num += d.weight(i) * logistic_loss(logits[i], d.labels[i]);
    den += d.weight(i);
  }
  return den > 0.0 ? num / den : 0.0;
}

namespace detail {

class optimizer_state {
 public:
  optimizer_state(const feedforward& m, const fit_options& o) : opt_(o) {
    m1_ = m.zero_gradients();
    m2_ = m.zero_gradients();
  }

  void step(feedforward& m, const parameter_gradients& g) {
    ++t_;
    b1t_ *= opt_.beta1;
    b2t_ *= opt_.beta2;
    auto& layers = m.layers();
    for (std::size_t l = 0; l < layers.size(); ++l) {
      update(layers[l].weight, g.weight[l], m1_.weight[l], m2_.weight[l], opt_.l2);
      update(layers[l].bias, g.bias[l], m1_.bias[l], m2_.bias[l], 0.0);
    }
  }

 private:
  void update(std::vector<double>& p, const std::vector<double>& g, std::vector<double>& m1,
              std::vector<double>& m2, double l2) {
    for (std::size_t k = 0; k < p.size(); ++k) {
      const double grad = g[k] + l2 * p[k];
      if (opt_.optimizer == optimizer_kind::sgd) {
        p[k] -= opt_.learning_rate * grad;
        continue;
      }
      m1[k] = opt_.beta1 * m1[k] + (1.0 - opt_.beta1) * grad;
      m2[k] = opt_.beta2 * m2[k] + (1.0 - opt_.beta2) * (grad * grad);
      const double m_hat = m1[k] / (1.0 - b1t_);
      const double v_hat = m2[k] / (1.0 - b2t_);
      p[k] -= opt_.learning_rate * m_hat / (std::sqrt(v_hat) + opt_.epsilon);
    }
  }

  fit_options opt_;
  parameter_gradients m1_, m2_;
  std::size_t t_ = 0;
  double b1t_ = 1.0, b2t_ = 1.0;  // β^t by repeated multiplication (no pow)
};

inline void validate_options(const fit_options& o) {
  require(o.batch_size > 0, errc::invalid_argument, "batch_size must be at least 1");
  require(o.learning_rate > 0.0 && std::isfinite(o.learning_rate), errc::invalid_argument,
          "learning_rate must be positive and finite");
  require(o.l2 >= 0.0 && std::isfinite(o.l2), errc::invalid_argument, "l2 must be >= 0");
  require(o.beta1 >= 0.0 && o.beta1 < 1.0 && o.beta2 >= 0.0 && o.beta2 < 1.0,
          errc::invalid_argument, "Adam betas must lie in [0, 1)");
}

}  // namespace detail

// Trains `m` in place and returns the per-epoch log.
inline fit_report fit(feedforward& m, const dataset_view& d, const fit_options& o,
                      const penalty_hook& penalty = {}, const step_hook& after_step = {}) {
  validate(d);
  detail::validate_options(o);
  require(d.cols == m.inputs(), errc::length_mismatch, [&] {
    return "data has " + std::to_string(d.cols) + " features but the model expects " +
           std::to_string(m.inputs());
  });
  require(d.rows > 0, errc::empty_input, "cannot train on zero rows");

  detail::optimizer_state state(m, o);
  fit_report report;
  std::vector<std::size_t> order(d.rows);
  std::vector<double> logits, dlogit, dpenalty;
  std::vector<std::vector<double>> act;

  for (std::size_t epoch = 0; epoch < o.epochs; ++epoch) {
    std::iota(order.begin(), order.end(), std::size_t{0});
    rng::stream s(o.seed, rng::purposes::minibatch, static_cast<std::uint32_t>(epoch));
    rng::shuffle(s, std::span<std::size_t>(order));
    double loss_sum = 0.0, penalty_sum = 0.0;
    std::size_t batches = 0;
    for (std::size_t start = 0; start < d.rows; start += o.batch_size) {
      const std::size_t end = std::min(d.rows, start + o.batch_size);
      const std::span<const std::size_t> rows(order.data() + start, end - start);
      logits.resize(rows.size());
      dlogit.assign(rows.size(), 0.0);
      double wsum = 0.0, loss = 0.0;
      for (std::size_t k = 0; k < rows.size(); ++k) {
        logits[k] = m.logit(d.row(rows[k]), act);
        wsum += d.weight(rows[k]);
      }
      if (wsum <= 0.0) continue;  // an all-zero-weight batch carries no signal
      for (std::size_t k = 0; k < rows.size(); ++k) {
        const double w = d.weight(rows[k]) / wsum;
        const std::uint8_t y = d.labels[rows[k]];
        loss += w * logistic_loss(logits[k], y);
        dlogit[k] = w * (objectives::stable_sigmoid(logits[k]) - static_cast<double>(y));
      }
      double pen = 0.0;
      if (penalty) {
        dpenalty.assign(rows.size(), 0.0);
        pen = penalty(rows, logits, dpenalty);
        for (std::size_t k = 0; k < rows.size(); ++k) dlogit[k] += dpenalty[k];
      }
      parameter_gradients g = m.zero_gradients();
      m.backward(d, rows, dlogit, g);
      state.step(m, g);
      if (after_step) after_step(m);
      loss_sum += loss;
      penalty_sum += pen;
      ++batches;
      ++report.steps;
    }
    const double nb = batches > 0 ? static_cast<double>(batches) : 1.0;
    report.epochs.push_back({epoch, loss_sum / nb, penalty_sum / nb});
  }
  return report;
}

// Per-group gradient of the group's weighted mean log-loss, for saliency
// (e.g. first-order Taylor |w·g| per group). Groups without rows get zeros.
inline std::vector<parameter_gradients> group_gradients(const feedforward& m,
                                                        const dataset_view& d) {
  validate(d);
  require(!d.groups.empty(), errc::invalid_argument, "group_gradients needs group codes");
  std::vector<std::vector<std::size_t>> rows(d.n_groups);
  std::vector<double> wsum(d.n_groups, 0.0);
  for (std::size_t i = 0; i < d.rows; ++i) {
    rows[d.groups[i]].push_back(i);
    wsum[d.groups[i]] += d.weight(i);
  }
  std::vector<parameter_gradients> out;
  std::vector<std::vector<double>> act;
  for (std::uint32_t g = 0; g < d.n_groups; ++g) {
    parameter_gradients grad = m.zero_gradients();
    if (wsum[g] > 0.0) {
      std::vector<double> dlogit(rows[g].size());
      for (std::size_t k = 0; k < rows[g].size(); ++k) {
        const std::size_t i = rows[g][k];
        const double s = m.logit(d.row(i), act);
        dlogit[k] = d.weight(i) / wsum[g] *
                    (objectives::stable_sigmoid(s) - static_cast<double>(d.labels[i]));
      }
      m.backward(d, rows[g], dlogit, grad);
    }
    out.push_back(std::move(grad));
  }
  return out;
}

}  // namespace train

FAIRGATE_END_NAMESPACE
