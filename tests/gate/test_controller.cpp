// The compression controller: milestones, rollback and remedies, checkpoints,
// the changelog, kill-and-resume, bad input, and the per-step decisions.
#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <fairgate/error.hpp>
#include <fairgate/gate/controller.hpp>
#include <fairgate/gate/gate.hpp>
#include <fairgate/io/sha256.hpp>
#include <fairgate/io/store.hpp>
#include <fairgate/policy/parse.hpp>
#include <fairgate/rng/stream.hpp>

#include "controller_fixtures.hpp"

namespace fs = std::filesystem;
using namespace fairgate;
using namespace controller_test;

TEST_CASE("prune_steps lists uniform sparsity milestones", "[controller]") {
  const auto p = gate::prune_steps(0.1, 0.3, 0.1);
  REQUIRE(p.size() == 3);
  CHECK(p[0].sparsity == 0.1);
  CHECK(p[2].sparsity == 0.3);
}

TEST_CASE("the controller keeps only passing states and restores the host's weights",
          "[controller]") {
  host h;
  const auto w1 = h.w1, w2 = h.w2;
  const auto dir = fresh_dir("basic");
  gate::controller c(test_policy(), h.rows, options(dir));
  h.attach(c);
  const auto r = c.run(test_plan());
  REQUIRE(r.targets.size() == 2);
  CHECK(h.w1 == w1);  // the original weights are back in the host's tensors
  CHECK(h.w2 == w2);
  for (const auto& t : r.targets) {
    CHECK(t.best.pass);
    CHECK(!t.frontier.empty());
    nlohmann::json v = nlohmann::json::parse(t.best.verdict_json);
    CHECK(v["pass"] == true);
  }
  // server is fp32-only: the quantize milestone is skipped there.
  CHECK(r.targets[0].best.mean_bits == 32.0);
  CHECK(r.targets[0].best.sparsity <= 0.9);
  CHECK(r.targets[1].best.sparsity <= 0.7);
  // Every kept milestone passed its gate; every rollback failed it.
  const auto log = changelog(c.changelog_path());
  REQUIRE(!log.empty());
  for (const auto& l : log) {
    if (l["decision"] == "keep") CHECK(l["verdict"] == "pass");
    if (l["decision"] == "rollback") CHECK(l["verdict"] == "fail");
    CHECK(l.contains("stream_keys"));
    CHECK(l.contains("metrics"));
  }
  fs::remove_all(dir);
}

TEST_CASE("a failing milestone is rolled back and remedies are tried in order", "[controller]") {
  host h;
  const auto dir = fresh_dir("remedies");
  auto o = options(dir);
  o.targets = {"server"};
  gate::controller c(test_policy(), h.rows, o);
  h.attach(c);
  const auto r = c.run(gate::prune_steps(0.9, 0.9, 0.1));  // one big step straight to 90%
  const auto log = changelog(c.changelog_path());
  // baseline, then the 90% milestone fails (a 90% cut of a 144-weight model breaks TPR).
  REQUIRE(log.size() >= 3);
  CHECK(log[0]["attempt"] == "baseline");
  CHECK(log[1]["attempt"] == "milestone");
  CHECK(log[1]["decision"] == "rollback");
  CHECK(log[2]["attempt"] == "bisect");  // the first remedy
  // The changed-index digest and counts are recorded for the pruned tensors.
  CHECK(log[1]["tensors"].size() == 2);
  CHECK(log[1]["tensors"][0]["changed"].get<int>() > 0);
  CHECK(log[1]["tensors"][0]["changed_digest"].get<std::string>().size() == 64);
  CHECK(r.targets[0].best.pass);
  CHECK(r.targets[0].best.sparsity < 0.9);
  fs::remove_all(dir);
}

TEST_CASE("a killed run resumes from its last checkpoint to the same result",
          "[controller][resume]") {
  const auto plan = test_plan();
  std::string whole;
  const auto whole_dir = fresh_dir("whole");
  {
    host h;
    gate::controller c(test_policy(), h.rows, options(whole_dir));
    h.attach(c);
    whole = c.run(plan).digest;
  }
  const auto dir = fresh_dir("killed");
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    host h;
    auto o = options(dir);
    o.after_checkpoint = [](const std::string& target, std::uint64_t k) {
      if (target == "server" && k == 3) ::raise(SIGKILL);  // die mid-plan, after 3 checkpoints
    };
    gate::controller c(test_policy(), h.rows, o);
    h.attach(c);
    (void)c.run(plan);
    ::_exit(0);  // not reached
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  const auto lines_before = changelog(dir / "changelog.jsonl").size();
  CHECK(lines_before >= 3);
  host h;
  auto o = options(dir);
  o.resume = true;
  gate::controller c(test_policy(), h.rows, o);
  h.attach(c);
  const auto r = c.run(plan);
  CHECK(r.digest == whole);
  const auto log = changelog(dir / "changelog.jsonl");
  CHECK(log.size() > lines_before);
  CHECK(log[lines_before]["resumed"] == true);
  // The final checkpoints are byte-identical to the uninterrupted run's.
  for (const char* t : {"server.json", "device.json"})
    CHECK(slurp(dir / "heads" / t) == slurp(whole_dir / "heads" / t));
  fs::remove_all(whole_dir);
  // Resuming a finished run evaluates only the baseline and gives the same result.
  host h2;
  gate::controller c2(test_policy(), h2.rows, o);
  h2.attach(c2);
  CHECK(c2.run(plan).digest == whole);
  CHECK(h2.calls == 1);
  fs::remove_all(dir);
}

TEST_CASE("callbacks returning the wrong length or NaN are clear errors that keep earlier records",
          "[controller][errors]") {
  const auto plan = test_plan();
  for (const bool nan_case : {false, true}) {
    host h;
    const auto dir = fresh_dir(nan_case ? "nan" : "length");
    gate::controller c(test_policy(), h.rows, options(dir));
    h.attach(c);
    c.on_evaluate([&h, nan_case] {
      auto s = h.scores();
      if (++h.calls == 4) {
        if (nan_case)
          s[5] = std::numeric_limits<double>::quiet_NaN();
        else
          s.pop_back();
      }
      return s;
    });
    using Catch::Matchers::Contains;
    if (nan_case)
      CHECK_THROWS_WITH(c.run(plan), Contains("scores[5]") && Contains("must be finite"));
    else
      CHECK_THROWS_WITH(c.run(plan), Contains("returned 1999 scores for 2000 evaluation rows"));
    // Everything written before the error is intact: every changelog line parses,
    // and the last checkpoint resumes to the uninterrupted result.
    const auto log = changelog(c.changelog_path());
    CHECK(log.size() >= 2);
    host h2;
    auto o = options(dir);
    o.resume = true;
    gate::controller c2(test_policy(), h2.rows, o);
    h2.attach(c2);
    const auto resumed = c2.run(plan).digest;
    CHECK(resumed == uninterrupted_digest());
    fs::remove_all(dir);
  }
}

TEST_CASE("an unwritable checkpoint directory is an io_error before any work",
          "[controller][errors]") {
  const auto base = fresh_dir("unwritable");
  fs::create_directories(base);
  std::ofstream(base / "file") << "x";  // a regular file cannot hold a directory
  host h;
  try {
    gate::controller c(test_policy(), h.rows, options(base / "file" / "run"));
    FAIL("expected an error");
  } catch (const fairgate::error& e) {
    CHECK(e.code() == errc::io_error);
    CHECK(std::string(e.what()).find("cannot create checkpoint directory") != std::string::npos);
  }
  CHECK(h.calls == 0);
  fs::remove_all(base);
}

TEST_CASE("a corrupted checkpoint is detected by its content hash on resume",
          "[controller][errors]") {
  const auto plan = gate::prune_steps(0.2, 0.4, 0.2);
  host h;
  const auto dir = fresh_dir("corrupt");
  auto o = options(dir);
  o.targets = {"server"};
  gate::controller c(test_policy(), h.rows, o);
  h.attach(c);
  (void)c.run(plan);
  const auto changelog_bytes = slurp(c.changelog_path());
  // Flip one byte of the checkpoint the head points to.
  const auto head = nlohmann::json::parse(slurp(dir / "heads" / "server.json"));
  const std::string hash = head["checkpoint"];
  const fs::path obj = dir / "store" / "objects" / hash.substr(0, 2) / hash.substr(2);
  REQUIRE(fs::exists(obj));
  std::string bytes = slurp(obj);
  bytes[bytes.size() / 2] ^= 0x01;
  std::ofstream(obj, std::ios::binary | std::ios::trunc) << bytes;
  o.resume = true;
  host h2;
  gate::controller c2(test_policy(), h2.rows, o);
  h2.attach(c2);
  try {
    (void)c2.run(plan);
    FAIL("expected an error");
  } catch (const fairgate::error& e) {
    CHECK(e.code() == errc::verification_failed);
    CHECK(std::string(e.what()).find(hash) != std::string::npos);
  }
  CHECK(slurp(c.changelog_path()) == changelog_bytes);  // nothing appended, nothing lost
  fs::remove_all(dir);
}

TEST_CASE(
    "restore_critical ranks the pruned weights by the host's saliency for the worst-off group",
    "[controller]") {
  host h;
  const auto dir = fresh_dir("saliency");
  auto o = options(dir);
  o.targets = {"server"};
  o.remedies = {gate::remedy::restore_critical};
  gate::controller c(test_policy(), h.rows, o);
  h.attach(c);
  std::vector<std::uint32_t> asked_groups;
  c.on_saliency([&](std::size_t t, std::uint32_t g) {
    asked_groups.push_back(g);
    return std::vector<double>(t == 0 ? host::H * host::D : host::H, 1.0);
  });
  (void)c.run(gate::prune_steps(0.9, 0.9, 0.1));
  REQUIRE(asked_groups.size() == 2);  // once per tensor
  const auto log = changelog(c.changelog_path());
  bool found = false;
  for (const auto& l : log)
    if (l["attempt"] == "restore_critical") {
      found = true;
      CHECK(l["reason"].get<std::string>().find("ranked by saliency for group") !=
            std::string::npos);
      // round(0.9 * 144) = 130 newly pruned; ceil(0.25 * 130) = 33 come back: 97 of 144 stay
      // pruned.
      CHECK(l["sparsity"].get<double>() == Approx(97.0 / 144.0).epsilon(1e-12));
    }
  CHECK(found);
  // A saliency of the wrong length is a clear error.
  host h2;
  const auto dir2 = fresh_dir("saliency-bad");
  gate::controller c2(test_policy(), h2.rows, [&] {
    auto o2 = options(dir2);
    o2.targets = {"server"};
    o2.remedies = {gate::remedy::restore_critical};
    return o2;
  }());
  h2.attach(c2);
  c2.on_saliency([](std::size_t, std::uint32_t) { return std::vector<double>(3, 1.0); });
  CHECK_THROWS_WITH(
      c2.run(gate::prune_steps(0.9, 0.9, 0.1)),
      Catch::Matchers::Contains("returned 3 values for tensor 'fc1.weight' of 128 weights"));
  fs::remove_all(dir);
  fs::remove_all(dir2);
}

TEST_CASE("fine-tuning between pruning and evaluation cannot revive pruned weights",
          "[controller]") {
  host h;
  const auto dir = fresh_dir("finetune");
  auto o = options(dir);
  o.targets = {"server"};
  o.remedies = {};
  gate::controller c(test_policy(), h.rows, o);
  h.attach(c);
  int finetunes = 0;
  c.on_finetune([&](std::uint32_t steps) {
    CHECK(steps == 3);
    ++finetunes;
    for (auto& w : h.w1) w += 0.01f;  // a "training step" that touches every weight
    for (auto& w : h.w2) w += 0.01f;
  });
  std::vector<int> zeros;
  c.on_evaluate([&] {
    int z = 0;
    for (float w : h.w1) z += w == 0.0f;
    for (float w : h.w2) z += w == 0.0f;
    zeros.push_back(z);
    return h.scores();
  });
  auto plan = gate::prune_steps(0.5, 0.5, 0.1);
  plan[0].finetune_steps = 3;
  (void)c.run(plan);
  CHECK(finetunes == 1);
  // Evaluations: the run's baseline, the target's baseline, then the 50% step:
  // round(0.5 * 144) = 72 weights are zero when it is evaluated, after fine-tuning.
  REQUIRE(zeros.size() == 3);
  CHECK(zeros[2] >= 72);
  fs::remove_all(dir);
}

namespace {

// A host with hand-checkable weights for the quantization milestones. Tensor
// "a" (2 x 4) has channel amax 7.5 and 15; tensor "b" (1 x 4) amax 7.5.
// Every row is labelled 1; the model predicts 1 everywhere unless a[1] moved
// by more than 0.1 from -3.3, then it predicts 0 on half the rows
// (accuracy 0.5).
struct qhost {
  std::vector<float> a{7.5f, -3.3f, 2.6f, 0.4f, 15.0f, -5.0f, 3.0f, 1.0f};
  std::vector<float> b{7.5f, -3.2f, 2.6f, 0.4f};
  std::vector<std::vector<float>> seen_a, seen_b;  // weights at every evaluation
  gate::evaluation_rows rows;
  qhost() {
    rows.group_names = {"A", "B"};
    for (int i = 0; i < 20; ++i) {
      rows.labels.push_back(1);
      rows.groups.push_back(static_cast<std::uint32_t>(i % 2));
    }
  }
  void attach(gate::controller& c, bool with_b = true) {
    c.add_tensor("a", tensor::view::contiguous(a.data(), {2, 4}), 0);
    if (with_b) c.add_tensor("b", tensor::view::contiguous(b.data(), {1, 4}), 0);
    c.on_evaluate([this] {
      seen_a.push_back(a);
      seen_b.push_back(b);
      const bool broken = std::fabs(a[1] - (-3.3f)) > 0.1f;
      std::vector<double> s(rows.labels.size(), 1.0);
      if (broken)
        for (std::size_t i = 0; i < s.size(); i += 2) s[i] = 0.0;
      return s;
    });
  }
};

policy::policy quant_policy(const std::string& bits, bool per_channel) {
  return policy::parse_policy_string(
      "schema_version = 1\nname = \"q\"\n[[target]]\nname = \"t\"\nsensitive_features = [\"g\"]\n"
      "max_sparsity = 0.5\nallowed_bits = " +
          bits + "\nper_channel = " + (per_channel ? "true" : "false") +
          "\n[[target.constraint]]\nid = \"acc\"\nmetric = \"accuracy\"\nscope = \"overall\"\n"
          "bound = \">= 0.9\"\n",
      "quant.toml");
}

std::vector<gate::milestone> quant_plan(std::vector<std::uint32_t> bits) {
  std::vector<gate::milestone> plan;
  for (auto b : bits) {
    gate::milestone m;
    m.kind = gate::milestone_kind::quantize;
    m.bits = b;
    m.per_channel = true;
    plan.push_back(m);
  }
  return plan;
}

}  // namespace

TEST_CASE("int4 and int8 milestones fake-quantize with symmetric scales, by hand",
          "[controller][quantize]") {
  // int4 per channel (torch_symmetric: scale = amax / 7.5, q in [-8, 7], ties to even):
  //   channel 0, scale 1: 7.5 -> 8 -> clamp 7; -3.3 -> -3; 2.6 -> 3; 0.4 -> 0
  //   channel 1, scale 2: 15/2 = 7.5 -> 7 -> 14; -5/2 = -2.5 -> -2 -> -4; 3/2 = 1.5 -> 2 -> 4;
  //                       1/2 = 0.5 -> 0 -> 0
  // -3.3 -> -3 moves a[1] by 0.3 > 0.1, so the 4-bit step fails the accuracy bound.
  qhost h;
  const auto dir = fresh_dir("int4");
  auto o = options(dir);
  o.remedies = {};
  gate::controller c(quant_policy("[4, 32]", true), h.rows, o);
  h.attach(c, /*with_b=*/false);
  const auto r = c.run(quant_plan({4}));
  // Evaluations: the run's baseline, the target's baseline, the 4-bit candidate.
  REQUIRE(h.seen_a.size() == 3);
  CHECK(h.seen_a[2] == std::vector<float>{7, -3, 3, 0, 14, -4, 4, 0});
  CHECK(r.targets[0].best.pass);
  CHECK(r.targets[0].best.mean_bits == 32.0);  // the 4-bit state failed and was rolled back
  CHECK(h.a == std::vector<float>{7.5f, -3.3f, 2.6f, 0.4f, 15.0f, -5.0f, 3.0f, 1.0f});
  // Per tensor (the target does not allow per-channel scales): amax 15, scale 2:
  //   channel 0: 3.75 -> 4 -> 8; -1.65 -> -2 -> -4; 1.3 -> 1 -> 2; 0.2 -> 0
  qhost h2;
  const auto dir2 = fresh_dir("int4-tensor");
  gate::controller c2(quant_policy("[4, 32]", false), h2.rows, options(dir2));
  h2.attach(c2, false);
  (void)c2.run(quant_plan({4}));
  CHECK(h2.seen_a[2] == std::vector<float>{8, -4, 2, 0, 14, -4, 4, 0});
  // int8 per channel: scale = amax / 127.5; channel 0: 7.5 / 127.5 = 1/17, so
  // -3.3 * 17 = -56.1 -> -56 -> -56/17 = -3.294..., within 0.1: the step passes.
  qhost h3;
  const auto dir3 = fresh_dir("int8");
  gate::controller c3(quant_policy("[4, 8, 32]", true), h3.rows, options(dir3));
  h3.attach(c3, false);
  const auto r3 = c3.run(quant_plan({8, 4}));
  CHECK(h3.seen_a[2][1] == Approx(-56.0 / 17.0).epsilon(1e-6));
  CHECK(r3.targets[0].best.tensor_bits == std::vector<std::uint32_t>{8});
  CHECK(r3.targets[0].best.mean_bits == 8.0);
  fs::remove_all(dir);
  fs::remove_all(dir2);
  fs::remove_all(dir3);
}

TEST_CASE("a bit width the target does not allow is skipped, and raising precision is skipped",
          "[controller][quantize]") {
  qhost h;
  const auto dir = fresh_dir("bits-allowed");
  gate::controller c(quant_policy("[8, 32]", true), h.rows, options(dir));
  h.attach(c);
  const auto r = c.run(quant_plan({4, 8, 8}));
  const auto log = changelog(c.changelog_path());
  REQUIRE(log.size() == 4);  // baseline, skip 4, keep 8, skip 8
  CHECK(log[1]["decision"] == "skip");
  CHECK(log[1]["reason"].get<std::string>().find("allowed_bits") != std::string::npos);
  CHECK(log[2]["decision"] == "keep");
  CHECK(log[3]["decision"] == "skip");
  CHECK(log[3]["reason"] == "every tensor is already at or below 8 bits");
  CHECK(r.targets[0].best.tensor_bits == std::vector<std::uint32_t>{8, 8});
  // Milestones with bits other than 8 or 4 are rejected before any work.
  CHECK_THROWS_WITH(c.run(quant_plan({16})), Catch::Matchers::Contains("8 or 4 bits"));
  fs::remove_all(dir);
}

TEST_CASE("revert_tensor returns the most damaging tensor to its higher precision",
          "[controller][quantize]") {
  // 8 -> 4 bits breaks the accuracy bound through tensor a only (a[1]: -3.3 -> -3);
  // reverting a to 8 bits passes, reverting b does not: a stays at 8, b goes to 4.
  qhost h;
  const auto dir = fresh_dir("revert-bits");
  auto o = options(dir);
  o.remedies = {gate::remedy::revert_tensor};
  gate::controller c(quant_policy("[4, 8, 32]", true), h.rows, o);
  h.attach(c);
  const auto r = c.run(quant_plan({8, 4}));
  CHECK(r.targets[0].best.tensor_bits == std::vector<std::uint32_t>{8, 4});
  CHECK(r.targets[0].best.mean_bits == (8.0 * 8 + 4.0 * 4) / 12);
  const auto log = changelog(c.changelog_path());
  bool reverted = false;
  for (const auto& l : log)
    if (l["attempt"] == "revert_tensor") {
      reverted = true;
      CHECK(l["decision"] == "keep");
      CHECK(l["reason"].get<std::string>().find("reverted 'a'") != std::string::npos);
    }
  CHECK(reverted);
  fs::remove_all(dir);
}

TEST_CASE("a policy referencing unknown groups or metrics fails before any work or file",
          "[controller][errors]") {
  host h;
  const auto dir = fresh_dir("unknown-group");
  const auto p = policy::parse_policy_string(R"(schema_version = 1
name = "refs"
[[target]]
name = "t"
sensitive_features = ["g"]
reference_group = "C"
[[target.constraint]]
id = "di"
metric = "disparate_impact"
bound = ">= 0.8"
)",
                                             "refs.toml");
  using Catch::Matchers::Contains;
  CHECK_THROWS_WITH(gate::controller(p, h.rows, options(dir)), Contains("reference group 'C'"));
  CHECK(!fs::exists(dir));
  CHECK(h.calls == 0);
  // Sensitive features that are not the target's.
  auto rows = h.rows;
  rows.sensitive_features = {"sex"};
  CHECK_THROWS_WITH(gate::controller(test_policy(), rows, options(dir)),
                    Contains("sensitive features 'g'"));
  CHECK(!fs::exists(dir));
  // An unknown metric is rejected by the policy parser, naming the line and a suggestion.
  CHECK_THROWS_WITH(policy::parse_policy_string(R"(schema_version = 1
name = "bad"
[[target]]
name = "t"
sensitive_features = ["g"]
[[target.constraint]]
id = "x"
metric = "equalised_odds_difference"
bound = "<= 0.1"
)",
                                                "bad.toml"),
                    Contains("bad.toml:8") && Contains("equalized_odds_difference"));
}

namespace {

// Every line of the changelog parses and the file ends with a newline; every
// head points to a checkpoint that verifies, and so do all its blobs and its
// predecessors.
void check_records_intact(const fs::path& dir) {
  const std::string text = slurp(dir / "changelog.jsonl");
  REQUIRE(!text.empty());
  CHECK(text.back() == '\n');
  std::size_t lines = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line); ++lines)
    CHECK_NOTHROW(nlohmann::json::parse(line));
  CHECK(lines >= 2);
  const io::content_store store(dir / "store");
  std::size_t heads = 0;
  for (const auto& e : fs::directory_iterator(dir / "heads")) {
    if (e.path().extension() != ".json") continue;
    ++heads;
    std::string h = nlohmann::json::parse(slurp(e.path()))["checkpoint"];
    while (true) {
      REQUIRE(store.verify(h));
      const auto b = store.get(h);
      const auto j =
          nlohmann::json::parse(std::string(reinterpret_cast<const char*>(b.data()), b.size()));
      for (const auto& t : j["state"]) {
        CHECK(store.verify(t["mask"].get<std::string>()));
        CHECK(store.verify(t["weights"].get<std::string>()));
      }
      if (j["previous"].is_null()) break;
      h = j["previous"];
    }
  }
  CHECK(heads >= 1);
}

std::string resumed_digest(const fs::path& dir) {
  host h;
  auto o = options(dir);
  o.resume = true;
  gate::controller c(test_policy(), h.rows, o);
  h.attach(c);
  return c.run(test_plan()).digest;
}

}  // namespace

TEST_CASE("a full disk mid-run is a clear error that loses and damages no earlier record",
          "[controller][errors]") {
  // "Full" is simulated with RLIMIT_FSIZE in a forked child (SIGXFSZ ignored, so
  // write() fails with EFBIG once a file would grow past the limit): the
  // changelog outgrows it after a few steps while a new object is being written.
  const auto dir = fresh_dir("full");
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::signal(SIGXFSZ, SIG_IGN);
    host h;
    gate::controller c(test_policy(), h.rows, options(dir));  // created before the limit
    h.attach(c);
    rlimit lim{};
    lim.rlim_cur = lim.rlim_max = 12000;
    if (::setrlimit(RLIMIT_FSIZE, &lim) != 0) ::_exit(3);
    try {
      (void)c.run(test_plan());
    } catch (const fairgate::error& e) {
      const std::string what = e.what();
      ::_exit(e.code() == errc::io_error && what.find("File too large") != std::string::npos ? 0
                                                                                             : 1);
    } catch (...) {
      ::_exit(1);
    }
    ::_exit(2);  // the limit was never reached
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  check_records_intact(dir);
  // Everything written before the error is good enough to resume from.
  CHECK(resumed_digest(dir) == uninterrupted_digest());
  check_records_intact(dir);
  fs::remove_all(dir);
}

TEST_CASE("a checkpoint directory that becomes unwritable mid-run keeps every earlier record",
          "[controller][errors]") {
  // Not root: chmod 0500 on heads/. Root ignores permissions, so heads/ is moved
  // aside and replaced by a regular file (creating a file under it fails, ENOTDIR).
  const auto dir = fresh_dir("readonly");
  const bool root = ::geteuid() == 0;
  std::string head_before;
  {
    host h;
    auto o = options(dir);
    o.after_checkpoint = [&](const std::string& target, std::uint64_t k) {
      if (target != "server" || k != 3) return;
      head_before = slurp(dir / "heads" / "server.json");
      if (root) {
        fs::rename(dir / "heads", dir / "heads.saved");
        std::ofstream(dir / "heads") << "not a directory";
      } else {
        fs::permissions(dir / "heads", fs::perms::owner_read | fs::perms::owner_exec);
      }
    };
    gate::controller c(test_policy(), h.rows, o);
    h.attach(c);
    try {
      (void)c.run(test_plan());
      FAIL("expected an error");
    } catch (const fairgate::error& e) {
      CHECK(e.code() == errc::io_error);
      CHECK(std::string(e.what()).find("heads") != std::string::npos);
    }
    CHECK(h.w1 == host().w1);  // the host's weights are restored on the error path
  }
  if (root) {
    fs::remove(dir / "heads");
    fs::rename(dir / "heads.saved", dir / "heads");
  } else {
    fs::permissions(dir / "heads", fs::perms::owner_all);
  }
  CHECK(slurp(dir / "heads" / "server.json") == head_before);  // the old head is intact
  check_records_intact(dir);
  CHECK(resumed_digest(dir) == uninterrupted_digest());
  fs::remove_all(dir);
}

TEST_CASE("a changelog that ends in a partial line is cut back before the next append",
          "[controller][errors]") {
  const auto dir = fresh_dir("partial");
  {
    host h;
    gate::controller c(test_policy(), h.rows, options(dir));
    h.attach(c);
    (void)c.run(gate::prune_steps(0.2, 0.2, 0.1));
  }
  const std::string complete = slurp(dir / "changelog.jsonl");
  std::ofstream(dir / "changelog.jsonl", std::ios::app) << R"({"format": "fairgate.chan)";
  host h;
  gate::controller c(test_policy(), h.rows, options(dir));
  h.attach(c);
  (void)c.run(gate::prune_steps(0.2, 0.2, 0.1));
  const std::string after = slurp(dir / "changelog.jsonl");
  CHECK(after.substr(0, complete.size()) == complete);
  check_records_intact(dir);
  fs::remove_all(dir);
}

// --- target_result::decisions: the changelog in memory, with full verdicts ---

namespace {

// Checks that `d` holds exactly what changelog line `l` records.
void check_mirrors_line(const gate::step_record& d, const nlohmann::json& l) {
  CHECK(d.step == l["step"].get<std::uint64_t>());
  CHECK(d.milestone == l["milestone"].get<std::size_t>());
  CHECK(d.pass == l["pass"].get<std::string>());
  CHECK(d.attempt == l["attempt"].get<std::string>());
  CHECK(d.decision == l["decision"].get<std::string>());
  CHECK(d.reason == l["reason"].get<std::string>());
  CHECK(d.sparsity == l["sparsity"].get<double>());  // exact: JSON doubles round-trip
  CHECK(d.mean_bits == l["mean_bits"].get<double>());
  if (l["verdict"].is_null()) {
    CHECK(!d.gated.has_value());
    CHECK(d.verdict_digest.empty());
  } else {
    REQUIRE(d.gated.has_value());
    CHECK((d.gated->pass ? "pass" : "fail") == l["verdict"].get<std::string>());
    CHECK(d.verdict_digest == l["verdict_digest"].get<std::string>());
    CHECK(io::sha256_hex(d.gated->to_json(-1)) == d.verdict_digest);
  }
}

}  // namespace

TEST_CASE("every gated step's recorded verdict is the gate's verdict of that step's scores",
          "[controller][decisions]") {
  // Remedies without revert_tensor: then every evaluation after run()'s
  // baseline scores is gated and logged exactly once, in order, so the k-th
  // gated decision belongs to the (k+1)-th evaluation's scores.
  host h;
  const auto dir = fresh_dir("decisions");
  auto o = options(dir);
  o.remedies = {gate::remedy::bisect, gate::remedy::restore_critical, gate::remedy::stop};
  const auto pol = test_policy();
  gate::controller c(pol, h.rows, o);
  h.attach(c);
  std::vector<std::vector<double>> evals;
  c.on_evaluate([&] {
    evals.push_back(h.scores());
    return evals.back();
  });
  // 0.4, then straight to 0.9 (fails on server: a 90% cut breaks TPR; device
  // skips it, max_sparsity 0.7), then int8 (skipped on fp32-only server).
  std::vector<gate::milestone> plan = gate::prune_steps(0.4, 0.4, 0.1);
  plan.push_back(gate::prune_steps(0.9, 0.9, 0.1)[0]);
  gate::milestone q;
  q.kind = gate::milestone_kind::quantize;
  q.bits = 8;
  plan.push_back(q);
  const auto r = c.run(plan);
  const auto log = changelog(c.changelog_path());

  std::size_t line = 0, next_eval = 1, rollbacks = 0, skips = 0;
  for (const auto& tr : r.targets) {
    INFO("target " << tr.target);
    REQUIRE(!tr.decisions.empty());
    CHECK(tr.decisions.front().attempt == "baseline");
    CHECK(tr.decisions.size() == tr.steps);  // one decision per step
    for (const auto& d : tr.decisions) {
      INFO("step " << d.step << " (" << d.attempt << ", " << d.decision << ")");
      REQUIRE(line < log.size());
      CHECK(log[line]["target"] == tr.target);
      check_mirrors_line(d, log[line++]);
      rollbacks += d.decision == "rollback" ? 1u : 0u;
      skips += d.decision == "skip" ? 1u : 0u;
      if (!d.gated) continue;
      // Re-judge this step's scores against run()'s baseline scores.
      REQUIRE(next_eval < evals.size());
      const auto& sc = evals[next_eval++];
      const gate::gate_inputs in = gate::gate_inputs::from_scores(
          h.rows.labels, evals[0], sc, h.rows.threshold, h.rows.groups, h.rows.group_names);
      const gate::verdict v = gate::evaluate(pol, tr.target, in);
      CHECK(d.gated->to_json(-1) == v.to_json(-1));  // every group's value, bound, decision
      CHECK(d.gated->pass == (d.decision == "keep"));
    }
  }
  CHECK(line == log.size());         // every line of the changelog is a decision
  CHECK(next_eval == evals.size());  // and every evaluation a gated one
  CHECK(rollbacks >= 1);             // the run exercised a rollback
  CHECK(skips >= 1);                 // and a skip (no verdict)
  fs::remove_all(dir);
}

TEST_CASE("a resumed run's decisions are the changelog lines written after the resume",
          "[controller][decisions][resume]") {
  // Kill the run after server's second checkpoint (the first milestone; an
  // exception from the hook ends run()), then resume: the first attempt's
  // lines stay in the changelog, and the resumed run hands out exactly the
  // lines it appended.
  const auto plan = test_plan();
  const auto dir = fresh_dir("decisions-resume");
  {
    host h;
    auto o = options(dir);
    o.after_checkpoint = [](const std::string& target, std::uint64_t k) {
      if (target == "server" && k == 2) throw std::runtime_error("killed");
    };
    gate::controller c(test_policy(), h.rows, o);
    h.attach(c);
    CHECK_THROWS_AS(c.run(plan), std::runtime_error);
  }
  const auto lines_before = changelog(dir / "changelog.jsonl").size();
  REQUIRE(lines_before >= 2);
  host h;
  auto o = options(dir);
  o.resume = true;
  gate::controller c(test_policy(), h.rows, o);
  h.attach(c);
  const auto r = c.run(plan);
  CHECK(r.digest == uninterrupted_digest());
  const auto log = changelog(dir / "changelog.jsonl");
  std::size_t line = lines_before;
  for (const auto& tr : r.targets)
    for (const auto& d : tr.decisions) {
      REQUIRE(line < log.size());
      CHECK(log[line]["target"] == tr.target);
      check_mirrors_line(d, log[line++]);
    }
  CHECK(line == log.size());
  REQUIRE(r.targets.size() == 2);
  REQUIRE(!r.targets[0].decisions.empty());
  CHECK(r.targets[0].decisions.front().step > 0);  // server resumed mid-plan, not from step 0
  fs::remove_all(dir);
}
