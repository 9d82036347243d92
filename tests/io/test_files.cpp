// SHA-256, atomic writes, durable appends and the content-addressed store.
#include <catch2/catch.hpp>

#include <fairgate/io/file.hpp>
#include <fairgate/io/sha256.hpp>
#include <fairgate/io/store.hpp>

#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "io_test_util.hpp"

using namespace fairgate::io;
using Catch::Matchers::Contains;
using fairgate::errc;
using fairgate::io_test::temp_dir;
using fairgate::io_test::throws_code;
namespace fs = std::filesystem;

namespace {
void write_plain(const fs::path& p, const std::string& s) {
  std::ofstream f(p, std::ios::binary);
  f << s;
}
std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}
std::vector<std::byte> bytes_of(const std::string& s) {
  std::vector<std::byte> b(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) b[i] = static_cast<std::byte>(s[i]);
  return b;
}
}  // namespace

// Expected digests: FIPS 180-2, Appendix B (B.1 "abc", B.2 the 448-bit
// message, B.3 one million 'a'), and the well-known digest of the empty string.
TEST_CASE("SHA-256 matches the FIPS 180-2 test vectors", "[io][sha256]") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex(std::string(1000000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("incremental SHA-256 equals one-shot SHA-256 whatever the split", "[io][sha256]") {
  const std::string msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  for (std::size_t cut = 0; cut <= msg.size(); cut += 7) {
    sha256_hasher h;
    h.update(std::string_view(msg).substr(0, cut));
    h.update(std::string_view(msg).substr(cut));
    CHECK(h.finish_hex() == sha256_hex(msg));
  }
  sha256_hasher h;
  (void)h.finish();
  CHECK(throws_code([&] { h.update("x"); }, errc::invalid_argument));
}

TEST_CASE("sha256_file streams a file and equals the digest of its bytes", "[io][sha256]") {
  temp_dir d;
  // 200,000 bytes: several 64 KiB reads.
  std::string s;
  for (int i = 0; i < 200000; ++i) s.push_back(static_cast<char>('a' + i % 26));
  write_plain(d.path() / "f.bin", s);
  CHECK(sha256_file(d.path() / "f.bin") == sha256_hex(s));
  REQUIRE_THROWS_WITH(sha256_file(d.path() / "missing"),
                      Contains("missing'") && Contains("No such file"));
}

TEST_CASE("sha256_file of the bundled adult.data matches sha256sum", "[io][sha256]") {
  // Digest from `sha256sum adult.data`, also listed in data/adult/README.md.
  CHECK(sha256_file(fs::path(FAIRGATE_TEST_ADULT_DIR) / "adult.data") ==
        "5b00264637dbfec36bdeaab5676b0b309ff9eb788d63554ca0a249491c86603d");
}

TEST_CASE("is_sha256_hex accepts exactly 64 lowercase hex digits", "[io][sha256]") {
  CHECK(is_sha256_hex(sha256_hex("x")));
  CHECK_FALSE(is_sha256_hex(std::string(63, 'a')));
  CHECK_FALSE(is_sha256_hex(std::string(64, 'A')));
  CHECK_FALSE(is_sha256_hex(std::string(64, 'g')));
}

TEST_CASE("write_file_atomic creates and replaces a file and leaves no temporary file",
          "[io][atomic]") {
  temp_dir d;
  const fs::path p = d.path() / "manifest.json";
  write_file_atomic(p, std::string_view("first"));
  CHECK(read_text_file(p) == "first");
  ::chmod(p.c_str(), 0640);
  write_file_atomic(p, std::string_view("second, longer"));
  CHECK(read_text_file(p) == "second, longer");
  CHECK((fs::status(p).permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read));
  CHECK(names_in(d.path()) == std::vector<std::string>{"manifest.json"});
  write_file_atomic(p, std::span<const std::byte>());
  CHECK(fs::file_size(p) == 0);
}

TEST_CASE("write_file_atomic fails cleanly when the parent is not a directory", "[io][atomic]") {
  temp_dir d;
  write_plain(d.path() / "plain", "x");
  // The parent "plain" is a regular file: even root cannot create a file in it.
  REQUIRE_THROWS_WITH(write_file_atomic(d.path() / "plain" / "out.json", std::string_view("y")),
                      Contains("cannot create a temporary file in") && Contains("plain'") &&
                          Contains("Not a directory"));
  CHECK(throws_code(
      [&] { write_file_atomic(d.path() / "no" / "such" / "dir" / "f", std::string_view("y")); },
      errc::io_error));
  CHECK(read_text_file(d.path() / "plain") == "x");
  CHECK(throws_code([&] { write_file_atomic(fs::path(), std::string_view("y")); },
                    errc::invalid_argument));
}

TEST_CASE("write_file_atomic leaves the target intact when the rename cannot happen",
          "[io][atomic]") {
  temp_dir d;
  // The target is a non-empty directory: rename(file, dir) fails (EISDIR).
  const fs::path target = d.path() / "target";
  fs::create_directories(target);
  write_plain(target / "old", "old content");
  REQUIRE_THROWS_WITH(write_file_atomic(target, std::string_view("new")),
                      Contains("cannot rename the temporary file over") && Contains("target'"));
  CHECK(fs::is_directory(target));
  CHECK(read_text_file(target / "old") == "old content");
  CHECK(names_in(d.path()) == std::vector<std::string>{"target"});
}

TEST_CASE("write_file_atomic leaves the old file intact when writing fails (file size limit)",
          "[io][atomic]") {
  temp_dir d;
  const fs::path p = d.path() / "state.bin";
  write_file_atomic(p, std::string_view("old"));
  // RLIMIT_FSIZE makes write() fail with EFBIG past 1 KiB, even for root: a
  // deterministic stand-in for a full disk. SIGXFSZ must be ignored.
  struct rlimit saved {};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = saved;
  small.rlim_cur = 1024;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  bool threw_io = false;
  std::string msg;
  try {
    write_file_atomic(p, std::string(10000, 'z'));
  } catch (const fairgate::error& e) {
    threw_io = e.code() == errc::io_error;
    msg = e.what();
  }
  ::setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, old_handler);
  CHECK(threw_io);
  CHECK_THAT(msg, Contains("cannot write") && Contains("File too large"));
  CHECK(read_text_file(p) == "old");
  CHECK(names_in(d.path()) == std::vector<std::string>{"state.bin"});
}

TEST_CASE("append_line_durable appends whole lines and rejects embedded line breaks",
          "[io][atomic]") {
  temp_dir d;
  const fs::path p = d.path() / "changelog.jsonl";
  append_line_durable(p, R"({"step":1})");
  append_line_durable(p, R"({"step":2})");
  CHECK(read_text_file(p) == "{\"step\":1}\n{\"step\":2}\n");
  CHECK(throws_code([&] { append_line_durable(p, "a\nb"); }, errc::invalid_argument));
  CHECK(read_text_file(p) == "{\"step\":1}\n{\"step\":2}\n");
  write_plain(d.path() / "plain", "x");
  REQUIRE_THROWS_WITH(append_line_durable(d.path() / "plain" / "log", "x"),
                      Contains("Not a directory"));
}

TEST_CASE("read_file of a missing file or a directory is an io_error naming the path",
          "[io][atomic]") {
  temp_dir d;
  REQUIRE_THROWS_WITH(read_file(d.path() / "nope"), Contains("nope'") && Contains("No such file"));
  CHECK(throws_code([&] { (void)read_file(d.path()); }, errc::io_error));
}

TEST_CASE("the content store round-trips bytes under their SHA-256", "[io][store]") {
  temp_dir d;
  content_store s(d.path() / "store");
  const std::string h = s.put(std::string_view("abc"));
  CHECK(h == sha256_hex("abc"));
  CHECK(s.object_path(h) == d.path() / "store" / "objects" / "ba" / h.substr(2));
  CHECK(s.contains(h));
  CHECK(s.get(h) == bytes_of("abc"));
  CHECK(s.verify(h));
  // Idempotent: the same bytes again give the same key and one object.
  CHECK(s.put(std::string_view("abc")) == h);
  const std::string h2 = s.put(std::string_view(""));
  std::vector<std::string> expect{h, h2};
  std::sort(expect.begin(), expect.end());
  CHECK(s.list() == expect);
  CHECK(s.get(h2).empty());
  // A second store object over the same directory sees the same entries.
  CHECK(content_store(d.path() / "store").list() == expect);
}

TEST_CASE("the content store detects a corrupted entry on read, and put repairs it",
          "[io][store]") {
  temp_dir d;
  content_store s(d.path());
  const std::string h = s.put(std::string_view("checkpoint bytes"));
  const fs::path obj = s.object_path(h);
  {
    std::fstream f(obj, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(3);
    f.put('X');  // flip one byte
  }
  REQUIRE_THROWS_WITH(s.get(h), Contains("object " + h) && Contains(obj.string()) &&
                                    Contains("failed verification"));
  CHECK(throws_code([&] { (void)s.get(h); }, errc::verification_failed));
  CHECK_FALSE(s.verify(h));
  CHECK(s.get(h, /*verify=*/false) == bytes_of("cheXkpoint bytes"));
  CHECK(s.put(std::string_view("checkpoint bytes")) == h);
  CHECK(s.verify(h));
}

TEST_CASE("the content store rejects bad keys, reports absent ones and skips stray files",
          "[io][store]") {
  temp_dir d;
  content_store s(d.path());
  CHECK(throws_code([&] { (void)s.get("abc"); }, errc::invalid_argument));
  CHECK(throws_code([&] { (void)s.contains(std::string(64, 'A')); }, errc::invalid_argument));
  const std::string absent = sha256_hex("never stored");
  CHECK_FALSE(s.contains(absent));
  REQUIRE_THROWS_WITH(s.get(absent), Contains("no object " + absent));
  CHECK(throws_code([&] { (void)s.get(absent); }, errc::io_error));
  const std::string h = s.put(std::string_view("x"));
  write_plain(s.object_path(h).parent_path() / ".tmp-leftover", "junk");
  fs::create_directories(d.path() / "objects" / "zz");
  CHECK(s.list() == std::vector<std::string>{h});
  write_plain(d.path() / "file", "x");
  CHECK(throws_code([&] { content_store bad(d.path() / "file"); }, errc::io_error));
}
