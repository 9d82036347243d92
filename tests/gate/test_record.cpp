// Recording a controller run in a manifest (record_run, manifest_path) and
// rolling back to a recorded state (restore).
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <fairgate/error.hpp>
#include <fairgate/gate/controller.hpp>
#include <fairgate/gate/gate.hpp>
#include <fairgate/gate/record.hpp>
#include <fairgate/io/sha256.hpp>
#include <fairgate/io/store.hpp>
#include <fairgate/manifest/manifest.hpp>

#include "controller_fixtures.hpp"

namespace fs = std::filesystem;
using namespace fairgate;
using namespace controller_test;

namespace {

// Runs the test plan in `dir` with a manifest written to dir/manifest.json.
gate::run_result run_with_manifest(const fs::path& dir, bool resume = false) {
  host h;
  auto o = options(dir);
  o.resume = resume;
  fs::create_directories(dir);
  o.manifest_path = dir / "manifest.json";
  gate::controller c(test_policy(), h.rows, o);
  h.attach(c);
  return c.run(test_plan());
}

// The computation section without the changelog's artifact entry.
nlohmann::json without_changelog(const manifest::manifest& m) {
  nlohmann::json j = m.computation();
  nlohmann::json kept = nlohmann::json::array();
  for (const auto& a : j["artifacts"])
    if (a["name"] != "controller/changelog.jsonl") kept.push_back(a);
  j["artifacts"] = kept;
  return j;
}

}  // namespace

TEST_CASE("the same controller run twice records byte-identical computation sections",
          "[controller][record]") {
  const auto d1 = fresh_dir("rec1"), d2 = fresh_dir("rec2");
  const auto r1 = run_with_manifest(d1);
  const auto r2 = run_with_manifest(d2);
  CHECK(r1.digest == r2.digest);
  auto m1 = manifest::manifest::read(d1 / "manifest.json");
  const auto m2 = manifest::manifest::read(d2 / "manifest.json");
  CHECK(m1.computation_text() == m2.computation_text());
  CHECK(manifest::compare(m1, m2).identical);
  // What the record holds: the config, the policy, the results and every artifact.
  const auto& c = m1.computation();
  CHECK(c["config"]["controller"]["plan"].size() == test_plan().size());
  CHECK(c["config"]["controller"]["tensors"][0]["name"] == "fc1.weight");
  CHECK(c["config"]["controller"]["tensors"][0]["shape"] == nlohmann::json::array({16, 8}));
  CHECK(c["config"]["controller"]["evaluation_rows"]["rows"] == 2000);
  CHECK(c["policy"]["path"] == "policy:controller-test");
  CHECK(c["results"]["controller"]["digest"] == r1.digest);
  REQUIRE(c["results"]["controller"]["targets"].size() == 2);
  std::size_t checkpoints = 0;
  for (std::size_t t = 0; t < 2; ++t) {
    const auto& tr = c["results"]["controller"]["targets"][t];
    CHECK(tr["target"] == r1.targets[t].target);
    CHECK(tr["best"]["state_digest"] == r1.targets[t].best.state_digest);
    CHECK(tr["checkpoints"].size() == r1.targets[t].checkpoints.size());
    CHECK(tr["best_checkpoint"].get<std::uint64_t>() >= 1);
    checkpoints += r1.targets[t].checkpoints.size();
  }
  // One artifact per checkpoint plus the changelog; every checkpoint is in the store.
  CHECK(c["artifacts"].size() == checkpoints + 1);
  for (const auto& a : c["artifacts"]) {
    const std::string name = a["name"];
    if (name == "controller/changelog.jsonl") {
      CHECK(a["sha256"] == io::sha256_hex(slurp(d1 / "changelog.jsonl")));
      continue;
    }
    const std::string h = a["sha256"];
    CHECK(fs::exists(d1 / "store" / "objects" / h.substr(0, 2) / h.substr(2)));
  }
  // Paths and time are kept out of the hashed section.
  CHECK(m1.unhashed()["controller"]["directory"] == d1.string());
  CHECK(m1.computation_text().find(d1.string()) == std::string::npos);
  fs::remove_all(d1);
  fs::remove_all(d2);
}

TEST_CASE("a killed and resumed run records the same computation section as an uninterrupted one",
          "[controller][record][resume]") {
  const auto whole = fresh_dir("rec-whole");
  (void)run_with_manifest(whole);
  const auto dir = fresh_dir("rec-killed");
  fs::create_directories(dir);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    host h;
    auto o = options(dir);
    o.manifest_path = dir / "manifest.json";
    o.after_checkpoint = [](const std::string& target, std::uint64_t k) {
      if (target == "server" && k == 3) ::raise(SIGKILL);
    };
    gate::controller c(test_policy(), h.rows, o);
    h.attach(c);
    (void)c.run(test_plan());
    ::_exit(0);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFSIGNALED(status));
  CHECK(!fs::exists(dir / "manifest.json"));  // the run died before its end
  (void)run_with_manifest(dir, /*resume=*/true);
  const auto a = manifest::manifest::read(whole / "manifest.json");
  const auto b = manifest::manifest::read(dir / "manifest.json");
  CHECK(without_changelog(a) == without_changelog(b));
  CHECK(without_changelog(a).dump() == without_changelog(b).dump());
  // The changelogs differ by design: the resumed one says so.
  CHECK(slurp(whole / "changelog.jsonl") != slurp(dir / "changelog.jsonl"));
  fs::remove_all(whole);
  fs::remove_all(dir);
}

TEST_CASE("restore writes a recorded best state into fresh tensors with the recorded digest",
          "[controller][record][restore]") {
  const auto dir = fresh_dir("restore");
  const auto r = run_with_manifest(dir);
  const auto m = manifest::manifest::read(dir / "manifest.json");
  for (std::size_t t = 0; t < 2; ++t) {
    host h;  // original weights
    const auto original = h.w1;
    gate::controller c(test_policy(), h.rows, options(dir));
    h.attach(c);
    const auto s = gate::restore(c, m, r.targets[t].target);
    CHECK(s.state_digest == r.targets[t].best.state_digest);
    CHECK(s.checkpoint == r.targets[t].best_checkpoint);
    CHECK(s.sparsity == r.targets[t].best.sparsity);
    CHECK(s.tensor_bits == r.targets[t].best.tensor_bits);
    // The host's tensors now hold that state: its zeros are the recorded sparsity ...
    std::size_t zeros = 0;
    for (float w : h.w1) zeros += w == 0.0f;
    for (float w : h.w2) zeros += w == 0.0f;
    CHECK(static_cast<double>(zeros) / 144.0 == Approx(r.targets[t].best.sparsity).margin(1e-12));
    if (r.targets[t].best.sparsity > 0) CHECK(h.w1 != original);
    // ... and gating its scores against the baseline reproduces the recorded verdict bit for bit.
    host base;
    const auto base_scores = base.scores();
    const auto cand_scores = h.scores();
    auto in = gate::gate_inputs::from_scores(h.rows.labels, base_scores, cand_scores,
                                             h.rows.threshold, h.rows.groups, h.rows.group_names);
    const auto v = gate::evaluate(test_policy(), r.targets[t].target, in);
    CHECK(v.to_json(-1) == r.targets[t].best.verdict_json);
  }
  // Any recorded checkpoint can be restored; checkpoint 1 is the uncompressed baseline.
  host h;
  const auto original1 = h.w1, original2 = h.w2;
  gate::controller c(test_policy(), h.rows, options(dir));
  h.attach(c);
  const auto s1 = gate::restore(c, m, "device", 1);
  CHECK(s1.sparsity == 0.0);
  CHECK(s1.mean_bits == 32.0);
  CHECK(h.w1 == original1);
  CHECK(h.w2 == original2);
  fs::remove_all(dir);
}

TEST_CASE("restore rejects a store entry that fails verification and bad requests",
          "[controller][record][restore][errors]") {
  const auto dir = fresh_dir("restore-bad");
  const auto r = run_with_manifest(dir);
  const auto m = manifest::manifest::read(dir / "manifest.json");
  host h;
  gate::controller c(test_policy(), h.rows, options(dir));
  h.attach(c);
  using Catch::Matchers::Contains;
  {  // unknown target or checkpoint, no controller record
    CHECK_THROWS_WITH(gate::restore(c, m, "phone"), Contains("no run of target 'phone'"));
    CHECK_THROWS_WITH(gate::restore(c, m, "server", 999),
                      Contains("checkpoint 999 does not exist"));
    CHECK_THROWS_WITH(gate::restore(c, manifest::manifest(), "server"),
                      Contains("no controller record"));
    manifest::manifest bad;
    bad.config()["controller"] = 1;
    bad.results()["controller"]["targets"] = 5;
    try {
      (void)gate::restore(c, bad, "server");
      FAIL("expected an error");
    } catch (const fairgate::error& e) {
      CHECK(e.code() == errc::parse_error);
      CHECK(std::string(e.what()).find("malformed controller record") != std::string::npos);
    }
  }
  {  // one record per target, as `fairgate compress` nests it
    manifest::manifest nested;
    nested.config()["controller"]["server"] = m.computation()["config"]["controller"];
    nested.results()["controller"]["server"] = m.computation()["results"]["controller"];
    CHECK(gate::restore(c, nested, "server").state_digest == r.targets[0].best.state_digest);
  }
  {  // a consistent checkpoint whose recorded scales are not the weights' scales
    // Re-store an 8-bit checkpoint of "device" with one scale changed (a new,
    // valid object: content hashes cannot catch it) and point a copy of the
    // manifest at it. The state digest (masks, weights, bits) still matches.
    const auto qdir = fresh_dir("restore-scales");
    fs::create_directories(qdir);
    gate::milestone q;
    q.kind = gate::milestone_kind::quantize;
    std::vector<gate::milestone> plan{q};  // int8 per channel first, then prune
    for (const auto& p : gate::prune_steps(0.2, 0.4, 0.2)) plan.push_back(p);
    gate::run_result qr;
    {
      host hq;
      auto o = options(qdir);
      o.targets = {"device"};
      o.manifest_path = qdir / "manifest.json";
      gate::controller cq(test_policy(), hq.rows, o);
      hq.attach(cq);
      qr = cq.run(plan);
    }
    auto m2 = manifest::manifest::read(qdir / "manifest.json");
    io::content_store store(qdir / "store");
    const auto& cps = qr.targets[0].checkpoints;
    std::size_t k = 0;
    nlohmann::ordered_json cj;
    for (std::size_t i = 0; i < cps.size() && k == 0; ++i) {
      const auto b = store.get(cps[i]);
      cj = nlohmann::ordered_json::parse(
          std::string(reinterpret_cast<const char*>(b.data()), b.size()));
      if (cj["state"][0]["bits"] == 8) k = i + 1;
    }
    REQUIRE(k > 0);
    host hq;
    gate::controller cq(test_policy(), hq.rows, options(qdir));
    hq.attach(cq);
    // The untouched checkpoint restores, with 8 bits.
    CHECK(gate::restore(cq, m2, "device", k).tensor_bits == std::vector<std::uint32_t>{8, 8});
    cj["state"][0]["scales"][0] = cj["state"][0]["scales"][0].get<float>() * 2.0f;
    const std::string forged = store.put(cj.dump());
    m2.results()["controller"]["targets"][0]["checkpoints"][k - 1] = forged;
    const auto before = hq.w1;
    try {
      (void)gate::restore(cq, m2, "device", k);
      FAIL("expected an error");
    } catch (const fairgate::error& e) {
      CHECK(e.code() == errc::verification_failed);
      CHECK(std::string(e.what()).find("scales of tensor 'fc1.weight'") != std::string::npos);
    }
    CHECK(hq.w1 == before);
    fs::remove_all(qdir);
  }
  {  // tensors that differ from the recorded ones
    host h2;
    gate::controller c2(test_policy(), h2.rows, options(dir));
    c2.add_tensor("other", tensor::view::contiguous(h2.w1.data(), {16, 8}), 0);
    c2.add_tensor("fc2.weight", tensor::view::contiguous(h2.w2.data(), {1, 16}), 0);
    CHECK_THROWS_WITH(gate::restore(c2, m, "server"), Contains("differs in name or shape"));
  }
  {  // a corrupted checkpoint object (last: it damages the store)
    const std::string hash = r.targets[0].checkpoints[r.targets[0].best_checkpoint - 1];
    const fs::path obj = dir / "store" / "objects" / hash.substr(0, 2) / hash.substr(2);
    std::string bytes = slurp(obj);
    bytes[bytes.size() / 3] ^= 0x20;
    std::ofstream(obj, std::ios::binary | std::ios::trunc) << bytes;
    const auto before = h.w1;
    try {
      (void)gate::restore(c, m, "server");
      FAIL("expected an error");
    } catch (const fairgate::error& e) {
      CHECK(e.code() == errc::verification_failed);
      CHECK(std::string(e.what()).find(hash) != std::string::npos);
    }
    CHECK(h.w1 == before);  // nothing was written into the host's tensors
  }
  fs::remove_all(dir);
}

TEST_CASE("record_run records the keyed streams the gate drew bootstrap replicates from",
          "[controller][record]") {
  const auto p = policy::parse_policy_string(R"(schema_version = 1
name = "streams"
[defaults]
bootstrap_replicates = 50
seed = 5
[[target]]
name = "t"
sensitive_features = ["g"]
max_sparsity = 0.5
[[target.constraint]]
id = "tpr-ci"
metric = "tpr"
bound = ">= baseline - 0.5"
evidence = "ci"
[[target.constraint]]
id = "acc"
metric = "accuracy"
max_drop = 0.5
)",
                                             "streams.toml");
  for (const bool override_seed : {false, true}) {
    host h;
    const auto dir = fresh_dir(override_seed ? "streams-seed" : "streams");
    auto o = options(dir);
    if (override_seed) o.seed = 9;
    gate::controller c(p, h.rows, o);
    h.attach(c);
    const auto r = c.run(gate::prune_steps(0.2, 0.2, 0.1));
    manifest::manifest m;
    gate::record_run(m, r, c);
    const auto& rnd = m.computation()["randomness"];
    // Only the ci constraint draws (point evidence does not): one key, index 0.
    REQUIRE(rnd["streams"].size() == 1);
    CHECK(rnd["streams"][0]["seed"] == (override_seed ? 9 : 5));
    CHECK(rnd["streams"][0]["tag"] == rng::purpose_tag("bootstrap.paired"));
    CHECK(rnd["streams"][0]["index"] == 0);
    CHECK(rnd["streams"][0]["purpose"].get<std::string>().find("t/tpr-ci") != std::string::npos);
    if (override_seed)
      CHECK(rnd["root_seed"] == 9);
    else
      CHECK(rnd["root_seed"].is_null());
    fs::remove_all(dir);
  }
}
