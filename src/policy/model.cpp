// TOML spellings of the policy enums.
#include <fairgate/policy/model.hpp>

#include "detail.hpp"

FAIRGATE_BEGIN_NAMESPACE
namespace policy {

std::string_view to_string(comparison v) noexcept {
  return v == comparison::le ? "<=" : ">=";
}

std::string_view to_string(scope_kind v) noexcept {
  return v == scope_kind::overall ? "overall" : "every_group";
}

std::string_view to_string(evidence_kind v) noexcept {
  switch (v) {
    case evidence_kind::point:
      return "point";
    case evidence_kind::ci:
      return "ci";
    case evidence_kind::paired_test:
      return "paired_test";
  }
  return "?";
}

std::string_view to_string(interval_method v) noexcept {
  return v == interval_method::bootstrap ? "bootstrap" : "wilson";
}

std::string_view to_string(correction_method v) noexcept {
  switch (v) {
    case correction_method::none:
      return "none";
    case correction_method::holm:
      return "holm";
    case correction_method::bh:
      return "bh";
  }
  return "?";
}

std::string_view to_string(undefined_rule v) noexcept {
  switch (v) {
    case undefined_rule::skip:
      return "skip";
    case undefined_rule::fail:
      return "fail";
    case undefined_rule::pass:
      return "pass";
  }
  return "?";
}

std::string_view to_string(eo_agg v) noexcept {
  return v == eo_agg::worst_case ? "worst_case" : "mean";
}

std::string_view to_string(disparity_method v) noexcept {
  return v == disparity_method::between_groups ? "between_groups" : "to_overall";
}

std::string to_string(const bound& b) {
  std::string s(to_string(b.op));
  s += ' ';
  if (b.kind == bound_kind::absolute) return s + detail::format_number(b.value);
  s += "baseline";
  if (b.value > 0) s += " + " + detail::format_number(b.value);
  if (b.value < 0) s += " - " + detail::format_number(-b.value);
  return s;
}

std::string to_string(nm_pattern p) {
  return std::to_string(p.n) + ":" + std::to_string(p.m);
}

}  // namespace policy
FAIRGATE_END_NAMESPACE
