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
