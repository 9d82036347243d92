// examples/python_shards/shard_tool: the per-partition and merge steps that a
// data-parallel engine (Spark mapPartitions, Ray tasks, Dask map_partitions)
// runs, as a small executable that shards.py drives from Python's
// multiprocessing (the stand-in executor). Once the C ABI exposes
// accumulators, the same two steps are two C calls from Python (ctypes).
//
//   shard_tool accumulate <seed> <groups> <begin> <end> <out.fgma>   one partition -> bytes
//   shard_tool merge <replicates> <a.fgma> <b.fgma> ...              reduce -> summary + digest
//   shard_tool whole <seed> <groups> <rows> <replicates> <out.fgma>  single process, for comparison
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "synthetic.hpp"

namespace {

void write_file(const char* path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out) throw fairgate::error(fairgate::errc::io_error, std::string("cannot write ") + path);
}

std::vector<std::uint8_t> read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw fairgate::error(fairgate::errc::io_error, std::string("cannot read ") + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void print(const fairgate::metrics::group_accumulator& acc, std::uint32_t replicates) {
  const auto s = synthetic::summarize(acc, replicates);
  for (std::uint32_t g = 0; g < acc.n_groups(); ++g)
    std::printf("group %u selection_rate %.6f\n", g, s.selection_rate[g]);
  std::printf("dp_difference %.6f ci95 [%.6f, %.6f]\n", s.dp_difference, s.dp_lower, s.dp_upper);
  std::printf("digest %016" PRIx64 "\n", s.digest);
}

std::uint64_t num(const char* s) {
  return std::strtoull(s, nullptr, 10);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string cmd = argc > 1 ? argv[1] : "";
    if (cmd == "accumulate" && argc == 7) {
      const auto acc = synthetic::accumulate_shard(
          num(argv[2]), static_cast<std::uint32_t>(num(argv[3])), num(argv[4]), num(argv[5]));
      write_file(argv[6], fairgate::metrics::serialize(acc));
      return 0;
    }
    if (cmd == "merge" && argc >= 4) {
      auto acc = fairgate::metrics::deserialize(read_file(argv[3]));
      for (int i = 4; i < argc; ++i) acc.merge(fairgate::metrics::deserialize(read_file(argv[i])));
      print(acc, static_cast<std::uint32_t>(num(argv[2])));
      return 0;
    }
    if (cmd == "whole" && argc == 7) {
      const auto acc = synthetic::accumulate_shard(
          num(argv[2]), static_cast<std::uint32_t>(num(argv[3])), 0, num(argv[4]));
      write_file(argv[6], fairgate::metrics::serialize(acc));
      print(acc, static_cast<std::uint32_t>(num(argv[5])));
      return 0;
    }
    std::fprintf(stderr,
                 "usage: shard_tool accumulate|merge|whole ... (see the top of shard_tool.cpp)\n");
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "shard_tool: %s\n", e.what());
    return 1;
  }
}
