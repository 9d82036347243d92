// Whole-file reads, atomic replacement and durable appends (POSIX).
#include <fairgate/io/file.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

FAIRGATE_BEGIN_NAMESPACE

namespace io {

namespace {

std::string errno_text(int e) {
  return std::strerror(e);
}

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path, int e) {
  throw error(errc::io_error, what + " '" + path.string() + "': " + errno_text(e));
}

// Closes on scope exit unless released.
struct fd_guard {
  int fd = -1;
  explicit fd_guard(int f) : fd(f) {}
  fd_guard(const fd_guard&) = delete;
  fd_guard& operator=(const fd_guard&) = delete;
  ~fd_guard() {
    if (fd >= 0) ::close(fd);
  }
  int release() {
    const int f = fd;
    fd = -1;
    return f;
  }
};

// Writes everything, retrying on EINTR and partial writes. Returns 0 or errno.
int write_all(int fd, const std::byte* data, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (w == 0) return EIO;
    data += w;
    n -= static_cast<std::size_t>(w);
  }
  return 0;
}

int fsync_retry(int fd) {
  while (::fsync(fd) != 0) {
    if (errno != EINTR) return errno;
  }
  return 0;
}

std::filesystem::path parent_or_dot(const std::filesystem::path& path) {
  const auto parent = path.parent_path();
  return parent.empty() ? std::filesystem::path(".") : parent;
}

// fsync of a directory; EINVAL means the file system does not support it.
int fsync_dir(const std::filesystem::path& dir) {
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return errno;
  fd_guard g(dfd);
  const int e = fsync_retry(dfd);
  return e == EINVAL ? 0 : e;
}

std::atomic<unsigned long> temp_counter{0};

}  // namespace

std::vector<std::byte> read_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("cannot open", path, errno);
  fd_guard g(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) fail("cannot stat", path, errno);
  if (S_ISDIR(st.st_mode)) fail("cannot read", path, EISDIR);
  std::vector<std::byte> out;
  if (st.st_size > 0) out.reserve(static_cast<std::size_t>(st.st_size));
  std::byte buf[1 << 16];
  for (;;) {
    const ssize_t r = ::read(fd, buf, sizeof buf);
    if (r < 0) {
      if (errno == EINTR) continue;
      fail("cannot read", path, errno);
    }
    if (r == 0) break;
    out.insert(out.end(), buf, buf + r);
  }
  return out;
}

std::string read_text_file(const std::filesystem::path& path) {
  const std::vector<std::byte> b = read_file(path);
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

void write_file_atomic(const std::filesystem::path& path, std::span<const std::byte> bytes) {
  require(!path.empty() && path.has_filename(), errc::invalid_argument,
          [&] { return "write_file_atomic: '" + path.string() + "' does not name a file"; });
  const std::filesystem::path dir = parent_or_dot(path);
  const std::string name = path.filename().string();

  int fd = -1;
  std::filesystem::path tmp;
  for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
    tmp = dir / ("." + name + ".tmp-" + std::to_string(::getpid()) + "-" +
                 std::to_string(temp_counter.fetch_add(1)));
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST)
      fail("write_file_atomic: cannot create a temporary file in", dir, errno);
  }
  if (fd < 0) fail("write_file_atomic: cannot create a temporary file in", dir, EEXIST);
  fd_guard g(fd);
  auto abandon = [&](const std::string& what, const std::filesystem::path& p, int e) {
    ::close(g.release());
    ::unlink(tmp.c_str());
    fail(what, p, e);
  };

  // Keep the permission bits of the file being replaced.
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
    if (::fchmod(fd, st.st_mode & 07777) != 0)
      abandon("write_file_atomic: cannot chmod", tmp, errno);
  }
  if (const int e = write_all(fd, bytes.data(), bytes.size()); e != 0) {
    abandon("write_file_atomic: cannot write", tmp, e);
  }
  if (const int e = fsync_retry(fd); e != 0) abandon("write_file_atomic: cannot fsync", tmp, e);
  if (::close(g.release()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    fail("write_file_atomic: cannot close", tmp, e);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    fail("write_file_atomic: cannot rename the temporary file over", path, e);
  }
  if (const int e = fsync_dir(dir); e != 0) {
    fail("write_file_atomic: wrote the new content but cannot fsync the directory", dir, e);
  }
}

void write_file_atomic(const std::filesystem::path& path, std::string_view text) {
  write_file_atomic(path, std::as_bytes(std::span<const char>(text.data(), text.size())));
}

void append_line_durable(const std::filesystem::path& path, std::string_view line) {
  require(line.find_first_of("\r\n") == std::string_view::npos, errc::invalid_argument, [&] {
    return "append_line_durable: the line for '" + path.string() + "' contains a line break";
  });
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  bool created = false;
  if (fd < 0 && errno == ENOENT) {
    fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    created = fd >= 0;
    // Lost a race with another creator: open what it made.
    if (fd < 0 && errno == EEXIST) fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  }
  if (fd < 0) fail("append_line_durable: cannot open", path, errno);
  fd_guard g(fd);
  std::string buf;
  buf.reserve(line.size() + 1);
  buf.append(line);
  buf.push_back('\n');
  if (const int e = write_all(fd, reinterpret_cast<const std::byte*>(buf.data()), buf.size());
      e != 0) {
    fail("append_line_durable: cannot write", path, e);
  }
  if (const int e = fsync_retry(fd); e != 0) fail("append_line_durable: cannot fsync", path, e);
  if (::close(g.release()) != 0) fail("append_line_durable: cannot close", path, errno);
  if (created) {
    if (const int e = fsync_dir(parent_or_dot(path)); e != 0) {
      fail("append_line_durable: cannot fsync the directory of", path, e);
    }
  }
}

}  // namespace io

FAIRGATE_END_NAMESPACE
