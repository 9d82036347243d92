// The synthetic host model, policy and helpers shared by the controller tests.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <fairgate/gate/controller.hpp>
#include <fairgate/policy/parse.hpp>
#include <fairgate/rng/stream.hpp>

namespace controller_test {

namespace fs = std::filesystem;
using namespace fairgate;

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

inline policy::policy test_policy() {
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

inline std::vector<gate::milestone> test_plan() {
  auto plan = gate::prune_steps(0.2, 0.8, 0.2);
  gate::milestone q;
  q.kind = gate::milestone_kind::quantize;
  q.bits = 8;
  plan.push_back(q);
  return plan;
}

inline fs::path fresh_dir(const std::string& name) {
  const fs::path d =
      fs::temp_directory_path() / ("fairgate-gate-test-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(d);
  return d;
}

inline gate::controller_options options(const fs::path& dir) {
  gate::controller_options o;
  o.directory = dir;
  return o;
}

inline std::vector<nlohmann::json> changelog(const fs::path& p) {
  std::vector<nlohmann::json> out;
  std::ifstream in(p);
  std::string line;
  while (std::getline(in, line)) out.push_back(nlohmann::json::parse(line));
  return out;
}

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The run_result digest of an uninterrupted run of test_plan() on a fresh
// directory (computed once per test process).
inline const std::string& uninterrupted_digest() {
  static const std::string digest = [] {
    host h;
    const auto dir = fresh_dir("uninterrupted");
    gate::controller c(test_policy(), h.rows, options(dir));
    h.attach(c);
    auto d = c.run(test_plan()).digest;
    fs::remove_all(dir);
    return d;
  }();
  return digest;
}

}  // namespace controller_test
