// examples/mpi_aggregate/synthetic.hpp: the synthetic dataset the scale-out examples shard.
//
// Row r is a pure function of (seed, r): the Philox block r of the keyed
// stream (seed, "example.synthetic", 0) gives four 32-bit words w0..w3:
//   group = (w0 * G) >> 32                (multiply-shift; G groups)
//   label = w1 < p_g * 2^32,   p_g = 0.25 + 0.5 * g / G   (base rate by group)
//   score = (0.3 * label + 0.7 * u) with u = w2 * 2^-32, in [0, 1)
//   prediction = score >= 0.5
// so any shard [begin, end) can be generated independently, and the union of
// shards is exactly the whole dataset, however it is split.
// Also: the single-pass shard accumulation and the digest both examples print.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include <fairgate/digest.hpp>
#include <fairgate/metrics/accumulate.hpp>
#include <fairgate/metrics/accumulator.hpp>
#include <fairgate/metrics/serialize.hpp>
#include <fairgate/rng/stream.hpp>
#include <fairgate/uncertainty/bootstrap.hpp>
#include <fairgate/uncertainty/proportion.hpp>

namespace synthetic {

inline constexpr fairgate::rng::purpose purpose{"example.synthetic"};

// Accumulates rows [begin, end) in chunks of 2^16 (bounded memory).
inline fairgate::metrics::group_accumulator accumulate_shard(std::uint64_t seed,
                                                             std::uint32_t n_groups,
                                                             std::uint64_t begin,
                                                             std::uint64_t end) {
  namespace fmx = fairgate::metrics;
  fmx::group_accumulator acc(n_groups);
  const fairgate::rng::stream s(seed, purpose, 0);
  constexpr std::uint64_t chunk = 1 << 16;
  std::vector<std::uint8_t> y(chunk), g(chunk);
  std::vector<float> score(chunk);
  for (std::uint64_t b = begin; b < end; b += chunk) {
    const std::uint64_t n = end - b < chunk ? end - b : chunk;
    for (std::uint64_t i = 0; i < n; ++i) {
      const auto w = s.block(b + i);
      const auto grp =
          static_cast<std::uint32_t>((static_cast<std::uint64_t>(w[0]) * n_groups) >> 32);
      const double p = 0.25 + 0.5 * static_cast<double>(grp) / static_cast<double>(n_groups);
      const bool label = static_cast<double>(w[1]) < p * 4294967296.0;
      const double u = static_cast<double>(w[2]) * 0x1p-32;
      y[i] = label ? 1 : 0;
      g[i] = static_cast<std::uint8_t>(grp);
      score[i] = static_cast<float>(0.3 * (label ? 1.0 : 0.0) + 0.7 * u);
    }
    fmx::binary_inputs in;
    in.y_true = std::span<const std::uint8_t>(y.data(), n);
    in.y_pred = fmx::prediction_view::scores(std::span<const float>(score.data(), n), 0.5);
    in.groups = std::span<const std::uint8_t>(g.data(), n);
    in.n_groups = n_groups;
    fmx::accumulate(acc, in);
  }
  return acc;
}

struct summary {
  std::uint64_t digest = 0;  // FNV-1a 64 over the merged accumulator bytes and every result's bits
  std::vector<double> selection_rate;     // per group
  double dp_difference = 0.0;             // max - min selection rate
  double dp_lower = 0.0, dp_upper = 0.0;  // 95% Poisson-bootstrap percentile interval
};

// Per-group selection rates, the demographic-parity difference and its
// bootstrap interval (B replicates, seed 7), and the digest of it all.
inline summary summarize(const fairgate::metrics::group_accumulator& acc,
                         std::uint32_t replicates) {
  namespace fu = fairgate::uncertainty;
  summary out;
  std::vector<fairgate::metrics::confusion_counts> counts;
  for (std::uint32_t g = 0; g < acc.n_groups(); ++g) counts.push_back(acc.counts(g));
  auto dp = [](std::span<const fairgate::metrics::confusion_counts> c) {
    double hi = -1.0, lo = 2.0;
    for (const auto& x : c) {
      const double r = fu::rate_of(x, fu::rate::selection_rate);
      hi = r > hi ? r : hi;
      lo = r < lo ? r : lo;
    }
    return hi - lo;
  };
  const auto boot = fu::bootstrap_counts(counts, dp, {.seed = 7, .replicates = replicates});
  fairgate::fnv1a64 h;
  const auto bytes = fairgate::metrics::serialize(acc);
  h.update(std::span<const std::uint8_t>(bytes));
  auto put = [&h](double v) {
    std::uint64_t b = 0;
    static_assert(sizeof b == sizeof v);
    std::memcpy(&b, &v, sizeof b);
    h.update_u64(b);
  };
  for (const auto& c : counts) {
    out.selection_rate.push_back(fu::rate_of(c, fu::rate::selection_rate));
    put(out.selection_rate.back());
  }
  out.dp_difference = boot.estimate;
  out.dp_lower = boot.ci.lower;
  out.dp_upper = boot.ci.upper;
  put(boot.estimate);
  put(boot.ci.lower);
  put(boot.ci.upper);
  for (double v : boot.values) put(v);
  out.digest = h.value();
  return out;
}

}  // namespace synthetic
