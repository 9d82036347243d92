// fairgate/manifest/manifest.hpp: the record of a run that makes it reproducible.
//
//   fairgate::manifest::manifest m;
//   m.add_input_file("train_data", "data/adult/adult.data");
//   m.set_root_seed(42);
//   m.add_stream(fairgate::rng::stream_key{42, purposes::bootstrap.tag, 0}, "bootstrap");
//   m.results()["demographic_parity_difference"] = 0.0123;
//   m.add_artifact("report.html", report_bytes);
//   m.write("fairgate-out/manifest.json");                 // atomic
//   auto report = fairgate::manifest::compare(recorded, m);  // what verify prints
//
// A manifest is a versioned JSON document (schema: docs/manifest.md) with
// three parts:
//  - "computation" — inputs (SHA-256 of every file), table schemas and
//    per-column digests, the policy, the configuration, the root seed and
//    every stream key, results and artifact hashes. It is serialised
//    canonically (sorted keys, shortest round-trip numbers) and its SHA-256 is
//    stored beside it: two runs that should agree, on ANY target, produce
//    byte-identical computation sections.
//  - "environment" — the build (fairgate version, git describe, compiler,
//    numeric flags, target triple, SIMD paths) and the thread count. Also
//    hashed, separately: it is what explains a difference, and it is expected
//    to differ between targets whose computations agree.
//  - "unhashed" — timestamps, host name, durations: never compared.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <fairgate/config.hpp>
#include <fairgate/rng/stream.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace manifest {

inline constexpr int schema_version = 1;
inline constexpr std::string_view format_name = "fairgate.manifest";

// What this library was built with (compile-time facts of this build).
struct build_info {
  std::string fairgate_version;
  std::string git_describe;                // "unknown" outside a git checkout
  std::string compiler;                    // e.g. "GNU 12.2.0", "Clang 14.0.6"
  std::string numeric_flags;               // the flags that affect floating point
  std::string target_triple;               // e.g. "x86_64-linux-gnu", "aarch64-linux-gnu"
  std::vector<std::string> simd_compiled;  // SIMD paths compiled in
};
[[nodiscard]] build_info current_build();

class manifest {
 public:
  manifest();

  // --- computation (hashed, must agree across targets) ---
  // Hashes the file (SHA-256, streamed) and records role, path, size, hash.
  void add_input_file(std::string_view role, const std::filesystem::path& path);
  // Records an already computed digest (e.g. of an in-memory array).
  void add_input_digest(std::string_view role, std::string_view sha256, std::uint64_t bytes);
  void set_policy(std::string_view path, std::string_view content);
  void set_root_seed(std::uint64_t seed);
  void add_stream(const rng::stream_key& key, std::string_view purpose);
  // Hashes `bytes` and records name, size and SHA-256; returns the hash.
  std::string add_artifact(std::string_view name, std::span<const std::byte> bytes);
  void add_artifact_digest(std::string_view name, std::string_view sha256, std::uint64_t bytes);
  // Free-form, caller-structured parts of the computation section.
  [[nodiscard]] nlohmann::json& config() { return computation_["config"]; }
  [[nodiscard]] nlohmann::json& results() { return computation_["results"]; }
  [[nodiscard]] nlohmann::json& tables() { return computation_["tables"]; }
  [[nodiscard]] const nlohmann::json& computation() const noexcept { return computation_; }

  // --- environment (hashed separately; explains differences) ---
  void set_threads(unsigned threads);
  void add_simd_used(std::string_view path);
  [[nodiscard]] const nlohmann::json& environment() const noexcept { return environment_; }

  // --- unhashed ---
  [[nodiscard]] nlohmann::json& unhashed() { return unhashed_; }

  // Canonical text of the computation section and its SHA-256.
  [[nodiscard]] std::string computation_text() const;
  [[nodiscard]] std::string computation_sha256() const;

  // The whole document (2-space indented, sorted keys).
  [[nodiscard]] std::string to_json() const;
  // Parses and checks a document: format name, schema version (newer than
  // this build → errc::unsupported), required sections and types
  // (errc::parse_error naming the key), and that the stored hashes match the
  // sections (errc::verification_failed: truncated or tampered).
  [[nodiscard]] static manifest from_json(std::string_view text);
  [[nodiscard]] static manifest read(const std::filesystem::path& path);
  // Writes atomically (temporary file + rename).
  void write(const std::filesystem::path& path) const;

 private:
  nlohmann::json computation_;
  nlohmann::json environment_;
  nlohmann::json unhashed_;
};

// One difference between a recorded run and its rerun.
struct difference {
  std::string where;     // JSON pointer into the computation section, e.g. "/results/accuracy"
  std::string recorded;  // short rendering of the recorded value ("(absent)" if none)
  std::string rerun;
};

struct verify_report {
  bool identical = false;               // computation sections byte-identical
  std::vector<difference> differences;  // computation leaves that differ, in document order
  std::vector<std::string> causes;      // named likely causes (input changed, version, target)
  std::vector<std::string> notes;       // environment differences that did NOT change results
  [[nodiscard]] std::string to_text() const;
};

// Compares a rerun against the recorded manifest.
[[nodiscard]] verify_report compare(const manifest& recorded, const manifest& rerun);

}  // namespace manifest

FAIRGATE_END_NAMESPACE
