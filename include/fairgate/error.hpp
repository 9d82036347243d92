// fairgate/error.hpp: the one exception type of the C++ core.
//
// Every failure carries an error code, so the C ABI can map it to a status
// without parsing messages, and a message that names the row or key at fault.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include <fairgate/config.hpp>

FAIRGATE_BEGIN_NAMESPACE

// Stable numbering: the C ABI exposes these values as fairgate_status.
enum class errc : int {
  ok = 0,
  invalid_argument = 1,     // a parameter outside its documented domain
  length_mismatch = 2,      // spans that must have equal length do not
  out_of_range = 3,         // a label, group code or index outside its range
  invalid_value = 4,        // NaN / Inf / negative weight in the data
  empty_input = 5,          // nothing to compute on (empty span, empty group)
  parse_error = 6,          // malformed policy, manifest, CSV or byte stream
  io_error = 7,             // a file could not be read, written or renamed
  verification_failed = 8,  // a hash or digest did not match
  unsupported = 9,          // a valid request this build cannot serve
  internal = 10,            // a bug in fairgate: please report it
};

constexpr const char* errc_name(errc e) noexcept {
  switch (e) {
    case errc::ok:
      return "ok";
    case errc::invalid_argument:
      return "invalid_argument";
    case errc::length_mismatch:
      return "length_mismatch";
    case errc::out_of_range:
      return "out_of_range";
    case errc::invalid_value:
      return "invalid_value";
    case errc::empty_input:
      return "empty_input";
    case errc::parse_error:
      return "parse_error";
    case errc::io_error:
      return "io_error";
    case errc::verification_failed:
      return "verification_failed";
    case errc::unsupported:
      return "unsupported";
    case errc::internal:
      return "internal";
  }
  return "unknown";
}

class error : public std::runtime_error {
 public:
  error(errc code, const std::string& message) : std::runtime_error(message), code_(code) {}
  [[nodiscard]] errc code() const noexcept { return code_; }

 private:
  errc code_;
};

// Throws fairgate::error with `code` unless `condition` holds. The message is
// only built on failure, so hot-path checks cost one branch.
template <class MessageFn>
inline void require(bool condition, errc code, MessageFn&& message) {
  if (!condition) [[unlikely]] {
    throw error(code, message());
  }
}

inline void require(bool condition, errc code, const char* message) {
  if (!condition) [[unlikely]] {
    throw error(code, message);
  }
}

FAIRGATE_END_NAMESPACE
