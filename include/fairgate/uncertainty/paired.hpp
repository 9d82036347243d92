// fairgate/uncertainty/paired.hpp: the joint confusion table of two models on the same rows.
//
//   fairgate::uncertainty::paired_inputs in{y, baseline_pred, candidate_pred, groups, 8};
//   std::vector<fairgate::uncertainty::paired_cells> t = fairgate::uncertainty::paired_tables(in);
//   auto base = t[g].baseline();  auto cand = t[g].candidate();   // per-group confusion
//
// A compression step is judged by comparing the baseline model (A) and the
// compressed candidate (B) on the SAME rows. Per group, each row falls in one
// of 8 joint cells (label y, prediction of A, prediction of B). Those cells
// are sufficient for everything paired: both models' confusion tables, the
// McNemar discordant pairs, and the paired bootstrap (mcnemar.hpp,
// bootstrap.hpp). Counts are exact integers, so tables from shards merge by
// addition, in any order.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/metrics/confusion.hpp>
#include <fairgate/metrics/inputs.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace uncertainty {

// n[y*4 + a*2 + b] = rows with label y, baseline prediction a, candidate prediction b.
struct paired_cells {
  std::array<std::uint64_t, 8> n{};

  static constexpr std::size_t index(unsigned y, unsigned a, unsigned b) noexcept {
    return static_cast<std::size_t>(y * 4u + a * 2u + b);
  }
  [[nodiscard]] constexpr std::uint64_t at(unsigned y, unsigned a, unsigned b) const noexcept {
    return n[index(y, a, b)];
  }
  [[nodiscard]] constexpr std::uint64_t total() const noexcept {
    std::uint64_t t = 0;
    for (std::uint64_t v : n) t += v;
    return t;
  }
  // Confusion table of the baseline (A) / the candidate (B): marginals of the joint cells.
  [[nodiscard]] constexpr metrics::confusion_counts baseline() const noexcept {
    metrics::confusion_counts c;
    c.tp = at(1, 1, 0) + at(1, 1, 1);
    c.fn = at(1, 0, 0) + at(1, 0, 1);
    c.fp = at(0, 1, 0) + at(0, 1, 1);
    c.tn = at(0, 0, 0) + at(0, 0, 1);
    return c;
  }
  [[nodiscard]] constexpr metrics::confusion_counts candidate() const noexcept {
    metrics::confusion_counts c;
    c.tp = at(1, 0, 1) + at(1, 1, 1);
    c.fn = at(1, 0, 0) + at(1, 1, 0);
    c.fp = at(0, 0, 1) + at(0, 1, 1);
    c.tn = at(0, 0, 0) + at(0, 1, 0);
    return c;
  }
  // McNemar's discordant pairs (correct = prediction equals the label):
  //   b = baseline correct and candidate wrong   (rows the compression broke)
  //   c = baseline wrong and candidate correct   (rows the compression fixed)
  [[nodiscard]] constexpr std::uint64_t baseline_only_correct() const noexcept {
    return at(1, 1, 0) + at(0, 0, 1);
  }
  [[nodiscard]] constexpr std::uint64_t candidate_only_correct() const noexcept {
    return at(1, 0, 1) + at(0, 1, 0);
  }

  constexpr paired_cells& operator+=(const paired_cells& o) noexcept {
    for (std::size_t i = 0; i < n.size(); ++i) n[i] += o.n[i];
    return *this;
  }
  friend constexpr bool operator==(const paired_cells&, const paired_cells&) = default;
};

// Row inputs of a paired comparison. Predictions are hard labels or scores
// with a threshold (y_pred = 1 iff score >= threshold, as metrics/inputs.hpp).
struct paired_inputs {
  metrics::label_view y_true;
  metrics::prediction_view baseline;
  metrics::prediction_view candidate;
  metrics::code_view groups;
  std::uint32_t n_groups = 1;
};

namespace detail {

inline unsigned paired_prediction(const metrics::prediction_view& p, std::size_t i,
                                  const char* which) {
  if (p.from_scores) {
    const double s = p.score.at(i);
    require(!std::isnan(s), errc::invalid_value,
            [&] { return std::string(which) + " scores[" + std::to_string(i) + "] is NaN"; });
    return s >= p.threshold ? 1u : 0u;
  }
  const std::int64_t v = p.labels.at(i);
  require(v == 0 || v == 1, errc::out_of_range, [&] {
    return std::string(which) + " y_pred[" + std::to_string(i) + "] = " + std::to_string(v) +
           ": predictions must be 0 or 1";
  });
  return static_cast<unsigned>(v);
}

}  // namespace detail

// Adds rows [0, size) of `in` to `tables` (size n_groups). Validation names
// the first bad row: label or prediction outside {0,1}, NaN score, group code
// >= n_groups, length mismatch, NaN threshold.
inline void accumulate_paired(std::vector<paired_cells>& tables, const paired_inputs& in) {
  require(in.n_groups > 0, errc::invalid_argument, "paired_tables: n_groups = 0");
  require(tables.size() == in.n_groups, errc::length_mismatch, [&] {
    return "paired_tables: " + std::to_string(tables.size()) +
           " tables for n_groups = " + std::to_string(in.n_groups);
  });
  const std::size_t n = in.y_true.size;
  const auto check_len = [&](std::size_t m, const char* what) {
    require(m == n, errc::length_mismatch, [&] {
      return std::string("paired_tables: ") + what + " has " + std::to_string(m) +
             " rows, y_true has " + std::to_string(n);
    });
  };
  check_len(in.baseline.size(), "baseline");
  check_len(in.candidate.size(), "candidate");
  check_len(in.groups.size, "groups");
  require(!(in.baseline.from_scores && std::isnan(in.baseline.threshold)) &&
              !(in.candidate.from_scores && std::isnan(in.candidate.threshold)),
          errc::invalid_argument, "paired_tables: threshold is NaN");
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t y = in.y_true.at(i);
    require(y == 0 || y == 1, errc::out_of_range, [&] {
      return "paired_tables: labels[" + std::to_string(i) + "] = " + std::to_string(y) +
             ": labels must be 0 or 1";
    });
    const std::uint64_t g = in.groups.at(i);
    require(g < in.n_groups, errc::out_of_range, [&] {
      return "paired_tables: groups[" + std::to_string(i) + "] = " + std::to_string(g) +
             ": group codes must be < n_groups = " + std::to_string(in.n_groups);
    });
    const unsigned a = detail::paired_prediction(in.baseline, i, "paired_tables: baseline");
    const unsigned b = detail::paired_prediction(in.candidate, i, "paired_tables: candidate");
    ++tables[static_cast<std::size_t>(g)].n[paired_cells::index(static_cast<unsigned>(y), a, b)];
  }
}

// One table per group, from rows.
inline std::vector<paired_cells> paired_tables(const paired_inputs& in) {
  std::vector<paired_cells> t(in.n_groups);
  accumulate_paired(t, in);
  return t;
}

}  // namespace uncertainty

FAIRGATE_END_NAMESPACE
