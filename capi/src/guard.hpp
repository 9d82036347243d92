// capi/src/guard.hpp: the exception firewall between C++ and the C ABI.
//
// Every exported function body runs inside guard(): a C++ exception becomes a
// fairgate_status plus a thread-local message, so nothing ever unwinds into C
// and nothing aborts. SQLite's errmsg and zstd's error codes are the models.
#pragma once

#include <exception>
#include <new>
#include <string>
#include <utility>

#include <fairgate/fairgate.h>
#include <fairgate/error.hpp>

namespace fairgate::capi {

// Sets this thread's last error message; returns `status` for tail calls.
fairgate_status set_error(fairgate_status status, const char* message) noexcept;
fairgate_status set_error(fairgate_status status, const std::string& message) noexcept;
void clear_error() noexcept;

constexpr fairgate_status to_status(errc e) noexcept {
  // errc values 0..10 are numbered like fairgate_status on purpose.
  return static_cast<fairgate_status>(static_cast<int>(e));
}

// A required pointer argument was NULL; reported as FAIRGATE_E_NULL_POINTER.
struct null_argument {
  const char* name;
};

template <class Body>
fairgate_status guard(Body&& body) noexcept {
  try {
    clear_error();
    std::forward<Body>(body)();
    return FAIRGATE_OK;
  } catch (const null_argument& e) {
    return set_error(FAIRGATE_E_NULL_POINTER, std::string(e.name) + " is NULL");
  } catch (const fairgate::error& e) {
    return set_error(to_status(e.code()), e.what());
  } catch (const std::bad_alloc&) {
    return set_error(FAIRGATE_E_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return set_error(FAIRGATE_E_INTERNAL, std::string("internal error: ") + e.what());
  } catch (...) {
    return set_error(FAIRGATE_E_INTERNAL, "internal error: unknown exception");
  }
}

// Inside guard(): fails with FAIRGATE_E_NULL_POINTER naming the argument.
inline void require_non_null(const void* p, const char* name) {
  if (p == nullptr) throw null_argument{name};
}

}  // namespace fairgate::capi
