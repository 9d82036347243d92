// fairgate/monitor/rollback.hpp: from an alarm to the last known-good configuration of a run.
//
//   auto m = fairgate::manifest::manifest::read("fairgate-out/manifest.json");
//   fairgate::io::content_store store("fairgate-out/store");
//   auto good = fairgate::monitor::last_known_good(m, store, mon.config(), alarm);
//   host_apply_configuration(good.bytes);           // exactly the bytes recorded
//
// CONVENTION (what the compression controller writes, docs/monitoring.md):
// each time a configuration of target T passes the gate, the controller
//   1. puts its bytes in the run's content store (io::content_store::put), and
//   2. records them in the manifest's artifacts:
//        m.add_artifact("config/" + T + "/last_good", bytes)
//      (name, SHA-256 and size; manifest.hpp).
// A target may be recorded several times during a run; the LAST entry with
// that name in the artifacts array is the last known-good one.
//
// The hook finds that entry, fetches the object from the store (re-hashed
// on read by content_store::get) and checks its size. Errors:
//   no entry for the target          -> errc::empty_input (message names the artifact)
//   object missing from the store    -> errc::io_error (from the store)
//   content or size does not match   -> errc::verification_failed
// Needs the compiled fairgate::manifest and fairgate::io libraries (this
// header is not part of the header-only monitor).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/io/store.hpp>
#include <fairgate/manifest/manifest.hpp>
#include <fairgate/monitor/config.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace monitor {

struct known_good_config {
  std::string target;            // the policy target
  std::string artifact;          // "config/<target>/last_good"
  std::string sha256;            // as recorded in the manifest
  std::vector<std::byte> bytes;  // the configuration, exactly as recorded
};

// The artifact name under which a target's last known-good configuration is recorded.
[[nodiscard]] inline std::string last_good_artifact_name(std::string_view target) {
  require(!target.empty(), errc::invalid_argument,
          "last_good_artifact_name: the target name is empty");
  return "config/" + std::string(target) + "/last_good";
}

// The last known-good configuration of `target` recorded in `m`, read from `store`.
[[nodiscard]] inline known_good_config last_known_good(const manifest::manifest& m,
                                                       const io::content_store& store,
                                                       std::string_view target) {
  known_good_config out;
  out.target = std::string(target);
  out.artifact = last_good_artifact_name(target);
  const auto& comp = m.computation();
  const nlohmann::json* found = nullptr;
  if (comp.contains("artifacts") && comp["artifacts"].is_array()) {
    for (const auto& a : comp["artifacts"]) {  // array order: the last one wins
      if (a.contains("name") && a["name"].is_string() &&
          a["name"].get<std::string>() == out.artifact)
        found = &a;
    }
  }
  require(found != nullptr, errc::empty_input, [&] {
    return "last_known_good: the manifest records no artifact named \"" + out.artifact +
           "\" (the controller records one per target that passed the gate)";
  });
  out.sha256 = (*found)["sha256"].get<std::string>();
  const auto size = (*found)["bytes"].get<std::uint64_t>();
  out.bytes = store.get(out.sha256);  // verifies the content hash
  require(out.bytes.size() == size, errc::verification_failed, [&] {
    return "last_known_good: \"" + out.artifact + "\" is " + std::to_string(out.bytes.size()) +
           " bytes in the store but " + std::to_string(size) + " in the manifest";
  });
  return out;
}

// The same, for the target the alarming monitor watches (monitor_config::target).
[[nodiscard]] inline known_good_config last_known_good(const manifest::manifest& m,
                                                       const io::content_store& store,
                                                       const monitor_config& cfg,
                                                       const alarm& /*which alarm fired*/) {
  require(!cfg.target.empty(), errc::invalid_argument,
          "last_known_good: the monitor's configuration names no policy target "
          "(monitor_config::target)");
  return last_known_good(m, store, cfg.target);
}

}  // namespace monitor

FAIRGATE_END_NAMESPACE
