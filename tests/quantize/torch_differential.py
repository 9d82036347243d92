#!/usr/bin/python3
"""Differential test of fairgate's quantization against PyTorch, bit for bit.

Compares, on seeded random tensors (several magnitudes, all-positive,
all-negative, all-zero and tie-heavy data):
  - MinMaxObserver (per_tensor_affine / per_tensor_symmetric, qint8 / quint8,
    reduce_range) scale (float32 bits) and zero point,
  - PerChannelMinMaxObserver (per_channel_affine / per_channel_symmetric) on
    every axis of a rank-3 tensor,
  - MovingAverageMinMaxObserver and MovingAveragePerChannelMinMaxObserver over
    several batches,
  - torch.quantize_per_tensor / quantize_per_channel int_repr values,
    including long rows full of elements where x * (1/scale), which torch
    computes, and x / scale round to different integers,
  - torch.fake_quantize_per_tensor_affine / fake_quantize_per_channel_affine
    outputs (float32 bits),
  - percentile_range against numpy.percentile (default linear method, in
    float64, rounded to float32), per tensor and per channel.
Usage: torch_differential.py <path to fg_quant_dump>. Exit 77 if torch or
numpy is missing, 1 on any mismatch.
"""
import os
import subprocess
import sys
import tempfile
import warnings

try:
    import numpy as np
    import torch
    from torch.ao.quantization.observer import (
        MinMaxObserver,
        MovingAverageMinMaxObserver,
        MovingAveragePerChannelMinMaxObserver,
        PerChannelMinMaxObserver,
    )
except ImportError as e:  # pragma: no cover
    print(f"SKIP: {e} (install python3-torch and python3-numpy)")
    sys.exit(77)

warnings.filterwarnings("ignore")
torch.set_num_threads(1)
TOOL = sys.argv[1]
TMP = tempfile.mkdtemp(prefix="fg_quant_")
rng = np.random.default_rng(20261123)
counts = {}
failures = []


def note(kind, ok, what):
    counts[kind] = counts.get(kind, 0) + 1
    if not ok:
        failures.append(f"{kind}: {what}")


def run(*args):
    r = subprocess.run([TOOL, *map(str, args)], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"fg_quant_dump {' '.join(map(str, args))} failed: {r.stderr}")


def write_tensor(x, name="x.f32"):
    path = os.path.join(TMP, name)
    np.ascontiguousarray(x, dtype=np.float32).tofile(path)
    return path


def read_params(path):
    bits, zps = [], []
    with open(path) as f:
        for line in f:
            b, z = line.split()
            bits.append(int(b))
            zps.append(int(z))
    return np.array(bits, dtype=np.uint32), np.array(zps, dtype=np.int64)


def write_params(scale_f32, zp, name="p.txt"):
    path = os.path.join(TMP, name)
    with open(path, "w") as f:
        for s, z in zip(np.asarray(scale_f32, dtype=np.float32).view(np.uint32), zp):
            f.write(f"{int(s)} {int(z)}\n")
    return path


def tensors():
    """Seeded test tensors of shape (4, 6, 10)."""
    shape = (4, 6, 10)
    out = {
        "normal": rng.standard_normal(shape),
        "wide": rng.standard_normal(shape) * 1e3,
        "tiny": rng.standard_normal(shape) * 1e-4,
        "positive": rng.uniform(0.5, 3.0, shape),
        "negative": -rng.uniform(0.1, 2.0, shape),
        "zeros": np.zeros(shape),
        "skewed": rng.standard_normal(shape) * 0.2 + 0.7,
        # Multiples of 1/8 and half-steps of a coarse grid: many exact ties.
        "ties": np.round(rng.uniform(-4, 4, shape) * 8) / 8,
    }
    return {k: v.astype(np.float32) for k, v in out.items()}


def tool_type(dtype):
    return "int8" if dtype == torch.qint8 else "uint8"


def scheme_args(qscheme):
    return "sym" if qscheme in (torch.per_tensor_symmetric, torch.per_channel_symmetric) else "aff"


def compare_params(kind, label, torch_scale, torch_zp, path):
    bits, zps = read_params(path)
    tb = np.asarray(torch_scale.detach().numpy(), dtype=np.float32).reshape(-1).view(np.uint32)
    tz = np.asarray(torch_zp.detach().numpy(), dtype=np.int64).reshape(-1)
    ok = bits.shape == tb.shape and np.array_equal(bits, tb) and np.array_equal(zps, tz)
    note(kind, ok, f"{label}: torch scale bits {tb[:4]} zp {tz[:4]} vs fairgate {bits[:4]} {zps[:4]}")
    return tb.view(np.float32), tz


def check_quantize(label, x, scale, zp, axis, dtype):
    xt = torch.from_numpy(x)
    if axis < 0:
        q = torch.quantize_per_tensor(xt, float(scale[0]), int(zp[0]), dtype).int_repr().numpy()
        fq = torch.fake_quantize_per_tensor_affine(
            xt, float(scale[0]), int(zp[0]), *((-128, 127) if dtype == torch.qint8 else (0, 255))).numpy()
    else:
        q = torch.quantize_per_channel(xt, torch.from_numpy(scale.astype(np.float64)), torch.from_numpy(zp),
                                       axis, dtype).int_repr().numpy()
        fq = torch.fake_quantize_per_channel_affine(
            xt, torch.from_numpy(scale), torch.from_numpy(zp.astype(np.int32)), axis,
            *((-128, 127) if dtype == torch.qint8 else (0, 255))).numpy()
    xp = write_tensor(x)
    pp = write_params(scale, zp)
    out_q = os.path.join(TMP, "q.i32")
    out_f = os.path.join(TMP, "f.f32")
    run("quantize", out_q, tool_type(dtype), axis, pp, xp, x.ndim, *x.shape)
    run("fakequant", out_f, tool_type(dtype), axis, pp, xp, x.ndim, *x.shape)
    mine_q = np.fromfile(out_q, dtype=np.int32).reshape(x.shape)
    mine_f = np.fromfile(out_f, dtype=np.float32).reshape(x.shape)
    note("quantize_int_repr", np.array_equal(mine_q, q.astype(np.int32)),
         f"{label}: {int((mine_q != q).sum())} of {q.size} differ")
    note("fake_quantize_bits", np.array_equal(mine_f.view(np.uint32), fq.astype(np.float32).view(np.uint32)),
         f"{label}: {int((mine_f != fq).sum())} of {fq.size} differ")


def main():
    data = tensors()
    # Per-tensor observers + quantize/fake-quant with their parameters.
    for name, x in data.items():
        for dtype in (torch.qint8, torch.quint8):
            for qscheme in (torch.per_tensor_affine, torch.per_tensor_symmetric):
                for reduce in (False, True):
                    if qscheme == torch.per_tensor_symmetric and reduce and dtype == torch.quint8:
                        continue  # torch raises NotImplementedError
                    label = f"{name} {dtype} {qscheme} reduce={reduce}"
                    obs = MinMaxObserver(dtype=dtype, qscheme=qscheme, reduce_range=reduce)
                    obs(torch.from_numpy(x))
                    s, z = obs.calculate_qparams()
                    out = os.path.join(TMP, "obs.txt")
                    run("observe", out, tool_type(dtype), scheme_args(qscheme), int(reduce), -1, write_tensor(x),
                        x.ndim, *x.shape)
                    sf, zz = compare_params("minmax_observer", label, s, z, out)
                    if not reduce:
                        check_quantize(label, x, sf, zz, -1, dtype)
    # Per-channel observers on every axis.
    for name in ("normal", "wide", "positive", "skewed", "ties", "zeros"):
        x = data[name]
        for axis in range(x.ndim):
            for dtype in (torch.qint8, torch.quint8):
                for qscheme in (torch.per_channel_affine, torch.per_channel_symmetric):
                    label = f"{name} axis={axis} {dtype} {qscheme}"
                    obs = PerChannelMinMaxObserver(ch_axis=axis, dtype=dtype, qscheme=qscheme)
                    obs(torch.from_numpy(x))
                    s, z = obs.calculate_qparams()
                    out = os.path.join(TMP, "obs.txt")
                    run("observe", out, tool_type(dtype), scheme_args(qscheme), 0, axis, write_tensor(x), x.ndim,
                        *x.shape)
                    sf, zz = compare_params("per_channel_observer", label, s, z, out)
                    check_quantize(label, x, sf, zz, axis, dtype)
    # Moving averages over 6 batches of shape (8, 12), per tensor and per channel (axis 1).
    for trial in range(6):
        batches = (rng.standard_normal((6, 8, 12)) * (0.5 + trial) + rng.uniform(-1, 1, (6, 1, 1))).astype(np.float32)
        for dtype in (torch.qint8, torch.quint8):
            for sym in (False, True):
                per_t = MovingAverageMinMaxObserver(
                    dtype=dtype, qscheme=torch.per_tensor_symmetric if sym else torch.per_tensor_affine)
                per_c = MovingAveragePerChannelMinMaxObserver(
                    ch_axis=1, dtype=dtype, qscheme=torch.per_channel_symmetric if sym else torch.per_channel_affine)
                for b in batches:
                    per_t(torch.from_numpy(b))
                    per_c(torch.from_numpy(b))
                xp = write_tensor(batches)
                out = os.path.join(TMP, "mov.txt")
                label = f"trial {trial} {dtype} sym={sym}"
                run("moving", out, tool_type(dtype), "sym" if sym else "aff", 0, -1, 6, xp, 2, 8, 12)
                s, z = per_t.calculate_qparams()
                compare_params("moving_average_observer", label + " per-tensor", s, z, out)
                run("moving", out, tool_type(dtype), "sym" if sym else "aff", 0, 1, 6, xp, 2, 8, 12)
                s, z = per_c.calculate_qparams()
                compare_params("moving_average_observer", label + " per-channel", s, z, out)
    # Large random quantization with arbitrary (not observer-made) parameters.
    for trial in range(4):
        x = (rng.standard_normal((64, 257)) * rng.uniform(0.01, 10)).astype(np.float32)
        scale = rng.uniform(1e-3, 0.2, 64).astype(np.float32)
        zp = rng.integers(-20, 20, 64)
        check_quantize(f"random per-channel {trial}", x, scale, zp, 0, torch.qint8)
        check_quantize(f"random per-channel uint8 {trial}", x, scale, zp + 128, 0, torch.quint8)
        check_quantize(f"random per-tensor {trial}", x, scale[:1], zp[:1], -1, torch.qint8)

    # torch multiplies by the float32 reciprocal (fbgemm::Quantize: x * (1.0f / scale)); x / scale
    # rounds differently near ties, e.g. scale 0.00214854861, x 0.273939937: x * (1/s) = 127.5 -> 128
    # but x / s = 127.49999 -> 127. Find such elements with numpy at test time and check them in
    # long rows (4096 + 37 elements, so the vector, prefetch-piece and tail paths all see them).
    cols = 4096 + 37
    scale = rng.uniform(1e-3, 5e-3, 8).astype(np.float32)
    x = np.empty((8, cols), dtype=np.float32)
    n_disagree = 0
    for c in range(8):
        s = scale[c]
        k = rng.integers(-120, 120, 200000).astype(np.float32) + np.float32(0.5)
        cand = (k * s).astype(np.float32)
        cand = np.concatenate([cand, np.nextafter(cand, np.float32(np.inf)), np.nextafter(cand, np.float32(-np.inf))])
        mul = np.rint(cand * (np.float32(1) / s))
        div = np.rint(cand / s)
        diff = cand[mul != div]
        n_disagree += min(len(diff), cols // 2)
        row = (rng.standard_normal(cols) * 0.2).astype(np.float32)
        pos = rng.permutation(cols)[: min(len(diff), cols // 2)]
        row[pos] = diff[: len(pos)]
        x[c] = row
    note("reciprocal_cases", n_disagree > 0, "found no element where x*(1/s) and x/s round differently")
    check_quantize(f"x*(1/s) vs x/s cases ({n_disagree} elements)", x, scale, np.zeros(8, dtype=np.int64), 0,
                   torch.qint8)
    check_quantize(f"x*(1/s) vs x/s cases uint8", x, scale, np.full(8, 128, dtype=np.int64), 0, torch.quint8)
    check_quantize(f"x*(1/s) vs x/s cases per-tensor", x, scale[:1], np.zeros(1, dtype=np.int64), -1,
                   torch.qint8)

    # Percentile clipping ranges vs numpy (float64 percentile, then float32).
    for trial in range(5):
        x = (rng.standard_normal((7, 33)) * (1 + trial)).astype(np.float32)
        xp = write_tensor(x)
        out = os.path.join(TMP, "pct.txt")
        for p in (50.0, 90.0, 99.0, 99.9, 100.0, 73.3):
            for mode in ("mag", "two"):
                for axis in (-1, 0, 1):
                    run("percentile", out, p, mode, axis, xp, x.ndim, *x.shape)
                    got = np.loadtxt(out, dtype=np.uint64, ndmin=2).astype(np.uint32).view(np.float32)
                    chans = [x.reshape(-1)] if axis < 0 else list(np.moveaxis(x, axis, 0).reshape(x.shape[axis], -1))
                    exp = []
                    for c in chans:
                        c64 = c.astype(np.float64)
                        if mode == "mag":
                            v = np.float32(np.percentile(np.abs(c64), p))
                            exp.append((-v, v))
                        else:
                            exp.append((np.float32(np.percentile(c64, 100 - p)), np.float32(np.percentile(c64, p))))
                    exp = np.array(exp, dtype=np.float32)
                    note("percentile_vs_numpy", np.array_equal(got.view(np.uint32), exp.view(np.uint32)),
                         f"p={p} {mode} axis={axis}: {got[:2]} vs numpy {exp[:2]}")

    for kind in sorted(counts):
        print(f"{kind}: {counts[kind]} comparisons")
    if failures:
        print(f"FAIL: {len(failures)} mismatches")
        for f in failures[:20]:
            print("  " + f)
        return 1
    print(f"OK: all {sum(counts.values())} comparisons bit-identical (torch {torch.__version__}, numpy {np.__version__})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
