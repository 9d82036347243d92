// Every class of policy error names the line, the key and the problem, and
// all problems of a file are reported together.
#include <catch2/catch.hpp>

#include <string>

#include <fairgate/error.hpp>
#include <fairgate/policy/parse.hpp>

#include "policy/policy_test_util.hpp"

using policy_test::diagnose;
using policy_test::dump;
using policy_test::has;
using policy_test::minimal_head;

namespace {
std::string with(std::string_view tail) {
  return std::string(minimal_head) + std::string(tail);
}

// Lines 7-10 after minimal_head (lines 1-6).
constexpr std::string_view ok_constraint = R"(
[[target.constraint]]
id = "c"
metric = "tpr"
bound = ">= 0.5"
)";
}  // namespace

TEST_CASE("A valid minimal policy has no diagnostics", "[policy][errors]") {
  const auto ds = diagnose(with(ok_constraint));
  INFO(dump(ds));
  CHECK(ds.empty());
}

TEST_CASE("Malformed TOML syntax is reported at its line with no key", "[policy][errors]") {
  const auto ds = diagnose("schema_version = 1\nname = \"p\"\n[[target]\n");
  INFO(dump(ds));
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].line == 3);
  CHECK(ds[0].key.empty());
  CHECK(ds[0].message.find("TOML syntax error") != std::string::npos);
  CHECK(fairgate::policy::format(ds[0]).rfind("t.toml:3:", 0) == 0);
}

TEST_CASE("An unknown top-level key is an error naming the key", "[policy][errors]") {
  const auto ds = diagnose("schema_version = 1\nnaem = \"p\"\n" + with(ok_constraint).substr(30));
  INFO(dump(ds));
  CHECK(has(ds, 2, "naem", "unknown key 'naem'; did you mean 'name'?"));
}

TEST_CASE("An unknown target key is an error with a suggestion", "[policy][errors]") {
  const auto ds = diagnose(with("max_sparsty = 0.5\n" + std::string(ok_constraint)));
  INFO(dump(ds));
  REQUIRE(ds.size() == 1);
  CHECK(has(ds, 7, "target[0].max_sparsty", "did you mean 'max_sparsity'?"));
}

TEST_CASE("An unknown constraint key is an error with its full key path", "[policy][errors]") {
  const auto ds = diagnose(with(std::string(ok_constraint) + "colour = \"red\"\n"));
  INFO(dump(ds));
  REQUIRE(ds.size() == 1);
  CHECK(has(ds, 12, "target[0].constraint[0].colour", "unknown key 'colour'"));
}

TEST_CASE("An unknown key in [defaults] is an error", "[policy][errors]") {
  const auto ds = diagnose("schema_version = 1\nname = \"p\"\n[defaults]\nsede = 3\n" +
                           with(ok_constraint).substr(30));
  INFO(dump(ds));
  CHECK(has(ds, 4, "defaults.sede", "did you mean 'seed'?"));
}

TEST_CASE("alpha on a constraint is rejected with where it belongs", "[policy][errors]") {
  const auto ds = diagnose(with(std::string(ok_constraint) + "alpha = 0.01\n"));
  INFO(dump(ds));
  CHECK(has(ds, 12, "target[0].constraint[0].alpha", "set alpha in [[target]] or [defaults]"));
}

TEST_CASE("An unknown metric is an error suggesting the closest name", "[policy][errors]") {
  const auto ds =
      diagnose(with("\n[[target.constraint]]\nid = \"c\"\nmetric = "
                    "\"equalized_odd_diference\"\nbound = \"<= 0.05\"\n"));
  INFO(dump(ds));
  REQUIRE(ds.size() == 1);
  CHECK(has(ds, 10, "target[0].constraint[0].metric",
            "unknown metric 'equalized_odd_diference'; did you mean 'equalized_odds_difference'?"));
}

TEST_CASE("An unknown metric far from every name gets no suggestion", "[policy][errors]") {
  const auto ds = diagnose(with(
      "\n[[target.constraint]]\nid = \"c\"\nmetric = \"zzzzzzzzzzzz\"\nbound = \"<= 0.05\"\n"));
  INFO(dump(ds));
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].message.find("did you mean") == std::string::npos);
}

TEST_CASE("A duplicate target name is an error at the second name", "[policy][errors]") {
  std::string text = with(ok_constraint);
  text +=
      "\n[[target]]\nname = \"t\"\nsensitive_features = [\"race\"]\n" + std::string(ok_constraint);
  const auto ds = diagnose(text);
  INFO(dump(ds));
  REQUIRE(ds.size() == 1);
  CHECK(has(ds, 14, "target[1].name", "duplicate target name 't'"));
}

TEST_CASE("A duplicate constraint id within a target is an error at the second id",
          "[policy][errors]") {
  const auto ds = diagnose(with(std::string(ok_constraint) + std::string(ok_constraint)));
  INFO(dump(ds));
  REQUIRE(ds.size() == 1);
  CHECK(has(ds, 14, "target[0].constraint[1].id", "duplicate constraint id 'c'"));
}

TEST_CASE("The same constraint id in two targets is allowed", "[policy][errors]") {
  std::string text = with(ok_constraint);
  text +=
      "\n[[target]]\nname = \"u\"\nsensitive_features = [\"race\"]\n" + std::string(ok_constraint);
  CHECK(diagnose(text).empty());
}

TEST_CASE("Bound strings that do not follow the grammar are errors quoting the string",
          "[policy][errors]") {
  const char* bad[] = {"< 0.05",
                       "0.05",
                       "<= ",
                       "<= 0.05 extra",
                       "<= baseline * 2",
                       ">= baseline - -0.1",
                       "<= .5",
                       "<= 5.",
                       "<= 1e",
                       "<= nan",
                       "<= inf",
                       "<= 1e999",
                       "=> 0.1",
                       "<= 0x10",
                       "<= baseline 0.1"};
  for (const char* b : bad) {
    const auto ds =
        diagnose(with("\n[[target.constraint]]\nid = \"c\"\nmetric = \"tpr\"\nbound = \"" +
                      std::string(b) + "\"\n"));
    INFO(b << "\n" << dump(ds));
    REQUIRE(ds.size() == 1);
    CHECK(has(ds, 11, "target[0].constraint[0].bound",
              "cannot parse bound '" + std::string(b) + "'"));
  }
}

TEST_CASE("An absolute bound outside the metric's range is an error", "[policy][errors]") {
  // tpr is a proportion in [0,1]; 80 is a percentage typed by mistake.
  const auto ds =
      diagnose(with("\n[[target.constraint]]\nid = \"c\"\nmetric = \"tpr\"\nbound = \">= 80\"\n"));
  INFO(dump(ds));
  CHECK(has(ds, 11, "target[0].constraint[0].bound", "outside the range of tpr, [0, 1]"));
}

TEST_CASE("alpha outside (0,1) is an error in [defaults] and in a target", "[policy][errors]") {
  for (const char* a : {"0", "1", "1.5", "-0.1"}) {
    const auto ds =
        diagnose("schema_version = 1\nname = \"p\"\n[defaults]\nalpha = " + std::string(a) + "\n" +
                 with(ok_constraint).substr(30));
    INFO(a << "\n" << dump(ds));
    REQUIRE(ds.size() == 1);
    CHECK(has(ds, 4, "defaults.alpha", "out of range: must be in (0, 1)"));
  }
  const auto ds = diagnose(with("alpha = 1.0\n" + std::string(ok_constraint)));
  INFO(dump(ds));
  CHECK(has(ds, 7, "target[0].alpha", "out of range"));
}

TEST_CASE("confidence outside (0,1) is an error", "[policy][errors]") {
  const auto ds =
      diagnose(with(std::string(ok_constraint) + "evidence = \"ci\"\nconfidence = 95\n"));
  INFO(dump(ds));
  CHECK(has(ds, 13, "target[0].constraint[0].confidence", "out of range"));
}

TEST_CASE("A schema_version from the future is the only error reported", "[policy][errors]") {
  const auto ds = diagnose("schema_version = 2\nname = 3\nnew_feature = true\n");
  INFO(dump(ds));
  REQUIRE(ds.size() == 1);
  CHECK(has(ds, 1, "schema_version", "newer than this fairgate supports (1)"));
}

TEST_CASE("A schema_version below 1 is an error", "[policy][errors]") {
  const auto ds = diagnose("schema_version = 0" + with(ok_constraint).substr(18));
  INFO(dump(ds));
  CHECK(has(ds, 1, "schema_version", "must be >= 1"));
}

TEST_CASE("A missing required key is reported at its table with the key's path",
          "[policy][errors]") {
  SECTION("the constraint's metric") {
    const auto ds = diagnose(with("\n[[target.constraint]]\nid = \"c\"\nbound = \"<= 0.1\"\n"));
    INFO(dump(ds));
    REQUIRE(ds.size() == 1);
    CHECK(has(ds, 8, "target[0].constraint[0].metric", "missing required key 'metric'"));
  }
  SECTION("the constraint's bound") {
    const auto ds = diagnose(with("\n[[target.constraint]]\nid = \"c\"\nmetric = \"tpr\"\n"));
    INFO(dump(ds));
    REQUIRE(ds.size() == 1);
    CHECK(has(ds, 8, "target[0].constraint[0].bound", "missing required key 'bound'"));
  }
  SECTION("the target's sensitive_features") {
    const auto ds = diagnose("schema_version = 1\nname = \"p\"\n[[target]]\nname = \"t\"\n" +
                             std::string(ok_constraint));
    INFO(dump(ds));
    REQUIRE(ds.size() == 1);
    CHECK(has(ds, 3, "target[0].sensitive_features", "missing required key"));
  }
  SECTION("a target's constraints") {
    const auto ds = diagnose(with(""));
    INFO(dump(ds));
    REQUIRE(ds.size() == 1);
    CHECK(has(ds, 4, "target[0].constraint", "missing required key 'constraint'"));
  }
}

TEST_CASE("A value of the wrong type names the expected and the actual type", "[policy][errors]") {
  const auto ds = diagnose(
      "schema_version = 1\nname = 3\n\n[[target]]\nname = \"t\"\nsensitive_features = [\"sex\"]\n"
      "max_sparsity = \"0.5\"\nper_channel = \"yes\"\nallowed_bits = 8\n" +
      std::string(ok_constraint));
  INFO(dump(ds));
  REQUIRE(ds.size() == 4);
  CHECK(has(ds, 2, "name", "expected a string, got an integer"));
  CHECK(has(ds, 7, "target[0].max_sparsity", "expected a number, got a string"));
  CHECK(has(ds, 8, "target[0].per_channel", "expected a boolean"));
  CHECK(has(ds, 9, "target[0].allowed_bits", "expected an array, got an integer"));
}

TEST_CASE("An integer key given a float is a type error", "[policy][errors]") {
  const auto ds = diagnose(with(std::string(ok_constraint) + "min_support = 100.0\n"));
  INFO(dump(ds));
  CHECK(has(ds, 12, "target[0].constraint[0].min_support",
            "expected an integer, got a floating-point number"));
}

TEST_CASE("[target] instead of [[target]] is an error explaining the spelling",
          "[policy][errors]") {
  const auto ds = diagnose("schema_version = 1\nname = \"p\"\n[target]\nname = \"t\"\n");
  INFO(dump(ds));
  CHECK(has(ds, 3, "target", "[[target]], not [target]"));
}

TEST_CASE("All problems of a file are reported, sorted by line", "[policy][errors]") {
  // Three independent problems: an unknown top-level key (line 2), a bad
  // bit-width (line 7) and an unknown metric (line 11).
  const auto ds = diagnose(R"(schema_version = 1
nme = "p"
name = "p"
[[target]]
name = "t"
sensitive_features = ["sex"]
allowed_bits = [32, 12]
[[target.constraint]]
id = "c"
bound = "<= 0.1"
metric = "dp_difference"
)");
  INFO(dump(ds));
  REQUIRE(ds.size() == 3);
  CHECK(ds[0].line == 2);
  CHECK(ds[1].line == 7);
  CHECK(ds[1].key == "target[0].allowed_bits[1]");
  CHECK(ds[2].line == 11);
  CHECK(ds[2].key == "target[0].constraint[0].metric");
}

TEST_CASE("parse_policy_string throws parse_error carrying every formatted diagnostic",
          "[policy][errors]") {
  const std::string text = with(std::string(ok_constraint) + "colour = 1\nshade = 2\n");
  try {
    (void)fairgate::policy::parse_policy_string(text, "mine.toml");
    FAIL("no exception");
  } catch (const fairgate::error& e) {
    CHECK(e.code() == fairgate::errc::parse_error);
    const std::string msg = e.what();
    CHECK(msg.find("mine.toml:12:1: key 'target[0].constraint[0].colour'") != std::string::npos);
    CHECK(msg.find("mine.toml:13:1: key 'target[0].constraint[0].shade'") != std::string::npos);
  }
}

TEST_CASE("parse_policy_file on a missing file throws io_error naming the path",
          "[policy][errors]") {
  try {
    (void)fairgate::policy::parse_policy_file("/nonexistent/dir/policy.toml");
    FAIL("no exception");
  } catch (const fairgate::error& e) {
    CHECK(e.code() == fairgate::errc::io_error);
    CHECK(std::string(e.what()).find("/nonexistent/dir/policy.toml") != std::string::npos);
  }
  const auto r = fairgate::policy::validate_file("/nonexistent/dir/policy.toml");
  REQUIRE(r.diagnostics.size() == 1);
  CHECK_FALSE(r.value.has_value());
}

TEST_CASE("A disparity cannot be an every_group guardrail", "[policy][errors]") {
  const auto ds = diagnose(
      with("\n[[target.constraint]]\nid = \"c\"\nmetric = \"demographic_parity_difference\"\n"
           "scope = \"every_group\"\nbound = \"<= 0.1\"\n"));
  INFO(dump(ds));
  REQUIRE(ds.size() == 1);
  CHECK(has(ds, 11, "target[0].constraint[0].scope", "cannot be an every_group guardrail"));
}

TEST_CASE("max_drop applies only to group rates", "[policy][errors]") {
  const auto ds =
      diagnose(with("\n[[target.constraint]]\nid = \"c\"\nmetric = "
                    "\"demographic_parity_ratio\"\nmax_drop = 0.01\n"));
  INFO(dump(ds));
  REQUIRE(ds.size() == 1);
  CHECK(has(ds, 11, "target[0].constraint[0].max_drop", "bound = \">= baseline - 0.01\""));
}

TEST_CASE("Giving two bound spellings is an error", "[policy][errors]") {
  const auto ds = diagnose(with(std::string(ok_constraint) + "max_drop = 0.01\n"));
  INFO(dump(ds));
  REQUIRE(ds.size() == 1);
  CHECK(has(ds, 12, "target[0].constraint[0].max_drop", "only one of bound, max_drop, max_rise"));
}

TEST_CASE("A paired test needs a baseline-relative bound", "[policy][errors]") {
  const auto ds = diagnose(with(std::string(ok_constraint) + "evidence = \"paired_test\"\n"));
  INFO(dump(ds));
  REQUIRE(ds.size() == 1);
  CHECK(has(ds, 12, "target[0].constraint[0].evidence", "needs a baseline-relative bound"));
}

TEST_CASE("confidence and interval are errors unless evidence is ci", "[policy][errors]") {
  const auto ds =
      diagnose(with(std::string(ok_constraint) + "confidence = 0.9\ninterval = \"wilson\"\n"));
  INFO(dump(ds));
  REQUIRE(ds.size() == 2);
  CHECK(has(ds, 12, "target[0].constraint[0].confidence", "only with evidence = \"ci\""));
  CHECK(has(ds, 13, "target[0].constraint[0].interval", "only with evidence = \"ci\""));
}

TEST_CASE("A Wilson interval needs a proportion with an absolute bound", "[policy][errors]") {
  const auto on_f1 =
      diagnose(with("\n[[target.constraint]]\nid = \"c\"\nmetric = \"f1\"\nbound = \">= 0.5\"\n"
                    "evidence = \"ci\"\ninterval = \"wilson\"\n"));
  INFO(dump(on_f1));
  CHECK(has(on_f1, 13, "target[0].constraint[0].interval", "not f1"));
  const auto relative =
      diagnose(with("\n[[target.constraint]]\nid = \"c\"\nmetric = \"tpr\"\nmax_drop = 0.02\n"
                    "evidence = \"ci\"\ninterval = \"wilson\"\n"));
  INFO(dump(relative));
  CHECK(has(relative, 13, "target[0].constraint[0].interval", "baseline-relative"));
}

TEST_CASE("agg and method are errors on metrics that do not take them", "[policy][errors]") {
  const auto ds =
      diagnose(with(std::string(ok_constraint) + "agg = \"mean\"\nmethod = \"to_overall\"\n"));
  INFO(dump(ds));
  REQUIRE(ds.size() == 2);
  CHECK(has(ds, 12, "target[0].constraint[0].agg", "only to equalized_odds_difference"));
  CHECK(has(ds, 13, "target[0].constraint[0].method", "not tpr"));
}

TEST_CASE("An enum value outside its set lists the allowed values", "[policy][errors]") {
  const auto ds = diagnose(with(std::string(ok_constraint) + "undefined = \"ignore\"\n"));
  INFO(dump(ds));
  CHECK(has(ds, 12, "target[0].constraint[0].undefined",
            "must be one of \"skip\", \"fail\", \"pass\""));
}

TEST_CASE("An AIF360-style metric needs the target's reference_group", "[policy][errors]") {
  const auto ds = diagnose(with(
      "\n[[target.constraint]]\nid = \"c\"\nmetric = \"disparate_impact\"\nbound = \">= 0.8\"\n"));
  INFO(dump(ds));
  REQUIRE(ds.size() == 1);
  CHECK(has(ds, 10, "target[0].constraint[0].metric", "has no reference_group"));
}

TEST_CASE("reference_group must match the sensitive features", "[policy][errors]") {
  SECTION("a single value with two features") {
    const auto ds = diagnose(
        "schema_version = 1\nname = \"p\"\n[[target]]\nname = \"t\"\n"
        "sensitive_features = [\"sex\", \"race\"]\nreference_group = \"Male\"\n" +
        std::string(ok_constraint));
    INFO(dump(ds));
    CHECK(has(ds, 6, "target[0].reference_group", "write a table"));
  }
  SECTION("a table naming an unknown feature and missing one") {
    const auto ds = diagnose(
        "schema_version = 1\nname = \"p\"\n[[target]]\nname = \"t\"\n"
        "sensitive_features = [\"sex\", \"race\"]\nreference_group = { sx = \"Male\" }\n" +
        std::string(ok_constraint));
    INFO(dump(ds));
    CHECK(has(ds, 6, "target[0].reference_group.sx", "did you mean 'sex'?"));
    CHECK(has(ds, 6, "target[0].reference_group", "no value for sensitive feature 'race'"));
  }
}

TEST_CASE("Compression allowances are range-checked", "[policy][errors]") {
  const auto ds = diagnose(with(
      "max_sparsity = 1.5\nallowed_bits = [8, 8]\nallowed_nm = [\"2:4\", \"4:2\", \"2:4\", 3]\n" +
      std::string(ok_constraint)));
  INFO(dump(ds));
  REQUIRE(ds.size() == 5);
  CHECK(has(ds, 7, "target[0].max_sparsity", "must be in [0, 1]"));
  CHECK(has(ds, 8, "target[0].allowed_bits[1]", "listed twice"));
  CHECK(has(ds, 9, "target[0].allowed_nm[1]", "invalid N:M pattern '4:2'"));
  CHECK(has(ds, 9, "target[0].allowed_nm[2]", "listed twice"));
  CHECK(has(ds, 9, "target[0].allowed_nm[3]", "expected a string"));
}

TEST_CASE("Names and ids are restricted to a path-safe alphabet", "[policy][errors]") {
  const auto ds = diagnose(
      "schema_version = 1\nname = \"p\"\n[[target]]\nname = \"my phone/v2\"\n"
      "sensitive_features = [\"sex\"]\n[[target.constraint]]\nid = \"\"\nmetric = \"tpr\"\nbound = "
      "\">= 0.1\"\n");
  INFO(dump(ds));
  REQUIRE(ds.size() == 2);
  CHECK(has(ds, 4, "target[0].name", "invalid target name 'my phone/v2'"));
  CHECK(has(ds, 7, "target[0].constraint[0].id", "invalid id ''"));
}

TEST_CASE("Control characters in reported values are escaped", "[policy][errors]") {
  const auto ds = diagnose(
      with("\n[[target.constraint]]\nid = \"c\"\nmetric = \"a\\u0001b\"\nbound = \">= 0.1\"\n"));
  INFO(dump(ds));
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].message.find("'a\\x01b'") != std::string::npos);
}

TEST_CASE("A table header without a key is a syntax error, not a parser crash",
          "[policy][errors]") {
  // toml++ 3.3 assumes a key after '[' (upstream #294); these must be
  // reported cleanly, at the offending character.
  struct bad {
    const char* text;
    unsigned line, column;
  };
  const bad cases[] = {{"[&", 1, 2},  {"[[[1]]]", 1, 3},        {"[[=", 1, 3},
                       {"[\n", 1, 2}, {"a = 1\n[ @a]\n", 2, 3}, {"[\xc3\xa9]", 1, 2}};
  for (const auto& b : cases) {
    const auto ds = diagnose(b.text);
    INFO(b.text << "\n" << dump(ds));
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].line == b.line);
    CHECK(ds[0].column == b.column);
    CHECK(ds[0].message.find("TOML syntax error") != std::string::npos);
  }
  // An earlier syntax error is still the one reported.
  const auto earlier = diagnose("a = = 1\n[@x]\n");
  REQUIRE(earlier.size() == 1);
  CHECK(earlier[0].line == 1);
}

TEST_CASE("Brackets inside strings and multi-line arrays are not table headers",
          "[policy][errors]") {
  // Valid TOML whose lines start with '[' inside a value: only schema errors
  // (unknown keys), never a syntax error.
  for (const char* text :
       {"x = [\n  [1],\n  [ {a=1} ]\n]\n", "s = \"\"\"\n[@x]\n\"\"\"\n", "s = '''\n[@\n'''\n"}) {
    const auto ds = diagnose(text);
    INFO(text << "\n" << dump(ds));
    for (const auto& d : ds) CHECK(d.message.find("syntax") == std::string::npos);
  }
}

TEST_CASE("Non-ASCII text outside strings and comments is a syntax error", "[policy][errors]") {
  // TOML 1.0 allows it nowhere else; toml++ 3.3 has undefined behaviour on it
  // (upstream #190/#295), so it must never reach the parser.
  struct bad {
    const char* text;
    unsigned line, column;
  };
  const bad cases[] = {{"\xc3\xa9 = 1", 1, 1},
                       {"a = 1 \xc3\xa9", 1, 7},
                       {"\xc2\xa0[x]", 1, 1},
                       {"a = [\n 1,\n \xef\xbb\x9c]", 3, 2}};
  for (const auto& b : cases) {
    const auto ds = diagnose(b.text);
    INFO(dump(ds));
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].line == b.line);
    CHECK(ds[0].column == b.column);
    CHECK(ds[0].message.find("outside a string or comment") != std::string::npos);
  }
}

TEST_CASE("Non-ASCII text in strings and comments and a leading BOM are accepted",
          "[policy][errors]") {
  const std::string text = "\xef\xbb\xbf# r\xc3\xa9sum\xc3\xa9\n" +
                           with(std::string(ok_constraint)) +
                           "description = \"\xc2\xa7 \xe4\xb8\x80\"\n";
  const auto r = fairgate::policy::validate(text, "t.toml");
  INFO(dump(r.diagnostics));
  REQUIRE(r.ok());
  CHECK(r.value->targets[0].constraints[0].description == "\xc2\xa7 \xe4\xb8\x80");
}

TEST_CASE("A line-ending backslash followed by non-ASCII text is refused with the reason",
          "[policy][errors]") {
  const auto ds = diagnose("description = \"\"\"a \\\n  \xc2\xa7\"\"\"\n");
  INFO(dump(ds));
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].line == 2);
  CHECK(ds[0].column == 3);
  CHECK(ds[0].message.find("line-ending backslash") != std::string::npos);
}

TEST_CASE("Invalid UTF-8 is a syntax error", "[policy][errors]") {
  const auto ds = diagnose("schema_version = 1\nname = \"\xff\"\n");
  INFO(dump(ds));
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].line == 2);
  CHECK(ds[0].message.find("invalid UTF-8") != std::string::npos);
}

TEST_CASE("Quotes that end a multi-line string's content do not hide a later bad header",
          "[policy][errors]") {
  // '''a'''' is the string "a'": the scan must see the array close, so the
  // '[' on line 2 is a header (and a bad one).
  for (const char* text : {"x = ['''a'''', 1]\n[&\n", "x = [\"\"\"a\"\"\"\"\", 1]\n[&\n"}) {
    const auto ds = diagnose(text);
    INFO(text << "\n" << dump(ds));
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].line == 2);
    CHECK(ds[0].message.find("a table header needs a key") != std::string::npos);
  }
}

TEST_CASE("An array element starting with a closing brace is a syntax error", "[policy][errors]") {
  // toml++ 3.3 asserts on these (found by fuzz.policy).
  for (const char* text :
       {"a = [}", "a = [1, }", "a = [[}]]", "a = [\n  # c\n  }", "a = {b = [}]}"}) {
    const auto ds = diagnose(text);
    INFO(text << "\n" << dump(ds));
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].message.find("expected a value or ']' in an array, saw '}'") != std::string::npos);
  }
}

TEST_CASE("An invalid reference_group is reported once, not again per constraint",
          "[policy][errors]") {
  const auto ds = diagnose(
      "schema_version = 1\nname = \"p\"\n[[target]]\nname = \"t\"\n"
      "sensitive_features = [\"sex\", \"race\"]\nreference_group = \"Male\"\n"
      "[[target.constraint]]\nid = \"c\"\nmetric = \"disparate_impact\"\nbound = \">= 0.8\"\n");
  INFO(dump(ds));
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].key == "target[0].reference_group");
}
