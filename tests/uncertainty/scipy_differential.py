#!/usr/bin/python3
"""Differential test of fairgate's uncertainty module against scipy / numpy.

Usage: scipy_differential.py <path to fg_stats_dump>

Compares, on random inputs from a fixed numpy seed:
  normal cdf / sf / ppf, erfc, gammaln, log-factorial  vs scipy.stats.norm / scipy.special
  Wilson intervals (plain, continuity-corrected, Kish-weighted) vs direct formulas
  (statsmodels' proportion_confint(method="wilson") order of operations; Newcombe 1998)
  two-proportion z-test  vs the statsmodels formula with scipy.stats.norm
  Fisher exact (3 alternatives) vs scipy.stats.fisher_exact
  exact McNemar vs min(1, 2 binom.cdf(min(b,c), b+c, 1/2)) and scipy.stats.binomtest
  Holm / BH  vs a re-implementation from the definitions (statsmodels is not installed)
  quantiles  vs numpy.quantile(method="linear") (bit-exact)
  binomial / multinomial samplers vs the exact pmf (chi-square goodness of fit)
Exit 0 when everything matches, 1 on any mismatch, 77 when scipy/numpy are missing.
"""
import math
import subprocess
import sys

try:
    import numpy as np
    from scipy import special, stats
except ImportError as e:  # pragma: no cover
    print(f"skipped: {e} (needs /usr/bin/python3 with numpy and scipy)")
    sys.exit(77)

TOOL = sys.argv[1]
rng = np.random.default_rng(20261123)
failures = []
counts = {}


def run(lines):
    out = subprocess.run([TOOL], input="\n".join(lines) + "\n", capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert len(out) == len(lines), (len(out), len(lines))
    return [[float(t) for t in o.split()] for o in out]


def close(got, want, rtol, atol=0.0):
    if math.isnan(want) or math.isnan(got):
        return math.isnan(want) and math.isnan(got)
    if math.isinf(want) or math.isinf(got):
        return got == want
    return abs(got - want) <= atol + rtol * abs(want)


def check(name, got, want, rtol, atol=0.0, ctx=""):
    counts[name] = counts.get(name, 0) + 1
    if not close(got, want, rtol, atol):
        failures.append(f"{name} {ctx}: got {got!r}, want {want!r}")


# --- special functions -------------------------------------------------------
xs = np.concatenate([rng.uniform(-8, 8, 300), rng.uniform(-37, 37, 200),
                     [0.0, 0.5, -0.5, 0.46875, 4.0, -4.0, 1e-20, -1e-20, 26.0, -38.0]])
ps = np.concatenate([rng.uniform(0, 1, 300), 10.0 ** rng.uniform(-300, -1, 200),
                     1 - 10.0 ** rng.uniform(-15, -1, 100), [0.5, 0.075, 0.925, 1e-300]])
gx = np.concatenate([rng.uniform(1e-3, 10, 200), 10.0 ** rng.uniform(1, 8, 200), [0.5, 1, 2, 3, 10]])
ns = list(range(0, 40)) + [int(v) for v in rng.integers(40, 10**9, 60)]
lines = ([f"norm_cdf {x!r}" for x in xs] + [f"norm_sf {x!r}" for x in xs] +
         [f"norm_ppf {p!r}" for p in ps] + [f"erfc {x / 2!r}" for x in xs] +
         [f"gammaln {x!r}" for x in gx] + [f"logfact {n}" for n in ns])
res = iter(run(lines))
for x in xs:
    check("norm.cdf", next(res)[0], stats.norm.cdf(x), 1e-12, 1e-300, f"x={x!r}")
for x in xs:
    check("norm.sf", next(res)[0], stats.norm.sf(x), 1e-12, 1e-300, f"x={x!r}")
for p in ps:
    check("norm.ppf", next(res)[0], stats.norm.ppf(p), 1e-13, 1e-15, f"p={p!r}")
for x in xs:
    check("erfc", next(res)[0], special.erfc(x / 2), 1e-13, 1e-300, f"x={x / 2!r}")
for x in gx:
    check("gammaln", next(res)[0], special.gammaln(x), 1e-14, 5e-15, f"x={x!r}")
for n in ns:
    check("logfactorial", next(res)[0], special.gammaln(n + 1.0), 1e-14, 2e-15, f"n={n}")

# --- Wilson ----------------------------------------------------------------------


def wilson(x, n, conf):
    # statsmodels.stats.proportion.proportion_confint(method="wilson"), same operation order.
    alpha = 1 - conf
    q_ = x / n
    crit = stats.norm.isf(alpha / 2.0)
    crit2 = crit ** 2
    denom = 1 + crit2 / n
    center = (q_ + crit2 / (2 * n)) / denom
    dist = crit * np.sqrt(q_ * (1.0 - q_) / n + crit2 / (4.0 * n ** 2))
    dist /= denom
    return max(center - dist, 0.0), min(center + dist, 1.0)


def wilson_cc(x, n, conf):
    # Newcombe (1998) method 4.
    z = stats.norm.isf((1 - conf) / 2.0)
    p = x / n
    lo = (2 * n * p + z * z - 1 - z * math.sqrt(max(0.0, z * z - 2 - 1 / n + 4 * p * (n * (1 - p) + 1)))) / (2 * (n + z * z))
    hi = (2 * n * p + z * z + 1 + z * math.sqrt(max(0.0, z * z + 2 - 1 / n + 4 * p * (n * (1 - p) - 1)))) / (2 * (n + z * z))
    if p == 0:
        lo = 0.0
    if p == 1:
        hi = 1.0
    return max(lo, 0.0), min(hi, 1.0)


cases = []
for _ in range(300):
    n = int(rng.choice([1, 2, 5, 10, 30, 100, 1000, 10**6]))
    x = int(rng.integers(0, n + 1))
    conf = float(rng.choice([0.8, 0.9, 0.95, 0.99, 0.999]))
    cases.append((x, n, conf, int(rng.integers(0, 2))))
wcases = []
for _ in range(100):
    w = rng.exponential(1.0, int(rng.integers(2, 200)))
    succ = rng.random(len(w)) < rng.random()
    wcases.append((float(w[succ].sum()), float(w.sum()), float((w * w).sum()), 0.95))
res = iter(run([f"wilson {x} {n} {c!r} {cc}" for x, n, c, cc in cases] +
               [f"wilson_w {a!r} {b!r} {c!r} {d!r}" for a, b, c, d in wcases]))
for x, n, c, cc in cases:
    got = next(res)
    want = wilson_cc(x, n, c) if cc else wilson(x, n, c)
    check("wilson_cc" if cc else "wilson", got[0], want[0], 1e-12, 1e-15, f"{x}/{n} c={c}")
    check("wilson_cc" if cc else "wilson", got[1], want[1], 1e-12, 1e-15, f"{x}/{n} c={c}")
for a, b, c, d in wcases:
    got = next(res)
    neff = b * b / c
    want = wilson(a / b * neff, neff, d)
    check("wilson_kish", got[0], want[0], 1e-12, 1e-15)
    check("wilson_kish", got[1], want[1], 1e-12, 1e-15)

# --- z-test, Fisher, McNemar ----------------------------------------------------------


def ztest(x1, n1, x2, n2, alt):
    # statsmodels proportions_ztest(count, nobs, value=0, prop_var=False)
    if n1 == 0 or n2 == 0:
        return math.nan, math.nan
    p1, p2 = x1 / n1, x2 / n2
    pooled = (x1 + x2) / (n1 + n2)
    if x1 + x2 in (0, n1 + n2):
        return math.nan, math.nan
    var = pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2)
    z = (p1 - p2) / math.sqrt(var)
    p = {"two": 2 * stats.norm.sf(abs(z)), "greater": stats.norm.sf(z), "less": stats.norm.cdf(z)}[alt]
    return z, p


zcases, fcases, mcases = [], [], []
for _ in range(300):
    n1, n2 = (int(v) for v in rng.integers(0, 400, 2))
    zcases.append((int(rng.integers(0, n1 + 1)), n1, int(rng.integers(0, n2 + 1)), n2,
                   str(rng.choice(["two", "less", "greater"]))))
alts = ["two", "less", "greater"]
for _ in range(400):
    hi = int(rng.choice([3, 10, 30, 200, 2000]))
    fcases.append(tuple(int(v) for v in rng.integers(0, hi, 4)) + (alts[_ % 3],))
# symmetric tables, where two tables have the same probability (ties in the two-sided rule)
for k in range(1, 30):
    fcases.append((k, 10, 10, k, "two"))
    fcases.append((10, k, k, 10, "two"))
    fcases.append((k, 2 * k, 2 * k, k, "two"))
for _ in range(300):
    hi = int(rng.choice([5, 20, 100, 5000]))
    mcases.append(tuple(int(v) for v in rng.integers(0, hi, 2)))
mcases += [(0, 0), (1, 6), (6, 1), (5, 5), (0, 30), (100000, 100300)]
res = iter(run([f"ztest {a} {b} {c} {d} {e}" for a, b, c, d, e in zcases] +
               [f"fisher {a} {b} {c} {d} {e}" for a, b, c, d, e in fcases] +
               [f"mcnemar {b} {c}" for b, c in mcases]))
for case in zcases:
    got = next(res)
    want = ztest(*case)
    check("ztest.z", got[0], want[0], 1e-12, 1e-15, str(case))
    check("ztest.p", got[1], want[1], 1e-11, 1e-300, str(case))
for a, b, c, d, alt in fcases:
    got = next(res)
    want = stats.fisher_exact([[a, b], [c, d]], alternative={"two": "two-sided"}.get(alt, alt))
    check("fisher.odds", got[0], float(want[0]), 1e-15, 0.0, str((a, b, c, d, alt)))
    check("fisher.p", got[1], float(want[1]), 1e-11, 1e-300, str((a, b, c, d, alt)))
for b, c in mcases:
    got = next(res)[0]
    n, k = b + c, min(b, c)
    want = 1.0 if n == 0 else min(1.0, 2 * stats.binom.cdf(k, n, 0.5))
    check("mcnemar.vs_binom_cdf", got, want, 1e-11, 1e-300, str((b, c)))
    if n > 0:
        check("mcnemar.vs_binomtest", got, stats.binomtest(k, n).pvalue, 1e-11, 1e-300, str((b, c)))

# --- Holm / BH from the definitions -------------------------------------------------


def holm_ref(p, alpha):
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])  # stable
    adj, rej = [0.0] * m, [False] * m
    running, stop = 0.0, False
    for r, i in enumerate(order):
        running = max(running, p[i] * (m - r))
        adj[i] = min(1.0, running)
        if not stop and p[i] <= alpha / (m - r):
            rej[i] = True
        else:
            stop = True
    return adj, rej


def bh_ref(p, alpha):
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    adj, rej = [0.0] * m, [False] * m
    kmax = -1
    for r, i in enumerate(order):
        if p[i] <= (r + 1) / m * alpha:
            kmax = r
    running = math.inf
    for r in range(m - 1, -1, -1):
        i = order[r]
        running = min(running, p[i] / ((r + 1) / m))
        adj[i] = min(1.0, running)
        rej[i] = r <= kmax
    return adj, rej


mc_cases = []
for _ in range(200):
    k = int(rng.integers(1, 30))
    p = list(rng.random(k) ** 3)
    if rng.random() < 0.3:  # ties
        p[int(rng.integers(0, k))] = p[0]
    mc_cases.append((float(rng.choice([0.01, 0.05, 0.1])), p))
lines = []
for alpha, p in mc_cases:
    body = " ".join(repr(float(v)) for v in p)
    lines.append(f"holm {alpha!r} {len(p)} {body}")
    lines.append(f"bh {alpha!r} {len(p)} {body}")
res = iter(run(lines))
for alpha, p in mc_cases:
    for name, ref in (("holm", holm_ref), ("bh", bh_ref)):
        got = next(res)
        k = len(p)
        adj, rej = ref(p, alpha)
        for i in range(k):
            check(f"{name}.adjusted", got[i], adj[i], 1e-15, 0.0, f"p={p}")
            check(f"{name}.reject", got[k + i], float(rej[i]), 0.0, 0.0, f"p={p}")

# --- quantiles (bit-exact vs numpy) ----------------------------------------------------
qcases = []
for _ in range(300):
    k = int(rng.integers(1, 60))
    v = rng.normal(size=k)
    if rng.random() < 0.3:
        v = np.round(v, 1)  # ties
    q = float(rng.choice([0.0, 0.025, 0.05, 0.5, 0.95, 0.975, 1.0, float(rng.random())]))
    qcases.append((q, v))
res = iter(run([f"quantile {q!r} {len(v)} " + " ".join(repr(float(x)) for x in v) for q, v in qcases]))
for q, v in qcases:
    got = next(res)[0]
    want = float(np.quantile(v, q))
    counts["quantile (bit-exact)"] = counts.get("quantile (bit-exact)", 0) + 1
    if got != want:
        failures.append(f"quantile q={q} v={list(v)}: got {got!r}, want {want!r}")

# --- bootstrap percentile intervals vs numpy.percentile of the returned replicates ----
bcases_boot = []
for i in range(40):
    k = int(rng.integers(1, 4))
    cells = [int(v) for v in rng.integers(0, int(rng.choice([3, 30, 3000])), 4 * k)]
    conf = float(rng.choice([0.9, 0.95, 0.99]))
    bcases_boot.append((i, int(rng.choice([50, 200])), str(rng.choice(["poisson", "stratified"])), conf, k, cells))
res = iter(run([f"boot {s} {b} {m} {c!r} {k} {' '.join(map(str, cells))}" for s, b, m, c, k, cells in bcases_boot]))
for s, b, m, c, k, cells in bcases_boot:
    got = next(res)
    vals = np.array(got[3:])
    counts["bootstrap replicate count"] = counts.get("bootstrap replicate count", 0) + 1
    if len(vals) != b or int(got[2]) != int(np.isnan(vals).sum()):
        failures.append(f"bootstrap case {s}: {len(vals)} values, n_undefined {got[2]}")
        continue
    defined = vals[~np.isnan(vals)]
    if defined.size == 0:
        check("bootstrap ci undefined", float(math.isnan(got[0])), 1.0, 0.0)
        continue
    # np.percentile(x, P) == np.quantile(x, P / 100); fairgate uses the levels (1-c)/2, 1-(1-c)/2.
    lo = float(np.quantile(defined, (1 - c) / 2.0))
    hi = float(np.quantile(defined, 1 - (1 - c) / 2.0))
    check("bootstrap ci vs np.quantile (bit-exact)", got[0], lo, 0.0, 0.0, f"case {s}")
    check("bootstrap ci vs np.quantile (bit-exact)", got[1], hi, 0.0, 0.0, f"case {s}")
    check("bootstrap ci vs np.percentile", got[0], float(np.percentile(defined, 100 * (1 - c) / 2.0)), 1e-12, 1e-15)
    check("bootstrap ci vs np.percentile", got[1], float(np.percentile(defined, 100 * (1 - (1 - c) / 2.0))), 1e-12, 1e-15)

# --- samplers: chi-square goodness of fit against the exact pmf -------------------------
DRAWS = 20000


def gof(name, samples, pmf_support, pmf):
    # Pool cells with expected count < 5 into their neighbours (both tails).
    exp = pmf * len(samples)
    obs = np.array([np.sum(samples == k) for k in pmf_support], dtype=float)
    eo, oo, acc_e, acc_o = [], [], 0.0, 0.0
    for e, o in zip(exp, obs):
        acc_e += e
        acc_o += o
        if acc_e >= 5:
            eo.append(acc_e)
            oo.append(acc_o)
            acc_e = acc_o = 0.0
    if eo:
        eo[-1] += acc_e
        oo[-1] += acc_o
    eo, oo = np.array(eo), np.array(oo)
    if len(eo) < 2:
        return
    chi2 = float(np.sum((oo - eo) ** 2 / eo))
    pval = float(stats.chi2.sf(chi2, len(eo) - 1))
    counts[name] = counts.get(name, 0) + 1
    # Fixed seed: deterministic. A correct sampler fails this with probability 1e-4 per case.
    if pval < 1e-4:
        failures.append(f"{name}: chi-square p = {pval:.3g} (chi2 = {chi2:.1f}, {len(eo) - 1} dof)")


bcases = [(1, 0.3), (7, 0.5), (40, 0.1), (50, 0.9), (1000, 0.3), (1000, 0.003), (10**6, 0.4),
          (10**6, 2e-5), (123457, 0.75)]
mcases2 = [(100, [3, 1, 0, 6]), (10**5, [50, 30, 15, 5]), (1000, [1, 1, 1, 1, 1, 1, 1, 1])]
lines = [f"binom {1000 + i} {n} {p!r} {DRAWS}" for i, (n, p) in enumerate(bcases)]
lines += [f"multinom {2000 + i} {n} {len(w)} {' '.join(map(str, w))} {DRAWS}"
          for i, (n, w) in enumerate(mcases2)]
res = iter(run(lines))
for n, p in bcases:
    x = np.array(next(res), dtype=np.int64)
    lo, hi = int(stats.binom.ppf(1e-9, n, p)), int(stats.binom.isf(1e-9, n, p))
    support = np.arange(0, n + 1) if n <= 2000 else np.arange(max(lo - 1, 0), hi + 2)
    pmf = stats.binom.pmf(support, n, p)
    pmf[0] += stats.binom.cdf(support[0] - 1, n, p)
    pmf[-1] += stats.binom.sf(support[-1], n, p)
    gof(f"binomial sampler GOF", x, support, pmf)
    check("binomial sampler mean", float(x.mean()), n * p, 0.0, 6 * math.sqrt(n * p * (1 - p) / DRAWS) + 1e-12,
          f"n={n} p={p}")
for n, w in mcases2:
    x = np.array(next(res), dtype=np.int64).reshape(DRAWS, len(w))
    counts["multinomial sums to n"] = counts.get("multinomial sums to n", 0) + 1
    if not np.all(x.sum(axis=1) == n):
        failures.append(f"multinomial n={n} w={w}: rows do not sum to n")
    tot = sum(w)
    for j, wj in enumerate(w):  # each marginal is Binomial(n, w_j / sum w)
        pj = wj / tot
        if 0 < pj < 1:
            lo, hi = int(stats.binom.ppf(1e-9, n, pj)), int(stats.binom.isf(1e-9, n, pj))
            support = np.arange(max(lo - 1, 0), min(hi + 2, n + 1))
            pmf = stats.binom.pmf(support, n, pj)
            pmf[0] += stats.binom.cdf(support[0] - 1, n, pj)
            pmf[-1] += stats.binom.sf(support[-1], n, pj)
            gof("multinomial marginal GOF", x[:, j], support, pmf)

for k in sorted(counts):
    print(f"  {k}: {counts[k]} comparisons")
if failures:
    print(f"{len(failures)} MISMATCHES:")
    for f in failures[:50]:
        print("  " + f)
    sys.exit(1)
print(f"OK: {sum(counts.values())} comparisons against scipy/numpy/reference formulas")
