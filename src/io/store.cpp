// Content-addressed store: <root>/objects/aa/<62 hex>.
#include <fairgate/io/store.hpp>

#include <algorithm>
#include <system_error>

#include <fairgate/io/file.hpp>
#include <fairgate/io/sha256.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace io {

namespace {

void check_key(std::string_view hash) {
  require(is_sha256_hex(hash), errc::invalid_argument, [&] {
    return "content_store: '" + std::string(hash) +
           "' is not a SHA-256 key (64 lowercase hex digits)";
  });
}

bool is_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

content_store::content_store(std::filesystem::path root) : root_(std::move(root)) {
  std::error_code ec;
  std::filesystem::create_directories(root_ / "objects", ec);
  if (ec) {
    throw error(errc::io_error, "content_store: cannot create '" + (root_ / "objects").string() +
                                    "': " + ec.message());
  }
}

std::filesystem::path content_store::object_path(std::string_view hash) const {
  check_key(hash);
  return root_ / "objects" / std::string(hash.substr(0, 2)) / std::string(hash.substr(2));
}

std::string content_store::put(std::span<const std::byte> bytes) {
  const std::string hash = sha256_hex(bytes);
  const auto path = object_path(hash);
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec) && sha256_file(path) == hash) return hash;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) {
    throw error(errc::io_error, "content_store: cannot create '" + path.parent_path().string() +
                                    "': " + ec.message());
  }
  write_file_atomic(path, bytes);
  return hash;
}

std::string content_store::put(std::string_view text) {
  return put(std::as_bytes(std::span<const char>(text.data(), text.size())));
}

std::vector<std::byte> content_store::get(std::string_view hash, bool verify_content) const {
  const auto path = object_path(hash);
  std::error_code ec;
  require(std::filesystem::is_regular_file(path, ec), errc::io_error, [&] {
    return "content_store: no object " + std::string(hash) + " in '" + root_.string() +
           "' (expected at '" + path.string() + "')";
  });
  std::vector<std::byte> bytes = read_file(path);
  if (verify_content) {
    const std::string actual = sha256_hex(bytes);
    require(actual == hash, errc::verification_failed, [&] {
      return "content_store: object " + std::string(hash) + " at '" + path.string() +
             "' failed verification: its content hashes to " + actual;
    });
  }
  return bytes;
}

bool content_store::contains(std::string_view hash) const {
  std::error_code ec;
  return std::filesystem::is_regular_file(object_path(hash), ec);
}

bool content_store::verify(std::string_view hash) const {
  const auto path = object_path(hash);
  std::error_code ec;
  require(std::filesystem::is_regular_file(path, ec), errc::io_error, [&] {
    return "content_store: no object " + std::string(hash) + " in '" + root_.string() + "'";
  });
  return sha256_file(path) == hash;
}

std::vector<std::string> content_store::list() const {
  std::vector<std::string> keys;
  std::error_code ec;
  const auto objects = root_ / "objects";
  for (std::filesystem::directory_iterator d(objects, ec), end; !ec && d != end; d.increment(ec)) {
    const std::string prefix = d->path().filename().string();
    if (prefix.size() != 2 || !is_hex(prefix) || !d->is_directory()) continue;
    std::error_code ec2;
    for (std::filesystem::directory_iterator f(d->path(), ec2), end2; !ec2 && f != end2;
         f.increment(ec2)) {
      const std::string key = prefix + f->path().filename().string();
      if (is_sha256_hex(key) && f->is_regular_file()) keys.push_back(key);
    }
    if (ec2) {
      throw error(errc::io_error,
                  "content_store: cannot list '" + d->path().string() + "': " + ec2.message());
    }
  }
  if (ec)
    throw error(errc::io_error,
                "content_store: cannot list '" + objects.string() + "': " + ec.message());
  // Directory order is arbitrary: sort for a deterministic listing.
  std::sort(keys.begin(), keys.end());
  return keys;
}

}  // namespace io

FAIRGATE_END_NAMESPACE
