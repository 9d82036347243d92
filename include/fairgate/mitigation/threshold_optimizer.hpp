// fairgate/mitigation/threshold_optimizer.hpp: group-specific (randomized)
// thresholds — post-processing as in Hardt, Price & Srebro 2016 and
// Fairlearn's ThresholdOptimizer.
//
//   auto rules = mitigation::fit_thresholds(scores, labels, groups, n_groups,
//                                           {.constraint = threshold_constraint::equalized_odds});
//   auto y_hat = mitigation::predict_thresholds(rules, scores, groups, /*seed=*/7);
//
// For each group, every threshold t (predict 1 iff score ≥ t, t over the
// group's distinct scores and +∞) is a point. Mixing two thresholds at random
// reaches every point between them, so a group can achieve exactly the upper
// concave hull of its points:
//   demographic_parity          x = selection rate,   y = group's share of the objective
//   true_positive_rate_parity   x = TPR,              y = same
//   false_positive_rate_parity  x = FPR,              y = same
//   equalized_odds              x = FPR, y = TPR (the ROC convex hull); a group
//                               below the common point mixes its hull classifier
//                               with the constant classifier P(ŷ=1) = x, which
//                               lies on the diagonal (Hardt et al. §4).
// x is searched on a grid k/grid_size, k = 0..grid_size; the first grid point
// with the best overall objective wins. The objective is exact and additive
// over groups:
//   accuracy           Σ_g (correct weight of g) / W
//   balanced_accuracy  ½ (Σ_g TP_g / P + Σ_g TN_g / N)
// (Fairlearn 0.12 instead weights each group's balanced accuracy by its
// size, an approximation; fairgate optimises the exact overall value.)
//
// Prediction is randomized only through a keyed stream: row i uses words
// 2i and 2i+1 of stream(seed, "mitigate.randomized_predict", 0), so the same
// seed and rows give the same predictions everywhere (cf. fairlearn#1261).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/rng/stream.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace mitigation {

enum class threshold_constraint {
  demographic_parity,
  true_positive_rate_parity,
  false_positive_rate_parity,
  equalized_odds,
};
enum class threshold_objective { accuracy, balanced_accuracy };

struct threshold_options {
  threshold_constraint constraint = threshold_constraint::demographic_parity;
  threshold_objective objective = threshold_objective::accuracy;
  std::size_t grid_size = 1000;
};

// One group's randomized rule:
//   with probability p_hull: use threshold_a with probability p_a, else threshold_b;
//   otherwise: predict 1 with probability constant_rate.
struct group_rule {
  double threshold_a = std::numeric_limits<double>::infinity();
  double threshold_b = std::numeric_limits<double>::infinity();
  double p_a = 1.0;
  double p_hull = 1.0;
  double constant_rate = 0.0;
  double achieved_x = 0.0;  // the group's expected x (selection rate / TPR / FPR)
  double achieved_tpr = 0.0;
  double achieved_fpr = 0.0;
};

struct threshold_rules {
  threshold_options options;
  std::vector<group_rule> groups;
  double x = 0.0;          // the common operating point chosen on the grid
  double objective = 0.0;  // expected overall objective on the fitting data
};

namespace detail {

struct hull_point {
  double x, y;      // y: the group's additive share of the objective (or TPR for EO)
  double tpr, fpr;  // kept for the rule's bookkeeping
  double threshold;
};

// Upper concave hull of points sorted by x (ties: the larger y kept first).
inline std::vector<hull_point> upper_hull(std::vector<hull_point> pts) {
  std::stable_sort(pts.begin(), pts.end(), [](const hull_point& a, const hull_point& b) {
    return a.x < b.x || (a.x == b.x && a.y > b.y);
  });
  std::vector<hull_point> h;
  for (const auto& p : pts) {
    if (!h.empty() && h.back().x == p.x) continue;  // same x, lower or equal y
    while (h.size() >= 2) {
      const auto& a = h[h.size() - 2];
      const auto& b = h.back();
      // Remove b if it lies on or below the segment a→p.
      const double cross = (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x);
      if (cross >= 0.0)
        h.pop_back();
      else
        break;
    }
    h.push_back(p);
  }
  return h;
}

// The hull segment containing x, with the weight of its left end.
struct segment {
  const hull_point* a;
  const hull_point* b;
  double p_a;
  [[nodiscard]] double y() const { return p_a * a->y + (1.0 - p_a) * b->y; }
};

inline segment locate(const std::vector<hull_point>& h, double x) {
  if (x <= h.front().x) return {&h.front(), &h.front(), 1.0};
  for (std::size_t k = 1; k < h.size(); ++k) {
    if (x <= h[k].x) {
      const double span = h[k].x - h[k - 1].x;
      return {&h[k - 1], &h[k], (h[k].x - x) / span};
    }
  }
  return {&h.back(), &h.back(), 1.0};
}

}  // namespace detail

inline threshold_rules fit_thresholds(std::span<const double> scores,
                                      std::span<const std::uint8_t> labels,
                                      std::span<const std::uint32_t> groups, std::uint32_t n_groups,
                                      const threshold_options& opt,
                                      std::span<const double> weights = {}) {
  const std::size_t n = scores.size();
  require(labels.size() == n && groups.size() == n, errc::length_mismatch,
          "scores, labels and groups must have the same length");
  require(weights.empty() || weights.size() == n, errc::length_mismatch,
          "weights must be empty or one per row");
  require(opt.grid_size >= 1, errc::invalid_argument, "grid_size must be at least 1");
  require(n_groups > 0, errc::invalid_argument, "n_groups must be at least 1");
  auto w_of = [&](std::size_t i) { return weights.empty() ? 1.0 : weights[i]; };

  std::vector<std::vector<std::size_t>> rows(n_groups);
  double P = 0.0, N = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    require(std::isfinite(scores[i]), errc::invalid_value,
            [&] { return "scores[" + std::to_string(i) + "] is not finite"; });
    require(labels[i] <= 1, errc::out_of_range,
            [&] { return "labels[" + std::to_string(i) + "] must be 0 or 1"; });
    require(groups[i] < n_groups, errc::out_of_range,
            [&] { return "groups[" + std::to_string(i) + "] is not below n_groups"; });
    require(std::isfinite(w_of(i)) && w_of(i) >= 0.0, errc::invalid_value,
            [&] { return "weights[" + std::to_string(i) + "] must be finite and non-negative"; });
    rows[groups[i]].push_back(i);
    (labels[i] ? P : N) += w_of(i);
  }
  const double W = P + N;
  require(W > 0.0, errc::empty_input, "no rows with positive weight");
  const bool balanced = opt.objective == threshold_objective::balanced_accuracy;
  require(!balanced || (P > 0.0 && N > 0.0), errc::invalid_argument,
          "balanced accuracy needs both labels present");
  const auto c = opt.constraint;

  std::vector<std::vector<detail::hull_point>> hulls(n_groups);
  std::vector<double> group_p(n_groups, 0.0), group_n(n_groups, 0.0);
  for (std::uint32_t g = 0; g < n_groups; ++g) {
    auto& r = rows[g];
    for (std::size_t i : r) (labels[i] ? group_p[g] : group_n[g]) += w_of(i);
    const double Pg = group_p[g], Ng = group_n[g];
    require(Pg + Ng > 0.0, errc::empty_input,
            [&] { return "group " + std::to_string(g) + " has no rows with positive weight"; });
    const bool needs_pos = c != threshold_constraint::demographic_parity &&
                           c != threshold_constraint::false_positive_rate_parity;
    const bool needs_neg = c == threshold_constraint::false_positive_rate_parity ||
                           c == threshold_constraint::equalized_odds;
    require(!needs_pos || Pg > 0.0, errc::empty_input, [&] {
      return "group " + std::to_string(g) + " has no positive rows: its TPR is undefined";
    });
    require(!needs_neg || Ng > 0.0, errc::empty_input, [&] {
      return "group " + std::to_string(g) + " has no negative rows: its FPR is undefined";
    });

    // Descending scores; each distinct score is a threshold (predict s >= t).
    std::stable_sort(r.begin(), r.end(),
                     [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
    std::vector<detail::hull_point> pts;
    double tp = 0.0, fp = 0.0;
    auto add_point = [&](double threshold) {
      const double tn = Ng - fp, fn = Pg - tp;
      (void)fn;
      const double tpr = Pg > 0.0 ? tp / Pg : 0.0;
      const double fpr = Ng > 0.0 ? fp / Ng : 0.0;
      double y = balanced ? 0.5 * (tp / P + tn / N) : (tp + tn) / W;
      double x = 0.0;
      switch (c) {
        case threshold_constraint::demographic_parity:
          x = (tp + fp) / (Pg + Ng);
          break;
        case threshold_constraint::true_positive_rate_parity:
          x = tpr;
          break;
        case threshold_constraint::false_positive_rate_parity:
          x = fpr;
          break;
        case threshold_constraint::equalized_odds:
          x = fpr;
          y = tpr;
          break;
      }
      pts.push_back({x, y, tpr, fpr, threshold});
    };
    add_point(std::numeric_limits<double>::infinity());
    for (std::size_t k = 0; k < r.size();) {
      const double t = scores[r[k]];
      for (; k < r.size() && scores[r[k]] == t; ++k) (labels[r[k]] ? tp : fp) += w_of(r[k]);
      add_point(t);
    }
    hulls[g] = detail::upper_hull(std::move(pts));
  }

  // Search the common x on the grid.
  threshold_rules best;
  best.options = opt;
  best.objective = -std::numeric_limits<double>::infinity();
  for (std::size_t k = 0; k <= opt.grid_size; ++k) {
    const double x = static_cast<double>(k) / static_cast<double>(opt.grid_size);
    double value = 0.0;
    if (c == threshold_constraint::equalized_odds) {
      double y = 1.0;
      for (const auto& h : hulls) y = std::min(y, detail::locate(h, x).y());
      value = balanced ? 0.5 * (y + 1.0 - x) : (P * y + N * (1.0 - x)) / W;
    } else {
      for (const auto& h : hulls) value += detail::locate(h, x).y();
    }
    if (value > best.objective) {
      best.objective = value;
      best.x = x;
    }
  }

  // Turn the chosen point into one randomized rule per group.
  double common_tpr = 1.0;
  if (c == threshold_constraint::equalized_odds) {
    for (const auto& h : hulls) common_tpr = std::min(common_tpr, detail::locate(h, best.x).y());
  }
  for (std::uint32_t g = 0; g < n_groups; ++g) {
    const auto s = detail::locate(hulls[g], best.x);
    group_rule rule;
    rule.threshold_a = s.a->threshold;
    rule.threshold_b = s.b->threshold;
    rule.p_a = s.p_a;
    rule.achieved_tpr = s.p_a * s.a->tpr + (1.0 - s.p_a) * s.b->tpr;
    rule.achieved_fpr = s.p_a * s.a->fpr + (1.0 - s.p_a) * s.b->fpr;
    rule.achieved_x = best.x;
    if (c == threshold_constraint::equalized_odds) {
      const double h = s.y();
      rule.constant_rate = best.x;
      rule.p_hull = h > best.x ? (common_tpr - best.x) / (h - best.x) : 1.0;
      rule.achieved_tpr = rule.p_hull * h + (1.0 - rule.p_hull) * best.x;
      rule.achieved_fpr = best.x;
    }
    best.groups.push_back(rule);
  }
  return best;
}

// P(ŷ_i = 1) under the fitted rules: the expected prediction, for reporting
// disparities without the sampling noise of one randomized draw.
inline std::vector<double> threshold_probability(const threshold_rules& rules,
                                                 std::span<const double> scores,
                                                 std::span<const std::uint32_t> groups) {
  require(scores.size() == groups.size(), errc::length_mismatch,
          "scores and groups must have the same length");
  std::vector<double> p(scores.size());
  for (std::size_t i = 0; i < scores.size(); ++i) {
    require(groups[i] < rules.groups.size(), errc::out_of_range,
            [&] { return "groups[" + std::to_string(i) + "] has no fitted rule"; });
    const auto& r = rules.groups[groups[i]];
    const double hull = r.p_a * (scores[i] >= r.threshold_a ? 1.0 : 0.0) +
                        (1.0 - r.p_a) * (scores[i] >= r.threshold_b ? 1.0 : 0.0);
    p[i] = r.p_hull * hull + (1.0 - r.p_hull) * r.constant_rate;
  }
  return p;
}

// Randomized predictions of fitted rules; row i draws from words 2i, 2i+1.
inline std::vector<std::uint8_t> predict_thresholds(const threshold_rules& rules,
                                                    std::span<const double> scores,
                                                    std::span<const std::uint32_t> groups,
                                                    std::uint64_t seed) {
  require(scores.size() == groups.size(), errc::length_mismatch,
          "scores and groups must have the same length");
  const rng::stream s(seed, rng::purposes::randomized_predict, 0);
  std::vector<std::uint8_t> out(scores.size());
  for (std::size_t i = 0; i < scores.size(); ++i) {
    require(groups[i] < rules.groups.size(), errc::out_of_range,
            [&] { return "groups[" + std::to_string(i) + "] has no fitted rule"; });
    require(std::isfinite(scores[i]), errc::invalid_value,
            [&] { return "scores[" + std::to_string(i) + "] is not finite"; });
    const auto& r = rules.groups[groups[i]];
    // Exact conversions: a 32-bit word over 2^32 is a dyadic rational in [0, 1).
    const double u1 = static_cast<double>(s.word_at(2 * i)) * 0x1p-32;
    const double u2 = static_cast<double>(s.word_at(2 * i + 1)) * 0x1p-32;
    if (u1 < r.p_hull) {
      const double t = u2 < r.p_a ? r.threshold_a : r.threshold_b;
      out[i] = scores[i] >= t ? 1 : 0;
    } else {
      out[i] = u2 < r.constant_rate ? 1 : 0;
    }
  }
  return out;
}

}  // namespace mitigation

FAIRGATE_END_NAMESPACE
