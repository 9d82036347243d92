// fairgate/policy/parse.hpp: reading a policy from TOML, with checked schema.
//
// Every problem in a policy file is reported, not only the first: wrong types,
// values out of range, unknown keys (with a suggestion), unknown metrics,
// duplicate names, bounds that do not parse, options that do not apply to the
// metric. Each diagnostic names the line, column and key path.
//
//   auto r = fairgate::policy::validate(text, "policy.toml");
//   for (const auto& d : r.diagnostics) std::cerr << format(d) << '\n';
//   fairgate::policy::policy p = fairgate::policy::parse_policy_file("policy.toml");  // throws
//
// The format itself (every key, type, default and meaning) is in docs/policy.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/policy/model.hpp>

FAIRGATE_BEGIN_NAMESPACE
namespace policy {

struct diagnostic {
  std::string source;        // the file name (or the name given for a string)
  std::uint32_t line = 0;    // 1-based; 0 when the problem has no position
  std::uint32_t column = 0;  // 1-based
  std::string key;  // key path, e.g. "target[1].constraint[0].bound" (0-based indices); empty for
                    // syntax errors
  std::string message;  // the problem, e.g. "unknown metric 'acuracy'; did you mean 'accuracy'?"
  friend bool operator==(const diagnostic&, const diagnostic&) = default;
};

// "policy.toml:12:9: key 'target[0].constraint[1].bound': cannot parse '<= x': ..."
[[nodiscard]] std::string format(const diagnostic& d);

struct validation_result {
  std::vector<diagnostic> diagnostics;  // sorted by (line, column), stable otherwise
  std::optional<struct policy> value;   // set iff diagnostics is empty
  [[nodiscard]] bool ok() const noexcept { return diagnostics.empty(); }
};

// Parses and checks `text`. Never throws for bad input (only std::bad_alloc).
[[nodiscard]] validation_result validate(std::string_view text, std::string_view source_name);

// Reads `path` and validates it. An unreadable file gives one diagnostic.
[[nodiscard]] validation_result validate_file(const std::filesystem::path& path);

// Throwing variants: fairgate::error(errc::parse_error) whose message is every
// diagnostic, formatted, one per line. An unreadable file is errc::io_error.
[[nodiscard]] struct policy parse_policy_string(std::string_view text,
                                                std::string_view source_name);
[[nodiscard]] struct policy parse_policy_file(const std::filesystem::path& path);

// Parses a bound string ("<= 0.05", ">= baseline - 0.01") on its own. On
// failure returns nullopt and sets `problem` to a sentence naming the fault.
[[nodiscard]] std::optional<bound> parse_bound(std::string_view text, std::string& problem);

}  // namespace policy
FAIRGATE_END_NAMESPACE
