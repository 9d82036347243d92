#!/usr/bin/env python3
"""Prune a torch.nn model under a fairness policy with fairgate's controller.

    python3 examples/pytorch/prune_under_policy.py [--check] [--out DIR]
    (with FAIRGATE_LIBRARY=build/release/capi/libfairgate.so PYTHONPATH=python)

1. Trains a small MLP (torch.nn) on UCI Adult (data/adult/adult.data, encoded
   with numpy: standardised numeric columns, one-hot categories; the first
   12000 rows, 100 full-batch Adam steps, one thread: deterministic).
2. Hands the model's weight tensors to fairgate.controller.Controller as numpy
   views of the torch parameters (no copies: the controller writes candidate
   weights into them), with a Python evaluate callback that runs the model on
   the evaluation rows (adult.test).
3. The controller walks a pruning plan (global L1 magnitude, 10% .. 90%),
   gating every candidate against examples/pytorch/policy.toml: an
   equalized-odds bound relative to the uncompressed model and a per-group
   TPR guardrail (sex x race). Failing steps are rolled back and remedied.
4. Applies fairgate's best masks with torch.nn.utils.prune.custom_from_mask,
   so the result is an ordinary torch-pruned model (weight_orig + weight_mask).

--check verifies: the masks torch applies equal fairgate's; the pruned torch
model passes the gate (fairgate.gate.evaluate against the unpruned model); a
second controller run gives the same run digest and masks (determinism).
Exit 77 when numpy or torch is missing.
"""
import argparse
import csv
import os
import shutil
import sys
import tempfile
import time

try:
    import numpy as np
    import torch
    import torch.nn.utils.prune as tprune
except ImportError as e:  # pragma: no cover
    print(f"SKIP: {e}")
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "python"))
from fairgate import controller as fc  # noqa: E402
from fairgate import gate as fg  # noqa: E402
from fairgate import policy as fpol  # noqa: E402

NUMERIC = [0, 2, 4, 10, 11, 12]  # age, fnlwgt, education-num, capital-gain/-loss, hours
CATEGORICAL = [1, 3, 5, 6, 7, 8, 9, 13]  # workclass ... native-country (8 = race, 9 = sex)


def read_adult(path):
    rows = []
    with open(path, newline="") as f:
        for r in csv.reader(f):
            r = [x.strip() for x in r]
            if len(r) != 15:  # blank lines and adult.test's "|1x3 Cross validator" header
                continue
            rows.append(r)
    return rows


class Encoder:
    """Standardised numeric columns and one-hot categories (fitted on train)."""

    def __init__(self, rows):
        num = np.array([[float(r[i]) for i in NUMERIC] for r in rows])
        self.mean, self.std = num.mean(0), num.std(0)
        self.cats = [sorted({r[i] for r in rows}) for i in CATEGORICAL]

    def __call__(self, rows):
        num = (np.array([[float(r[i]) for i in NUMERIC] for r in rows]) - self.mean) / self.std
        blocks = [num]
        for values, i in zip(self.cats, CATEGORICAL):
            col = np.array([r[i] for r in rows])
            # One column per training category; unseen categories stay all-zero.
            blocks.append((col[:, None] == np.array(values)[None, :]).astype(np.float64))
        return np.hstack(blocks).astype(np.float32)


def labels(rows):
    return np.array([1 if r[14].rstrip(".") == ">50K" else 0 for r in rows], dtype=np.uint8)


class MLP(torch.nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc1 = torch.nn.Linear(d, 32)
        self.fc2 = torch.nn.Linear(32, 1)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x))).squeeze(-1)


def train(x, y, epochs=100):
    torch.manual_seed(0)
    model = MLP(x.shape[1])
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y.astype(np.float32))
    loss_fn = torch.nn.BCEWithLogitsLoss()
    for _ in range(epochs):  # full batch: deterministic on one thread
        opt.zero_grad()
        loss_fn(model(xt), yt).backward()
        opt.step()
    return model


def scores_of(model, x):
    with torch.no_grad():
        return torch.sigmoid(model(torch.from_numpy(x))).double().numpy()


def compress(model, policy, x_eval, y_eval, groups, directory):
    """One controller run over fc1.weight and fc2.weight (numpy views of the parameters)."""
    c = fc.Controller(policy, y_eval, sensitive_features=groups, directory=directory, seed=42)
    for name in ("fc1", "fc2"):
        # .detach().numpy() shares memory with the parameter: fairgate writes
        # candidate weights straight into the model, and restores them after.
        c.add_tensor(f"{name}.weight", getattr(model, name).weight.detach().numpy())
    return c.run(fc.prune_steps(0.1, 0.9, 0.1), evaluate=lambda: scores_of(model, x_eval))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="verify masks, gate and determinism")
    ap.add_argument("--out", help="directory for checkpoints and changelogs (default: temporary)")
    ap.add_argument("--data", default=os.path.join(ROOT, "data", "adult"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    t0 = time.perf_counter()

    # A deterministic subset (the first 12000 rows) keeps training to seconds.
    train_rows = read_adult(os.path.join(args.data, "adult.data"))[:12000]
    eval_rows = read_adult(os.path.join(args.data, "adult.test"))
    enc = Encoder(train_rows)
    x_train, y_train = enc(train_rows), labels(train_rows)
    x_eval, y_eval = enc(eval_rows), labels(eval_rows)
    groups = {"sex": np.array([r[9] for r in eval_rows]), "race": np.array([r[8] for r in eval_rows])}
    model = train(x_train, y_train)
    baseline = scores_of(model, x_eval)
    acc = float(((baseline >= 0.5) == y_eval).mean())
    print(f"trained MLP {x_train.shape[1]}-32-1 on {len(y_train)} rows: "
          f"eval accuracy {acc:.4f} on {len(y_eval)} rows ({time.perf_counter() - t0:.1f} s)")

    policy = fpol.Policy.from_file(os.path.join(HERE, "policy.toml"))
    out = args.out or tempfile.mkdtemp(prefix="fairgate_pytorch_")
    shutil.rmtree(os.path.join(out, "run1"), ignore_errors=True)
    before = {n: getattr(model, n).weight.detach().clone() for n in ("fc1", "fc2")}
    result = compress(model, policy, x_eval, y_eval, groups, os.path.join(out, "run1"))
    best = result.target("server")
    print(f"fairgate controller: best passing sparsity {best['sparsity']:.3f} after "
          f"{best['steps']} evaluations; run digest {result.digest[:16]}...; "
          f"changelog {result.changelog_path}")
    for p in best["frontier"]:
        print(f"  frontier: step {p['step']:3d} sparsity {p['sparsity']:.3f} "
              f"worst-group TPR {p['worst_group_metric']:.4f}")
    ok = all(torch.equal(before[n], getattr(model, n).weight.detach()) for n in before)
    print(f"weights restored after the run: {ok}")

    # The torch workflow: fairgate's masks as torch.nn.utils.prune custom masks.
    for name in ("fc1", "fc2"):
        mask = torch.from_numpy(best["masks"][f"{name}.weight"].copy())
        tprune.custom_from_mask(getattr(model, name), "weight", mask)
    pruned = scores_of(model, x_eval)
    verdict = fg.evaluate(policy, "server", y_eval, baseline, pruned, sensitive_features=groups,
                          seed=42)
    print(verdict.table)
    print(f"pruned torch model: {verdict!r}, accuracy "
          f"{float(((pruned >= 0.5) == y_eval).mean()):.4f}")

    if not args.check:
        return 0
    failures = []
    if not ok:
        failures.append("the controller did not restore the original weights")
    for name in ("fc1", "fc2"):
        torch_mask = getattr(model, name).weight_mask.numpy().astype(bool)
        if not np.array_equal(torch_mask, best["masks"][f"{name}.weight"]):
            failures.append(f"{name}: torch's weight_mask differs from fairgate's mask")
    zeros = sum(int((getattr(model, n).weight == 0).sum()) for n in ("fc1", "fc2"))
    total = sum(getattr(model, n).weight.numel() for n in ("fc1", "fc2"))
    if abs(zeros / total - best["sparsity"]) > 1e-12 and zeros / total < best["sparsity"]:
        failures.append(f"pruned fraction {zeros / total} below fairgate's {best['sparsity']}")
    if best["sparsity"] <= 0.0:
        failures.append("nothing was pruned")
    if not verdict.passed:
        failures.append("the pruned torch model fails the gate")
    # Determinism: remove the masks, run again in a fresh directory.
    for name in ("fc1", "fc2"):
        tprune.remove(getattr(model, name), "weight")
        with torch.no_grad():
            getattr(model, name).weight.copy_(before[name])
    again = compress(model, policy, x_eval, y_eval, groups, os.path.join(out, "run2"))
    if again.digest != result.digest:
        failures.append("a second run gave another digest")
    for k, m in best["masks"].items():
        if not np.array_equal(m, again.target("server")["masks"][k]):
            failures.append(f"a second run gave another mask for {k}")
    if not args.out:
        shutil.rmtree(out, ignore_errors=True)
    for f in failures:
        print("CHECK FAILED:", f)
    print(f"checks: {'OK' if not failures else 'FAILED'} ({time.perf_counter() - t0:.1f} s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
