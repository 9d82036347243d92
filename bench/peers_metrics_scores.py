#!/usr/bin/python3
"""Peers for bench/bench_metrics_scores.cpp: sklearn per group on the same sizes.

Usage: /usr/bin/python3 bench/peers_metrics_scores.py [path/to/bench_metrics_scores]

Times (wall clock, best of N runs, one process) on 10^6 rows (and 10^7 for
AUC), 8 groups, f32 scores in [0,1), u8 labels, u8 groups:
  sklearn.metrics.roc_auc_score per group
  sklearn.calibration.calibration_curve per group (uniform and quantile, 10 bins)
  sklearn.metrics.log_loss per group, sklearn.metrics.brier_score_loss per group
If the fairgate benchmark binary is given, it is run on the matching cases
(best real time of 5 repetitions) and the ratios peer / fairgate are printed.
"""
import json
import subprocess
import sys
import time

try:
    import numpy as np
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score
except ImportError as exc:
    print(f"needs numpy and sklearn: {exc}")
    sys.exit(77)

G = 8


def make(n, seed=2026):
    rng = np.random.default_rng(seed)
    s = rng.random(n).astype(np.float32)
    y = (rng.random(n) < 0.25 + 0.5 * s).astype(np.uint8)
    g = rng.integers(0, G, n).astype(np.uint8)
    return s, y, g


def best_of(fn, reps):
    """Best wall-clock and best process-CPU time of reps runs, in ms."""
    best, best_cpu = float("inf"), float("inf")
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    return best * 1e3, best_cpu * 1e3


def per_group(fn, s, y, g):
    masks = [g == k for k in range(G)]  # building masks is part of the per-group cost

    def run():
        for m in masks:
            fn(y[m], s[m])

    return run


def main():
    peers = {}
    for n, reps in ((1_000_000, 5), (10_000_000, 2)):
        s, y, g = make(n)
        peers[f"auc/{n}"] = best_of(per_group(roc_auc_score, s, y, g), reps)
        if n == 1_000_000:
            s64 = s.astype(np.float64)
            peers["calibration_uniform/1000000"] = best_of(
                per_group(lambda yy, ss: calibration_curve(yy, ss, n_bins=10, strategy="uniform"), s64, y, g), reps)
            peers["calibration_quantile/1000000"] = best_of(
                per_group(lambda yy, ss: calibration_curve(yy, ss, n_bins=10, strategy="quantile"), s64, y, g), reps)
            peers["log_loss/1000000"] = best_of(
                per_group(lambda yy, ss: log_loss(yy, ss, labels=[0, 1]), s64, y, g), reps)
            peers["brier/1000000"] = best_of(per_group(brier_score_loss, s64, y, g), reps)
    for k, (v, c) in peers.items():
        print(f"sklearn per group  {k:32s} wall {v:10.1f} ms  cpu {c:10.1f} ms")
    if len(sys.argv) < 2:
        return
    names = {
        "auc/1000000": "BM_auc_all_groups/1000000",
        "auc/10000000": "BM_auc_all_groups/10000000",
        "calibration_uniform/1000000": "BM_calibration/1000000/0",
        "calibration_quantile/1000000": "BM_calibration/1000000/1",
        "log_loss/1000000": "BM_log_loss/1000000",
        "brier/1000000": "BM_brier/1000000",
    }
    flt = "|".join(f"^{v}$" for v in names.values())
    out = subprocess.run([sys.argv[1], f"--benchmark_filter={flt}", "--benchmark_repetitions=5",
                          "--benchmark_format=json"], check=True, capture_output=True, text=True).stdout
    best = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue
        name = b["run_name"]
        unit = {"ms": 1.0, "us": 1e-3, "ns": 1e-6, "s": 1e3}[b["time_unit"]]
        t, c = b["real_time"] * unit, b["cpu_time"] * unit
        old = best.get(name, (float("inf"), float("inf")))
        best[name] = (min(old[0], t), min(old[1], c))
    print()
    print("wall = best wall-clock time; cpu = best CPU time of the process (less")
    print("sensitive to other load on the machine). ratio = sklearn / fairgate.")
    print(f"{'case':30s} {'sklearn wall':>12s} {'fairgate wall':>13s} {'ratio':>7s}"
          f" {'sklearn cpu':>12s} {'fairgate cpu':>13s} {'ratio':>7s}")
    for k, (v, c) in peers.items():
        if names[k] in best:
            fw, fc = best[names[k]]
            print(f"{k:30s} {v:12.1f} {fw:13.2f} {v / fw:6.1f}x {c:12.1f} {fc:13.2f} {c / fc:6.1f}x")


if __name__ == "__main__":
    main()
