// capi/src/policy.cpp: loading, validating and reading fairness policies over the C ABI.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <fairgate/fairgate.h>
#include <fairgate/policy/canonical.hpp>
#include <fairgate/policy/parse.hpp>

#include "gate_handles.hpp"
#include "guard.hpp"

using fairgate::capi::guard;
using fairgate::capi::policy_of;
using fairgate::capi::require_index;
using fairgate::capi::require_non_null;
using fairgate::capi::write_versioned;
namespace fpol = fairgate::policy;

// Diagnostics with their formatted text, kept for the accessors.
struct fairgate_policy_diagnostics {
  std::vector<fpol::diagnostic> items;
  std::vector<std::string> texts;
};

namespace {

static_assert(sizeof(void*) != 8 || sizeof(fairgate_target_info) == 48,
              "ABI: v1 layout is frozen (LP64)");
static_assert(sizeof(void*) != 8 || sizeof(fairgate_policy_diagnostic) == 48,
              "ABI: v1 layout is frozen (LP64)");

fairgate_policy* make_handle(fpol::policy p) {
  auto h = std::make_unique<fairgate_policy>();
  h->value = std::move(p);
  h->canonical = fpol::to_canonical_toml(h->value);
  h->digest = fpol::digest(h->value);
  return h.release();
}

std::string_view text_arg(const char* text, std::size_t length) {
  if (length > 0) require_non_null(text, "text");
  return std::string_view(text == nullptr ? "" : text, length);
}

fairgate_policy_diagnostics* make_diagnostics(const fpol::validation_result& r) {
  auto d = std::make_unique<fairgate_policy_diagnostics>();
  d->items = r.diagnostics;
  for (const auto& x : d->items) d->texts.push_back(fpol::format(x));
  return d.release();
}

const fpol::target& target_at(const fairgate_policy* p, std::size_t index) {
  const auto& pol = policy_of(p);
  require_index(index, pol.targets.size(), "target index");
  return pol.targets[index];
}

}  // namespace

extern "C" {

fairgate_status fairgate_policy_load_file(const char* path, fairgate_policy** out) {
  return guard([&] {
    require_non_null(path, "path");
    require_non_null(out, "out");
    *out = make_handle(fpol::parse_policy_file(path));
  });
}

fairgate_status fairgate_policy_load_string(const char* text, std::size_t length,
                                            const char* source_name, fairgate_policy** out) {
  return guard([&] {
    const std::string_view t = text_arg(text, length);
    require_non_null(out, "out");
    *out = make_handle(
        fpol::parse_policy_string(t, source_name == nullptr ? "<string>" : source_name));
  });
}

void fairgate_policy_destroy(fairgate_policy* policy) {
  delete policy;
}

fairgate_status fairgate_policy_name(const fairgate_policy* policy, const char** out_name) {
  return guard([&] {
    const auto& p = policy_of(policy);
    require_non_null(out_name, "out_name");
    *out_name = p.name.c_str();
  });
}

fairgate_status fairgate_policy_digest(const fairgate_policy* policy, const char** out_digest) {
  return guard([&] {
    require_non_null(policy, "policy");
    require_non_null(out_digest, "out_digest");
    *out_digest = policy->digest.c_str();
  });
}

fairgate_status fairgate_policy_canonical_toml(const fairgate_policy* policy,
                                               const char** out_text) {
  return guard([&] {
    require_non_null(policy, "policy");
    require_non_null(out_text, "out_text");
    *out_text = policy->canonical.c_str();
  });
}

fairgate_status fairgate_policy_target_count(const fairgate_policy* policy,
                                             std::size_t* out_count) {
  return guard([&] {
    const auto& p = policy_of(policy);
    require_non_null(out_count, "out_count");
    *out_count = p.targets.size();
  });
}

fairgate_status fairgate_policy_target(const fairgate_policy* policy, std::size_t index,
                                       fairgate_target_info* out) {
  return guard([&] {
    const auto& t = target_at(policy, index);
    require_non_null(out, "out");
    fairgate_target_info info{};
    info.name = t.name.c_str();
    info.n_constraints = t.constraints.size();
    info.n_sensitive_features = t.sensitive_features.size();
    info.max_sparsity = t.compression.max_sparsity;
    info.min_allowed_bits = 32;
    for (const auto b : t.compression.allowed_bits)
      info.min_allowed_bits = std::min(info.min_allowed_bits, b);
    info.per_channel = t.compression.per_channel ? 1 : 0;
    write_versioned(out, info, sizeof(fairgate_target_info), "out");
  });
}

fairgate_status fairgate_policy_sensitive_feature(const fairgate_policy* policy, std::size_t index,
                                                  std::size_t feature, const char** out_name) {
  return guard([&] {
    const auto& t = target_at(policy, index);
    require_index(feature, t.sensitive_features.size(), "feature");
    require_non_null(out_name, "out_name");
    *out_name = t.sensitive_features[feature].c_str();
  });
}

fairgate_status fairgate_policy_validate(const char* text, std::size_t length,
                                         const char* source_name,
                                         fairgate_policy_diagnostics** out) {
  return guard([&] {
    const std::string_view t = text_arg(text, length);
    require_non_null(out, "out");
    *out = make_diagnostics(fpol::validate(t, source_name == nullptr ? "<string>" : source_name));
  });
}

fairgate_status fairgate_policy_validate_file(const char* path, fairgate_policy_diagnostics** out) {
  return guard([&] {
    require_non_null(path, "path");
    require_non_null(out, "out");
    *out = make_diagnostics(fpol::validate_file(path));
  });
}

void fairgate_policy_diagnostics_destroy(fairgate_policy_diagnostics* diagnostics) {
  delete diagnostics;
}

fairgate_status fairgate_policy_diagnostics_count(const fairgate_policy_diagnostics* diagnostics,
                                                  std::size_t* out_count) {
  return guard([&] {
    require_non_null(diagnostics, "diagnostics");
    require_non_null(out_count, "out_count");
    *out_count = diagnostics->items.size();
  });
}

fairgate_status fairgate_policy_diagnostics_get(const fairgate_policy_diagnostics* diagnostics,
                                                std::size_t index,
                                                fairgate_policy_diagnostic* out) {
  return guard([&] {
    require_non_null(diagnostics, "diagnostics");
    require_index(index, diagnostics->items.size(), "index");
    const auto& d = diagnostics->items[index];
    fairgate_policy_diagnostic r{};
    r.line = d.line;
    r.column = d.column;
    r.source = d.source.c_str();
    r.key = d.key.c_str();
    r.message = d.message.c_str();
    r.text = diagnostics->texts[index].c_str();
    write_versioned(out, r, sizeof(fairgate_policy_diagnostic), "out");
  });
}

}  // extern "C"
