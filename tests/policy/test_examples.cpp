// The shipped example policies parse, and the canonical form is stable.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <fairgate/policy/canonical.hpp>
#include <fairgate/policy/parse.hpp>

#include "policy/policy_test_util.hpp"

namespace fp = fairgate::policy;
using policy_test::dump;

namespace {
std::vector<std::filesystem::path> example_files() {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(FAIRGATE_POLICY_EXAMPLES_DIR))
    if (e.path().extension() == ".toml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

fp::policy must_parse(const std::string& text, const std::string& name) {
  const auto r = fp::validate(text, name);
  INFO(dump(r.diagnostics));
  REQUIRE(r.ok());
  return *r.value;
}

// Source lines are where a declaration was, not what it means.
void clear_lines(fp::policy& p) {
  for (auto& t : p.targets) {
    t.source_line = 0;
    for (auto& c : t.constraints) c.source_line = 0;
  }
}

const fp::constraint* find(const fp::target& t, std::string_view id) {
  for (const auto& c : t.constraints)
    if (c.id == id) return &c;
  return nullptr;
}
}  // namespace

TEST_CASE("Every shipped example policy parses without diagnostics", "[policy][examples]") {
  const auto files = example_files();
  REQUIRE(files.size() >= 4);
  for (const auto& f : files) {
    INFO(f);
    const auto r = fp::validate_file(f);
    INFO(dump(r.diagnostics));
    CHECK(r.ok());
    CHECK_NOTHROW((void)fp::parse_policy_file(f));
  }
}

TEST_CASE("Canonicalising is a fixed point: parse, canonical, parse, canonical is identical",
          "[policy][canonical]") {
  for (const auto& f : example_files()) {
    INFO(f);
    fp::policy first = fp::parse_policy_file(f);
    const std::string c1 = fp::to_canonical_toml(first);
    fp::policy second = must_parse(c1, "canonical");
    const std::string c2 = fp::to_canonical_toml(second);
    CHECK(c1 == c2);
    CHECK(fp::digest(first) == fp::digest(second));
    // The model itself survives the trip (targets and constraints exactly).
    clear_lines(first);
    clear_lines(second);
    CHECK(first.targets == second.targets);
    CHECK(first.name == second.name);
    CHECK(first.defaults.seed == second.defaults.seed);
    CHECK(first.defaults.bootstrap_replicates == second.defaults.bootstrap_replicates);
  }
}

TEST_CASE("Equivalent spellings of a policy have the same canonical form and digest",
          "[policy][canonical]") {
  const std::string terse = R"(schema_version = 1
name = "p"
[[target]]
name = "t"
sensitive_features = ["sex"]
[[target.constraint]]
id = "c"
metric = "recall"
max_drop = 0.02
)";
  // Defaults spelled out, keys reordered, comments, the canonical metric name
  // and the bound written out instead of max_drop.
  const std::string verbose = R"(# a comment
name = "p"   # trailing comment
schema_version = 1
description = ""
[defaults]
min_support = 0
undefined_groups = "skip"
evidence = "point"
seed = 0
bootstrap_replicates = 1000
[[target]]
sensitive_features = [ "sex" ]
name = "t"
allowed_bits = [32]
max_sparsity = 0
per_channel = false
[[target.constraint]]
bound = ">=  baseline  -  0.02"
metric = "tpr"
scope = "every_group"
id = "c"
)";
  const auto a = must_parse(terse, "terse");
  const auto b = must_parse(verbose, "verbose");
  CHECK(fp::to_canonical_toml(a) == fp::to_canonical_toml(b));
  CHECK(fp::digest(a) == fp::digest(b));
}

TEST_CASE("A change of meaning changes the digest", "[policy][canonical]") {
  const std::string base = R"(schema_version = 1
name = "p"
[[target]]
name = "t"
sensitive_features = ["sex"]
[[target.constraint]]
id = "c"
metric = "tpr"
bound = ">= 0.5"
)";
  const auto p = must_parse(base, "a");
  std::string changed = base;
  changed.replace(changed.find("0.5"), 3, "0.6");
  const auto q = must_parse(changed, "b");
  CHECK(fp::digest(p) != fp::digest(q));
  const std::string d = fp::digest(p);
  REQUIRE(d.size() == 7 + 64);
  CHECK(d.rfind("sha256:", 0) == 0);
  CHECK(d.find_first_not_of("0123456789abcdef", 7) == std::string::npos);
}

TEST_CASE("Canonical strings escape quotes, backslashes and control characters",
          "[policy][canonical]") {
  const auto p = must_parse(
      "schema_version = 1\nname = \"q\\\"\\\\\\t\\u0001é\"\n[[target]]\nname = \"t\"\n"
      "sensitive_features = [\"a b\"]\nreference_group = { \"a b\" = \"x\" }\n"
      "[[target.constraint]]\nid = \"c\"\nmetric = \"tpr_difference\"\nbound = \"<= 0.1\"\n",
      "esc");
  const std::string c = fp::to_canonical_toml(p);
  CHECK(c.find("name = \"q\\\"\\\\\\t\\u0001é\"") != std::string::npos);
  CHECK(c.find("reference_group = { \"a b\" = \"x\" }") != std::string::npos);
  const auto back = must_parse(c, "canonical");
  CHECK(back.name == p.name);
  CHECK(fp::to_canonical_toml(back) == c);
}

TEST_CASE("The JSON rendering carries the canonical content", "[policy][canonical]") {
  const auto p = fp::parse_policy_file(std::filesystem::path(FAIRGATE_POLICY_EXAMPLES_DIR) /
                                       "four_fifths.toml");
  const std::string j = fp::to_json(p);
  CHECK(j.find("\"metric\" : \"disparate_impact\"") != std::string::npos);
  CHECK(j.find("\"bound\" : \">= 0.8\"") != std::string::npos);
}

TEST_CASE("four_fifths.toml is disparate impact >= 0.8 with per-group guardrails",
          "[policy][examples]") {
  const auto p = fp::parse_policy_file(std::filesystem::path(FAIRGATE_POLICY_EXAMPLES_DIR) /
                                       "four_fifths.toml");
  REQUIRE(p.targets.size() == 1);
  const auto& t = p.targets[0];
  const auto* di = find(t, "four-fifths");
  REQUIRE(di);
  CHECK(di->metric == fp::metric_id::disparate_impact);
  CHECK(di->bound == fp::bound{fp::comparison::ge, fp::bound_kind::absolute, 0.8});
  CHECK(t.reference_group == std::vector<fp::group_value>{{"sex", "Male"}});
  const auto* acc = find(t, "accuracy-floor");
  REQUIRE(acc);
  CHECK(acc->scope == fp::scope_kind::every_group);
  CHECK(acc->min_support == 100);
}

TEST_CASE("adult_targets.toml has the server and device targets of the demonstration",
          "[policy][examples]") {
  const auto p = fp::parse_policy_file(std::filesystem::path(FAIRGATE_POLICY_EXAMPLES_DIR) /
                                       "adult_targets.toml");
  const auto* server = p.find_target("server");
  const auto* device = p.find_target("device");
  REQUIRE(server);
  REQUIRE(device);
  CHECK(server->compression.allowed_bits == std::vector<std::uint32_t>{32});
  CHECK(server->compression.max_sparsity == 0.9);
  CHECK(device->compression.allowed_bits == std::vector<std::uint32_t>{32, 8});
  CHECK(device->compression.per_channel);
  for (const auto* t : {server, device}) {
    INFO(t->name);
    CHECK(t->sensitive_features == std::vector<std::string>{"sex", "race"});
    const auto* eo = find(*t, "eo");
    REQUIRE(eo);
    CHECK(eo->metric == fp::metric_id::equalized_odds_difference);
    const auto* tpr = find(*t, "tpr-drop");
    REQUIRE(tpr);
    CHECK(tpr->metric == fp::metric_id::tpr);
    CHECK(tpr->scope == fp::scope_kind::every_group);
    CHECK(tpr->bound == fp::bound{fp::comparison::ge, fp::bound_kind::relative, -0.02});
  }
}
