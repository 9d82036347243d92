// raw_files.hpp: helpers of the dump tools that the Python differential
// tests drive (they write numpy arrays with .tofile()). Test code only.
#pragma once

#include <cstddef>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <fairgate/error.hpp>

namespace fairgate_test {

// The whole file as an array of T (native byte order, as numpy wrote it).
template <class T>
std::vector<T> read_raw(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw fairgate::error(fairgate::errc::io_error, "cannot open " + path);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<T> out(bytes.size() / sizeof(T));
  if (!out.empty()) std::memcpy(out.data(), bytes.data(), out.size() * sizeof(T));
  return out;
}

// Group labels in the dumps: the index, or "all" for the pooled row.
inline std::string group_label(std::size_t g, std::size_t n_groups) {
  return g == n_groups ? std::string("all") : std::to_string(g);
}

}  // namespace fairgate_test
