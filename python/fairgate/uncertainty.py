"""Intervals and tests for fairness metrics, over fairgate's C ABI.

    >>> from fairgate.metrics import Accumulator
    >>> from fairgate import uncertainty as fu
    >>> lo, hi = fu.wilson_interval(8, 10)                        # statsmodels "wilson"
    >>> stat, p = fu.compare_groups(acc, 0, 1, "true_positive_rate", test="fisher")
    >>> adjusted, reject = fu.adjust_p_values([0.01, 0.04], method="holm")
    >>> lo, hi = fu.bootstrap_disparity(acc, "equalized_odds_difference", seed=42, replicates=1000)
"""
from __future__ import annotations

import ctypes

import numpy as np

from ._native import check, declare
from .metrics import _DISPARITIES, METRICS, Accumulator, _index, _MetricOptions, _options

_c = ctypes
__all__ = ["wilson_interval", "group_wilson_interval", "compare_groups", "mcnemar_by_group",
           "adjust_p_values", "bootstrap_disparity"]


class _Interval(_c.Structure):
    _fields_ = [("estimate", _c.c_double), ("lower", _c.c_double), ("upper", _c.c_double),
                ("defined", _c.c_int32), ("low_support", _c.c_int32)]


class _Mcnemar(_c.Structure):
    _fields_ = [("b", _c.c_uint64), ("c", _c.c_uint64), ("statistic", _c.c_uint64),
                ("p_value", _c.c_double)]


class _BootOptions(_c.Structure):
    _fields_ = [("struct_size", _c.c_uint32), ("seed", _c.c_uint64), ("replicates", _c.c_uint32),
                ("confidence", _c.c_double), ("stratified", _c.c_int32)]


_P = _c.POINTER
_wilson = declare("fairgate_wilson_interval", [_c.c_void_p, _c.c_uint32, _c.c_int32, _c.c_double,
                                               _c.c_int32, _P(_Interval)])
_wilson_counts = declare("fairgate_wilson_interval_counts",
                         [_c.c_uint64, _c.c_uint64, _c.c_double, _c.c_int32, _P(_Interval)])
_compare = declare("fairgate_compare_groups",
                   [_c.c_void_p, _c.c_uint32, _c.c_uint32, _c.c_int32, _c.c_int32, _c.c_int32,
                    _P(_c.c_double), _P(_c.c_double)])
_mcnemar = declare("fairgate_mcnemar_by_group",
                   [_c.c_void_p, _c.c_int32, _c.c_void_p, _c.c_int32, _c.c_void_p, _c.c_int32,
                    _c.c_void_p, _c.c_int32, _c.c_size_t, _c.c_uint32, _P(_Mcnemar)])
_adjust = declare("fairgate_adjust_p_values",
                  [_c.c_void_p, _c.c_size_t, _c.c_int32, _c.c_double, _c.c_void_p, _c.c_void_p])
_boot_init = declare("fairgate_bootstrap_options_init", [_P(_BootOptions)])
_boot = declare("fairgate_bootstrap_disparity",
                [_c.c_void_p, _c.c_int32, _P(_MetricOptions), _P(_BootOptions), _P(_Interval),
                 _P(_c.c_uint32)])

_TESTS = ["z", "fisher"]
_ALTERNATIVES = ["two-sided", "less", "greater"]
_ADJUST = ["holm", "fdr_bh"]


def wilson_interval(successes, trials, *, confidence=0.95, continuity_correction=False):
    """(lower, upper); (nan, nan) when trials = 0."""
    out = _Interval()
    check(_wilson_counts(int(successes), int(trials), float(confidence),
                         1 if continuity_correction else 0, _c.byref(out)))
    return out.lower, out.upper


def group_wilson_interval(acc: Accumulator, group, metric, *, confidence=0.95,
                          continuity_correction=False):
    out = _Interval()
    check(_wilson(acc._h, int(group), _index(metric, METRICS, "metric"), float(confidence),
                  1 if continuity_correction else 0, _c.byref(out)))
    return out.lower, out.upper


def compare_groups(acc: Accumulator, group1, group2, metric, *, test="z", alternative="two-sided"):
    """(statistic, p_value): z for test="z" (statsmodels proportions_ztest),
    the odds ratio for test="fisher" (scipy.stats.fisher_exact)."""
    stat, p = _c.c_double(), _c.c_double()
    check(_compare(acc._h, int(group1), int(group2), _index(metric, METRICS, "metric"),
                   _index(test, _TESTS, "test"), _index(alternative, _ALTERNATIVES, "alternative"),
                   _c.byref(stat), _c.byref(p)))
    return stat.value, p.value


def mcnemar_by_group(y_true, baseline_pred, candidate_pred, groups, n_groups=None):
    """[(b, c, p_value)] per group: exact McNemar of baseline vs candidate."""
    from . import _arrays as A
    y, yd = A.labels(y_true, "y_true")
    a, ad = A.labels(baseline_pred, "baseline_pred")
    b, bd = A.labels(candidate_pred, "candidate_pred")
    g, gd = A.codes(groups, "groups")
    n = y.shape[0]
    for name, arr in (("baseline_pred", a), ("candidate_pred", b), ("groups", g)):
        if arr.shape[0] != n:
            raise ValueError(f"{name} has {arr.shape[0]} rows but y_true has {n}")
    if n_groups is None:
        n_groups = int(g.max()) + 1 if n else 1
    out = (_Mcnemar * max(1, n_groups))()
    check(_mcnemar(y.ctypes.data, yd, a.ctypes.data, ad, b.ctypes.data, bd, g.ctypes.data, gd,
                   n, n_groups, out))
    return [(r.b, r.c, r.p_value) for r in out[:n_groups]]


def adjust_p_values(p_values, *, method="holm", alpha=0.05):
    """(adjusted, reject) as statsmodels multipletests(method="holm" / "fdr_bh")."""
    p = np.ascontiguousarray(p_values, dtype=np.float64).reshape(-1)
    adj = np.empty_like(p)
    rej = np.empty(p.shape, dtype=np.uint8)
    check(_adjust(p.ctypes.data, p.size, _index(method, _ADJUST, "method"), float(alpha),
                  adj.ctypes.data, rej.ctypes.data))
    return adj, rej.astype(bool)


def bootstrap_disparity(acc: Accumulator, disparity, *, seed=0, replicates=1000, confidence=0.95,
                        stratified=False, method="between_groups", agg="worst_case"):
    """(lower, upper) percentile interval of a Fairlearn disparity (unweighted counts)."""
    o = _BootOptions()
    check(_boot_init(_c.byref(o)))
    o.seed, o.replicates, o.confidence = int(seed), int(replicates), float(confidence)
    o.stratified = 1 if stratified else 0
    m = _options(method=method, agg=agg)
    out = _Interval()
    check(_boot(acc._h, _index(disparity, _DISPARITIES, "disparity"), _c.byref(m), _c.byref(o),
                _c.byref(out), None))
    return out.lower, out.upper
