// fairgate/rng/uniform.hpp: uniform integers and floats from a keyed stream.
//
//   fairgate::rng::stream s(seed, fairgate::rng::purposes::test);
//   double u = fairgate::rng::uniform_double(s);        // [0, 1), 53 random bits
//   std::uint32_t die = fairgate::rng::bounded_u32(s, 6);  // unbiased in [0, 6)
//
// Every conversion here is exact integer arithmetic followed by one exact
// scaling by a power of two, so the results are bit-identical on every
// compiler, optimisation level and CPU. Word consumption is part of the
// contract (documented per function) because golden hashes depend on it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/rng/philox_bulk.hpp>
#include <fairgate/rng/stream.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace rng {

// One 32-bit word.
inline std::uint32_t uniform_u32(stream& s) noexcept {
  return s.next_u32();
}

// Two words, the first in the low half (stream::next_u64).
inline std::uint64_t uniform_u64(stream& s) noexcept {
  return s.next_u64();
}

// Uniform on [0, 1) with 53 random bits: (u64 >> 11) * 2^-53. Every value is a
// multiple of 2^-53; 0 is possible, 1 is not. Consumes 2 words. The same
// convention as numpy's random_standard_uniform and Java's SplittableRandom.
inline double uniform_double(stream& s) noexcept {
  return static_cast<double>(s.next_u64() >> 11) * 0x1p-53;
}

// Uniform on [0, 1) with 24 random bits: (u32 >> 8) * 2^-24. Consumes 1 word.
inline float uniform_float(stream& s) noexcept {
  return static_cast<float>(s.next_u32() >> 8) * 0x1p-24f;
}

// Uniform on (0, 1] with 53 bits: ((u64 >> 11) + 1) * 2^-53, for log() of a
// uniform that must never see 0. Consumes 2 words.
inline double uniform_double_open0(stream& s) noexcept {
  return static_cast<double>((s.next_u64() >> 11) + 1) * 0x1p-53;
}

// Unbiased integer in [0, n): Lemire's multiply-shift with rejection
// (D. Lemire, "Fast Random Integer Generation in an Interval", ACM TOMACS
// 29(1), 2019, Algorithm 5). The high word of x*n is the result; draws whose
// low word is below 2^32 mod n are rejected, which removes the bias exactly.
// Consumes 1 word, plus 1 per rejection (probability < n / 2^32 per draw).
// n = 0 throws errc::invalid_argument.
inline std::uint32_t bounded_u32(stream& s, std::uint32_t n) {
  require(n != 0, errc::invalid_argument, "bounded_u32: n = 0, the range [0, n) is empty");
  std::uint64_t m = static_cast<std::uint64_t>(s.next_u32()) * n;
  auto low = static_cast<std::uint32_t>(m);
  if (low < n) [[unlikely]] {
    const std::uint32_t t = static_cast<std::uint32_t>(-n) % n;  // 2^32 mod n
    while (low < t) {
      m = static_cast<std::uint64_t>(s.next_u32()) * n;
      low = static_cast<std::uint32_t>(m);
    }
  }
  return static_cast<std::uint32_t>(m >> 32);
}

// The 64-bit version of bounded_u32 (same algorithm on 128-bit products).
// Consumes 2 words, plus 2 per rejection (probability < n / 2^64 per draw).
// n = 0 throws errc::invalid_argument.
inline std::uint64_t bounded_u64(stream& s, std::uint64_t n) {
  require(n != 0, errc::invalid_argument, "bounded_u64: n = 0, the range [0, n) is empty");
  __extension__ using u128 = unsigned __int128;
  u128 m = static_cast<u128>(s.next_u64()) * n;
  auto low = static_cast<std::uint64_t>(m);
  if (low < n) [[unlikely]] {
    const std::uint64_t t = (0 - n) % n;  // 2^64 mod n
    while (low < t) {
      m = static_cast<u128>(s.next_u64()) * n;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

namespace detail {
inline philox_key philox_key_of(const stream& s) noexcept {
  return {static_cast<std::uint32_t>(s.key().seed), static_cast<std::uint32_t>(s.key().seed >> 32)};
}
// Blocks generated per bulk step (4 KiB of words on the stack).
inline constexpr std::size_t bulk_blocks = 256;
}  // namespace detail

// Bulk uniform_u32: fills `out` with exactly the words that out.size()
// successive uniform_u32(s) calls would return and advances s by as many,
// generating whole Philox blocks at a time (philox4x32_10_blocks: AVX2 when
// the CPU has it; the bits are the same either way).
inline void fill_u32(stream& s, std::span<std::uint32_t> out) noexcept {
  std::size_t i = 0;
  const std::size_t n = out.size();
  while (i < n && (s.position() & 3u) != 0) out[i++] = s.next_u32();
  const std::size_t blocks = (n - i) / 4;
  if (blocks > 0) {
    const std::uint64_t first = s.position() >> 2;
    philox4x32_10_blocks(first, s.key().purpose_tag, s.key().index, detail::philox_key_of(s),
                         blocks, out.data() + i);
    i += 4 * blocks;
    s.skip(4 * static_cast<std::uint64_t>(blocks));
  }
  while (i < n) out[i++] = s.next_u32();
}

// Bulk uniform_double: fills `out` with exactly the values that out.size()
// successive uniform_double(s) calls would return and advances s exactly as
// they would, but generates whole Philox blocks at a time (2 doubles per
// block; an odd start position falls back to the per-call loop).
inline void fill_uniform_double(stream& s, std::span<double> out) noexcept {
  std::size_t i = 0;
  const std::size_t n = out.size();
  if ((s.position() & 1u) != 0) {  // odd position: pairs straddle blocks forever
    for (; i < n; ++i) out[i] = uniform_double(s);
    return;
  }
  if (i < n && (s.position() & 3u) == 2) out[i++] = uniform_double(s);  // align to a block
  std::uint32_t words[4 * detail::bulk_blocks];
  const philox_key key = detail::philox_key_of(s);
  while (n - i >= 2) {
    const std::size_t blocks = std::min((n - i) / 2, detail::bulk_blocks);
    philox4x32_10_blocks(s.position() >> 2, s.key().purpose_tag, s.key().index, key, blocks, words);
    for (std::size_t w = 0; w < 4 * blocks; w += 2, ++i) {
      const std::uint64_t x =
          static_cast<std::uint64_t>(words[w]) | (static_cast<std::uint64_t>(words[w + 1]) << 32);
      out[i] = static_cast<double>(x >> 11) * 0x1p-53;
    }
    s.skip(4 * static_cast<std::uint64_t>(blocks));
  }
  if (i < n) out[i] = uniform_double(s);
}

}  // namespace rng

FAIRGATE_END_NAMESPACE
