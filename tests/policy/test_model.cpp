// The bound grammar, the metrics catalogue and how defaults resolve into
// constraints.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include <fairgate/policy/metric_catalogue.hpp>
#include <fairgate/policy/model.hpp>
#include <fairgate/policy/parse.hpp>

#include "policy/policy_test_util.hpp"

namespace fp = fairgate::policy;
using policy_test::dump;

namespace {
fp::bound must_parse(std::string_view s) {
  std::string problem;
  const auto b = fp::parse_bound(s, problem);
  INFO(s << ": " << problem);
  REQUIRE(b.has_value());
  return *b;
}

fp::policy must_policy(const std::string& text) {
  const auto r = fp::validate(text, "t.toml");
  INFO(dump(r.diagnostics));
  REQUIRE(r.ok());
  return *r.value;
}
}  // namespace

TEST_CASE("An absolute bound parses into op and value", "[policy][bound]") {
  const auto b = must_parse("<= 0.05");
  CHECK(b.op == fp::comparison::le);
  CHECK(b.kind == fp::bound_kind::absolute);
  CHECK(b.value == 0.05);
  const auto n = must_parse("  >=   -0.1\t");
  CHECK(n.op == fp::comparison::ge);
  CHECK(n.value == -0.1);
  CHECK(must_parse("<=1e-3").value == 0.001);
}

TEST_CASE("A baseline-relative bound parses into a signed delta", "[policy][bound]") {
  const auto minus = must_parse(">= baseline - 0.01");
  CHECK(minus.op == fp::comparison::ge);
  CHECK(minus.kind == fp::bound_kind::relative);
  CHECK(minus.value == -0.01);
  CHECK(must_parse("<= baseline + 0.02").value == 0.02);
  const auto plain = must_parse(">=baseline");
  CHECK(plain.kind == fp::bound_kind::relative);
  CHECK(plain.value == 0.0);
}

TEST_CASE("A bound's text form parses back to the same bound", "[policy][bound]") {
  // Values whose shortest decimal form is long (0.1 + 0.2 = 0.30000000000000004)
  // or needs an exponent exercise the round trip of std::to_chars.
  const double values[] = {0.05, 0.1 + 0.2, 1e-7, 123456.75, 0.8, 1.0, 0.0, 2.0 / 3.0};
  for (double v : values) {
    for (auto op : {fp::comparison::le, fp::comparison::ge}) {
      for (auto kind : {fp::bound_kind::absolute, fp::bound_kind::relative}) {
        for (double sign : {1.0, -1.0}) {
          const fp::bound b{op, kind, sign * v == 0 ? 0.0 : sign * v};
          const std::string text = fp::to_string(b);
          INFO(text);
          CHECK(must_parse(text) == b);
        }
      }
    }
  }
  CHECK(fp::to_string(fp::bound{fp::comparison::ge, fp::bound_kind::relative, -0.01}) ==
        ">= baseline - 0.01");
  CHECK(fp::to_string(fp::bound{fp::comparison::le, fp::bound_kind::relative, 0.0}) ==
        "<= baseline");
  CHECK(fp::to_string(fp::bound{fp::comparison::le, fp::bound_kind::absolute, 0.05}) == "<= 0.05");
}

TEST_CASE("A relative bound's threshold is the baseline plus the delta", "[policy][bound]") {
  // Baseline TPR 0.85 and max_drop 0.02: threshold 0.85 - 0.02 = 0.83.
  const fp::bound b{fp::comparison::ge, fp::bound_kind::relative, -0.02};
  CHECK(b.threshold(0.85) == 0.85 + -0.02);
  CHECK(b.holds(0.84, 0.85));
  CHECK_FALSE(b.holds(0.82, 0.85));
  // Absolute: the baseline is ignored.
  const fp::bound a{fp::comparison::le, fp::bound_kind::absolute, 0.05};
  CHECK(a.holds(0.05, 123.0));
  CHECK_FALSE(a.holds(0.0500001, 0.0));
}

TEST_CASE("The judged side of an interval follows the op", "[policy][bound]") {
  CHECK(fp::judged_side(fp::comparison::le) == fp::interval_side::upper);
  CHECK(fp::judged_side(fp::comparison::ge) == fp::interval_side::lower);
}

TEST_CASE("Every catalogue name finds its own entry and names are unique", "[policy][catalogue]") {
  std::set<std::string_view> names;
  std::size_t i = 0;
  for (const auto& m : fp::metric_catalogue()) {
    CHECK(static_cast<std::size_t>(m.id) == i++);
    CHECK(names.insert(m.name).second);
    REQUIRE(fp::find_metric(m.name) == &m);
    CHECK(&fp::info(m.id) == &m);
    CHECK(m.min_value <= m.max_value);
    // Only disparities compare groups; only Fairlearn-style ones take method/agg.
    if (m.has_agg || m.has_method) CHECK(m.family == fp::metric_family::fairlearn);
    if (m.kind == fp::metric_kind::group_rate) {
      CHECK(m.family == fp::metric_family::rate);
      CHECK(m.min_value == 0.0);
      CHECK(m.max_value == 1.0);
    }
  }
  CHECK(names.size() == 38);
  // The two score-based Fairlearn disparities (appended last) need scores and take `method`.
  const auto* d = fp::find_metric("roc_auc_difference");
  REQUIRE(d != nullptr);
  CHECK(d->needs_scores);
  CHECK(d->has_method);
  CHECK(d->kind == fp::metric_kind::disparity);
  CHECK(fp::find_metric("roc_auc_ratio")->better == fp::better_when::higher);
}

TEST_CASE("AIF360 and sklearn spellings are aliases of the short names", "[policy][catalogue]") {
  CHECK(fp::find_metric("recall")->id == fp::metric_id::tpr);
  CHECK(fp::find_metric("false_positive_rate_difference")->id == fp::metric_id::fpr_difference);
  CHECK(fp::find_metric("precision")->id == fp::metric_id::ppv);
  CHECK(fp::find_metric("Accuracy") == nullptr);  // names are case-sensitive
  CHECK(fp::find_metric("") == nullptr);
}

TEST_CASE("Metric suggestions find near misses and refuse far ones", "[policy][catalogue]") {
  CHECK(fp::suggest_metric("acuracy") == std::optional<std::string_view>("accuracy"));
  CHECK(fp::suggest_metric("disparate_impakt") ==
        std::optional<std::string_view>("disparate_impact"));
  // An alias typo is suggested as the canonical name it stands for.
  CHECK(fp::suggest_metric("specifity") == std::optional<std::string_view>("tnr"));
  CHECK_FALSE(fp::suggest_metric("qqqqqqqqqqqqqqqq").has_value());
}

TEST_CASE("Edit distance counts insertions, deletions and substitutions", "[policy][catalogue]") {
  // kitten -> sitten (substitute) -> sittin (substitute) -> sitting (insert) = 3.
  CHECK(fp::edit_distance("kitten", "sitting") == 3);
  CHECK(fp::edit_distance("", "abc") == 3);
  CHECK(fp::edit_distance("abc", "abc") == 0);
  CHECK(fp::edit_distance("abc", "acb") == 2);
}

TEST_CASE("Constraints inherit [defaults] and their own keys override them", "[policy][resolve]") {
  const auto p = must_policy(R"(schema_version = 1
name = "p"
[defaults]
min_support = 100
undefined_groups = "fail"
evidence = "ci"
confidence = 0.9
bootstrap_replicates = 200
seed = 99
[[target]]
name = "t"
sensitive_features = ["sex"]
[[target.constraint]]
id = "inherits"
metric = "tpr"
bound = ">= 0.5"
[[target.constraint]]
id = "overrides"
metric = "tpr"
bound = ">= 0.5"
min_support = 5
undefined = "pass"
evidence = "point"
)");
  const auto& a = p.targets[0].constraints[0];
  CHECK(a.min_support == 100);
  CHECK(a.undefined == fp::undefined_rule::fail);
  CHECK(a.evidence.kind == fp::evidence_kind::ci);
  CHECK(a.evidence.confidence == 0.9);
  CHECK(a.evidence.interval == fp::interval_method::bootstrap);
  CHECK(a.evidence.bootstrap_replicates == 200);
  CHECK(a.evidence.seed == 99);
  const auto& b = p.targets[0].constraints[1];
  CHECK(b.min_support == 5);
  CHECK(b.undefined == fp::undefined_rule::pass);
  CHECK(b.evidence.kind == fp::evidence_kind::point);
  CHECK(b.evidence.seed == 99);
}

TEST_CASE("A target's alpha and correction reach its paired-test constraints",
          "[policy][resolve]") {
  const auto p = must_policy(R"(schema_version = 1
name = "p"
[defaults]
alpha = 0.1
[[target]]
name = "t"
sensitive_features = ["sex"]
correction = "bh"
[[target.constraint]]
id = "c"
metric = "fnr"
max_rise = 0.03
evidence = "paired_test"
)");
  const auto& t = p.targets[0];
  CHECK(t.alpha == 0.1);
  CHECK(t.correction == fp::correction_method::bh);
  CHECK(t.constraints[0].evidence.alpha == 0.1);
  CHECK(t.constraints[0].evidence.correction == fp::correction_method::bh);
}

TEST_CASE("Group rates default to every_group and disparities to overall", "[policy][resolve]") {
  const auto p = must_policy(R"(schema_version = 1
name = "p"
[[target]]
name = "t"
sensitive_features = ["sex"]
[[target.constraint]]
id = "g"
metric = "accuracy"
bound = ">= 0.8"
[[target.constraint]]
id = "d"
metric = "equalized_odds_ratio"
agg = "mean"
bound = ">= 0.8"
[[target.constraint]]
id = "o"
metric = "accuracy"
scope = "overall"
max_drop = 0.01
)");
  const auto& cs = p.targets[0].constraints;
  CHECK(cs[0].scope == fp::scope_kind::every_group);
  CHECK(cs[1].scope == fp::scope_kind::overall);
  CHECK(cs[1].agg == fp::eo_agg::mean);
  CHECK(cs[2].scope == fp::scope_kind::overall);
}

TEST_CASE("max_drop and max_rise are baseline-relative bounds", "[policy][resolve]") {
  const auto p = must_policy(R"(schema_version = 1
name = "p"
[[target]]
name = "t"
sensitive_features = ["sex"]
[[target.constraint]]
id = "drop"
metric = "tpr"
max_drop = 0.02
[[target.constraint]]
id = "rise"
metric = "fpr"
max_rise = 0.03
)");
  const auto& cs = p.targets[0].constraints;
  CHECK(cs[0].bound == fp::bound{fp::comparison::ge, fp::bound_kind::relative, -0.02});
  CHECK(cs[1].bound == fp::bound{fp::comparison::le, fp::bound_kind::relative, 0.03});
  CHECK(cs[0].scope == fp::scope_kind::every_group);
}

TEST_CASE("Compression allowances are normalised and default to none", "[policy][resolve]") {
  const auto p = must_policy(R"(schema_version = 1
name = "p"
[[target]]
name = "plain"
sensitive_features = ["sex"]
[[target.constraint]]
id = "c"
metric = "tpr"
bound = ">= 0.1"
[[target]]
name = "packed"
sensitive_features = ["race", "sex"]
reference_group = { sex = "Male", race = "White" }
max_sparsity = 0.5
allowed_bits = [4, 32, 8]
allowed_nm = ["4:8", "1:4", "2:4"]
per_channel = true
[[target.constraint]]
id = "c"
metric = "disparate_impact"
bound = ">= 0.8"
)");
  const auto& plain = p.targets[0].compression;
  CHECK(plain.max_sparsity == 0.0);
  CHECK(plain.allowed_bits == std::vector<std::uint32_t>{32});
  CHECK(plain.allowed_nm.empty());
  CHECK_FALSE(plain.per_channel);
  const auto& t = p.targets[1];
  CHECK(t.compression.allowed_bits == std::vector<std::uint32_t>{32, 8, 4});
  CHECK(t.compression.allowed_nm == std::vector<fp::nm_pattern>{{1, 4}, {2, 4}, {4, 8}});
  // The reference group follows sensitive_features order, not the table's.
  REQUIRE(t.reference_group.size() == 2);
  CHECK(t.reference_group[0] == fp::group_value{"race", "White"});
  CHECK(t.reference_group[1] == fp::group_value{"sex", "Male"});
  CHECK(p.find_target("packed") == &t);
  CHECK(p.find_target("nope") == nullptr);
}
