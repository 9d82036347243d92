"""The streaming fairness monitor (fairgate_monitor in fairgate.h), for an inference runtime.

    >>> from fairgate.monitor import Monitor, Constraint
    >>> mon = Monitor(2, window="tumbling", window_size=1500,
    ...               constraints=[Constraint("selection_rate", "difference", "<=", 0.1)],
    ...               baseline_rows=(val_scores, val_groups, val_labels),
    ...               on_alarm=lambda target, alarms: rollback(target))
    >>> mon.observe(scores, groups, labels)       # arrays (zero-copy) or one prediction
    >>> report = mon.poll()                       # report.groups, .constraints, .alarms

Everything is allocated when the Monitor is created; observe, label and poll
never allocate on the C side (the Python objects poll() returns are, of
course, Python allocations). Semantics, windows and alarm rules:
docs/monitoring.md. The same stream gives the same report bit for bit as the
C++ monitor (fairgate::monitor::monitor), which this wraps.

on_alarm(target, alarms) is called inside poll() when the poll raised
alarms (target is the Monitor's `target`, alarms a list of dicts as in
Report.alarms). If it raises, poll() re-raises that exception after the C
call has returned (the report is still complete: see last_report()).
"""
from __future__ import annotations

import ctypes
import math
from dataclasses import dataclass, field

import numpy as np

from . import _arrays as A
from ._native import check, declare

_c = ctypes

__all__ = ["Monitor", "Constraint", "Report", "constraints_from_policy", "record_known_good",
           "last_known_good", "RATE_METRICS", "ALARM_KINDS", "CONSTRAINT_STATES"]

# fairgate_rate_metric, fairgate_alarm_kind, fairgate_constraint_state, in C enum order.
RATE_METRICS = ["selection_rate", "true_positive_rate", "false_positive_rate",
                "true_negative_rate", "false_negative_rate", "accuracy", "precision"]
ALARM_KINDS = ["parity_bound", "change", "psi", "ks"]
CONSTRAINT_STATES = ["satisfied", "inconclusive", "violated", "insufficient"]
_WINDOWS = ["tumbling", "sliding", "decay"]
_KINDS = ["difference", "group_rate"]
_OPS = {"<=": 0, "le": 0, ">=": 1, "ge": 1}
_LABEL_RESULTS = ["applied", "unknown_id", "outside_window"]
_NO_INDEX = 0xFFFFFFFF


class _Interval(_c.Structure):
    _fields_ = [("estimate", _c.c_double), ("lower", _c.c_double), ("upper", _c.c_double),
                ("defined", _c.c_int32), ("low_support", _c.c_int32)]


class _Constraint(_c.Structure):
    _fields_ = [("struct_size", _c.c_uint32), ("metric", _c.c_int32), ("kind", _c.c_int32),
                ("op", _c.c_int32), ("bound", _c.c_double), ("confidence", _c.c_double),
                ("alpha", _c.c_double), ("watch_change", _c.c_int32)]


class _Alarm(_c.Structure):
    _fields_ = [("kind", _c.c_int32), ("metric", _c.c_int32), ("constraint", _c.c_uint32),
                ("group", _c.c_uint32), ("other_group", _c.c_uint32), ("reserved", _c.c_uint32),
                ("value", _c.c_double), ("lower", _c.c_double), ("upper", _c.c_double),
                ("threshold", _c.c_double), ("baseline_value", _c.c_double),
                ("p_value", _c.c_double), ("level", _c.c_double), ("support", _c.c_double),
                ("poll", _c.c_uint64), ("observations", _c.c_uint64)]


class _Group(_c.Structure):
    _fields_ = [("observations", _c.c_double), ("effective", _c.c_double),
                ("labelled", _c.c_double), ("rates", _Interval * 7),
                ("psi", _c.c_double), ("ks", _c.c_double)]


class _ConstraintStatus(_c.Structure):
    _fields_ = [("state", _c.c_int32), ("change_alarm", _c.c_int32), ("group", _c.c_uint32),
                ("other_group", _c.c_uint32), ("value", _Interval)]


class _Summary(_c.Structure):
    _fields_ = [("struct_size", _c.c_uint32), ("window_complete", _c.c_int32),
                ("poll", _c.c_uint64), ("observations", _c.c_uint64),
                ("window_index", _c.c_uint64), ("pending_overwritten", _c.c_uint64),
                ("labels_unknown_id", _c.c_uint64), ("labels_outside_window", _c.c_uint64),
                ("n_groups", _c.c_uint32), ("n_constraints", _c.c_uint32),
                ("n_alarms", _c.c_uint32), ("alarm_capacity", _c.c_uint32)]


_ALARM_FN = _c.CFUNCTYPE(_c.c_int32, _c.c_char_p, _c.POINTER(_Alarm), _c.c_size_t, _c.c_void_p)


class _Options(_c.Structure):
    _fields_ = [("struct_size", _c.c_uint32), ("n_groups", _c.c_uint32),
                ("threshold", _c.c_double), ("window_kind", _c.c_int32),
                ("window_size", _c.c_uint64), ("half_life", _c.c_double), ("bins", _c.c_uint32),
                ("score_min", _c.c_double), ("score_max", _c.c_double),
                ("psi_threshold", _c.c_double), ("ks_alpha", _c.c_double),
                ("drift_enabled", _c.c_int32), ("min_support", _c.c_uint64),
                ("report_confidence", _c.c_double), ("pending_capacity", _c.c_uint32),
                ("target", _c.c_char_p), ("constraints", _c.POINTER(_Constraint)),
                ("n_constraints", _c.c_size_t),
                ("baseline_accumulator", _c.c_void_p), ("baseline_accumulator_size", _c.c_size_t),
                ("baseline_histogram", _c.c_void_p), ("baseline_histogram_size", _c.c_size_t),
                ("baseline_scores", _c.c_void_p), ("baseline_groups", _c.c_void_p),
                ("baseline_labels", _c.c_void_p), ("baseline_n", _c.c_size_t),
                ("on_alarm", _ALARM_FN), ("user_data", _c.c_void_p)]


_P, _SZ = _c.c_void_p, _c.c_size_t
_options_init = declare("fairgate_monitor_options_init", [_c.POINTER(_Options)])
_constraint_init = declare("fairgate_watched_constraint_init", [_c.POINTER(_Constraint)])
_create = declare("fairgate_monitor_create", [_c.POINTER(_Options), _c.POINTER(_P)])
_destroy = declare("fairgate_monitor_destroy", [_P], None)
_observe = declare("fairgate_monitor_observe", [_P, _c.c_double, _c.c_uint32, _c.c_int32])
_observe_batch = declare("fairgate_monitor_observe_batch", [_P, _P, _P, _P, _SZ])
_observe_unlabeled = declare("fairgate_monitor_observe_unlabeled",
                             [_P, _c.c_uint64, _c.c_double, _c.c_uint32])
_label = declare("fairgate_monitor_label",
                 [_P, _c.c_uint64, _c.c_int32, _c.POINTER(_c.c_int32)])
_poll = declare("fairgate_monitor_poll", [_P, _c.POINTER(_Summary)])
_groups = declare("fairgate_monitor_groups", [_P, _c.POINTER(_Group), _SZ, _c.POINTER(_SZ)])
_constraints = declare("fairgate_monitor_constraints",
                       [_P, _c.POINTER(_ConstraintStatus), _SZ, _c.POINTER(_SZ)])
_alarms = declare("fairgate_monitor_alarms", [_P, _c.POINTER(_Alarm), _SZ, _c.POINTER(_SZ)])
_reset = declare("fairgate_monitor_reset", [_P])
_save = declare("fairgate_monitor_save", [_P, _P, _SZ, _c.POINTER(_SZ)])
_restore = declare("fairgate_monitor_restore", [_P, _P, _SZ])
_memory = declare("fairgate_monitor_memory_bytes", [_P, _c.POINTER(_SZ)])
_from_policy = declare("fairgate_monitor_constraints_from_policy",
                       [_P, _c.c_char_p, _c.POINTER(_Constraint), _SZ, _c.POINTER(_SZ),
                        _c.POINTER(_SZ)])


@dataclass(frozen=True)
class Constraint:
    """A watched constraint: `metric` (one of RATE_METRICS) as a `kind`
    ("difference": max - min over groups, or "group_rate": every group)
    compared with `op` ("<=" or ">=") to `bound`; `confidence` is the
    interval level, `alpha` the family-wise level of the change alarm over
    all polls."""
    metric: str = "selection_rate"
    kind: str = "difference"
    op: str = "<="
    bound: float = 0.1
    confidence: float = 0.95
    alpha: float = 0.05
    watch_change: bool = True


@dataclass
class Report:
    """One poll. groups[g] is a dict with observations, effective, labelled,
    psi, ks and, per rate in RATE_METRICS, (estimate, lower, upper) under the
    rate's name (NaN when undefined). constraints[k] and alarms are dicts."""
    poll: int
    observations: int
    window_index: int
    window_complete: bool
    pending_overwritten: int
    labels_unknown_id: int
    labels_outside_window: int
    groups: list = field(default_factory=list)
    constraints: list = field(default_factory=list)
    alarms: list = field(default_factory=list)


def constraints_from_policy(policy, target: str):
    """The watched constraints of a policy target (fairgate.policy.Policy),
    and the number of the target's constraints the monitor cannot watch
    (ratios, relative bounds, pooled rates, score metrics; the gate judges
    those). Returns (list of Constraint, n_skipped)."""
    h = policy.handle if hasattr(policy, "handle") else policy
    n, skipped = _c.c_size_t(), _c.c_size_t()
    check(_from_policy(h, target.encode(), None, 0, _c.byref(n), _c.byref(skipped)))
    arr = (_Constraint * max(1, n.value))()
    check(_from_policy(h, target.encode(), arr, n.value, _c.byref(n), None))
    ops = ["<=", ">="]
    out = [Constraint(RATE_METRICS[c.metric], _KINDS[c.kind], ops[c.op], c.bound, c.confidence,
                      c.alpha, bool(c.watch_change)) for c in arr[:n.value]]
    return out, skipped.value


_record_good = declare("fairgate_monitor_record_known_good",
                       [_P, _c.c_char_p, _c.c_char_p, _P, _SZ])
_last_good = declare("fairgate_monitor_last_known_good",
                     [_P, _c.c_char_p, _c.c_char_p, _P, _SZ, _c.POINTER(_SZ)])


def record_known_good(manifest, store_dir, target: str, data: bytes) -> None:
    """Records `data` as the last known-good configuration of `target`: puts
    it in the content store at store_dir and adds the artifact
    "config/<target>/last_good" to `manifest` (a fairgate.manifest.Manifest;
    write it afterwards). The convention of monitor/rollback.hpp."""
    blob = bytes(data)
    buf = (_c.c_uint8 * max(1, len(blob))).from_buffer_copy(blob.ljust(1, b"\0"))
    check(_record_good(manifest.handle, str(store_dir).encode(), target.encode(), buf, len(blob)))


def last_known_good(manifest, store_dir, target: str) -> bytes:
    """The last known-good configuration of `target` recorded in `manifest`,
    read from the store and re-hashed: exactly the recorded bytes."""
    n = _c.c_size_t()
    d, t = str(store_dir).encode(), target.encode()
    check(_last_good(manifest.handle, d, t, None, 0, _c.byref(n)))
    buf = (_c.c_uint8 * max(1, n.value))()
    check(_last_good(manifest.handle, d, t, buf, n.value, _c.byref(n)))
    return bytes(buf[:n.value])


def _index(value, names, what):
    if isinstance(value, (int, np.integer)):
        return int(value)
    try:
        return names.index(value)
    except ValueError:
        raise ValueError(f"{what} = {value!r}: must be one of {names}") from None


def _opt_index(i):
    return None if i == _NO_INDEX else int(i)


def _alarm_dict(a) -> dict:
    change = a.kind == 1
    drift = a.kind >= 2
    return {"kind": ALARM_KINDS[a.kind] if 0 <= a.kind < 4 else a.kind,
            "metric": None if drift else RATE_METRICS[a.metric],
            "constraint": _opt_index(a.constraint), "group": _opt_index(a.group),
            "other_group": _opt_index(a.other_group), "value": a.value,
            "lower": a.lower, "upper": a.upper, "threshold": a.threshold,
            "baseline_value": a.baseline_value if change else math.nan,
            "p_value": a.p_value if change else math.nan, "level": a.level if change else math.nan,
            "support": a.support, "poll": int(a.poll), "observations": int(a.observations)}


class Monitor:
    """A fixed-memory streaming monitor of per-group rates, parity bounds,
    change from a baseline and score drift. See the module docstring."""

    def __init__(self, n_groups: int, *, window: str = "sliding", window_size: int = 1000,
                 half_life: float = 1000.0, threshold: float = 0.5, bins: int = 10,
                 score_range=(0.0, 1.0), psi_threshold: float = 0.25, ks_alpha: float = 0.01,
                 drift: bool = True, min_support: int = 30, report_confidence: float = 0.95,
                 pending_capacity: int = 1024, target: str | None = None, constraints=(),
                 baseline=None, baseline_histogram=None, baseline_rows=None, on_alarm=None):
        self._h = _c.c_void_p()
        o = _Options()
        check(_options_init(_c.byref(o)))
        o.n_groups = int(n_groups)
        o.threshold = float(threshold)
        o.window_kind = _index(window, _WINDOWS, "window")
        o.window_size = int(window_size)
        o.half_life = float(half_life)
        o.bins = int(bins)
        o.score_min, o.score_max = (float(score_range[0]), float(score_range[1]))
        o.psi_threshold = float(psi_threshold)
        o.ks_alpha = float(ks_alpha)
        o.drift_enabled = 1 if drift else 0
        o.min_support = int(min_support)
        o.report_confidence = float(report_confidence)
        o.pending_capacity = int(pending_capacity)
        self.target = target or ""
        o.target = self.target.encode() if target else None
        cs = list(constraints)
        arr = (_Constraint * max(1, len(cs)))()
        for k, c in enumerate(cs):
            if isinstance(c, dict):
                c = Constraint(**c)
            check(_constraint_init(_c.byref(arr[k])))
            arr[k].metric = _index(c.metric, RATE_METRICS, f"constraints[{k}].metric")
            arr[k].kind = _index(c.kind, _KINDS, f"constraints[{k}].kind")
            if c.op not in _OPS and not isinstance(c.op, int):
                raise ValueError(f"constraints[{k}].op = {c.op!r}: must be '<=' or '>='")
            arr[k].op = _OPS.get(c.op, c.op)
            arr[k].bound = float(c.bound)
            arr[k].confidence = float(c.confidence)
            arr[k].alpha = float(c.alpha)
            arr[k].watch_change = 1 if c.watch_change else 0
        o.constraints = arr if cs else None
        o.n_constraints = len(cs)
        self.constraints = [c if isinstance(c, Constraint) else Constraint(**c) for c in cs]
        keep = [arr]
        if baseline is not None:
            blob = baseline.to_bytes() if hasattr(baseline, "to_bytes") else bytes(baseline)
            buf = (_c.c_uint8 * len(blob)).from_buffer_copy(blob)
            keep.append(buf)
            o.baseline_accumulator, o.baseline_accumulator_size = _c.addressof(buf), len(blob)
        if baseline_histogram is not None:
            h = np.ascontiguousarray(np.asarray(baseline_histogram).reshape(-1), dtype=np.uint64)
            keep.append(h)
            o.baseline_histogram, o.baseline_histogram_size = h.ctypes.data, h.shape[0]
        if baseline_rows is not None:
            s, g, y = baseline_rows
            s = np.ascontiguousarray(A.one_d(s, "baseline scores"), dtype=np.float64)
            g = np.ascontiguousarray(A.one_d(g, "baseline groups"), dtype=np.uint32)
            y = np.ascontiguousarray(A.one_d(y, "baseline labels"))
            if y.dtype == np.bool_:
                y = y.view(np.uint8)
            if y.size and (y.min() < 0 or y.max() > 1):
                bad = int(np.flatnonzero((y < 0) | (y > 1))[0])
                raise ValueError(f"baseline labels[{bad}] = {y[bad]!r}: labels must be 0 or 1")
            y = np.ascontiguousarray(y, dtype=np.uint8)
            if not (s.shape[0] == g.shape[0] == y.shape[0]):
                raise ValueError(f"baseline rows: scores, groups and labels have {s.shape[0]}, "
                                 f"{g.shape[0]} and {y.shape[0]} rows")
            keep += [s, g, y]
            o.baseline_scores, o.baseline_groups, o.baseline_labels = (
                s.ctypes.data, g.ctypes.data, y.ctypes.data)
            o.baseline_n = s.shape[0]
        # The hook: a C function pointer that must outlive the monitor.
        self._on_alarm = on_alarm
        self._hook_error = None
        self._hook = _ALARM_FN(self._call_hook) if on_alarm is not None else _ALARM_FN()
        o.on_alarm = self._hook
        check(_create(_c.byref(o), _c.byref(self._h)))
        self.n_groups = int(n_groups)
        self._groups_buf = (_Group * self.n_groups)()
        self._constraints_buf = (_ConstraintStatus * max(1, len(cs)))()
        self._alarms_buf = (_Alarm * ((2 * len(cs) + 2) * self.n_groups))()
        self._summary = _Summary()
        self._summary.struct_size = _c.sizeof(_Summary)

    def _call_hook(self, target, alarms, n, _user_data):
        try:
            self._on_alarm(target.decode(), [_alarm_dict(alarms[i]) for i in range(n)])
            return 0
        except BaseException as e:  # noqa: BLE001  (re-raised by poll)
            self._hook_error = e
            return 1  # FAIRGATE_E_INVALID_ARGUMENT: poll fails, then re-raises `e`

    def __del__(self):
        h = getattr(self, "_h", None)
        if h is not None and h.value:
            _destroy(h)
            self._h = None

    def observe(self, scores, groups, labels=None) -> None:
        """One prediction (scalars; label None = unknown) or a batch (arrays;
        labels None = all unknown, else 0/1, or -1 for unknown). A batch is
        validated first: on error nothing is counted."""
        if np.ndim(scores) == 0:
            lab = -1 if labels is None else int(labels)
            check(_observe(self._h, float(scores), int(groups), lab))
            return
        s = np.ascontiguousarray(A.one_d(scores, "scores"), dtype=np.float64)
        g = np.ascontiguousarray(A.one_d(groups, "groups"), dtype=np.uint32)
        if g.shape[0] != s.shape[0]:
            raise ValueError(f"groups has {g.shape[0]} rows but scores has {s.shape[0]}")
        y = None
        if labels is not None:
            y = A.one_d(labels, "labels")
            if y.dtype == np.bool_:
                y = y.view(np.uint8)
            if y.shape[0] != s.shape[0]:
                raise ValueError(f"labels has {y.shape[0]} rows but scores has {s.shape[0]}")
            if y.size and (y.min() < -1 or y.max() > 1):
                bad = int(np.flatnonzero((y < -1) | (y > 1))[0])
                raise ValueError(f"labels[{bad}] = {y[bad]!r}: must be 0, 1 or -1 (unknown)")
            y = np.ascontiguousarray(y, dtype=np.int8)
        check(_observe_batch(self._h, s.ctypes.data, g.ctypes.data, A.ptr(y), s.shape[0]))

    def observe_unlabeled(self, id: int, score: float, group: int) -> None:
        """A prediction whose label arrives later through label(id, y)."""
        check(_observe_unlabeled(self._h, int(id), float(score), int(group)))

    def label(self, id: int, y: int) -> str:
        """The label (0/1) of a pending prediction: "applied", "unknown_id" or
        "outside_window" (the last two are counted in the report)."""
        r = _c.c_int32()
        check(_label(self._h, int(id), int(y), _c.byref(r)))
        return _LABEL_RESULTS[r.value]

    def poll(self) -> Report:
        """Evaluates the window; calls on_alarm if an alarm fired."""
        self._hook_error = None
        st = _poll(self._h, _c.byref(self._summary))
        err, self._hook_error = self._hook_error, None
        if err is not None:
            raise err
        check(st)
        return self.last_report()

    def last_report(self) -> Report:
        """The last poll's report again (before the first poll: empty statistics)."""
        s = self._summary
        n = _c.c_size_t()
        check(_groups(self._h, self._groups_buf, self.n_groups, _c.byref(n)))
        groups = []
        for x in self._groups_buf:
            d = {"observations": x.observations, "effective": x.effective,
                 "labelled": x.labelled, "psi": x.psi, "ks": x.ks}
            for k, name in enumerate(RATE_METRICS):
                r = x.rates[k]
                d[name] = (r.estimate, r.lower, r.upper)
            groups.append(d)
        check(_constraints(self._h, self._constraints_buf, len(self._constraints_buf),
                           _c.byref(n)))
        constraints = []
        for k in range(n.value):
            c = self._constraints_buf[k]
            constraints.append({"state": CONSTRAINT_STATES[c.state],
                                "change_alarm": bool(c.change_alarm),
                                "group": _opt_index(c.group),
                                "other_group": _opt_index(c.other_group),
                                "value": (c.value.estimate, c.value.lower, c.value.upper)})
        check(_alarms(self._h, self._alarms_buf, len(self._alarms_buf), _c.byref(n)))
        alarms = [_alarm_dict(self._alarms_buf[i]) for i in range(n.value)]
        return Report(poll=int(s.poll), observations=int(s.observations),
                      window_index=int(s.window_index), window_complete=bool(s.window_complete),
                      pending_overwritten=int(s.pending_overwritten),
                      labels_unknown_id=int(s.labels_unknown_id),
                      labels_outside_window=int(s.labels_outside_window),
                      groups=groups, constraints=constraints, alarms=alarms)

    def reset(self) -> None:
        """Back to the state right after creation (same options and baseline)."""
        check(_reset(self._h))
        self._summary = _Summary()
        self._summary.struct_size = _c.sizeof(_Summary)

    def save(self) -> bytes:
        """The streaming state as versioned bytes (restore() into a Monitor
        created with the same options)."""
        n = _c.c_size_t()
        check(_save(self._h, None, 0, _c.byref(n)))
        buf = (_c.c_uint8 * n.value)()
        check(_save(self._h, buf, n.value, _c.byref(n)))
        return bytes(buf)

    def restore(self, state: bytes) -> None:
        blob = bytes(state)
        buf = (_c.c_uint8 * max(1, len(blob))).from_buffer_copy(blob.ljust(1, b"\0"))
        check(_restore(self._h, buf, len(blob)))

    @property
    def memory_bytes(self) -> int:
        n = _c.c_size_t()
        check(_memory(self._h, _c.byref(n)))
        return n.value
