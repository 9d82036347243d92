"""fairgate.metrics against sklearn (per-group rates, with sample weights) and
against an independent numpy implementation of Fairlearn's disparity formulas
(fairlearn 0.12 metrics/_disparities.py and MetricFrame.difference/ratio)."""
import numpy as np
import pytest

import fairgate
from fairgate import metrics as M

sk = pytest.importorskip("sklearn.metrics")

RTOL = 1e-12


def _data(seed, n=600, n_groups=3, weights=False):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    p = rng.integers(0, 2, n)
    g = rng.choice(np.array(["amber", "blue", "cyan", "dusk"][:n_groups]), n)
    w = rng.uniform(0.1, 3.0, n) if weights else None
    return y, p, g, w


def _sk_rates(y, p, w):
    tn, fp, fn, tp = sk.confusion_matrix(y, p, labels=[0, 1], sample_weight=w).ravel()
    return {
        "selection_rate": (tp + fp) / (tp + fp + tn + fn),
        "accuracy": sk.accuracy_score(y, p, sample_weight=w),
        "true_positive_rate": sk.recall_score(y, p, sample_weight=w),
        "false_positive_rate": fp / (fp + tn),
        "true_negative_rate": sk.recall_score(y, p, pos_label=0, sample_weight=w),
        "false_negative_rate": fn / (fn + tp),
        "precision": sk.precision_score(y, p, sample_weight=w),
        "negative_predictive_value": sk.precision_score(y, p, pos_label=0, sample_weight=w),
        "f1": sk.f1_score(y, p, sample_weight=w),
        "balanced_accuracy": sk.balanced_accuracy_score(y, p, sample_weight=w),
    }


@pytest.mark.parametrize("weighted", [False, True])
def test_group_rates_match_sklearn(weighted):
    y, p, g, w = _data(1, weights=weighted)
    names = list(_sk_rates(y[:5], p[:5], None).keys())
    mf = M.MetricFrame(metrics=names, y_true=y, y_pred=p, sensitive_features=g, sample_weight=w)
    for group in np.unique(g):
        m = g == group
        expected = _sk_rates(y[m], p[m], None if w is None else w[m])
        for name in names:
            assert mf.by_group[name][group] == pytest.approx(expected[name], rel=RTOL), (name, group)
    overall = _sk_rates(y, p, w)
    for name in names:
        assert mf.overall[name] == pytest.approx(overall[name], rel=RTOL), name


def test_confusion_counts_match_sklearn_exactly():
    y, p, g, _ = _data(2)
    codes, names = M.encode_groups(g)
    acc = M.Accumulator(len(names)).add(y, p, groups=codes)
    for k, name in enumerate(names):
        tn, fp, fn, tp = sk.confusion_matrix(y[g == name], p[g == name], labels=[0, 1]).ravel()
        assert acc.counts(k) == {"tp": tp, "fp": fp, "tn": tn, "fn": fn}


def test_zero_division_zero_reproduces_sklearn():
    # Group "b" has no positives: recall is undefined; sklearn zero_division=0 gives 0.
    y = np.array([1, 0, 1, 0, 0, 0])
    p = np.array([1, 1, 0, 0, 1, 0])
    g = np.array(["a", "a", "a", "b", "b", "b"])
    nan_frame = M.MetricFrame(metrics="true_positive_rate", y_true=y, y_pred=p, sensitive_features=g)
    assert np.isnan(nan_frame.by_group["b"])
    zero = M.MetricFrame(metrics="true_positive_rate", y_true=y, y_pred=p, sensitive_features=g,
                         zero_division=0)
    assert zero.by_group["b"] == sk.recall_score(y[3:], p[3:], zero_division=0)
    # Undefined groups are skipped by the aggregates: only group "a" (0.5) is used.
    assert nan_frame.difference() == 0.0 and nan_frame.group_max() == 0.5


def _np_rate(y, p, w, name):
    if name == "selection_rate":
        return np.sum(w * p) / np.sum(w)
    if name == "tpr":
        return np.sum(w * (p == 1) * (y == 1)) / np.sum(w * (y == 1))
    return np.sum(w * (p == 1) * (y == 0)) / np.sum(w * (y == 0))


def _np_frame(y, p, g, w, name):
    w = np.ones(len(y)) if w is None else w
    groups = np.unique(g, axis=0) if g.ndim == 2 else np.unique(g)
    masks = [np.all(g == k, axis=1) if g.ndim == 2 else g == k for k in groups]
    by = np.array([_np_rate(y[m], p[m], w[m], name) for m in masks])
    return by, _np_rate(y, p, w, name)


def _np_difference(by, overall, method):
    return by.max() - by.min() if method == "between_groups" else np.max(np.abs(by - overall))


def _np_ratio(by, overall, method):
    if method == "between_groups":
        return by.min() / by.max()
    return np.min(np.minimum(by / overall, overall / by))


@pytest.mark.parametrize("method", ["between_groups", "to_overall"])
@pytest.mark.parametrize("weighted", [False, True])
def test_fairlearn_disparities_match_the_numpy_formulas(method, weighted):
    y, p, g, w = _data(3, n=900, n_groups=4, weights=weighted)
    sr = _np_frame(y, p, g, w, "selection_rate")
    tpr = _np_frame(y, p, g, w, "tpr")
    fpr = _np_frame(y, p, g, w, "fpr")
    kw = dict(sensitive_features=g, method=method, sample_weight=w)
    assert M.demographic_parity_difference(y, p, **kw) == pytest.approx(_np_difference(*sr, method), rel=RTOL)
    assert M.demographic_parity_ratio(y, p, **kw) == pytest.approx(_np_ratio(*sr, method), rel=RTOL)
    assert M.equal_opportunity_difference(y, p, **kw) == pytest.approx(_np_difference(*tpr, method), rel=RTOL)
    assert M.equal_opportunity_ratio(y, p, **kw) == pytest.approx(_np_ratio(*tpr, method), rel=RTOL)
    d = [_np_difference(*tpr, method), _np_difference(*fpr, method)]
    r = [_np_ratio(*tpr, method), _np_ratio(*fpr, method)]
    assert M.equalized_odds_difference(y, p, **kw) == pytest.approx(max(d), rel=RTOL)
    assert M.equalized_odds_difference(y, p, agg="mean", **kw) == pytest.approx(np.mean(d), rel=RTOL)
    assert M.equalized_odds_ratio(y, p, **kw) == pytest.approx(min(r), rel=RTOL)
    assert M.equalized_odds_ratio(y, p, agg="mean", **kw) == pytest.approx(np.mean(r), rel=RTOL)


def test_several_sensitive_columns_are_intersectional():
    y, p, g, _ = _data(4, n=500, n_groups=2)
    rng = np.random.default_rng(5)
    h = rng.integers(0, 3, len(y))
    mf = M.MetricFrame(metrics=M.selection_rate, y_true=y, y_pred=p, sensitive_features={"g": g, "h": h})
    assert sorted(mf.by_group) == list(mf.by_group)  # names sorted
    for (gv, hv), value in mf.by_group.items():
        m = (g == gv) & (h == hv)
        assert value == pytest.approx(p[m].mean(), rel=RTOL)
    two_d = np.stack([g, h.astype(str)], axis=1)
    by, overall = _np_frame(y, p, two_d, None, "selection_rate")
    assert M.demographic_parity_difference(y, p, sensitive_features=two_d) == pytest.approx(
        by.max() - by.min(), rel=RTOL)


def test_merged_and_serialised_shards_equal_the_whole():
    y, p, g, w = _data(6, n=400, weights=True)
    codes, names = M.encode_groups(g)
    whole = M.Accumulator(len(names)).add(y, p, groups=codes, sample_weight=w)
    a = M.Accumulator(len(names)).add(y[:123], p[:123], groups=codes[:123], sample_weight=w[:123])
    b = M.Accumulator(len(names)).add(y[123:], p[123:], groups=codes[123:], sample_weight=w[123:])
    a.merge(M.Accumulator.from_bytes(b.to_bytes()))
    assert a.to_bytes() == whole.to_bytes()
    for k in range(len(names)):
        assert a.weights(k) == whole.weights(k)


def test_scores_with_threshold_equal_thresholded_predictions():
    rng = np.random.default_rng(7)
    s = rng.random(300).astype(np.float32)
    y = rng.integers(0, 2, 300)
    g = rng.integers(0, 3, 300).astype(np.uint8)
    a = M.Accumulator(3).add(y, scores=s, threshold=0.3, groups=g, threads=2)
    b = M.Accumulator(3).add(y, (s >= np.float32(0.3)).astype(np.uint8), groups=g)
    assert a.to_bytes() == b.to_bytes()


def test_aif360_metrics_compare_pooled_sides():
    y, p, g, _ = _data(8, n=700, n_groups=3)
    sr = {k: p[g == k].mean() for k in np.unique(g)}
    unpriv = (g == "amber") | (g == "cyan")
    spd = p[unpriv].mean() - sr["blue"]
    assert M.aif360_metric("statistical_parity_difference", y, p, sensitive_features=g,
                           unprivileged=["amber", "cyan"], privileged=["blue"]) == pytest.approx(spd, rel=RTOL)
    di = M.aif360_metric("disparate_impact", y, p, sensitive_features=g, unprivileged=["amber"],
                         privileged=["blue"])
    assert di == pytest.approx(sr["amber"] / sr["blue"], rel=RTOL)
    with pytest.raises(ValueError, match="does not occur"):
        M.aif360_metric("disparate_impact", y, p, sensitive_features=g, unprivileged=["x"], privileged=["blue"])


def test_errors_raise_fairgate_errors_with_the_c_message():
    with pytest.raises(fairgate.FairgateError) as info:
        M.demographic_parity_difference([0, 1, 3], [0, 1, 1], sensitive_features=["a", "b", "a"])
    assert info.value.status == "FAIRGATE_E_OUT_OF_RANGE"
    assert "y_true[2] = 3" in info.value.message
    with pytest.raises(fairgate.FairgateError) as info:
        M.Accumulator(2).add([0, 1], scores=[0.1, np.nan], groups=[0, 1])
    assert "scores[1]" in info.value.message
    with pytest.raises(fairgate.FairgateError) as info:
        M.Accumulator(2).add([0, 1], [0, 1], groups=[0, 2])
    assert "groups[1] = 2" in str(info.value)
    with pytest.raises(fairgate.FairgateError, match="weights\\[0\\]"):
        M.selection_rate([0, 1], [0, 1], sample_weight=[-1.0, 1.0])
    with pytest.raises(fairgate.FairgateError, match="FAIRGATE_E_VERIFICATION"):
        raw = bytearray(M.Accumulator(2).add([0, 1], [0, 1], groups=[0, 1]).to_bytes())
        raw[10] ^= 0xFF
        M.Accumulator.from_bytes(bytes(raw))
    with pytest.raises(ValueError, match="unknown metric"):
        M.MetricFrame(metrics="nope", y_true=[0], y_pred=[0], sensitive_features=[0])
    with pytest.raises(ValueError, match="unknown method"):
        M.demographic_parity_ratio([0], [0], sensitive_features=[0], method="nope")


@pytest.mark.parametrize("weighted", [False, True])
def test_roc_auc_by_group_matches_sklearn(weighted):
    rng = np.random.default_rng(9)
    n = 500
    y = rng.integers(0, 2, n)
    s = np.round(rng.random(n) + 0.3 * y, 2).astype(np.float32)  # rounded: many ties
    g = rng.choice(["p", "q", "r"], n)
    w = rng.uniform(0.2, 2.0, n) if weighted else None
    by, overall = M.roc_auc_by_group(y, s, sensitive_features=g, sample_weight=w)
    for k in np.unique(g):
        m = g == k
        assert by[k] == pytest.approx(sk.roc_auc_score(y[m], s[m], sample_weight=None if w is None else w[m]),
                                      rel=1e-12)
    assert overall == pytest.approx(sk.roc_auc_score(y, s, sample_weight=w), rel=1e-12)
    one_class = M.roc_auc_by_group([1, 1, 0], [0.2, 0.3, 0.1], sensitive_features=["a", "a", "b"])[0]
    assert np.isnan(one_class["a"]) and np.isnan(one_class["b"])
