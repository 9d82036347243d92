// stream_rows.hpp: reads the binary row streams the monitor's Python tests
// write (rows of f64 score, u32 group, i32 label, little-endian; label -1 =
// none), shared by the monitor dump tools. Test code only.
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

namespace fairgate_test {

struct stream_rows {
  std::vector<double> score;
  std::vector<std::uint32_t> group;
  std::vector<std::int32_t> label;
};

inline stream_rows read_stream_rows(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> b{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  stream_rows r;
  for (std::size_t at = 0; at + 16 <= b.size(); at += 16) {
    double s;
    std::uint32_t g;
    std::int32_t l;
    std::memcpy(&s, &b[at], 8);
    std::memcpy(&g, &b[at + 8], 4);
    std::memcpy(&l, &b[at + 12], 4);
    r.score.push_back(s);
    r.group.push_back(g);
    r.label.push_back(l);
  }
  return r;
}

}  // namespace fairgate_test
