"""The fairness gate over fairgate's C ABI: does a target of a policy still
hold for a candidate (compressed) model, judged against the baseline model on
the same rows? (docs/gate.md has the rules.)

    >>> import fairgate.gate as fg, fairgate.policy as fpol
    >>> p = fpol.Policy.from_file("policy.toml")
    >>> v = fg.evaluate(p, "server", y_true, baseline_scores, candidate_scores,
    ...                 sensitive_features={"sex": sex, "race": race})
    >>> v.passed, v.constraints[0]["value"], print(v.table)

Arrays are passed to C without a copy when they already have a dtype the C
ABI reads (labels u8/i32/i64 or bool, scores f32/f64, codes u8/u16/u32).
Groups are given either as `sensitive_features` (one array of group labels,
or a dict {feature name: array} for intersectional groups "a|b", checked
against the target's sensitive_features) or as integer `groups` codes plus
`group_names`. Group labels are ordered as numpy.unique orders them.
"""
from __future__ import annotations

import ctypes
import json

import numpy as np

from . import _arrays as A
from ._native import check, declare

_c = ctypes
_P = _c.POINTER
__all__ = ["evaluate", "Verdict", "encode_groups"]

OUTCOMES = ("pass", "fail", "skipped")


class _GateInputs(_c.Structure):
    _fields_ = [("struct_size", _c.c_uint32), ("n", _c.c_size_t),
                ("labels", _c.c_void_p), ("labels_dtype", _c.c_int32),
                ("baseline_scores", _c.c_void_p), ("baseline_dtype", _c.c_int32),
                ("candidate_scores", _c.c_void_p), ("candidate_dtype", _c.c_int32),
                ("groups", _c.c_void_p), ("groups_dtype", _c.c_int32),
                ("group_names", _P(_c.c_char_p)), ("n_groups", _c.c_size_t),
                ("sensitive_features", _P(_c.c_char_p)), ("n_sensitive_features", _c.c_size_t),
                ("weights", _c.c_void_p), ("weights_dtype", _c.c_int32),
                ("threshold", _c.c_double), ("has_seed", _c.c_int32), ("seed", _c.c_uint64)]


class _ConstraintResult(_c.Structure):
    _fields_ = [("struct_size", _c.c_uint32), ("id", _c.c_char_p), ("metric", _c.c_char_p),
                ("scope", _c.c_char_p), ("bound", _c.c_char_p), ("evidence", _c.c_char_p),
                ("outcome", _c.c_int32), ("value", _c.c_double), ("lower", _c.c_double),
                ("upper", _c.c_double), ("p_value", _c.c_double), ("reason", _c.c_char_p),
                ("n_items", _c.c_size_t), ("n_groups", _c.c_size_t)]


class _ItemResult(_c.Structure):
    _fields_ = [("struct_size", _c.c_uint32), ("group", _c.c_char_p), ("support", _c.c_uint64),
                ("baseline", _c.c_double), ("candidate", _c.c_double),
                ("statistic", _c.c_double), ("bound", _c.c_double), ("lower", _c.c_double),
                ("upper", _c.c_double), ("judged", _c.c_double), ("p_value", _c.c_double),
                ("p_adjusted", _c.c_double), ("test", _c.c_char_p), ("undefined", _c.c_int32),
                ("outcome", _c.c_int32), ("note", _c.c_char_p)]


_init = declare("fairgate_gate_inputs_init", [_P(_GateInputs)])
_evaluate = declare("fairgate_gate_evaluate",
                    [_c.c_void_p, _c.c_char_p, _P(_GateInputs), _P(_c.c_void_p)])
_destroy = declare("fairgate_verdict_destroy", [_c.c_void_p], None)
_pass = declare("fairgate_verdict_pass", [_c.c_void_p, _P(_c.c_int32)])
_count = declare("fairgate_verdict_constraint_count", [_c.c_void_p, _P(_c.c_size_t)])
_constraint = declare("fairgate_verdict_constraint",
                      [_c.c_void_p, _c.c_size_t, _P(_ConstraintResult)])
_group = declare("fairgate_verdict_constraint_group",
                 [_c.c_void_p, _c.c_size_t, _c.c_size_t, _P(_c.c_char_p)])
_item = declare("fairgate_verdict_item", [_c.c_void_p, _c.c_size_t, _c.c_size_t, _P(_ItemResult)])
_json = declare("fairgate_verdict_json", [_c.c_void_p, _P(_c.c_char_p), _P(_c.c_size_t)])
_table = declare("fairgate_verdict_table", [_c.c_void_p, _P(_c.c_char_p), _P(_c.c_size_t)])


def _s(b) -> str:
    return b.decode("utf-8", errors="replace") if b is not None else ""


def encode_groups(sensitive_features=None, groups=None, group_names=None):
    """(codes u32 array, group names, sensitive feature names) from either
    `sensitive_features` (array of labels, or dict {name: array}) or integer
    `groups` codes with `group_names`."""
    if sensitive_features is None:
        if groups is None or group_names is None:
            raise ValueError("give sensitive_features, or groups with group_names")
        codes, _ = A.codes(groups, "groups")
        return codes, [str(n) for n in group_names], []
    if groups is not None:
        raise ValueError("give sensitive_features or groups, not both")
    if isinstance(sensitive_features, dict):
        features = [str(k) for k in sensitive_features]
        cols = [np.asarray(A.to_numpy(v)).astype(str) for v in sensitive_features.values()]
        n = {len(c) for c in cols}
        if len(n) != 1:
            raise ValueError(f"sensitive_features columns have different lengths {sorted(n)}")
        labels = cols[0] if len(cols) == 1 else np.array(
            ["|".join(t) for t in zip(*cols)], dtype=object)
    else:
        features = []
        labels = np.asarray(A.to_numpy(sensitive_features)).astype(str)
    names, inverse = np.unique(np.asarray(labels, dtype=str), return_inverse=True)
    return inverse.astype(np.uint32), [str(x) for x in names], features


def _c_strings(items):
    arr = (_c.c_char_p * max(1, len(items)))(*[s.encode("utf-8") for s in items])
    return arr


class Verdict:
    """The gate's answer for one target: `passed`, `constraints` (list of dicts,
    each with its judged `items`), `json` (deterministic text), `table`."""

    def __init__(self, handle):
        try:
            p = _c.c_int32()
            check(_pass(handle, _c.byref(p)))
            self.passed = bool(p.value)
            n = _c.c_size_t()
            check(_count(handle, _c.byref(n)))
            self.constraints = [self._constraint(handle, i) for i in range(n.value)]
            s, ln = _c.c_char_p(), _c.c_size_t()
            check(_json(handle, _c.byref(s), _c.byref(ln)))
            self.json = _s(s.value)
            check(_table(handle, _c.byref(s), None))
            self.table = _s(s.value)
        finally:
            _destroy(handle)

    @staticmethod
    def _constraint(h, i) -> dict:
        r = _ConstraintResult()
        r.struct_size = _c.sizeof(r)
        check(_constraint(h, i, _c.byref(r)))
        groups = []
        for g in range(r.n_groups):
            s = _c.c_char_p()
            check(_group(h, i, g, _c.byref(s)))
            groups.append(_s(s.value))
        items = []
        for k in range(r.n_items):
            it = _ItemResult()
            it.struct_size = _c.sizeof(it)
            check(_item(h, i, k, _c.byref(it)))
            items.append({"group": _s(it.group), "support": it.support, "baseline": it.baseline,
                          "candidate": it.candidate, "statistic": it.statistic,
                          "bound": it.bound, "lower": it.lower, "upper": it.upper,
                          "judged": it.judged, "p_value": it.p_value,
                          "p_adjusted": it.p_adjusted, "test": _s(it.test),
                          "undefined": bool(it.undefined), "result": OUTCOMES[it.outcome],
                          "note": _s(it.note)})
        return {"id": _s(r.id), "metric": _s(r.metric), "scope": _s(r.scope),
                "bound": _s(r.bound), "evidence": _s(r.evidence),
                "result": OUTCOMES[r.outcome], "value": r.value, "lower": r.lower,
                "upper": r.upper, "p_value": r.p_value, "reason": _s(r.reason),
                "groups": groups, "items": items}

    def __bool__(self) -> bool:
        return self.passed

    def to_dict(self) -> dict:
        """The verdict JSON (docs/gate.md) as a dict."""
        return json.loads(self.json)

    def __repr__(self) -> str:
        fails = [c["id"] for c in self.constraints if c["result"] == "fail"]
        return f"Verdict(passed={self.passed}, failing={fails})"


def evaluate(policy, target: str, y_true, baseline_scores, candidate_scores, *,
             sensitive_features=None, groups=None, group_names=None, sample_weight=None,
             threshold: float = 0.5, seed: int | None = None) -> Verdict:
    """Judges every constraint of `target` (see the module docstring).
    Prediction = score >= threshold. `seed` overrides the policy's bootstrap seeds."""
    codes, names, features = encode_groups(sensitive_features, groups, group_names)
    y, ydt = A.labels(y_true, "y_true")
    s0, s0dt = A.reals(baseline_scores, "baseline_scores")
    s1, s1dt = A.reals(candidate_scores, "candidate_scores")
    g, gdt = A.codes(codes, "groups")
    n = len(y)
    for name, a in (("baseline_scores", s0), ("candidate_scores", s1), ("groups", g)):
        if len(a) != n:
            raise ValueError(f"{name} has {len(a)} rows but y_true has {n}")
    w, wdt = (None, A.DTYPE_F64)
    if sample_weight is not None:
        w, wdt = A.reals(sample_weight, "sample_weight")
        if len(w) != n:
            raise ValueError(f"sample_weight has {len(w)} rows but y_true has {n}")
    c_names = _c_strings(names)
    c_feats = _c_strings(features)
    gi = _GateInputs()
    check(_init(_c.byref(gi)))
    gi.n = n
    gi.labels, gi.labels_dtype = A.ptr(y), ydt
    gi.baseline_scores, gi.baseline_dtype = A.ptr(s0), s0dt
    gi.candidate_scores, gi.candidate_dtype = A.ptr(s1), s1dt
    gi.groups, gi.groups_dtype = A.ptr(g), gdt
    gi.group_names, gi.n_groups = c_names, len(names)
    gi.sensitive_features, gi.n_sensitive_features = c_feats, len(features)
    if w is not None:
        gi.weights, gi.weights_dtype = A.ptr(w), wdt
    gi.threshold = float(threshold)
    if seed is not None:
        gi.has_seed, gi.seed = 1, int(seed)
    h = _c.c_void_p()
    check(_evaluate(policy.handle, target.encode("utf-8"), _c.byref(gi), _c.byref(h)))
    return Verdict(h)
