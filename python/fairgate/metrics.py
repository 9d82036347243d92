"""Fairness metrics over fairgate's C ABI, with Fairlearn's names and signatures.

    >>> from fairgate.metrics import MetricFrame, equalized_odds_difference
    >>> equalized_odds_difference(y_true, y_pred, sensitive_features=sex)
    >>> mf = MetricFrame(metrics=["selection_rate", "true_positive_rate"],
    ...                  y_true=y_true, y_pred=y_pred, sensitive_features=[sex, race])
    >>> mf.by_group["selection_rate"][("F", "b")], mf.difference(method="to_overall")

A Fairlearn user switches with one import: the disparity functions take the
same arguments (y_true, y_pred, *, sensitive_features, method, sample_weight,
agg). Results are plain floats and dicts (MetricFrame.to_pandas() gives
pandas objects when pandas is installed).

Groups: `sensitive_features` is one array of any hashable labels (mapped to
codes with the names sorted), or several columns (a 2-D array, a list/tuple
of arrays, or a dict of name -> array), giving intersectional groups named by
tuples, sorted; only combinations that occur are groups (as in Fairlearn).

Where fairgate differs from Fairlearn on purpose: a group whose metric is
undefined (zero denominator, e.g. no positives for the TPR) is NaN in
by_group and is SKIPPED by min/max/difference/ratio (Fairlearn propagates
NaN); zero_division="nan" is the default (pass zero_division=0 for sklearn's
behaviour). Formulas: docs/metrics.md.

Labels and predictions must be 0/1 (bool or integers); errors raise
FairgateError subclasses carrying the C message, which names the bad row.
"""
from __future__ import annotations

import ctypes
import math

import numpy as np

from . import _arrays as A
from ._native import check, declare

_c = ctypes

__all__ = [
    "Accumulator", "MetricFrame", "METRICS",
    "selection_rate", "base_rate", "accuracy", "error_rate", "balanced_accuracy",
    "true_positive_rate", "false_positive_rate", "true_negative_rate", "false_negative_rate",
    "precision", "negative_predictive_value", "false_discovery_rate", "false_omission_rate", "f1",
    "count",
    "demographic_parity_difference", "demographic_parity_ratio",
    "equalized_odds_difference", "equalized_odds_ratio",
    "equal_opportunity_difference", "equal_opportunity_ratio",
    "aif360_metric", "encode_groups", "roc_auc_by_group",
]

# fairgate_metric, in C enum order.
METRICS = ["count", "total_weight", "selection_rate", "base_rate", "accuracy", "error_rate",
           "balanced_accuracy", "true_positive_rate", "false_positive_rate", "true_negative_rate",
           "false_negative_rate", "precision", "negative_predictive_value",
           "false_discovery_rate", "false_omission_rate", "f1"]
_DISPARITIES = ["demographic_parity_difference", "demographic_parity_ratio",
                "equalized_odds_difference", "equalized_odds_ratio",
                "equal_opportunity_difference", "equal_opportunity_ratio"]
AIF360_METRICS = ["statistical_parity_difference", "disparate_impact", "average_odds_difference",
                  "average_abs_odds_difference", "equal_opportunity_difference",
                  "error_rate_difference", "error_rate_ratio", "false_positive_rate_difference",
                  "false_positive_rate_ratio", "false_negative_rate_difference",
                  "false_negative_rate_ratio", "false_discovery_rate_difference",
                  "false_discovery_rate_ratio", "false_omission_rate_difference",
                  "false_omission_rate_ratio", "average_predictive_value_difference"]
_METHODS = ["between_groups", "to_overall"]
_AGGS = ["worst_case", "mean"]
_AGGREGATES = ["group_min", "group_max", "difference", "ratio"]
_ZERO_DIVISION = {"nan": 0, "warn": 0, 0: 1, 0.0: 1, 1: 2, 1.0: 2}


class _BinaryInputs(_c.Structure):
    _fields_ = [("struct_size", _c.c_uint32), ("n", _c.c_size_t),
                ("y_true", _c.c_void_p), ("y_true_dtype", _c.c_int32),
                ("y_pred", _c.c_void_p), ("y_pred_dtype", _c.c_int32),
                ("scores", _c.c_void_p), ("scores_dtype", _c.c_int32),
                ("threshold", _c.c_double),
                ("groups", _c.c_void_p), ("groups_dtype", _c.c_int32),
                ("weights", _c.c_void_p), ("weights_dtype", _c.c_int32)]


class _AccumulateOptions(_c.Structure):
    _fields_ = [("struct_size", _c.c_uint32), ("threads", _c.c_uint32)]


class _Counts(_c.Structure):
    _fields_ = [("tp", _c.c_uint64), ("fp", _c.c_uint64), ("tn", _c.c_uint64), ("fn", _c.c_uint64)]


class _MetricOptions(_c.Structure):
    _fields_ = [("struct_size", _c.c_uint32), ("weighted", _c.c_int32),
                ("zero_division", _c.c_int32), ("min_support", _c.c_uint64),
                ("exclude_low_support", _c.c_int32), ("method", _c.c_int32), ("agg", _c.c_int32)]


class _Value(_c.Structure):
    _fields_ = [("value", _c.c_double), ("undefined", _c.c_int32), ("low_support", _c.c_int32),
                ("support", _c.c_uint64)]


_P = _c.POINTER
_inputs_init = declare("fairgate_binary_inputs_init", [_P(_BinaryInputs)])
_acc_opts_init = declare("fairgate_accumulate_options_init", [_P(_AccumulateOptions)])
_create = declare("fairgate_accumulator_create", [_c.c_uint32, _P(_c.c_void_p)])
_destroy = declare("fairgate_accumulator_destroy", [_c.c_void_p], None)
_add = declare("fairgate_accumulator_add", [_c.c_void_p, _P(_BinaryInputs), _P(_AccumulateOptions)])
_merge = declare("fairgate_accumulator_merge", [_c.c_void_p, _c.c_void_p])
_n_groups = declare("fairgate_accumulator_n_groups", [_c.c_void_p, _P(_c.c_uint32)])
_counts = declare("fairgate_accumulator_counts", [_c.c_void_p, _c.c_uint32, _P(_Counts)])
_weights = declare("fairgate_accumulator_weights", [_c.c_void_p, _c.c_uint32, _P(_c.c_double)])
_serialize = declare("fairgate_accumulator_serialize",
                     [_c.c_void_p, _c.c_void_p, _c.c_size_t, _P(_c.c_size_t)])
_deserialize = declare("fairgate_accumulator_deserialize",
                       [_c.c_void_p, _c.c_size_t, _P(_c.c_void_p)])
_mopts_init = declare("fairgate_metric_options_init", [_P(_MetricOptions)])
_by_group = declare("fairgate_metric_by_group",
                    [_c.c_void_p, _c.c_int32, _P(_MetricOptions), _P(_Value), _P(_Value)])
_aggregate = declare("fairgate_metric_aggregate",
                     [_c.c_void_p, _c.c_int32, _c.c_int32, _P(_MetricOptions),
                      _P(_c.c_double), _P(_c.c_int32)])
_disparity = declare("fairgate_disparity_value",
                     [_c.c_void_p, _c.c_int32, _P(_MetricOptions), _P(_c.c_double), _P(_c.c_int32)])
class _Auc(_c.Structure):
    _fields_ = [("auc", _c.c_double), ("defined", _c.c_int32), ("n_pos", _c.c_uint64),
                ("n_neg", _c.c_uint64)]


_roc_auc = declare("fairgate_roc_auc",
                   [_c.c_void_p, _c.c_int32, _c.c_void_p, _c.c_int32, _c.c_void_p, _c.c_int32,
                    _c.c_void_p, _c.c_int32, _c.c_size_t, _c.c_uint32, _P(_Auc), _P(_Auc)])


class _AccumulatorOptions(_c.Structure):
    _fields_ = [("struct_size", _c.c_uint32), ("calibration_bins", _c.c_uint32),
                ("histogram_bins", _c.c_uint32), ("histogram_min", _c.c_double),
                ("histogram_max", _c.c_double)]


class _CalibrationSummary(_c.Structure):
    _fields_ = [("count", _c.c_uint64), ("weight", _c.c_double), ("mean_score", _c.c_double),
                ("base_rate", _c.c_double), ("calibration_in_the_large", _c.c_double),
                ("ece", _c.c_double), ("mce", _c.c_double), ("defined", _c.c_int32)]


class _CalibrationBin(_c.Structure):
    _fields_ = [("lower", _c.c_double), ("upper", _c.c_double), ("count", _c.c_uint64),
                ("weight", _c.c_double), ("mean_predicted", _c.c_double),
                ("fraction_positive", _c.c_double), ("nonempty", _c.c_int32)]


_GROUP_OVERALL = 0xFFFFFFFF
_aopts_init = declare("fairgate_accumulator_options_init", [_P(_AccumulatorOptions)])
_create_opts = declare("fairgate_accumulator_create_with_options",
                       [_c.c_uint32, _P(_AccumulatorOptions), _P(_c.c_void_p)])
_get_opts = declare("fairgate_accumulator_get_options", [_c.c_void_p, _P(_AccumulatorOptions)])
_calibration = declare("fairgate_accumulator_calibration",
                       [_c.c_void_p, _P(_CalibrationSummary), _P(_CalibrationSummary)])
_reliability = declare("fairgate_accumulator_reliability_bins",
                       [_c.c_void_p, _c.c_uint32, _P(_CalibrationBin), _c.c_size_t,
                        _P(_c.c_size_t)])
_auc_binned = declare("fairgate_accumulator_roc_auc_binned", [_c.c_void_p, _P(_Auc), _P(_Auc)])
_aif360 = declare("fairgate_aif360_value",
                  [_c.c_void_p, _c.c_int32, _c.c_void_p, _c.c_size_t, _c.c_void_p, _c.c_size_t,
                   _P(_MetricOptions), _P(_c.c_double), _P(_c.c_int32)])


def _index(name, names, what):
    try:
        return names.index(name)
    except ValueError:
        raise ValueError(f"unknown {what} {name!r}; expected one of {names}") from None


def _metric_index(m) -> int:
    name = getattr(m, "_fairgate_metric", m)
    return _index(name, METRICS, "metric")


def _options(*, weighted=False, zero_division="nan", method="between_groups", agg="worst_case",
             min_support=0, exclude_low_support=False) -> _MetricOptions:
    o = _MetricOptions()
    check(_mopts_init(_c.byref(o)))
    o.weighted = 1 if weighted else 0
    if isinstance(zero_division, str) and zero_division not in ("nan", "warn"):
        raise ValueError(f"zero_division must be 'nan', 0 or 1, got {zero_division!r}")
    if zero_division not in _ZERO_DIVISION or (isinstance(zero_division, float) and math.isnan(zero_division)):
        if isinstance(zero_division, float) and math.isnan(zero_division):
            zero_division = "nan"
        else:
            raise ValueError(f"zero_division must be 'nan', 0 or 1, got {zero_division!r}")
    o.zero_division = _ZERO_DIVISION[zero_division]
    o.method = _index(method, _METHODS, "method")
    o.agg = _index(agg, _AGGS, "agg")
    o.min_support = int(min_support)
    o.exclude_low_support = 1 if exclude_low_support else 0
    return o


def encode_groups(sensitive_features):
    """(codes uint32 array, names list) for one column or several (intersectional).

    One column: names are the sorted distinct labels. Several columns (2-D
    array with one column per feature, a list/tuple of 1-D arrays, or a dict
    of name -> array): names are the sorted distinct row tuples that occur."""
    sf = sensitive_features
    if isinstance(sf, dict):
        cols = [A.to_numpy(v) for v in sf.values()]
    elif isinstance(sf, (list, tuple)) and len(sf) > 0 and np.ndim(A.to_numpy(sf[0])) == 1 \
            and not np.isscalar(sf[0]):
        cols = [A.to_numpy(v) for v in sf]
    else:
        a = A.to_numpy(sf)
        if a.ndim == 2 and a.shape[1] == 1:
            a = a[:, 0]
        if a.ndim == 1:
            names, codes = np.unique(a, return_inverse=True)
            return codes.astype(np.uint32), [n.item() if hasattr(n, "item") else n for n in names]
        if a.ndim != 2:
            raise ValueError(f"sensitive_features must be 1-D or 2-D, got shape {a.shape}")
        cols = [a[:, j] for j in range(a.shape[1])]
    n = len(cols[0])
    for j, c in enumerate(cols):
        if c.ndim != 1 or len(c) != n:
            raise ValueError(f"sensitive feature column {j} has shape {c.shape}, expected ({n},)")
    per_col = [np.unique(c, return_inverse=True) for c in cols]
    # Combine the per-column codes; sorted code tuples = sorted name tuples.
    stacked = np.stack([inv for _, inv in per_col], axis=1) if n else np.zeros((0, len(cols)), int)
    combos, codes = np.unique(stacked, axis=0, return_inverse=True)
    names = [tuple(per_col[j][0][k].item() if hasattr(per_col[j][0][k], "item") else per_col[j][0][k]
                   for j, k in enumerate(row)) for row in combos]
    return np.asarray(codes, dtype=np.uint32).reshape(-1), names


class Accumulator:
    """Per-group confusion counts (and exact weight sums), mergeable and serialisable.

    The binding of fairgate_accumulator; add batches with add(), combine shards
    with merge(), ship them with to_bytes() / Accumulator.from_bytes().

    Optional score statistics, fixed at construction (then every add() needs
    scores, and with calibration bins they must lie in [0, 1]):
      calibration_bins=n   equal-width bins on [0, 1] per group (sklearn
                           calibration_curve strategy="uniform"):
                           calibration() gives ECE, MCE, calibration-in-the-large
                           and the reliability bins, exactly;
      histogram_bins=n     a score histogram per (group, label) over
                           histogram_range (default (0, 1); scores outside count
                           in the end bins): roc_auc_binned() gives the binned
                           ROC AUC, within sum_b P_b N_b / (2 P N) of the exact AUC.
    Both merge and serialise exactly: results from merged shards equal those
    of one accumulator over all rows bit for bit.

        >>> acc = Accumulator(2, calibration_bins=10, histogram_bins=200)
        >>> acc.add(y, scores=p, groups=g)
        >>> acc.calibration()["by_group"][1]["ece"], acc.roc_auc_binned()["overall"]
    """

    def __init__(self, n_groups: int, *, calibration_bins: int = 0, histogram_bins: int = 0,
                 histogram_range=(0.0, 1.0), _handle=None):
        self._h = _c.c_void_p()
        if _handle is not None:
            self._h = _handle
        elif calibration_bins or histogram_bins:
            o = _AccumulatorOptions()
            check(_aopts_init(_c.byref(o)))
            lo, hi = histogram_range
            o.calibration_bins = _u32(calibration_bins, "calibration_bins")
            o.histogram_bins = _u32(histogram_bins, "histogram_bins")
            o.histogram_min, o.histogram_max = float(lo), float(hi)
            check(_create_opts(int(n_groups), _c.byref(o), _c.byref(self._h)))
        else:
            check(_create(int(n_groups), _c.byref(self._h)))

    def __del__(self):
        h = getattr(self, "_h", None)
        if h is not None and h.value:
            _destroy(h)
            self._h = None

    @property
    def n_groups(self) -> int:
        g = _c.c_uint32()
        check(_n_groups(self._h, _c.byref(g)))
        return g.value

    def add(self, y_true, y_pred=None, *, groups, scores=None, threshold=0.5, sample_weight=None,
            threads=1):
        """Adds rows: labels y_true, and either hard predictions y_pred or
        scores (prediction = score >= threshold); integer group codes."""
        y, yd = A.labels(y_true, "y_true")
        inp = _BinaryInputs()
        check(_inputs_init(_c.byref(inp)))
        keep = [y]
        inp.n = y.shape[0]
        inp.y_true, inp.y_true_dtype = y.ctypes.data, yd
        if (y_pred is None) == (scores is None):
            raise ValueError("pass exactly one of y_pred and scores")
        if y_pred is not None:
            p, pd = A.labels(y_pred, "y_pred")
            inp.y_pred, inp.y_pred_dtype = p.ctypes.data, pd
            n_pred = p.shape[0]
            keep.append(p)
        else:
            s, sd = A.reals(scores, "scores")
            inp.scores, inp.scores_dtype = s.ctypes.data, sd
            inp.threshold = float(threshold)
            n_pred = s.shape[0]
            keep.append(s)
        g, gd = A.codes(groups, "groups")
        inp.groups, inp.groups_dtype = g.ctypes.data, gd
        keep.append(g)
        for name, m in (("y_pred" if y_pred is not None else "scores", n_pred), ("groups", g.shape[0])):
            if m != inp.n:
                raise ValueError(f"{name} has {m} rows but y_true has {inp.n}")
        if sample_weight is not None:
            w, wd = A.reals(sample_weight, "sample_weight")
            if w.shape[0] != inp.n:
                raise ValueError(f"sample_weight has {w.shape[0]} rows but y_true has {inp.n}")
            inp.weights, inp.weights_dtype = w.ctypes.data, wd
            keep.append(w)
        opts = _AccumulateOptions()
        check(_acc_opts_init(_c.byref(opts)))
        opts.threads = int(threads)
        check(_add(self._h, _c.byref(inp), _c.byref(opts)))
        return self

    def merge(self, other: "Accumulator"):
        check(_merge(self._h, other._h))
        return self

    def counts(self, group: int) -> dict:
        """Unweighted {"tp", "fp", "tn", "fn"} of one group."""
        c = _Counts()
        check(_counts(self._h, int(group), _c.byref(c)))
        return {"tp": c.tp, "fp": c.fp, "tn": c.tn, "fn": c.fn}

    def weights(self, group: int) -> dict:
        """Weighted cells of one group (each an exact sum rounded once)."""
        out = (_c.c_double * 4)()
        check(_weights(self._h, int(group), out))
        return dict(zip(("tp", "fp", "tn", "fn"), list(out)))

    def to_bytes(self) -> bytes:
        size = _c.c_size_t()
        check(_serialize(self._h, None, 0, _c.byref(size)))
        buf = (_c.c_uint8 * size.value)()
        check(_serialize(self._h, buf, size.value, _c.byref(size)))
        return bytes(buf)

    @classmethod
    def from_bytes(cls, data: bytes) -> "Accumulator":
        h = _c.c_void_p()
        b = bytes(data)
        check(_deserialize(b, len(b), _c.byref(h)))
        return cls(0, _handle=h)

    @property
    def score_options(self) -> dict:
        """{"calibration_bins", "histogram_bins", "histogram_range"} (0 bins = not kept)."""
        o = _AccumulatorOptions()
        check(_aopts_init(_c.byref(o)))
        check(_get_opts(self._h, _c.byref(o)))
        return {"calibration_bins": o.calibration_bins, "histogram_bins": o.histogram_bins,
                "histogram_range": (o.histogram_min, o.histogram_max)}

    # --- score statistics -------------------------------------------------
    def _reliability_bins(self, group: int) -> dict:
        n = _c.c_size_t()
        check(_reliability(self._h, group, None, 0, _c.byref(n)))
        bins = (_CalibrationBin * max(1, n.value))()
        check(_reliability(self._h, group, bins, n.value, _c.byref(n)))
        b = bins[:n.value]
        return {
            "lower": np.array([x.lower for x in b], dtype=np.float64),
            "upper": np.array([x.upper for x in b], dtype=np.float64),
            "count": np.array([x.count for x in b], dtype=np.uint64),
            "weight": np.array([x.weight for x in b], dtype=np.float64),
            "mean_predicted": np.array([x.mean_predicted for x in b], dtype=np.float64),
            "fraction_positive": np.array([x.fraction_positive for x in b], dtype=np.float64),
            "nonempty": np.array([bool(x.nonempty) for x in b], dtype=bool),
        }

    def calibration(self) -> dict:
        """Calibration per group and overall from the accumulator's equal-width bins.

        Returns {"by_group": [curve for each group code], "overall": curve}; a
        curve is a dict with floats "ece", "mce", "calibration_in_the_large",
        "mean_score", "base_rate", "weight", int "count", bool "defined", and
        "bins": numpy arrays over all bins (empty ones included) "lower",
        "upper", "count", "weight", "mean_predicted", "fraction_positive",
        "nonempty". sklearn's calibration_curve(y, p, n_bins=n,
        strategy="uniform") is (fraction_positive[nonempty],
        mean_predicted[nonempty]). Undefined values (a group without rows) are NaN.
        """
        g = self.n_groups
        by = (_CalibrationSummary * g)()
        overall = _CalibrationSummary()
        check(_calibration(self._h, by, _c.byref(overall)))

        def curve(s, group):
            return {"ece": s.ece, "mce": s.mce,
                    "calibration_in_the_large": s.calibration_in_the_large,
                    "mean_score": s.mean_score, "base_rate": s.base_rate, "weight": s.weight,
                    "count": int(s.count), "defined": bool(s.defined),
                    "bins": self._reliability_bins(group)}

        return {"by_group": [curve(by[k], k) for k in range(g)],
                "overall": curve(overall, _GROUP_OVERALL)}

    def roc_auc_binned(self) -> dict:
        """Binned ROC AUC from the score histogram: {"by_group": float array
        (NaN where a group lacks a class), "overall": float, "n_pos", "n_neg":
        uint64 arrays by group}. Within sum_b P_b N_b / (2 P N) of the exact
        AUC (roc_auc_by_group); weighted once a weighted batch was added."""
        g = self.n_groups
        by = (_Auc * g)()
        overall = _Auc()
        check(_auc_binned(self._h, by, _c.byref(overall)))
        return {"by_group": np.array([v.auc for v in by], dtype=np.float64),
                "overall": overall.auc,
                "n_pos": np.array([v.n_pos for v in by], dtype=np.uint64),
                "n_neg": np.array([v.n_neg for v in by], dtype=np.uint64)}

    # --- read-outs --------------------------------------------------------
    def metric(self, metric, **options):
        """(by_group list of floats, overall float) of a named metric."""
        g = self.n_groups
        vals = (_Value * g)()
        overall = _Value()
        o = _options(**options)
        check(_by_group(self._h, _metric_index(metric), _c.byref(o), vals, _c.byref(overall)))
        return [v.value for v in vals], overall.value

    def aggregate(self, metric, aggregate, **options) -> float:
        value, und = _c.c_double(), _c.c_int32()
        o = _options(**options)
        check(_aggregate(self._h, _metric_index(metric), _index(aggregate, _AGGREGATES, "aggregate"),
                         _c.byref(o), _c.byref(value), _c.byref(und)))
        return value.value

    def disparity(self, name, **options) -> float:
        value, und = _c.c_double(), _c.c_int32()
        o = _options(**options)
        check(_disparity(self._h, _index(name, _DISPARITIES, "disparity"), _c.byref(o),
                         _c.byref(value), _c.byref(und)))
        return value.value

    def aif360(self, name, unprivileged, privileged, **options) -> float:
        u = np.ascontiguousarray(np.atleast_1d(unprivileged), dtype=np.uint32)
        p = np.ascontiguousarray(np.atleast_1d(privileged), dtype=np.uint32)
        value, und = _c.c_double(), _c.c_int32()
        o = _options(**options)
        check(_aif360(self._h, _index(name, AIF360_METRICS, "AIF360 metric"), u.ctypes.data, u.size,
                      p.ctypes.data, p.size, _c.byref(o), _c.byref(value), _c.byref(und)))
        return value.value


def _u32(v, name) -> int:
    v = int(v)
    if not 0 <= v < 2**32:
        raise ValueError(f"{name} = {v}: must be in [0, 2**32)")
    return v


def _accumulate(y_true, y_pred, sensitive_features, sample_weight):
    codes, names = encode_groups(sensitive_features)
    acc = Accumulator(max(1, len(names)))
    acc.add(y_true, y_pred, groups=codes, sample_weight=sample_weight)
    return acc, names


class MetricFrame:
    """Fairlearn's MetricFrame for fairgate's named metrics, as plain dicts.

    metrics: a name from METRICS (or one of this module's metric functions),
    a list of them, or a dict label -> metric. With one metric, `by_group` is
    {group: value} and `overall` a float; with several, {metric: {group: value}}
    and {metric: value}. Aggregates (group_min, group_max, difference, ratio)
    follow the same shape."""

    def __init__(self, *, metrics, y_true, y_pred, sensitive_features, sample_weight=None,
                 zero_division="nan"):
        self._single = isinstance(metrics, str) or callable(metrics)
        if self._single:
            items = {getattr(metrics, "_fairgate_metric", metrics): metrics}
        elif isinstance(metrics, dict):
            items = dict(metrics)
        else:
            items = {getattr(m, "_fairgate_metric", m): m for m in metrics}
        self._metrics = {label: _metric_index(m) for label, m in items.items()}
        self._acc, self._names = _accumulate(y_true, y_pred, sensitive_features, sample_weight)
        self._opts = {"weighted": sample_weight is not None, "zero_division": zero_division}
        by_group, overall = {}, {}
        for label, idx in self._metrics.items():
            vals, all_ = self._acc.metric(METRICS[idx], **self._opts)
            by_group[label] = dict(zip(self._names, vals))
            overall[label] = all_
        self._by_group, self._overall = by_group, overall

    def _shape(self, d):
        return next(iter(d.values())) if self._single else d

    @property
    def by_group(self):
        return self._shape(self._by_group)

    @property
    def overall(self):
        return self._shape(self._overall)

    @property
    def accumulator(self) -> Accumulator:
        return self._acc

    def _agg(self, aggregate, **extra):
        return self._shape({label: self._acc.aggregate(METRICS[idx], aggregate, **self._opts, **extra)
                            for label, idx in self._metrics.items()})

    def group_min(self):
        return self._agg("group_min")

    def group_max(self):
        return self._agg("group_max")

    def difference(self, method="between_groups"):
        return self._agg("difference", method=method)

    def ratio(self, method="between_groups"):
        return self._agg("ratio", method=method)

    def to_pandas(self):
        """(by_group DataFrame, overall Series); needs pandas."""
        import pandas as pd  # optional dependency
        return pd.DataFrame(self._by_group), pd.Series(self._overall)


# --- Fairlearn-style functions ----------------------------------------------
def _disparity_fn(name, has_agg):
    if has_agg:
        def fn(y_true, y_pred, *, sensitive_features, method="between_groups", sample_weight=None,
               agg="worst_case"):
            acc, _ = _accumulate(y_true, y_pred, sensitive_features, sample_weight)
            return acc.disparity(name, weighted=sample_weight is not None, method=method, agg=agg)
    else:
        def fn(y_true, y_pred, *, sensitive_features, method="between_groups", sample_weight=None):
            acc, _ = _accumulate(y_true, y_pred, sensitive_features, sample_weight)
            return acc.disparity(name, weighted=sample_weight is not None, method=method)
    fn.__name__ = name
    fn.__doc__ = (f"Fairlearn's {name}: see docs/metrics.md. Undefined groups are skipped; "
                  "NaN when no group is usable.")
    return fn


demographic_parity_difference = _disparity_fn("demographic_parity_difference", False)
demographic_parity_ratio = _disparity_fn("demographic_parity_ratio", False)
equalized_odds_difference = _disparity_fn("equalized_odds_difference", True)
equalized_odds_ratio = _disparity_fn("equalized_odds_ratio", True)
equal_opportunity_difference = _disparity_fn("equal_opportunity_difference", False)
equal_opportunity_ratio = _disparity_fn("equal_opportunity_ratio", False)


def _rate_fn(name):
    def fn(y_true, y_pred, *, sample_weight=None, zero_division="nan"):
        n = A.one_d(y_true, "y_true").shape[0]
        acc = Accumulator(1)
        acc.add(y_true, y_pred, groups=np.zeros(n, dtype=np.uint8), sample_weight=sample_weight)
        return acc.metric(name, weighted=sample_weight is not None, zero_division=zero_division)[1]
    fn.__name__ = name
    fn._fairgate_metric = name
    fn.__doc__ = f"The {name} of all rows (usable as a MetricFrame metric)."
    return fn


selection_rate = _rate_fn("selection_rate")
base_rate = _rate_fn("base_rate")
accuracy = _rate_fn("accuracy")
error_rate = _rate_fn("error_rate")
balanced_accuracy = _rate_fn("balanced_accuracy")
true_positive_rate = _rate_fn("true_positive_rate")
false_positive_rate = _rate_fn("false_positive_rate")
true_negative_rate = _rate_fn("true_negative_rate")
false_negative_rate = _rate_fn("false_negative_rate")
precision = _rate_fn("precision")
negative_predictive_value = _rate_fn("negative_predictive_value")
false_discovery_rate = _rate_fn("false_discovery_rate")
false_omission_rate = _rate_fn("false_omission_rate")
f1 = _rate_fn("f1")
count = _rate_fn("count")


def aif360_metric(name, y_true, y_pred, *, sensitive_features, unprivileged, privileged,
                  sample_weight=None, zero_division="nan"):
    """An AIF360 ClassificationMetric value (AIF360_METRICS): `unprivileged` and
    `privileged` are lists of group names (labels of sensitive_features, or
    tuples for several columns); each side's rows are pooled."""
    codes, names = encode_groups(sensitive_features)
    acc = Accumulator(max(1, len(names)))
    acc.add(y_true, y_pred, groups=codes, sample_weight=sample_weight)
    lookup = {n: i for i, n in enumerate(names)}

    def side(groups, what):
        try:
            return [lookup[g] for g in groups]
        except KeyError as e:
            raise ValueError(f"{what} group {e.args[0]!r} does not occur in sensitive_features") from None
    return acc.aif360(name, side(unprivileged, "unprivileged"), side(privileged, "privileged"),
                      weighted=sample_weight is not None, zero_division=zero_division)


def roc_auc_by_group(y_true, y_score, *, sensitive_features, sample_weight=None):
    """({group: AUC}, overall AUC): sklearn's roc_auc_score per group (ties
    count 1/2), NaN for a group that lacks one of the classes (sklearn raises)."""
    codes, names = encode_groups(sensitive_features)
    y, yd = A.labels(y_true, "y_true")
    s, sd = A.reals(y_score, "y_score")
    g, gd = A.codes(codes, "groups")
    if not (s.shape[0] == y.shape[0] == g.shape[0]):
        raise ValueError(f"y_true, y_score and sensitive_features have {y.shape[0]}, {s.shape[0]} "
                         f"and {g.shape[0]} rows")
    w, wd = (None, A.DTYPE_F64) if sample_weight is None else A.reals(sample_weight, "sample_weight")
    if w is not None and w.shape[0] != y.shape[0]:
        raise ValueError(f"sample_weight has {w.shape[0]} rows but y_true has {y.shape[0]}")
    G = max(1, len(names))
    by = (_Auc * G)()
    overall = _Auc()
    check(_roc_auc(s.ctypes.data, sd, y.ctypes.data, yd, g.ctypes.data, gd,
                   None if w is None else w.ctypes.data, wd, y.shape[0], G, by, _c.byref(overall)))
    return {n: by[k].auc for k, n in enumerate(names)}, overall.auc
