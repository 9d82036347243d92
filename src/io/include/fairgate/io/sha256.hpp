// fairgate/io/sha256.hpp: SHA-256 (FIPS 180-4) through OpenSSL's EVP interface.
//
//   std::string h = fairgate::io::sha256_hex("abc");   // "ba7816bf...15ad"
//   std::string f = fairgate::io::sha256_file("data/adult/adult.data");
//
// Digests are written as 64 lowercase hexadecimal characters, the form
// sha256sum prints and manifests store. The hash itself comes from libcrypto
// (a real, validated implementation), never from fairgate code.
#pragma once

#include <array>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace io {

// Incremental hashing: update() any number of times, then finish() once.
// Errors from libcrypto (which should not happen) are errc::internal.
class sha256_hasher {
 public:
  sha256_hasher();
  ~sha256_hasher();
  sha256_hasher(sha256_hasher&&) noexcept;
  sha256_hasher& operator=(sha256_hasher&&) noexcept;
  sha256_hasher(const sha256_hasher&) = delete;
  sha256_hasher& operator=(const sha256_hasher&) = delete;

  void update(std::span<const std::byte> bytes);
  void update(std::string_view text);
  // The 32-byte digest. The hasher cannot be updated afterwards
  // (errc::invalid_argument).
  [[nodiscard]] std::array<std::byte, 32> finish();
  [[nodiscard]] std::string finish_hex();

 private:
  struct impl;
  std::unique_ptr<impl> p_;
};

[[nodiscard]] std::string sha256_hex(std::span<const std::byte> bytes);
[[nodiscard]] std::string sha256_hex(std::string_view text);
// Streams the file in 64 KiB blocks. A missing or unreadable file is an
// errc::io_error naming the path.
[[nodiscard]] std::string sha256_file(const std::filesystem::path& path);

// Lowercase hex of arbitrary bytes.
[[nodiscard]] std::string to_hex(std::span<const std::byte> bytes);
// True for exactly 64 characters from [0-9a-f].
[[nodiscard]] bool is_sha256_hex(std::string_view text) noexcept;

}  // namespace io

FAIRGATE_END_NAMESPACE
