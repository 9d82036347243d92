"""Pruning masks for numpy arrays and torch tensors, over fairgate's C ABI.

    >>> import torch, fairgate.prune as fp
    >>> mask = fp.l1_unstructured(layer.weight, amount=0.3)      # torch.bool tensor
    >>> torch.nn.utils.prune.custom_from_mask(layer, "weight", mask)

Semantics are torch.nn.utils.prune's (amount: a float is a fraction of the
weights still unpruned, rounded half to even; an int is a count), with one
documented difference: ties in |w| prune the lower flat index first (torch
leaves the order of ties unspecified). Masks are boolean arrays of the
weight's shape, True = kept; pass `existing_mask` (the mask of an earlier
pass) to prune further: masks only shrink, as in torch's PruningContainer.
Torch tensors are read through their numpy view (no copy for contiguous CPU
tensors) and the masks come back as torch.bool tensors; numpy in, numpy out.
"""
from __future__ import annotations

import ctypes

import numpy as np

from . import _arrays as A
from ._native import check, declare

_c = ctypes
__all__ = ["l1_unstructured", "global_unstructured", "n_m", "ln_structured"]


class _Tensor(_c.Structure):
    _fields_ = [("data", _c.c_void_p), ("dtype", _c.c_int32), ("rank", _c.c_size_t),
                ("shape", _c.POINTER(_c.c_int64)), ("strides", _c.POINTER(_c.c_int64))]


_P = _c.POINTER
_l1 = declare("fairgate_prune_l1_unstructured",
              [_P(_Tensor), _c.c_double, _c.c_int32, _c.c_void_p, _c.c_void_p])
_global = declare("fairgate_prune_global_l1_unstructured",
                  [_P(_Tensor), _c.c_size_t, _c.c_double, _c.c_int32, _c.c_void_p, _c.c_void_p])
_nm = declare("fairgate_prune_n_m",
              [_P(_Tensor), _c.c_int32, _c.c_int32, _c.c_uint32, _c.c_void_p, _c.c_void_p])
_ln = declare("fairgate_prune_ln_structured",
              [_P(_Tensor), _c.c_double, _c.c_int32, _c.c_int32, _c.c_uint32, _c.c_void_p,
               _c.c_void_p])

_NORMS = {1: 1, 2: 2, "fro": 2, float("inf"): 3, "inf": 3}


def tensor_struct(a: np.ndarray):
    """(fairgate_tensor, keep-alive list) for a float32/float64 numpy array.
    Strided arrays are passed with their strides (in elements), not copied."""
    if a.dtype not in (np.float32, np.float64):
        a = a.astype(np.float64)
    if any(s % a.itemsize for s in a.strides):
        a = np.ascontiguousarray(a)
    shape = (_c.c_int64 * max(1, a.ndim))(*a.shape)
    strides = (_c.c_int64 * max(1, a.ndim))(*[s // a.itemsize for s in a.strides])
    t = _Tensor(_c.c_void_p(a.ctypes.data), A.DTYPE_F32 if a.dtype == np.float32 else A.DTYPE_F64,
                a.ndim, shape, strides)
    return t, [a, shape, strides]


def _amount(amount):
    if isinstance(amount, (bool, np.bool_)):
        raise TypeError("amount must be a float fraction or an int count, not bool")
    if isinstance(amount, (int, np.integer)):
        return float(amount), 1
    return float(amount), 0


def _existing(mask, shape):
    if mask is None:
        return None
    m = np.ascontiguousarray(A.to_numpy(mask)).astype(np.uint8, copy=False)
    if m.shape != tuple(shape):
        raise ValueError(f"existing_mask has shape {m.shape}, weight has {tuple(shape)}")
    return np.ascontiguousarray(m)


def _result(mask_u8, like):
    out = mask_u8.astype(bool)
    if A.is_torch(like):
        import torch
        return torch.from_numpy(out)
    return out


def l1_unstructured(weight, amount, *, existing_mask=None):
    """torch.nn.utils.prune.l1_unstructured's mask (True = kept)."""
    w = A.to_numpy(weight)
    t, keep = tensor_struct(w)
    ex = _existing(existing_mask, w.shape)
    out = np.empty(w.shape, dtype=np.uint8)
    amt, is_count = _amount(amount)
    check(_l1(_c.byref(t), amt, is_count, A.ptr(ex), A.ptr(out)))
    del keep
    return _result(out, weight)


def global_unstructured(weights, amount, *, existing_masks=None):
    """torch.nn.utils.prune.global_unstructured(..., pruning_method=L1Unstructured):
    one magnitude threshold over every tensor. Returns one mask per tensor."""
    arrays = [A.to_numpy(w) for w in weights]
    n = len(arrays)
    ts = (_Tensor * max(1, n))()
    keep = []
    for i, a in enumerate(arrays):
        ts[i], k = tensor_struct(a)
        keep.append(k)
    outs = [np.empty(a.shape, dtype=np.uint8) for a in arrays]
    out_ptrs = (_c.c_void_p * max(1, n))(*[o.ctypes.data for o in outs])
    ex_ptrs = None
    if existing_masks is not None:
        if len(existing_masks) != n:
            raise ValueError(f"{len(existing_masks)} existing masks for {n} tensors")
        exs = [_existing(m, a.shape) for m, a in zip(existing_masks, arrays)]
        keep.append(exs)
        ex_ptrs = (_c.c_void_p * max(1, n))(*[e.ctypes.data if e is not None else None for e in exs])
    amt, is_count = _amount(amount)
    check(_global(ts, n, amt, is_count, ex_ptrs, out_ptrs))
    return [_result(o, w) for o, w in zip(outs, weights)]


def n_m(weight, n, m, *, axis=-1, existing_mask=None):
    """N:M sparsity: in every run of m weights along `axis`, the n largest |w| are kept."""
    w = A.to_numpy(weight)
    if axis < 0:
        axis += w.ndim
    t, keep = tensor_struct(w)
    ex = _existing(existing_mask, w.shape)
    out = np.empty(w.shape, dtype=np.uint8)
    check(_nm(_c.byref(t), int(n), int(m), int(axis), A.ptr(ex), A.ptr(out)))
    del keep
    return _result(out, weight)


def ln_structured(weight, amount, n, dim, *, existing_mask=None):
    """torch.nn.utils.prune.ln_structured's mask: whole slices along `dim`
    with the smallest L`n` norm (n = 1, 2 or inf) are pruned."""
    w = A.to_numpy(weight)
    if dim < 0:
        dim += w.ndim
    if n not in _NORMS:
        raise ValueError(f"n must be 1, 2 or inf, got {n!r}")
    t, keep = tensor_struct(w)
    ex = _existing(existing_mask, w.shape)
    out = np.empty(w.shape, dtype=np.uint8)
    amt, is_count = _amount(amount)
    check(_ln(_c.byref(t), amt, is_count, _NORMS[n], int(dim), A.ptr(ex), A.ptr(out)))
    del keep
    return _result(out, weight)
