#!/usr/bin/python3
"""Differential test: fairgate's samplers against scipy's exact distributions.

Runs rng.dump (path in argv[1]) for fixed seeds and compares:
  normal          10^6 draws: Kolmogorov-Smirnov vs scipy.stats.norm, plus a
                  binomial check of the tail beyond the Ziggurat's R = 3.6541;
  uniform_double  10^6 draws: KS vs U(0, 1);
  poisson1 and poisson(lambda) for lambda in 1, 3.7, 10, 100, 1e6:
                  chi-square vs scipy.stats.poisson.pmf (bins with expected
                  count >= 20, tails merged).
Fails if any p-value is below 1e-4 (fixed seeds: deterministic, not flaky).
"""
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    from scipy import stats
except ImportError as e:
    print("skipped: needs numpy and scipy (%s)" % e)
    sys.exit(77)

DUMP = sys.argv[1]
ALPHA = 1e-4
failures = []


def draw(kind, count, param, seed):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "draws.bin")
        subprocess.run([DUMP, kind, str(count), repr(param), str(seed), path], check=True)
        raw = np.fromfile(path, dtype="<u8")
    assert raw.size == count
    return raw.view("<f8") if kind in ("normal", "uniform_double") else raw


def report(name, p, detail=""):
    ok = p >= ALPHA
    print("%-28s p = %.4g %s %s" % (name, p, "ok" if ok else "FAIL", detail))
    if not ok:
        failures.append(name)


z = draw("normal", 1_000_000, 0, 2024)
report("normal KS", stats.kstest(z, "norm").pvalue)
r = 3.6541528853610088
tail = int(np.sum(np.abs(z) > r))
p_tail = 2 * stats.norm.sf(r)
report("normal |z| > R count", stats.binomtest(tail, z.size, p_tail).pvalue,
       "(%d vs %.1f expected)" % (tail, z.size * p_tail))

u = draw("uniform_double", 1_000_000, 0, 2025)
report("uniform_double KS", stats.kstest(u, "uniform").pvalue)


def poisson_chi2(name, k, lam):
    hi = int(k.max())
    pmf = stats.poisson.pmf(np.arange(hi + 1), lam)
    lo_edge = 0
    # Bins of consecutive values with expected count >= 20; tails merged.
    edges, acc = [0], 0.0
    for v in range(hi + 1):
        acc += pmf[v] * k.size
        if acc >= 20:
            edges.append(v + 1)
            acc = 0.0
    edges[-1] = hi + 1
    obs = np.histogram(k, bins=np.array(edges + [np.inf]) - 0.5)[0][:-1]
    exp = np.array([stats.poisson.cdf(edges[i + 1] - 1, lam) - (stats.poisson.cdf(edges[i] - 1, lam) if edges[i] > lo_edge else 0.0)
                    for i in range(len(edges) - 1)])
    exp[-1] += stats.poisson.sf(hi, lam)  # upper tail into the last bin
    exp *= k.size
    report(name, stats.chisquare(obs, exp).pvalue, "(%d bins, mean %.6g)" % (len(obs), k.mean()))


poisson_chi2("poisson1 chi2", draw("poisson1", 1_000_000, 0, 2026), 1.0)
for i, lam in enumerate([1.0, 3.7, 10.0, 100.0, 1e6]):
    poisson_chi2("poisson(%g) chi2" % lam, draw("poisson", 300_000, lam, 3000 + i), lam)

if failures:
    print("FAILED:", ", ".join(failures))
    sys.exit(1)
print("all %d comparisons passed at p >= %g" % (9, ALPHA))
