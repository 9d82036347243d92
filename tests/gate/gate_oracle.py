"""Differential test of the fairness gate against an independent numpy/scipy
implementation of the documented rules (docs/gate.md):

  * per-group rates, Fairlearn disparities (between_groups / to_overall,
    worst_case / mean), pooled rates, min_support, absolute and relative
    bounds, point evidence                     -> values to 1e-12, decisions exact
  * Wilson intervals (scipy.stats.norm.ppf)    -> bounds to 1e-9
  * McNemar one-sided exact p-values (scipy.stats.binomtest) and the Holm / BH
    corrections over the target's family       -> p-values to 1e-12 relative
  * the AIF360 reference-group metrics (aif360.metrics.ClassificationMetric's
    formulas, re-implemented here: aif360 is not installed), unweighted and
    sample-weighted                            -> values to 1e-12, decisions exact
  * roc_auc per group and its Fairlearn disparities (sklearn.metrics.
    roc_auc_score, with and without sample_weight) -> values to 1e-12

usage: gate_oracle.py <gate_dump>
"""
import json
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    from scipy import stats
    from sklearn.metrics import roc_auc_score
except ImportError as e:  # pragma: no cover
    print(f"skipped: {e}")
    sys.exit(77)

TOOL = sys.argv[1]
rng = np.random.default_rng(20261123)
failures = []
compared = {"values": 0, "decisions": 0, "intervals": 0, "p_values": 0, "aif360": 0, "auc": 0}


def rates(y, p):
    tp = np.sum((y == 1) & (p == 1)); fp = np.sum((y == 0) & (p == 1))
    tn = np.sum((y == 0) & (p == 0)); fn = np.sum((y == 1) & (p == 0))
    n = tp + fp + tn + fn
    div = lambda a, b: a / b if b > 0 else float("nan")
    return {"tpr": div(tp, tp + fn), "fpr": div(fp, fp + tn), "selection_rate": div(tp + fp, n),
            "accuracy": div(tp + tn, n), "correct": (y == p)}


def disparity(kind, parts, agg, method, y, pred, g, eligible):
    vals = []
    for part in parts:
        per = [rates(y[g == k], pred[g == k])[part] for k in eligible]
        per = [v for v in per if not np.isnan(v)]
        if method == "between_groups":
            if len(per) < 1:
                return float("nan")
            v = (max(per) - min(per)) if kind == "difference" else (min(per) / max(per) if max(per) > 0 else float("nan"))
        else:
            o = rates(y, pred)[part]
            if kind == "difference":
                v = max(abs(x - o) for x in per)
            else:
                v = min((min(x, o) / max(x, o)) if max(x, o) > 0 else 1.0 for x in per)
        vals.append(v)
    if agg == "mean":
        return sum(vals) / len(vals)
    return max(vals) if kind == "difference" else min(vals)


def run(policy_text, target, y, a, b, g, G, w=None):
    with tempfile.TemporaryDirectory() as d:
        pp = os.path.join(d, "p.toml"); rp = os.path.join(d, "rows.txt")
        open(pp, "w").write(policy_text)
        with open(rp, "w") as f:
            for i in range(len(y)):
                f.write(f"{y[i]} {a[i]:.17g} {b[i]:.17g} {g[i]}" + ("" if w is None else f" {w[i]:.17g}") + "\n")
        out = subprocess.run([TOOL, pp, target, rp, str(G)] + ([] if w is None else ["weighted"]),
                             capture_output=True, text=True)
        if out.returncode != 0:
            failures.append(f"gate_dump failed: {out.stderr}")
            return None
        return json.loads(out.stdout)


def close(x, y, tol, what):
    if x is None or y is None or (isinstance(y, float) and np.isnan(y)):
        ok = (x is None) and (y is None or np.isnan(y))
    else:
        ok = abs(x - y) <= tol * max(1.0, abs(y))
    if not ok:
        failures.append(f"{what}: gate {x} vs oracle {y}")


HEAD = 'schema_version = 1\nname = "oracle"\n[[target]]\nname = "t"\nsensitive_features = ["f"]\n'

for trial in range(12):
    G = int(rng.integers(2, 6))
    n = int(rng.integers(200, 1500))
    g = rng.integers(0, G, n)
    y = (rng.random(n) < 0.4).astype(int)
    a = rng.random(n)
    # The candidate: the baseline's score, perturbed more in group 0.
    b = np.clip(a + rng.normal(0, 0.08, n) - 0.06 * (g == 0), 0, 1)
    pa, pb = (a >= 0.5).astype(int), (b >= 0.5).astype(int)
    min_support = int(rng.choice([0, 60, 150]))
    sizes = np.bincount(g, minlength=G)
    eligible = [k for k in range(G) if sizes[k] > 0 and sizes[k] >= min_support]
    bound = float(np.round(rng.uniform(0.0, 0.2), 3))
    metric, kind, parts = [("equalized_odds_difference", "difference", ["tpr", "fpr"]),
                           ("demographic_parity_ratio", "ratio", ["selection_rate"]),
                           ("equal_opportunity_difference", "difference", ["tpr"])][trial % 3]
    agg = "mean" if trial % 4 == 1 and metric.startswith("equalized") else "worst_case"
    method = "to_overall" if trial % 5 == 2 else "between_groups"
    op = "<=" if kind == "difference" else ">="
    btxt = f"{op} baseline + {bound}" if kind == "difference" else f"{op} baseline - {bound}"
    drop = float(np.round(rng.uniform(0.0, 0.08), 3))
    text = HEAD + (
        f'[[target.constraint]]\nid = "d"\nmetric = "{metric}"\nbound = "{btxt}"\nmin_support = {min_support}\n'
        + (f'agg = "{agg}"\n' if metric.startswith("equalized") else "") + f'method = "{method}"\n'
        f'[[target.constraint]]\nid = "tpr"\nmetric = "tpr"\nmax_drop = {drop}\nmin_support = {min_support}\n'
        f'[[target.constraint]]\nid = "acc"\nmetric = "accuracy"\nscope = "overall"\nbound = ">= 0.5"\n'
        f'[[target.constraint]]\nid = "w"\nmetric = "accuracy"\nbound = ">= 0.45"\nevidence = "ci"\ninterval = "wilson"\nconfidence = 0.9\n'
        f'[[target.constraint]]\nid = "mc"\nmetric = "accuracy"\nbound = ">= baseline"\nevidence = "paired_test"\n')
    correction = ["holm", "bh"][trial % 2]
    text = text.replace('sensitive_features = ["f"]\n', f'sensitive_features = ["f"]\ncorrection = "{correction}"\n')
    v = run(text, "t", y, a, b, g, G)
    if v is None:
        continue
    cs = {c["id"]: c for c in v["constraints"]}
    # 1. the disparity, relative to the baseline
    need = 2 if method == "between_groups" else 1
    if len(eligible) >= need:
        base = disparity(kind, parts, agg, method, y, pa, g, eligible)
        cand = disparity(kind, parts, agg, method, y, pb, g, eligible)
        it = cs["d"]["items"][0]
        close(it["baseline"], base, 1e-12, f"trial {trial} {metric} baseline")
        close(it["candidate"], cand, 1e-12, f"trial {trial} {metric} candidate")
        holds = cand <= base + bound if op == "<=" else cand >= base - bound
        if not np.isnan(cand - base):
            compared["decisions"] += 1
            if (it["result"] == "pass") != bool(holds):
                failures.append(f"trial {trial} {metric}: gate {it['result']}, oracle holds={holds}")
        compared["values"] += 2
    # 2. the per-group TPR guardrail
    for it in cs["tpr"]["items"]:
        k = int(it["group"][1:])
        if sizes[k] < min_support:
            if it["result"] != "skipped":
                failures.append(f"trial {trial}: group {k} below min_support not skipped")
            continue
        rb = rates(y[g == k], pa[g == k])["tpr"]; rc = rates(y[g == k], pb[g == k])["tpr"]
        close(it["statistic"], rc - rb, 1e-12, f"trial {trial} tpr change g{k}")
        compared["values"] += 1
        if not np.isnan(rc - rb):
            compared["decisions"] += 1
            if (it["result"] == "pass") != bool(rc >= rb - drop):
                failures.append(f"trial {trial} tpr g{k}: gate {it['result']}, change {rc - rb}, drop {drop}")
    # 3. pooled accuracy
    acc = rates(y, pb)["accuracy"]
    close(cs["acc"]["items"][0]["candidate"], acc, 1e-12, f"trial {trial} pooled accuracy")
    compared["values"] += 1
    # 4. Wilson lower bounds at 90%
    z = stats.norm.ppf(0.95)
    for it in cs["w"]["items"]:
        k = int(it["group"][1:])
        m = sizes[k]; p = rates(y[g == k], pb[g == k])["accuracy"]
        centre = (p + z * z / (2 * m)) / (1 + z * z / m)
        half = z * np.sqrt(p * (1 - p) / m + z * z / (4 * m * m)) / (1 + z * z / m)
        close(it["interval"][0], max(0.0, centre - half), 1e-9, f"trial {trial} wilson lower g{k}")
        compared["intervals"] += 1
    # 5. McNemar one-sided p-values and the family correction
    raw = []
    for it in cs["mc"]["items"]:
        k = int(it["group"][1:])
        sel = g == k
        broke = int(np.sum(sel & (pa == y) & (pb != y))); fixed = int(np.sum(sel & (pa != y) & (pb == y)))
        p = stats.binomtest(broke, broke + fixed, 0.5, alternative="greater").pvalue if broke > fixed else 1.0
        close(it["p_value"], p, 1e-12, f"trial {trial} mcnemar g{k}")
        raw.append(p)
        compared["p_values"] += 1
    m = len(raw)
    order = np.argsort(raw, kind="stable")
    adj = np.empty(m)
    if correction == "holm":
        run_max = 0.0
        for rank, i in enumerate(order):
            run_max = max(run_max, min(1.0, (m - rank) * raw[i]))
            adj[i] = run_max
    else:
        run_min = 1.0
        for rank in range(m - 1, -1, -1):
            i = order[rank]
            run_min = min(run_min, raw[i] * m / (rank + 1))
            adj[i] = min(1.0, run_min)
    for it, p in zip(cs["mc"]["items"], adj):
        close(it["p_adjusted"], float(p), 1e-12, f"trial {trial} {correction} adjusted")
        compared["p_values"] += 1
        compared["decisions"] += 1
        if (it["result"] == "fail") != bool(p <= 0.05):
            failures.append(f"trial {trial}: {correction} decision differs for {it['group']}")


# --- AIF360 reference-group metrics and roc_auc (weighted and not) ----------
def wrates(y, p, w):
    """Weighted rates of one group (AIF360's ClassificationMetric with instance weights)."""
    tp = np.sum(w * ((y == 1) & (p == 1))); fp = np.sum(w * ((y == 0) & (p == 1)))
    tn = np.sum(w * ((y == 0) & (p == 0))); fn = np.sum(w * ((y == 1) & (p == 0)))
    div = lambda x, z: x / z if z > 0 else float("nan")
    return {"sr": div(tp + fp, tp + fp + tn + fn), "tpr": div(tp, tp + fn), "fpr": div(fp, fp + tn),
            "fnr": div(fn, fn + tp), "err": div(fp + fn, tp + fp + tn + fn), "ppv": div(tp, tp + fp),
            "fdr": div(fp, tp + fp), "for": div(fn, fn + tn)}


AIF = {  # name -> f(rates of g, rates of ref), as aif360.metrics.ClassificationMetric defines them
    "statistical_parity_difference": lambda u, p: u["sr"] - p["sr"],
    "disparate_impact": lambda u, p: u["sr"] / p["sr"] if p["sr"] > 0 else float("nan"),
    "average_odds_difference": lambda u, p: 0.5 * ((u["fpr"] - p["fpr"]) + (u["tpr"] - p["tpr"])),
    "average_abs_odds_difference": lambda u, p: 0.5 * (abs(u["fpr"] - p["fpr"]) + abs(u["tpr"] - p["tpr"])),
    "tpr_difference": lambda u, p: u["tpr"] - p["tpr"],
    "error_rate_difference": lambda u, p: u["err"] - p["err"],
    "error_rate_ratio": lambda u, p: u["err"] / p["err"] if p["err"] > 0 else float("nan"),
    "fnr_ratio": lambda u, p: u["fnr"] / p["fnr"] if p["fnr"] > 0 else float("nan"),
    "fdr_difference": lambda u, p: u["fdr"] - p["fdr"],
    "for_ratio": lambda u, p: u["for"] / p["for"] if p["for"] > 0 else float("nan"),
    "average_predictive_value_difference": lambda u, p: 0.5 * ((u["ppv"] - p["ppv"]) + (u["for"] - p["for"])),
}
aif_names = sorted(AIF)
aif_trials = 10
for trial in range(aif_trials):
    G = int(rng.integers(2, 6))
    n = int(rng.integers(300, 1200))
    g = rng.integers(0, G, n)
    y = (rng.random(n) < 0.45).astype(int)
    a = rng.random(n)
    b = np.clip(a + rng.normal(0, 0.1, n) - 0.05 * (g == 1), 0, 1)
    pa, pb = (a >= 0.5).astype(int), (b >= 0.5).astype(int)
    weighted = trial % 2 == 1
    w = rng.integers(1, 4, n).astype(float) * (0.5 if trial % 4 == 3 else 1.0) if weighted else np.ones(n)
    ref = int(rng.integers(0, G))
    metrics = [aif_names[(trial * 3 + k) % len(aif_names)] for k in range(3)]
    ops = ["<=" if (trial + k) % 2 == 0 else ">=" for k in range(3)]
    text = HEAD.replace('sensitive_features = ["f"]\n', f'sensitive_features = ["f"]\nreference_group = "g{ref}"\n')
    for k, m in enumerate(metrics):
        lo, hi = (0.0, 5.0) if ("ratio" in m or m == "disparate_impact") else ((0.0, 1.0) if m.startswith("average_abs") else (-1.0, 1.0))
        bnd = float(np.round(rng.uniform(lo + 0.3 * (hi - lo), lo + 0.6 * (hi - lo)), 3)) if hi < 5 else float(np.round(rng.uniform(0.8, 1.2), 3))
        text += f'[[target.constraint]]\nid = "a{k}"\nmetric = "{m}"\nbound = "{ops[k]} {bnd}"\n'
    text += '[[target.constraint]]\nid = "auc"\nmetric = "roc_auc"\nscope = "every_group"\nbound = ">= 0.6"\n'
    text += '[[target.constraint]]\nid = "aucd"\nmetric = "roc_auc_difference"\nbound = "<= 0.1"\n'
    v = run(text, "t", y, a, b, g, G, w if weighted else None)
    if v is None:
        continue
    cs = {c["id"]: c for c in v["constraints"]}
    for k, m in enumerate(metrics):
        vals = {}
        for pred, key in ((pa, "baseline"), (pb, "candidate")):
            r_ref = wrates(y[g == ref], pred[g == ref], w[g == ref])
            per = []
            for u in range(G):
                if u == ref or np.sum(g == u) == 0:
                    continue
                x = AIF[m](wrates(y[g == u], pred[g == u], w[g == u]), r_ref)
                if not np.isnan(x):
                    per.append(x)
            vals[key] = (max(per) if ops[k] == "<=" else min(per)) if per else float("nan")
        it = cs[f"a{k}"]["items"][0]
        close(it["baseline"], vals["baseline"], 1e-12, f"aif trial {trial} {m} baseline")
        close(it["candidate"], vals["candidate"], 1e-12, f"aif trial {trial} {m} candidate")
        compared["aif360"] += 2
        if not np.isnan(vals["candidate"]):
            bound = float(cs[f"a{k}"]["bound"].split()[1])
            holds = vals["candidate"] <= bound if ops[k] == "<=" else vals["candidate"] >= bound
            compared["decisions"] += 1
            if (it["result"] == "pass") != bool(holds):
                failures.append(f"aif trial {trial} {m}: gate {it['result']}, oracle holds={holds}")
    aucs = {}
    for it in cs["auc"]["items"]:
        u = int(it["group"][1:]); sel = g == u
        if len(set(y[sel])) < 2:
            continue
        for scores, key in ((a, "baseline"), (b, "candidate")):
            ref_auc = roc_auc_score(y[sel], scores[sel], sample_weight=w[sel] if weighted else None)
            close(it[key], ref_auc, 1e-12, f"auc trial {trial} g{u} {key}")
            aucs.setdefault(key, []).append(ref_auc)
            compared["auc"] += 1
    for key in ("baseline", "candidate"):
        if len(aucs.get(key, [])) >= 2:
            close(cs["aucd"]["items"][0][key], max(aucs[key]) - min(aucs[key]), 1e-12, f"auc trial {trial} difference {key}")
            compared["auc"] += 1

print(f"gate oracle: 12 random data sets; compared {compared['values']} metric values (1e-12), "
      f"{compared['intervals']} Wilson bounds (1e-9), {compared['p_values']} McNemar / adjusted p-values (1e-12), "
      f"{compared['decisions']} pass/fail decisions (exact); {aif_trials} more data sets (half weighted): "
      f"{compared['aif360']} AIF360 reference-group values (1e-12), {compared['auc']} ROC AUC values vs "
      f"sklearn roc_auc_score (1e-12)")
if failures:
    print("\n".join(failures[:30]))
    sys.exit(1)
