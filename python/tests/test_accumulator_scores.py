"""Accumulator score statistics (calibration, binned ROC AUC) through the C ABI,
from shards merged (one of them shipped through to_bytes / from_bytes), against
sklearn (calibration_curve strategy="uniform", roc_auc_score) and an
independent numpy implementation of ECE / MCE / calibration-in-the-large."""
import numpy as np
import pytest

from fairgate import FairgateError
from fairgate import metrics as M

skc = pytest.importorskip("sklearn.calibration")
skm = pytest.importorskip("sklearn.metrics")

TOL = 1e-12
N_GROUPS = 3


def _data(seed, n=3000, logits=False):
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.0, 1.0, n)
    # Scores exactly on bin edges (0, 0.1, 0.5, 1) exercise the edge rule.
    p[rng.integers(0, n, 40)] = rng.choice([0.0, 0.1, 0.3, 0.5, 0.7, 1.0], 40)
    y = (rng.uniform(0.0, 1.0, n) < p ** 1.3).astype(np.uint8)  # miscalibrated on purpose
    g = rng.integers(0, N_GROUPS, n).astype(np.uint32)
    w = rng.uniform(0.1, 3.0, n)
    if logits:
        p = rng.normal(0.0, 2.5, n) + 1.5 * y  # unbounded scores, some beyond the range
    return p, y, g, w


def _sharded(p, y, g, w, **options):
    """Three uneven shards, the middle one serialised and read back, merged."""
    cuts = [0, len(p) // 5, (2 * len(p)) // 3, len(p)]
    shards = []
    for a, b in zip(cuts[:-1], cuts[1:]):
        acc = M.Accumulator(N_GROUPS, **options)
        acc.add(y[a:b], scores=p[a:b], groups=g[a:b],
                sample_weight=None if w is None else w[a:b])
        shards.append(acc)
    shards[1] = M.Accumulator.from_bytes(shards[1].to_bytes())
    merged = shards[2]
    merged.merge(shards[0]).merge(shards[1])
    return merged


def _numpy_calibration(p, y, w, n_bins):
    """ECE, MCE, CITL and per-bin (count, weight, mean_pred, frac_pos), written
    from the formulas (Naeini et al. 2015) with sklearn's bin assignment."""
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    idx = np.searchsorted(edges[1:-1], p)
    w = np.ones_like(p) if w is None else w
    W = np.bincount(idx, weights=w, minlength=n_bins)
    sp = np.bincount(idx, weights=w * p, minlength=n_bins)
    sy = np.bincount(idx, weights=w * y, minlength=n_bins)
    nz = W > 0
    mean_pred = np.full(n_bins, np.nan)
    frac = np.full(n_bins, np.nan)
    mean_pred[nz] = sp[nz] / W[nz]
    frac[nz] = sy[nz] / W[nz]
    gap = np.abs(frac[nz] - mean_pred[nz])
    return {"ece": float(np.sum(W[nz] / W.sum() * gap)), "mce": float(gap.max()),
            "citl": float(np.sum(w * p) / w.sum() - np.sum(w * y) / w.sum()),
            "count": np.bincount(idx, minlength=n_bins), "weight": W,
            "mean_predicted": mean_pred, "fraction_positive": frac}


@pytest.mark.parametrize("weighted", [False, True])
def test_calibration_from_three_merged_shards_matches_sklearn_and_numpy(weighted):
    p, y, g, w = _data(7)
    w = w if weighted else None
    acc = _sharded(p, y, g, w, calibration_bins=10)
    assert acc.score_options["calibration_bins"] == 10
    cal = acc.calibration()
    compared = 0
    for k in list(range(N_GROUPS)) + ["overall"]:
        sel = np.ones(len(p), bool) if k == "overall" else g == k
        c = cal["overall"] if k == "overall" else cal["by_group"][k]
        ref = _numpy_calibration(p[sel], y[sel], None if w is None else w[sel], 10)
        b = c["bins"]
        np.testing.assert_array_equal(b["count"], ref["count"])
        np.testing.assert_allclose(b["weight"], ref["weight"], rtol=TOL, atol=0)
        np.testing.assert_allclose(b["mean_predicted"], ref["mean_predicted"], rtol=TOL, atol=TOL)
        np.testing.assert_allclose(b["fraction_positive"], ref["fraction_positive"], rtol=TOL,
                                   atol=TOL)
        np.testing.assert_array_equal(b["lower"], np.linspace(0, 1, 11)[:-1])
        np.testing.assert_array_equal(b["upper"], np.linspace(0, 1, 11)[1:])
        assert c["ece"] == pytest.approx(ref["ece"], rel=TOL, abs=TOL)
        assert c["mce"] == pytest.approx(ref["mce"], rel=TOL, abs=TOL)
        assert c["calibration_in_the_large"] == pytest.approx(ref["citl"], rel=TOL, abs=TOL)
        assert c["count"] == int(sel.sum()) and c["defined"]
        if not weighted:  # sklearn's calibration_curve has no sample_weight
            prob_true, prob_pred = skc.calibration_curve(y[sel], p[sel], n_bins=10,
                                                         strategy="uniform")
            ne = b["nonempty"]
            np.testing.assert_allclose(b["fraction_positive"][ne], prob_true, rtol=TOL, atol=TOL)
            np.testing.assert_allclose(b["mean_predicted"][ne], prob_pred, rtol=TOL, atol=TOL)
        compared += 1
    assert compared == N_GROUPS + 1


def _binned_error_bound(p, y, w, n_bins, lo, hi):
    """sum_b P_b N_b / (2 P N): half the share of (positive, negative) pairs in one bin."""
    w = np.ones_like(p) if w is None else w
    edges = np.linspace(lo, hi, n_bins + 1)
    pos, _ = np.histogram(np.clip(p[y == 1], lo, hi), edges, weights=w[y == 1])
    neg, _ = np.histogram(np.clip(p[y == 0], lo, hi), edges, weights=w[y == 0])
    return float(np.sum(pos * neg) / (2.0 * pos.sum() * neg.sum())), edges


@pytest.mark.parametrize("weighted,logits", [(False, False), (True, False), (False, True)])
def test_binned_auc_is_within_the_documented_binning_error_of_sklearn(weighted, logits):
    p, y, g, w = _data(11, logits=logits)
    w = w if weighted else None
    lo, hi = (-6.0, 6.0) if logits else (0.0, 1.0)
    acc = _sharded(p, y, g, w, histogram_bins=200, histogram_range=(lo, hi))
    r = acc.roc_auc_binned()
    checked = 0
    for k in list(range(N_GROUPS)) + ["overall"]:
        sel = np.ones(len(p), bool) if k == "overall" else g == k
        got = r["overall"] if k == "overall" else r["by_group"][k]
        ws = None if w is None else w[sel]
        exact = skm.roc_auc_score(y[sel], p[sel], sample_weight=ws)
        bound, edges = _binned_error_bound(p[sel], y[sel], ws, 200, lo, hi)
        assert abs(got - exact) <= bound + TOL, (k, got, exact, bound)
        assert bound < 0.01  # 200 bins: the approximation is tight here
        # And exactly the AUC of the bin indices (numpy.histogram's rule).
        idx = np.clip(np.searchsorted(edges, np.clip(p[sel], lo, hi), "right") - 1, 0, 199)
        assert got == pytest.approx(skm.roc_auc_score(y[sel], idx, sample_weight=ws),
                                    rel=TOL, abs=TOL)
        if k != "overall":
            assert r["n_pos"][k] == int(y[sel].sum()) and r["n_neg"][k] == int((1 - y[sel]).sum())
        checked += 1
    assert checked == N_GROUPS + 1


def test_merged_shards_equal_the_whole_bit_for_bit():
    p, y, g, w = _data(3)
    opts = dict(calibration_bins=15, histogram_bins=64)
    whole = M.Accumulator(N_GROUPS, **opts)
    whole.add(y, scores=p, groups=g, sample_weight=w)
    merged = _sharded(p, y, g, w, **opts)
    assert whole.to_bytes() == merged.to_bytes()
    a, b = whole.calibration(), merged.calibration()
    for ca, cb in zip(a["by_group"] + [a["overall"]], b["by_group"] + [b["overall"]]):
        for key in ("ece", "mce", "calibration_in_the_large", "mean_score", "base_rate"):
            assert ca[key] == cb[key]
        for key, arr in ca["bins"].items():
            np.testing.assert_array_equal(arr, cb["bins"][key])
    ra, rb = whole.roc_auc_binned(), merged.roc_auc_binned()
    np.testing.assert_array_equal(ra["by_group"], rb["by_group"])
    assert ra["overall"] == rb["overall"]


def test_an_empty_group_is_nan_not_an_error():
    acc = M.Accumulator(2, calibration_bins=4, histogram_bins=8)
    acc.add(np.array([0, 1]), scores=np.array([0.2, 0.9]), groups=np.array([0, 0]))
    cal = acc.calibration()
    assert not cal["by_group"][1]["defined"] and np.isnan(cal["by_group"][1]["ece"])
    assert not cal["by_group"][1]["bins"]["nonempty"].any()
    auc = acc.roc_auc_binned()
    assert auc["by_group"][0] == 1.0 and np.isnan(auc["by_group"][1])


def test_missing_statistics_and_bad_options_raise():
    plain = M.Accumulator(2)
    plain.add(np.array([0, 1]), scores=np.array([0.2, 0.9]), groups=np.array([0, 1]))
    with pytest.raises(FairgateError, match="calibration bins"):
        plain.calibration()
    with pytest.raises(FairgateError, match="histogram"):
        plain.roc_auc_binned()
    assert plain.score_options == {"calibration_bins": 0, "histogram_bins": 0,
                                   "histogram_range": (0.0, 1.0)}
    with pytest.raises(FairgateError):
        M.Accumulator(2, histogram_bins=10, histogram_range=(1.0, 0.0))
    with pytest.raises(FairgateError):
        M.Accumulator(2, calibration_bins=1 << 20)
    with pytest.raises(ValueError):
        M.Accumulator(2, calibration_bins=-1)
    acc = M.Accumulator(2, calibration_bins=4)
    with pytest.raises(FairgateError, match="scores"):
        acc.add(np.array([0, 1]), np.array([0, 1]), groups=np.array([0, 1]))
    with pytest.raises(FairgateError, match=r"\[1\]"):
        acc.add(np.array([0, 1]), scores=np.array([0.5, 1.5]), groups=np.array([0, 1]))
    with pytest.raises(FairgateError, match="score statistics differ"):
        acc.merge(M.Accumulator(2, calibration_bins=5))
