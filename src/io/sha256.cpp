// SHA-256 via OpenSSL EVP (libcrypto).
#include <fairgate/io/sha256.hpp>

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

FAIRGATE_BEGIN_NAMESPACE

namespace io {

struct sha256_hasher::impl {
  EVP_MD_CTX* ctx = nullptr;
  bool finished = false;
  ~impl() { EVP_MD_CTX_free(ctx); }
};

sha256_hasher::sha256_hasher() : p_(std::make_unique<impl>()) {
  p_->ctx = EVP_MD_CTX_new();
  require(p_->ctx != nullptr, errc::internal, "sha256: EVP_MD_CTX_new failed");
  require(EVP_DigestInit_ex(p_->ctx, EVP_sha256(), nullptr) == 1, errc::internal,
          "sha256: EVP_DigestInit_ex failed");
}
sha256_hasher::~sha256_hasher() = default;
sha256_hasher::sha256_hasher(sha256_hasher&&) noexcept = default;
sha256_hasher& sha256_hasher::operator=(sha256_hasher&&) noexcept = default;

void sha256_hasher::update(std::span<const std::byte> bytes) {
  require(p_ != nullptr && !p_->finished, errc::invalid_argument,
          "sha256_hasher: update() after finish() (or on a moved-from hasher)");
  if (bytes.empty()) return;
  require(EVP_DigestUpdate(p_->ctx, bytes.data(), bytes.size()) == 1, errc::internal,
          "sha256: EVP_DigestUpdate failed");
}

void sha256_hasher::update(std::string_view text) {
  update(std::as_bytes(std::span<const char>(text.data(), text.size())));
}

std::array<std::byte, 32> sha256_hasher::finish() {
  require(p_ != nullptr && !p_->finished, errc::invalid_argument,
          "sha256_hasher: finish() called twice (or on a moved-from hasher)");
  std::array<std::byte, 32> out{};
  unsigned int len = 0;
  require(EVP_DigestFinal_ex(p_->ctx, reinterpret_cast<unsigned char*>(out.data()), &len) == 1 &&
              len == 32,
          errc::internal, "sha256: EVP_DigestFinal_ex failed");
  p_->finished = true;
  return out;
}

std::string sha256_hasher::finish_hex() {
  const auto d = finish();
  return to_hex(d);
}

std::string sha256_hex(std::span<const std::byte> bytes) {
  sha256_hasher h;
  h.update(bytes);
  return h.finish_hex();
}

std::string sha256_hex(std::string_view text) {
  sha256_hasher h;
  h.update(text);
  return h.finish_hex();
}

std::string sha256_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw error(errc::io_error,
                "sha256_file: cannot open '" + path.string() + "': " + std::strerror(errno));
  }
  struct closer {
    int fd;
    ~closer() { ::close(fd); }
  } c{fd};
  sha256_hasher h;
  std::byte buf[1 << 16];
  for (;;) {
    const ssize_t r = ::read(fd, buf, sizeof buf);
    if (r < 0) {
      if (errno == EINTR) continue;
      throw error(errc::io_error,
                  "sha256_file: cannot read '" + path.string() + "': " + std::strerror(errno));
    }
    if (r == 0) break;
    h.update(std::span<const std::byte>(buf, static_cast<std::size_t>(r)));
  }
  return h.finish_hex();
}

std::string to_hex(std::span<const std::byte> bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s(bytes.size() * 2, '0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto b = static_cast<unsigned>(bytes[i]);
    s[2 * i] = digits[b >> 4];
    s[2 * i + 1] = digits[b & 15u];
  }
  return s;
}

bool is_sha256_hex(std::string_view text) noexcept {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace io

FAIRGATE_END_NAMESPACE
