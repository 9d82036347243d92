"""Penalties through the C ABI against an independent numpy implementation
of the documented formulas (docs/objectives.md), and a torch autograd check."""
import numpy as np
import pytest

import fairgate
from fairgate.objectives import penalty


def _relaxed(s, kind, tau):
    x = s / tau
    if kind == "sigmoid":
        return 1 / (1 + np.exp(-x))
    if kind == "hinge":
        return np.maximum(0.0, 1 + x)
    return np.log1p(np.exp(x)) / np.log(2)


def _numpy_dp(s, y, g, w, kind, tau, form, n_groups):
    v = _relaxed(s, kind, tau)
    q = np.array([np.sum(w[g == k] * v[g == k]) / np.sum(w[g == k]) for k in range(n_groups)])
    overall = np.sum(w * v) / np.sum(w)
    if form == "max_minus_min":
        return q.max() - q.min()
    if form == "max_abs_to_overall":
        return np.abs(q - overall).max()
    return np.sum((q - overall) ** 2)


@pytest.mark.parametrize("relaxation", ["sigmoid", "hinge", "softplus"])
@pytest.mark.parametrize("form", ["max_minus_min", "max_abs_to_overall", "sum_squared_to_overall"])
def test_demographic_parity_value_matches_numpy(relaxation, form):
    rng = np.random.default_rng(0)
    n, G = 500, 7
    s = rng.normal(size=n)
    y = rng.integers(0, 2, size=n)
    g = rng.integers(0, G, size=n)
    w = rng.uniform(0.5, 2.0, size=n)
    value, grad = penalty(s, y, g, kind="demographic_parity", form=form, relaxation=relaxation,
                          temperature=0.7, sample_weight=w, n_groups=G)
    expected = _numpy_dp(s, y, g, w, relaxation, 0.7, form, G)
    assert value == pytest.approx(expected, rel=1e-12, abs=1e-14)
    assert grad.shape == (n,)


def test_gradient_matches_torch_autograd():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    n, G = 300, 5
    s = rng.normal(size=n)
    y = rng.integers(0, 2, size=n)
    g = rng.integers(0, G, size=n)
    _, grad = penalty(s, y, g, kind="demographic_parity", form="sum_squared_to_overall",
                      relaxation="sigmoid", temperature=0.5, n_groups=G)
    st = torch.tensor(s, dtype=torch.float64, requires_grad=True)
    v = torch.sigmoid(st / 0.5)
    gt = torch.tensor(g)
    q = torch.stack([v[gt == k].mean() for k in range(G)])
    loss = ((q - v.mean()) ** 2).sum()
    loss.backward()
    np.testing.assert_allclose(grad, st.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_bad_input_raises_with_the_c_message():
    with pytest.raises(fairgate.FairgateError) as info:
        penalty([0.0, 1.0], [0, 2], [0, 1])
    assert info.value.status == "FAIRGATE_E_OUT_OF_RANGE"
    assert "labels[1] = 2" in info.value.message
    with pytest.raises(ValueError):
        penalty([0.0], [0], [0], kind="not_a_penalty")


# ----------------------------------------------------------- float32 scores
def _f32_rows(n, G, seed):
    """Rows with per-group score shifts (well-separated gaps), f32 scores/weights."""
    rng = np.random.default_rng(seed)
    g = rng.integers(0, G, size=n)
    y = (rng.uniform(size=n) < 0.4 + 0.03 * g).astype(np.uint8)
    s = (rng.normal(size=n) + 0.3 * g).astype(np.float32)
    w = rng.uniform(0.25, 2.0, size=n).astype(np.float32)
    return s, y, g, w


@pytest.mark.parametrize("kind", ["demographic_parity", "equal_opportunity", "equalized_odds",
                                  "calibration_gap", "loss_equalisation"])
@pytest.mark.parametrize("relaxation", ["sigmoid", "hinge", "softplus"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("G", [5, 20])  # 20 groups: more slots than the f32 compare-and-add
def test_float32_scores_agree_with_float64(kind, relaxation, weighted, G):
    s, y, g, w = _f32_rows(3000, G, seed=G)
    kw = dict(kind=kind, form="max_abs_to_overall", relaxation=relaxation, temperature=0.6,
              sample_weight=w if weighted else None, n_groups=G)
    v32, g32 = penalty(s, y, g, **kw)
    kw64 = dict(kw, sample_weight=w.astype(np.float64) if weighted else None)
    v64, g64 = penalty(s.astype(np.float64), y, g, **kw64)
    assert g32.dtype == np.float32 and g64.dtype == np.float64
    assert v32 == pytest.approx(v64, rel=1e-5)
    # Entries near 0 carry the absolute error of the larger ones: scale by max |grad|.
    np.testing.assert_allclose(g32, g64, rtol=1e-5, atol=1e-5 * np.abs(g64).max())


@pytest.mark.parametrize("relaxation", ["sigmoid", "hinge", "softplus"])
@pytest.mark.parametrize("form", ["max_minus_min", "max_abs_to_overall", "sum_squared_to_overall"])
def test_float32_value_matches_the_numpy_formula(form, relaxation):
    # The independent numpy implementation (in float64) on the f32 scores.
    s, y, g, w = _f32_rows(2000, 4, seed=7)
    value, grad = penalty(s, y, g, form=form, relaxation=relaxation, temperature=0.8,
                          sample_weight=w, n_groups=4)
    expected = _numpy_dp(s.astype(np.float64), y, g, w.astype(np.float64), relaxation, 0.8, form, 4)
    assert value == pytest.approx(expected, rel=1e-5)
    assert grad.dtype == np.float32


def test_gradient_dtype_follows_the_scores():
    s = np.array([0.0, 1.0, -1.0, -0.5])
    y, g = [1, 0, 1, 0], [0, 0, 1, 1]
    assert penalty(s.astype(np.float32), y, g)[1].dtype == np.float32
    assert penalty(s, y, g)[1].dtype == np.float64
    assert penalty([0, 1, -1, 0], y, g)[1].dtype == np.float64  # ints: the f64 path
    # float64 weights with float32 scores are read as float32; the result is f32.
    v, grad = penalty(s.astype(np.float32), y, g, sample_weight=np.array([1.0, 3.0, 2.0, 2.0]),
                      relaxation="hinge")
    # Hand computation (tests/capi/test_capi.c): q0 = 7/4, q1 = 1/4, value 1.5,
    # gradient (0.25, 0.75, 0, -0.5).
    assert v == 1.5
    assert grad.dtype == np.float32
    np.testing.assert_array_equal(grad, np.array([0.25, 0.75, 0.0, -0.5], dtype=np.float32))


@pytest.mark.parametrize("bad, status, needle", [
    ("nan_score", "FAIRGATE_E_INVALID_VALUE", "scores[299] is not finite"),
    ("label_2", "FAIRGATE_E_OUT_OF_RANGE", "labels[299] = 2"),
    ("group", "FAIRGATE_E_OUT_OF_RANGE", "groups[299] = 3 is not below n_groups = 3"),
    ("weight", "FAIRGATE_E_INVALID_VALUE", "weights[299]"),
])
def test_float32_bad_input_raises_and_writes_nothing(bad, status, needle):
    import ctypes
    import fairgate.objectives as fo

    n = 300  # the bad row comes after a whole 256-row block of the f32 kernel
    s = (np.arange(n) % 7 - 3).astype(np.float32)
    y = (np.arange(n) % 2).astype(np.uint8)
    g = (np.arange(n) % 3).astype(np.uint32)
    w = np.ones(n, dtype=np.float32)
    {"nan_score": lambda: s.__setitem__(-1, np.nan), "label_2": lambda: y.__setitem__(-1, 2),
     "group": lambda: g.__setitem__(-1, 3), "weight": lambda: w.__setitem__(-1, -0.5)}[bad]()
    before = [a.copy() for a in (s, y, g, w)]
    with pytest.raises(fairgate.FairgateError) as info:
        penalty(s, y, g, sample_weight=w, n_groups=3)
    assert info.value.status == status
    assert needle in info.value.message
    for a, b in zip((s, y, g, w), before):  # the inputs are not modified
        np.testing.assert_array_equal(a, b)
    # The C entry itself leaves its outputs untouched on error.
    opts = fo._Options()
    fo.check(fo._init(ctypes.byref(opts)))
    grad = np.full(n, 7.0, dtype=np.float32)
    value = ctypes.c_double(42.0)
    rc = fo._penalty_f32(ctypes.byref(opts), s.ctypes.data, y.ctypes.data, g.ctypes.data,
                         w.ctypes.data, n, 3, ctypes.byref(value), grad.ctypes.data)
    assert rc != 0
    assert value.value == 42.0
    assert np.all(grad == 7.0)


def test_float32_rejects_a_temperature_whose_inverse_overflows_a_float():
    # 1/1e-300 is a finite double but not a finite float: only the f32 path fails.
    s = np.array([0.0, 1.0], dtype=np.float32)
    with pytest.raises(fairgate.FairgateError) as info:
        penalty(s, [0, 1], [0, 1], temperature=1e-300)
    assert info.value.status == "FAIRGATE_E_INVALID_ARGUMENT"
    penalty(s.astype(np.float64), [0, 1], [0, 1], temperature=1e-300)  # fine in f64
