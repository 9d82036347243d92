// fairgate/policy/model.hpp: the in-memory fairness policy (plain structs).
//
// A policy names deployment targets; each target lists what compression it
// allows and the fairness constraints that must still hold after compression.
// The parser resolves every default into the constraints, so a gate needs
// nothing but a `constraint` (and its `target`) to judge it.
//
//   fairgate::policy::policy p = fairgate::policy::parse_policy_file("four_fifths.toml");
//   for (const auto& t : p.targets)
//     for (const auto& c : t.constraints) { /* gate::evaluate(c, ...) */ }
//
// The TOML spelling of every field is documented in docs/policy.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/policy/metric_catalogue.hpp>

FAIRGATE_BEGIN_NAMESPACE
namespace policy {

// The newest schema this build reads. A file with a larger schema_version is
// rejected rather than half-understood.
inline constexpr std::int64_t current_schema_version = 1;

enum class comparison : std::uint8_t { le, ge };  // "<=" and ">="

enum class bound_kind : std::uint8_t {
  absolute,  // metric OP value
  relative,  // metric OP baseline_metric + value (value is a signed delta)
};

// metric OP threshold, where threshold = value (absolute) or
// baseline + value (relative; the baseline is the uncompressed model's metric,
// per group when scope = every_group).
struct bound {
  comparison op = comparison::le;
  bound_kind kind = bound_kind::absolute;
  double value = 0.0;

  // The threshold the metric is compared with, given the baseline's value.
  [[nodiscard]] constexpr double threshold(double baseline) const noexcept {
    return kind == bound_kind::absolute ? value : baseline + value;
  }
  // Whether `metric` satisfies the bound (no tolerance: the bound is exact).
  [[nodiscard]] constexpr bool holds(double metric, double baseline) const noexcept {
    const double t = threshold(baseline);
    return op == comparison::le ? metric <= t : metric >= t;
  }
  friend constexpr bool operator==(const bound&, const bound&) = default;
};

enum class scope_kind : std::uint8_t {
  overall,      // a disparity across groups, or a group rate pooled over all rows
  every_group,  // a group rate that must hold in every group with enough support
};

enum class evidence_kind : std::uint8_t {
  point,        // the point estimate must satisfy the bound
  ci,           // the interval end on the bound's side must satisfy it
  paired_test,  // a one-sided paired test of the change against the baseline
};

// For evidence = ci: which end of the interval is judged, derived from the op.
// "<=" judges the upper end (the disparity could be as large as that), ">="
// the lower end. Conservative: the bound must hold for the whole interval.
enum class interval_side : std::uint8_t { upper, lower };
[[nodiscard]] constexpr interval_side judged_side(comparison op) noexcept {
  return op == comparison::le ? interval_side::upper : interval_side::lower;
}

enum class interval_method : std::uint8_t {
  bootstrap,  // Poisson bootstrap with the policy's replicates and seed
  wilson,     // Wilson score interval (absolute bounds on proportions only)
};

enum class correction_method : std::uint8_t {
  none,
  holm,  // Holm (1979) step-down, family-wise error rate
  bh,    // Benjamini-Hochberg (1995), false discovery rate
};

// What a group (or a whole constraint) whose metric is undefined (0/0, or no
// group left after min_support) counts as.
enum class undefined_rule : std::uint8_t { skip, fail, pass };

enum class eo_agg : std::uint8_t { worst_case, mean };                      // Fairlearn's `agg`
enum class disparity_method : std::uint8_t { between_groups, to_overall };  // Fairlearn's `method`

// How a constraint is judged. Every field is resolved (defaults applied);
// fields that the evidence kind does not use keep their defaults and are not
// part of the canonical form.
struct evidence {
  evidence_kind kind = evidence_kind::point;
  double confidence = 0.95;                               // ci: two-sided level of the interval
  interval_method interval = interval_method::bootstrap;  // ci
  std::uint32_t bootstrap_replicates = 1000;              // ci (bootstrap), paired_test
  std::uint64_t seed = 0;                                 // root seed of the rng streams
  double alpha = 0.05;                                    // paired_test: family level of the target
  correction_method correction = correction_method::holm;  // paired_test family
  friend bool operator==(const evidence&, const evidence&) = default;
};

struct constraint {
  std::string id;  // unique within its target; [A-Za-z0-9_.-]+
  std::string description;
  metric_id metric = metric_id::accuracy;
  eo_agg agg = eo_agg::worst_case;                             // only if info(metric).has_agg
  disparity_method method = disparity_method::between_groups;  // only if has_method
  scope_kind scope = scope_kind::overall;
  struct bound bound;
  struct evidence evidence;
  std::uint64_t min_support = 0;  // groups with fewer rows are not judged
  undefined_rule undefined = undefined_rule::skip;
  // Where the constraint was declared (for messages); not part of the canonical form.
  std::uint32_t source_line = 0;
  friend bool operator==(const constraint&, const constraint&) = default;
};

// "N:M": at most N non-zeros in every block of M consecutive weights.
struct nm_pattern {
  std::uint32_t n = 2;
  std::uint32_t m = 4;
  friend constexpr auto operator<=>(const nm_pattern&, const nm_pattern&) = default;
};

// The compression a target allows. A target allows only what it declares: the
// defaults are "no pruning, no quantization".
struct compression_allowance {
  double max_sparsity = 0.0;                    // fraction of weights that may be zero, [0, 1]
  std::vector<std::uint32_t> allowed_bits{32};  // subset of {32,16,8,4}, descending; 32 = float
  std::vector<nm_pattern> allowed_nm;           // ascending (n, m)
  bool per_channel = false;                     // per-channel quantization scales allowed
  friend bool operator==(const compression_allowance&, const compression_allowance&) = default;
};

struct group_value {
  std::string feature;
  std::string value;
  friend bool operator==(const group_value&, const group_value&) = default;
};

struct target {
  std::string name;  // unique within the policy; [A-Za-z0-9_.-]+
  std::string description;
  std::vector<std::string> sensitive_features;  // intersectional when several
  // One entry per sensitive feature, in sensitive_features order, or empty.
  std::vector<group_value> reference_group;
  compression_allowance compression;
  double alpha = 0.05;  // family level of this target's paired tests
  correction_method correction = correction_method::holm;
  std::vector<constraint> constraints;
  std::uint32_t source_line = 0;  // not part of the canonical form
  friend bool operator==(const target&, const target&) = default;
};

// Policy-wide settings; each constraint/target copies what it uses.
struct defaults {
  std::uint64_t min_support = 0;
  undefined_rule undefined_groups = undefined_rule::skip;
  evidence_kind evidence = evidence_kind::point;
  double confidence = 0.95;
  interval_method interval = interval_method::bootstrap;
  double alpha = 0.05;
  correction_method correction = correction_method::holm;
  std::uint32_t bootstrap_replicates = 1000;
  std::uint64_t seed = 0;
  friend bool operator==(const defaults&, const defaults&) = default;
};

struct policy {
  std::int64_t schema_version = current_schema_version;
  std::string name;
  std::string description;
  struct defaults defaults;
  std::vector<target> targets;

  // The target called `name`, or nullptr.
  [[nodiscard]] const target* find_target(std::string_view target_name) const noexcept {
    for (const auto& t : targets)
      if (t.name == target_name) return &t;
    return nullptr;
  }
  friend bool operator==(const policy&, const policy&) = default;
};

// TOML spellings of the enums (the same strings the parser accepts).
[[nodiscard]] std::string_view to_string(comparison v) noexcept;
[[nodiscard]] std::string_view to_string(scope_kind v) noexcept;
[[nodiscard]] std::string_view to_string(evidence_kind v) noexcept;
[[nodiscard]] std::string_view to_string(interval_method v) noexcept;
[[nodiscard]] std::string_view to_string(correction_method v) noexcept;
[[nodiscard]] std::string_view to_string(undefined_rule v) noexcept;
[[nodiscard]] std::string_view to_string(eo_agg v) noexcept;
[[nodiscard]] std::string_view to_string(disparity_method v) noexcept;

// The bound in its TOML spelling: "<= 0.05", ">= baseline - 0.01", ">= baseline".
// Numbers use the shortest text that reads back to the same double.
[[nodiscard]] std::string to_string(const bound& b);

// "2:4"
[[nodiscard]] std::string to_string(nm_pattern p);

}  // namespace policy
FAIRGATE_END_NAMESPACE
