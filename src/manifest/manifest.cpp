// src/manifest/manifest.cpp: building, writing, reading and comparing manifests.
#include <fairgate/manifest/manifest.hpp>

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <sstream>

#include <fairgate/error.hpp>
#include <fairgate/io/file.hpp>
#include <fairgate/io/sha256.hpp>
#include <fairgate/version.hpp>

#ifndef FAIRGATE_GIT_DESCRIBE
#define FAIRGATE_GIT_DESCRIBE "unknown"
#endif
#ifndef FAIRGATE_NUMERIC_FLAGS
#define FAIRGATE_NUMERIC_FLAGS "unknown"
#endif

FAIRGATE_BEGIN_NAMESPACE

namespace manifest {

using nlohmann::json;

namespace {

std::string compiler_name() {
#if defined(__clang__)
  return std::string("Clang ") + __clang_version__;
#elif defined(__GNUC__)
  return std::string("GNU ") + __VERSION__;
#else
  return "unknown";
#endif
}

std::string target_triple() {
#if defined(__x86_64__)
  std::string arch = "x86_64";
#elif defined(__aarch64__)
  std::string arch = "aarch64";
#else
  std::string arch = "unknown";
#endif
#if defined(__linux__)
  return arch + "-linux-gnu";
#else
  return arch + "-unknown";
#endif
}

std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

[[noreturn]] void bad(const std::string& key, const std::string& problem) {
  throw error(errc::parse_error, "manifest: key '" + key + "': " + problem);
}

const json& need(const json& obj, const std::string& where, const char* key, json::value_t type) {
  if (!obj.contains(key)) bad(where + "/" + key, "missing");
  const json& v = obj.at(key);
  const bool ok =
      v.type() == type || (type == json::value_t::number_unsigned &&
                           v.type() == json::value_t::number_integer && v.get<std::int64_t>() >= 0);
  if (!ok)
    bad(where + "/" + key,
        std::string("expected ") + json(type).type_name() + ", found " + v.type_name());
  return v;
}

void only_keys(const json& obj, const std::string& where,
               std::initializer_list<const char*> allowed) {
  for (const auto& [k, v] : obj.items()) {
    bool known = false;
    for (const char* a : allowed) known = known || k == a;
    if (!known) bad(where + "/" + k, "unknown key");
  }
}

void check_sha(const json& obj, const std::string& where) {
  const auto& h = need(obj, where, "sha256", json::value_t::string);
  if (!io::is_sha256_hex(h.get<std::string>()))
    bad(where + "/sha256", "not a 64-digit lowercase hex SHA-256");
}

void validate_computation(const json& c) {
  const std::string w = "/computation";
  only_keys(c, w, {"inputs", "tables", "policy", "config", "randomness", "results", "artifacts"});
  const auto& inputs = need(c, w, "inputs", json::value_t::array);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const std::string wi = w + "/inputs/" + std::to_string(i);
    if (!inputs[i].is_object()) bad(wi, "expected object");
    only_keys(inputs[i], wi, {"role", "path", "sha256", "bytes"});
    need(inputs[i], wi, "role", json::value_t::string);
    check_sha(inputs[i], wi);
    need(inputs[i], wi, "bytes", json::value_t::number_unsigned);
  }
  need(c, w, "tables", json::value_t::array);
  if (!c.contains("policy")) bad(w + "/policy", "missing");
  if (!c.at("policy").is_null()) {
    const auto& p = c.at("policy");
    if (!p.is_object()) bad(w + "/policy", "expected object or null");
    only_keys(p, w + "/policy", {"path", "sha256", "content"});
    check_sha(p, w + "/policy");
    need(p, w + "/policy", "content", json::value_t::string);
  }
  need(c, w, "config", json::value_t::object);
  const auto& r = need(c, w, "randomness", json::value_t::object);
  only_keys(r, w + "/randomness", {"root_seed", "streams"});
  if (!r.contains("root_seed")) bad(w + "/randomness/root_seed", "missing");
  if (!r.at("root_seed").is_null() && !r.at("root_seed").is_number_unsigned())
    bad(w + "/randomness/root_seed", "expected an unsigned integer or null");
  const auto& streams = need(r, w + "/randomness", "streams", json::value_t::array);
  for (std::size_t i = 0; i < streams.size(); ++i) {
    const std::string ws = w + "/randomness/streams/" + std::to_string(i);
    if (!streams[i].is_object()) bad(ws, "expected object");
    only_keys(streams[i], ws, {"purpose", "tag", "index", "seed"});
    need(streams[i], ws, "purpose", json::value_t::string);
    need(streams[i], ws, "tag", json::value_t::number_unsigned);
    need(streams[i], ws, "index", json::value_t::number_unsigned);
    need(streams[i], ws, "seed", json::value_t::number_unsigned);
  }
  need(c, w, "results", json::value_t::object);
  const auto& arts = need(c, w, "artifacts", json::value_t::array);
  for (std::size_t i = 0; i < arts.size(); ++i) {
    const std::string wa = w + "/artifacts/" + std::to_string(i);
    if (!arts[i].is_object()) bad(wa, "expected object");
    only_keys(arts[i], wa, {"name", "sha256", "bytes"});
    need(arts[i], wa, "name", json::value_t::string);
    check_sha(arts[i], wa);
    need(arts[i], wa, "bytes", json::value_t::number_unsigned);
  }
}

std::string short_value(const json& doc, const std::string& pointer) {
  const json::json_pointer p(pointer);
  if (!doc.contains(p)) return "(absent)";
  std::string s = doc.at(p).dump();
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

}  // namespace

build_info current_build() {
  build_info b;
  b.fairgate_version = FAIRGATE_VERSION_STRING;
  b.git_describe = FAIRGATE_GIT_DESCRIBE;
  b.compiler = compiler_name();
  b.numeric_flags = FAIRGATE_NUMERIC_FLAGS;
  b.target_triple = target_triple();
  // Baseline ISA extensions the compiler could use everywhere in this build.
#if defined(__SSE2__)
  b.simd_compiled.emplace_back("sse2");
#endif
#if defined(__AVX2__)
  b.simd_compiled.emplace_back("avx2");
#endif
#if defined(__ARM_NEON)
  b.simd_compiled.emplace_back("neon");
#endif
#if FAIRGATE_SIMD_ENABLED
  b.simd_compiled.emplace_back("fairgate-simd-kernels");
#endif
  return b;
}

manifest::manifest() {
  computation_ = json{{"inputs", json::array()},
                      {"tables", json::array()},
                      {"policy", nullptr},
                      {"config", json::object()},
                      {"randomness", {{"root_seed", nullptr}, {"streams", json::array()}}},
                      {"results", json::object()},
                      {"artifacts", json::array()}};
  const build_info b = current_build();
  environment_ = json{{"fairgate_version", b.fairgate_version},
                      {"git_describe", b.git_describe},
                      {"compiler", b.compiler},
                      {"numeric_flags", b.numeric_flags},
                      {"target_triple", b.target_triple},
                      {"simd_compiled", b.simd_compiled},
                      {"simd_used", json::array()},
                      {"threads", 1}};
  unhashed_ = json{{"created_at", utc_now()}, {"host", host_name()}};
}

void manifest::add_input_file(std::string_view role, const std::filesystem::path& path) {
  const std::string hash = io::sha256_file(path);
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  require(!ec, errc::io_error,
          [&] { return "manifest: cannot stat " + path.string() + ": " + ec.message(); });
  computation_["inputs"].push_back(
      {{"role", std::string(role)}, {"path", path.string()}, {"sha256", hash}, {"bytes", size}});
}

void manifest::add_input_digest(std::string_view role, std::string_view sha256,
                                std::uint64_t bytes) {
  require(io::is_sha256_hex(sha256), errc::invalid_argument,
          "manifest: input digest is not a SHA-256 hex string");
  computation_["inputs"].push_back(
      {{"role", std::string(role)}, {"sha256", std::string(sha256)}, {"bytes", bytes}});
}

void manifest::set_policy(std::string_view path, std::string_view content) {
  computation_["policy"] = {{"path", std::string(path)},
                            {"sha256", io::sha256_hex(content)},
                            {"content", std::string(content)}};
}

void manifest::set_root_seed(std::uint64_t seed) {
  computation_["randomness"]["root_seed"] = seed;
}

void manifest::add_stream(const rng::stream_key& key, std::string_view purpose) {
  computation_["randomness"]["streams"].push_back({{"purpose", std::string(purpose)},
                                                   {"tag", key.purpose_tag},
                                                   {"index", key.index},
                                                   {"seed", key.seed}});
}

std::string manifest::add_artifact(std::string_view name, std::span<const std::byte> bytes) {
  std::string hash = io::sha256_hex(bytes);
  add_artifact_digest(name, hash, bytes.size());
  return hash;
}

void manifest::add_artifact_digest(std::string_view name, std::string_view sha256,
                                   std::uint64_t bytes) {
  require(io::is_sha256_hex(sha256), errc::invalid_argument,
          "manifest: artifact digest is not a SHA-256 hex string");
  computation_["artifacts"].push_back(
      {{"name", std::string(name)}, {"sha256", std::string(sha256)}, {"bytes", bytes}});
}

void manifest::set_threads(unsigned threads) {
  environment_["threads"] = threads;
}

void manifest::add_simd_used(std::string_view path) {
  environment_["simd_used"].push_back(std::string(path));
}

std::string manifest::computation_text() const {
  return computation_.dump();
}

std::string manifest::computation_sha256() const {
  return io::sha256_hex(computation_text());
}

std::string manifest::to_json() const {
  const json doc{{"format", std::string(format_name)},
                 {"schema_version", schema_version},
                 {"computation", computation_},
                 {"computation_sha256", computation_sha256()},
                 {"environment", environment_},
                 {"environment_sha256", io::sha256_hex(environment_.dump())},
                 {"unhashed", unhashed_}};
  return doc.dump(2) + "\n";
}

manifest manifest::from_json(std::string_view text) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {
    // parse_error, and also out_of_range for numbers that overflow.
    throw error(errc::parse_error, std::string("manifest: invalid JSON (truncated?): ") + e.what());
  }
  if (!doc.is_object()) bad("", "the document must be a JSON object");
  only_keys(doc, "",
            {"format", "schema_version", "computation", "computation_sha256", "environment",
             "environment_sha256", "unhashed"});
  if (need(doc, "", "format", json::value_t::string).get<std::string>() != format_name)
    bad("/format", "expected \"" + std::string(format_name) + "\"");
  const auto& ver = doc.contains("schema_version") ? doc.at("schema_version") : json();
  if (!ver.is_number_integer()) bad("/schema_version", "missing or not an integer");
  const auto v = ver.get<std::int64_t>();
  require(v <= schema_version, errc::unsupported, [&] {
    return "manifest: schema_version " + std::to_string(v) + " is newer than this fairgate (" +
           FAIRGATE_VERSION_STRING + ") understands (" + std::to_string(schema_version) +
           "); upgrade fairgate";
  });
  if (v < 1) bad("/schema_version", "must be at least 1");

  validate_computation(need(doc, "", "computation", json::value_t::object));
  const auto& env = need(doc, "", "environment", json::value_t::object);
  const auto& csum = need(doc, "", "computation_sha256", json::value_t::string).get<std::string>();
  const auto& esum = need(doc, "", "environment_sha256", json::value_t::string).get<std::string>();
  manifest m;
  m.computation_ = doc.at("computation");
  m.environment_ = env;
  m.unhashed_ = doc.contains("unhashed") ? doc.at("unhashed") : json::object();
  require(m.computation_sha256() == csum, errc::verification_failed, [&] {
    return "manifest: the computation section does not match its stored SHA-256 (" +
           csum.substr(0, 12) + "...): the file was edited or damaged";
  });
  require(io::sha256_hex(m.environment_.dump()) == esum, errc::verification_failed,
          "manifest: the environment section does not match its stored SHA-256: the file was "
          "edited or damaged");
  return m;
}

manifest manifest::read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  require(in.good(), errc::io_error, [&] { return "manifest: cannot open " + path.string(); });
  std::ostringstream ss;
  ss << in.rdbuf();
  try {
    return from_json(ss.str());
  } catch (const error& e) {
    throw error(e.code(), path.string() + ": " + e.what());
  }
}

void manifest::write(const std::filesystem::path& path) const {
  io::write_file_atomic(path, to_json());
}

verify_report compare(const manifest& recorded, const manifest& rerun) {
  verify_report r;
  r.identical = recorded.computation_text() == rerun.computation_text();
  if (!r.identical) {
    for (const auto& op : json::diff(recorded.computation(), rerun.computation())) {
      const std::string path = op.at("path").get<std::string>();
      r.differences.push_back({path, short_value(recorded.computation(), path),
                               short_value(rerun.computation(), path)});
    }
  }
  // Inputs, matched by role.
  const auto& a = recorded.computation().at("inputs");
  const auto& b = rerun.computation().at("inputs");
  for (const auto& in : a) {
    const auto role = in.at("role").get<std::string>();
    const json* match = nullptr;
    for (const auto& other : b) {
      if (other.at("role") == in.at("role")) match = &other;
    }
    if (!match) {
      r.causes.push_back("input '" + role + "' is missing from the rerun");
    } else if ((*match).at("sha256") != in.at("sha256")) {
      r.causes.push_back("input '" + role + "' changed: sha256 " +
                         in.at("sha256").get<std::string>().substr(0, 12) + "... -> " +
                         (*match).at("sha256").get<std::string>().substr(0, 12) + "...");
    }
  }
  const auto& ea = recorded.environment();
  const auto& eb = rerun.environment();
  auto env_diff = [&](const char* key, const char* label) {
    if (ea.value(key, json()) == eb.value(key, json())) return;
    const std::string line = std::string(label) + ": " + ea.value(key, json()).dump() + " -> " +
                             eb.value(key, json()).dump();
    (r.identical ? r.notes : r.causes).push_back(line);
  };
  env_diff("fairgate_version", "library version changed");
  env_diff("target_triple", "different target");
  env_diff("compiler", "different compiler");
  env_diff("numeric_flags", "different numeric flags");
  env_diff("threads", "different thread count");
  env_diff("git_describe", "different source revision");
  if (!r.identical && r.causes.empty()) {
    r.causes.push_back(
        "no input or environment difference explains it: a non-deterministic path (please report)");
  }
  return r;
}

std::string verify_report::to_text() const {
  std::ostringstream out;
  out << (identical
              ? "identical: every recorded result and artifact hash matches\n"
              : "DIFFERENT: " + std::to_string(differences.size()) + " recorded value(s) differ\n");
  for (const auto& d : differences)
    out << "  " << d.where << ": " << d.recorded << " -> " << d.rerun << "\n";
  if (!causes.empty()) {
    out << "likely cause(s):\n";
    for (const auto& c : causes) out << "  - " << c << "\n";
  }
  if (!notes.empty()) {
    out << "noted (results unaffected):\n";
    for (const auto& n : notes) out << "  - " << n << "\n";
  }
  return out.str();
}

}  // namespace manifest

FAIRGATE_END_NAMESPACE
