// Helpers shared by the io tests.
#pragma once

#include <fairgate/error.hpp>

#include <unistd.h>
#include <filesystem>
#include <string>

namespace fairgate::io_test {

// True when fn throws fairgate::error with exactly this code.
template <class Fn>
bool throws_code(Fn&& fn, fairgate::errc code) {
  try {
    fn();
  } catch (const fairgate::error& e) {
    return e.code() == code;
  }
  return false;
}

// A fresh directory under the system temp dir, removed on destruction.
class temp_dir {
 public:
  temp_dir() {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("fairgate-io-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace fairgate::io_test
