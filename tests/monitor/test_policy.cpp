// Watched constraints derived from a parsed policy target.
#include <catch2/catch.hpp>

#include <fairgate/monitor/from_policy.hpp>
#include <fairgate/monitor/monitor.hpp>
#include <fairgate/policy/parse.hpp>

namespace fm = fairgate::monitor;

namespace {
constexpr const char* policy_text = R"(
schema_version = 1
name = "monitor-test"

[[target]]
name = "edge"
sensitive_features = ["sex"]
reference_group = "Male"

[[target.constraint]]
id = "dp"
metric = "demographic_parity_difference"
bound = "<= 0.1"

[[target.constraint]]
id = "eo"
metric = "equalized_odds_difference"
bound = "<= 0.2"

[[target.constraint]]
id = "di"
metric = "disparate_impact"
bound = ">= 0.8"

[[target.constraint]]
id = "acc"
metric = "accuracy"
scope = "every_group"
bound = ">= 0.8"

[[target.constraint]]
id = "tpr-kept"
metric = "tpr"
max_drop = 0.02
)";
}  // namespace

TEST_CASE(
    "a policy target's rate constraints become watched constraints, the rest are listed as skipped",
    "[monitor][policy]") {
  const auto p = fairgate::policy::parse_policy_string(policy_text, "monitor-test.toml");
  REQUIRE(p.targets.size() == 1);
  const auto m = fm::watched_from_policy(p.targets[0]);
  // dp -> selection difference; eo -> TPR and FPR differences; acc -> group_rate.
  REQUIRE(m.watched.size() == 4);
  CHECK(m.watched[0].metric == fm::rate_metric::selection_rate);
  CHECK(m.watched[0].kind == fm::constraint_kind::difference);
  CHECK(m.watched[0].op == fm::bound_op::le);
  CHECK(m.watched[0].bound == 0.1);
  CHECK(m.watched[1].metric == fm::rate_metric::true_positive_rate);
  CHECK(m.watched[2].metric == fm::rate_metric::false_positive_rate);
  CHECK(m.watched[2].bound == 0.2);
  CHECK(m.watched[3].metric == fm::rate_metric::accuracy);
  CHECK(m.watched[3].kind == fm::constraint_kind::group_rate);
  CHECK(m.watched[3].op == fm::bound_op::ge);
  CHECK(m.source == std::vector<std::uint32_t>{0, 1, 1, 3});
  REQUIRE(m.skipped.size() == 2);
  CHECK_THAT(m.skipped[0], Catch::StartsWith("di: "));
  CHECK_THAT(m.skipped[1], Catch::StartsWith("tpr-kept: relative"));
  // The result configures a monitor as is.
  fm::monitor_config cfg;
  cfg.constraints = m.watched;
  cfg.target = p.targets[0].name;
  CHECK_NOTHROW(fm::monitor(cfg));
}
