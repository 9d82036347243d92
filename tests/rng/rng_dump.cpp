// rng.dump <normal|poisson|uniform_double|poisson1> <count> <parameter> <seed> <out>:
// writes <count> draws from stream(seed, purposes::test, 0) as little-endian
// 8-byte values (doubles as IEEE bits, integers as uint64) for scipy_compare.py.
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <fairgate/rng/discrete.hpp>
#include <fairgate/rng/normal.hpp>
#include <fairgate/rng/uniform.hpp>

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(
        stderr,
        "usage: rng.dump <normal|poisson|poisson1|uniform_double> <count> <param> <seed> <out>\n");
    return 2;
  }
  const std::string kind = argv[1];
  const auto count = std::strtoull(argv[2], nullptr, 10);
  const double param = std::strtod(argv[3], nullptr);
  fairgate::rng::stream s(std::strtoull(argv[4], nullptr, 10), fairgate::rng::purposes::test, 0);
  std::FILE* out = std::fopen(argv[5], "wb");
  if (out == nullptr) return 2;
  for (std::uint64_t i = 0; i < count; ++i) {
    std::uint64_t v = 0;
    if (kind == "normal")
      v = std::bit_cast<std::uint64_t>(fairgate::rng::normal(s));
    else if (kind == "uniform_double")
      v = std::bit_cast<std::uint64_t>(fairgate::rng::uniform_double(s));
    else if (kind == "poisson")
      v = fairgate::rng::poisson(s, param);
    else if (kind == "poisson1")
      v = fairgate::rng::poisson1(s);
    else
      return 2;
    unsigned char bytes[8];
    for (int b = 0; b < 8; ++b) bytes[b] = static_cast<unsigned char>(v >> (8 * b));
    std::fwrite(bytes, 1, 8, out);
  }
  return std::fclose(out) == 0 ? 0 : 2;
}
