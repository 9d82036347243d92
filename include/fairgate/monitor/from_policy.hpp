// fairgate/monitor/from_policy.hpp: the monitor's watched constraints from a policy target.
//
//   auto p = fairgate::policy::parse_policy_file("four_fifths.toml");
//   auto m = fairgate::monitor::watched_from_policy(p.targets[0]);
//   cfg.constraints = m.watched;  cfg.target = p.targets[0].name;   // m.skipped says what was left
//   out
//
// The monitor watches rates of one denominator (config.hpp), so a policy
// constraint maps when it is one of:
//   demographic_parity_difference            -> selection_rate, difference
//   equal_opportunity_difference             -> true_positive_rate, difference
//   equalized_odds_difference (worst_case,   -> true_positive_rate AND false_positive_rate,
//     between_groups)                           difference, same bound (Fairlearn: the larger of
//     the two)
//   accuracy / selection_rate / tpr / fpr /  -> that rate, group_rate (scope = every_group)
//     tnr / fnr / ppv with scope every_group
// with an ABSOLUTE bound. Everything else (ratios, AIF360 reference-group
// metrics, pooled "overall" rates, relative bounds, score metrics) is listed
// in `skipped` with the reason; the gate still judges those at deployment.
// Confidence and alpha come from the constraint's evidence. Needs the compiled
// fairgate::policy library.
#pragma once

#include <string>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/monitor/config.hpp>
#include <fairgate/policy/metric_catalogue.hpp>
#include <fairgate/policy/model.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace monitor {

struct policy_mapping {
  std::vector<watched_constraint> watched;
  std::vector<std::uint32_t> source;  // index into target.constraints of each watched entry
  std::vector<std::string> skipped;   // "<constraint id>: <reason>"
};

[[nodiscard]] inline policy_mapping watched_from_policy(const policy::target& t) {
  policy_mapping out;
  for (std::uint32_t i = 0; i < t.constraints.size(); ++i) {
    const policy::constraint& c = t.constraints[i];
    auto skip = [&](const char* why) { out.skipped.push_back(c.id + ": " + why); };
    if (c.bound.kind != policy::bound_kind::absolute) {
      skip("relative bounds need the uncompressed model's metric; the gate judges them");
      continue;
    }
    watched_constraint w;
    w.op = c.bound.op == policy::comparison::le ? bound_op::le : bound_op::ge;
    w.bound = c.bound.value;
    w.confidence = c.evidence.confidence;
    w.alpha = c.evidence.alpha;
    auto add = [&](rate_metric m, constraint_kind k) {
      w.metric = m;
      w.kind = k;
      out.watched.push_back(w);
      out.source.push_back(i);
    };
    using policy::metric_id;
    const bool between = c.method == policy::disparity_method::between_groups;
    switch (c.metric) {
      case metric_id::demographic_parity_difference:
        if (between)
          add(rate_metric::selection_rate, constraint_kind::difference);
        else
          skip("method = to_overall is not watched (between_groups only)");
        break;
      case metric_id::equal_opportunity_difference:
        if (between)
          add(rate_metric::true_positive_rate, constraint_kind::difference);
        else
          skip("method = to_overall is not watched (between_groups only)");
        break;
      case metric_id::equalized_odds_difference:
        if (between && c.agg == policy::eo_agg::worst_case) {
          add(rate_metric::true_positive_rate, constraint_kind::difference);
          add(rate_metric::false_positive_rate, constraint_kind::difference);
        } else {
          skip("only agg = worst_case with method = between_groups is watched");
        }
        break;
      case metric_id::accuracy:
      case metric_id::selection_rate:
      case metric_id::tpr:
      case metric_id::fpr:
      case metric_id::tnr:
      case metric_id::fnr:
      case metric_id::ppv: {
        if (c.scope != policy::scope_kind::every_group) {
          skip("a pooled (scope = overall) rate is not watched; use scope = every_group");
          break;
        }
        const rate_metric m = c.metric == metric_id::accuracy         ? rate_metric::accuracy
                              : c.metric == metric_id::selection_rate ? rate_metric::selection_rate
                              : c.metric == metric_id::tpr ? rate_metric::true_positive_rate
                              : c.metric == metric_id::fpr ? rate_metric::false_positive_rate
                              : c.metric == metric_id::tnr ? rate_metric::true_negative_rate
                              : c.metric == metric_id::fnr ? rate_metric::false_negative_rate
                                                           : rate_metric::precision;
        add(m, constraint_kind::group_rate);
        break;
      }
      default:
        skip(
            "not a difference of one-denominator rates between groups (ratios, reference-group and "
            "score "
            "metrics are judged by the gate)");
    }
  }
  return out;
}

}  // namespace monitor

FAIRGATE_END_NAMESPACE
