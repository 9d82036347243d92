// fairgate/rng/stream.hpp: keyed, counter-based random streams.
//
//   auto s = fairgate::rng::stream(seed, fairgate::rng::purposes::bootstrap, replicate);
//   std::uint32_t bits = s.next_u32();
//   s.seek(1'000'000);  // O(1) jump to any position
//
// A stream is identified by (root seed, purpose, index) and is a pure function
// of that identity and the position: drawing from one stream never changes
// another, and any chunk of a stream can be produced by any thread.
//
// Layout (documented and fixed; changing it changes every golden hash):
//   Philox key     = { low32(seed), high32(seed) }
//   Philox counter = { low32(block), high32(block), purpose.tag, index }
//   block          = position / 4, lane = position % 4  (position counts 32-bit words)
// Two streams with different (purpose.tag, index) use disjoint counter sets,
// so they can never overlap, whatever their lengths (up to 2^66 words each).
#pragma once

#include <cstdint>
#include <string_view>

#include <fairgate/config.hpp>
#include <fairgate/rng/philox.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace rng {

// FNV-1a, 32-bit: a documented, fixed map from a purpose name to its tag.
constexpr std::uint32_t purpose_tag(std::string_view name) noexcept {
  std::uint32_t h = 2166136261u;
  for (char c : name) {
    h ^= static_cast<std::uint8_t>(c);
    h *= 16777619u;
  }
  return h;
}

// What a stream is for. The tag enters the Philox counter; the name is kept
// for manifests and error messages.
struct purpose {
  std::string_view name;
  std::uint32_t tag;

  constexpr explicit purpose(std::string_view n) noexcept : name(n), tag(purpose_tag(n)) {}
  friend constexpr bool operator==(const purpose& a, const purpose& b) noexcept {
    return a.tag == b.tag;
  }
};

// The purposes fairgate itself draws for. Hosts may define their own with
// purpose("my.thing"); tags are 32-bit hashes, so keep names distinct.
namespace purposes {
inline constexpr purpose split{"split"};
inline constexpr purpose kfold{"split.kfold"};
inline constexpr purpose bootstrap{"bootstrap"};
inline constexpr purpose prune_random{"prune.random"};
inline constexpr purpose quant_stochastic{"quant.stochastic"};
inline constexpr purpose init{"train.init"};
inline constexpr purpose minibatch{"train.minibatch"};
inline constexpr purpose randomized_predict{"mitigate.randomized_predict"};
inline constexpr purpose test{"test"};
}  // namespace purposes

// The identity of a stream; plain data, so manifests can record it.
struct stream_key {
  std::uint64_t seed = 0;
  std::uint32_t purpose_tag = 0;
  std::uint32_t index = 0;

  friend constexpr bool operator==(const stream_key&, const stream_key&) noexcept = default;
};

class stream {
 public:
  constexpr explicit stream(stream_key key) noexcept : key_(key) {}
  constexpr stream(std::uint64_t seed, purpose p, std::uint32_t index = 0) noexcept
      : key_{seed, p.tag, index} {}

  [[nodiscard]] constexpr const stream_key& key() const noexcept { return key_; }

  // Position = number of 32-bit words drawn so far.
  [[nodiscard]] constexpr std::uint64_t position() const noexcept { return position_; }
  constexpr void seek(std::uint64_t position) noexcept { position_ = position; }
  constexpr void skip(std::uint64_t words) noexcept { position_ += words; }

  // Random access to the 4 words of a block; pure, thread-safe.
  [[nodiscard]] philox_block block(std::uint64_t block_index) const noexcept {
    const philox_counter counter = {static_cast<std::uint32_t>(block_index),
                                    static_cast<std::uint32_t>(block_index >> 32), key_.purpose_tag,
                                    key_.index};
    const philox_key k = {static_cast<std::uint32_t>(key_.seed),
                          static_cast<std::uint32_t>(key_.seed >> 32)};
    return philox4x32_10(counter, k);
  }

  // The word at `position`, without moving the stream.
  [[nodiscard]] std::uint32_t word_at(std::uint64_t position) const noexcept {
    return block(position >> 2)[position & 3u];
  }

  std::uint32_t next_u32() noexcept {
    const std::uint64_t b = position_ >> 2;
    if (b != cached_block_ || !cache_valid_) {
      cache_ = block(b);
      cached_block_ = b;
      cache_valid_ = true;
    }
    return cache_[position_++ & 3u];
  }

  // Two consecutive words, the first one in the low half.
  std::uint64_t next_u64() noexcept {
    const std::uint64_t lo = next_u32();
    const std::uint64_t hi = next_u32();
    return lo | (hi << 32);
  }

 private:
  stream_key key_;
  std::uint64_t position_ = 0;
  std::uint64_t cached_block_ = 0;
  philox_block cache_{};
  bool cache_valid_ = false;
};

}  // namespace rng

FAIRGATE_END_NAMESPACE
