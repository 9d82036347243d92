"""Integer quantization of numpy arrays and torch tensors, over fairgate's C ABI.

    >>> import fairgate.quantize as fq
    >>> scales, zps = fq.qparams(w, axis=0)                  # per output channel, int8
    >>> q = fq.quantize(w, scales, zps, axis=0)              # np.int8, same shape
    >>> w_hat = fq.dequantize(q, scales, zps, axis=0)        # float32
    >>> fq.fake_quantize(w, scales, zps, axis=0, out=w)      # in place

Semantics: PyTorch 1.13's CPU kernels, q = clamp(zero_point + round(x * (1 /
scale)), qmin, qmax), rounding half to even by default; qparams() is
torch's MinMaxObserver / PerChannelMinMaxObserver (scale_rule
"torch_symmetric" = per_tensor/per_channel_symmetric, "affine" =
per_tensor/per_channel_affine; "narrow_symmetric" = max|x| / qmax with zero
point 0). axis=None means per-tensor. Only int8 and uint8 are exposed here.
"""
from __future__ import annotations

import ctypes

import numpy as np

from . import _arrays as A
from ._native import check, declare
from .prune import _Tensor, tensor_struct

_c = ctypes
__all__ = ["qparams", "quantize", "dequantize", "fake_quantize"]

_QTYPES = {"int8": (0, np.int8), "uint8": (1, np.uint8)}
_RULES = ["torch_symmetric", "narrow_symmetric", "affine"]
_ROUNDING = ["half_to_even", "half_away_from_zero", "stochastic"]


class _Options(_c.Structure):
    _fields_ = [("struct_size", _c.c_uint32), ("qtype", _c.c_int32), ("scale_rule", _c.c_int32),
                ("axis", _c.c_int32), ("reduce_range", _c.c_int32), ("narrow_range", _c.c_int32),
                ("rounding", _c.c_int32), ("stream_index", _c.c_uint32), ("seed", _c.c_uint64)]


_P = _c.POINTER
_init = declare("fairgate_quant_options_init", [_P(_Options)])
_params = declare("fairgate_quant_params", [_P(_Tensor), _P(_Options), _c.c_void_p, _c.c_void_p,
                                            _c.c_size_t, _P(_c.c_size_t)])
_quantize = declare("fairgate_quantize", [_P(_Tensor), _P(_Options), _c.c_void_p, _c.c_void_p,
                                          _c.c_size_t, _c.c_void_p, _c.c_size_t])
_dequantize = declare("fairgate_dequantize", [_c.c_void_p, _c.c_size_t, _P(_Options), _c.c_void_p,
                                              _c.c_void_p, _c.c_size_t, _P(_Tensor)])
_fake = declare("fairgate_fake_quantize", [_P(_Tensor), _P(_Options), _c.c_void_p, _c.c_void_p,
                                           _c.c_size_t, _P(_Tensor)])


def _index(name, names, what):
    if name not in names:
        raise ValueError(f"unknown {what} {name!r}; expected one of {list(names)}")
    return list(names).index(name)


def _options(ndim, *, axis, dtype, scale_rule="torch_symmetric", rounding="half_to_even",
             reduce_range=False, seed=0, stream_index=0):
    o = _Options()
    check(_init(_c.byref(o)))
    if dtype not in _QTYPES:
        raise ValueError(f"dtype must be one of {list(_QTYPES)}, got {dtype!r}")
    o.qtype = _QTYPES[dtype][0]
    o.scale_rule = _index(scale_rule, _RULES, "scale_rule")
    if axis is None:
        o.axis = -1
    else:
        o.axis = axis + ndim if axis < 0 else axis
    o.reduce_range = 1 if reduce_range else 0
    o.rounding = _index(rounding, _ROUNDING, "rounding")
    o.seed = int(seed)
    o.stream_index = int(stream_index)
    return o


def _params_arrays(scales, zero_points):
    s = np.ascontiguousarray(np.atleast_1d(A.to_numpy(scales)), dtype=np.float32)
    z = np.ascontiguousarray(np.atleast_1d(A.to_numpy(zero_points)), dtype=np.int32)
    if s.shape != z.shape or s.ndim != 1:
        raise ValueError(f"scales {s.shape} and zero_points {z.shape} must be equal-length 1-D")
    return s, z


def qparams(x, *, axis=None, dtype="int8", scale_rule="torch_symmetric", reduce_range=False):
    """(scales float32, zero_points int32) from x's min/max (per channel of `axis`)."""
    a = A.to_numpy(x)
    t, keep = tensor_struct(a)
    o = _options(a.ndim, axis=axis, dtype=dtype, scale_rule=scale_rule, reduce_range=reduce_range)
    n = _c.c_size_t()
    check(_params(_c.byref(t), _c.byref(o), None, None, 0, _c.byref(n)))
    s = np.empty(n.value, dtype=np.float32)
    z = np.empty(n.value, dtype=np.int32)
    check(_params(_c.byref(t), _c.byref(o), s.ctypes.data, z.ctypes.data, n.value, _c.byref(n)))
    del keep
    return s, z


def quantize(x, scales, zero_points, *, axis=None, dtype="int8", rounding="half_to_even", seed=0,
             stream_index=0):
    """Integer array (np.int8 / np.uint8) of x's shape."""
    a = A.to_numpy(x)
    t, keep = tensor_struct(a)
    o = _options(a.ndim, axis=axis, dtype=dtype, rounding=rounding, seed=seed,
                 stream_index=stream_index)
    s, z = _params_arrays(scales, zero_points)
    out = np.empty(a.shape, dtype=_QTYPES[dtype][1])
    check(_quantize(_c.byref(t), _c.byref(o), s.ctypes.data, z.ctypes.data, s.size,
                    out.ctypes.data, out.size))
    del keep
    return out


def dequantize(q, scales, zero_points, *, axis=None, dtype="int8", out_dtype=np.float32):
    """(q - zero_point) * scale as a float array of q's shape."""
    qa = np.ascontiguousarray(A.to_numpy(q))
    if qa.dtype != _QTYPES[dtype][1]:
        raise ValueError(f"q has dtype {qa.dtype}, expected {np.dtype(_QTYPES[dtype][1])}")
    o = _options(qa.ndim, axis=axis, dtype=dtype)
    s, z = _params_arrays(scales, zero_points)
    out = np.empty(qa.shape, dtype=out_dtype)
    t, keep = tensor_struct(out)
    check(_dequantize(qa.ctypes.data, qa.size, _c.byref(o), s.ctypes.data, z.ctypes.data, s.size,
                      _c.byref(t)))
    del keep
    return out


def fake_quantize(x, scales, zero_points, *, axis=None, dtype="int8", rounding="half_to_even",
                  seed=0, stream_index=0, out=None):
    """dequantize(quantize(x)) in x's float type; `out=x` works in place
    (also for a torch tensor, through its shared numpy view)."""
    a = A.to_numpy(x)
    t, keep = tensor_struct(a)
    if keep[0] is not a and out is not None:
        raise ValueError("in-place fake_quantize needs a float32/float64 array with element strides")
    o = _options(a.ndim, axis=axis, dtype=dtype, rounding=rounding, seed=seed,
                 stream_index=stream_index)
    s, z = _params_arrays(scales, zero_points)
    result = A.to_numpy(out) if out is not None else np.empty(a.shape, dtype=keep[0].dtype)
    if result.shape != a.shape:
        raise ValueError(f"out has shape {result.shape}, x has {a.shape}")
    to, keep_o = tensor_struct(result)
    if keep_o[0] is not result:
        raise ValueError("out must be a float32/float64 array with element strides")
    check(_fake(_c.byref(t), _c.byref(o), s.ctypes.data, z.ctypes.data, s.size, _c.byref(to)))
    del keep, keep_o
    return out if out is not None else result
