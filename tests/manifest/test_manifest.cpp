// Manifests: canonical, tamper-evident, comparable; verify names the cause.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <fairgate/error.hpp>
#include <fairgate/io/sha256.hpp>
#include <fairgate/manifest/manifest.hpp>

#include <unistd.h>

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using fairgate::errc;
using fairgate::manifest::manifest;

namespace {

fs::path temp_dir() {
  const fs::path d =
      fs::temp_directory_path() / ("fairgate-manifest-test-" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

fs::path write_text(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

manifest sample(const fs::path& dir, const std::string& data = "a,b\n1,2\n") {
  manifest m;
  m.add_input_file("train_data", write_text(dir / "train.csv", data));
  m.set_policy("policy.toml", "schema_version = 1\n");
  m.set_root_seed(42);
  m.add_stream({42, fairgate::rng::purposes::bootstrap.tag, 3}, "bootstrap");
  m.config()["threshold"] = 0.5;
  m.results()["accuracy"] = 0.8532;
  m.results()["by_group"]["Female"]["tpr"] = 0.61;
  const std::string art = "report bytes";
  m.add_artifact("report.html", std::as_bytes(std::span(art.data(), art.size())));
  return m;
}

int error_code_of(const std::string& text) {
  try {
    (void)manifest::from_json(text);
  } catch (const fairgate::error& e) {
    return static_cast<int>(e.code());
  }
  return 0;
}

}  // namespace

TEST_CASE("A manifest round-trips through its JSON with the same computation hash") {
  const auto dir = temp_dir();
  const manifest m = sample(dir);
  const manifest back = manifest::from_json(m.to_json());
  CHECK(back.computation_text() == m.computation_text());
  CHECK(back.computation_sha256() == m.computation_sha256());
  CHECK(back.environment() == m.environment());
}

TEST_CASE("Two runs that should agree give byte-identical computation sections") {
  const auto dir = temp_dir();
  manifest a = sample(dir), b = sample(dir);
  b.unhashed()["created_at"] = "1999-01-01T00:00:00Z";
  b.unhashed()["host"] = "elsewhere";
  b.set_threads(2);
  CHECK(a.computation_text() == b.computation_text());
  const auto r = fairgate::manifest::compare(a, b);
  CHECK(r.identical);
  CHECK(r.differences.empty());
  REQUIRE(r.notes.size() == 1);
  CHECK_THAT(r.notes[0], Contains("different thread count"));
}

TEST_CASE("The computation text is canonical: sorted keys, one line") {
  const auto dir = temp_dir();
  manifest m = sample(dir);
  m.results()["zeta"] = 1;
  m.results()["alpha"] = 2;
  const std::string t = m.computation_text();
  CHECK(t.find('\n') == std::string::npos);
  CHECK(t.find("\"alpha\"") < t.find("\"zeta\""));
}

TEST_CASE("Verify names a changed input file as the cause") {
  const auto dir = temp_dir();
  const manifest recorded = sample(dir, "a,b\n1,2\n");
  manifest rerun = sample(dir, "a,b\n1,3\n");
  rerun.results()["accuracy"] = 0.85;
  const auto r = fairgate::manifest::compare(recorded, rerun);
  CHECK_FALSE(r.identical);
  REQUIRE_FALSE(r.causes.empty());
  CHECK_THAT(r.causes[0], Contains("input 'train_data' changed"));
  bool saw_accuracy = false;
  for (const auto& d : r.differences) saw_accuracy = saw_accuracy || d.where == "/results/accuracy";
  CHECK(saw_accuracy);
  CHECK_THAT(r.to_text(), Contains("DIFFERENT") && Contains("/results/accuracy"));
}

TEST_CASE("Verify names a library version change and a different target") {
  const auto dir = temp_dir();
  const manifest recorded = sample(dir);
  auto env = nlohmann::json::parse(recorded.to_json());
  env["environment"]["fairgate_version"] = "0.0.9";
  env["environment"]["target_triple"] = "aarch64-linux-gnu";
  env["environment_sha256"] = fairgate::io::sha256_hex(env["environment"].dump());
  const manifest old = manifest::from_json(env.dump());
  manifest rerun = sample(dir);
  rerun.results()["accuracy"] = 0.1;
  const auto r = fairgate::manifest::compare(old, rerun);
  CHECK_FALSE(r.identical);
  std::string all;
  for (const auto& c : r.causes) all += c + "\n";
  CHECK_THAT(all, Contains("library version changed") && Contains("different target"));
}

TEST_CASE("A tampered, truncated or future manifest is refused with a clear error") {
  const auto dir = temp_dir();
  const std::string text = sample(dir).to_json();
  std::string tampered = text;
  tampered.replace(tampered.find("0.8532"), 6, "0.9999");
  CHECK(error_code_of(tampered) == static_cast<int>(errc::verification_failed));
  CHECK(error_code_of(text.substr(0, text.size() / 2)) == static_cast<int>(errc::parse_error));
  std::string future = text;
  future.replace(future.find("\"schema_version\": 1"), 19, "\"schema_version\": 7");
  CHECK(error_code_of(future) == static_cast<int>(errc::unsupported));
  CHECK_THROWS_WITH(manifest::from_json(future), Contains("schema_version 7 is newer"));
  auto doc = nlohmann::json::parse(text);
  doc["computation"]["surprise"] = 1;
  CHECK_THROWS_WITH(manifest::from_json(doc.dump()),
                    Contains("/computation/surprise") && Contains("unknown key"));
  doc = nlohmann::json::parse(text);
  doc["computation"]["inputs"][0]["sha256"] = "xyz";
  CHECK_THROWS_WITH(manifest::from_json(doc.dump()), Contains("/computation/inputs/0/sha256"));
  CHECK(error_code_of("[]") == static_cast<int>(errc::parse_error));
  CHECK(error_code_of("{\"format\": \"something.else\", \"schema_version\": 1}") ==
        static_cast<int>(errc::parse_error));
}

TEST_CASE("Writing is atomic and reading names the path") {
  const auto dir = temp_dir();
  const manifest m = sample(dir);
  m.write(dir / "manifest.json");
  CHECK(manifest::read(dir / "manifest.json").computation_sha256() == m.computation_sha256());
  CHECK_THROWS_AS(m.write(dir / "no-such-dir" / "manifest.json"), fairgate::error);
  CHECK_THROWS_WITH(manifest::read(dir / "absent.json"), Contains("absent.json"));
  manifest missing;
  CHECK_THROWS_AS(missing.add_input_file("x", dir / "absent.csv"), fairgate::error);
}
