// The compression controller: milestones, rollback and remedies, checkpoints,
// the changelog, kill-and-resume, and bad input.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <fairgate/error.hpp>
#include <fairgate/gate/controller.hpp>
#include <fairgate/policy/parse.hpp>
#include <fairgate/rng/stream.hpp>

namespace fs = std::filesystem;
using namespace fairgate;

namespace {

// A tiny two-layer host model: score = W2 . relu(W1 x), threshold 0. Labels are
// the model's own predictions with 10% flipped, so the baseline is good and
// pruning changes decisions. Group B (code 1) is a shifted minority.
struct host {
  static constexpr int D = 8, H = 16;
  std::vector<float> w1, w2;
  std::vector<double> x;
  gate::evaluation_rows rows;
  int calls = 0;

  explicit host(std::size_t n = 2000) {
    rng::stream s(2024, rng::purposes::test, 0);
    auto u = [&] { return static_cast<double>(s.next_u64() >> 11) * 0x1p-53 * 2.0 - 1.0; };
    for (int i = 0; i < H * D; ++i) w1.push_back(static_cast<float>(u()));
    for (int i = 0; i < H; ++i) w2.push_back(static_cast<float>(u()));
    rows.group_names = {"A", "B"};
    rows.threshold = 0.0;
    for (std::size_t r = 0; r < n; ++r) {
      const std::uint32_t g = r * 4 < n * 3 ? 0u : 1u;
      for (int k = 0; k < D; ++k) x.push_back(u() + (g == 1 && k == 0 ? 0.5 : 0.0));
      rows.groups.push_back(g);
    }
    const auto sc = scores();
    for (std::size_t r = 0; r < n; ++r) {
      const bool flip = u() < -0.8;  // P = 0.1
      rows.labels.push_back(static_cast<std::uint8_t>((sc[r] >= 0.0) != flip));
    }
  }
  [[nodiscard]] std::vector<double> scores() const {
    const std::size_t n = x.size() / D;
    std::vector<double> out(n);
    for (std::size_t r = 0; r < n; ++r) {
      double s = 0;
      for (int j = 0; j < H; ++j) {
        double h = 0;
        for (int k = 0; k < D; ++k)
          h += static_cast<double>(w1[static_cast<std::size_t>(j * D + k)]) *
               x[r * D + static_cast<std::size_t>(k)];
        s += static_cast<double>(w2[static_cast<std::size_t>(j)]) * (h > 0 ? h : 0.0);
      }
      out[r] = s;
    }
    return out;
  }
  void attach(gate::controller& c) {
    c.add_tensor("fc1.weight", tensor::view::contiguous(w1.data(), {H, D}), 0);
    c.add_tensor("fc2.weight", tensor::view::contiguous(w2.data(), {1, H}), 0);
    c.on_evaluate([this] {
      ++calls;
      return scores();
    });
  }
};

policy::policy test_policy() {
  return policy::parse_policy_string(R"(schema_version = 1
name = "controller-test"
[[target]]
name = "server"
sensitive_features = ["g"]
max_sparsity = 0.9
allowed_bits = [32]
[[target.constraint]]
id = "tpr-drop"
metric = "tpr"
max_drop = 0.03
[[target.constraint]]
id = "acc-drop"
metric = "accuracy"
max_drop = 0.03
[[target.constraint]]
id = "eo"
metric = "equalized_odds_difference"
bound = "<= baseline + 0.03"
[[target]]
name = "device"
sensitive_features = ["g"]
max_sparsity = 0.7
allowed_bits = [8, 32]
per_channel = true
[[target.constraint]]
id = "tpr-drop"
metric = "tpr"
max_drop = 0.03
)",
                                     "controller_test.toml");
}

std::vector<gate::milestone> test_plan() {
  auto plan = gate::prune_steps(0.2, 0.8, 0.2);
  gate::milestone q;
  q.kind = gate::milestone_kind::quantize;
  q.bits = 8;
  plan.push_back(q);
  return plan;
}

fs::path fresh_dir(const std::string& name) {
  const fs::path d =
      fs::temp_directory_path() / ("fairgate-gate-test-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(d);
  return d;
}

gate::controller_options options(const fs::path& dir) {
  gate::controller_options o;
  o.directory = dir;
  return o;
}

std::vector<nlohmann::json> changelog(const fs::path& p) {
  std::vector<nlohmann::json> out;
  std::ifstream in(p);
  std::string line;
  while (std::getline(in, line)) out.push_back(nlohmann::json::parse(line));
  return out;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

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
    host h3;
    const auto dir3 = fresh_dir("reference");
    gate::controller c3(test_policy(), h3.rows, options(dir3));
    h3.attach(c3);
    CHECK(resumed == c3.run(plan).digest);
    fs::remove_all(dir);
    fs::remove_all(dir3);
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
