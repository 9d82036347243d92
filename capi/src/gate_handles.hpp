// capi/src/gate_handles.hpp: the opaque handles of the policy / gate /
// controller / manifest part of the C ABI, and helpers they share.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <fairgate/fairgate.h>
#include <fairgate/error.hpp>
#include <fairgate/manifest/manifest.hpp>
#include <fairgate/policy/model.hpp>

#include "guard.hpp"

// A parsed policy plus the strings the accessors hand out (owned here, so
// the pointers live as long as the handle).
struct fairgate_policy {
  fairgate::policy::policy value;
  std::string digest;
  std::string canonical;
};

// A run manifest (src/manifest).
struct fairgate_manifest {
  fairgate::manifest::manifest value;
};

namespace fairgate::capi {

inline const fairgate::policy::policy& policy_of(const fairgate_policy* p) {
  require_non_null(p, "policy");
  return p->value;
}

// A C string argument that must be present.
inline std::string string_arg(const char* s, const char* name) {
  require_non_null(s, name);
  return std::string(s);
}

// `n` C strings (names); each must be non-NULL.
inline std::vector<std::string> string_array(const char* const* a, std::size_t n,
                                             const char* name) {
  std::vector<std::string> out;
  if (n == 0) return out;
  require_non_null(a, name);
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i] == nullptr) {
      throw fairgate::error(fairgate::errc::invalid_argument,
                            std::string(name) + "[" + std::to_string(i) + "] is NULL");
    }
    out.emplace_back(a[i]);
  }
  return out;
}

// Writes an output struct that the caller sized with struct_size: only the
// first struct_size bytes (at least `v1_size`, the first published layout)
// are written, so an older caller's smaller struct is never overrun.
template <class T>
void write_versioned(T* out, T value, std::size_t v1_size, const char* name) {
  require_non_null(out, name);
  if (out->struct_size < v1_size) {
    throw fairgate::error(fairgate::errc::invalid_argument,
                          std::string(name) +
                              "->struct_size = " + std::to_string(out->struct_size) +
                              " is smaller than any version of the struct; set it to sizeof");
  }
  const std::uint32_t caller_size = out->struct_size;
  value.struct_size = caller_size;
  const std::size_t n = caller_size < sizeof(T) ? caller_size : sizeof(T);
  std::memcpy(static_cast<void*>(out), &value, n);
}

inline void require_index(std::size_t index, std::size_t count, const char* what) {
  if (index >= count) {
    throw fairgate::error(fairgate::errc::out_of_range,
                          std::string(what) + " = " + std::to_string(index) + " is out of range (" +
                              std::to_string(count) + " available)");
  }
}

}  // namespace fairgate::capi
