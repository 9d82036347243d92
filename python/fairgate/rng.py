"""Deterministic keyed random streams (Philox4x32-10), the same bits as C and C++.

    >>> from fairgate.rng import Stream
    >>> s = Stream(seed=42, purpose="bootstrap", index=7)
    >>> words = s.u32(1000)          # numpy uint32 array
    >>> s.seek(0); assert (s.u32(1000) == words).all()
"""
from __future__ import annotations

import ctypes

import numpy as np

from ._native import check, declare

_c = ctypes
_create = declare("fairgate_stream_create",
                  [_c.c_uint64, _c.c_char_p, _c.c_uint32, _c.POINTER(_c.c_void_p)])
_destroy = declare("fairgate_stream_destroy", [_c.c_void_p], None)
_seek = declare("fairgate_stream_seek", [_c.c_void_p, _c.c_uint64])
_position = declare("fairgate_stream_position", [_c.c_void_p, _c.POINTER(_c.c_uint64)])
_fill_u32 = declare("fairgate_stream_fill_u32", [_c.c_void_p, _c.c_void_p, _c.c_size_t])
_purpose_tag = declare("fairgate_purpose_tag", [_c.c_char_p, _c.POINTER(_c.c_uint32)])


def purpose_tag(purpose: str) -> int:
    """The 32-bit tag (FNV-1a 32) that a purpose name maps to."""
    tag = _c.c_uint32()
    check(_purpose_tag(purpose.encode(), _c.byref(tag)))
    return tag.value


class Stream:
    """A keyed stream: (seed, purpose, index) -> an endless sequence of 32-bit words."""

    def __init__(self, seed: int, purpose: str, index: int = 0):
        self._handle = _c.c_void_p()
        check(_create(seed, purpose.encode(), index, _c.byref(self._handle)))
        self.seed, self.purpose, self.index = seed, purpose, index

    def __del__(self):
        handle = getattr(self, "_handle", None)
        if handle is not None and handle.value:
            _destroy(handle)
            self._handle = None

    def seek(self, position: int) -> None:
        """Jump to `position` (counted in 32-bit words) in O(1)."""
        check(_seek(self._handle, position))

    @property
    def position(self) -> int:
        pos = _c.c_uint64()
        check(_position(self._handle, _c.byref(pos)))
        return pos.value

    def u32(self, n: int) -> np.ndarray:
        """The next n raw words, written by C straight into a new numpy array."""
        out = np.empty(n, dtype=np.uint32)
        check(_fill_u32(self._handle, out.ctypes.data_as(_c.c_void_p), n))
        return out
