#!/usr/bin/python3
"""Differential test: fairgate's score-based metrics vs sklearn 1.2 / numpy.

Usage: sklearn_differential.py <path to fg_scores_dump> [<path to fg_acc_scores_dump>]

Random data (numpy, fixed seeds) with 1-50 groups, with and without ties and
sample weights, f64 and f32 scores. Per group and overall it compares
  roc_auc_score (with/without sample_weight)        rel 1e-12
  roc_curve(drop_intermediate=False)                thresholds exact, fpr/tpr rel 1e-12
  log_loss (labels=[0,1], eps = dtype eps)          rel 1e-12
  brier_score_loss (with/without sample_weight)     rel 1e-12
  calibration_curve uniform & quantile (unweighted) bins exact, values rel 1e-12
  threshold sweep vs numpy comparisons              counts exact, weights rel 1e-12
  xAUC vs a numpy pair count                        rel 1e-12
and, from a group_accumulator's score statistics (second tool,
fg_acc_scores_dump: three shards, serialised, deserialised and merged):
  calibration_curve uniform bins (unweighted)       bins and counts exact, values rel 1e-12
  weighted uniform bins vs numpy bincount           counts exact, values rel 1e-12
  ECE / MCE from sklearn's bins, CITL vs numpy      rel 1e-12 (CITL abs 1e-12)
  score histogram vs numpy.histogram(clip(s))       counts exact, weights rel 1e-12
  binned AUC vs roc_auc_score on the bin indices    rel 1e-12
Exit 77 (skip) if numpy or sklearn is missing; non-zero on any mismatch.
"""
import os
import subprocess
import sys
import tempfile
import warnings

try:
    import numpy as np
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score, roc_curve
except ImportError as exc:  # pragma: no cover
    print(f"SKIP: needs numpy and sklearn ({exc})")
    sys.exit(77)

warnings.simplefilter("ignore")
TOOL = sys.argv[1]
ACC_TOOL = sys.argv[2] if len(sys.argv) > 2 else None
REL = 1e-12
failures = []
compared = {}
max_rel = {}


def count(what, n=1):
    compared[what] = compared.get(what, 0) + n


def close(a, b, rel=REL):
    if np.isnan(a) and np.isnan(b):
        return True
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-300)


def check(what, a, b, ctx, rel=REL):
    count(what)
    if not (np.isnan(a) or np.isnan(b)):
        r = abs(a - b) / max(abs(a), abs(b), 1e-300)
        max_rel[what] = max(max_rel.get(what, 0.0), r)
    if not close(a, b, rel):
        failures.append(f"{what} {ctx}: fairgate {a!r} vs peer {b!r}")


def run(d, ng, cmd, weighted=False, f32=False, extra=()):
    args = [TOOL, d, str(ng), cmd] + (["--weights"] if weighted else []) + (["--f32"] if f32 else []) + list(extra)
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return [ln.split() for ln in out.splitlines()]


def key(tok, ng):
    return ng if tok == "all" else int(tok)


def make_case(rng, n, ng, ties, f32):
    s = rng.random(n)
    if ties:
        s = np.round(s * ties) / ties
    if f32:
        s = s.astype(np.float32)
    y = (rng.random(n) < 0.25 + 0.5 * s).astype(np.uint8)
    g = rng.integers(0, ng, n).astype(np.uint16)
    w = rng.random(n) * 3.0
    w[rng.random(n) < 0.1] = 0.0
    return s, y, g, w


def subsets(g, ng):
    for k in range(ng):
        yield k, g == k
    yield ng, np.ones_like(g, dtype=bool)


def compare_case(d, s, y, g, w, ng, f32, tag):
    s.tofile(os.path.join(d, "scores.f32" if f32 else "scores.f64"))
    y.tofile(os.path.join(d, "labels.u8"))
    g.tofile(os.path.join(d, "groups.u16"))
    w.tofile(os.path.join(d, "weights.f64"))
    s64 = s.astype(np.float64)
    for weighted in (False, True):
        sw_all = w if weighted else None
        # ROC AUC
        res = {key(t[1], ng): (int(t[2]), float(t[3])) for t in run(d, ng, "auc", weighted, f32)}
        for k, m in subsets(g, ng):
            yk = y[m]
            swk = sw_all[m] if weighted else None
            both = len(np.unique(yk)) == 2
            if weighted and both:
                both = swk[yk == 1].sum() > 0 and swk[yk == 0].sum() > 0
            count("auc defined-flag")
            if res[k][0] != int(both):
                failures.append(f"auc defined {tag} w={weighted} g={k}: {res[k][0]} vs {both}")
                continue
            if both:
                check("roc_auc_score", res[k][1], roc_auc_score(yk, s[m], sample_weight=swk), f"{tag} w={weighted} g={k}")
        # ROC curves
        lines = run(d, ng, "roc", weighted, f32)
        i = 0
        curves = {}
        while i < len(lines):
            k, npts = key(lines[i][1], ng), int(lines[i][2])
            pts = np.array([[float(v) for v in ln] for ln in lines[i + 1:i + 1 + npts]]).reshape(-1, 3)
            curves[k] = pts
            i += 1 + npts
        for k, m in subsets(g, ng):
            yk = y[m]
            if len(yk) == 0 or (weighted and sw_all[m].sum() == 0):
                continue
            fpr, tpr, thr = roc_curve(yk, s[m], sample_weight=(sw_all[m] if weighted else None),
                                      drop_intermediate=False)
            pts = curves[k]
            count("roc_curve points", len(thr))
            if pts.shape[0] != len(thr):
                failures.append(f"roc_curve length {tag} w={weighted} g={k}: {pts.shape[0]} vs {len(thr)}")
                continue
            # sklearn adds 1 to the top threshold in the score dtype; compare
            # the other thresholds exactly, the first one to rounding.
            if not np.array_equal(pts[1:, 0], thr[1:].astype(np.float64)) or not close(pts[0, 0], float(thr[0]), 1e-7):
                failures.append(f"roc_curve thresholds {tag} w={weighted} g={k}")
            for j in range(len(thr)):
                if not (close(pts[j, 1], fpr[j]) and close(pts[j, 2], tpr[j])):
                    failures.append(f"roc_curve point {j} {tag} w={weighted} g={k}: {pts[j]} vs {fpr[j]},{tpr[j]}")
                    break
        # log-loss and Brier
        eps = np.finfo(np.float32 if f32 else np.float64).eps
        for cmd in ("logloss", "brier"):
            res = {key(t[1], ng): (int(t[2]), float(t[3])) for t in run(d, ng, cmd, weighted, f32)}
            for k, m in subsets(g, ng):
                swk = sw_all[m] if weighted else None
                tot = swk.sum() if weighted else m.sum()
                if tot == 0:
                    count(f"{cmd} undefined")
                    if res[k][0] != 0:
                        failures.append(f"{cmd} should be undefined {tag} g={k}")
                    continue
                if cmd == "logloss":
                    peer = log_loss(y[m], s64[m], sample_weight=swk, labels=[0, 1], eps=eps)
                    check("log_loss", res[k][1], peer, f"{tag} w={weighted} g={k}")
                else:
                    peer = brier_score_loss(y[m], s64[m], sample_weight=swk, pos_label=1)
                    check("brier_score_loss", res[k][1], peer, f"{tag} w={weighted} g={k}")
        # xAUC vs numpy pair counting (small cases only: O(n^2))
        if len(s) <= 3000:
            res = {(int(t[1]), int(t[2])): (int(t[3]), float(t[4])) for t in run(d, ng, "xauc", weighted, f32)}
            ww = sw_all if weighted else np.ones(len(s))
            for a in range(min(ng, 4)):
                for b in range(min(ng, 4)):
                    pa = (g == a) & (y == 1)
                    nb = (g == b) & (y == 0)
                    den = ww[pa].sum() * ww[nb].sum()
                    if den == 0:
                        continue
                    sa, sb = s64[pa][:, None], s64[nb][None, :]
                    num = ((sa > sb) + 0.5 * (sa == sb)) * (ww[pa][:, None] * ww[nb][None, :])
                    check("xauc vs numpy pairs", res[(a, b)][1], num.sum() / den, f"{tag} w={weighted} a={a} b={b}")
        # threshold sweep vs numpy
        t = np.unique(np.concatenate([np.linspace(0.0, 1.0, 21), s64[:5]]))
        t.tofile(os.path.join(d, "thresholds.f64"))
        cells = {}
        for ln in run(d, ng, "sweep", weighted, f32):
            cells[(key(ln[1], ng), int(ln[2]))] = [float(v) for v in ln[3:]]
        for k, m in subsets(g, ng):
            if k not in (0, ng) and k % 7 != 1:
                continue  # a sample of groups keeps the test fast
            for j, tj in enumerate(t):
                pred = s64[m] >= tj
                yk = y[m] == 1
                exp = [np.sum(pred & yk), np.sum(pred & ~yk), np.sum(~pred & ~yk), np.sum(~pred & yk)]
                got = cells[(k, j)]
                count("sweep cells", 4)
                if [int(v) for v in got[:4]] != [int(v) for v in exp]:
                    failures.append(f"sweep counts {tag} g={k} t={tj}: {got[:4]} vs {exp}")
                if weighted:
                    wk = sw_all[m]
                    expw = [wk[pred & yk].sum(), wk[pred & ~yk].sum(), wk[~pred & ~yk].sum(), wk[~pred & yk].sum()]
                    for a, b in zip(got[4:], expw):
                        check("sweep weights", a, b, f"{tag} g={k} t={tj}")
    # calibration_curve (sklearn has no sample_weight)
    for strategy in ("uniform", "quantile"):
        for n_bins in (5, 10):
            lines = run(d, ng, f"calib_{strategy}", False, f32, [str(n_bins)])
            bins = {}
            for ln in lines:
                if ln[0] == "bin":
                    bins.setdefault(key(ln[1], ng), []).append((float(ln[4]), float(ln[5])))
            for k, m in subsets(g, ng):
                if m.sum() == 0:
                    continue
                pt, pp = calibration_curve(y[m], s64[m], n_bins=n_bins, strategy=strategy)
                ours = bins.get(k, [])
                count(f"calibration_curve {strategy} bins", len(pt))
                if len(ours) != len(pt):
                    failures.append(f"calibration {strategy} nbins {tag} g={k}: {len(ours)} vs {len(pt)}")
                    continue
                for (ft, fp), a, b in zip(ours, pt, pp):
                    if not (close(ft, a) and close(fp, b)):
                        failures.append(f"calibration {strategy} {tag} g={k}: ({ft},{fp}) vs ({a},{b})")
                        break


def compare_accumulator(d, s, y, g, w, ng, f32, tag):
    """Score statistics of the accumulator (files already written by compare_case)."""
    s64 = s.astype(np.float64)
    for weighted in (False, True):
        for n_cal, n_hist, lo, hi in ((10, 50, 0.0, 1.0), (7, 13, 0.2, 0.9)):
            args = [ACC_TOOL, d, str(ng), str(n_cal), str(n_hist), repr(lo), repr(hi)]
            args += (["--weights"] if weighted else []) + (["--f32"] if f32 else [])
            out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
            cal, summ, hist, auc = {}, {}, {}, {}
            for ln in out.splitlines():
                t = ln.split()
                k = key(t[1], ng)
                if t[0] == "calbin":
                    cal.setdefault(k, {})[int(t[2])] = (int(t[3]), float(t[4]), float(t[5]), float(t[6]))
                elif t[0] == "calsum":
                    summ[k] = (int(t[2]), float(t[3]), float(t[4]), float(t[5]))
                elif t[0] == "hist":
                    hist.setdefault(k, []).append((int(t[3]), int(t[4]), float(t[5]), float(t[6])))
                elif t[0] == "auc":
                    auc[k] = (int(t[2]), float(t[3]))
            ctx = f"{tag} w={weighted} cal={n_cal} hist={n_hist} [{lo},{hi}]"
            cal_edges = np.linspace(0.0, 1.0, n_cal + 1)
            hist_edges = np.linspace(lo, hi, n_hist + 1)
            for k, m in subsets(g, ng):
                yk, sk = y[m], s64[m]
                wk = w[m] if weighted else np.ones(m.sum())
                tot = wk.sum()
                count("accumulator calibration defined-flag")
                if (summ[k][0] == 1) != (tot > 0):
                    failures.append(f"acc calibration defined {ctx} g={k}: {summ[k][0]} vs {tot > 0}")
                    continue
                if tot == 0:
                    continue
                # Uniform calibration bins: sklearn's bin ids (searchsorted, side='left').
                ids = np.searchsorted(cal_edges[1:-1], sk)
                cnt = np.bincount(ids, minlength=n_cal)
                wb = np.bincount(ids, weights=wk, minlength=n_cal)
                ours = cal.get(k, {})
                nonempty = [b for b in range(n_cal) if wb[b] > 0]
                count("accumulator calibration bins", len(nonempty))
                if sorted(ours) != nonempty:
                    failures.append(f"acc calibration bin set {ctx} g={k}: {sorted(ours)} vs {nonempty}")
                    continue
                if not weighted:
                    pt, pp = calibration_curve(yk, sk, n_bins=n_cal, strategy="uniform")
                else:
                    pt = np.bincount(ids, weights=wk * yk, minlength=n_cal)[nonempty] / wb[nonempty]
                    pp = np.bincount(ids, weights=wk * sk, minlength=n_cal)[nonempty] / wb[nonempty]
                for b, a_t, a_p in zip(nonempty, pt, pp):
                    c, wt, ft, fp = ours[b]
                    if c != cnt[b]:
                        failures.append(f"acc calibration count {ctx} g={k} bin {b}: {c} vs {cnt[b]}")
                    check("accumulator calibration bin weight", wt, wb[b], ctx)
                    check("accumulator calibration_curve prob_true", ft, a_t, ctx)
                    check("accumulator calibration_curve prob_pred", fp, a_p, ctx)
                gaps = np.abs(pt - pp)
                check("accumulator ECE", summ[k][1], float(np.sum(wb[nonempty] / tot * gaps)), ctx)
                check("accumulator MCE", summ[k][2], float(np.max(gaps)), ctx)
                citl = float(np.sum(wk * sk) / tot - np.sum(wk * yk) / tot)
                count("accumulator calibration-in-the-large")
                if abs(summ[k][3] - citl) > 1e-12:
                    failures.append(f"acc CITL {ctx} g={k}: {summ[k][3]} vs {citl}")
                # Histogram per label: numpy.histogram of the clipped scores.
                clipped = np.clip(sk, lo, hi)
                got = np.array(hist[k])
                for lab, col_c, col_w in ((0, 0, 2), (1, 1, 3)):
                    sel = yk == lab
                    hc, _ = np.histogram(clipped[sel], bins=n_hist, range=(lo, hi))
                    hw, _ = np.histogram(clipped[sel], bins=n_hist, range=(lo, hi), weights=wk[sel])
                    count("accumulator histogram bins", n_hist)
                    if not np.array_equal(got[:, col_c].astype(np.int64), hc):
                        failures.append(f"acc histogram counts {ctx} g={k} y={lab}: {got[:, col_c]} vs {hc}")
                    for a, b in zip(got[:, col_w], hw):
                        check("accumulator histogram weights", a, b, ctx)
                # Binned AUC: the exact AUC of the bin indices (numpy.histogram's rule).
                idx = np.searchsorted(hist_edges[1:-1], sk, side="right")
                both = wk[yk == 1].sum() > 0 and wk[yk == 0].sum() > 0
                count("binned auc defined-flag")
                if auc[k][0] != int(both):
                    failures.append(f"binned auc defined {ctx} g={k}: {auc[k][0]} vs {both}")
                elif both:
                    check("binned auc vs roc_auc_score(bin index)", auc[k][1],
                          roc_auc_score(yk, idx, sample_weight=wk if weighted else None), ctx)


def main():
    rng = np.random.default_rng(20261123)
    cases = [
        (2000, 1, 0, False), (3000, 2, 0, False), (3000, 5, 10, False), (5000, 8, 100, True),
        (2500, 17, 0, True), (8000, 50, 20, False), (400, 3, 3, False), (60, 50, 0, False),
    ]
    with tempfile.TemporaryDirectory() as d:
        for n, ng, ties, f32 in cases:
            s, y, g, w = make_case(rng, n, ng, ties, f32)
            tag = f"[n={n} groups={ng} ties={ties} f32={f32}]"
            compare_case(d, s, y, g, w, ng, f32, tag)
            if ACC_TOOL:
                compare_accumulator(d, s, y, g, w, ng, f32, tag)
    for what, c in sorted(compared.items()):
        extra = f"  (max rel diff {max_rel[what]:.2e})" if what in max_rel else ""
        print(f"compared {c:6d} {what}{extra}")
    if failures:
        print(f"{len(failures)} mismatches:")
        for f in failures[:40]:
            print("  " + f)
        sys.exit(1)
    print(f"OK: all comparisons within rel {REL} (counts and bins exact)")


if __name__ == "__main__":
    main()
