"""Fairness policies (TOML, docs/policy.md) over fairgate's C ABI.

    >>> import fairgate.policy as fpol
    >>> p = fpol.Policy.from_file("examples/policies/adult_targets.toml")
    >>> [t["name"] for t in p.targets]
    ['server', 'device']
    >>> fpol.validate('metric = "acuracy"')          # every problem, with line and key
    [{'line': 1, 'column': 1, 'key': 'metric', 'message': ..., 'text': '<string>:1:1: ...'}]

A malformed policy raises fairgate.FairgateError (a ParseError, also a
ValueError) whose message lists every diagnostic as
"source:LINE:COLUMN: key 'target[0].constraint[1].bound': problem".
"""
from __future__ import annotations

import ctypes
import os

from ._native import check, declare, lib

_c = ctypes
_P = _c.POINTER
__all__ = ["Policy", "validate", "validate_file"]


class _TargetInfo(_c.Structure):
    _fields_ = [("struct_size", _c.c_uint32), ("name", _c.c_char_p),
                ("n_constraints", _c.c_size_t), ("n_sensitive_features", _c.c_size_t),
                ("max_sparsity", _c.c_double), ("min_allowed_bits", _c.c_uint32),
                ("per_channel", _c.c_int32)]


class _Diagnostic(_c.Structure):
    _fields_ = [("struct_size", _c.c_uint32), ("line", _c.c_uint32), ("column", _c.c_uint32),
                ("source", _c.c_char_p), ("key", _c.c_char_p), ("message", _c.c_char_p),
                ("text", _c.c_char_p)]


_load_file = declare("fairgate_policy_load_file", [_c.c_char_p, _P(_c.c_void_p)])
_load_string = declare("fairgate_policy_load_string",
                       [_c.c_char_p, _c.c_size_t, _c.c_char_p, _P(_c.c_void_p)])
_destroy = declare("fairgate_policy_destroy", [_c.c_void_p], None)
_name = declare("fairgate_policy_name", [_c.c_void_p, _P(_c.c_char_p)])
_digest = declare("fairgate_policy_digest", [_c.c_void_p, _P(_c.c_char_p)])
_canonical = declare("fairgate_policy_canonical_toml", [_c.c_void_p, _P(_c.c_char_p)])
_target_count = declare("fairgate_policy_target_count", [_c.c_void_p, _P(_c.c_size_t)])
_target = declare("fairgate_policy_target", [_c.c_void_p, _c.c_size_t, _P(_TargetInfo)])
_feature = declare("fairgate_policy_sensitive_feature",
                   [_c.c_void_p, _c.c_size_t, _c.c_size_t, _P(_c.c_char_p)])
_validate = declare("fairgate_policy_validate",
                    [_c.c_char_p, _c.c_size_t, _c.c_char_p, _P(_c.c_void_p)])
_validate_file = declare("fairgate_policy_validate_file", [_c.c_char_p, _P(_c.c_void_p)])
_diag_destroy = declare("fairgate_policy_diagnostics_destroy", [_c.c_void_p], None)
_diag_count = declare("fairgate_policy_diagnostics_count", [_c.c_void_p, _P(_c.c_size_t)])
_diag_get = declare("fairgate_policy_diagnostics_get",
                    [_c.c_void_p, _c.c_size_t, _P(_Diagnostic)])


def _text(s: str | bytes) -> bytes:
    return s if isinstance(s, bytes) else s.encode("utf-8")


def _string(fn, handle) -> str:
    out = _c.c_char_p()
    check(fn(handle, _c.byref(out)))
    return out.value.decode("utf-8")


class Policy:
    """A loaded, checked policy (immutable). Create with from_file / from_string."""

    def __init__(self, handle: _c.c_void_p):
        self._h = handle

    @classmethod
    def from_file(cls, path: str | os.PathLike) -> "Policy":
        h = _c.c_void_p()
        check(_load_file(os.fsencode(path), _c.byref(h)))
        return cls(h)

    @classmethod
    def from_string(cls, text: str | bytes, source_name: str = "<string>") -> "Policy":
        b = _text(text)
        h = _c.c_void_p()
        check(_load_string(b, len(b), _text(source_name), _c.byref(h)))
        return cls(h)

    def __del__(self):
        h, self._h = getattr(self, "_h", None), None
        if h:
            _destroy(h)

    @property
    def handle(self) -> _c.c_void_p:
        return self._h

    @property
    def name(self) -> str:
        return _string(_name, self._h)

    @property
    def digest(self) -> str:
        """"sha256:<hex>" of the canonical text: equal for policies that mean the same."""
        return _string(_digest, self._h)

    @property
    def canonical_toml(self) -> str:
        return _string(_canonical, self._h)

    @property
    def targets(self) -> list[dict]:
        """Every target: name, n_constraints, sensitive_features, max_sparsity,
        min_allowed_bits, per_channel."""
        n = _c.c_size_t()
        check(_target_count(self._h, _c.byref(n)))
        out = []
        for i in range(n.value):
            info = _TargetInfo()
            info.struct_size = _c.sizeof(_TargetInfo)
            check(_target(self._h, i, _c.byref(info)))
            feats = []
            for f in range(info.n_sensitive_features):
                s = _c.c_char_p()
                check(_feature(self._h, i, f, _c.byref(s)))
                feats.append(s.value.decode("utf-8"))
            out.append({"name": info.name.decode("utf-8"), "n_constraints": info.n_constraints,
                        "sensitive_features": feats, "max_sparsity": info.max_sparsity,
                        "min_allowed_bits": info.min_allowed_bits,
                        "per_channel": bool(info.per_channel)})
        return out

    def target_names(self) -> list[str]:
        return [t["name"] for t in self.targets]

    def __repr__(self) -> str:
        return f"Policy({self.name!r}, targets={self.target_names()})"


def _diagnostics(h) -> list[dict]:
    try:
        n = _c.c_size_t()
        check(_diag_count(h, _c.byref(n)))
        out = []
        for i in range(n.value):
            d = _Diagnostic()
            d.struct_size = _c.sizeof(_Diagnostic)
            check(_diag_get(h, i, _c.byref(d)))
            out.append({"line": d.line, "column": d.column, "source": d.source.decode("utf-8"),
                        "key": d.key.decode("utf-8"),
                        "message": d.message.decode("utf-8", errors="replace"),
                        "text": d.text.decode("utf-8", errors="replace")})
        return out
    finally:
        _diag_destroy(h)


def validate(text: str | bytes, source_name: str = "<string>") -> list[dict]:
    """Every problem of a policy text (empty list: valid), sorted by position.
    Each: line, column (1-based; 0 without a position), source, key (the key
    path, e.g. "target[0].constraint[1].bound"), message, text (formatted)."""
    b = _text(text)
    h = _c.c_void_p()
    check(_validate(b, len(b), _text(source_name), _c.byref(h)))
    return _diagnostics(h)


def validate_file(path: str | os.PathLike) -> list[dict]:
    h = _c.c_void_p()
    check(_validate_file(os.fsencode(path), _c.byref(h)))
    return _diagnostics(h)


del lib
