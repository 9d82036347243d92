// Shuffles, sampling without replacement, stratified splits and k-fold.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <vector>

#include <fairgate/error.hpp>
#include <fairgate/rng/permutation.hpp>
#include <fairgate/rng/split.hpp>

#include "chi_square.hpp"

namespace r = fairgate::rng;
using fairgate_test::chi2_critical;
using fairgate_test::chi2_statistic;
using r::stream;

TEST_CASE("shuffle makes all 24 orders of 4 items equally likely") {
  stream s(40, r::purposes::test);
  std::map<std::vector<int>, std::uint64_t> seen;
  const int n = 240'000;
  for (int i = 0; i < n; ++i) {
    std::vector<int> v = {0, 1, 2, 3};
    r::shuffle(s, v);
    ++seen[v];
  }
  REQUIRE(seen.size() == 24u);
  std::vector<std::uint64_t> observed;
  for (const auto& [perm, c] : seen) observed.push_back(c);
  const std::vector<double> expected(24, n / 24.0);
  CHECK(chi2_statistic(observed, expected) < chi2_critical(23));
}

TEST_CASE("shuffle follows the documented Fisher-Yates draws") {
  // Reimplemented from the doc comment: i = n-1..1, j = bounded_u64(i + 1).
  stream a(41, r::purposes::test), b(41, r::purposes::test);
  std::vector<int> v(50), w(50);
  std::iota(v.begin(), v.end(), 0);
  std::iota(w.begin(), w.end(), 0);
  r::shuffle(a, v);
  for (std::size_t i = w.size(); i > 1; --i) std::swap(w[i - 1], w[r::bounded_u64(b, i)]);
  CHECK(v == w);
  CHECK(a.position() == b.position());
}

TEST_CASE("shuffle keeps the multiset of items and handles 0 and 1 items") {
  stream s(42, r::purposes::test);
  std::vector<int> v = {5, 5, 1, 9, 9, 9, -3};
  auto sorted = v;
  r::shuffle(s, v);
  std::sort(v.begin(), v.end());
  std::sort(sorted.begin(), sorted.end());
  CHECK(v == sorted);
  std::vector<int> empty, one = {7};
  r::shuffle(s, empty);
  r::shuffle(s, one);
  CHECK(one == std::vector<int>{7});
  CHECK(s.position() > 0u);
}

TEST_CASE("sample_without_replacement returns k sorted distinct values below n in both regimes") {
  stream s(43, r::purposes::test);
  for (auto [n, k] : {std::pair<std::uint64_t, std::uint64_t>{1'000'000'000'000ULL, 1000},
                      {1000, 1000},
                      {1000, 999},
                      {1000, 62},
                      {1000, 63},
                      {17, 1},
                      {~0ULL, 5},
                      {5, 0}}) {
    const auto out = r::sample_without_replacement(s, n, k);
    INFO("n = " << n << ", k = " << k);
    REQUIRE(out.size() == k);
    CHECK(std::adjacent_find(out.begin(), out.end(), std::greater_equal<>()) == out.end());
    if (!out.empty()) CHECK(out.back() < n);
  }
}

TEST_CASE("sample_without_replacement includes each item with probability k/n") {
  // Inclusion counts are not independent (they sum to k * reps), so their
  // Pearson statistic is (1 - k/n) chi2(n-1) under the null: the plain
  // chi2(n-1) quantile is a conservative bound.
  for (auto [n, k] : {std::pair<std::uint64_t, std::uint64_t>{20, 5}, {100, 3}}) {
    stream s(44, r::purposes::test, static_cast<std::uint32_t>(n));
    const int reps = 100'000;
    std::vector<std::uint64_t> count(n, 0);
    for (int i = 0; i < reps; ++i)
      for (auto x : r::sample_without_replacement(s, n, k)) ++count[x];
    const std::vector<double> expected(
        n, static_cast<double>(reps) * static_cast<double>(k) / static_cast<double>(n));
    INFO("n = " << n << ", k = " << k);
    CHECK(chi2_statistic(count, expected) < chi2_critical(n - 1));
  }
}

TEST_CASE("Floyd's branch makes every 2-subset of 32 equally likely") {
  stream s(45, r::purposes::test);
  std::vector<std::uint64_t> count(32 * 32, 0);
  const int reps = 496 * 60;
  for (int i = 0; i < reps; ++i) {
    const auto v = r::sample_without_replacement(s, 32, 2);  // 16 * 2 <= 32: Floyd
    ++count[v[0] * 32 + v[1]];
  }
  std::vector<std::uint64_t> observed;
  for (std::size_t a = 0; a < 32; ++a)
    for (std::size_t b = a + 1; b < 32; ++b) observed.push_back(count[a * 32 + b]);
  REQUIRE(observed.size() == 496u);
  const std::vector<double> expected(496, 60.0);
  CHECK(chi2_statistic(observed, expected) < chi2_critical(495));
}

TEST_CASE("sample_without_replacement refuses k > n") {
  stream s(46, r::purposes::test);
  CHECK_THROWS_AS(r::sample_without_replacement(s, 3, 4), fairgate::error);
  CHECK_THROWS_WITH(r::sample_without_replacement(s, 3, 4), Catch::Contains("k = 4"));
}

TEST_CASE("largest remainder allocation matches hand-computed cases") {
  using V = std::vector<std::uint64_t>;
  // 10 x {0.7, 0.15, 0.15}: quotas 7, 1.5, 1.5 -> 7, 1, 1 + one left over;
  // the tied remainders .5/.5 go to the lower index -> {7, 2, 1}.
  CHECK(r::allocate_largest_remainder(10, std::vector<double>{0.7, 0.15, 0.15}) == V{7, 2, 1});
  // 7 x {0.5, 0.5}: 3.5, 3.5 -> tie -> {4, 3}.
  CHECK(r::allocate_largest_remainder(7, std::vector<double>{0.5, 0.5}) == V{4, 3});
  // 1 x {0.2, 0.8}: 0.2, 0.8 -> floors 0, 0; the left-over goes to remainder 0.8.
  CHECK(r::allocate_largest_remainder(1, std::vector<double>{0.2, 0.8}) == V{0, 1});
  // 5 x {0, 1}: a zero fraction gets nothing.
  CHECK(r::allocate_largest_remainder(5, std::vector<double>{0.0, 1.0}) == V{0, 5});
  // 11 x {0.25, 0.25, 0.5}: 2.75, 2.75, 5.5 -> 2, 2, 5 + 2 left: remainders .75, .75 -> {3, 3, 5}.
  CHECK(r::allocate_largest_remainder(11, std::vector<double>{0.25, 0.25, 0.5}) == V{3, 3, 5});
  CHECK(r::allocate_largest_remainder(0, std::vector<double>{0.3, 0.7}) == V{0, 0});
}

TEST_CASE("largest remainder allocation always sums to n") {
  const std::vector<double> f = {0.1, 0.2, 0.3, 0.4};
  for (std::uint64_t n = 0; n < 2000; ++n) {
    const auto c = r::allocate_largest_remainder(n, f);
    REQUIRE(std::accumulate(c.begin(), c.end(), std::uint64_t{0}) == n);
    for (std::size_t j = 0; j < f.size(); ++j)
      REQUIRE(std::fabs(static_cast<double>(c[j]) - static_cast<double>(n) * f[j]) < 1.0);
  }
}

TEST_CASE("bad fractions are refused with the index at fault") {
  CHECK_THROWS_WITH(r::allocate_largest_remainder(5, std::vector<double>{0.5, -0.1, 0.6}),
                    Catch::Contains("fractions[1]"));
  CHECK_THROWS_WITH(r::allocate_largest_remainder(5, std::vector<double>{0.5, std::nan("")}),
                    Catch::Contains("fractions[1]"));
  CHECK_THROWS_WITH(r::allocate_largest_remainder(5, std::vector<double>{0.5, 0.4}),
                    Catch::Contains("sum"));
  CHECK_THROWS_AS(r::allocate_largest_remainder(5, std::vector<double>{}), fairgate::error);
}

namespace {
std::vector<std::uint32_t> test_strata(std::size_t n) {
  std::vector<std::uint32_t> strata(n);
  for (std::size_t i = 0; i < n; ++i)
    strata[i] = static_cast<std::uint32_t>((i * 7 + i / 3) % 5 * 1000);
  return strata;
}
}  // namespace

TEST_CASE("stratified_split gives every stratum exactly its largest-remainder counts") {
  const auto strata = test_strata(10'007);
  const std::vector<double> fractions = {0.7, 0.15, 0.15};
  std::vector<std::uint64_t> ids(strata.size());
  for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = 3 * i + 1;
  for (const auto& split : {r::stratified_split(strata, fractions, 7),
                            r::stratified_split_by_id(strata, ids, fractions, 7)}) {
    std::map<std::uint32_t, std::vector<std::uint64_t>> counts;
    std::map<std::uint32_t, std::uint64_t> sizes;
    for (std::size_t i = 0; i < strata.size(); ++i) {
      auto& c = counts[strata[i]];
      c.resize(3);
      ++c[split.part[i]];
      ++sizes[strata[i]];
    }
    std::vector<std::uint64_t> total(3, 0);
    for (const auto& [stratum, c] : counts) {
      INFO("stratum " << stratum);
      CHECK(c == r::allocate_largest_remainder(sizes[stratum], fractions));
      for (std::size_t p = 0; p < 3; ++p) total[p] += c[p];
    }
    CHECK(split.part_size == total);
  }
}

TEST_CASE("stratified_split puts each row in each part with its fraction's probability") {
  // One stratum of 10 rows, {0.7, 0.15, 0.15} -> counts {7, 2, 1}; over 3000
  // stream indices, row 0 lands in part p with probability count[p] / 10.
  const std::vector<std::uint32_t> strata(10, 4);
  const std::vector<double> fractions = {0.7, 0.15, 0.15};
  std::vector<std::uint64_t> observed(3, 0);
  const int reps = 3000;
  for (std::uint32_t idx = 0; idx < reps; ++idx)
    ++observed[r::stratified_split(strata, fractions, 99, idx).part[0]];
  const std::vector<double> expected = {reps * 0.7, reps * 0.2, reps * 0.1};
  CHECK(chi2_statistic(observed, expected) < chi2_critical(2));
}

TEST_CASE("stratified_split is a pure function of its inputs and changes with the seed") {
  const auto strata = test_strata(1000);
  const std::vector<double> fractions = {0.5, 0.5};
  const auto a = r::stratified_split(strata, fractions, 1);
  CHECK(a.part == r::stratified_split(strata, fractions, 1).part);
  CHECK(a.part != r::stratified_split(strata, fractions, 2).part);
  CHECK(a.part != r::stratified_split(strata, fractions, 1, 1).part);
}

TEST_CASE("a stratum's split does not depend on the other strata") {
  std::vector<std::uint32_t> strata = test_strata(1000);
  const std::vector<double> fractions = {0.6, 0.4};
  const auto before = r::stratified_split(strata, fractions, 5);
  // Remove every row of stratum 3000: the other strata keep their assignment.
  std::vector<std::uint32_t> kept;
  std::vector<std::uint32_t> expected;
  for (std::size_t i = 0; i < strata.size(); ++i) {
    if (strata[i] == 3000) continue;
    kept.push_back(strata[i]);
    expected.push_back(before.part[i]);
  }
  CHECK(r::stratified_split(kept, fractions, 5).part == expected);
}

TEST_CASE("stratified_split_by_id moves with the rows when they are reordered") {
  const auto strata = test_strata(2000);
  std::vector<std::uint64_t> ids(strata.size());
  for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = 1'000'000 + 13 * i;
  const std::vector<double> fractions = {0.8, 0.2};
  const auto a = r::stratified_split_by_id(strata, ids, fractions, 11);
  // Reverse the rows.
  std::vector<std::uint32_t> rs(strata.rbegin(), strata.rend());
  std::vector<std::uint64_t> rids(ids.rbegin(), ids.rend());
  const auto b = r::stratified_split_by_id(rs, rids, fractions, 11);
  for (std::size_t i = 0; i < strata.size(); ++i)
    REQUIRE(b.part[strata.size() - 1 - i] == a.part[i]);
}

TEST_CASE("stratified splits refuse empty input, mismatched ids and duplicate ids") {
  const std::vector<double> fractions = {0.5, 0.5};
  const std::vector<std::uint32_t> none;
  CHECK_THROWS_AS(r::stratified_split(none, fractions, 1), fairgate::error);
  const std::vector<std::uint32_t> strata = {0, 0, 1};
  CHECK_THROWS_AS(r::stratified_split_by_id(strata, std::vector<std::uint64_t>{1, 2}, fractions, 1),
                  fairgate::error);
  CHECK_THROWS_WITH(
      r::stratified_split_by_id(strata, std::vector<std::uint64_t>{5, 5, 6}, fractions, 1),
      Catch::Contains("ids must be unique"));
  CHECK_THROWS_AS(r::stratified_split(strata, std::vector<double>{0.9}, 1), fairgate::error);
}

TEST_CASE("stratified_kfold balances folds within each stratum and overall") {
  const auto strata = test_strata(1003);
  const std::uint32_t k = 5;
  const auto folds = r::stratified_kfold(strata, k, 21);
  std::map<std::uint32_t, std::vector<std::uint64_t>> per;
  for (std::size_t i = 0; i < strata.size(); ++i) {
    auto& c = per[strata[i]];
    c.resize(k);
    REQUIRE(folds.part[i] < k);
    ++c[folds.part[i]];
  }
  for (const auto& [stratum, c] : per) {
    INFO("stratum " << stratum);
    CHECK(*std::max_element(c.begin(), c.end()) - *std::min_element(c.begin(), c.end()) <= 1u);
  }
  const auto& sz = folds.part_size;
  CHECK(*std::max_element(sz.begin(), sz.end()) - *std::min_element(sz.begin(), sz.end()) <= 1u);
  CHECK(std::accumulate(sz.begin(), sz.end(), std::uint64_t{0}) == strata.size());
}

TEST_CASE("stratified_kfold refuses k = 0 and k above the row count") {
  const std::vector<std::uint32_t> strata = {0, 1, 0};
  CHECK_THROWS_AS(r::stratified_kfold(strata, 0, 1), fairgate::error);
  CHECK_THROWS_AS(r::stratified_kfold(strata, 4, 1), fairgate::error);
}
