// examples/mpi_aggregate: sharded accumulation over MPI ranks, merged exactly.
//
//   mpirun -np 4 --oversubscribe ./mpi_aggregate --rows 10000000
//
// Each rank accumulates its contiguous shard of the synthetic dataset
// (synthetic.hpp) into a metrics::group_accumulator, serialises it (the
// versioned "FGMA" byte format of metrics/serialize.hpp), and the ranks
// combine the bytes with MPI_Allreduce under a custom reduction that
// deserialises, merges and re-serialises. Merging is exact, so the result is
// the single-process accumulator bit for bit, whatever the number of ranks or
// the reduction tree MPI picks; the reduction moves O(groups) bytes per rank,
// independent of the row count. Rank 0 then computes per-group selection
// rates and a Poisson-bootstrap interval of the demographic-parity
// difference and prints a digest of everything; the CTest test compares the
// digest of 4 ranks with that of 1.
//
// The custom op works on ONE element of a contiguous datatype as wide as the
// serialised accumulator: MPI may split a count of MPI_BYTEs into segments
// for pipelining, but never splits an element of a derived type.
#include <mpi.h>

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <span>
#include <string>
#include <vector>

#include "synthetic.hpp"

namespace {

void merge_op(void* in, void* inout, int* len, MPI_Datatype* type) {
  int size = 0;
  MPI_Type_size(*type, &size);
  try {
    for (int i = 0; i < *len; ++i) {
      auto* a = static_cast<std::uint8_t*>(in) + static_cast<std::ptrdiff_t>(i) * size;
      auto* b = static_cast<std::uint8_t*>(inout) + static_cast<std::ptrdiff_t>(i) * size;
      const auto sa = std::span<const std::uint8_t>(a, static_cast<std::size_t>(size));
      const auto sb = std::span<const std::uint8_t>(b, static_cast<std::size_t>(size));
      auto acc = fairgate::metrics::deserialize(sb);
      acc.merge(fairgate::metrics::deserialize(sa));
      const auto out = fairgate::metrics::serialize(acc);
      if (out.size() != static_cast<std::size_t>(size))
        throw std::runtime_error("merged size changed");
      std::memcpy(b, out.data(), out.size());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mpi_aggregate: merge failed: %s\n", e.what());
    MPI_Abort(MPI_COMM_WORLD, 3);
  }
}

std::uint64_t arg(int argc, char** argv, const char* name, std::uint64_t fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return std::strtoull(argv[i + 1], nullptr, 10);
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  const std::uint64_t rows = arg(argc, argv, "--rows", 10'000'000);
  const auto groups = static_cast<std::uint32_t>(arg(argc, argv, "--groups", 8));
  const auto replicates = static_cast<std::uint32_t>(arg(argc, argv, "--replicates", 1000));
  const std::uint64_t seed = arg(argc, argv, "--seed", 2026);
  int status = 0;
  try {
    MPI_Barrier(MPI_COMM_WORLD);
    const double t0 = MPI_Wtime();
    const auto r = static_cast<std::uint64_t>(rank), R = static_cast<std::uint64_t>(ranks);
    const std::uint64_t begin = rows / R * r + (r < rows % R ? r : rows % R);
    const std::uint64_t end = begin + rows / R + (r < rows % R ? 1 : 0);
    const auto shard = synthetic::accumulate_shard(seed, groups, begin, end);
    const double t1 = MPI_Wtime();
    auto bytes = fairgate::metrics::serialize(shard);
    MPI_Datatype acc_type;
    MPI_Type_contiguous(static_cast<int>(bytes.size()), MPI_BYTE, &acc_type);
    MPI_Type_commit(&acc_type);
    MPI_Op op;
    MPI_Op_create(&merge_op, /*commute=*/1, &op);
    std::vector<std::uint8_t> merged(bytes.size());
    MPI_Allreduce(bytes.data(), merged.data(), 1, acc_type, op, MPI_COMM_WORLD);
    const double t2 = MPI_Wtime();
    MPI_Op_free(&op);
    MPI_Type_free(&acc_type);
    double slowest = t1 - t0;
    MPI_Reduce(rank == 0 ? MPI_IN_PLACE : &slowest, &slowest, 1, MPI_DOUBLE, MPI_MAX, 0,
               MPI_COMM_WORLD);
    if (rank == 0) {
      const auto acc = fairgate::metrics::deserialize(merged);
      const auto s = synthetic::summarize(acc, replicates);
      std::printf("ranks %d rows %" PRIu64 " groups %u accumulator_bytes %zu\n", ranks, rows,
                  groups, merged.size());
      std::printf("accumulate_s %.4f allreduce_s %.6f throughput_rows_per_s %.4g\n", slowest,
                  t2 - t1, static_cast<double>(rows) / (t2 - t0));
      for (std::uint32_t g = 0; g < groups; ++g)
        std::printf("group %u selection_rate %.6f\n", g, s.selection_rate[g]);
      std::printf("dp_difference %.6f ci95 [%.6f, %.6f]\n", s.dp_difference, s.dp_lower,
                  s.dp_upper);
      std::printf("digest %016" PRIx64 "\n", s.digest);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mpi_aggregate (rank %d): %s\n", rank, e.what());
    status = 1;
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  MPI_Finalize();
  return status;
}
