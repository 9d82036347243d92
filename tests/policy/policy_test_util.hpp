// Helpers shared by the policy tests.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <fairgate/policy/parse.hpp>

namespace policy_test {

inline std::vector<fairgate::policy::diagnostic> diagnose(std::string_view text) {
  return fairgate::policy::validate(text, "t.toml").diagnostics;
}

// True if some diagnostic is on `line`, has exactly key path `key`, and its
// message contains `fragment`.
inline bool has(const std::vector<fairgate::policy::diagnostic>& ds, unsigned line,
                std::string_view key, std::string_view fragment) {
  for (const auto& d : ds)
    if (d.line == line && d.key == key && d.message.find(fragment) != std::string::npos)
      return true;
  return false;
}

inline std::string dump(const std::vector<fairgate::policy::diagnostic>& ds) {
  std::string s;
  for (const auto& d : ds) s += fairgate::policy::format(d) + "\n";
  return s;
}

// A valid one-target policy; tests append or substitute lines.
inline constexpr std::string_view minimal_head = R"(schema_version = 1
name = "p"

[[target]]
name = "t"
sensitive_features = ["sex"]
)";

}  // namespace policy_test
