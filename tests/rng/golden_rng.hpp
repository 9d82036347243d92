// Golden hashes of the RNG distributions: FNV-1a 64 over the little-endian
// bytes of the first draws (doubles/floats as their IEEE bit patterns) of
// every distribution under fixed stream keys. Shared by golden_rng.cpp (the
// program scripts/check-determinism builds with four toolchains) and
// test_golden.cpp (the unit test that pins the values).
#pragma once

#include <bit>
#include <cstdint>
#include <numeric>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <fairgate/digest.hpp>
#include <fairgate/rng/discrete.hpp>
#include <fairgate/rng/normal.hpp>
#include <fairgate/rng/permutation.hpp>
#include <fairgate/rng/split.hpp>
#include <fairgate/rng/stream.hpp>
#include <fairgate/rng/uniform.hpp>

namespace fairgate_golden {

using golden_line = std::pair<std::string, std::uint64_t>;

inline constexpr std::uint64_t golden_seed = 0x5eed'f00d'cafe'0001ULL;
inline constexpr std::size_t golden_draws = 1'000'000;

template <class Draw>
std::uint64_t hash_draws(std::uint32_t index, Draw draw) {
  fairgate::rng::stream s(golden_seed, fairgate::rng::purposes::test, index);
  fairgate::fnv1a64 h;
  for (std::size_t i = 0; i < golden_draws; ++i) draw(s, h);
  return h.value();
}

inline void put(fairgate::fnv1a64& h, double x) {
  h.update_u64(std::bit_cast<std::uint64_t>(x));
}
inline void put(fairgate::fnv1a64& h, float x) {
  h.update_u32(std::bit_cast<std::uint32_t>(x));
}

inline std::vector<golden_line> rng_golden_hashes() {
  namespace r = fairgate::rng;
  using fairgate::fnv1a64;
  using r::stream;
  std::vector<golden_line> out;
  out.emplace_back("rng.uniform_u32",
                   hash_draws(1, [](stream& s, fnv1a64& h) { h.update_u32(r::uniform_u32(s)); }));
  {  // Must equal rng.uniform_u32: same stream, bulk (AVX2 on x86-64 with AVX2, scalar on aarch64).
    stream s(golden_seed, r::purposes::test, 1);
    std::vector<std::uint32_t> v(golden_draws);
    r::fill_u32(s, v);
    fnv1a64 h;
    for (auto x : v) h.update_u32(x);
    out.emplace_back("rng.fill_u32", h.value());
  }
  out.emplace_back("rng.uniform_u64",
                   hash_draws(2, [](stream& s, fnv1a64& h) { h.update_u64(r::uniform_u64(s)); }));
  out.emplace_back("rng.uniform_double",
                   hash_draws(3, [](stream& s, fnv1a64& h) { put(h, r::uniform_double(s)); }));
  {  // Must equal rng.uniform_double: same stream, bulk path.
    stream s(golden_seed, r::purposes::test, 3);
    std::vector<double> v(golden_draws);
    r::fill_uniform_double(s, v);
    fnv1a64 h;
    for (double x : v) put(h, x);
    out.emplace_back("rng.fill_uniform_double", h.value());
  }
  // a + (b - a) * u: the canary for FMA contraction. Under -march=haswell (or
  // on aarch64) with contraction allowed, this hash changes; it must not,
  // because fairgate::core compiles consumers with -ffp-contract=off.
  out.emplace_back("rng.uniform_lerp", hash_draws(3, [](stream& s, fnv1a64& h) {
                     const double a = -3.7, b = 11.3;
                     put(h, a + (b - a) * r::uniform_double(s));
                   }));
  out.emplace_back("rng.uniform_float",
                   hash_draws(4, [](stream& s, fnv1a64& h) { put(h, r::uniform_float(s)); }));
  out.emplace_back("rng.bounded_u32.7", hash_draws(5, [](stream& s, fnv1a64& h) {
                     h.update_u32(r::bounded_u32(s, 7));
                   }));
  // 3 * 2^30 + 1: a quarter of the raw draws are rejected, exercising the loop.
  out.emplace_back("rng.bounded_u32.3x2^30+1", hash_draws(6, [](stream& s, fnv1a64& h) {
                     h.update_u32(r::bounded_u32(s, 0xC0000001u));
                   }));
  out.emplace_back("rng.bounded_u64.10^12+39", hash_draws(7, [](stream& s, fnv1a64& h) {
                     h.update_u64(r::bounded_u64(s, 1'000'000'000'039ULL));
                   }));
  out.emplace_back("rng.bounded_u64.3x2^62+1", hash_draws(8, [](stream& s, fnv1a64& h) {
                     h.update_u64(r::bounded_u64(s, 0xC000000000000001ULL));
                   }));
  out.emplace_back("rng.bernoulli.0.3", hash_draws(9, [](stream& s, fnv1a64& h) {
                     h.update_byte(r::bernoulli(s, 0.3) ? 1 : 0);
                   }));
  out.emplace_back("rng.poisson1",
                   hash_draws(10, [](stream& s, fnv1a64& h) { h.update_u32(r::poisson1(s)); }));
  const std::pair<const char*, double> lambdas[] = {
      {"rng.poisson.1", 1.0},     {"rng.poisson.3.7", 3.7}, {"rng.poisson.10", 10.0},
      {"rng.poisson.100", 100.0}, {"rng.poisson.1e6", 1e6}, {"rng.poisson.1e12", 1e12}};
  std::uint32_t index = 11;
  for (const auto& [name, lambda] : lambdas) {
    out.emplace_back(name, hash_draws(index++, [lambda = lambda](stream& s, fnv1a64& h) {
                       h.update_u64(r::poisson(s, lambda));
                     }));
  }
  out.emplace_back("rng.normal",
                   hash_draws(20, [](stream& s, fnv1a64& h) { put(h, r::normal(s)); }));
  {  // 1000 shuffles of 0..999 (10^6 values).
    stream s(golden_seed, r::purposes::test, 21);
    fnv1a64 h;
    std::vector<std::uint32_t> v(1000);
    for (int rep = 0; rep < 1000; ++rep) {
      std::iota(v.begin(), v.end(), 0u);
      r::shuffle(s, v);
      for (auto x : v) h.update_u32(x);
    }
    out.emplace_back("rng.shuffle", h.value());
  }
  {  // Floyd's branch: 1000 x (1000 of 10^12); selection branch: 2000 x (500 of 1000).
    stream s(golden_seed, r::purposes::test, 22);
    fnv1a64 h;
    for (int rep = 0; rep < 1000; ++rep)
      for (auto x : r::sample_without_replacement(s, 1'000'000'000'000ULL, 1000)) h.update_u64(x);
    out.emplace_back("rng.sample_without_replacement.floyd", h.value());
    fnv1a64 h2;
    for (int rep = 0; rep < 2000; ++rep)
      for (auto x : r::sample_without_replacement(s, 1000, 500)) h2.update_u64(x);
    out.emplace_back("rng.sample_without_replacement.selection", h2.value());
  }
  {  // 10^6 rows in 8 strata of unequal sizes.
    std::vector<std::uint32_t> strata(golden_draws);
    std::vector<std::uint64_t> ids(golden_draws);
    for (std::size_t i = 0; i < strata.size(); ++i) {
      strata[i] = static_cast<std::uint32_t>((i * i + 3 * i) % 11 % 8);
      ids[i] = 1'000'003ULL * i + 17;
    }
    const double fractions[] = {0.7, 0.15, 0.15};
    const auto hash_parts = [](const r::split_assignment& a) {
      fnv1a64 h;
      for (auto p : a.part) h.update_u32(p);
      return h.value();
    };
    out.emplace_back("rng.stratified_split",
                     hash_parts(r::stratified_split(strata, fractions, golden_seed, 23)));
    out.emplace_back("rng.stratified_split_by_id", hash_parts(r::stratified_split_by_id(
                                                       strata, ids, fractions, golden_seed, 24)));
    out.emplace_back("rng.stratified_kfold.5",
                     hash_parts(r::stratified_kfold(strata, 5, golden_seed, 25)));
  }
  return out;
}

}  // namespace fairgate_golden
