// fairgate/metrics/roc.hpp: ranking metrics per group: exact ROC AUC, ROC
// curves, cross-group AUC (xAUC) and ABROCA.
//
//   std::span<const float> s = ...; std::span<const std::uint8_t> y = ..., g = ...;
//   auto r = fairgate::metrics::roc_auc(s, y, g, /*n_groups=*/8);
//   if (r.groups[3].defined) use(r.groups[3].auc);       // else: group 3 has one class only
//
// Definitions (all with ties counted as 1/2, i.e. the Mann-Whitney U statistic):
//   AUC_g      = sum_{i pos in g} sum_{j neg in g} w_i w_j [s_i > s_j] + 1/2 [s_i = s_j]
//                -------------------------------------------------------------
//                               (sum_{pos in g} w_i) (sum_{neg in g} w_j)
//   xAUC(a, b) = the same with positives from group a and negatives from group b
//                (Kallus & Zhou 2019, "The Fairness of Risk Scores Beyond
//                Classification: Bipartite Ranking and the xAUC Metric").
//                xAUC(g, g) = AUC_g. Their disparity is xAUC(a,b) - xAUC(b,a).
//   ABROCA(a,b)= integral over FPR in [0,1] of |TPR_a(FPR) - TPR_b(FPR)|
//                (Gardner, Brooks & Baker 2019, "Evaluating the Fairness of
//                Predictive Student Models Through Slicing Analysis").
// Unweighted, w = 1. AUC equals sklearn.metrics.roc_auc_score (trapezoidal
// area under roc_curve) with and without sample_weight; the trapezoid of a
// tie block is exactly the 1/2 term above.
//
// Undefined cases are values, not exceptions: a group (or pair) without
// positive weight on one class gets auc = NaN and defined = false; sklearn
// raises ValueError there.
//
// Exactness and determinism: unweighted AUC counts pairs in 64-bit integers
// (2 x the U statistic, exact for < 2^32 rows) and rounds once per division.
// Weighted sums run over tie blocks in ascending score order, and each tie
// block is first put in a canonical order, so every result is bit-identical
// under any permutation of the rows and independent of the sort's stability.
// Cost: one radix sort of the rows by score plus one sweep gives every
// group's AUC at once.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/metrics/detail/score_inputs.hpp>
#include <fairgate/metrics/detail/score_sort.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace metrics {

// AUC of one group (or of all rows).
struct auc_value {
  double auc = std::numeric_limits<double>::quiet_NaN();
  bool defined = false;     // both classes carry positive weight
  std::uint64_t n_pos = 0;  // rows with label 1 (any weight)
  std::uint64_t n_neg = 0;  // rows with label 0
  double w_pos = 0.0;       // sum of weights of label-1 rows (= n_pos unweighted)
  double w_neg = 0.0;
};

struct auc_result {
  std::vector<auc_value> groups;  // index = group code
  auc_value overall;              // all rows, ignoring groups
};

// Cross-group AUC for every ordered pair: value[a * n_groups + b] =
// P(score of a random positive of a > score of a random negative of b) + 1/2 P(tie).
struct xauc_result {
  std::size_t n_groups = 0;
  std::vector<double> value;          // NaN where undefined
  std::vector<std::uint8_t> defined;  // a has positive weight on label 1 and b on label 0
  [[nodiscard]] double at(std::size_t a, std::size_t b) const { return value[a * n_groups + b]; }
  [[nodiscard]] bool is_defined(std::size_t a, std::size_t b) const {
    return defined[a * n_groups + b] != 0;
  }
};

// A ROC curve in sklearn.metrics.roc_curve(drop_intermediate=False) form:
// point 0 is (0, 0) with threshold max(score) + 1; then one point per
// distinct score s in decreasing order, with fps/tps = weight of negatives /
// positives with score >= s, fpr = fps / fps.back(), tpr = tps / tps.back().
// Rows of weight 0 are dropped first (as sklearn 1.2 does), so their scores
// are not thresholds. fpr (tpr) is all NaN when the group has no negative
// (positive) weight, as in sklearn; defined = both classes present.
struct roc_curve {
  std::vector<double> thresholds;
  std::vector<double> fps;
  std::vector<double> tps;
  std::vector<double> fpr;
  std::vector<double> tpr;
  bool defined = false;
};

struct roc_curve_result {
  std::vector<roc_curve> groups;
  roc_curve overall;
};

namespace detail {

// Walks the rows in ascending score order, one tie block at a time. For each
// block it calls f(block) with the block's rows (canonically ordered when
// weighted).
template <class L, class G, class W, class F>
void for_each_tie_block(std::vector<keyed_row>& sorted, std::span<const L> labels,
                        std::span<const G> groups, std::span<const W> weights, bool canonical,
                        F&& f) {
  const std::size_t n = sorted.size();
  std::size_t i = 0;
  while (i < n) {
    std::size_t j = i + 1;
    while (j < n && sorted[j].key == sorted[i].key) ++j;
    std::span<keyed_row> block(sorted.data() + i, j - i);
    if (canonical) canonicalise_block(block, labels, groups, weights);
    f(std::span<const keyed_row>(block));
    i = j;
  }
}

// Per-group state of the AUC sweep, in T = u64 (unweighted, exact) or double.
template <class T>
struct auc_sweep_state {
  std::vector<T> cum_neg, cum_pos, blk_pos, blk_neg, num2;
  std::vector<std::uint64_t> n_pos, n_neg;
  std::vector<std::uint32_t> touched;
  std::vector<std::uint8_t> is_touched;
  explicit auc_sweep_state(std::size_t m)
      : cum_neg(m),
        cum_pos(m),
        blk_pos(m),
        blk_neg(m),
        num2(m),
        n_pos(m),
        n_neg(m),
        is_touched(m) {}
  // Closes the block of slot k: pairs (pos in block, neg below) count 1, pairs
  // inside the block count 1/2; num2 holds twice the U statistic.
  void close(std::size_t k) {
    num2[k] += T{2} * blk_pos[k] * cum_neg[k] + blk_pos[k] * blk_neg[k];
    cum_neg[k] += blk_neg[k];
    cum_pos[k] += blk_pos[k];
    blk_pos[k] = T{};
    blk_neg[k] = T{};
  }
};

template <class T>
auc_value make_auc(const auc_sweep_state<T>& st, std::size_t k) {
  auc_value v;
  v.n_pos = st.n_pos[k];
  v.n_neg = st.n_neg[k];
  v.w_pos = static_cast<double>(st.cum_pos[k]);
  v.w_neg = static_cast<double>(st.cum_neg[k]);
  if (v.w_pos > 0.0 && v.w_neg > 0.0) {
    v.defined = true;
    v.auc = static_cast<double>(st.num2[k]) / (2.0 * (v.w_pos * v.w_neg));
  }
  return v;
}

// Weighted AUC: sums of weights over canonically ordered tie blocks.
template <class S, class L, class G, class W>
auc_result roc_auc_weighted(std::span<const S> scores, std::span<const L> labels,
                            std::span<const G> groups, std::size_t n_groups,
                            std::span<const W> weights) {
  auto sorted = sort_rows_by_score(scores);
  auc_sweep_state<double> st(n_groups + 1);
  const std::size_t all = n_groups;  // slot of the overall AUC
  for_each_tie_block(sorted, labels, groups, weights, true, [&](std::span<const keyed_row> b) {
    for (const keyed_row& r : b) {
      const auto g = static_cast<std::size_t>(groups[r.row]);
      const double w = static_cast<double>(weights[r.row]);
      if (labels[r.row]) {
        st.blk_pos[g] += w;
        st.blk_pos[all] += w;
        ++st.n_pos[g];
      } else {
        st.blk_neg[g] += w;
        st.blk_neg[all] += w;
        ++st.n_neg[g];
      }
      if (!st.is_touched[g]) {
        st.is_touched[g] = 1;
        st.touched.push_back(static_cast<std::uint32_t>(g));
      }
    }
    for (std::uint32_t g : st.touched) {
      st.close(g);
      st.is_touched[g] = 0;
    }
    st.touched.clear();
    st.close(all);
  });
  auc_result out;
  out.groups.resize(n_groups);
  std::uint64_t np = 0, nn = 0;
  for (std::size_t g = 0; g < n_groups; ++g) {
    out.groups[g] = make_auc(st, g);
    np += st.n_pos[g];
    nn += st.n_neg[g];
  }
  st.n_pos[all] = np;
  st.n_neg[all] = nn;
  out.overall = make_auc(st, all);
  return out;
}

// Unweighted AUC without tie blocks: the rows are sorted by score with the
// negatives of a tie before its positives, and carry (group << 1 | label) as
// payload, so the sweep reads the sorted array sequentially (no gathers). For
// a positive row of group g, 2 x its U contribution is
//   #{neg of g with lower score} + #{neg of g with lower or equal score}
// = neg_start[g] (negatives counted when g's current score began) + cum_neg[g].
template <class KeyAt, class PayloadAt>
void auc_sweep_unweighted(std::size_t n, std::size_t n_groups, KeyAt key_at, PayloadAt payload_at,
                          auc_sweep_state<std::uint64_t>& st) {
  const std::size_t all = n_groups;
  std::vector<std::uint64_t> last_key(n_groups + 1, ~std::uint64_t{0});  // no score has this key
  std::vector<std::uint64_t>& neg_start = st.blk_neg;                    // reused as scratch
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t k = key_at(i);
    const std::uint32_t p = payload_at(i);
    for (const std::size_t g : {static_cast<std::size_t>(p >> 1), all}) {
      if (last_key[g] != k) {
        last_key[g] = k;
        neg_start[g] = st.cum_neg[g];
      }
      if (p & 1u) {
        st.num2[g] += neg_start[g] + st.cum_neg[g];
        ++st.cum_pos[g];
      } else {
        ++st.cum_neg[g];
      }
    }
  }
}

template <class S, class L, class G>
auc_result roc_auc_unweighted(std::span<const S> scores, std::span<const L> labels,
                              std::span<const G> groups, std::size_t n_groups) {
  const std::size_t n = scores.size();
  require(n < (std::size_t{1} << 32), errc::invalid_argument,
          "score kernels support at most 2^32 - 1 rows per call");
  auc_sweep_state<std::uint64_t> st(n_groups + 1);
  auto payload = [&](std::size_t i) {
    return static_cast<std::uint32_t>((static_cast<std::uint32_t>(groups[i]) << 1) |
                                      (labels[i] ? 1u : 0u));
  };
  // Negatives first, then positives; the stable radix sort by score keeps
  // that order inside every tie.
  std::size_t n_neg = 0;
  for (std::size_t i = 0; i < n; ++i) n_neg += labels[i] ? 0u : 1u;
  if constexpr (std::is_same_v<S, float>) {
    // (32-bit key, 32-bit payload) packed in one u64, sorted on the high half.
    std::vector<std::uint64_t> a(n);
    std::size_t lo = 0, hi = n_neg;
    for (std::size_t i = 0; i < n; ++i) {
      a[labels[i] ? hi++ : lo++] = (score_key(scores[i]) << 32) | payload(i);
    }
    lsd_radix_sort(a, 32, [](std::uint64_t v) { return v >> 32; });
    auc_sweep_unweighted(
        n, n_groups, [&](std::size_t i) { return a[i] >> 32; },
        [&](std::size_t i) { return static_cast<std::uint32_t>(a[i]); }, st);
  } else {
    std::vector<keyed_row> a(n);
    std::size_t lo = 0, hi = n_neg;
    for (std::size_t i = 0; i < n; ++i) {
      a[labels[i] ? hi++ : lo++] = keyed_row{score_key(scores[i]), payload(i)};
    }
    lsd_radix_sort(a, 64, [](const keyed_row& r) { return r.key; });
    auc_sweep_unweighted(
        n, n_groups, [&](std::size_t i) { return a[i].key; },
        [&](std::size_t i) { return a[i].row; }, st);
  }
  for (std::size_t k = 0; k <= n_groups; ++k) {
    st.n_pos[k] = st.cum_pos[k];
    st.n_neg[k] = st.cum_neg[k];
  }
  auc_result out;
  out.groups.resize(n_groups);
  for (std::size_t g = 0; g < n_groups; ++g) out.groups[g] = make_auc(st, g);
  out.overall = make_auc(st, n_groups);
  return out;
}

}  // namespace detail

// ROC AUC of every group and overall, exact Mann-Whitney with ties = 1/2.
// weights empty = unweighted. Throws fairgate::error on bad rows (see
// detail/score_inputs.hpp); an undefined group is flagged, not thrown.
template <detail::score_type S, detail::label_type L, detail::code_type G,
          detail::weight_type W = double>
auc_result roc_auc(std::span<const S> scores, std::span<const L> labels, std::span<const G> groups,
                   std::size_t n_groups, std::span<const W> weights = {}) {
  detail::validate_inputs(scores, labels, groups, n_groups, weights, detail::score_domain::any);
  require(n_groups < (std::size_t{1} << 31), errc::invalid_argument,
          "roc_auc: n_groups must be < 2^31");
  if (weights.empty()) return detail::roc_auc_unweighted(scores, labels, groups, n_groups);
  return detail::roc_auc_weighted(scores, labels, groups, n_groups, weights);
}

// xAUC for every ordered pair of groups (Kallus & Zhou 2019). Cost: one sort
// plus O(blocks x groups).
template <detail::score_type S, detail::label_type L, detail::code_type G,
          detail::weight_type W = double>
xauc_result xauc(std::span<const S> scores, std::span<const L> labels, std::span<const G> groups,
                 std::size_t n_groups, std::span<const W> weights = {}) {
  detail::validate_inputs(scores, labels, groups, n_groups, weights, detail::score_domain::any);
  auto sorted = detail::sort_rows_by_score(scores);
  const bool weighted = !weights.empty();
  const std::size_t m = n_groups;
  // Twice the cross U statistic, in exact integers when unweighted.
  std::vector<std::uint64_t> num2_u(weighted ? 0 : m * m);
  std::vector<double> num2_w(weighted ? m * m : 0);
  std::vector<double> blk_pos(m), blk_neg(m), cum_neg(m), tot_pos(m);
  std::vector<std::uint32_t> touched;
  std::vector<std::uint8_t> is_touched(m);
  detail::for_each_tie_block(
      sorted, labels, groups, weights, weighted, [&](std::span<const detail::keyed_row> blk) {
        for (const detail::keyed_row& r : blk) {
          const auto g = static_cast<std::size_t>(groups[r.row]);
          const double w = weighted ? static_cast<double>(weights[r.row]) : 1.0;
          if (labels[r.row]) {
            blk_pos[g] += w;
          } else {
            blk_neg[g] += w;
          }
          if (!is_touched[g]) {
            is_touched[g] = 1;
            touched.push_back(static_cast<std::uint32_t>(g));
          }
        }
        // Pairs (positive of a in this block, negative of b below or tied).
        for (std::uint32_t a : touched) {
          if (blk_pos[a] == 0.0) continue;
          if (weighted) {
            for (std::size_t b = 0; b < m; ++b) {
              num2_w[a * m + b] += 2.0 * blk_pos[a] * cum_neg[b] + blk_pos[a] * blk_neg[b];
            }
          } else {
            // Unweighted block sums are integers < 2^32: convert exactly.
            const auto pa = static_cast<std::uint64_t>(blk_pos[a]);
            for (std::size_t b = 0; b < m; ++b) {
              num2_u[a * m + b] += 2u * pa * static_cast<std::uint64_t>(cum_neg[b]) +
                                   pa * static_cast<std::uint64_t>(blk_neg[b]);
            }
          }
        }
        for (std::uint32_t g : touched) {
          cum_neg[g] += blk_neg[g];
          tot_pos[g] += blk_pos[g];
          blk_pos[g] = 0.0;
          blk_neg[g] = 0.0;
          is_touched[g] = 0;
        }
        touched.clear();
      });
  xauc_result out;
  out.n_groups = m;
  out.value.assign(m * m, std::numeric_limits<double>::quiet_NaN());
  out.defined.assign(m * m, 0);
  for (std::size_t a = 0; a < m; ++a) {
    for (std::size_t b = 0; b < m; ++b) {
      if (tot_pos[a] > 0.0 && cum_neg[b] > 0.0) {
        const double num = weighted ? num2_w[a * m + b] : static_cast<double>(num2_u[a * m + b]);
        out.value[a * m + b] = num / (2.0 * (tot_pos[a] * cum_neg[b]));
        out.defined[a * m + b] = 1;
      }
    }
  }
  return out;
}

namespace detail {

struct roc_block {
  double score;
  double pos;
  double neg;
};

inline roc_curve finish_curve(const std::vector<roc_block>& asc) {
  roc_curve c;
  const std::size_t k = asc.size();
  c.thresholds.reserve(k + 1);
  c.fps.reserve(k + 1);
  c.tps.reserve(k + 1);
  // sklearn: thresholds = r_[thresholds[0] + 1, thresholds]; an empty group
  // has no curve at all.
  if (k == 0) return c;
  c.thresholds.push_back(asc.back().score + 1.0);
  c.fps.push_back(0.0);
  c.tps.push_back(0.0);
  double fp = 0.0, tp = 0.0;
  for (std::size_t i = k; i-- > 0;) {
    fp += asc[i].neg;
    tp += asc[i].pos;
    c.thresholds.push_back(asc[i].score);
    c.fps.push_back(fp);
    c.tps.push_back(tp);
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  c.fpr.resize(c.fps.size());
  c.tpr.resize(c.tps.size());
  for (std::size_t i = 0; i < c.fps.size(); ++i) {
    c.fpr[i] = fp > 0.0 ? c.fps[i] / fp : nan;
    c.tpr[i] = tp > 0.0 ? c.tps[i] / tp : nan;
  }
  c.defined = fp > 0.0 && tp > 0.0;
  return c;
}

}  // namespace detail

// ROC curve of every group and overall (sklearn roc_curve, drop_intermediate=False).
template <detail::score_type S, detail::label_type L, detail::code_type G,
          detail::weight_type W = double>
roc_curve_result roc_curves(std::span<const S> scores, std::span<const L> labels,
                            std::span<const G> groups, std::size_t n_groups,
                            std::span<const W> weights = {}) {
  detail::validate_inputs(scores, labels, groups, n_groups, weights, detail::score_domain::any);
  auto sorted = detail::sort_rows_by_score(scores);
  const bool weighted = !weights.empty();
  std::vector<std::vector<detail::roc_block>> per(n_groups + 1);
  std::vector<detail::roc_block> blk(n_groups + 1, detail::roc_block{0.0, 0.0, 0.0});
  std::vector<std::uint8_t> seen(n_groups + 1);
  std::vector<std::uint32_t> touched;
  detail::for_each_tie_block(sorted, labels, groups, weights, weighted,
                             [&](std::span<const detail::keyed_row> b) {
                               for (const detail::keyed_row& r : b) {
                                 double w = 1.0;
                                 if (weighted) {
                                   w = static_cast<double>(weights[r.row]);
                                   if (w == 0.0) continue;  // sklearn drops zero-weight rows
                                 }
                                 const auto g = static_cast<std::size_t>(groups[r.row]);
                                 const double sc = static_cast<double>(scores[r.row]);
                                 for (std::size_t k : {g, n_groups}) {
                                   if (!seen[k]) {
                                     seen[k] = 1;
                                     touched.push_back(static_cast<std::uint32_t>(k));
                                     blk[k] = detail::roc_block{sc == 0.0 ? 0.0 : sc, 0.0, 0.0};
                                   }
                                   (labels[r.row] ? blk[k].pos : blk[k].neg) += w;
                                 }
                               }
                               for (std::uint32_t k : touched) {
                                 per[k].push_back(blk[k]);
                                 seen[k] = 0;
                               }
                               touched.clear();
                             });
  roc_curve_result out;
  out.groups.reserve(n_groups);
  for (std::size_t g = 0; g < n_groups; ++g) out.groups.push_back(detail::finish_curve(per[g]));
  out.overall = detail::finish_curve(per[n_groups]);
  return out;
}

// ABROCA between two ROC curves: the exact area between the piecewise-linear
// curves through their (fpr, tpr) points, integral_0^1 |TPR_a - TPR_b| dFPR.
// Vertical segments (several points at one fpr) have zero width and add
// nothing; on every interval between consecutive breakpoints of either curve
// both are linear, so the area is a trapezoid, or two triangles when the
// curves cross inside it. Gardner et al.'s reference code instead
// interpolates both curves on a 1000-point FPR grid and applies the
// trapezoid rule; the two agree up to that grid's discretisation error.
// NaN if either curve is undefined (one class missing).
inline double abroca(const roc_curve& a, const roc_curve& b) {
  if (!a.defined || !b.defined) return std::numeric_limits<double>::quiet_NaN();
  // Distinct fpr values with the lowest (entry) and highest (exit) tpr at each:
  // fpr is non-decreasing along a curve and tpr non-decreasing at equal fpr.
  struct knot {
    double x, lo, hi;
  };
  auto knots = [](const roc_curve& c) {
    std::vector<knot> k;
    for (std::size_t i = 0; i < c.fpr.size(); ++i) {
      if (!k.empty() && k.back().x == c.fpr[i]) {
        k.back().hi = c.tpr[i];
      } else {
        k.push_back(knot{c.fpr[i], c.tpr[i], c.tpr[i]});
      }
    }
    return k;
  };
  const std::vector<knot> ka = knots(a), kb = knots(b);
  // Value of the curve just right (right = true) or left of x, x in [0, 1].
  auto value = [](const std::vector<knot>& k, std::size_t& j, double x, bool right) {
    while (j + 1 < k.size() && k[j + 1].x <= x) ++j;  // k[j].x <= x < k[j+1].x
    if (k[j].x == x) return right ? k[j].hi : k[j].lo;
    if (j + 1 >= k.size()) return k[j].hi;
    const double t = (x - k[j].x) / (k[j + 1].x - k[j].x);
    return k[j].hi + (k[j + 1].lo - k[j].hi) * t;
  };
  std::vector<double> xs;
  xs.reserve(ka.size() + kb.size());
  for (const knot& k : ka) xs.push_back(k.x);
  for (const knot& k : kb) xs.push_back(k.x);
  std::sort(xs.begin(), xs.end());
  xs.erase(std::unique(xs.begin(), xs.end()), xs.end());
  double area = 0.0;
  std::size_t ja = 0, jb = 0, la = 0, lb = 0;
  for (std::size_t i = 0; i + 1 < xs.size(); ++i) {
    const double x0 = xs[i], x1 = xs[i + 1], width = x1 - x0;
    const double d0 = value(ka, ja, x0, true) - value(kb, jb, x0, true);
    const double d1 = value(ka, la, x1, false) - value(kb, lb, x1, false);
    if ((d0 >= 0.0 && d1 >= 0.0) || (d0 <= 0.0 && d1 <= 0.0)) {
      area += 0.5 * (std::fabs(d0) + std::fabs(d1)) * width;
    } else {
      // The curves cross inside: two triangles with heights |d0| and |d1|.
      const double a0 = std::fabs(d0), a1 = std::fabs(d1);
      area += 0.5 * width * (a0 * a0 + a1 * a1) / (a0 + a1);
    }
  }
  return area;
}

// ABROCA between groups a and b of the data (curves from roc_curves).
template <detail::score_type S, detail::label_type L, detail::code_type G,
          detail::weight_type W = double>
double abroca(std::span<const S> scores, std::span<const L> labels, std::span<const G> groups,
              std::size_t n_groups, std::size_t group_a, std::size_t group_b,
              std::span<const W> weights = {}) {
  require(group_a < n_groups && group_b < n_groups, errc::out_of_range, [&] {
    return "abroca: groups " + std::to_string(group_a) + " and " + std::to_string(group_b) +
           " must be < n_groups = " + std::to_string(n_groups);
  });
  const auto c = roc_curves(scores, labels, groups, n_groups, weights);
  return abroca(c.groups[group_a], c.groups[group_b]);
}

}  // namespace metrics

FAIRGATE_END_NAMESPACE
