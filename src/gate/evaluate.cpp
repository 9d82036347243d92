// The fairness gate: judges every constraint of one policy target (gate.hpp).
#include <fairgate/gate/gate.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <fairgate/error.hpp>
#include <fairgate/metrics/accumulate.hpp>
#include <fairgate/metrics/accumulator.hpp>
#include <fairgate/metrics/rates.hpp>
#include <fairgate/metrics/roc.hpp>
#include <fairgate/policy/metric_catalogue.hpp>
#include <fairgate/uncertainty/bootstrap.hpp>
#include <fairgate/uncertainty/mcnemar.hpp>
#include <fairgate/uncertainty/multiple_comparisons.hpp>
#include <fairgate/uncertainty/paired.hpp>
#include <fairgate/uncertainty/wilson.hpp>

FAIRGATE_BEGIN_NAMESPACE
namespace gate {

namespace {

using metrics::confusion_counts;
using metrics::exact_confusion;
using metrics::metric;
using metrics::rate_value;
using uncertainty::paired_cells;

constexpr double qnan = std::numeric_limits<double>::quiet_NaN();

// Short, deterministic number text for reasons and tables (glibc printf is exact).
std::string num(double v) {
  if (std::isnan(v)) return "undefined";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

// The per-group rate a policy metric is made of.
std::optional<metric> rate_of_id(policy::metric_id id) {
  using M = policy::metric_id;
  switch (id) {
    case M::accuracy:
      return metric::accuracy;
    case M::error_rate:
      return metric::error_rate;
    case M::selection_rate:
      return metric::selection_rate;
    case M::tpr:
      return metric::true_positive_rate;
    case M::fpr:
      return metric::false_positive_rate;
    case M::tnr:
      return metric::true_negative_rate;
    case M::fnr:
      return metric::false_negative_rate;
    case M::ppv:
      return metric::precision;
    case M::npv:
      return metric::npv;
    case M::fdr:
      return metric::fdr;
    case M::for_:
      return metric::false_omission_rate;
    case M::balanced_accuracy:
      return metric::balanced_accuracy;
    case M::f1:
      return metric::f1;
    default:
      return std::nullopt;
  }
}

// How an AIF360-style metric combines a group's rates with the reference group's.
enum class combine : std::uint8_t {
  difference,     // m(g) - m(ref)
  ratio,          // m(g) / m(ref)
  mean_diff,      // mean over the parts of m_k(g) - m_k(ref)
  mean_abs_diff,  // mean over the parts of |m_k(g) - m_k(ref)|
};

// What one constraint computes, resolved once.
struct definition {
  const policy::constraint* c = nullptr;
  bool disparity = false;
  bool ratio = false;
  bool aif = false;  // AIF360 reference-group family
  combine comb = combine::difference;
  std::uint32_t ref = 0;                // aif: the reference group's code
  bool auc = false;                     // roc_auc: a score-based per-group metric
  std::vector<metric> parts;            // disparity: the rates compared; rate: one entry
  std::vector<std::uint32_t> eligible;  // groups with >= min_support rows (and >= 1 row)
  bool nothing_to_judge = false;        // the undefined rule applies to the whole constraint
};

definition define(const policy::target& t, const policy::constraint& c) {
  using M = policy::metric_id;
  definition d;
  d.c = &c;
  const auto& mi = policy::info(c.metric);
  const auto aif = [&](std::vector<metric> parts, combine k) {
    d.parts = std::move(parts);
    d.aif = true;
    d.comb = k;
  };
  switch (c.metric) {
    case M::demographic_parity_difference:
      d.parts = {metric::selection_rate};
      break;
    case M::demographic_parity_ratio:
      d.parts = {metric::selection_rate};
      d.ratio = true;
      break;
    case M::equalized_odds_difference:
      d.parts = {metric::true_positive_rate, metric::false_positive_rate};
      break;
    case M::equalized_odds_ratio:
      d.parts = {metric::true_positive_rate, metric::false_positive_rate};
      d.ratio = true;
      break;
    case M::equal_opportunity_difference:
      d.parts = {metric::true_positive_rate};
      break;
    case M::equal_opportunity_ratio:
      d.parts = {metric::true_positive_rate};
      d.ratio = true;
      break;
    // AIF360 ClassificationMetric, each non-reference group g against the reference group.
    case M::statistical_parity_difference:
      aif({metric::selection_rate}, combine::difference);
      break;
    case M::disparate_impact:
      aif({metric::selection_rate}, combine::ratio);
      break;
    case M::average_odds_difference:
      aif({metric::false_positive_rate, metric::true_positive_rate}, combine::mean_diff);
      break;
    case M::average_abs_odds_difference:
      aif({metric::false_positive_rate, metric::true_positive_rate}, combine::mean_abs_diff);
      break;
    case M::tpr_difference:
      aif({metric::true_positive_rate}, combine::difference);
      break;
    case M::error_rate_difference:
      aif({metric::error_rate}, combine::difference);
      break;
    case M::error_rate_ratio:
      aif({metric::error_rate}, combine::ratio);
      break;
    case M::fpr_difference:
      aif({metric::false_positive_rate}, combine::difference);
      break;
    case M::fpr_ratio:
      aif({metric::false_positive_rate}, combine::ratio);
      break;
    case M::fnr_difference:
      aif({metric::false_negative_rate}, combine::difference);
      break;
    case M::fnr_ratio:
      aif({metric::false_negative_rate}, combine::ratio);
      break;
    case M::fdr_difference:
      aif({metric::fdr}, combine::difference);
      break;
    case M::fdr_ratio:
      aif({metric::fdr}, combine::ratio);
      break;
    case M::for_difference:
      aif({metric::false_omission_rate}, combine::difference);
      break;
    case M::for_ratio:
      aif({metric::false_omission_rate}, combine::ratio);
      break;
    case M::average_predictive_value_difference:
      aif({metric::precision, metric::false_omission_rate}, combine::mean_diff);
      break;
    case M::roc_auc:
      d.auc = true;
      break;
    case M::roc_auc_difference:
      d.auc = true;
      break;
    case M::roc_auc_ratio:
      d.auc = true;
      d.ratio = true;
      break;
    default: {
      const auto r = rate_of_id(c.metric);
      require(r.has_value(), errc::unsupported, [&] {
        return "gate: target '" + t.name + "', constraint '" + c.id + "' (line " +
               std::to_string(c.source_line) + "): metric '" + std::string(mi.name) +
               "' is not supported by the gate";
      });
      d.parts = {*r};
    }
  }
  d.disparity = mi.kind == policy::metric_kind::disparity;
  if (d.aif) {
    // validate() checked that the reference group exists in the inputs.
    require(!t.reference_group.empty(), errc::invalid_argument, [&] {
      return "gate: target '" + t.name + "', constraint '" + c.id + "' (line " +
             std::to_string(c.source_line) + "): metric '" + std::string(mi.name) +
             "' needs the target's reference_group";
    });
  }
  return d;
}

// One value of a disparity, with the groups at its two ends.
struct disparity_value {
  double value = qnan;
  bool any_group_undefined = false;
  std::uint32_t g_hi = 0, g_lo = 0;  // groups with the largest / smallest rate of the deciding part
};

template <class T>
T pooled(std::span<const T> tabs) {
  T all{};
  for (const auto& x : tabs) all += x;
  return all;
}

// AIF360's reference-group disparity: for each eligible group g other than the
// reference, the combination of g's rates with the reference's; the bound must
// hold for every g, so `<=` judges the largest value and `>=` the smallest.
// A group whose rate (or ratio) is undefined is left out and flagged; an
// undefined reference rate, or a zero reference rate under a ratio, makes the
// whole value undefined.
template <class T>
disparity_value aif_disparity(const definition& d, std::span<const T> tabs) {
  disparity_value out;
  out.g_lo = out.g_hi = d.ref;
  std::vector<double> ref;
  for (const metric m : d.parts) {
    const rate_value r = metrics::compute(m, tabs[d.ref]);
    if (r.undefined || (d.comb == combine::ratio && r.value == 0.0)) {
      out.any_group_undefined = true;
      return out;
    }
    ref.push_back(r.value);
  }
  const bool le = d.c->bound.op == policy::comparison::le;
  bool any = false;
  for (const auto g : d.eligible) {
    if (g == d.ref) continue;
    double acc = 0.0;
    bool undefined = false;
    for (std::size_t k = 0; k < d.parts.size(); ++k) {
      const rate_value r = metrics::compute(d.parts[k], tabs[g]);
      if (r.undefined) {
        undefined = true;
        break;
      }
      switch (d.comb) {
        case combine::difference:
        case combine::mean_diff:
          acc += r.value - ref[k];
          break;
        case combine::ratio:
          acc += r.value / ref[k];
          break;
        case combine::mean_abs_diff:
          acc += std::fabs(r.value - ref[k]);
          break;
      }
    }
    if (undefined) {
      out.any_group_undefined = true;
      continue;
    }
    if (d.comb == combine::mean_diff || d.comb == combine::mean_abs_diff)
      acc /= static_cast<double>(d.parts.size());
    if (!any || (le ? acc > out.value : acc < out.value)) out.value = acc, out.g_hi = g;
    any = true;
  }
  if (!any) out.value = qnan;
  return out;
}

// Fairlearn's difference / ratio over the eligible groups (groups whose rate
// is undefined are left out; they are reported through any_group_undefined).
//   between_groups: max - min, min / max
//   to_overall:     max_g |m_g - m_all|, min_g min(m_g, m_all) / max(m_g, m_all)
// Equalized odds combines TPR and FPR parts by agg: worst_case = max of the
// differences (min of the ratios), mean = their mean (fairlearn.metrics).
template <class T>
disparity_value disparity(const definition& d, std::span<const T> tabs) {
  if (d.aif) return aif_disparity(d, tabs);
  disparity_value out;
  const bool worst = d.c->agg == policy::eo_agg::worst_case;
  double acc = 0.0;
  bool first = true;
  for (const metric m : d.parts) {
    double hi = -1.0, lo = 2.0;
    std::uint32_t ghi = 0, glo = 0;
    bool any = false;
    double v = qnan;
    if (d.c->method == policy::disparity_method::between_groups) {
      for (auto g : d.eligible) {
        const rate_value r = metrics::compute(m, tabs[g]);
        if (r.undefined) {
          out.any_group_undefined = true;
          continue;
        }
        any = true;
        if (r.value > hi) hi = r.value, ghi = g;
        if (r.value < lo) lo = r.value, glo = g;
      }
      if (!any) return {qnan, out.any_group_undefined, 0, 0};
      if (!d.ratio)
        v = hi - lo;
      else
        v = hi == 0.0 ? qnan : lo / hi;
    } else {
      const rate_value o = metrics::compute(m, pooled(tabs));
      if (o.undefined) return {qnan, true, 0, 0};
      double best = d.ratio ? 2.0 : -1.0;
      for (auto g : d.eligible) {
        const rate_value r = metrics::compute(m, tabs[g]);
        if (r.undefined) {
          out.any_group_undefined = true;
          continue;
        }
        any = true;
        double x;
        if (!d.ratio)
          x = std::fabs(r.value - o.value);
        else {
          const double mx = std::max(r.value, o.value), mn = std::min(r.value, o.value);
          x = mx == 0.0 ? 1.0 : mn / mx;
        }
        if (d.ratio ? x < best : x > best) best = x, ghi = g, glo = g;
      }
      if (!any) return {qnan, out.any_group_undefined, 0, 0};
      v = best;
    }
    if (std::isnan(v)) return {qnan, out.any_group_undefined, 0, 0};
    // The deciding part: the worst one (worst_case) or the first (mean).
    const bool decides = first || (worst && (d.ratio ? v < acc : v > acc));
    if (decides) out.g_hi = ghi, out.g_lo = glo;
    if (first)
      acc = v;
    else if (worst)
      acc = d.ratio ? std::min(acc, v) : std::max(acc, v);
    else
      acc += v;
    first = false;
  }
  out.value = worst ? acc : acc / static_cast<double>(d.parts.size());
  return out;
}

// The metric of one item of a constraint: group g (every_group) or the whole
// constraint (g = npos: disparity, or the rate pooled over all rows).
constexpr std::uint32_t overall = std::numeric_limits<std::uint32_t>::max();

template <class T>
double item_metric(const definition& d, std::span<const T> tabs, std::uint32_t g) {
  if (d.disparity) return disparity(d, tabs).value;
  const rate_value r = g == overall ? metrics::compute(d.parts[0], pooled(tabs))
                                    : metrics::compute(d.parts[0], tabs[g]);
  return r.undefined ? qnan : r.value;
}

// Fairlearn's difference / ratio of the per-group ROC AUC (roc_auc_difference,
// roc_auc_ratio), the same rules as for rates: between_groups max - min or
// min / max over the eligible groups whose AUC is defined; to_overall against
// the pooled AUC.
disparity_value auc_disparity(const definition& d, const metrics::auc_result& a) {
  disparity_value out;
  double hi = -1.0, lo = 2.0;
  bool any = false;
  if (d.c->method == policy::disparity_method::between_groups) {
    for (const auto g : d.eligible) {
      if (!a.groups[g].defined) {
        out.any_group_undefined = true;
        continue;
      }
      any = true;
      const double x = a.groups[g].auc;
      if (x > hi) hi = x, out.g_hi = g;
      if (x < lo) lo = x, out.g_lo = g;
    }
    if (!any) return {qnan, out.any_group_undefined, 0, 0};
    out.value = !d.ratio ? hi - lo : (hi == 0.0 ? qnan : lo / hi);
    return out;
  }
  if (!a.overall.defined) return {qnan, true, 0, 0};
  const double o = a.overall.auc;
  double best = d.ratio ? 2.0 : -1.0;
  for (const auto g : d.eligible) {
    if (!a.groups[g].defined) {
      out.any_group_undefined = true;
      continue;
    }
    any = true;
    const double x = a.groups[g].auc;
    double v;
    if (!d.ratio) {
      v = std::fabs(x - o);
    } else {
      const double mx = std::max(x, o), mn = std::min(x, o);
      v = mx == 0.0 ? 1.0 : mn / mx;
    }
    if (d.ratio ? v < best : v > best) best = v, out.g_hi = g, out.g_lo = g;
  }
  if (!any) return {qnan, out.any_group_undefined, 0, 0};
  out.value = best;
  return out;
}

// The disparity of one model, from its tables or (AUC metrics) its AUCs.
template <class T>
disparity_value any_disparity(const definition& d, std::span<const T> tabs,
                              const metrics::auc_result* auc) {
  return d.auc ? auc_disparity(d, *auc) : disparity(d, tabs);
}

// The value of an item for one model: a score-based AUC (auc != nullptr holds
// that model's per-group and overall AUC) or a confusion-table metric.
template <class T>
double item_value(const definition& d, std::span<const T> tabs, const metrics::auc_result* auc,
                  std::uint32_t g) {
  if (d.auc) {
    if (d.disparity) return auc_disparity(d, *auc).value;
    const metrics::auc_value& a = g == overall ? auc->overall : auc->groups[g];
    return a.defined ? a.auc : qnan;
  }
  return item_metric(d, tabs, g);
}

bool compare(policy::comparison op, double x, double rhs) {
  return op == policy::comparison::le ? x <= rhs : x >= rhs;
}
const char* op_text(policy::comparison op, bool holds) {
  if (op == policy::comparison::le) return holds ? "<=" : ">";
  return holds ? ">=" : "<";
}

// Distance to the bound on the good side (negative: violated).
double margin(policy::comparison op, double judged, double rhs) {
  return op == policy::comparison::le ? rhs - judged : judged - rhs;
}

outcome undefined_outcome(policy::undefined_rule r) {
  switch (r) {
    case policy::undefined_rule::skip:
      return outcome::skipped;
    case policy::undefined_rule::fail:
      return outcome::fail;
    case policy::undefined_rule::pass:
      return outcome::pass;
  }
  return outcome::skipped;
}

// A pending paired test, decided after the whole target's family is known.
struct pending_test {
  std::size_t constraint = 0, item = 0;
};

struct context {
  const gate_inputs& in;
  std::vector<paired_cells> tables;  // unweighted joint tables, per group
  std::vector<confusion_counts> base_counts, cand_counts;
  std::vector<exact_confusion> base_w, cand_w;  // point estimates (weighted if weights given)
  std::uint64_t seed_override = 0;
  bool has_seed_override = false;
  // Row-level copies for score-based metrics and the per-row bootstrap.
  std::vector<double> base_scores, cand_scores, weights;
  std::vector<std::uint8_t> y;
  std::vector<std::uint32_t> codes;
  metrics::auc_result base_auc, cand_auc;  // observed, weighted if weights given
};

metrics::auc_result auc_of(const context& ctx, const std::vector<double>& scores,
                           std::span<const double> w, std::size_t n_groups) {
  return metrics::roc_auc(std::span<const double>(scores), std::span<const std::uint8_t>(ctx.y),
                          std::span<const std::uint32_t>(ctx.codes), n_groups, w);
}

// The paired per-row Poisson bootstrap (TFMA's formulation), for weighted rows
// and score-based metrics: in replicate b row i carries weight w_i * k_ib,
// k_ib = uncertainty::row_weight(seed, b, i) (stream "bootstrap.rows", row id =
// the row's index), and BOTH models are evaluated on the same weights. Calls
// visit(baseline tables, baseline AUCs, candidate tables, candidate AUCs) once
// per replicate, in replicate order (tables for confusion metrics, AUCs for
// roc_auc metrics; the other is empty).
template <class Visit>
void row_paired_replicates(const context& ctx, const definition& d, std::uint32_t n_groups,
                           std::uint64_t seed, std::uint32_t replicates, Visit&& visit) {
  const std::size_t n = ctx.y.size();
  std::vector<std::uint32_t> k(n);
  std::vector<double> rw(n);
  const gate_inputs& in = ctx.in;
  for (std::uint32_t b = 0; b < replicates; ++b) {
    uncertainty::row_weights(seed, b, 0, k);
    for (std::size_t i = 0; i < n; ++i)
      rw[i] = (ctx.weights.empty() ? 1.0 : ctx.weights[i]) * static_cast<double>(k[i]);
    std::vector<exact_confusion> tb, tc;
    metrics::auc_result ab, ac;
    if (d.auc) {
      ab = auc_of(ctx, ctx.base_scores, rw, n_groups);
      ac = auc_of(ctx, ctx.cand_scores, rw, n_groups);
    } else {
      const metrics::real_view wv{std::span<const double>(rw)};
      const auto base_acc = metrics::accumulate(
          metrics::binary_inputs{in.labels, in.baseline, in.groups, n_groups, wv});
      const auto cand_acc = metrics::accumulate(
          metrics::binary_inputs{in.labels, in.candidate, in.groups, n_groups, wv});
      for (std::uint32_t g = 0; g < n_groups; ++g) {
        tb.push_back(base_acc.exact_weights(g));
        tc.push_back(cand_acc.exact_weights(g));
      }
    }
    visit(std::span<const exact_confusion>(tb), &ab, std::span<const exact_confusion>(tc), &ac);
  }
}

std::string item_name(const gate_inputs& in, std::uint32_t g) {
  return g == overall ? std::string("(overall)") : in.group_names[g];
}

}  // namespace

namespace {

struct checked {
  const policy::target* t = nullptr;
  std::vector<definition> defs;
};

// Everything about a target and the inputs that does not need the rows.
checked check(const policy::policy& p, std::string_view target_name, const gate_inputs& in) {
  checked out;
  const policy::target* t = p.find_target(target_name);
  require(t != nullptr, errc::invalid_argument, [&] {
    std::string names;
    for (const auto& x : p.targets) names += (names.empty() ? "'" : ", '") + x.name + "'";
    return "gate: policy '" + p.name + "' has no target '" + std::string(target_name) +
           "' (targets: " + names + ")";
  });
  out.t = t;
  const std::size_t G = in.group_names.size();
  require(G > 0, errc::invalid_argument,
          "gate: group_names is empty (one name per group code is needed)");
  require(G <= std::numeric_limits<std::uint32_t>::max() / 2, errc::invalid_argument,
          "gate: too many groups");
  if (!in.sensitive_features.empty()) {
    require(in.sensitive_features == t->sensitive_features, errc::invalid_argument, [&] {
      auto join = [](const std::vector<std::string>& v) {
        std::string s;
        for (const auto& x : v) s += (s.empty() ? "" : "|") + x;
        return s;
      };
      return "gate: target '" + t->name + "' is judged on sensitive features '" +
             join(t->sensitive_features) + "' but the inputs are grouped by '" +
             join(in.sensitive_features) + "'";
    });
  }
  std::uint32_t ref = 0;
  if (!t->reference_group.empty()) {
    std::string name;
    for (const auto& gv : t->reference_group) name += (name.empty() ? "" : "|") + gv.value;
    const auto it = std::find(in.group_names.begin(), in.group_names.end(), name);
    require(it != in.group_names.end(), errc::invalid_argument, [&] {
      return "gate: target '" + t->name + "' names reference group '" + name +
             "', which is not one of the " + std::to_string(G) + " groups of the inputs";
    });
    ref = static_cast<std::uint32_t>(it - in.group_names.begin());
  }

  // Resolve every constraint first: an unsupported metric fails before any work.
  out.defs.reserve(t->constraints.size());
  for (const auto& c : t->constraints) {
    out.defs.push_back(define(*t, c));
    out.defs.back().ref = ref;
    if (out.defs.back().auc) {
      require(in.baseline.from_scores && in.candidate.from_scores, errc::invalid_argument, [&] {
        return "gate: target '" + t->name + "', constraint '" + c.id +
               "': roc_auc needs scores (prediction_view::scores), not hard predictions";
      });
    }
    if (c.evidence.kind == policy::evidence_kind::ci &&
        c.evidence.interval == policy::interval_method::wilson) {
      require(!out.defs.back().disparity && c.bound.kind == policy::bound_kind::absolute &&
                  policy::info(c.metric).is_proportion,
              errc::unsupported, [&] {
                return "gate: target '" + t->name + "', constraint '" + c.id +
                       "': Wilson intervals apply to absolute bounds on per-group proportions only";
              });
      require(!in.weights, errc::unsupported, [&] {
        return "gate: target '" + t->name + "', constraint '" + c.id +
               "': Wilson intervals need unweighted counts; use interval = \"bootstrap\" with "
               "sample weights";
      });
    }
  }
  return out;
}

}  // namespace

void validate(const policy::policy& p, std::string_view target, const gate_inputs& in) {
  (void)check(p, target, in);
}

verdict evaluate(const policy::policy& p, std::string_view target_name, const gate_inputs& in) {
  checked chk = check(p, target_name, in);
  const policy::target* t = chk.t;
  std::vector<definition>& defs = chk.defs;
  const std::size_t G = in.group_names.size();
  require(in.labels.size > 0, errc::empty_input, "gate: no rows to judge (labels is empty)");

  const auto n_groups = static_cast<std::uint32_t>(G);
  context ctx{in, {}, {}, {}, {}, {}, 0, false, {}, {}, {}, {}, {}, {}, {}};
  // Validates every row (labels 0/1, NaN scores, codes < G, lengths), naming the first bad one.
  ctx.tables =
      uncertainty::paired_tables({in.labels, in.baseline, in.candidate, in.groups, n_groups});
  ctx.base_counts.resize(G);
  ctx.cand_counts.resize(G);
  for (std::size_t g = 0; g < G; ++g) {
    ctx.base_counts[g] = ctx.tables[g].baseline();
    ctx.cand_counts[g] = ctx.tables[g].candidate();
  }
  if (in.weights) {
    const auto base_acc = metrics::accumulate(
        metrics::binary_inputs{in.labels, in.baseline, in.groups, n_groups, in.weights});
    const auto cand_acc = metrics::accumulate(
        metrics::binary_inputs{in.labels, in.candidate, in.groups, n_groups, in.weights});
    for (std::uint32_t g = 0; g < n_groups; ++g) {
      ctx.base_w.push_back(base_acc.exact_weights(g));
      ctx.cand_w.push_back(cand_acc.exact_weights(g));
    }
  } else {
    for (std::uint32_t g = 0; g < n_groups; ++g) {
      ctx.base_w.push_back(exact_confusion::from_counts(ctx.base_counts[g]));
      ctx.cand_w.push_back(exact_confusion::from_counts(ctx.cand_counts[g]));
    }
  }
  // Row-level copies when a score-based metric or the per-row (weighted) bootstrap needs them.
  bool need_rows = false, need_auc = false;
  for (const auto& d : defs) {
    need_auc |= d.auc;
    need_rows |= d.auc || (in.weights && d.c->evidence.kind != policy::evidence_kind::point);
  }
  if (need_rows) {
    const std::size_t n = in.labels.size;
    ctx.y.resize(n);
    ctx.codes.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      ctx.y[i] = static_cast<std::uint8_t>(in.labels.at(i));
      ctx.codes[i] = static_cast<std::uint32_t>(in.groups.at(i));
    }
    if (in.weights) {
      ctx.weights.resize(n);
      for (std::size_t i = 0; i < n; ++i) ctx.weights[i] = in.weights->at(i);
    }
    if (need_auc) {
      ctx.base_scores.resize(n);
      ctx.cand_scores.resize(n);
      for (std::size_t i = 0; i < n; ++i) {
        ctx.base_scores[i] = in.baseline.score.at(i);
        ctx.cand_scores[i] = in.candidate.score.at(i);
      }
      // Weighted AUC with the sample weights (the same rows are validated by roc_auc).
      ctx.base_auc = auc_of(ctx, ctx.base_scores, ctx.weights, n_groups);
      ctx.cand_auc = auc_of(ctx, ctx.cand_scores, ctx.weights, n_groups);
    }
  }

  verdict v;
  v.policy = p.name;
  v.target = t->name;
  v.rows = in.labels.size;
  v.group_names = in.group_names;
  v.seed = in.seed
               ? *in.seed
               : (t->constraints.empty() ? p.defaults.seed : t->constraints.front().evidence.seed);

  std::vector<pending_test> tests;
  std::vector<double> family;

  // Score-based metrics and weighted rows need per-row bootstrap weights;
  // unweighted confusion metrics use the exact per-cell Poisson draws.
  const auto row_path = [&](const definition& d) { return d.auc || in.weights.has_value(); };
  // The per-row replicates of one constraint are computed once for all its
  // items (one pass over the rows per replicate serves every group).
  std::size_t cache_ci = static_cast<std::size_t>(-1);
  std::vector<std::uint32_t> cache_groups;
  std::vector<std::vector<double>> cache_values;
  // Replicate values of an item's statistic (candidate, or candidate - baseline).
  const auto replicates = [&](std::size_t ci, const definition& d,
                              const std::vector<std::uint32_t>& groups, std::uint32_t g,
                              std::uint64_t seed, std::uint32_t B, bool relative) {
    if (row_path(d)) {
      if (cache_ci != ci) {
        cache_ci = ci;
        cache_groups = groups;
        cache_values.assign(groups.size(), {});
        row_paired_replicates(
            ctx, d, n_groups, seed, B,
            [&](std::span<const exact_confusion> tb, const metrics::auc_result* ab,
                std::span<const exact_confusion> tc, const metrics::auc_result* ac) {
              for (std::size_t j = 0; j < groups.size(); ++j) {
                const double cv = item_value(d, tc, ac, groups[j]);
                cache_values[j].push_back(relative ? cv - item_value(d, tb, ab, groups[j]) : cv);
              }
            });
      }
      const auto at = std::find(cache_groups.begin(), cache_groups.end(), g) - cache_groups.begin();
      return cache_values[static_cast<std::size_t>(at)];
    }
    uncertainty::bootstrap_options bo;
    bo.seed = seed;
    bo.replicates = B;
    return uncertainty::paired_bootstrap(
               std::span<const paired_cells>(ctx.tables),
               [&](std::span<const confusion_counts> b, std::span<const confusion_counts> k) {
                 const double cv = item_metric(d, k, g);
                 return relative ? cv - item_metric(d, b, g) : cv;
               },
               bo)
        .values;
  };

  for (std::size_t ci = 0; ci < defs.size(); ++ci) {
    definition& d = defs[ci];
    const policy::constraint& c = *d.c;
    const auto& mi = policy::info(c.metric);
    for (std::uint32_t g = 0; g < n_groups; ++g) {
      const std::uint64_t n = ctx.tables[g].total();
      if (n > 0 && n >= c.min_support) d.eligible.push_back(g);
    }
    constraint_result cr;
    cr.id = c.id;
    cr.metric = std::string(mi.name);
    cr.scope = std::string(policy::to_string(c.scope));
    cr.bound = policy::to_string(c.bound);
    cr.evidence = std::string(policy::to_string(c.evidence.kind));
    const bool relative = c.bound.kind == policy::bound_kind::relative;
    const std::uint64_t seed = in.seed ? *in.seed : c.evidence.seed;

    // Items: every group with rows (those below min_support are reported as
    // skipped), or the one overall item. A between-groups disparity needs two
    // eligible groups (docs/policy.md, "Minimum support and undefined groups").
    std::vector<std::uint32_t> item_groups;
    if (c.scope == policy::scope_kind::every_group && !d.disparity) {
      for (std::uint32_t g = 0; g < n_groups; ++g)
        if (ctx.tables[g].total() > 0) item_groups.push_back(g);
      d.nothing_to_judge = d.eligible.empty();
    } else if (d.aif) {
      // The reference group and at least one other group must be judged.
      const bool ref_ok =
          std::find(d.eligible.begin(), d.eligible.end(), d.ref) != d.eligible.end();
      if (ref_ok && d.eligible.size() >= 2)
        item_groups = {overall};
      else
        d.nothing_to_judge = true;
    } else if (!d.disparity ||
               d.eligible.size() >=
                   (c.method == policy::disparity_method::between_groups ? 2u : 1u)) {
      item_groups = {overall};
    } else {
      d.nothing_to_judge = true;
    }

    const std::span<const exact_confusion> bw(ctx.base_w), cw(ctx.cand_w);
    for (const std::uint32_t g : item_groups) {
      item_result it;
      it.group = item_name(in, g);
      it.support = g == overall ? in.labels.size : ctx.tables[g].total();
      it.baseline = item_value(d, bw, &ctx.base_auc, g);
      it.candidate = item_value(d, cw, &ctx.cand_auc, g);
      it.statistic = relative ? it.candidate - it.baseline : it.candidate;
      it.bound = c.bound.value;
      if (g != overall && it.support < c.min_support) {
        it.result = outcome::skipped;
        it.note = "support " + std::to_string(it.support) + " < min_support " +
                  std::to_string(c.min_support) + ": not judged";
        cr.items.push_back(std::move(it));
        continue;
      }
      bool group_undefined = false;
      if (d.disparity) {
        group_undefined = any_disparity(d, bw, &ctx.base_auc).any_group_undefined ||
                          any_disparity(d, cw, &ctx.cand_auc).any_group_undefined;
      }
      it.undefined = std::isnan(it.statistic) ||
                     (group_undefined && c.undefined == policy::undefined_rule::fail);
      if (it.undefined) {
        it.result = undefined_outcome(c.undefined);
        it.note = group_undefined && !std::isnan(it.statistic)
                      ? "a group's rate is undefined (0/0); undefined = \"fail\""
                      : "metric undefined (0/0); undefined = \"" +
                            std::string(policy::to_string(c.undefined)) + "\"";
        cr.items.push_back(std::move(it));
        continue;
      }
      switch (c.evidence.kind) {
        case policy::evidence_kind::point: {
          it.judged = it.statistic;
          const bool holds = c.bound.holds(it.candidate, it.baseline);
          it.result = holds ? outcome::pass : outcome::fail;
          it.note = std::string(relative ? "change " : "value ") + num(it.judged) + " " +
                    op_text(c.bound.op, holds) + " " + num(it.bound);
          break;
        }
        case policy::evidence_kind::ci: {
          const auto side = policy::judged_side(c.bound.op);
          std::string how;
          if (c.evidence.interval == policy::interval_method::wilson) {
            const confusion_counts cc =
                g == overall ? pooled(std::span<const confusion_counts>(ctx.cand_counts))
                             : ctx.cand_counts[g];
            const auto w =
                uncertainty::wilson_interval(cc, d.parts[0], {.confidence = c.evidence.confidence});
            it.lower = w.lower;
            it.upper = w.upper;
            how = "Wilson";
          } else {
            const auto r = uncertainty::summarize_replicates(
                it.statistic,
                replicates(ci, d, item_groups, g, seed, c.evidence.bootstrap_replicates, relative),
                c.evidence.confidence);
            it.lower = r.ci.defined ? r.ci.lower : qnan;
            it.upper = r.ci.defined ? r.ci.upper : qnan;
            how = row_path(d) ? "paired row bootstrap" : "paired bootstrap";
          }
          it.judged = side == policy::interval_side::upper ? it.upper : it.lower;
          if (std::isnan(it.judged)) {
            it.undefined = true;
            it.result = undefined_outcome(c.undefined);
            it.note = "interval undefined; undefined = \"" +
                      std::string(policy::to_string(c.undefined)) + "\"";
            break;
          }
          const bool holds = compare(c.bound.op, it.judged, it.bound);
          it.result = holds ? outcome::pass : outcome::fail;
          it.note = std::string(side == policy::interval_side::upper ? "upper " : "lower ") +
                    num(c.evidence.confidence * 100.0) + "% " + how + " bound of " +
                    (relative ? "change " : "value ") + num(it.judged) + " " +
                    op_text(c.bound.op, holds) + " " + num(it.bound);
          break;
        }
        case policy::evidence_kind::paired_test: {
          it.judged = it.statistic;
          const bool accuracy_like =
              c.metric == policy::metric_id::accuracy || c.metric == policy::metric_id::error_rate;
          const bool degrade_is_lower = c.metric == policy::metric_id::accuracy;
          const bool mcnemar = !in.weights && accuracy_like && relative && c.bound.value == 0.0 &&
                               (degrade_is_lower ? c.bound.op == policy::comparison::ge
                                                 : c.bound.op == policy::comparison::le);
          if (mcnemar) {
            paired_cells cells;
            if (g == overall)
              for (const auto& x : ctx.tables) cells += x;
            else
              cells = ctx.tables[g];
            const std::uint64_t broke = cells.baseline_only_correct(),
                                fixed = cells.candidate_only_correct();
            const auto m = uncertainty::mcnemar_exact(broke, fixed);
            // One-sided in the degrading direction: P(X >= broke), X ~ Bin(broke + fixed, 1/2),
            // which is half the two-sided exact p-value when broke > fixed.
            it.p_value = broke > fixed ? m.p_value / 2.0 : 1.0;
            it.test = "mcnemar_exact";
          } else {
            const auto values =
                replicates(ci, d, item_groups, g, seed, c.evidence.bootstrap_replicates, relative);
            std::uint64_t defined = 0, holding = 0;
            for (double x : values) {
              if (std::isnan(x)) continue;
              ++defined;
              if (compare(c.bound.op, x, it.bound)) ++holding;
            }
            it.p_value = defined == 0
                             ? qnan
                             : static_cast<double>(1 + holding) / static_cast<double>(1 + defined);
            it.test = row_path(d) ? "paired_row_bootstrap" : "paired_bootstrap";
          }
          if (std::isnan(it.p_value)) {
            it.undefined = true;
            it.result = undefined_outcome(c.undefined);
            it.note = "no defined bootstrap replicate; undefined = \"" +
                      std::string(policy::to_string(c.undefined)) + "\"";
            break;
          }
          tests.push_back({ci, cr.items.size()});
          family.push_back(it.p_value);
          break;
        }
      }
      cr.items.push_back(std::move(it));
    }
    v.constraints.push_back(std::move(cr));
  }

  // One family per target: every paired test of every group and constraint.
  if (!family.empty()) {
    std::vector<double> adj = family;
    std::vector<bool> reject(family.size());
    if (t->correction == policy::correction_method::none) {
      for (std::size_t i = 0; i < family.size(); ++i) reject[i] = family[i] <= t->alpha;
    } else {
      const auto a = uncertainty::adjust(family,
                                         t->correction == policy::correction_method::holm
                                             ? uncertainty::adjustment::holm
                                             : uncertainty::adjustment::benjamini_hochberg,
                                         t->alpha);
      adj = a.adjusted;
      reject = a.reject;
    }
    for (std::size_t i = 0; i < tests.size(); ++i) {
      item_result& it = v.constraints[tests[i].constraint].items[tests[i].item];
      it.p_adjusted = adj[i];
      it.result = reject[i] ? outcome::fail : outcome::pass;
      it.note = std::string(it.test) + " p = " + num(it.p_value) + ", adjusted (" +
                std::string(policy::to_string(t->correction)) + ", " +
                std::to_string(family.size()) + " tests) " + num(it.p_adjusted) +
                (reject[i] ? " <= " : " > ") + "alpha " + num(t->alpha) +
                (reject[i] ? ": violation is significant" : ": no significant violation") +
                " (point " + num(it.statistic) + ")";
    }
  }

  // Per-constraint decision, worst item, groups involved and reason.
  for (std::size_t ci = 0; ci < defs.size(); ++ci) {
    const definition& d = defs[ci];
    const policy::constraint& c = *d.c;
    constraint_result& cr = v.constraints[ci];
    const bool relative = c.bound.kind == policy::bound_kind::relative;
    std::size_t n_fail = 0, n_pass = 0;
    for (const auto& it : cr.items) {
      if (it.result == outcome::fail) ++n_fail;
      if (it.result == outcome::pass) ++n_pass;
    }
    if (d.nothing_to_judge) {
      cr.result = undefined_outcome(c.undefined);
      cr.reason = std::string(d.disparity ? "fewer than two groups have" : "no group has") +
                  " >= " + std::to_string(c.min_support) + " rows; undefined = \"" +
                  std::string(policy::to_string(c.undefined)) + "\"";
      if (cr.result == outcome::fail) v.pass = false;
      continue;
    }
    cr.result = n_fail > 0 ? outcome::fail : (n_pass > 0 ? outcome::pass : outcome::skipped);
    // The worst item: failing first, then the smallest margin (p-value for tests).
    const item_result* worst = nullptr;
    double worst_key = 0.0;
    for (const auto& it : cr.items) {
      if (it.result == outcome::skipped) continue;
      if (n_fail > 0 && it.result != outcome::fail) continue;
      double key = it.undefined ? -std::numeric_limits<double>::infinity()
                   : c.evidence.kind == policy::evidence_kind::paired_test
                       ? it.p_adjusted
                       : margin(c.bound.op, it.judged, it.bound);
      if (worst == nullptr || key < worst_key) worst = &it, worst_key = key;
    }
    if (worst == nullptr) worst = &cr.items.front();
    cr.value = worst->statistic;
    cr.lower = worst->lower;
    cr.upper = worst->upper;
    cr.p_value = worst->p_adjusted;
    if (d.disparity) {
      const auto dv = any_disparity(d, std::span<const exact_confusion>(ctx.cand_w), &ctx.cand_auc);
      if (!std::isnan(dv.value)) {
        cr.groups.push_back(in.group_names[dv.g_hi]);
        if (dv.g_lo != dv.g_hi) cr.groups.push_back(in.group_names[dv.g_lo]);
      }
    } else {
      for (const auto& it : cr.items)
        if (it.result == outcome::fail && it.group != "(overall)") cr.groups.push_back(it.group);
      if (cr.groups.empty() && worst->group != "(overall)") cr.groups.push_back(worst->group);
    }
    std::string what = cr.metric + (relative ? " change" : "");
    if (cr.result == outcome::skipped) {
      cr.reason = "not judged: " + worst->note;
    } else if (c.scope == policy::scope_kind::every_group && !d.disparity) {
      cr.reason =
          (n_fail > 0 ? std::to_string(n_fail) + " of " + std::to_string(cr.items.size()) +
                            " groups fail; worst '"
                      : "all " + std::to_string(n_pass) + " judged groups hold; closest '") +
          worst->group + "': " + what + ": " + worst->note;
    } else {
      cr.reason = (n_fail > 0 ? "fails: " : "holds: ") + what + ": " + worst->note;
      if (d.disparity && cr.groups.size() == 2)
        cr.reason += " (between '" + cr.groups[0] + "' and '" + cr.groups[1] + "')";
    }
    if (cr.result == outcome::fail) v.pass = false;
  }
  return v;
}

}  // namespace gate
FAIRGATE_END_NAMESPACE
