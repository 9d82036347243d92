#!/usr/bin/python3
"""Peer timings for bench_uncertainty: what a Python user would run instead.

Times are process CPU time (time.process_time), best of several runs, to
match the CPU column of Google Benchmark on a shared machine.

- Per-row Poisson bootstrap with numpy (TFMA's formulation): for each replicate,
  w = rng.poisson(1, n) and np.bincount(group * 4 + cell, weights=w) over 10^6 rows,
  8 groups. Timed for B = 10 and reported per replicate and extrapolated to B = 1000.
- scipy.stats.fisher_exact on the same tables as BM_fisher_exact.
- McNemar exact via scipy.stats.binomtest(min(b, c), b + c) (statsmodels'
  mcnemar(exact=True) is the same binomial test) on the same (b, c) as BM_mcnemar_exact.

Usage: /usr/bin/python3 bench/peers_uncertainty.py
"""
import sys
import time

try:
    import numpy as np
    from scipy import stats
except ImportError as e:  # pragma: no cover
    print(f"skipped: {e}")
    sys.exit(77)


def best_of(fn, repeat=5, number=1):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        for _ in range(number):
            fn()
        best = min(best, (time.process_time() - t0) / number)
    return best


rng = np.random.default_rng(1)
n, groups, B = 1_000_000, 8, 10
y = (rng.random(n) < 0.3).astype(np.int64)
p = np.where(rng.random(n) < 0.8, y, 1 - y)
g = rng.integers(0, groups, n)
cell = g * 4 + y * 2 + p


def per_row_bootstrap():
    out = np.empty((B, groups * 4))
    for b in range(B):
        w = rng.poisson(1.0, n)
        out[b] = np.bincount(cell, weights=w, minlength=groups * 4)
    return out


t = best_of(per_row_bootstrap, repeat=3)
print(f"numpy per-row Poisson bootstrap, 10^6 rows, 8 groups: {t / B * 1e3:.2f} ms per replicate, "
      f"{t / B * 1000:.2f} s for B = 1000 (extrapolated from B = {B})")


def counts_bootstrap():
    counts = np.bincount(cell, minlength=groups * 4)
    return rng.poisson(counts, size=(1000, groups * 4))


t = best_of(counts_bootstrap, repeat=5)
print(f"numpy cell-level Poisson(n) bootstrap (bincount once + poisson(counts, (1000, 32))): {t * 1e3:.2f} ms for B = 1000")

for a in (12, 1200):
    table = [[a, a // 2], [a // 3, a]]
    t = best_of(lambda: stats.fisher_exact(table), repeat=5, number=200)
    print(f"scipy.stats.fisher_exact {table}: {t * 1e6:.1f} us per call")

for b in (30, 5000):
    c = b + b // 5 + 1
    t = best_of(lambda: stats.binomtest(min(b, c), b + c).pvalue, repeat=5, number=200)
    print(f"scipy.stats.binomtest (McNemar b={b}, c={c}): {t * 1e6:.1f} us per call")
