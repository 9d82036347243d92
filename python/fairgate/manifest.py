"""Run manifests (docs/manifest.md) over fairgate's C ABI: record what a run
read, its seed and its results; verify a rerun against the record.

    >>> import fairgate.manifest as fm
    >>> m = fm.Manifest()
    >>> m.add_input_file("eval_data", "data.csv")
    >>> m.set_root_seed(42)
    >>> m.add_result("dp_difference", 0.0123)
    >>> m.write("out/manifest.json")                      # atomic
    >>> r = fm.verify("out/manifest.json", rerun_manifest)
    >>> r.identical, r.differences                         # [(where, recorded, rerun)]
"""
from __future__ import annotations

import ctypes
import json
import os

from ._native import check, declare, lib

_c = ctypes
_P = _c.POINTER
__all__ = ["Manifest", "VerifyReport", "verify", "compare_files"]

_create = declare("fairgate_manifest_create", [_P(_c.c_void_p)])
_read = declare("fairgate_manifest_read", [_c.c_char_p, _P(_c.c_void_p)])
_from_json = declare("fairgate_manifest_from_json", [_c.c_char_p, _c.c_size_t, _P(_c.c_void_p)])
_destroy = declare("fairgate_manifest_destroy", [_c.c_void_p], None)
_add_file = declare("fairgate_manifest_add_input_file", [_c.c_void_p, _c.c_char_p, _c.c_char_p])
_add_digest = declare("fairgate_manifest_add_input_digest",
                      [_c.c_void_p, _c.c_char_p, _c.c_char_p, _c.c_uint64])
_set_policy = declare("fairgate_manifest_set_policy",
                      [_c.c_void_p, _c.c_char_p, _c.c_char_p, _c.c_size_t])
_set_seed = declare("fairgate_manifest_set_root_seed", [_c.c_void_p, _c.c_uint64])
_add_result = declare("fairgate_manifest_add_result_json", [_c.c_void_p, _c.c_char_p, _c.c_char_p])
_add_config = declare("fairgate_manifest_add_config_json", [_c.c_void_p, _c.c_char_p, _c.c_char_p])
_add_artifact = declare("fairgate_manifest_add_artifact",
                        [_c.c_void_p, _c.c_char_p, _c.c_char_p, _c.c_size_t])
_write = declare("fairgate_manifest_write", [_c.c_void_p, _c.c_char_p])
_to_json = declare("fairgate_manifest_to_json",
                   [_c.c_void_p, _c.c_char_p, _c.c_size_t, _P(_c.c_size_t)])
_sha = declare("fairgate_manifest_computation_sha256", [_c.c_void_p, _c.c_char_p])
_verify = declare("fairgate_manifest_verify", [_c.c_char_p, _c.c_void_p, _P(_c.c_void_p)])
_compare = declare("fairgate_manifest_compare_files", [_c.c_char_p, _c.c_char_p, _P(_c.c_void_p)])
_r_destroy = declare("fairgate_verify_report_destroy", [_c.c_void_p], None)
_r_identical = declare("fairgate_verify_report_identical", [_c.c_void_p, _P(_c.c_int32)])
_r_count = declare("fairgate_verify_report_difference_count", [_c.c_void_p, _P(_c.c_size_t)])
_r_diff = declare("fairgate_verify_report_difference",
                  [_c.c_void_p, _c.c_size_t, _P(_c.c_char_p), _P(_c.c_char_p), _P(_c.c_char_p)])
_r_text = declare("fairgate_verify_report_text", [_c.c_void_p, _P(_c.c_char_p)])


def _u(s: str) -> bytes:
    return s.encode("utf-8")


class Manifest:
    """A run manifest (a new one records this build's environment)."""

    def __init__(self, _handle=None):
        if _handle is None:
            _handle = _c.c_void_p()
            check(_create(_c.byref(_handle)))
        self._h = _handle

    @classmethod
    def read(cls, path: str | os.PathLike) -> "Manifest":
        """Reads and checks a manifest file (hashes verified: tampering raises)."""
        h = _c.c_void_p()
        check(_read(os.fsencode(path), _c.byref(h)))
        return cls(h)

    @classmethod
    def from_json(cls, text: str | bytes) -> "Manifest":
        b = text if isinstance(text, bytes) else _u(text)
        h = _c.c_void_p()
        check(_from_json(b, len(b), _c.byref(h)))
        return cls(h)

    def __del__(self):
        h, self._h = getattr(self, "_h", None), None
        if h:
            _destroy(h)

    @property
    def handle(self):
        return self._h

    def add_input_file(self, role: str, path: str | os.PathLike) -> None:
        check(_add_file(self._h, _u(role), os.fsencode(path)))

    def add_input_digest(self, role: str, sha256_hex: str, size: int) -> None:
        check(_add_digest(self._h, _u(role), _u(sha256_hex), int(size)))

    def set_policy(self, path: str, content: str | bytes) -> None:
        b = content if isinstance(content, bytes) else _u(content)
        check(_set_policy(self._h, _u(path), b, len(b)))

    def set_root_seed(self, seed: int) -> None:
        check(_set_seed(self._h, int(seed)))

    def add_result(self, key: str, value) -> None:
        """results[key] = value (anything json.dumps accepts; NaN is rejected)."""
        check(_add_result(self._h, _u(key), _u(json.dumps(value, allow_nan=False))))

    def add_config(self, key: str, value) -> None:
        check(_add_config(self._h, _u(key), _u(json.dumps(value, allow_nan=False))))

    def add_artifact(self, name: str, data: bytes) -> None:
        check(_add_artifact(self._h, _u(name), bytes(data), len(data)))

    def write(self, path: str | os.PathLike) -> None:
        check(_write(self._h, os.fsencode(path)))

    def to_json(self) -> str:
        need = _c.c_size_t()
        check(_to_json(self._h, None, 0, _c.byref(need)))
        buf = _c.create_string_buffer(need.value)
        check(_to_json(self._h, buf, need.value, _c.byref(need)))
        return buf.value.decode("utf-8")

    @property
    def computation_sha256(self) -> str:
        buf = _c.create_string_buffer(65)
        check(_sha(self._h, buf))
        return buf.value.decode()


class VerifyReport:
    """identical (bool), differences [(where, recorded, rerun)], text."""

    def __init__(self, handle):
        try:
            same = _c.c_int32()
            check(_r_identical(handle, _c.byref(same)))
            self.identical = bool(same.value)
            n = _c.c_size_t()
            check(_r_count(handle, _c.byref(n)))
            self.differences = []
            for i in range(n.value):
                w, a, b = _c.c_char_p(), _c.c_char_p(), _c.c_char_p()
                check(_r_diff(handle, i, _c.byref(w), _c.byref(a), _c.byref(b)))
                self.differences.append(tuple(x.value.decode("utf-8", errors="replace")
                                              for x in (w, a, b)))
            t = _c.c_char_p()
            check(_r_text(handle, _c.byref(t)))
            self.text = t.value.decode("utf-8", errors="replace")
        finally:
            _r_destroy(handle)

    def __bool__(self) -> bool:
        return self.identical

    def __repr__(self) -> str:
        return f"VerifyReport(identical={self.identical}, differences={len(self.differences)})"


def verify(recorded_path: str | os.PathLike, rerun: Manifest) -> VerifyReport:
    """Compares a rerun manifest with the one recorded at recorded_path."""
    h = _c.c_void_p()
    check(_verify(os.fsencode(recorded_path), rerun.handle, _c.byref(h)))
    return VerifyReport(h)


def compare_files(recorded_path: str | os.PathLike, rerun_path: str | os.PathLike) -> VerifyReport:
    h = _c.c_void_p()
    check(_compare(os.fsencode(recorded_path), os.fsencode(rerun_path), _c.byref(h)))
    return VerifyReport(h)


del lib
