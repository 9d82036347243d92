// Internal helpers shared by the policy sources (not installed).
#pragma once

#include <charconv>
#include <string>
#include <system_error>

#include <fairgate/config.hpp>

FAIRGATE_BEGIN_NAMESPACE
namespace policy::detail {

// Shortest text that reads back to the same double (std::to_chars without a
// precision is exactly that), with ".0" added to integral values so the TOML
// type stays floating-point. Only finite values reach here.
inline std::string format_number(double v) {
  if (v == 0.0) v = 0.0;  // -0 prints as 0: one canonical spelling
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, res.ptr);
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

// The same without the ".0": for messages, where 1 reads better than 1.0.
inline std::string format_plain(double v) {
  if (v == 0.0) v = 0.0;
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

}  // namespace policy::detail
FAIRGATE_END_NAMESPACE
