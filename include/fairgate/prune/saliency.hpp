// fairgate/prune/saliency.hpp: pruning by host-supplied saliency, including group-aware rules.
//
//   auto s = fairgate::prune::taylor_first_order(w, grad);            // |w * g|
//   auto r = fairgate::prune::saliency_unstructured(tensor::mask::like(w), s,
//   amount::fraction(0.5));
//   // group-aware: one importance vector per demographic group
//   auto c = fairgate::prune::combine_min(std::vector<std::span<const double>>{s_g0, s_g1});
//
// Scores are plain double vectors in the tensor's flat row-major order; the
// host computes gradients / Hessian diagonals however it likes (per group, by
// evaluating its loss on that group's rows). Lower score = less important =
// pruned first; ties -> lower flat index (lower (tensor, flat) globally)
// pruned first. NaN or Inf scores throw invalid_value naming the index.
//
// Saliencies:
//   taylor_first_order : s_i = |w_i * g_i|   (first-order Taylor estimate of the
//                        loss change when w_i is zeroed; Molchanov et al. 2017/2019)
//   obd                : s_i = 1/2 * h_ii * w_i^2  (Optimal Brain Damage, LeCun,
//                        Denker & Solla 1990, with the diagonal Hessian h). A
//                        negative h_ii gives a negative saliency (pruned first);
//                        hosts that want the classic convex assumption clamp h.
// Group rules (one score vector per group, all the same length):
//   combine_min    : c_i = min_g s_{g,i}. Pruning the lowest c never removes a
//                    weight that is important to ANY group before one that is
//                    unimportant to all: it protects the worst-off group.
//   fairprune_gap  : c_i = s_{unpriv,i} - beta * s_{priv,i}. FairPrune (Wu et al.,
//                    MICCAI 2022) computes OBD saliency on the privileged and the
//                    unprivileged group and prunes the parameters that matter
//                    much more to the privileged than to the unprivileged group;
//                    lowest c_i = largest privileged-minus-unprivileged gap
//                    (beta = 1) is pruned first. beta > 0 weights the privileged term.
//   fairgrape      : a selection, not a score (Lin, Kim & Joo, ECCV 2022,
//                    "FairGRAPE"): keep weights greedily so that each group's
//                    share of the kept importance tracks its share of the
//                    original importance. Precisely, with eligible set E,
//                    I_g = sum_{i in E} s_{g,i} (scores must be >= 0) and
//                    target share r_g = I_g / sum_h I_h, start with K = {} and
//                    kept importance k_g = 0, and repeat |E| - k times:
//                      g* = argmax_g ( r_g - k_g / sum_h k_h )   (0 when sum k = 0;
//                           ties -> lower g), then add to K the eligible weight
//                           not in K with the largest s_{g*,i} (ties -> higher
//                           flat index kept, i.e. lower index pruned first),
//                           and k_h += s_{h,i} for every h.
//                    Everything eligible and not in K is pruned. One selection
//                    per call (the paper re-estimates importance between
//                    rounds; the host does that by calling again).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/prune/amount.hpp>
#include <fairgate/prune/detail.hpp>
#include <fairgate/prune/global.hpp>
#include <fairgate/prune/magnitude.hpp>
#include <fairgate/prune/record.hpp>
#include <fairgate/tensor/mask.hpp>
#include <fairgate/tensor/view.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace prune {

namespace detail {
inline std::vector<double> elementwise(const tensor::view& w, const tensor::view& other,
                                       const char* what, double (*f)(double, double)) {
  require(w.rank == other.rank &&
              std::equal(w.shape.begin(), w.shape.begin() + static_cast<std::ptrdiff_t>(w.rank),
                         other.shape.begin()),
          errc::length_mismatch, [&] {
            return std::string(what) + ": the weight and its companion tensor differ in shape";
          });
  std::vector<double> out(static_cast<std::size_t>(w.numel()));
  for_each_value(w, [&](std::int64_t flat, double x) { out[static_cast<std::size_t>(flat)] = x; });
  for_each_value(other, [&](std::int64_t flat, double y) {
    double& o = out[static_cast<std::size_t>(flat)];
    o = f(o, y);
    if (!std::isfinite(o)) [[unlikely]] {
      throw error(errc::invalid_value,
                  std::string(what) + "[" + std::to_string(flat) +
                      "] is not finite: weights and gradients/Hessians must be finite");
    }
  });
  return out;
}

inline void require_finite_scores(std::span<const double> s, std::string_view what) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    require(std::isfinite(s[i]), errc::invalid_value, [&] {
      return std::string(what) + "[" + std::to_string(i) + "] = " + std::to_string(s[i]) +
             ": scores must be finite";
    });
  }
}

inline void require_groups(std::span<const std::span<const double>> groups, const char* what) {
  require(!groups.empty(), errc::empty_input, [&] { return std::string(what) + ": no groups"; });
  for (std::size_t g = 0; g < groups.size(); ++g) {
    require(groups[g].size() == groups[0].size(), errc::length_mismatch, [&] {
      return std::string(what) + ": group " + std::to_string(g) + " has " +
             std::to_string(groups[g].size()) + " scores, group 0 has " +
             std::to_string(groups[0].size());
    });
    require_finite_scores(groups[g], std::string(what) + " group " + std::to_string(g));
  }
}
}  // namespace detail

// |w_i * g_i| in flat order (computed in double).
inline std::vector<double> taylor_first_order(const tensor::view& w, const tensor::view& grad) {
  return detail::elementwise(w, grad, "taylor_first_order",
                             [](double x, double g) { return std::fabs(x * g); });
}

// 1/2 * h_i * w_i^2 in flat order (computed in double).
inline std::vector<double> obd(const tensor::view& w, const tensor::view& hess_diag) {
  return detail::elementwise(w, hess_diag, "obd",
                             [](double x, double h) { return 0.5 * h * (x * x); });
}

inline std::vector<double> combine_min(std::span<const std::span<const double>> groups) {
  detail::require_groups(groups, "combine_min");
  std::vector<double> out(groups[0].begin(), groups[0].end());
  for (std::size_t g = 1; g < groups.size(); ++g) {
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = std::min(out[i], groups[g][i]);
  }
  return out;
}

inline std::vector<double> fairprune_gap(std::span<const double> unprivileged,
                                         std::span<const double> privileged, double beta = 1.0) {
  require(std::isfinite(beta) && beta > 0.0, errc::invalid_argument,
          "fairprune_gap: beta must be finite and > 0");
  const std::span<const double> both[] = {unprivileged, privileged};
  detail::require_groups(both, "fairprune_gap");
  std::vector<double> out(unprivileged.size());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = unprivileged[i] - beta * privileged[i];
  return out;
}

// Prunes the k = amount.to_count(eligible) eligible weights with the lowest
// score; `existing` gives the shape and eligibility.
inline result saliency_unstructured(const tensor::mask& existing, std::span<const double> scores,
                                    amount a, std::string_view name = {}, options opt = {}) {
  require(static_cast<std::int64_t>(scores.size()) == existing.numel(), errc::length_mismatch, [&] {
    return "saliency pruning of '" + std::string(name) + "': " + std::to_string(scores.size()) +
           " scores for " + std::to_string(existing.numel()) + " weights";
  });
  std::vector<std::pair<std::uint64_t, std::int64_t>> keys;
  for (std::int64_t i = 0; i < existing.numel(); ++i) {
    if (!existing.kept(i)) continue;
    const double s = scores[static_cast<std::size_t>(i)];
    require(std::isfinite(s), errc::invalid_value, [&] {
      return "saliency of '" + std::string(name) + "'[" + std::to_string(i) +
             "] = " + std::to_string(s) + ": scores must be finite";
    });
    keys.emplace_back(detail::signed_key64(s), i);
  }
  record r;
  r.tensor_name = std::string(name);
  r.how = method::saliency_unstructured;
  r.requested = a;
  r.eligible = static_cast<std::int64_t>(keys.size());
  const std::int64_t k = a.to_count(r.eligible);
  tensor::mask after = existing;
  detail::prune_smallest(keys, k, after);
  r.pruned_new = k;
  detail::fill_params(r, existing, after, opt.compute_digests);
  return {std::move(after), std::move(r)};
}

// Global version: the lowest k scores over all tensors (sequence order =
// tensors in the order given, flat order inside; ties -> lower position).
// Holds 16 bytes per eligible weight (the scores are host arrays already).
inline global_result global_saliency_unstructured(std::span<const tensor::mask> existing,
                                                  std::span<const std::span<const double>> scores,
                                                  amount a,
                                                  std::span<const std::string_view> names = {},
                                                  options opt = {}) {
  require(existing.size() == scores.size(), errc::length_mismatch,
          "global saliency: one score vector per mask");
  std::vector<std::pair<std::uint64_t, std::int64_t>> keys;  // (score key, global position)
  std::vector<std::int64_t> base(existing.size() + 1, 0);
  std::vector<std::int64_t> eligible(existing.size(), 0);
  for (std::size_t t = 0; t < existing.size(); ++t) {
    require(static_cast<std::int64_t>(scores[t].size()) == existing[t].numel(),
            errc::length_mismatch, [&] {
              return "global saliency: tensor " + std::to_string(t) + " has " +
                     std::to_string(scores[t].size()) + " scores for " +
                     std::to_string(existing[t].numel()) + " weights";
            });
    base[t + 1] = base[t] + existing[t].numel();
    for (std::int64_t i = 0; i < existing[t].numel(); ++i) {
      if (!existing[t].kept(i)) continue;
      const double s = scores[t][static_cast<std::size_t>(i)];
      require(std::isfinite(s), errc::invalid_value, [&] {
        return "saliency of tensor " + std::to_string(t) + "[" + std::to_string(i) +
               "] is not finite";
      });
      keys.emplace_back(detail::signed_key64(s), base[t] + i);
      ++eligible[t];
    }
  }
  global_result out;
  out.eligible = static_cast<std::int64_t>(keys.size());
  const std::int64_t k = a.to_count(out.eligible);
  out.pruned_new = k;
  std::vector<std::int64_t> pruned(existing.size(), 0);
  for (std::size_t t = 0; t < existing.size(); ++t) out.masks.push_back(existing[t]);
  if (k > 0) {
    const auto kk = static_cast<std::size_t>(k);
    std::nth_element(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(kk - 1), keys.end());
    const auto threshold =
        kk >= keys.size() ? *std::max_element(keys.begin(), keys.end()) : keys[kk - 1];
    for (const auto& p : keys) {
      if (!(p <= threshold)) continue;
      const auto t = static_cast<std::size_t>(std::upper_bound(base.begin(), base.end(), p.second) -
                                              base.begin() - 1);
      out.masks[t].set(p.second - base[t], false);
      ++pruned[t];
    }
  }
  for (std::size_t t = 0; t < existing.size(); ++t) {
    record r;
    r.tensor_name = t < names.size() ? std::string(names[t]) : std::string();
    r.how = method::global_saliency_unstructured;
    r.detail =
        "global k=" + std::to_string(k) + " of " + std::to_string(out.eligible) + " eligible";
    r.requested = a;
    r.eligible = eligible[t];
    r.pruned_new = pruned[t];
    detail::fill_params(r, existing[t], out.masks[t], opt.compute_digests);
    out.records.push_back(std::move(r));
  }
  return out;
}

// FairGRAPE-style selection (see the top comment for the exact rule).
inline result fairgrape(const tensor::mask& existing,
                        std::span<const std::span<const double>> group_scores, amount a,
                        std::string_view name = {}, options opt = {}) {
  detail::require_groups(group_scores, "fairgrape");
  const std::size_t ng = group_scores.size();
  require(static_cast<std::int64_t>(group_scores[0].size()) == existing.numel(),
          errc::length_mismatch, "fairgrape: score vectors must have one entry per weight");
  for (std::size_t g = 0; g < ng; ++g) {
    for (std::size_t i = 0; i < group_scores[g].size(); ++i) {
      require(group_scores[g][i] >= 0.0, errc::invalid_value, [&] {
        return "fairgrape: group " + std::to_string(g) + " score[" + std::to_string(i) +
               "] = " + std::to_string(group_scores[g][i]) + ": importances must be >= 0";
      });
    }
  }
  std::vector<std::int64_t> elig;
  for (std::int64_t i = 0; i < existing.numel(); ++i) {
    if (existing.kept(i)) elig.push_back(i);
  }
  const auto ne = static_cast<std::int64_t>(elig.size());
  const std::int64_t k = a.to_count(ne);
  const std::int64_t keep = ne - k;
  // Per group: eligible indices by decreasing score, ties -> higher index first.
  std::vector<std::vector<std::int64_t>> order(ng, elig);
  std::vector<double> total(ng, 0.0), kept_imp(ng, 0.0);
  double grand = 0.0;
  for (std::size_t g = 0; g < ng; ++g) {
    const auto& s = group_scores[g];
    std::sort(order[g].begin(), order[g].end(), [&](std::int64_t x, std::int64_t y) {
      const double sx = s[static_cast<std::size_t>(x)], sy = s[static_cast<std::size_t>(y)];
      return sx != sy ? sx > sy : x > y;
    });
    for (std::int64_t i : elig) total[g] += s[static_cast<std::size_t>(i)];  // fixed (flat) order
    grand += total[g];
  }
  std::vector<char> in_k(static_cast<std::size_t>(existing.numel()), 0);
  std::vector<std::size_t> cursor(ng, 0);
  double kept_sum = 0.0;
  for (std::int64_t step = 0; step < keep; ++step) {
    std::size_t best = 0;
    double best_def = 0.0;
    for (std::size_t g = 0; g < ng; ++g) {
      const double target = grand > 0.0 ? total[g] / grand : 0.0;
      const double share = kept_sum > 0.0 ? kept_imp[g] / kept_sum : 0.0;
      const double def = target - share;
      if (g == 0 || def > best_def) {
        best = g;
        best_def = def;
      }
    }
    auto& cur = cursor[best];
    while (in_k[static_cast<std::size_t>(order[best][cur])] != 0) ++cur;
    const std::int64_t pick = order[best][cur];
    in_k[static_cast<std::size_t>(pick)] = 1;
    for (std::size_t g = 0; g < ng; ++g) {
      kept_imp[g] += group_scores[g][static_cast<std::size_t>(pick)];
      kept_sum += group_scores[g][static_cast<std::size_t>(pick)];
    }
  }
  tensor::mask after = existing;
  for (std::int64_t i : elig) {
    if (in_k[static_cast<std::size_t>(i)] == 0) after.set(i, false);
  }
  record r;
  r.tensor_name = std::string(name);
  r.how = method::fairgrape;
  r.detail = "groups=" + std::to_string(ng);
  r.requested = a;
  r.eligible = ne;
  r.pruned_new = k;
  detail::fill_params(r, existing, after, opt.compute_digests);
  return {std::move(after), std::move(r)};
}

}  // namespace prune

FAIRGATE_END_NAMESPACE
