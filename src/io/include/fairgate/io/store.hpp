// fairgate/io/store.hpp: a content-addressed store of artifacts, keyed by SHA-256.
//
//   fairgate::io::content_store store("fairgate-out/store");
//   std::string h = store.put(bytes);                 // idempotent, atomic
//   std::vector<std::byte> back = store.get(h);       // re-hashed on read
//
// Layout (git's loose-object layout, without compression):
//   <root>/objects/<first 2 hex digits>/<remaining 62 hex digits>
// Each object is written with write_file_atomic(), so a reader never sees a
// partial object under its final name. The name IS the content's hash, so an
// entry can be checked at any time; get() re-hashes by default, and a
// mismatch (bit rot, tampering) is errc::verification_failed naming the hash
// and the path. Keys are 64 lowercase hex characters (errc::invalid_argument
// otherwise).
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace io {

class content_store {
 public:
  // Creates <root>/objects (and root) if absent; errc::io_error if it cannot.
  explicit content_store(std::filesystem::path root);

  [[nodiscard]] const std::filesystem::path& root() const noexcept { return root_; }

  // Stores the bytes and returns their SHA-256 (hex). Storing the same bytes
  // again writes nothing, unless the existing entry fails verification, in
  // which case it is rewritten (put() repairs a corrupted entry).
  std::string put(std::span<const std::byte> bytes);
  std::string put(std::string_view text);

  // The object's bytes. Missing entry: errc::io_error. verify == true and the
  // content does not hash to `hash`: errc::verification_failed.
  [[nodiscard]] std::vector<std::byte> get(std::string_view hash, bool verify = true) const;
  [[nodiscard]] bool contains(std::string_view hash) const;
  // Re-hashes one entry: true when present and intact; false when corrupted;
  // errc::io_error when absent.
  [[nodiscard]] bool verify(std::string_view hash) const;
  // Every key in the store, sorted ascending (byte-wise). Files whose names
  // are not a valid key (e.g. left-over temporary files) are skipped.
  [[nodiscard]] std::vector<std::string> list() const;
  // Where the object for `hash` lives (whether or not it exists).
  [[nodiscard]] std::filesystem::path object_path(std::string_view hash) const;

 private:
  std::filesystem::path root_;
};

}  // namespace io

FAIRGATE_END_NAMESPACE
