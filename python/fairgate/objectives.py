"""Differentiable fairness penalties with gradients, over fairgate's C ABI.

    >>> import numpy as np, fairgate.objectives as fo
    >>> value, grad = fo.penalty(logits, y, groups, kind="demographic_parity",
    ...                          form="max_minus_min", relaxation="sigmoid", temperature=0.5)

`grad[i]` is d value / d logits[i]; add lambda * grad to your loss gradient.
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

    Arrays are converted to contiguous float64 / uint8 / uint32 only when they
    are not already (no copy otherwise)."""
    s = _array(scores, np.float64, "scores")
    y = _array(y_true, np.uint8, "y_true")
    g = _array(groups, np.uint32, "groups")
    w = None if sample_weight is None else _array(sample_weight, np.float64, "sample_weight")
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
    grad = np.empty(s.shape[0], dtype=np.float64)
    value = _c.c_double()
    check(_penalty(_c.byref(opts), s.ctypes.data, y.ctypes.data, g.ctypes.data,
                   None if w is None else w.ctypes.data, s.shape[0], n_groups,
                   _c.byref(value), grad.ctypes.data))
    return value.value, grad
