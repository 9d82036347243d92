"""The constraint-aware compression controller over fairgate's C ABI, with
Python callables as callbacks (docs/gate.md has the semantics).

    >>> import fairgate.controller as fc
    >>> c = fc.Controller(policy, y_eval, sensitive_features={"sex": sex}, directory="run")
    >>> c.add_tensor("fc1.weight", model.fc1.weight)       # torch or numpy, shared memory
    >>> r = c.run(fc.prune_steps(0.1, 0.9, 0.1), evaluate=lambda: predict(X_eval))
    >>> r.targets[0]["sparsity"], r.targets[0]["masks"]["fc1.weight"]   # bool, tensor's shape

Tensors: float32 C-contiguous numpy arrays, or torch CPU tensors (their numpy
view). The controller writes candidate weights INTO this memory while it runs
(evaluate reads the current weights from the model as usual) and puts the
original weights back when run() returns or raises. Keep the arrays alive and
in place while the Controller exists.

Callbacks: evaluate() -> n scores (array-like); finetune(steps) (optional,
trains in place); saliency(tensor_index, group) -> numel importances
(optional). An exception in a callback stops the run and is re-raised by
run() (the C side sees an error status, never a Python exception).
"""
from __future__ import annotations

import ctypes
import json
import os

import numpy as np

from . import _arrays as A
from ._native import check, declare, lib
from .gate import encode_groups

_c = ctypes
_P = _c.POINTER
__all__ = ["Controller", "RunResult", "prune_steps", "REMEDIES", "MILESTONES"]

REMEDIES = {"bisect": 0, "restore_critical": 1, "revert_tensor": 2, "stop": 3}
MILESTONES = {"prune_global": 0, "prune_layer": 1, "quantize": 2}
_E_INVALID_VALUE = 4  # FAIRGATE_E_INVALID_VALUE: what a failed Python callback returns


class _Rows(_c.Structure):
    _fields_ = [("struct_size", _c.c_uint32), ("n", _c.c_size_t), ("labels", _c.c_void_p),
                ("labels_dtype", _c.c_int32), ("groups", _c.c_void_p),
                ("groups_dtype", _c.c_int32), ("group_names", _P(_c.c_char_p)),
                ("n_groups", _c.c_size_t), ("threshold", _c.c_double)]


class _Options(_c.Structure):
    _fields_ = [("struct_size", _c.c_uint32), ("directory", _c.c_char_p),
                ("targets", _P(_c.c_char_p)), ("n_targets", _c.c_size_t),
                ("remedies", _P(_c.c_int32)), ("n_remedies", _c.c_size_t),
                ("bisect_depth", _c.c_uint32), ("restore_fraction", _c.c_double),
                ("has_seed", _c.c_int32), ("seed", _c.c_uint64), ("resume", _c.c_int32)]


class _Tensor(_c.Structure):
    _fields_ = [("data", _c.c_void_p), ("dtype", _c.c_int32), ("rank", _c.c_size_t),
                ("shape", _P(_c.c_int64)), ("strides", _P(_c.c_int64))]


_EVALUATE = _c.CFUNCTYPE(_c.c_int32, _c.c_void_p, _P(_c.c_double), _c.c_size_t)
_FINETUNE = _c.CFUNCTYPE(_c.c_int32, _c.c_void_p, _c.c_uint32)
_SALIENCY = _c.CFUNCTYPE(_c.c_int32, _c.c_void_p, _c.c_size_t, _c.c_uint32, _P(_c.c_double),
                         _c.c_size_t)


class _Callbacks(_c.Structure):
    _fields_ = [("struct_size", _c.c_uint32), ("evaluate", _EVALUATE), ("finetune", _FINETUNE),
                ("saliency", _SALIENCY), ("user_data", _c.c_void_p)]


class _Milestone(_c.Structure):
    _fields_ = [("struct_size", _c.c_uint32), ("kind", _c.c_int32), ("sparsity", _c.c_double),
                ("bits", _c.c_uint32), ("per_channel", _c.c_int32),
                ("finetune_steps", _c.c_uint32)]


class _TargetResult(_c.Structure):
    _fields_ = [("struct_size", _c.c_uint32), ("target", _c.c_char_p), ("pass_", _c.c_int32),
                ("sparsity", _c.c_double), ("mean_bits", _c.c_double),
                ("worst_group_metric", _c.c_double), ("steps", _c.c_uint64),
                ("stopped", _c.c_int32), ("n_frontier", _c.c_size_t),
                ("n_tensors", _c.c_size_t), ("state_digest", _c.c_char_p),
                ("verdict_json", _c.c_char_p)]


class _FrontierPoint(_c.Structure):
    _fields_ = [("step", _c.c_uint64), ("sparsity", _c.c_double), ("mean_bits", _c.c_double),
                ("worst_group_metric", _c.c_double), ("pass_", _c.c_int32)]


_rows_init = declare("fairgate_evaluation_rows_init", [_P(_Rows)])
_opts_init = declare("fairgate_controller_options_init", [_P(_Options)])
_ms_init = declare("fairgate_milestone_init", [_P(_Milestone)])
_create = declare("fairgate_controller_create",
                  [_c.c_void_p, _P(_Rows), _P(_Options), _P(_c.c_void_p)])
_destroy = declare("fairgate_controller_destroy", [_c.c_void_p], None)
_add = declare("fairgate_controller_add_tensor", [_c.c_void_p, _c.c_char_p, _P(_Tensor), _c.c_int32])
_set_cb = declare("fairgate_controller_set_callbacks", [_c.c_void_p, _P(_Callbacks)])
_run = declare("fairgate_controller_run", [_c.c_void_p, _P(_Milestone), _c.c_size_t])
_count = declare("fairgate_controller_result_count", [_c.c_void_p, _P(_c.c_size_t)])
_result = declare("fairgate_controller_target_result", [_c.c_void_p, _c.c_size_t, _P(_TargetResult)])
_frontier = declare("fairgate_controller_frontier",
                    [_c.c_void_p, _c.c_size_t, _P(_FrontierPoint), _c.c_size_t, _P(_c.c_size_t)])
_best = declare("fairgate_controller_best_tensor",
                [_c.c_void_p, _c.c_size_t, _c.c_size_t, _P(_c.c_double), _P(_c.c_uint32),
                 _c.c_void_p, _c.c_size_t])
_record = declare("fairgate_controller_record", [_c.c_void_p, _c.c_void_p])
_restore = declare("fairgate_controller_restore",
                   [_c.c_void_p, _c.c_void_p, _c.c_char_p, _c.c_uint64, _P(_c.c_double),
                    _P(_c.c_uint64)])
_digest = declare("fairgate_controller_digest", [_c.c_void_p, _P(_c.c_char_p)])
_changelog = declare("fairgate_controller_changelog_path", [_c.c_void_p, _P(_c.c_char_p)])


def prune_steps(s0: float, s1: float, step: float, kind: str = "prune_global") -> list[dict]:
    """Milestones at sparsity s0, s0 + step, ... <= s1 (rounded to 1e-9, as the C++ prune_steps)."""
    if not (step > 0 and 0 <= s0 <= s1 <= 1):
        raise ValueError("prune_steps: need 0 <= s0 <= s1 <= 1 and step > 0")
    out, i = [], 0
    while True:
        s = round((s0 + step * i) * 1e9) / 1e9
        if s > s1 + 1e-12:
            return out
        out.append({"kind": kind, "sparsity": s})
        i += 1


def _milestones(plan) -> _c.Array:
    arr = (_Milestone * max(1, len(plan)))()
    for i, m in enumerate(plan):
        check(_ms_init(_c.byref(arr[i])))
        m = dict(m)
        kind = m.pop("kind", "prune_global")
        if kind not in MILESTONES:
            raise ValueError(f"plan[{i}].kind = {kind!r}: one of {sorted(MILESTONES)}")
        arr[i].kind = MILESTONES[kind]
        arr[i].sparsity = float(m.pop("sparsity", 0.0))
        arr[i].bits = int(m.pop("bits", 8))
        arr[i].per_channel = int(bool(m.pop("per_channel", True)))
        arr[i].finetune_steps = int(m.pop("finetune_steps", 0))
        if m:
            raise ValueError(f"plan[{i}]: unknown keys {sorted(m)}")
    return arr


class RunResult:
    """digest (equal digests = equal results), changelog_path, and per target:
    target, passed, sparsity, mean_bits, worst_group_metric, steps, stopped,
    state_digest, verdict (dict), frontier (list of dicts), masks and bits
    (per tensor name: bool mask of the tensor's shape, True = kept)."""

    def __init__(self, digest: str, changelog_path: str, targets: list[dict]):
        self.digest = digest
        self.changelog_path = changelog_path
        self.targets = targets

    def target(self, name: str) -> dict:
        for t in self.targets:
            if t["target"] == name:
                return t
        raise KeyError(name)

    def __repr__(self) -> str:
        parts = [f"{t['target']}: sparsity {t['sparsity']:.3f}, bits {t['mean_bits']:.1f}"
                 for t in self.targets]
        return f"RunResult({'; '.join(parts)})"


class Controller:
    """See the module docstring. `policy` is a fairgate.policy.Policy (copied)."""

    def __init__(self, policy, y_true, *, directory, sensitive_features=None, groups=None,
                 group_names=None, threshold: float = 0.5, targets=None, remedies=None,
                 bisect_depth: int = 2, restore_fraction: float = 0.25,
                 seed: int | None = None, resume: bool = False):
        codes, names, _ = encode_groups(sensitive_features, groups, group_names)
        y, ydt = A.labels(y_true, "y_true")
        g, gdt = A.codes(codes, "groups")
        if len(g) != len(y):
            raise ValueError(f"groups has {len(g)} rows but y_true has {len(y)}")
        self.n_rows = len(y)
        self.group_names = names
        rows = _Rows()
        check(_rows_init(_c.byref(rows)))
        rows.n = len(y)
        rows.labels, rows.labels_dtype = A.ptr(y), ydt
        rows.groups, rows.groups_dtype = A.ptr(g), gdt
        c_names = (_c.c_char_p * max(1, len(names)))(*[s.encode("utf-8") for s in names])
        rows.group_names, rows.n_groups = c_names, len(names)
        rows.threshold = float(threshold)
        o = _Options()
        check(_opts_init(_c.byref(o)))
        o.directory = os.fsencode(directory)
        tg = list(targets or [])
        c_targets = (_c.c_char_p * max(1, len(tg)))(*[t.encode("utf-8") for t in tg])
        if tg:
            o.targets, o.n_targets = c_targets, len(tg)
        if remedies is not None:
            codes_r = []
            for r in remedies:
                if r not in REMEDIES:
                    raise ValueError(f"remedy {r!r}: one of {sorted(REMEDIES)}")
                codes_r.append(REMEDIES[r])
            c_rem = (_c.c_int32 * max(1, len(codes_r)))(*codes_r)
            o.remedies, o.n_remedies = c_rem, len(codes_r)
        o.bisect_depth = int(bisect_depth)
        o.restore_fraction = float(restore_fraction)
        if seed is not None:
            o.has_seed, o.seed = 1, int(seed)
        o.resume = int(bool(resume))
        h = _c.c_void_p()
        check(_create(policy.handle, _c.byref(rows), _c.byref(o), _c.byref(h)))
        self._h = h
        self._tensors = []  # (name, numpy array, shape array): kept alive with the controller
        self._callback_error = None
        self._keep = None

    def __del__(self):
        h, self._h = getattr(self, "_h", None), None
        if h:
            _destroy(h)

    @property
    def tensor_names(self) -> list[str]:
        return [t[0] for t in self._tensors]

    def add_tensor(self, name: str, weights, channel_axis: int = 0) -> None:
        """Registers a float32 C-contiguous array (or CPU torch tensor) by reference."""
        a = A.to_numpy(weights)
        if a.dtype != np.float32 or not a.flags.c_contiguous or not a.flags.writeable:
            raise ValueError(f"tensor {name!r} must be a writeable C-contiguous float32 array "
                             f"(got {a.dtype}, contiguous={a.flags.c_contiguous})")
        shape = (_c.c_int64 * max(1, a.ndim))(*a.shape)
        t = _Tensor(_c.c_void_p(a.ctypes.data), A.DTYPE_F32, a.ndim, shape, None)
        check(_add(self._h, name.encode("utf-8"), _c.byref(t), int(channel_axis)))
        self._tensors.append((name, a, shape))

    def _wrap(self, fn):
        """Runs a Python callback; an exception is kept and becomes an error status."""
        def call(*args):
            if self._callback_error is not None:
                return _E_INVALID_VALUE
            try:
                fn(*args)
                return 0
            except BaseException as e:  # noqa: BLE001 - re-raised by run()
                self._callback_error = e
                return _E_INVALID_VALUE
        return call

    def run(self, plan, evaluate, finetune=None, saliency=None) -> RunResult:
        """Runs the plan (a list of dicts: kind "prune_global" | "prune_layer" |
        "quantize", sparsity, bits, per_channel, finetune_steps)."""
        def ev(_ud, out, count):
            s = np.asarray(evaluate(), dtype=np.float64).reshape(-1)
            if s.shape[0] != count:
                raise ValueError(f"evaluate() returned {s.shape[0]} scores for {count} rows")
            np.ctypeslib.as_array(out, shape=(count,))[:] = s

        def ft(_ud, steps):
            finetune(int(steps))

        def sal(_ud, t, g, out, count):
            v = np.asarray(saliency(int(t), int(g)), dtype=np.float64).reshape(-1)
            if v.shape[0] != count:
                raise ValueError(f"saliency() returned {v.shape[0]} values for {count} weights")
            np.ctypeslib.as_array(out, shape=(count,))[:] = v

        cb = _Callbacks()
        cb.struct_size = _c.sizeof(_Callbacks)
        cb.evaluate = _EVALUATE(self._wrap(ev))
        if finetune is not None:
            cb.finetune = _FINETUNE(self._wrap(ft))
        if saliency is not None:
            cb.saliency = _SALIENCY(self._wrap(sal))
        self._keep = cb  # the C side holds these function pointers until the next set
        check(_set_cb(self._h, _c.byref(cb)))
        ms = _milestones(list(plan))
        self._callback_error = None
        status = _run(self._h, ms, len(plan))
        err, self._callback_error = self._callback_error, None
        if err is not None:
            raise err
        check(status)
        return self._results()

    def record(self, manifest) -> None:
        """Records the last run into a fairgate.manifest.Manifest (plan, options,
        policy, stream keys, per-target results, checkpoint and changelog hashes)."""
        check(_record(self._h, manifest.handle))

    def restore(self, manifest, target: str, checkpoint: int = 0) -> dict:
        """Rollback: writes a recorded state of `target` (checkpoint number,
        0 = the best state) into the registered tensors, verified by hash.
        Returns {"sparsity", "checkpoint"}."""
        sp, cp = _c.c_double(), _c.c_uint64()
        check(_restore(self._h, manifest.handle, target.encode("utf-8"), int(checkpoint),
                       _c.byref(sp), _c.byref(cp)))
        return {"sparsity": sp.value, "checkpoint": int(cp.value)}

    def _results(self) -> RunResult:
        count = _c.c_size_t()
        check(_count(self._h, _c.byref(count)))
        targets = []
        for i in range(count.value):
            r = _TargetResult()
            r.struct_size = _c.sizeof(r)
            check(_result(self._h, i, _c.byref(r)))
            nf = _c.c_size_t()
            pts = (_FrontierPoint * max(1, r.n_frontier))()
            check(_frontier(self._h, i, pts, r.n_frontier, _c.byref(nf)))
            masks, bits = {}, {}
            for t, (name, arr, _shape) in enumerate(self._tensors):
                m = np.empty(arr.shape, dtype=np.uint8)
                sp, b = _c.c_double(), _c.c_uint32()
                check(_best(self._h, i, t, _c.byref(sp), _c.byref(b),
                            _c.c_void_p(m.ctypes.data), m.size))
                masks[name] = m.view(np.bool_)
                bits[name] = int(b.value)
            targets.append({
                "target": r.target.decode("utf-8"), "passed": bool(r.pass_),
                "sparsity": r.sparsity, "mean_bits": r.mean_bits,
                "worst_group_metric": r.worst_group_metric, "steps": int(r.steps),
                "stopped": bool(r.stopped), "state_digest": r.state_digest.decode(),
                "verdict": json.loads(r.verdict_json.decode("utf-8")),
                "frontier": [{"step": int(p.step), "sparsity": p.sparsity,
                              "mean_bits": p.mean_bits,
                              "worst_group_metric": p.worst_group_metric,
                              "passed": bool(p.pass_)} for p in pts[:nf.value]],
                "masks": masks, "bits": bits})
        s = _c.c_char_p()
        check(_digest(self._h, _c.byref(s)))
        digest = s.value.decode()
        check(_changelog(self._h, _c.byref(s)))
        return RunResult(digest, os.fsdecode(s.value), targets)


del lib
