// fairgate/metrics/accumulate.hpp: one pass over the rows into a group_accumulator, on T threads.
//
//   fairgate::metrics::group_accumulator acc(n_groups);
//   fairgate::metrics::accumulate(acc, inputs, {.threads = 2});
//
// The rows are split into T contiguous ranges; each std::thread fills its own
// fresh accumulator, and the partial accumulators are merged. Merging is
// exact (accumulator.hpp), so the result is bit-identical for every T and
// equals the single-threaded pass. The caller chooses T (no hidden thread
// pool, no global state); T = 1 runs on the calling thread.
//
// Errors: shapes are checked first. If any row is invalid, the error names
// the row with the SMALLEST index (each thread reports the first bad row of
// its range; the minimum over threads is the global first, whatever T), and
// `acc` is left unchanged (strong guarantee).
#pragma once

#include <algorithm>
#include <cstddef>
#include <exception>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/metrics/accumulator.hpp>
#include <fairgate/metrics/confusion_kernels.hpp>
#include <fairgate/metrics/inputs.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace metrics {

struct accumulate_options {
  unsigned threads = 1;    // number of std::threads (>= 1); results do not depend on it
  bool allow_simd = true;  // false forces the scalar kernels (tests compare both)
};

namespace accumulate_detail {

template <class Inputs, class Pass>
void run(group_accumulator& acc, const Inputs& in, const accumulate_options& opt, Pass pass) {
  check_shape(in);
  require(acc.n_groups() == in.n_groups, errc::invalid_argument, [&] {
    return "accumulate: accumulator has " + std::to_string(acc.n_groups()) +
           " groups but inputs have " + std::to_string(in.n_groups);
  });
  require(opt.threads >= 1, errc::invalid_argument, "accumulate: threads must be at least 1");
  const std::size_t n = in.y_true.size;
  // Split on multiples of 64 rows (the SIMD block), at most one range per 64 rows.
  const std::size_t blocks = (n + 63) / 64;
  const std::size_t T = std::max<std::size_t>(1, std::min<std::size_t>(opt.threads, blocks));
  std::vector<group_accumulator> parts(T, acc.empty_like());
  std::vector<std::optional<std::size_t>> bad(T);
  std::vector<std::exception_ptr> failures(T);
  auto range = [&](std::size_t t) {
    const std::size_t b0 = blocks * t / T, b1 = blocks * (t + 1) / T;
    return std::pair<std::size_t, std::size_t>{std::min(n, b0 * 64), std::min(n, b1 * 64)};
  };
  auto work = [&](std::size_t t) {
    try {
      const auto [begin, end] = range(t);
      bad[t] = pass(in, begin, end, parts[t]);
    } catch (...) {
      failures[t] = std::current_exception();
    }
  };
  if (T == 1) {
    work(0);
  } else {
    std::vector<std::thread> pool;
    pool.reserve(T - 1);
    for (std::size_t t = 1; t < T; ++t) pool.emplace_back(work, t);
    work(0);
    for (auto& th : pool) th.join();
  }
  // Ranges are ordered, so the first thread (in range order) with a problem
  // holds the globally first bad row.
  for (std::size_t t = 0; t < T; ++t) {
    if (failures[t]) std::rethrow_exception(failures[t]);
    if (bad[t]) {
      check_row(in, *bad[t]);  // throws the precise error for this row
      throw error(errc::invalid_value,
                  "row " + std::to_string(*bad[t]) + ": a per-row term overflows the double range");
    }
  }
  group_accumulator result = acc;
  for (auto& p : parts) result.merge(p);
  acc = std::move(result);
}

}  // namespace accumulate_detail

// Adds the rows of a binary-classification pass to acc. If acc keeps score
// statistics (calibration bins, score histogram), the inputs must carry
// scores (invalid_argument otherwise), and with calibration bins every score
// must lie in [0, 1] (out_of_range naming the first such row).
inline void accumulate(group_accumulator& acc, const binary_inputs& in,
                       const accumulate_options& opt = {}) {
  const bool scores_kept = acc.score_options().any();
  require(!scores_kept || in.y_pred.from_scores, errc::invalid_argument,
          "accumulate: the accumulator keeps calibration bins or a score histogram, which need "
          "scores, but the inputs carry hard predictions");
  accumulate_detail::run(acc, in, opt,
                         [&opt, scores_kept](const binary_inputs& x, std::size_t b, std::size_t e,
                                             group_accumulator& out) {
                           const auto bad = kernels::binary_pass(x, b, e, out, opt.allow_simd);
                           // Only rows before the first bad one: they are known to be valid.
                           if (scores_kept) kernels::score_pass(x, b, bad ? *bad : e, out);
                           return bad;
                         });
}

// Adds the rows of a regression pass to acc.
inline void accumulate(group_accumulator& acc, const regression_inputs& in,
                       const accumulate_options& opt = {}) {
  accumulate_detail::run(
      acc, in, opt,
      [](const regression_inputs& x, std::size_t b, std::size_t e, group_accumulator& out) {
        return kernels::regression_pass(x, b, e, out);
      });
}

// Convenience: a fresh accumulator of in.n_groups groups.
template <class Inputs>
[[nodiscard]] group_accumulator accumulate(const Inputs& in, const accumulate_options& opt = {}) {
  group_accumulator acc(in.n_groups);
  accumulate(acc, in, opt);
  return acc;
}

}  // namespace metrics

FAIRGATE_END_NAMESPACE
