"""fairgate.prune and fairgate.quantize against torch: masks of
torch.nn.utils.prune (l1_unstructured, global_unstructured, ln_structured)
and the int values of torch.quantize_per_channel / quantize_per_tensor."""
import numpy as np
import pytest

import fairgate
from fairgate import prune as P
from fairgate import quantize as Q

torch = pytest.importorskip("torch")
tprune = pytest.importorskip("torch.nn.utils.prune")


def _weights(seed, shape):
    # Distinct magnitudes (no ties), where torch's tie order is unspecified.
    g = torch.Generator().manual_seed(seed)
    n = int(np.prod(shape))
    mags = (torch.randperm(n, generator=g).float() + 1) / n
    signs = torch.randint(0, 2, (n,), generator=g).float() * 2 - 1
    return (mags * signs).reshape(shape)


@pytest.mark.parametrize("amount", [0.3, 0.5, 7])
def test_l1_unstructured_matches_torch_and_stacks(amount):
    lin = torch.nn.Linear(8, 6)
    with torch.no_grad():
        lin.weight.copy_(_weights(1, (6, 8)))
    ours = P.l1_unstructured(lin.weight, amount)
    assert ours.dtype == torch.bool
    tprune.l1_unstructured(lin, "weight", amount)
    assert torch.equal(ours, lin.weight_mask.bool())
    # a second pass through torch's PruningContainer and through existing_mask
    ours2 = P.l1_unstructured(lin.weight_orig, 0.5, existing_mask=ours)
    tprune.l1_unstructured(lin, "weight", 0.5)
    assert torch.equal(ours2, lin.weight_mask.bool())


def test_global_unstructured_matches_torch():
    model = torch.nn.Sequential(torch.nn.Linear(5, 7), torch.nn.Linear(7, 3))
    with torch.no_grad():
        full = _weights(2, (5 * 7 + 7 * 3,))
        model[0].weight.copy_(full[:35].reshape(7, 5))
        model[1].weight.copy_(full[35:].reshape(3, 7))
    ours = P.global_unstructured([model[0].weight, model[1].weight], 0.4)
    tprune.global_unstructured([(model[0], "weight"), (model[1], "weight")],
                               pruning_method=tprune.L1Unstructured, amount=0.4)
    assert torch.equal(ours[0], model[0].weight_mask.bool())
    assert torch.equal(ours[1], model[1].weight_mask.bool())


@pytest.mark.parametrize("n,dim", [(2, 0), (1, 1), (float("inf"), 0)])
def test_ln_structured_matches_torch(n, dim):
    conv = torch.nn.Conv2d(3, 6, 3)
    with torch.no_grad():
        conv.weight.copy_(_weights(3, (6, 3, 3, 3)))
    ours = P.ln_structured(conv.weight, 0.5, n, dim)
    tprune.ln_structured(conv, "weight", 0.5, n=n, dim=dim)
    assert torch.equal(ours, conv.weight_mask.bool())


def test_masks_plug_into_custom_from_mask():
    lin = torch.nn.Linear(4, 4)
    mask = P.n_m(lin.weight, 2, 4, axis=1)
    tprune.custom_from_mask(lin, "weight", mask)
    assert int((lin.weight != 0).sum(dim=1).max()) <= 2
    assert torch.equal(lin.weight_mask.bool(), mask)


def test_numpy_in_numpy_out_and_strided_views():
    w = np.arange(1, 13, dtype=np.float64).reshape(3, 4) * np.array([1, -1, 1, -1])
    m = P.l1_unstructured(w.T, 3)  # a transposed (strided) view
    assert isinstance(m, np.ndarray) and m.shape == (4, 3)
    assert np.array_equal(m, np.abs(w.T) > 3)


def test_prune_errors_carry_the_c_message():
    w = np.array([1.0, np.nan, 2.0])
    with pytest.raises(fairgate.FairgateError, match="FAIRGATE_E_INVALID_VALUE"):
        P.l1_unstructured(w, 0.5)
    with pytest.raises(fairgate.FairgateError, match="exceeds"):
        P.l1_unstructured(np.ones(3), 5)
    with pytest.raises(fairgate.FairgateError, match="existing_mask\\[0\\] = 7"):
        P.l1_unstructured(np.ones(3), 1, existing_mask=np.array([7, 1, 1]))


@pytest.mark.parametrize("axis", [0, 1])
def test_per_channel_int8_matches_torch(axis):
    w = torch.randn(6, 10, generator=torch.Generator().manual_seed(4)) * 3
    obs = torch.ao.quantization.PerChannelMinMaxObserver(ch_axis=axis, dtype=torch.qint8,
                                                        qscheme=torch.per_channel_symmetric)
    obs(w)
    t_scale, t_zp = obs.calculate_qparams()
    scales, zps = Q.qparams(w, axis=axis)
    assert np.array_equal(scales, t_scale.numpy().astype(np.float32))
    assert np.array_equal(zps, t_zp.numpy().astype(np.int32))
    q = Q.quantize(w, scales, zps, axis=axis)
    tq = torch.quantize_per_channel(w, t_scale, t_zp, axis, torch.qint8)
    assert np.array_equal(q, tq.int_repr().numpy())
    assert np.array_equal(Q.dequantize(q, scales, zps, axis=axis), tq.dequantize().numpy())


def test_per_tensor_affine_uint8_matches_torch():
    w = torch.randn(50, generator=torch.Generator().manual_seed(5)) + 0.7
    obs = torch.ao.quantization.MinMaxObserver(dtype=torch.quint8, qscheme=torch.per_tensor_affine)
    obs(w)
    t_scale, t_zp = obs.calculate_qparams()
    scales, zps = Q.qparams(w, dtype="uint8", scale_rule="affine")
    assert scales[0] == np.float32(t_scale.item()) and zps[0] == int(t_zp.item())
    q = Q.quantize(w, scales, zps, dtype="uint8")
    tq = torch.quantize_per_tensor(w, float(t_scale), int(t_zp), torch.quint8)
    assert np.array_equal(q, tq.int_repr().numpy())


def test_fake_quantize_in_place_on_a_torch_tensor():
    w = torch.randn(4, 5, generator=torch.Generator().manual_seed(6))
    scales, zps = Q.qparams(w, axis=0)
    expected = torch.fake_quantize_per_channel_affine(w, torch.from_numpy(scales),
                                                      torch.from_numpy(zps), 0, -128, 127)
    Q.fake_quantize(w, scales, zps, axis=0, out=w)
    assert torch.equal(w, expected)


def test_quantize_errors_carry_the_c_message():
    with pytest.raises(fairgate.FairgateError, match="x\\[1\\]"):
        Q.quantize(np.array([0.0, np.inf], dtype=np.float32), [0.1], [0])
    with pytest.raises(fairgate.FairgateError, match="zero_point"):
        Q.quantize(np.zeros(3, dtype=np.float32), [0.1], [500])
    with pytest.raises(ValueError, match="dtype"):
        Q.quantize(np.zeros(3), [0.1], [0], dtype="int4")
