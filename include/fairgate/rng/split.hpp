// fairgate/rng/split.hpp: stratified train/valid/test splits and k-fold assignment.
//
//   // strata[i] = the caller's cell id of row i, e.g. group * 2 + label
//   const double fractions[] = {0.7, 0.15, 0.15};
//   auto split = fairgate::rng::stratified_split(strata, fractions, seed);
//   // split.part[i] is 0 (train), 1 (valid) or 2 (test); split.part_size[p] rows each
//
// Counts are exact within every stratum (largest-remainder allocation, below);
// which rows go where is decided by a keyed random permutation of the
// stratum, so the result is a pure function of (strata, fractions, seed, index).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/rng/permutation.hpp>
#include <fairgate/rng/stream.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace rng {

// part[i] is the part (0-based index into the fractions, or the fold) of row i.
struct split_assignment {
  std::vector<std::uint32_t> part;
  std::vector<std::uint64_t> part_size;  // rows per part, over all strata
};

// Hamilton's largest-remainder allocation of n items to parts with the given
// fractions: quota q_j = n * f_j (one double multiplication), each part gets
// floor(q_j), and the n - sum floor(q_j) items left over go one each to the
// parts with the largest remainders q_j - floor(q_j); equal remainders go to
// the lower part index first. Parts with f_j = 0 never get an item.
// Fractions must be finite, >= 0, and sum to 1 within 1e-9 (summed in index
// order); otherwise errc::invalid_argument. The result sums to n exactly.
inline std::vector<std::uint64_t> allocate_largest_remainder(std::uint64_t n,
                                                             std::span<const double> fractions) {
  require(!fractions.empty(), errc::invalid_argument, "fractions is empty: need at least one part");
  double total = 0.0;
  for (std::size_t j = 0; j < fractions.size(); ++j) {
    const double f = fractions[j];
    require(std::isfinite(f) && f >= 0.0, errc::invalid_argument, [&] {
      return "fractions[" + std::to_string(j) + "] = " + std::to_string(f) +
             ": fractions must be finite and >= 0";
    });
    total += f;
  }
  require(std::fabs(total - 1.0) <= 1e-9, errc::invalid_argument,
          [&] { return "fractions sum to " + std::to_string(total) + ": they must sum to 1"; });
  const std::size_t parts = fractions.size();
  std::vector<std::uint64_t> count(parts);
  std::vector<double> remainder(parts);
  std::uint64_t assigned = 0;
  const auto nd = static_cast<double>(n);
  for (std::size_t j = 0; j < parts; ++j) {
    const double q = nd * fractions[j];
    const double fl = std::floor(q);
    count[j] = static_cast<std::uint64_t>(fl);
    remainder[j] = q - fl;  // exact
    assigned += count[j];
  }
  // Parts in the order they receive left-over items.
  std::vector<std::size_t> order(parts);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return remainder[a] > remainder[b]; });
  // Rounding of q_j can only matter when n is near 2^53; keep the sum exact.
  while (assigned > n) {
    for (auto it = order.rbegin(); it != order.rend() && assigned > n; ++it) {
      if (count[*it] > 0) {
        --count[*it];
        --assigned;
      }
    }
  }
  while (assigned < n) {
    for (std::size_t j : order) {
      if (assigned == n) break;
      if (fractions[j] > 0.0) {
        ++count[j];
        ++assigned;
      }
    }
  }
  return count;
}

namespace detail {

// Rows grouped by stratum: row indices sorted by (stratum, row).
inline std::vector<std::size_t> rows_by_stratum(std::span<const std::uint32_t> strata) {
  std::vector<std::size_t> rows(strata.size());
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  std::stable_sort(rows.begin(), rows.end(),
                   [&](std::size_t a, std::size_t b) { return strata[a] < strata[b]; });
  return rows;
}

// Each stratum draws from its own 2^32-word window of the stream, so one
// stratum's size never shifts another's draws.
inline constexpr std::uint64_t max_stratum_rows = std::uint64_t{1} << 30;

inline void check_stratum_size(std::uint32_t stratum, std::size_t size) {
  require(size <= max_stratum_rows, errc::invalid_argument, [&] {
    return "stratum " + std::to_string(stratum) + " has " + std::to_string(size) +
           " rows: at most 2^30 rows per stratum are supported";
  });
}

}  // namespace detail

// Stratified split by row order. For each stratum (in ascending id order),
// counts come from allocate_largest_remainder(rows in stratum, fractions);
// the stratum's rows, listed in row order, are shuffled (rng::shuffle) with
// stream(seed, purposes::split, index) positioned at word stratum * 2^32, and
// the first count[0] shuffled rows get part 0, the next count[1] part 1, ...
// So the counts per stratum are exact, and each row's part is uniformly random
// subject to them. The assignment depends on row order; use
// stratified_split_by_id to make it depend on row ids instead.
// Errors: empty strata (errc::empty_input), bad fractions (see
// allocate_largest_remainder), a stratum above 2^30 rows.
inline split_assignment stratified_split(std::span<const std::uint32_t> strata,
                                         std::span<const double> fractions, std::uint64_t seed,
                                         std::uint32_t index = 0) {
  require(!strata.empty(), errc::empty_input, "stratified_split: no rows to split");
  (void)allocate_largest_remainder(0, fractions);  // validate before any work
  split_assignment out;
  out.part.assign(strata.size(), 0);
  out.part_size.assign(fractions.size(), 0);
  const std::vector<std::size_t> rows = detail::rows_by_stratum(strata);
  for (std::size_t begin = 0; begin < rows.size();) {
    const std::uint32_t stratum = strata[rows[begin]];
    std::size_t end = begin;
    while (end < rows.size() && strata[rows[end]] == stratum) ++end;
    detail::check_stratum_size(stratum, end - begin);
    std::vector<std::size_t> members(rows.begin() + static_cast<std::ptrdiff_t>(begin),
                                     rows.begin() + static_cast<std::ptrdiff_t>(end));
    stream s(seed, purposes::split, index);
    s.seek(static_cast<std::uint64_t>(stratum) << 32);
    shuffle(s, std::span<std::size_t>(members));
    const auto count = allocate_largest_remainder(members.size(), fractions);
    std::size_t pos = 0;
    for (std::size_t p = 0; p < count.size(); ++p) {
      for (std::uint64_t c = 0; c < count[p]; ++c)
        out.part[members[pos++]] = static_cast<std::uint32_t>(p);
      out.part_size[p] += count[p];
    }
    begin = end;
  }
  return out;
}

// Stratified split keyed by row ids: the same counts per stratum as
// stratified_split, but the rows of a stratum are ordered by
// (key(id), id) with key(id) = the 64-bit value formed by words 0 and 1 of
// block `id` of stream(seed, purposes::split, index) (word 0 in the low half),
// and the first count[0] of that order get part 0, and so on. A row's part
// therefore depends on its id and its stratum's size, not on row order:
// reordering the rows permutes the result with them. ids must be unique
// within a stratum (errc::invalid_argument) and as many as strata
// (errc::length_mismatch).
inline split_assignment stratified_split_by_id(std::span<const std::uint32_t> strata,
                                               std::span<const std::uint64_t> ids,
                                               std::span<const double> fractions,
                                               std::uint64_t seed, std::uint32_t index = 0) {
  require(ids.size() == strata.size(), errc::length_mismatch, [&] {
    return "stratified_split_by_id: " + std::to_string(ids.size()) + " ids for " +
           std::to_string(strata.size()) + " rows";
  });
  require(!strata.empty(), errc::empty_input, "stratified_split_by_id: no rows to split");
  (void)allocate_largest_remainder(0, fractions);
  const stream keys(seed, purposes::split, index);
  struct keyed_row {
    std::uint32_t stratum;
    std::uint64_t key;
    std::uint64_t id;
    std::size_t row;
  };
  std::vector<keyed_row> order(strata.size());
  for (std::size_t i = 0; i < strata.size(); ++i) {
    const philox_block b = keys.block(ids[i]);
    order[i] = {strata[i],
                static_cast<std::uint64_t>(b[0]) | (static_cast<std::uint64_t>(b[1]) << 32), ids[i],
                i};
  }
  std::sort(order.begin(), order.end(), [](const keyed_row& a, const keyed_row& b) {
    if (a.stratum != b.stratum) return a.stratum < b.stratum;
    if (a.key != b.key) return a.key < b.key;
    return a.id < b.id;
  });
  split_assignment out;
  out.part.assign(strata.size(), 0);
  out.part_size.assign(fractions.size(), 0);
  for (std::size_t begin = 0; begin < order.size();) {
    std::size_t end = begin;
    while (end < order.size() && order[end].stratum == order[begin].stratum) {
      if (end > begin) {
        require(order[end].id != order[end - 1].id, errc::invalid_argument, [&] {
          return "ids[" + std::to_string(order[end].row) + "] = " + std::to_string(order[end].id) +
                 " repeats ids[" + std::to_string(order[end - 1].row) + "] in stratum " +
                 std::to_string(order[end].stratum) + ": ids must be unique";
        });
      }
      ++end;
    }
    const auto count = allocate_largest_remainder(end - begin, fractions);
    std::size_t pos = begin;
    for (std::size_t p = 0; p < count.size(); ++p) {
      for (std::uint64_t c = 0; c < count[p]; ++c)
        out.part[order[pos++].row] = static_cast<std::uint32_t>(p);
      out.part_size[p] += count[p];
    }
    begin = end;
  }
  return out;
}

// Stratified k-fold assignment: part[i] is the fold (0..k-1) of row i. Each
// stratum (ascending id order) is shuffled as in stratified_split, but with
// stream(seed, purposes::kfold, index); its r-th shuffled row gets fold
// (r + offset) mod k, where offset = number of rows in the strata before it,
// mod k. So every stratum's folds differ in size by at most 1, and so do the
// total fold sizes. k = 0, k > number of rows, or empty input throw.
inline split_assignment stratified_kfold(std::span<const std::uint32_t> strata, std::uint32_t k,
                                         std::uint64_t seed, std::uint32_t index = 0) {
  require(!strata.empty(), errc::empty_input, "stratified_kfold: no rows to assign");
  require(k >= 1 && k <= strata.size(), errc::invalid_argument, [&] {
    return "stratified_kfold: k = " + std::to_string(k) + " folds for " +
           std::to_string(strata.size()) + " rows: need 1 <= k <= rows";
  });
  split_assignment out;
  out.part.assign(strata.size(), 0);
  out.part_size.assign(k, 0);
  const std::vector<std::size_t> rows = detail::rows_by_stratum(strata);
  std::uint64_t offset = 0;
  for (std::size_t begin = 0; begin < rows.size();) {
    const std::uint32_t stratum = strata[rows[begin]];
    std::size_t end = begin;
    while (end < rows.size() && strata[rows[end]] == stratum) ++end;
    detail::check_stratum_size(stratum, end - begin);
    std::vector<std::size_t> members(rows.begin() + static_cast<std::ptrdiff_t>(begin),
                                     rows.begin() + static_cast<std::ptrdiff_t>(end));
    stream s(seed, purposes::kfold, index);
    s.seek(static_cast<std::uint64_t>(stratum) << 32);
    shuffle(s, std::span<std::size_t>(members));
    for (std::size_t r = 0; r < members.size(); ++r) {
      const auto fold = static_cast<std::uint32_t>((r + offset) % k);
      out.part[members[r]] = fold;
      ++out.part_size[fold];
    }
    offset = (offset + members.size()) % k;
    begin = end;
  }
  return out;
}

}  // namespace rng

FAIRGATE_END_NAMESPACE
