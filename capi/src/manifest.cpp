// capi/src/manifest.cpp: writing, reading and verifying run manifests over the C ABI.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include <fairgate/fairgate.h>
#include <fairgate/manifest/manifest.hpp>

#include "gate_handles.hpp"
#include "guard.hpp"

using fairgate::capi::guard;
using fairgate::capi::require_index;
using fairgate::capi::require_non_null;
using fairgate::capi::string_arg;
namespace fmn = fairgate::manifest;

struct fairgate_verify_report {
  fmn::verify_report value;
  std::string text;
};

namespace {

// nlohmann::json reports bad text (or strings that are not UTF-8, at dump
// time) with its own exceptions; the C ABI names them as fairgate errors.
template <class Body>
fairgate_status guard_json(Body&& body) noexcept {
  return guard([&] {
    try {
      body();
    } catch (const nlohmann::json::parse_error& e) {
      throw fairgate::error(fairgate::errc::parse_error, std::string("JSON: ") + e.what());
    } catch (const nlohmann::json::exception& e) {
      throw fairgate::error(fairgate::errc::invalid_argument, std::string("manifest: ") + e.what() +
                                                                  " (strings must be valid UTF-8)");
    }
  });
}

fmn::manifest& manifest_of(fairgate_manifest* m) {
  require_non_null(m, "manifest");
  return m->value;
}
const fmn::manifest& manifest_of(const fairgate_manifest* m) {
  require_non_null(m, "manifest");
  return m->value;
}

// A JSON value to store in the document; rejects text that would fail when
// the document is serialised later (invalid UTF-8), now, with a clear error.
nlohmann::json json_value(const char* text) {
  require_non_null(text, "json_text");
  nlohmann::json v = nlohmann::json::parse(text);
  (void)v.dump();
  return v;
}

void check_utf8(std::string_view s) {
  (void)nlohmann::json(std::string(s)).dump();
}

fairgate_verify_report* make_report(fmn::verify_report r) {
  auto h = std::make_unique<fairgate_verify_report>();
  h->text = r.to_text();
  h->value = std::move(r);
  return h.release();
}

}  // namespace

extern "C" {

fairgate_status fairgate_manifest_create(fairgate_manifest** out) {
  return guard_json([&] {
    require_non_null(out, "out");
    *out = new fairgate_manifest{};
  });
}

fairgate_status fairgate_manifest_read(const char* path, fairgate_manifest** out) {
  return guard_json([&] {
    const std::string p = string_arg(path, "path");
    require_non_null(out, "out");
    auto h = std::make_unique<fairgate_manifest>();
    h->value = fmn::manifest::read(p);
    *out = h.release();
  });
}

fairgate_status fairgate_manifest_from_json(const char* text, std::size_t length,
                                            fairgate_manifest** out) {
  return guard_json([&] {
    if (length > 0) require_non_null(text, "text");
    require_non_null(out, "out");
    auto h = std::make_unique<fairgate_manifest>();
    h->value = fmn::manifest::from_json(std::string_view(text == nullptr ? "" : text, length));
    *out = h.release();
  });
}

void fairgate_manifest_destroy(fairgate_manifest* manifest) {
  delete manifest;
}

fairgate_status fairgate_manifest_add_input_file(fairgate_manifest* manifest, const char* role,
                                                 const char* path) {
  return guard_json([&] {
    auto& m = manifest_of(manifest);
    const std::string r = string_arg(role, "role");
    const std::string p = string_arg(path, "path");
    check_utf8(r);
    check_utf8(p);
    m.add_input_file(r, p);
  });
}

fairgate_status fairgate_manifest_add_input_digest(fairgate_manifest* manifest, const char* role,
                                                   const char* sha256_hex, uint64_t bytes) {
  return guard_json([&] {
    auto& m = manifest_of(manifest);
    const std::string r = string_arg(role, "role");
    const std::string h = string_arg(sha256_hex, "sha256_hex");
    check_utf8(r);
    m.add_input_digest(r, h, bytes);
  });
}

fairgate_status fairgate_manifest_set_policy(fairgate_manifest* manifest, const char* path,
                                             const char* content, std::size_t content_length) {
  return guard_json([&] {
    auto& m = manifest_of(manifest);
    const std::string p = string_arg(path, "path");
    if (content_length > 0) require_non_null(content, "content");
    const std::string_view c(content == nullptr ? "" : content, content_length);
    check_utf8(p);
    check_utf8(c);
    m.set_policy(p, c);
  });
}

fairgate_status fairgate_manifest_set_root_seed(fairgate_manifest* manifest, uint64_t seed) {
  return guard_json([&] { manifest_of(manifest).set_root_seed(seed); });
}

fairgate_status fairgate_manifest_add_result_json(fairgate_manifest* manifest, const char* key,
                                                  const char* json_text) {
  return guard_json([&] {
    auto& m = manifest_of(manifest);
    const std::string k = string_arg(key, "key");
    check_utf8(k);
    m.results()[k] = json_value(json_text);
  });
}

fairgate_status fairgate_manifest_add_config_json(fairgate_manifest* manifest, const char* key,
                                                  const char* json_text) {
  return guard_json([&] {
    auto& m = manifest_of(manifest);
    const std::string k = string_arg(key, "key");
    check_utf8(k);
    m.config()[k] = json_value(json_text);
  });
}

fairgate_status fairgate_manifest_add_artifact(fairgate_manifest* manifest, const char* name,
                                               const void* bytes, std::size_t size) {
  return guard_json([&] {
    auto& m = manifest_of(manifest);
    const std::string n = string_arg(name, "name");
    if (size > 0) require_non_null(bytes, "bytes");
    check_utf8(n);
    (void)m.add_artifact(n, std::span<const std::byte>(static_cast<const std::byte*>(bytes), size));
  });
}

fairgate_status fairgate_manifest_write(const fairgate_manifest* manifest, const char* path) {
  return guard_json([&] {
    const auto& m = manifest_of(manifest);
    m.write(string_arg(path, "path"));
  });
}

fairgate_status fairgate_manifest_to_json(const fairgate_manifest* manifest, char* buffer,
                                          std::size_t capacity, std::size_t* out_size) {
  return guard_json([&] {
    const auto& m = manifest_of(manifest);
    require_non_null(out_size, "out_size");
    const std::string text = m.to_json();
    const std::size_t need = text.size() + 1;
    if (capacity >= need) {
      require_non_null(buffer, "buffer");
      std::memcpy(buffer, text.c_str(), need);
    }
    *out_size = need;
  });
}

fairgate_status fairgate_manifest_computation_sha256(const fairgate_manifest* manifest,
                                                     char out_hex[65]) {
  return guard_json([&] {
    const auto& m = manifest_of(manifest);
    require_non_null(out_hex, "out_hex");
    const std::string h = m.computation_sha256();
    fairgate::require(h.size() == 64, fairgate::errc::internal,
                      "manifest: computation digest is not 64 hex characters");
    std::memcpy(out_hex, h.c_str(), 65);
  });
}

fairgate_status fairgate_manifest_verify(const char* recorded_path, const fairgate_manifest* rerun,
                                         fairgate_verify_report** out) {
  return guard_json([&] {
    const std::string p = string_arg(recorded_path, "recorded_path");
    const auto& r = manifest_of(rerun);
    require_non_null(out, "out");
    *out = make_report(fmn::compare(fmn::manifest::read(p), r));
  });
}

fairgate_status fairgate_manifest_compare_files(const char* recorded_path, const char* rerun_path,
                                                fairgate_verify_report** out) {
  return guard_json([&] {
    const std::string a = string_arg(recorded_path, "recorded_path");
    const std::string b = string_arg(rerun_path, "rerun_path");
    require_non_null(out, "out");
    *out = make_report(fmn::compare(fmn::manifest::read(a), fmn::manifest::read(b)));
  });
}

void fairgate_verify_report_destroy(fairgate_verify_report* report) {
  delete report;
}

fairgate_status fairgate_verify_report_identical(const fairgate_verify_report* report,
                                                 int32_t* out_identical) {
  return guard([&] {
    require_non_null(report, "report");
    require_non_null(out_identical, "out_identical");
    *out_identical = report->value.identical ? 1 : 0;
  });
}

fairgate_status fairgate_verify_report_difference_count(const fairgate_verify_report* report,
                                                        std::size_t* out_count) {
  return guard([&] {
    require_non_null(report, "report");
    require_non_null(out_count, "out_count");
    *out_count = report->value.differences.size();
  });
}

fairgate_status fairgate_verify_report_difference(const fairgate_verify_report* report,
                                                  std::size_t index, const char** out_where,
                                                  const char** out_recorded,
                                                  const char** out_rerun) {
  return guard([&] {
    require_non_null(report, "report");
    require_index(index, report->value.differences.size(), "index");
    const auto& d = report->value.differences[index];
    if (out_where != nullptr) *out_where = d.where.c_str();
    if (out_recorded != nullptr) *out_recorded = d.recorded.c_str();
    if (out_rerun != nullptr) *out_rerun = d.rerun.c_str();
  });
}

fairgate_status fairgate_verify_report_text(const fairgate_verify_report* report,
                                            const char** out_text) {
  return guard([&] {
    require_non_null(report, "report");
    require_non_null(out_text, "out_text");
    *out_text = report->text.c_str();
  });
}

}  // extern "C"
