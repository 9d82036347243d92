// Uniform integers and floats, bounded integers and Bernoulli draws.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include <fairgate/error.hpp>
#include <fairgate/rng/discrete.hpp>
#include <fairgate/rng/uniform.hpp>

#include "chi_square.hpp"

namespace r = fairgate::rng;
using fairgate_test::chi2_critical;
using fairgate_test::chi2_statistic;
using r::stream;

namespace {
// The stream whose block 0 is Random123's first known-answer vector:
// key {0, 0}, counter {0, 0, 0, 0} -> 6627e8d5 e169c58d bc57ac4c 9b00dbd8.
stream kat_stream() {
  return stream(r::stream_key{0, 0, 0});
}
}  // namespace

TEST_CASE("uniform_u64 and uniform_double of the KAT block are computed by hand") {
  auto s = kat_stream();
  // u64 = word1:word0 = 0xe169c58d6627e8d5.
  CHECK(r::uniform_u64(s) == 0xe169c58d6627e8d5ULL);
  // >> 11 = 0x1c2d38b1acc4fd (53 bits); times 2^-53 = 0x1.c2d38b1acc4fdp-1 (~0.88052).
  s.seek(0);
  CHECK(r::uniform_double(s) == 0x1.c2d38b1acc4fdp-1);
  // Words 2,3: 0x9b00dbd8bc57ac4c >> 11 = 0x13601b7b178af5 = 5453695703026421, a 53-bit
  // integer, so times 2^-53 it is 0x1.3601b7b178af5p-1 (~0.60549).
  CHECK(r::uniform_double(s) == 0x1.3601b7b178af5p-1);
}

TEST_CASE("uniform_float of the KAT word is its top 24 bits times 2^-24") {
  auto s = kat_stream();
  // 0x6627e8d5 >> 8 = 0x6627e8 = 6694888.
  CHECK(r::uniform_float(s) == 6694888.0f * 0x1p-24f);
}

TEST_CASE("uniform_double stays in [0, 1) and open0 in (0, 1]") {
  stream s(11, r::purposes::test);
  for (int i = 0; i < 100000; ++i) {
    const double u = r::uniform_double(s);
    REQUIRE((u >= 0.0 && u < 1.0));
    const double v = r::uniform_double_open0(s);
    REQUIRE((v > 0.0 && v <= 1.0));
  }
}

TEST_CASE("uniform_double passes a 100-bin chi-square test") {
  stream s(12, r::purposes::test);
  std::vector<std::uint64_t> bins(100, 0);
  const int n = 1'000'000;
  for (int i = 0; i < n; ++i) ++bins[static_cast<std::size_t>(r::uniform_double(s) * 100.0)];
  const std::vector<double> expected(100, n / 100.0);
  CHECK(chi2_statistic(bins, expected) < chi2_critical(99));
}

TEST_CASE("fill_uniform_double equals repeated uniform_double at any start and length") {
  for (std::uint64_t start : {0u, 1u, 2u, 3u, 4u, 6u}) {
    for (std::size_t len : {0u, 1u, 2u, 3u, 7u, 64u, 101u, 513u, 1200u}) {
      stream a(13, r::purposes::test), b(13, r::purposes::test);
      a.seek(start);
      b.seek(start);
      std::vector<double> bulk(len);
      r::fill_uniform_double(a, bulk);
      for (std::size_t i = 0; i < len; ++i) REQUIRE(bulk[i] == r::uniform_double(b));
      CHECK(a.position() == b.position());
      CHECK(r::uniform_u32(a) == r::uniform_u32(b));
    }
  }
}

TEST_CASE("bounded_u32 of the KAT word is the high half of word * n") {
  auto s = kat_stream();
  // 0x6627e8d5 = 1713891541; * 7 = 11997240787: high word = floor(11997240787 / 2^32) = 2;
  // low word = 11997240787 - 2 * 2^32 = 3407306195 >= 2^32 mod 7 = 4, so no rejection.
  CHECK(r::bounded_u32(s, 7) == 2u);
  CHECK(s.position() == 1u);
}

TEST_CASE("bounded_u32 with n = 7 passes a chi-square test") {
  stream s(14, r::purposes::test);
  std::vector<std::uint64_t> bins(7, 0);
  const int n = 700'000;
  for (int i = 0; i < n; ++i) {
    const auto x = r::bounded_u32(s, 7);
    REQUIRE(x < 7u);
    ++bins[x];
  }
  const std::vector<double> expected(7, n / 7.0);
  CHECK(chi2_statistic(bins, expected) < chi2_critical(6));
}

TEST_CASE("bounded_u32 with n = 3*2^30+1 shows no bias in high or low bits") {
  // Without rejection, the outputs below 2^30 would be twice as likely as
  // the rest (2^32 = n + (2^30 - 1)), and x mod 3 would be skewed too.
  const std::uint32_t big = 0xC0000001u;
  stream s(15, r::purposes::test);
  std::vector<std::uint64_t> high(3, 0), mod3(3, 0);
  const int n = 600'000;
  for (int i = 0; i < n; ++i) {
    const auto x = r::bounded_u32(s, big);
    REQUIRE(x < big);
    ++high[x < 0x40000000u ? 0 : x < 0x80000000u ? 1 : 2];
    ++mod3[x % 3];
  }
  // [0, 2^30), [2^30, 2^31), [2^31, n): 2^30, 2^30, 2^30 + 1 values of n.
  const double nd = static_cast<double>(big);
  const std::vector<double> expected_high = {n * (0x1p30 / nd), n * (0x1p30 / nd),
                                             n * ((0x1p30 + 1) / nd)};
  CHECK(chi2_statistic(high, expected_high) < chi2_critical(2));
  // Residues 0, 1, 2 occur 2^30 + 1, 2^30, 2^30 times.
  const std::vector<double> expected_mod3 = {n * ((0x1p30 + 1) / nd), n * (0x1p30 / nd),
                                             n * (0x1p30 / nd)};
  CHECK(chi2_statistic(mod3, expected_mod3) < chi2_critical(2));
}

TEST_CASE("bounded_u64 stays below n and is unbiased for n = 3*2^62+1") {
  const std::uint64_t big = 0xC000000000000001ULL;
  stream s(16, r::purposes::test);
  std::vector<std::uint64_t> high(3, 0);
  const int n = 600'000;
  for (int i = 0; i < n; ++i) {
    const auto x = r::bounded_u64(s, big);
    REQUIRE(x < big);
    ++high[x < (1ULL << 62) ? 0 : x < (1ULL << 63) ? 1 : 2];
  }
  const std::vector<double> expected(3, n / 3.0);  // 2^62, 2^62, 2^62 + 1 values
  CHECK(chi2_statistic(high, expected) < chi2_critical(2));
  stream t(17, r::purposes::test);
  for (int i = 0; i < 1000; ++i) REQUIRE(r::bounded_u64(t, 1) == 0u);
}

TEST_CASE("bounded draws with n = 0 are refused") {
  stream s(18, r::purposes::test);
  CHECK_THROWS_AS(r::bounded_u32(s, 0), fairgate::error);
  CHECK_THROWS_AS(r::bounded_u64(s, 0), fairgate::error);
  try {
    r::bounded_u64(s, 0);
  } catch (const fairgate::error& e) {
    CHECK(e.code() == fairgate::errc::invalid_argument);
  }
}

TEST_CASE("bernoulli compares the 53-bit draw of the KAT block with ceil(p 2^53)") {
  // The KAT draw is 0x1c2d38b1acc4fd * 2^-53 = 0.880520197888614...
  auto s = kat_stream();
  CHECK(r::bernoulli(s, 0.9));
  s.seek(0);
  CHECK_FALSE(r::bernoulli(s, 0.88));
  s.seek(0);
  CHECK_FALSE(r::bernoulli(s, 0x1c2d38b1acc4fd * 0x1p-53));  // equal is not below
  s.seek(0);
  CHECK(r::bernoulli(s, (0x1c2d38b1acc4fd + 1) * 0x1p-53));
}

TEST_CASE("bernoulli with p = 0 is never true and with p = 1 always, and both draw") {
  stream s(19, r::purposes::test);
  for (int i = 0; i < 10000; ++i) {
    REQUIRE_FALSE(r::bernoulli(s, 0.0));
    REQUIRE(r::bernoulli(s, 1.0));
  }
  CHECK(s.position() == 40000u);
}

TEST_CASE("bernoulli proportions match p within 5 standard errors") {
  for (double p : {1e-3, 0.3, 0.5, 0.97}) {
    stream s(20, r::purposes::test, static_cast<std::uint32_t>(p * 1000));
    const int n = 400'000;
    int hits = 0;
    for (int i = 0; i < n; ++i) hits += r::bernoulli(s, p) ? 1 : 0;
    const double se = std::sqrt(p * (1 - p) / n);
    INFO("p = " << p << ", proportion = " << hits / double(n));
    CHECK(std::fabs(hits / double(n) - p) < 5 * se);
  }
}

TEST_CASE("bernoulli refuses p outside [0, 1] and NaN") {
  stream s(21, r::purposes::test);
  CHECK_THROWS_AS(r::bernoulli(s, -0.1), fairgate::error);
  CHECK_THROWS_AS(r::bernoulli(s, 1.5), fairgate::error);
  CHECK_THROWS_AS(r::bernoulli(s, std::numeric_limits<double>::quiet_NaN()), fairgate::error);
  CHECK_THROWS_WITH(r::bernoulli(s, 2.0), Catch::Contains("not in [0, 1]"));
}
