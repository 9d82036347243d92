// fairgate/rng/permutation.hpp: shuffles and samples without replacement.
//
//   std::vector<int> v = {...};
//   fairgate::rng::shuffle(s, std::span<int>(v));                  // in place
//   auto rows = fairgate::rng::sample_without_replacement(s, 1'000'000, 100);  // sorted
//
// Both are defined by the exact sequence of bounded_u64 draws documented
// below, so the results are the same on every target.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/rng/stream.hpp>
#include <fairgate/rng/uniform.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace rng {

// Fisher-Yates (Durstenfeld 1964; Knuth TAOCP 2, Algorithm 3.4.2P): for
// i = n-1 down to 1, j = bounded_u64(s, i + 1), swap(items[i], items[j]).
// Every permutation has probability exactly 1/n!. Consumes 2 words per step
// (plus rejections). Uses ADL swap, so types with their own swap work.
template <class T>
void shuffle(stream& s, std::span<T> items) {
  for (std::size_t i = items.size(); i > 1; --i) {
    const auto j = static_cast<std::size_t>(bounded_u64(s, i));
    using std::swap;
    swap(items[i - 1], items[j]);
  }
}

template <class T, class Alloc>
void shuffle(stream& s, std::vector<T, Alloc>& items) {
  shuffle(s, std::span<T>(items));
}

// k distinct values of [0, n), uniformly among all k-subsets, returned sorted
// ascending (the order is not random; shuffle the result if you need one).
// The method, and so the exact values for a given stream, depends on k/n:
//   16 k <= n: Floyd's algorithm (Bentley & Floyd, CACM 30(9), 1987): for
//              j = n-k .. n-1, t = bounded_u64(s, j + 1); take t, or j if t
//              was already taken. O(k) draws and memory, any n up to 2^64-1.
//              The hash set is only queried, never iterated, so the result
//              does not depend on the standard library's hashing.
//   16 k > n:  selection sampling (Knuth TAOCP 2, Algorithm 3.4.2S): visit
//              i = 0 .. n-1 and take i if bounded_u64(s, n - i) < k - taken,
//              stopping once k are taken. O(n) draws, output already sorted.
// k > n throws errc::invalid_argument; k = 0 returns {} without drawing.
inline std::vector<std::uint64_t> sample_without_replacement(stream& s, std::uint64_t n,
                                                             std::uint64_t k) {
  require(k <= n, errc::invalid_argument, [&] {
    return "sample_without_replacement: k = " + std::to_string(k) +
           " is larger than the population n = " + std::to_string(n);
  });
  std::vector<std::uint64_t> out;
  if (k == 0) return out;
  out.reserve(static_cast<std::size_t>(k));
  if (k <= n / 16) {
    std::unordered_set<std::uint64_t> taken;
    taken.reserve(static_cast<std::size_t>(2 * k));
    for (std::uint64_t j = n - k; j < n; ++j) {
      const std::uint64_t t = bounded_u64(s, j + 1);
      const std::uint64_t pick = taken.insert(t).second ? t : j;
      if (pick == j) taken.insert(j);
      out.push_back(pick);
    }
    std::sort(out.begin(), out.end());
  } else {
    for (std::uint64_t i = 0; out.size() < k; ++i) {
      if (bounded_u64(s, n - i) < k - out.size()) out.push_back(i);
    }
  }
  return out;
}

}  // namespace rng

FAIRGATE_END_NAMESPACE
