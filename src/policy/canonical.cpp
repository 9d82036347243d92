// Canonical TOML of a policy, its JSON rendering and its SHA-256 digest.
#include <fairgate/policy/canonical.hpp>

#include <algorithm>
#include <array>
#include <map>
#include <sstream>
#include <utility>

#include <openssl/evp.h>
#include <toml++/toml.h>

#include <fairgate/error.hpp>

#include "detail.hpp"

FAIRGATE_BEGIN_NAMESPACE
namespace policy {
namespace {

using detail::format_number;

// A TOML basic string.
std::string str(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (u < 0x20 || u == 0x7f) {
          out += "\\u00";
          out += hex[u >> 4];
          out += hex[u & 15];
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

// TOML bare keys are [A-Za-z0-9_-]+; anything else is quoted.
std::string key(std::string_view k) {
  const bool bare = !k.empty() && std::all_of(k.begin(), k.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
  return bare ? std::string(k) : str(k);
}

// Keys sorted byte-wise (std::map), values already rendered.
using section = std::map<std::string, std::string>;

void emit(std::string& out, const section& s) {
  for (const auto& [k, v] : s) out += key(k) + " = " + v + "\n";
}

std::string uint_text(std::uint64_t v) {
  return std::to_string(v);
}

}  // namespace

std::string to_canonical_toml(const policy& p) {
  std::string out;
  {
    section top;
    top["schema_version"] = std::to_string(p.schema_version);
    top["name"] = str(p.name);
    top["description"] = str(p.description);
    emit(out, top);
  }
  // Only the defaults that are not copied into targets and constraints: the
  // others are resolved below, so spelling them out changes nothing.
  out += "\n[defaults]\n";
  emit(out, section{{"bootstrap_replicates", uint_text(p.defaults.bootstrap_replicates)},
                    {"seed", uint_text(p.defaults.seed)}});

  for (const auto& t : p.targets) {
    out += "\n[[target]]\n";
    section s;
    s["name"] = str(t.name);
    s["description"] = str(t.description);
    {
      std::string a = "[";
      for (std::size_t i = 0; i < t.sensitive_features.size(); ++i)
        a += (i ? ", " : "") + str(t.sensitive_features[i]);
      s["sensitive_features"] = a + "]";
    }
    if (!t.reference_group.empty()) {
      // Inline table in sensitive_features order is not canonical; sort keys.
      std::map<std::string, std::string> ref;
      for (const auto& g : t.reference_group) ref[g.feature] = g.value;
      std::string a = "{ ";
      bool first = true;
      for (const auto& [f, v] : ref) {
        a += (first ? "" : ", ") + key(f) + " = " + str(v);
        first = false;
      }
      s["reference_group"] = a + " }";
    }
    s["max_sparsity"] = format_number(t.compression.max_sparsity);
    {
      std::string a = "[";
      for (std::size_t i = 0; i < t.compression.allowed_bits.size(); ++i)
        a += (i ? ", " : "") + std::to_string(t.compression.allowed_bits[i]);
      s["allowed_bits"] = a + "]";
    }
    {
      std::string a = "[";
      for (std::size_t i = 0; i < t.compression.allowed_nm.size(); ++i)
        a += (i ? ", " : "") + str(to_string(t.compression.allowed_nm[i]));
      s["allowed_nm"] = a + "]";
    }
    s["per_channel"] = t.compression.per_channel ? "true" : "false";
    // The family settings matter only if some constraint runs a paired test.
    bool tests = false;
    for (const auto& c : t.constraints)
      tests = tests || c.evidence.kind == evidence_kind::paired_test;
    if (tests) {
      s["alpha"] = format_number(t.alpha);
      s["correction"] = str(to_string(t.correction));
    }
    emit(out, s);

    for (const auto& c : t.constraints) {
      out += "\n[[target.constraint]]\n";
      const metric_info& m = info(c.metric);
      section cs;
      cs["id"] = str(c.id);
      cs["description"] = str(c.description);
      cs["metric"] = str(m.name);
      if (m.has_agg) cs["agg"] = str(to_string(c.agg));
      if (m.has_method) cs["method"] = str(to_string(c.method));
      cs["scope"] = str(to_string(c.scope));
      cs["bound"] = str(to_string(c.bound));
      cs["evidence"] = str(to_string(c.evidence.kind));
      if (c.evidence.kind == evidence_kind::ci) {
        cs["confidence"] = format_number(c.evidence.confidence);
        cs["interval"] = str(to_string(c.evidence.interval));
      }
      cs["min_support"] = uint_text(c.min_support);
      cs["undefined"] = str(to_string(c.undefined));
      emit(out, cs);
    }
  }
  return out;
}

std::string to_json(const policy& p) {
  // The canonical TOML is valid by construction; a failure here is a bug.
  try {
    const toml::table t = toml::parse(to_canonical_toml(p), std::string_view("canonical"));
    std::ostringstream ss;
    ss << toml::json_formatter(t);
    return std::move(ss).str();
  } catch (const toml::parse_error& e) {
    throw error(errc::internal,
                "canonical policy TOML did not parse: " + std::string(e.description()));
  }
}

std::string digest(const policy& p) {
  const std::string text = to_canonical_toml(p);
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (EVP_Digest(text.data(), text.size(), md.data(), &len, EVP_sha256(), nullptr) != 1 ||
      len != 32)
    throw error(errc::internal, "SHA-256 of the canonical policy failed (OpenSSL EVP_Digest)");
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

}  // namespace policy
FAIRGATE_END_NAMESPACE
