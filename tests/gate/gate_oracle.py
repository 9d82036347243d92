"""Differential test of the fairness gate against an independent numpy/scipy
implementation of the documented rules (docs/gate.md):

  * per-group rates, Fairlearn disparities (between_groups / to_overall,
    worst_case / mean), pooled rates, min_support, absolute and relative
    bounds, point evidence                     -> values to 1e-12, decisions exact
  * Wilson intervals (scipy.stats.norm.ppf)    -> bounds to 1e-9
  * McNemar one-sided exact p-values (scipy.stats.binomtest) and the Holm / BH
    corrections over the target's family       -> p-values to 1e-12 relative

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
except ImportError as e:  # pragma: no cover
    print(f"skipped: {e}")
    sys.exit(77)

TOOL = sys.argv[1]
rng = np.random.default_rng(20261123)
failures = []
compared = {"values": 0, "decisions": 0, "intervals": 0, "p_values": 0}


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


def run(policy_text, target, y, a, b, g, G):
    with tempfile.TemporaryDirectory() as d:
        pp = os.path.join(d, "p.toml"); rp = os.path.join(d, "rows.txt")
        open(pp, "w").write(policy_text)
        with open(rp, "w") as f:
            for i in range(len(y)):
                f.write(f"{y[i]} {a[i]:.17g} {b[i]:.17g} {g[i]}\n")
        out = subprocess.run([TOOL, pp, target, rp, str(G)], capture_output=True, text=True)
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

print(f"gate oracle: 12 random data sets; compared {compared['values']} metric values (1e-12), "
      f"{compared['intervals']} Wilson bounds (1e-9), {compared['p_values']} McNemar / adjusted p-values (1e-12), "
      f"{compared['decisions']} pass/fail decisions (exact)")
if failures:
    print("\n".join(failures[:30]))
    sys.exit(1)
