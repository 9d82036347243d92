#!/usr/bin/python3
"""Differential test: the monitor's windows, Wilson intervals, PSI and KS
against an independent numpy/scipy implementation.

For each window kind, a random stream (numpy, fixed seed) is written to a
file, tests/monitor/monitor_dump runs the C++ monitor over it and prints every
poll, and this script recomputes the same quantities from the raw rows:
  - window membership: last N rows (sliding), last complete block of N
    (tumbling), weights 2^(-age/H) (decay);
  - counts / weights per group, selection rate and TPR;
  - Wilson intervals (formula as in statsmodels proportion_confint "wilson";
    decayed windows with Kish's n_eff = (sum w)^2 / sum w^2);
  - PSI over the bins with the 1e-4 floor;
  - KS: scipy.stats.ks_2samp on the bin indices of baseline and window rows
    (the exact two-sample statistic of the binned samples; counting windows).
Tolerances: counts exact; rates and intervals 1e-12 relative (counting
windows), 1e-9 (decay: different summation order); PSI 1e-10; KS 1e-12.
"""
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    from scipy import stats
except ImportError as e:  # pragma: no cover
    print(f"skipped: {e}")
    sys.exit(77)

BINS = 10
Z = stats.norm.isf(0.025)


def make(rng, n, drift_from=None):
    g = rng.integers(0, 3, n).astype(np.uint32)
    s = rng.random(n)
    if drift_from is not None:
        m = (np.arange(n) >= drift_from) & (g == 2)
        s[m] = s[m] ** 2
    lab = np.where(rng.random(n) < 0.7, (rng.random(n) < s).astype(np.int32), -1).astype(np.int32)
    return s, g, lab


def write(path, s, g, lab):
    rec = np.zeros(len(s), dtype=[("s", "<f8"), ("g", "<u4"), ("l", "<i4")])
    rec["s"], rec["g"], rec["l"] = s, g, lab
    rec.tofile(path)


def wilson(x, n):
    if n <= 0:
        return (np.nan, np.nan, np.nan)
    p = x / n
    z2 = Z * Z
    denom = 1 + z2 / n
    center = (p + z2 / (2 * n)) / denom
    half = Z * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    lo, hi = center - half, center + half
    lo = 0.0 if (p == 0 or lo < 0) else lo
    hi = 1.0 if (p == 1 or hi > 1) else hi
    return (p, lo, hi)


def bins_of(s):
    b = np.floor(s * BINS).astype(int)
    return np.clip(b, 0, BINS - 1)


def psi(e, a):
    e = e / e.sum()
    a = a / a.sum()
    e = np.maximum(e, 1e-4)
    a = np.maximum(a, 1e-4)
    return float(np.sum((a - e) * np.log(a / e)))


def close(a, b, rel, what):
    if np.isnan(a) and np.isnan(b):
        return True
    if abs(a - b) <= rel * max(1.0, abs(b)):
        return True
    print(f"MISMATCH {what}: monitor {a!r} oracle {b!r}")
    return False


def main():
    tool = sys.argv[1]
    rng = np.random.default_rng(20261123)
    bs, bg, bl = make(rng, 6000)
    bl = np.where(bl < 0, 0, bl).astype(np.int32)
    s, g, lab = make(rng, 12000, drift_from=6000)
    compared, ok = 0, True
    with tempfile.TemporaryDirectory() as tmp:
        write(os.path.join(tmp, "base.bin"), bs, bg, bl)
        write(os.path.join(tmp, "stream.bin"), s, g, lab)
        for kind, N in (("sliding", 1500), ("tumbling", 1000), ("decay", 800)):
            out = subprocess.run([tool, kind, str(N), str(BINS), "700", os.path.join(tmp, "base.bin"),
                                  os.path.join(tmp, "stream.bin")], check=True, capture_output=True, text=True).stdout
            for line in out.splitlines():
                f = line.split()
                t, grp = int(f[0]), int(f[1])
                vals = [float(x) for x in f[2:]]
                idx = np.arange(t)
                if kind == "sliding":
                    w = (idx >= t - N).astype(float)
                elif kind == "tumbling":
                    done = t // N
                    lo_, hi_ = ((done - 1) * N, done * N) if done > 0 else (0, t)
                    w = ((idx >= lo_) & (idx < hi_)).astype(float)
                else:
                    w = 2.0 ** (-(t - 1 - idx) / N)
                w = w * (g[:t] == grp)
                pred = s[:t] >= 0.5
                labelled = lab[:t] >= 0
                obs = w.sum()
                rel = 1e-9 if kind == "decay" else 1e-12
                # selection rate over all, TPR over labelled positives
                sel_x, sel_n, sel_sq = (w * pred).sum(), obs, (w * w).sum()
                pos = labelled & (lab[:t] == 1)
                tpr_x, tpr_n, tpr_sq = (w * (pos & pred)).sum(), (w * pos).sum(), (w * w * pos).sum()
                if kind == "decay":
                    sel = wilson(sel_x / sel_n * (sel_n ** 2 / sel_sq), sel_n ** 2 / sel_sq)
                    tpr = wilson(tpr_x / tpr_n * (tpr_n ** 2 / tpr_sq), tpr_n ** 2 / tpr_sq) if tpr_n > 0 else (np.nan,) * 3
                    eff = sel_n ** 2 / sel_sq
                else:
                    sel, tpr, eff = wilson(sel_x, sel_n), wilson(tpr_x, tpr_n), obs
                what = f"{kind} poll@{t} group {grp}"
                ok &= close(vals[0], obs, rel, what + " observations")
                ok &= close(vals[1], eff, rel, what + " effective")
                for k, name in enumerate(("sel", "sel_lo", "sel_hi")):
                    ok &= close(vals[2 + k], sel[k], rel, what + " " + name)
                for k, name in enumerate(("tpr", "tpr_lo", "tpr_hi")):
                    ok &= close(vals[5 + k], tpr[k], rel, what + " " + name)
                base_h = np.bincount(bins_of(bs[bg == grp]), minlength=BINS).astype(float)
                win_h = np.bincount(bins_of(s[:t]), weights=w, minlength=BINS)
                ok &= close(vals[8], psi(base_h, win_h), 1e-10, what + " psi")
                if kind != "decay":
                    sel_rows = w > 0
                    ks = stats.ks_2samp(bins_of(bs[bg == grp]), bins_of(s[:t][sel_rows])).statistic
                    ok &= close(vals[9], ks, 1e-12, what + " ks")
                compared += 1
    print(f"compared {compared} (poll, group) rows over sliding/tumbling/decay windows: "
          f"counts, effective sizes, selection rate and TPR with Wilson intervals, PSI, KS (scipy ks_2samp)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
