// fairgate/digest.hpp: a small, fixed, non-cryptographic digest for records.
//
// FNV-1a 64 over little-endian bytes. It fingerprints index sets and masks in
// pruning/quantization records and the changelog, where a cheap, documented,
// platform-independent value is wanted. Files and artifacts in manifests use
// SHA-256 (src/, OpenSSL) instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include <fairgate/config.hpp>

FAIRGATE_BEGIN_NAMESPACE

class fnv1a64 {
 public:
  static constexpr std::uint64_t offset_basis = 14695981039346656037ULL;
  static constexpr std::uint64_t prime = 1099511628211ULL;

  constexpr void update_byte(std::uint8_t b) noexcept {
    state_ ^= b;
    state_ *= prime;
  }
  constexpr void update(std::span<const std::uint8_t> bytes) noexcept {
    for (std::uint8_t b : bytes) update_byte(b);
  }
  constexpr void update(std::string_view s) noexcept {
    for (char c : s) update_byte(static_cast<std::uint8_t>(c));
  }
  // Integers are fed as little-endian bytes on every host.
  constexpr void update_u64(std::uint64_t v) noexcept {
    for (int i = 0; i < 8; ++i) update_byte(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  constexpr void update_u32(std::uint32_t v) noexcept {
    for (int i = 0; i < 4; ++i) update_byte(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  [[nodiscard]] constexpr std::uint64_t value() const noexcept { return state_; }

 private:
  std::uint64_t state_ = offset_basis;
};

FAIRGATE_END_NAMESPACE
