"""Loading libfairgate and turning C statuses into Python exceptions.

The library is looked up, in order:
  1. the path in the environment variable FAIRGATE_LIBRARY;
  2. a libfairgate.so* next to this package (an installed wheel);
  3. the system's library path (ctypes.util.find_library).
No compiler is needed: the binding is plain ctypes over fairgate.h.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import glob
import os

__all__ = ["lib", "check", "FairgateError"]


class FairgateError(Exception):
    """A fairgate C call failed. `status` is the fairgate_status name."""

    def __init__(self, status: str, message: str):
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


class InvalidArgumentError(FairgateError, ValueError):
    pass


class OutOfRangeError(FairgateError, IndexError):
    pass


class ParseError(FairgateError, ValueError):
    pass


class IOFailure(FairgateError, OSError):
    pass


_EXCEPTION_BY_STATUS = {
    "FAIRGATE_E_INVALID_ARGUMENT": InvalidArgumentError,
    "FAIRGATE_E_LENGTH_MISMATCH": InvalidArgumentError,
    "FAIRGATE_E_INVALID_VALUE": InvalidArgumentError,
    "FAIRGATE_E_EMPTY_INPUT": InvalidArgumentError,
    "FAIRGATE_E_NULL_POINTER": InvalidArgumentError,
    "FAIRGATE_E_OUT_OF_RANGE": OutOfRangeError,
    "FAIRGATE_E_PARSE": ParseError,
    "FAIRGATE_E_IO": IOFailure,
}


def _find_library() -> str:
    explicit = os.environ.get("FAIRGATE_LIBRARY")
    if explicit:
        if not os.path.exists(explicit):
            raise OSError(f"FAIRGATE_LIBRARY={explicit!r} does not exist")
        return explicit
    here = os.path.dirname(os.path.abspath(__file__))
    bundled = sorted(glob.glob(os.path.join(here, "libfairgate.so*")))
    if bundled:
        return bundled[0]
    found = ctypes.util.find_library("fairgate")
    if found:
        return found
    raise OSError(
        "libfairgate not found: build it (cmake --build --preset release) and set "
        "FAIRGATE_LIBRARY=build/release/capi/libfairgate.so, or install the package "
        "with the library copied next to it"
    )


lib = ctypes.CDLL(_find_library())

_c = ctypes
lib.fairgate_last_error_message.restype = _c.c_char_p
lib.fairgate_last_error_message.argtypes = []
lib.fairgate_status_name.restype = _c.c_char_p
lib.fairgate_status_name.argtypes = [_c.c_int]
lib.fairgate_version_string.restype = _c.c_char_p
lib.fairgate_version_string.argtypes = []
lib.fairgate_version_number.restype = _c.c_uint
lib.fairgate_abi_version.restype = _c.c_uint


def check(status: int) -> None:
    """Raises the FairgateError subclass for a non-zero status, with the C message."""
    if status == 0:
        return
    name = lib.fairgate_status_name(status).decode()
    message = lib.fairgate_last_error_message().decode(errors="replace")
    raise _EXCEPTION_BY_STATUS.get(name, FairgateError)(name, message)


def declare(name: str, argtypes: list, restype=ctypes.c_int):
    """Declares a C function's signature once, at import time."""
    fn = getattr(lib, name)
    fn.argtypes = argtypes
    fn.restype = restype
    return fn
