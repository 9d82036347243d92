// Golden program for scripts/check-determinism: the reference trainer,
// penalties and mitigations must give the same bits on every compiler,
// optimisation level and CPU. Prints one "<name> <fnv1a64>" line each.
#include <bit>
#include <cinttypes>
#include <cstdio>
#include <vector>

#include <fairgate/digest.hpp>
#include <fairgate/mitigation/exponentiated_gradient.hpp>
#include <fairgate/mitigation/reweighing.hpp>
#include <fairgate/mitigation/threshold_optimizer.hpp>
#include <fairgate/objectives/lagrangian.hpp>
#include <fairgate/objectives/penalties.hpp>
#include <fairgate/objectives/proxy_lagrangian.hpp>
#include <fairgate/rng/uniform.hpp>
#include <fairgate/train/trainer.hpp>

namespace fg = fairgate;

namespace {

constexpr std::size_t kRows = 2000, kCols = 10;

struct data {
  std::vector<double> x;
  std::vector<std::uint8_t> y;
  std::vector<std::uint32_t> g;
  [[nodiscard]] fg::train::dataset_view view(std::span<const double> w = {}) const {
    return {x, kRows, kCols, y, w, g, 3};
  }
};

data make_data() {
  fg::rng::stream s(77, fg::rng::purposes::test);
  data d;
  for (std::size_t i = 0; i < kRows; ++i) {
    const std::uint32_t grp = fg::rng::bounded_u32(s, 3);
    double z = 0.3 * grp;
    for (std::size_t j = 0; j < kCols; ++j) {
      const double v = 2.0 * fg::rng::uniform_double(s) - 1.0;
      d.x.push_back(v);
      z += (j % 3 == 0 ? 1.0 : -0.5) * v;
    }
    d.y.push_back(z + 0.5 * (fg::rng::uniform_double(s) - 0.5) > 0 ? 1 : 0);
    d.g.push_back(grp);
  }
  return d;
}

void put(fg::fnv1a64& h, double v) {
  h.update_u64(std::bit_cast<std::uint64_t>(v));
}

std::uint64_t hash_model(const fg::train::feedforward& m) {
  fg::fnv1a64 h;
  for (const auto& L : m.layers()) {
    for (double v : L.weight) put(h, v);
    for (double v : L.bias) put(h, v);
  }
  return h.value();
}

void print(const char* name, std::uint64_t v) {
  std::printf("%s %016" PRIx64 "\n", name, v);
}

}  // namespace

int main() {
  const data d = make_data();
  fg::train::fit_options opt;
  opt.epochs = 3;
  opt.seed = 5;

  fg::train::feedforward lr(kCols, {});
  lr.initialize(1);
  fg::train::fit(lr, d.view(), opt);
  print("train.logistic", hash_model(lr));

  fg::train::feedforward mlp(kCols, {8, 4});
  mlp.initialize(2);
  fg::train::fit(mlp, d.view(), opt);
  print("train.mlp", hash_model(mlp));

  std::vector<double> logits(kRows), grad(kRows);
  lr.predict_logits(d.view(), logits);
  {
    fg::fnv1a64 h;
    for (auto kind :
         {fg::objectives::relaxation_kind::sigmoid, fg::objectives::relaxation_kind::hinge,
          fg::objectives::relaxation_kind::softplus}) {
      fg::objectives::penalty_options po;
      po.relax = {kind, 0.7};
      po.form = fg::objectives::gap_form::sum_squared_to_overall;
      const fg::objectives::penalty_inputs<double> in{logits, d.y, d.g, {}, 3};
      put(h, fg::objectives::demographic_parity(in, po, std::span<double>(grad)).value);
      for (double v : grad) put(h, v);
      put(h, fg::objectives::equalized_odds(in, po, fg::objectives::odds_aggregate::mean,
                                            std::span<double>(grad))
                 .value);
      for (double v : grad) put(h, v);
      put(h, fg::objectives::calibration_gap(in, po.form, std::span<double>(grad)).value);
      put(h, fg::objectives::loss_equalisation(in, po.form, 0.01, std::span<double>(grad)).value);
      for (double v : grad) put(h, v);
    }
    print("objectives.penalties", h.value());
  }
  {
    // The f32 kernel (f32 scores, f32 gradient): 3 groups exercise the
    // compare-and-add sums, 20 groups (20 and 40 slots) the f64 scatter.
    const std::vector<float> s32(logits.begin(), logits.end());
    std::vector<float> w32(kRows), grad32(kRows);
    std::vector<std::uint32_t> g20(kRows);
    for (std::size_t i = 0; i < kRows; ++i) {
      w32[i] = 0.25f + static_cast<float>(i % 7) * 0.5f;
      g20[i] = static_cast<std::uint32_t>((d.g[i] * 7 + i) % 20);
    }
    fg::fnv1a64 h;
    for (auto kind :
         {fg::objectives::relaxation_kind::sigmoid, fg::objectives::relaxation_kind::hinge,
          fg::objectives::relaxation_kind::softplus}) {
      fg::objectives::penalty_options po;
      po.relax = {kind, 0.7};
      po.form = fg::objectives::gap_form::sum_squared_to_overall;
      for (const bool many_groups : {false, true}) {
        for (const bool weighted : {false, true}) {
          const fg::objectives::penalty_inputs<float> in{
              s32, d.y, many_groups ? std::span<const std::uint32_t>(g20) : d.g,
              weighted ? std::span<const float>(w32) : std::span<const float>(),
              many_groups ? 20u : 3u};
          put(h, fg::objectives::demographic_parity(in, po, std::span<float>(grad32)).value);
          for (float v : grad32) put(h, static_cast<double>(v));
          put(h, fg::objectives::equalized_odds(in, po, fg::objectives::odds_aggregate::mean,
                                                std::span<float>(grad32))
                     .value);
          for (float v : grad32) put(h, static_cast<double>(v));
          put(h, fg::objectives::loss_equalisation(in, po.form, 0.01, std::span<float>(grad32))
                     .value);
          for (float v : grad32) put(h, static_cast<double>(v));
        }
      }
    }
    print("objectives.penalties_f32", h.value());
  }
  {
    // Proxy-Lagrangian swap-regret player on the true selection-parity violations.
    fg::fnv1a64 h;
    const auto cs =
        fg::objectives::parity_constraints(fg::objectives::rate_kind::selection, 3, 0.02);
    for (auto kind :
         {fg::objectives::swap_update::multiplicative, fg::objectives::swap_update::additive}) {
      fg::objectives::proxy_lagrangian_options po;
      po.update = kind;
      po.learning_rate = 0.5;
      fg::objectives::proxy_lagrangian pl(cs.size(), po);
      const fg::objectives::penalty_inputs<double> in{logits, d.y, d.g, {}, 3};
      for (int t = 0; t < 5; ++t) {
        const auto v = fg::objectives::evaluate_constraints(
            in, std::span<const fg::objectives::rate_constraint>(cs),
            {fg::objectives::relaxation_kind::sigmoid, 0.5}, pl.constraint_weights(),
            std::span<double>(grad));
        for (double x : v.proxy) put(h, x);
        for (double x : grad) put(h, x);
        pl.update(v);
        for (double x : pl.distribution()) put(h, x);
      }
    }
    print("objectives.proxy_lagrangian", h.value());
  }
  {
    fg::fnv1a64 h;
    const auto rw = fg::mitigation::reweighing(d.y, d.g, 3);
    for (double v : rw.row_weights) put(h, v);
    print("mitigation.reweighing", h.value());
  }
  {
    fg::fnv1a64 h;
    for (auto c : {fg::mitigation::threshold_constraint::demographic_parity,
                   fg::mitigation::threshold_constraint::equalized_odds}) {
      fg::mitigation::threshold_options to;
      to.constraint = c;
      const auto rules = fg::mitigation::fit_thresholds(logits, d.y, d.g, 3, to);
      put(h, rules.x);
      put(h, rules.objective);
      for (auto v : fg::mitigation::predict_thresholds(rules, logits, d.g, 9)) h.update_byte(v);
    }
    print("mitigation.thresholds", h.value());
  }
  {
    std::vector<fg::train::feedforward> models;
    fg::train::feedforward current(kCols, {});
    current.initialize(3);
    const fg::mitigation::eg_learner learner{
        [&](std::span<const std::uint8_t> y, std::span<const double> w) {
          fg::train::fit_options o;
          o.epochs = 1;
          o.seed = models.size();
          fg::train::fit(current, fg::train::dataset_view{d.x, kRows, kCols, y, w, {}, 0}, o);
          models.push_back(current);
          return models.size() - 1;
        },
        [&](std::size_t id) {
          std::vector<double> lg(kRows);
          models[id].predict_logits(d.view(), lg);
          std::vector<std::uint8_t> p(kRows);
          for (std::size_t i = 0; i < kRows; ++i) p[i] = lg[i] >= 0 ? 1 : 0;
          return p;
        }};
    fg::mitigation::eg_options eo;
    eo.max_iter = 6;
    const auto r = fg::mitigation::exponentiated_gradient(
        d.y, d.g, 3, {fg::mitigation::eg_moment_kind::equalized_odds, 0.02}, learner, eo);
    fg::fnv1a64 h;
    for (double v : r.weights) put(h, v);
    for (double v : r.gaps) put(h, v);
    print("mitigation.exponentiated_gradient", h.value());
  }
  return 0;
}
