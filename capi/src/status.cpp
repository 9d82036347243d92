// capi/src/status.cpp: versions, status names and the thread-local error message.
#include <string>

#include <fairgate/fairgate.h>
#include <fairgate/version.hpp>

#include "guard.hpp"

static_assert(FAIRGATE_C_VERSION_NUMBER == FAIRGATE_VERSION_NUMBER,
              "fairgate.h and project(VERSION) disagree; update FAIRGATE_C_VERSION_*");
static_assert(FAIRGATE_ABI_VERSION == FAIRGATE_VERSION_MAJOR,
              "ABI major follows the version major");

namespace fairgate::capi {
namespace {
thread_local std::string last_error;
}

fairgate_status set_error(fairgate_status status, const char* message) noexcept {
  try {
    last_error = message;
  } catch (...) {
    last_error.clear();  // out of memory for the message itself: keep the status
  }
  return status;
}

fairgate_status set_error(fairgate_status status, const std::string& message) noexcept {
  return set_error(status, message.c_str());
}

void clear_error() noexcept {
  last_error.clear();
}

}  // namespace fairgate::capi

extern "C" {

unsigned fairgate_version_number(void) {
  return FAIRGATE_VERSION_NUMBER;
}
const char* fairgate_version_string(void) {
  return FAIRGATE_VERSION_STRING;
}
unsigned fairgate_abi_version(void) {
  return FAIRGATE_ABI_VERSION;
}

const char* fairgate_last_error_message(void) {
  return fairgate::capi::last_error.c_str();
}

const char* fairgate_status_name(int status) {
  switch (status) {
    case FAIRGATE_OK:
      return "FAIRGATE_OK";
    case FAIRGATE_E_INVALID_ARGUMENT:
      return "FAIRGATE_E_INVALID_ARGUMENT";
    case FAIRGATE_E_LENGTH_MISMATCH:
      return "FAIRGATE_E_LENGTH_MISMATCH";
    case FAIRGATE_E_OUT_OF_RANGE:
      return "FAIRGATE_E_OUT_OF_RANGE";
    case FAIRGATE_E_INVALID_VALUE:
      return "FAIRGATE_E_INVALID_VALUE";
    case FAIRGATE_E_EMPTY_INPUT:
      return "FAIRGATE_E_EMPTY_INPUT";
    case FAIRGATE_E_PARSE:
      return "FAIRGATE_E_PARSE";
    case FAIRGATE_E_IO:
      return "FAIRGATE_E_IO";
    case FAIRGATE_E_VERIFICATION:
      return "FAIRGATE_E_VERIFICATION";
    case FAIRGATE_E_UNSUPPORTED:
      return "FAIRGATE_E_UNSUPPORTED";
    case FAIRGATE_E_INTERNAL:
      return "FAIRGATE_E_INTERNAL";
    case FAIRGATE_E_NULL_POINTER:
      return "FAIRGATE_E_NULL_POINTER";
    case FAIRGATE_E_OUT_OF_MEMORY:
      return "FAIRGATE_E_OUT_OF_MEMORY";
  }
  return "FAIRGATE_E_UNKNOWN_STATUS";
}

}  // extern "C"
