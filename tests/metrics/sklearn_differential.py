#!/usr/bin/env python3
"""Differential test: fairgate's per-group confusion counts, weighted cells and
rates against sklearn (and math.fsum for the exact weighted sums).

Usage: sklearn_differential.py <path to fg_metrics_dump>

Random cases with 1-50 groups, every label/code/score/weight dtype, hard
predictions or scores + threshold, with and without sample weights, 1-3
threads. Compared per non-empty group:
  - counts (tp, fp, tn, fn) vs sklearn.metrics.confusion_matrix: exact;
  - weighted cells vs math.fsum of the weights in each cell: bit-exact
    (fairgate sums exactly and rounds once, as fsum does), and vs
    confusion_matrix(sample_weight=...): <= 1e-12 relative;
  - rates in zero_division=0 compat mode vs recall_score, precision_score,
    accuracy_score, balanced_accuracy_score, f1_score (zero_division=0 where
    sklearn has it) and, for FPR/TNR/FNR/NPV/FDR/FOR/selection/base/error,
    the formulas applied to sklearn's confusion_matrix: <= 1e-12 relative
    (or 1e-15 absolute near 0), weighted and unweighted;
  - disparities (Fairlearn DP / EO / equal opportunity, between_groups and
    to_overall, worst_case and mean; AIF360 SPD, DI, AOD, AAOD, EOD, error-rate
    ratio, APVD for group 0 vs the rest) vs a direct numpy re-implementation of
    Fairlearn's / AIF360's formulas on sklearn's confusion matrices (undefined
    groups skipped): <= 1e-12 relative, NaN where undefined;
  - regression cases: mean_absolute_error, mean_squared_error, RMSE, mean
    prediction vs sklearn / numpy (<= 1e-12 relative), and the exact sums vs fsum.
Exit 0 on success, 1 on any mismatch, 77 if numpy/sklearn are missing.
"""
import json
import math
import os
import subprocess
import sys
import tempfile
import warnings

try:
    import numpy as np
    from sklearn import metrics as skm
except ImportError as e:  # pragma: no cover
    print(f"SKIP: needs numpy and sklearn ({e})")
    sys.exit(77)

warnings.filterwarnings("ignore")
TOOL = sys.argv[1]
rng = np.random.default_rng(20261123)
failures = []
compared = {"counts": 0, "fsum_cells": 0, "sk_weighted_cells": 0, "rates": 0, "regression": 0, "disparities": 0,
            "undefined_disparities": 0, "empty_groups": 0}


def close(a, b, rel=1e-12, abs_=1e-15):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= max(rel * max(abs(a), abs(b)), abs_)


def ratio(num, den):
    return 0.0 if den == 0 else num / den


def run_tool(d, meta, arrays, with_extra=False):
    with open(os.path.join(d, "meta.txt"), "w") as f:
        for k, v in meta.items():
            f.write(f"{k} {v}\n")
    for name, arr in arrays.items():
        arr.tofile(os.path.join(d, name + ".bin"))
    out = subprocess.run([TOOL, d], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"tool failed: {out.stderr}")
    doc = json.loads(out.stdout)
    return (doc["groups"], doc.get("disparities")) if with_extra else doc["groups"]


LABEL = {"u8": np.uint8, "i32": np.int32, "i64": np.int64}
CODE = {"u8": np.uint8, "u16": np.uint16, "u32": np.uint32}
REAL = {"f32": np.float32, "f64": np.float64}


def binary_case(case, d):
    G = [1, 50][case] if case < 2 else int(rng.integers(1, 51))
    # Every fourth case is tiny, so that groups are empty or lack a class and
    # the undefined / skipped paths are compared too.
    n = int(rng.integers(30, 120)) if case % 4 == 3 else int(rng.integers(200, 4000))
    ydt = list(LABEL)[case % 3]
    gdt = list(CODE)[(case // 3) % 3]
    wdt = ["none", "f32", "f64"][case % 3 if case % 4 else 1]
    use_scores = case % 2 == 0
    y = rng.integers(0, 2, n).astype(LABEL[ydt])
    g = rng.integers(0, G, n).astype(CODE[gdt])
    meta = {"mode": "binary", "n": n, "n_groups": G, "threads": 1 + case % 3, "y": ydt, "g": gdt, "w": wdt}
    arrays = {"y": y, "g": g}
    if use_scores:
        pdt = list(REAL)[case % 2 if case % 5 else 1]
        s = rng.random(n).astype(REAL[pdt])
        s[rng.integers(0, n, 5)] = 0.375  # exact ties with the threshold
        t = 0.375
        meta.update(pred="scores", p=pdt, threshold=repr(t))
        arrays["p"] = s
        p = (s.astype(np.float64) >= t).astype(np.int64)
    else:
        pdt = list(LABEL)[(case + 1) % 3]
        p = rng.integers(0, 2, n).astype(LABEL[pdt])
        meta.update(pred="labels", p=pdt, threshold="0.5")
        arrays["p"] = p
        p = p.astype(np.int64)
    w = None
    if wdt != "none":
        # Weights over many binades, so exact summation matters.
        w = (rng.random(n) * np.exp2(rng.integers(-20, 20, n))).astype(REAL[wdt])
        arrays["w"] = w
        w = w.astype(np.float64)
    res, extra = run_tool(d, meta, arrays, with_extra=True)
    yy = y.astype(np.int64)
    used_cells = [None] * G  # (tp, fp, tn, fn) in the weighting the tool used (None: empty group)
    for k in range(G):
        m = g.astype(np.int64) == k
        got = res[k]
        if not m.any():
            compared["empty_groups"] += 1
            if got["counts"] != [0, 0, 0, 0]:
                failures.append(f"case {case} group {k}: empty group has counts {got['counts']}")
            continue
        yt, yp = yy[m], p[m]
        cm = skm.confusion_matrix(yt, yp, labels=[0, 1])
        tn, fp, fn, tp = (int(x) for x in cm.ravel())
        compared["counts"] += 1
        if got["counts"] != [tp, fp, tn, fn]:
            failures.append(f"case {case} group {k}: counts {got['counts']} != sklearn {[tp, fp, tn, fn]}")
        sw = w[m] if w is not None else np.ones(m.sum())
        cells = [math.fsum(sw[(yt == a) & (yp == b)]) for a, b in ((1, 1), (0, 1), (0, 0), (1, 0))]
        compared["fsum_cells"] += 1
        if got["wcells"] != cells:
            failures.append(f"case {case} group {k}: weighted cells {got['wcells']} != fsum {cells}")
        if math.fsum(sw) != got["total_weight"]:
            failures.append(f"case {case} group {k}: total weight {got['total_weight']} != fsum {math.fsum(sw)}")
        cmw = skm.confusion_matrix(yt, yp, labels=[0, 1], sample_weight=sw)
        wtn, wfp, wfn, wtp = (float(x) for x in cmw.ravel())
        used_cells[k] = (wtp, wfp, wtn, wfn) if w is not None else (float(tp), float(fp), float(tn), float(fn))
        compared["sk_weighted_cells"] += 1
        for a, b in zip(got["wcells"], [wtp, wfp, wtn, wfn]):
            if not close(a, b):
                failures.append(f"case {case} group {k}: weighted cell {a} != sklearn {b}")
        for key, weights in (("rates", None), ("wrates", sw)):
            if weights is None:
                ctp, cfp, ctn, cfn = float(tp), float(fp), float(tn), float(fn)
            else:
                ctp, cfp, ctn, cfn = wtp, wfp, wtn, wfn
            nn = ctp + cfp + ctn + cfn
            ref = {
                "selection_rate": ratio(ctp + cfp, nn),
                "base_rate": ratio(ctp + cfn, nn),
                "accuracy": skm.accuracy_score(yt, yp, sample_weight=weights),
                "error_rate": ratio(cfp + cfn, nn),
                "balanced_accuracy": skm.balanced_accuracy_score(yt, yp, sample_weight=weights),
                "true_positive_rate": skm.recall_score(yt, yp, sample_weight=weights, zero_division=0),
                "false_positive_rate": ratio(cfp, cfp + ctn),
                "true_negative_rate": skm.recall_score(yt, yp, pos_label=0, sample_weight=weights, zero_division=0),
                "false_negative_rate": ratio(cfn, ctp + cfn),
                "precision": skm.precision_score(yt, yp, sample_weight=weights, zero_division=0),
                "negative_predictive_value": skm.precision_score(yt, yp, pos_label=0, sample_weight=weights,
                                                                 zero_division=0),
                "false_discovery_rate": ratio(cfp, ctp + cfp),
                "false_omission_rate": ratio(cfn, ctn + cfn),
                "f1": skm.f1_score(yt, yp, sample_weight=weights, zero_division=0),
            }
            for name, want in ref.items():
                compared["rates"] += 1
                have = got[key][name]
                if not close(have, float(want)):
                    failures.append(f"case {case} group {k} {key}.{name}: fairgate {have} != reference {want}")
    sw_all = w if w is not None else None
    overall = cells_of(yy, p, sw_all)
    split = None
    if G >= 2:
        u = g.astype(np.int64) == 0
        split = (cells_of(yy[u], p[u], None if w is None else w[u]),
                 cells_of(yy[~u], p[~u], None if w is None else w[~u]))
    check_disparities(case, G, used_cells, overall, split, extra)


NAN = float("nan")


def nrate(num, den):
    return num / den if den != 0 else NAN


def cells_of(yt, yp, sw):
    cm = skm.confusion_matrix(yt, yp, labels=[0, 1], sample_weight=sw)
    tn, fp, fn, tp = (float(x) for x in cm.ravel())
    return tp, fp, tn, fn


def rates_nan(c):
    tp, fp, tn, fn = c
    return {"sr": nrate(tp + fp, tp + fp + tn + fn), "tpr": nrate(tp, tp + fn), "fpr": nrate(fp, fp + tn),
            "err": nrate(fp + fn, tp + fp + tn + fn), "ppv": nrate(tp, tp + fp), "for": nrate(fn, tn + fn)}


def f_diff(vals, overall, to_overall):
    v = [x for x in vals if not math.isnan(x)]
    if not v:
        return NAN
    if not to_overall:
        return max(v) - min(v)
    return NAN if math.isnan(overall) else max(abs(x - overall) for x in v)


def f_ratio(vals, overall, to_overall):
    v = [x for x in vals if not math.isnan(x)]
    if not v or min(v) < 0:
        return NAN
    if not to_overall:
        return NAN if max(v) == 0 else min(v) / max(v)
    if math.isnan(overall) or overall <= 0:
        return NAN
    return min(x / overall if x / overall <= 1 else 1 / (x / overall) for x in v)  # Fairlearn's fold


def eo(a, b, mean, worst):
    if math.isnan(a) or math.isnan(b):
        return NAN
    return (a + b) / 2 if mean else worst(a, b)


def check_disparities(case, G, used_cells, overall_cells, split_cells, got):
    per = [rates_nan(c) if c is not None else None for c in used_cells]
    col = lambda key: [p[key] for p in per if p is not None]
    ov = rates_nan(overall_cells)
    ref = {
        "dp_diff": f_diff(col("sr"), ov["sr"], False), "dp_ratio": f_ratio(col("sr"), ov["sr"], False),
        "dp_diff_overall": f_diff(col("sr"), ov["sr"], True), "dp_ratio_overall": f_ratio(col("sr"), ov["sr"], True),
        "eop_diff": f_diff(col("tpr"), ov["tpr"], False), "eop_ratio": f_ratio(col("tpr"), ov["tpr"], False),
    }
    dt, df = f_diff(col("tpr"), ov["tpr"], False), f_diff(col("fpr"), ov["fpr"], False)
    rt, rf = f_ratio(col("tpr"), ov["tpr"], False), f_ratio(col("fpr"), ov["fpr"], False)
    ref["eo_diff"], ref["eo_diff_mean"] = eo(dt, df, False, max), eo(dt, df, True, max)
    ref["eo_ratio"], ref["eo_ratio_mean"] = eo(rt, rf, False, min), eo(rt, rf, True, min)
    ref["eo_diff_overall"] = eo(f_diff(col("tpr"), ov["tpr"], True), f_diff(col("fpr"), ov["fpr"], True), False, max)
    ref["eo_ratio_overall_mean"] = eo(f_ratio(col("tpr"), ov["tpr"], True), f_ratio(col("fpr"), ov["fpr"], True),
                                      True, min)
    if G >= 2:
        u, p = rates_nan(split_cells[0]), rates_nan(split_cells[1])
        ratio = lambda a, b: NAN if (math.isnan(a) or math.isnan(b) or b == 0) else a / b
        ref.update({
            "spd": u["sr"] - p["sr"], "di": ratio(u["sr"], p["sr"]),
            "aod": ((u["fpr"] - p["fpr"]) + (u["tpr"] - p["tpr"])) / 2,
            "aaod": (abs(u["fpr"] - p["fpr"]) + abs(u["tpr"] - p["tpr"])) / 2,
            "eod": u["tpr"] - p["tpr"], "err_ratio": ratio(u["err"], p["err"]),
            "apvd": ((u["ppv"] - p["ppv"]) + (u["for"] - p["for"])) / 2,
        })
    for name, want in ref.items():
        compared["disparities"] += 1
        want = None if math.isnan(want) else want
        if want is None:
            compared["undefined_disparities"] += 1
        if not close(got[name], want):
            failures.append(f"case {case} disparity {name}: fairgate {got[name]} != reference {want}")


def regression_case(case, d):
    G = int(rng.integers(1, 51))
    n = int(rng.integers(200, 3000))
    ydt, pdt = ("f64", "f32") if case % 2 else ("f32", "f64")
    wdt = ["none", "f32", "f64"][case % 3]
    y = (rng.standard_normal(n) * 10).astype(REAL[ydt])
    p = (rng.standard_normal(n) * 10).astype(REAL[pdt])
    g = rng.integers(0, G, n).astype(np.uint32)
    meta = {"mode": "regression", "n": n, "n_groups": G, "threads": 1 + case % 3, "y": ydt, "p": pdt, "g": "u32",
            "w": wdt, "pred": "scores", "threshold": "0"}
    arrays = {"y": y, "p": p, "g": g}
    w = None
    if wdt != "none":
        w = (rng.random(n) * 3).astype(REAL[wdt])
        arrays["w"] = w
        w = w.astype(np.float64)
    res = run_tool(d, meta, arrays)
    yy, pp = y.astype(np.float64), p.astype(np.float64)
    for k in range(G):
        m = g == k
        if not m.any():
            continue
        yt, yp = yy[m], pp[m]
        sw = w[m] if w is not None else np.ones(m.sum())
        got = res[k]
        compared["regression"] += 1
        if got["reg"]["count"] != int(m.sum()) or got["reg"]["sum_pred"] != math.fsum(yp) \
                or got["reg"]["weight"] != math.fsum(sw) or got["reg"]["wsum_sq_err"] != math.fsum(sw * ((yp - yt) * (yp - yt))):
            failures.append(f"regression case {case} group {k}: exact sums differ from fsum: {got['reg']}")
        for key, weights in (("rates", None), ("wrates", sw)):
            mse = skm.mean_squared_error(yt, yp, sample_weight=weights)
            ref = {
                "mean_prediction": np.average(yp, weights=weights),
                "mean_absolute_error": skm.mean_absolute_error(yt, yp, sample_weight=weights),
                "mean_squared_error": mse,
                "root_mean_squared_error": math.sqrt(mse),
            }
            for name, want in ref.items():
                compared["rates"] += 1
                if not close(got[key][name], float(want), rel=1e-12, abs_=1e-13):
                    failures.append(f"regression case {case} group {k} {key}.{name}: {got[key][name]} != {want}")


with tempfile.TemporaryDirectory() as d:
    for case in range(16):
        for f in ("w.bin",):
            if os.path.exists(os.path.join(d, f)):
                os.remove(os.path.join(d, f))
        binary_case(case, d)
    for case in range(4):
        if os.path.exists(os.path.join(d, "w.bin")):
            os.remove(os.path.join(d, "w.bin"))
        regression_case(case, d)

print("compared:", ", ".join(f"{k}={v}" for k, v in compared.items()))
print("tolerances: counts exact; weighted cells vs math.fsum bit-exact; vs sklearn 1e-12 relative; rates 1e-12 relative")
if failures:
    print(f"{len(failures)} mismatches:")
    for f in failures[:40]:
        print("  " + f)
    sys.exit(1)
print("OK")
