// Golden-hash program for scripts/check-determinism: prints one line per RNG
// distribution, "<name> <16 hex digits>". No test framework, so it builds
// with any toolchain. With a file argument, it also compares its output with
// that file (same format) and exits 1 on any difference.
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>

#include "golden_rng.hpp"

int main(int argc, char** argv) {
  const auto lines = fairgate_golden::rng_golden_hashes();
  for (const auto& [name, hash] : lines) std::printf("%s %016" PRIx64 "\n", name.c_str(), hash);
  if (argc < 2) return 0;
  std::ifstream in(argv[1]);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", argv[1]);
    return 2;
  }
  std::map<std::string, std::string> expected;
  std::string name, value;
  while (in >> name >> value) expected[name] = value;
  int bad = 0;
  for (const auto& [n, hash] : lines) {
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016" PRIx64, hash);
    const auto it = expected.find(n);
    if (it == expected.end() || it->second != hex) {
      std::fprintf(stderr, "MISMATCH %s: got %s, expected %s\n", n.c_str(), hex,
                   it == expected.end() ? "(missing)" : it->second.c_str());
      ++bad;
    }
  }
  if (expected.size() != lines.size()) {
    std::fprintf(stderr, "%zu expected lines, %zu computed\n", expected.size(), lines.size());
    ++bad;
  }
  std::fprintf(stderr, "%s: %zu golden hashes, %d mismatches\n", argv[1], lines.size(), bad);
  return bad == 0 ? 0 : 1;
}
