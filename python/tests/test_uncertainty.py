"""fairgate.uncertainty against scipy (Fisher, binomial McNemar) and the
published formulas (Wilson 1927, Holm 1979, Benjamini-Hochberg 1995)."""
import math

import numpy as np
import pytest

import fairgate
from fairgate import uncertainty as U
from fairgate.metrics import Accumulator

stats = pytest.importorskip("scipy.stats")


def _wilson(x, n, z):
    p = x / n
    center = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, center - half), min(1.0, center + half)


@pytest.mark.parametrize("x,n,conf", [(8, 10, 0.95), (0, 7, 0.9), (13, 13, 0.99), (40, 1000, 0.95)])
def test_wilson_matches_the_formula(x, n, conf):
    z = stats.norm.ppf(1 - (1 - conf) / 2)
    lo, hi = U.wilson_interval(x, n, confidence=conf)
    elo, ehi = _wilson(x, n, z)
    assert lo == pytest.approx(elo, abs=1e-12) and hi == pytest.approx(ehi, abs=1e-12)


def _acc(tables):
    """Accumulator whose selection rate in group k is x_k / n_k (labels all 0)."""
    y, p, g = [], [], []
    for k, (x, n) in enumerate(tables):
        y += [0] * n
        p += [1] * x + [0] * (n - x)
        g += [k] * n
    return Accumulator(len(tables)).add(y, p, groups=g)


@pytest.mark.parametrize("alternative,scipy_alt", [("two-sided", "two-sided"), ("less", "less"),
                                                   ("greater", "greater")])
def test_fisher_matches_scipy(alternative, scipy_alt):
    rng = np.random.default_rng(3)
    for _ in range(20):
        n1, n2 = rng.integers(1, 40, 2)
        x1, x2 = rng.integers(0, n1 + 1), rng.integers(0, n2 + 1)
        acc = _acc([(x1, n1), (x2, n2)])
        odds, p = U.compare_groups(acc, 0, 1, "selection_rate", test="fisher", alternative=alternative)
        e_odds, e_p = stats.fisher_exact([[x1, n1 - x1], [x2, n2 - x2]], alternative=scipy_alt)
        assert p == pytest.approx(e_p, rel=1e-9, abs=1e-15)
        if np.isfinite(e_odds):
            assert odds == pytest.approx(e_odds, rel=1e-12)


def test_z_test_matches_the_pooled_formula():
    x1, n1, x2, n2 = 40, 100, 25, 100
    acc = _acc([(x1, n1), (x2, n2)])
    z, p = U.compare_groups(acc, 0, 1, "selection_rate")
    pooled = (x1 + x2) / (n1 + n2)
    ez = (x1 / n1 - x2 / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    assert z == pytest.approx(ez, rel=1e-12)
    assert p == pytest.approx(2 * stats.norm.sf(abs(ez)), rel=1e-9)


def test_mcnemar_matches_the_binomial_test():
    rng = np.random.default_rng(4)
    y = rng.integers(0, 2, 300)
    a = np.where(rng.random(300) < 0.8, y, 1 - y)
    b = np.where(rng.random(300) < 0.7, y, 1 - y)
    g = rng.integers(0, 3, 300)
    for k, (nb, nc, p) in enumerate(U.mcnemar_by_group(y, a, b, g)):
        m = g == k
        eb = int(np.sum((a[m] == y[m]) & (b[m] != y[m])))
        ec = int(np.sum((a[m] != y[m]) & (b[m] == y[m])))
        assert (nb, nc) == (eb, ec)
        expected = 1.0 if eb + ec == 0 else stats.binomtest(min(eb, ec), eb + ec, 0.5).pvalue
        assert p == pytest.approx(expected, rel=1e-9)


def _holm(p):
    order = np.argsort(p, kind="stable")
    m = len(p)
    adj = np.maximum.accumulate(np.minimum(1, p[order] * (m - np.arange(m))))
    out = np.empty(m)
    out[order] = adj
    return out


def _bh(p):
    order = np.argsort(p, kind="stable")
    m = len(p)
    adj = np.minimum.accumulate((p[order] * m / np.arange(1, m + 1))[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(1, adj)
    return out


def test_holm_and_bh_match_the_definitions():
    p = np.random.default_rng(5).random(25) ** 3
    assert np.allclose(U.adjust_p_values(p, method="holm")[0], _holm(p), rtol=1e-12, atol=0)
    assert np.allclose(U.adjust_p_values(p, method="fdr_bh")[0], _bh(p), rtol=1e-12, atol=0)


def test_bootstrap_is_seeded_and_contains_plausible_values():
    acc = _acc([(30, 100), (50, 100)])
    lo, hi = U.bootstrap_disparity(acc, "demographic_parity_difference", seed=1, replicates=400)
    assert (lo, hi) == U.bootstrap_disparity(acc, "demographic_parity_difference", seed=1, replicates=400)
    assert 0.0 <= lo < 0.2 < hi <= 0.5  # observed difference 0.2, sd about 0.07
    with pytest.raises(fairgate.FairgateError, match="replicates"):
        U.bootstrap_disparity(acc, "demographic_parity_difference", replicates=0)
