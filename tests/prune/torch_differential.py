#!/usr/bin/env python3
"""Differential test: fairgate's pruning masks vs torch.nn.utils.prune.

Usage: torch_differential.py <path to fg_prune_dump>

On tie-free random f32 tensors (numpy, fixed seeds), compares bit for bit the
final masks of
  - prune.l1_unstructured            (single and repeated application),
  - prune.global_unstructured(L1Unstructured) over several tensors (repeated),
  - prune.ln_structured, n = 1, 2, inf, several dims (repeated, also across dims)
with fairgate's l1_unstructured / global_l1_unstructured / ln_structured, and
the per-step "pruned_new" counts with the number of zeros torch added.
Inputs with two equal magnitudes, or two slice norms within 1e-5 relative
of each other, are re-drawn: torch.topk gives no order for ties and computes f32 norms
in f32, so near-ties are not a meaningful comparison.
Exit 77 (skipped) if numpy or torch is missing.
"""
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import torch
    import torch.nn.utils.prune as prune
except ImportError as e:  # pragma: no cover
    print(f"SKIP: needs numpy and torch ({e})")
    sys.exit(77)

TOOL = sys.argv[1]
torch.set_num_threads(1)


def amount_of(s):
    return float(s[1:]) if s[0] == "f" else int(s[1:])


def holder(arr):
    m = torch.nn.Module()
    m.weight = torch.nn.Parameter(torch.from_numpy(arr.copy()))
    return m


def tie_free(values, rel=0.0):
    """No two values equal (rel = 0: |w| are exact in f32) or within rel."""
    v = np.sort(np.asarray(values, dtype=np.float64).ravel())
    if v.size < 2:
        return True
    gaps = np.diff(v)
    return bool(np.all(gaps > rel * np.abs(v[1:])))


def draw(rng, shape):
    while True:
        a = rng.standard_normal(shape).astype(np.float32)
        if tie_free(np.abs(a)):
            return a


def run_tool(args, out):
    res = subprocess.run([TOOL] + args, capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"fg_prune_dump failed: {res.stderr}")
    steps = [l.split() for l in res.stdout.splitlines() if l.startswith("step")]
    return np.fromfile(out, dtype=np.uint8), [(int(s[1]), int(s[3]), int(s[7])) for s in steps]


def torch_norms(w, mask, n, dim):
    t = (w * mask).astype(np.float64)
    dims = tuple(d for d in range(t.ndim) if d != dim)
    a = np.abs(t)
    if n == "1":
        return a.sum(axis=dims)
    if n == "2":
        return np.sqrt((t * t).sum(axis=dims))
    return a.max(axis=dims)


failures = 0
compared = 0


def check(name, ours, theirs, our_counts, their_counts):
    global failures, compared
    compared += 1
    if not np.array_equal(ours, theirs):
        failures += 1
        diff = np.flatnonzero(ours != theirs)
        print(f"MISMATCH {name}: {diff.size} mask bits differ, first at {diff[:5]}")
    elif our_counts != their_counts:
        failures += 1
        print(f"MISMATCH {name}: pruned_new per step ours {our_counts} torch {their_counts}")
    else:
        print(f"ok {name}: {ours.size} mask bits equal, {ours.size - int(ours.sum())} pruned")


def dims_args(a):
    return [str(a.ndim)] + [str(d) for d in a.shape]


with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "mask.bin")
    rng = np.random.default_rng(20261123)

    # ---- l1_unstructured --------------------------------------------------
    l1_cases = [
        ((7, 13), ["f0.3"]),
        ((7, 13), ["f0.5", "f0.5"]),
        ((4, 3, 5, 5), ["c17", "f0.25", "f0.4"]),
        ((5,), ["f0.5"]),  # round(2.5) = 2
        ((7,), ["f0.5"]),  # round(3.5) = 4
        ((6, 6), ["f0.0"]),
        ((6, 6), ["f0.4", "f1.0"]),
        ((1000,), ["f0.7", "f0.7", "c10"]),
    ]
    for shape, steps in l1_cases:
        w = draw(rng, shape)
        f = os.path.join(tmp, "w.bin")
        w.tofile(f)
        ours, log = run_tool(["l1", out, ",".join(steps), f] + dims_args(w), out)
        m = holder(w)
        counts = []
        for s in steps:
            before = int((getattr(m, "weight_mask", torch.ones(1)) == 0).sum()) if hasattr(m, "weight_mask") else 0
            prune.l1_unstructured(m, "weight", amount=amount_of(s))
            counts.append(int((m.weight_mask == 0).sum()) - before)
        check(f"l1_unstructured {shape} {steps}", ours, m.weight_mask.detach().numpy().astype(np.uint8).ravel(),
              [c for (_, _, c) in log], counts)

    # ---- global_unstructured ---------------------------------------------
    global_cases = [
        ([(10, 20), (5, 5, 3), (33,)], ["f0.6"]),
        ([(10, 20), (5, 5, 3), (33,)], ["f0.5", "f0.5"]),
        ([(64, 32), (16, 8, 3, 3), (100,), (7, 9)], ["c300", "f0.3", "f0.45"]),
        ([(50,)], ["f0.35"]),
    ]
    for shapes, steps in global_cases:
        while True:
            ws = [rng.standard_normal(s).astype(np.float32) for s in shapes]
            if tie_free(np.concatenate([np.abs(w).ravel() for w in ws])):
                break
        args = ["global", out, ",".join(steps), str(len(ws))]
        for j, w in enumerate(ws):
            f = os.path.join(tmp, f"g{j}.bin")
            w.tofile(f)
            args += [f] + dims_args(w)
        ours, log = run_tool(args, out)
        mods = [holder(w) for w in ws]
        params = [(m, "weight") for m in mods]
        counts = []
        for s in steps:
            before = sum(int((m.weight_mask == 0).sum()) for m in mods) if hasattr(mods[0], "weight_mask") else 0
            prune.global_unstructured(params, pruning_method=prune.L1Unstructured, amount=amount_of(s))
            counts.append(sum(int((m.weight_mask == 0).sum()) for m in mods) - before)
        theirs = np.concatenate([m.weight_mask.detach().numpy().astype(np.uint8).ravel() for m in mods])
        our_counts = [sum(c for (st, _, c) in log if st == i) for i in range(len(steps))]
        check(f"global_unstructured {shapes} {steps}", ours, theirs, our_counts, counts)

    # ---- ln_structured ------------------------------------------------------
    ln_cases = [
        ((16, 8, 3, 3), ["f0.25/2/0"]),
        ((16, 8, 3, 3), ["f0.3/1/1"]),
        ((16, 8, 3, 3), ["f0.5/inf/0", "f0.5/inf/0"]),
        ((16, 8, 3, 3), ["f0.25/2/0", "f0.4/1/1"]),
        ((16, 8, 3, 3), ["c2/2/3", "f0.5/2/2"]),
        ((12, 20), ["f0.5/2/1", "c3/1/1", "f0.3/inf/0"]),
        ((12, 20), ["f0.0/2/0", "f1.0/2/1"]),
        ((32, 64), ["f0.3/1/0", "f0.3/1/0"]),
    ]
    for shape, steps in ln_cases:
        parsed = [s.split("/") for s in steps]
        # Re-draw until every step's eligible slice norms are well separated.
        while True:
            w = draw(rng, shape)
            m = holder(w)
            counts = []
            ok = True
            for amt, n, d in parsed:
                d = int(d)
                mask = m.weight_mask.detach().numpy() if hasattr(m, "weight_mask") else np.ones(shape, np.float32)
                other = tuple(x for x in range(len(shape)) if x != d)
                elig = mask.sum(axis=other) != 0
                if not tie_free(torch_norms(w, mask, n, d)[elig], 1e-5):
                    ok = False
                    break
                prune.ln_structured(m, "weight", amount=amount_of(amt), n=float(n) if n != "inf" else float("inf"),
                                    dim=d)
                after = m.weight_mask.detach().numpy()
                counts.append(int((elig & (after.sum(axis=other) == 0)).sum()))  # slices newly pruned
            if ok:
                break
        f = os.path.join(tmp, "w.bin")
        w.tofile(f)
        ours, log = run_tool(["ln", out, ",".join(steps), f] + dims_args(w), out)
        theirs = m.weight_mask.detach().numpy().astype(np.uint8).ravel()
        check(f"ln_structured {shape} {steps}", ours, theirs, [c for (_, _, c) in log], counts)

print(f"{compared} mask comparisons against torch {torch.__version__}, {failures} mismatches")
sys.exit(1 if failures else 0)
