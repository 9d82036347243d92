"""Differentiable fairness penalties with gradients, over fairgate's C ABI.

    >>> import numpy as np, fairgate.objectives as fo
    >>> value, grad = fo.penalty(logits, y, groups, kind="demographic_parity",
    ...                          form="max_minus_min", relaxation="sigmoid", temperature=0.5)

`grad[i]` is d value / d logits[i]; add lambda * grad to your loss gradient.
float32 logits run the single-precision kernel (fairgate_penalty_f32) and give
a float32 gradient; anything else runs in float64 (fairgate_penalty).
Formulas: docs/objectives.md.
"""
from __future__ import annotations

import ctypes

import numpy as np

from ._native import check, declare

_c = ctypes


class _Options(ctypes.Structure):
    _fields_ = [("struct_size", _c.c_uint32), ("kind", _c.c_int32), ("form", _c.c_int32),
                ("relaxation", _c.c_int32), ("temperature", _c.c_double),
                ("tolerance", _c.c_double), ("odds_aggregate", _c.c_int32)]


_init = declare("fairgate_penalty_options_init", [_c.POINTER(_Options)])
_penalty = declare("fairgate_penalty", [
    _c.POINTER(_Options), _c.c_void_p, _c.c_void_p, _c.c_void_p, _c.c_void_p, _c.c_size_t,
    _c.c_uint32, _c.POINTER(_c.c_double), _c.c_void_p])
_penalty_f32 = declare("fairgate_penalty_f32", [
    _c.POINTER(_Options), _c.c_void_p, _c.c_void_p, _c.c_void_p, _c.c_void_p, _c.c_size_t,
    _c.c_uint32, _c.POINTER(_c.c_double), _c.c_void_p])

KINDS = ["demographic_parity", "equal_opportunity", "equalized_odds", "calibration_gap",
         "loss_equalisation"]
FORMS = ["max_minus_min", "max_abs_to_overall", "sum_squared_to_overall",
         "hinge_squared_to_overall"]
RELAXATIONS = ["sigmoid", "hinge", "softplus"]
ODDS_AGGREGATES = ["worst_case", "mean", "sum"]


def _index(name: str, names: list, what: str) -> int:
    try:
        return names.index(name)
    except ValueError:
        raise ValueError(f"unknown {what} {name!r}; expected one of {names}") from None


def _array(x, dtype, name):
    a = np.ascontiguousarray(x, dtype=dtype)
    if a.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    return a


def penalty(scores, y_true, groups, *, kind="demographic_parity", form="max_minus_min",
            relaxation="sigmoid", temperature=1.0, tolerance=0.0, agg="worst_case",
            sample_weight=None, n_groups=None):
    """Returns (value, gradient) of a fairness penalty; see the module docstring.

    Precision follows the scores:
      * float32 scores run fairgate_penalty_f32: the relaxation and the
        gradient in single precision (group sums accumulated in float64);
        `gradient` is float32 and sample_weight is read as float32 (rounded
        once if given in another dtype). value and gradient agree with the
        float64 path on the same (widened) rows to about 1e-6 relative, and
        the call is typically 2-4x faster.
      * any other scores (float64, integers, lists) run fairgate_penalty in
        float64; `gradient` is float64.
    `value` is a Python float either way. Arrays are converted to contiguous
    scores-dtype / uint8 / uint32 only when they are not already (no copy
    otherwise). Invalid input (NaN/Inf scores, labels other than 0/1, group
    codes >= n_groups, negative weights, unknown options) raises
    fairgate.FairgateError naming the first bad row; no gradient is returned
    and the inputs are never modified."""
    raw = np.asarray(scores)
    single = raw.dtype == np.float32
    real = np.float32 if single else np.float64
    s = _array(raw, real, "scores")
    y = _array(y_true, np.uint8, "y_true")
    g = _array(groups, np.uint32, "groups")
    w = None if sample_weight is None else _array(sample_weight, real, "sample_weight")
    if n_groups is None:
        n_groups = int(g.max()) + 1 if g.size else 1
    opts = _Options()
    check(_init(_c.byref(opts)))
    opts.kind = _index(kind, KINDS, "penalty kind")
    opts.form = _index(form, FORMS, "gap form")
    opts.relaxation = _index(relaxation, RELAXATIONS, "relaxation")
    opts.temperature = float(temperature)
    opts.tolerance = float(tolerance)
    opts.odds_aggregate = _index(agg, ODDS_AGGREGATES, "odds aggregate")
    grad = np.empty(s.shape[0], dtype=real)
    value = _c.c_double()
    entry = _penalty_f32 if single else _penalty
    check(entry(_c.byref(opts), s.ctypes.data, y.ctypes.data, g.ctypes.data,
                None if w is None else w.ctypes.data, s.shape[0], n_groups,
                _c.byref(value), grad.ctypes.data))
    return value.value, grad
