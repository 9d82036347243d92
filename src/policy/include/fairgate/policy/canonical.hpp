// fairgate/policy/canonical.hpp: the canonical text of a policy and its digest.
//
// Two policy files that mean the same thing (defaults spelled out or not, keys
// in another order, comments, whitespace, metric aliases) have the same
// canonical text, so a manifest can record which rubric a model was judged by
// with one SHA-256.
//
//   std::string text = fairgate::policy::to_canonical_toml(p);  // parses back to p
//   std::string id   = fairgate::policy::digest(p);             // "sha256:9f86d0..."
//
// Canonical TOML: the top-level keys, then [defaults], then each [[target]]
// in file order with its [[target.constraint]] tables in file order; within a
// table, keys sorted byte-wise; every default resolved; only the keys the
// constraint's metric and evidence use; numbers in the shortest form that
// reads back to the same double (std::to_chars); strings as TOML basic strings
// with \" \\ \b \t \n \f \r and \uXXXX escapes for other control characters.
#pragma once

#include <string>

#include <fairgate/config.hpp>
#include <fairgate/policy/model.hpp>

FAIRGATE_BEGIN_NAMESPACE
namespace policy {

// Deterministic and parseable: parsing it gives the same targets (up to
// source_line), name, description, schema_version and policy-wide
// bootstrap_replicates and seed; the other [defaults] are already resolved into
// the targets and constraints and are not repeated. Canonicalising the parsed
// text gives the same text again (a fixed point).
[[nodiscard]] std::string to_canonical_toml(const policy& p);

// The same content as JSON (toml++'s JSON formatter over the canonical TOML):
// for the CLI and reports. Keys sorted; not hashed.
[[nodiscard]] std::string to_json(const policy& p);

// "sha256:" + lowercase hex SHA-256 of to_canonical_toml(p) (UTF-8 bytes).
[[nodiscard]] std::string digest(const policy& p);

}  // namespace policy
FAIRGATE_END_NAMESPACE
