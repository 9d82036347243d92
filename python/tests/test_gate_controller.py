"""fairgate.policy, fairgate.gate, fairgate.controller and fairgate.manifest:
hand-computed verdicts, a numpy re-computation of the gate's metrics on
random data, the controller with Python callbacks (masks vs an independent
numpy global-magnitude mask, exceptions re-raised, weights restored,
determinism) and manifest round trips."""
import math

import numpy as np
import pytest

import fairgate
from fairgate import controller as FC
from fairgate import gate as FG
from fairgate import manifest as FM
from fairgate import policy as FP

POLICY = """
schema_version = 1
name = "pytest"
[[target]]
name = "server"
sensitive_features = ["sex"]
max_sparsity = 0.9
allowed_bits = [32]
[[target.constraint]]
id = "dp"
metric = "demographic_parity_difference"
bound = "<= 0.2"
[[target.constraint]]
id = "tpr-floor"
metric = "tpr"
scope = "every_group"
bound = ">= 0.5"
"""


def test_policy_loads_and_lists_its_targets():
    p = FP.Policy.from_string(POLICY, "pytest.toml")
    assert p.name == "pytest"
    assert p.digest.startswith("sha256:") and len(p.digest) == 7 + 64
    assert p.targets == [{"name": "server", "n_constraints": 2, "sensitive_features": ["sex"],
                          "max_sparsity": 0.9, "min_allowed_bits": 32, "per_channel": False}]
    # The canonical text is a fixed point with the same digest.
    assert FP.Policy.from_string(p.canonical_toml).digest == p.digest


def test_policy_syntax_error_raises_with_the_line():
    with pytest.raises(fairgate.FairgateError) as e:
        FP.Policy.from_string('schema_version = 1\nname = "x"\n[[target]]\nname = \n', "bad.toml")
    assert e.value.status == "FAIRGATE_E_PARSE"
    assert "bad.toml:4:" in e.value.message
    assert isinstance(e.value, ValueError)


def test_validate_reports_line_and_key_of_every_problem():
    text = POLICY.replace('"demographic_parity_difference"', '"demographic_parity_diff"').replace(
        'bound = ">= 0.5"', 'bound = ">= x"')
    d = FP.validate(text, "p.toml")
    keys = [x["key"] for x in d]
    assert "target[0].constraint[0].metric" in keys
    assert "target[0].constraint[1].bound" in keys
    lines = {x["key"]: x["line"] for x in d}
    src = text.splitlines()
    # Line numbers point at the offending keys (1-based).
    assert src[lines["target[0].constraint[0].metric"] - 1].startswith("metric")
    assert src[lines["target[0].constraint[1].bound"] - 1].startswith("bound")
    assert FP.validate(POLICY) == []


# Rows 0-3 group A, 4-7 group B; labels 1,1,0,0 per group.
Y = np.array([1, 1, 0, 0, 1, 1, 0, 0], dtype=np.uint8)
SEX = np.array(["A"] * 4 + ["B"] * 4)
S0 = np.array([0.9, 0.8, 0.1, 0.2, 0.9, 0.8, 0.1, 0.2])
S1 = np.array([0.9, 0.8, 0.1, 0.2, 0.9, 0.3, 0.1, 0.2])


def test_gate_hand_computed_verdict():
    p = FP.Policy.from_string(POLICY)
    v = FG.evaluate(p, "server", Y, S0, S1, sensitive_features={"sex": SEX})
    # Candidate predictions A = 1,1,0,0 and B = 1,0,0,0: selection rates 0.5 and
    # 0.25, dp = 0.25 > 0.2 fails; TPR A = 1, B = 0.5 >= 0.5 passes.
    assert not v.passed and not v
    dp, tpr = v.constraints
    assert dp["id"] == "dp" and dp["result"] == "fail" and dp["value"] == 0.25
    assert tpr["result"] == "pass" and tpr["value"] == 0.5
    assert [(i["group"], i["candidate"], i["baseline"]) for i in tpr["items"]] == [
        ("A", 1.0, 1.0), ("B", 0.5, 1.0)]
    assert v.to_dict()["pass"] is False
    assert "dp" in v.table
    # Codes + names give the same verdict bytes as labels.
    v2 = FG.evaluate(p, "server", Y, S0, S1, groups=np.array([0] * 4 + [1] * 4, np.uint8),
                     group_names=["A", "B"])
    assert v2.json == v.json


def test_gate_rejects_bad_rows_with_the_row():
    p = FP.Policy.from_string(POLICY)
    bad = S1.copy()
    bad[5] = np.nan
    with pytest.raises(fairgate.FairgateError) as e:
        FG.evaluate(p, "server", Y, S0, bad, sensitive_features=SEX)
    assert e.value.status == "FAIRGATE_E_INVALID_VALUE" and "5" in e.value.message
    with pytest.raises(fairgate.FairgateError):
        FG.evaluate(p, "nope", Y, S0, S1, sensitive_features=SEX)
    with pytest.raises(fairgate.FairgateError):  # wrong feature name for the target
        FG.evaluate(p, "server", Y, S0, S1, sensitive_features={"race": SEX})
    with pytest.raises(ValueError):
        FG.evaluate(p, "server", Y, S0, S1[:5], sensitive_features=SEX)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gate_values_match_numpy_on_random_data(seed):
    rng = np.random.default_rng(seed)
    n = 3000
    y = rng.integers(0, 2, n).astype(np.uint8)
    g = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
    s0 = rng.random(n)
    s1 = np.clip(s0 + rng.normal(0, 0.1, n), 0, 1)
    p = FP.Policy.from_string(POLICY)
    v = FG.evaluate(p, "server", y, s0, s1, sensitive_features={"sex": g})
    pred0, pred1 = s0 >= 0.5, s1 >= 0.5
    names = sorted(set(g))
    sel = [pred1[g == k].mean() for k in names]
    sel0 = [pred0[g == k].mean() for k in names]
    dp = v.constraints[0]
    # Fairlearn demographic_parity_difference: max - min of the selection rates.
    assert dp["value"] == pytest.approx(max(sel) - min(sel), abs=1e-12)
    assert dp["items"][0]["baseline"] == pytest.approx(max(sel0) - min(sel0), abs=1e-12)
    assert dp["result"] == ("pass" if max(sel) - min(sel) <= 0.2 else "fail")
    tpr = {i["group"]: i["candidate"] for i in v.constraints[1]["items"]}
    for k in names:
        m = (g == k) & (y == 1)
        assert tpr[k] == pytest.approx(pred1[m].mean(), abs=1e-12)


CTRL_POLICY = """
schema_version = 1
name = "ctrl"
[[target]]
name = "server"
sensitive_features = ["g"]
max_sparsity = 0.9
allowed_bits = [32]
[[target.constraint]]
id = "tpr-floor"
metric = "tpr"
scope = "every_group"
bound = ">= 0.5"
"""


class _Model:
    """score_i = w[i % 8] for one-hot rows; labels all 1; groups alternate."""

    def __init__(self):
        self.w = np.array([[0.9, 1.1, 3.0, 2.0], [1.5, 0.7, 4.0, 2.5]], dtype=np.float32)
        self.calls = 0

    def evaluate(self):
        self.calls += 1
        return np.tile(self.w.reshape(-1).astype(np.float64), 2)


def _controller(tmp_path, name, model, **kw):
    p = FP.Policy.from_string(CTRL_POLICY)
    y = np.ones(16, dtype=np.uint8)
    g = np.array(["a", "b"] * 8)
    c = FC.Controller(p, y, sensitive_features={"g": g}, directory=tmp_path / name,
                      remedies=["stop"], **kw)
    c.add_tensor("w", model.w)
    return c


def test_controller_masks_match_a_numpy_global_magnitude_mask(tmp_path):
    m = _Model()
    original = m.w.copy()
    c = _controller(tmp_path, "run", m)
    r = c.run(FC.prune_steps(0.25, 0.75, 0.25), evaluate=m.evaluate)
    t = r.targets[0]
    assert t["target"] == "server" and t["passed"]
    # Independent check: the kept state at sparsity s prunes the round(s * 8)
    # smallest |w| (no ties here). Row i (mod 8) predicts 1 iff w[i] is kept;
    # groups a / b are the even / odd flat indices, TPR = kept fraction.
    flat = np.abs(original.reshape(-1))
    order = np.argsort(flat, kind="stable")
    expected_best = None
    for s in (0.25, 0.5, 0.75):
        k = int(round(s * 8))
        keep = np.ones(8, bool)
        keep[order[:k]] = False
        tpr_a, tpr_b = keep[0::2].mean(), keep[1::2].mean()
        if min(tpr_a, tpr_b) >= 0.5:
            expected_best = (s, keep)
        else:
            break  # the stop remedy ends the plan at the first failure
    assert expected_best is not None
    assert t["sparsity"] == expected_best[0]
    np.testing.assert_array_equal(t["masks"]["w"].reshape(-1), expected_best[1])
    assert t["masks"]["w"].shape == original.shape and t["bits"]["w"] == 32
    np.testing.assert_array_equal(m.w, original)  # the host's weights are back
    assert r.changelog_path.endswith("changelog.jsonl")
    assert t["verdict"]["pass"] is True
    assert t["frontier"][0]["sparsity"] == 0.0

    # Determinism: the same run in a fresh directory gives the same digest.
    m2 = _Model()
    r2 = _controller(tmp_path, "run2", m2).run(FC.prune_steps(0.25, 0.75, 0.25),
                                               evaluate=m2.evaluate)
    assert r2.digest == r.digest and len(r.digest) == 64


def test_controller_records_a_manifest_and_restores_the_best_state(tmp_path):
    m = _Model()
    original = m.w.copy()
    c = _controller(tmp_path, "rec", m)
    r = c.run(FC.prune_steps(0.25, 0.75, 0.25), evaluate=m.evaluate)
    rec = FM.Manifest()
    c.record(rec)
    path = tmp_path / "run.json"
    rec.write(path)
    # Rollback into the host's tensors from the manifest read back: the best
    # state is the original weights times fairgate's mask.
    s = c.restore(FM.Manifest.read(path), "server")
    best = r.targets[0]
    assert s["sparsity"] == best["sparsity"]
    np.testing.assert_array_equal(m.w, np.where(best["masks"]["w"], original, 0.0))
    with pytest.raises(fairgate.FairgateError):
        c.restore(rec, "nope")


class _Boom(Exception):
    pass


def test_controller_reraises_a_callback_exception_and_restores_weights(tmp_path):
    m = _Model()
    original = m.w.copy()
    c = _controller(tmp_path, "boom", m)

    def evaluate():
        if m.calls == 2:
            raise _Boom("host failure")
        return m.evaluate()

    with pytest.raises(_Boom, match="host failure"):
        c.run([{"kind": "prune_global", "sparsity": 0.5}], evaluate=evaluate)
    np.testing.assert_array_equal(m.w, original)
    # The same controller runs again once the callback behaves.
    r = c.run([{"kind": "prune_global", "sparsity": 0.25}], evaluate=m.evaluate)
    assert r.targets[0]["sparsity"] == 0.25


def test_controller_rejects_nan_and_wrong_length_scores(tmp_path):
    m = _Model()
    c = _controller(tmp_path, "nan", m)

    def nan_scores():
        s = m.evaluate()
        s[3] = np.nan
        return s

    with pytest.raises(fairgate.FairgateError) as e:
        c.run([{"kind": "prune_global", "sparsity": 0.5}], evaluate=nan_scores)
    assert e.value.status == "FAIRGATE_E_INVALID_VALUE" and "scores[3]" in e.value.message
    with pytest.raises(ValueError, match="returned 3 scores"):
        c.run([{"kind": "prune_global", "sparsity": 0.5}], evaluate=lambda: [0.1, 0.2, 0.3])
    with pytest.raises(ValueError):
        c.run([{"kind": "shrink", "sparsity": 0.5}], evaluate=m.evaluate)


def test_controller_accepts_only_writeable_contiguous_float32(tmp_path):
    m = _Model()
    c = _controller(tmp_path, "t", m)
    with pytest.raises(ValueError):
        c.add_tensor("d", np.zeros((2, 2)))
    with pytest.raises(ValueError):
        c.add_tensor("s", np.zeros((4, 4), np.float32)[:, ::2])
    with pytest.raises(fairgate.FairgateError):
        c.add_tensor("w", np.zeros(3, np.float32))  # a duplicate name


def test_manifest_round_trip_and_verify(tmp_path):
    data = tmp_path / "input.txt"
    data.write_bytes(b"abc")
    m = FM.Manifest()
    m.add_input_file("data", data)
    m.set_root_seed(7)
    m.add_result("dp", 0.25)
    m.add_config("plan", [0.5, 0.75])
    m.add_artifact("blob", b"abc")
    path = tmp_path / "m.json"
    m.write(path)
    back = FM.Manifest.read(path)
    assert back.computation_sha256 == m.computation_sha256
    # SHA-256("abc") (FIPS 180-2, appendix B.1) is the input's recorded hash.
    assert "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" in m.to_json()
    assert FM.verify(path, back).identical
    back.add_result("dp", 0.3)
    r = FM.verify(path, back)
    assert not r.identical
    assert [d[0] for d in r.differences] == ["/results/dp"]
    assert "/results/dp" in r.text
    with pytest.raises(fairgate.FairgateError) as e:
        FM.Manifest.from_json(m.to_json().replace('"dp": 0.25', '"dp": 0.35'))
    assert e.value.status == "FAIRGATE_E_VERIFICATION"
    with pytest.raises(ValueError):
        m.add_result("bad", math.nan)
    with pytest.raises(fairgate.FairgateError):
        m.add_input_digest("x", "not-a-hash", 3)
