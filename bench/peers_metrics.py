#!/usr/bin/python3
"""Peers of fairgate's per-group confusion pass: numpy and sklearn, same sizes.

10^6 rows, 8 groups, f32 scores thresholded at 0.5, u8 labels and codes (the
layout of bench_metrics' BM_confusion_scores/1000000/8/1/0). Each peer computes
the per-group confusion cells and, from them, selection rate, TPR and FPR:
  numpy:   one np.bincount over group * 4 + 2 * y + pred (the fastest numpy idiom)
  sklearn: sklearn.metrics.confusion_matrix per group (boolean mask per group)
Times are the best of several repeats on one core.

Usage: /usr/bin/python3 bench/peers_metrics.py [path/to/bench_metrics | fairgate_ms]
With the bench binary, it runs the matching fairgate benchmark and prints the
ratios; with a number, it uses that as fairgate's time in milliseconds.
"""
import json
import os
import subprocess
import sys
import time

import numpy as np
from sklearn.metrics import confusion_matrix

N, G, REPEATS = 1_000_000, 8, 7
rng = np.random.default_rng(1)
y = rng.integers(0, 2, N).astype(np.uint8)
s = rng.random(N, dtype=np.float32)
g = rng.integers(0, G, N).astype(np.uint8)


def best(fn, repeats=REPEATS):
    t = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        t = min(t, time.perf_counter() - t0)
    return t


def rates_from(cells):
    tn, fp, fn, tp = cells[:, 0], cells[:, 1], cells[:, 2], cells[:, 3]
    with np.errstate(invalid="ignore", divide="ignore"):
        return (tp + fp) / cells.sum(1), tp / (tp + fn), fp / (fp + tn)


def numpy_peer():
    p = (s >= np.float32(0.5)).astype(np.intp)
    cell = g.astype(np.intp) * 4 + y.astype(np.intp) * 2 + p
    cells = np.bincount(cell, minlength=4 * G).reshape(G, 4)  # tn fp fn tp
    return rates_from(cells)


def sklearn_peer():
    p = (s >= np.float32(0.5)).astype(np.uint8)
    cells = np.zeros((G, 4), dtype=np.int64)
    for k in range(G):
        m = g == k
        cells[k] = confusion_matrix(y[m], p[m], labels=[0, 1]).ravel()  # tn fp fn tp
    return rates_from(cells)


def fairgate_ms(arg):
    if arg is None:
        return None
    if os.path.exists(arg):
        out = subprocess.run([arg, "--benchmark_filter=BM_confusion_scores/1000000/8/1/0",
                              "--benchmark_format=json"], capture_output=True, text=True, check=True)
        runs = json.loads(out.stdout)["benchmarks"]
        return min(r["best_ms"] for r in runs)
    return float(arg)


t_np = best(numpy_peer)
t_sk = best(sklearn_peer, 3)
print(f"rows={N} groups={G} (best of {REPEATS} numpy, 3 sklearn; one core)")
print(f"numpy bincount confusion + rates: {t_np * 1e3:9.3f} ms  ({N / t_np / 1e6:8.1f} M rows/s)")
print(f"sklearn confusion_matrix per group: {t_sk * 1e3:9.3f} ms  ({N / t_sk / 1e6:8.1f} M rows/s)")
fg = fairgate_ms(sys.argv[1] if len(sys.argv) > 1 else None)
if fg is not None:
    print(f"fairgate accumulate (scores+threshold): {fg:9.3f} ms  ({N / fg / 1e3:8.1f} M rows/s)")
    print(f"ratio numpy / fairgate:   {t_np * 1e3 / fg:8.1f}x  (target >= 10x)")
    print(f"ratio sklearn / fairgate: {t_sk * 1e3 / fg:8.1f}x  (target >= 100x)")
