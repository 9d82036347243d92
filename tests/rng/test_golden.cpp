// Golden regression hashes of every RNG distribution (10^6 draws each).
//
// The pinned values in golden_rng.expected were produced by the first run of
// golden_rng (g++ 12 -O2, x86-64); that is what a golden regression hash is.
// They are cross-checked by scripts/check-determinism (g++ -O0, g++ -O3,
// clang++ -O3, aarch64 under qemu must all print the same) and by the
// rng.golden.haswell test (-O3 -march=haswell, FMA available). Independent
// spot values (hand-computed draws of Random123's known-answer block) are in
// test_uniform.cpp and test_distributions.cpp. If a hash changes, the stream
// layout or a sampler changed: that is a breaking change for every recorded
// run and must be justified, never re-pinned silently.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <string>

#include "golden_rng.hpp"

namespace {
// Computed once: 24 distributions x 10^6 draws take about a second.
const std::vector<fairgate_golden::golden_line>& golden() {
  static const auto lines = fairgate_golden::rng_golden_hashes();
  return lines;
}
}  // namespace

TEST_CASE("every RNG distribution reproduces its pinned golden hash") {
  std::ifstream in(FAIRGATE_RNG_GOLDEN_FILE);
  REQUIRE(in.good());
  std::map<std::string, std::string> expected;
  std::string name, value;
  while (in >> name >> value) expected[name] = value;
  const auto& lines = golden();
  CHECK(lines.size() == expected.size());
  for (const auto& [n, hash] : lines) {
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
    INFO(n);
    REQUIRE(expected.count(n) == 1u);
    CHECK(expected[n] == hex);
  }
}

TEST_CASE("the bulk and per-call paths have the same golden hashes") {
  std::map<std::string, std::uint64_t> got;
  for (const auto& [n, hash] : golden()) got[n] = hash;
  CHECK(got.at("rng.fill_uniform_double") == got.at("rng.uniform_double"));
  CHECK(got.at("rng.fill_u32") == got.at("rng.uniform_u32"));
}
