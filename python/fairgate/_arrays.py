"""numpy <-> C array conventions shared by the binding modules.

Arrays are handed to C without a copy whenever their dtype is one the C ABI
reads (fairgate_dtype) and they are contiguous; otherwise one converted
contiguous copy is made. Torch tensors are accepted through their numpy view
(`t.detach().cpu().numpy()` shares memory for CPU tensors)."""
from __future__ import annotations

import ctypes

import numpy as np

DTYPE_U8, DTYPE_U16, DTYPE_U32, DTYPE_I32, DTYPE_I64, DTYPE_F32, DTYPE_F64 = range(7)

_LABEL_DTYPES = {np.dtype(np.uint8): DTYPE_U8, np.dtype(np.int32): DTYPE_I32,
                 np.dtype(np.int64): DTYPE_I64}
_CODE_DTYPES = {np.dtype(np.uint8): DTYPE_U8, np.dtype(np.uint16): DTYPE_U16,
                np.dtype(np.uint32): DTYPE_U32}
_REAL_DTYPES = {np.dtype(np.float32): DTYPE_F32, np.dtype(np.float64): DTYPE_F64}


def is_torch(x) -> bool:
    return type(x).__module__.startswith("torch")


def to_numpy(x):
    """A numpy view of x (torch tensors through .numpy(), no copy on CPU)."""
    if is_torch(x):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def one_d(x, name: str) -> np.ndarray:
    a = to_numpy(x)
    if a.ndim != 1:
        a = a.reshape(-1) if a.ndim == 2 and 1 in a.shape else a
    if a.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {a.shape}")
    return a


def labels(x, name: str):
    """(array, dtype code) for 0/1 labels: bool -> u8 view; u8/i32/i64 as is;
    other integers and integral floats converted. Values are checked in C."""
    a = one_d(x, name)
    if a.dtype == np.bool_:
        a = a.view(np.uint8)
    elif a.dtype not in _LABEL_DTYPES:
        if a.dtype.kind in "iu":
            a = a.astype(np.int64)
        elif a.dtype.kind == "f":
            if not np.all(np.isfinite(a)) or not np.all(a == np.round(a)):
                bad = int(np.flatnonzero(~np.isfinite(a) | (a != np.round(a)))[0])
                raise ValueError(f"{name}[{bad}] = {a[bad]!r}: labels must be 0 or 1")
            a = a.astype(np.int64)
        else:
            raise ValueError(f"{name} has dtype {a.dtype}; labels must be 0/1 integers or booleans")
    a = np.ascontiguousarray(a)
    return a, _LABEL_DTYPES[a.dtype]


def codes(x, name: str):
    a = np.ascontiguousarray(one_d(x, name))
    if a.dtype not in _CODE_DTYPES:
        a = np.ascontiguousarray(a, dtype=np.uint32)
    return a, _CODE_DTYPES[a.dtype]


def reals(x, name: str):
    a = one_d(x, name)
    if a.dtype not in _REAL_DTYPES:
        a = a.astype(np.float64)
    a = np.ascontiguousarray(a)
    return a, _REAL_DTYPES[a.dtype]


def ptr(a) -> ctypes.c_void_p:
    return ctypes.c_void_p(a.ctypes.data) if a is not None else ctypes.c_void_p()
