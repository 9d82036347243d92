// The rollback hook: alarm -> the last known-good configuration recorded in a
// run's manifest + content store, returned byte for byte.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fairgate/error.hpp>
#include <fairgate/io/store.hpp>
#include <fairgate/manifest/manifest.hpp>
#include <fairgate/monitor/monitor.hpp>
#include <fairgate/monitor/rollback.hpp>

namespace fm = fairgate::monitor;
namespace fs = std::filesystem;

namespace {
std::vector<std::byte> bytes_of(const std::string& s) {
  std::vector<std::byte> b(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) b[i] = static_cast<std::byte>(s[i]);
  return b;
}
struct temp_dir {
  fs::path path;
  temp_dir()
      : path(fs::temp_directory_path() /
             ("fairgate-monitor-rollback-" + std::to_string(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~temp_dir() { fs::remove_all(path); }
};
}  // namespace

TEST_CASE("an alarm leads back to the last known-good configuration, byte for byte",
          "[monitor][rollback]") {
  temp_dir dir;
  fairgate::io::content_store store(dir.path / "store");
  fairgate::manifest::manifest m;
  // What the controller records: two configurations of "edge" passed the gate, in order.
  const auto first = bytes_of("sparsity = 0.5\nbits = 8\n");
  const auto second = bytes_of(std::string("sparsity = 0.7\nbits = 4\n\0binary", 31));
  for (const auto* cfg : {&first, &second}) {
    store.put(*cfg);
    m.add_artifact(fm::last_good_artifact_name("edge"), *cfg);
  }
  m.add_artifact("report.html", bytes_of("<html/>"));
  m.write(dir.path / "manifest.json");

  // The monitor of target "edge" raises a parity alarm.
  fm::monitor_config cfg;
  cfg.n_groups = 2;
  cfg.target = "edge";
  cfg.min_support = 10;
  cfg.constraints.push_back({.bound = 0.1});
  fm::monitor mon(cfg);
  for (int i = 0; i < 200; ++i) mon.observe(0.9, 0);
  for (int i = 0; i < 200; ++i) mon.observe(0.1, 1);
  const auto& r = mon.poll();
  REQUIRE_FALSE(r.alarms.empty());

  const auto read_back = fairgate::manifest::manifest::read(dir.path / "manifest.json");
  const auto good = fm::last_known_good(read_back, store, mon.config(), r.alarms[0]);
  CHECK(good.artifact == "config/edge/last_good");
  CHECK(good.bytes == second);
  CHECK(good.target == "edge");
}

TEST_CASE("the rollback hook reports a target with no recorded configuration",
          "[monitor][rollback][errors]") {
  temp_dir dir;
  fairgate::io::content_store store(dir.path / "store");
  fairgate::manifest::manifest m;
  try {
    (void)fm::last_known_good(m, store, "cloud");
    FAIL("expected an error");
  } catch (const fairgate::error& e) {
    CHECK(e.code() == fairgate::errc::empty_input);
    CHECK_THAT(e.what(), Catch::Contains("config/cloud/last_good"));
  }
  fm::monitor_config unnamed;
  CHECK_THROWS_AS(fm::last_known_good(m, store, unnamed, fm::alarm{}), fairgate::error);
}

TEST_CASE("the rollback hook refuses a corrupted configuration in the store",
          "[monitor][rollback][errors]") {
  temp_dir dir;
  fairgate::io::content_store store(dir.path / "store");
  fairgate::manifest::manifest m;
  const auto cfg = bytes_of("bits = 8\n");
  const std::string h = store.put(cfg);
  m.add_artifact(fm::last_good_artifact_name("edge"), cfg);
  {
    std::ofstream out(store.object_path(h), std::ios::binary | std::ios::trunc);
    out << "bits = 4\n";
  }
  try {
    (void)fm::last_known_good(m, store, "edge");
    FAIL("expected an error");
  } catch (const fairgate::error& e) {
    CHECK(e.code() == fairgate::errc::verification_failed);
  }
}
