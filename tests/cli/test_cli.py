#!/usr/bin/env python3
"""CLI tests for `fairgate`: every subcommand, exit codes, outputs and bad input.

Usage: test_cli.py FAIRGATE_BINARY ADULT_DIR

Exit codes tested (docs/cli.md): 0 ok, 1 verification failed, 2 usage error,
3 bad input. Expected numbers come from hand computations (shown in comments)
or from independent Python computations in this file, never from fairgate.
Only the standard library is used, so the test runs wherever Python 3 does.
"""
import csv
import json
import math
import shutil
import os
import pty
import re
import select
import subprocess
import sys
import tempfile

BIN = sys.argv[1]
ADULT = sys.argv[2]
TMP = tempfile.mkdtemp(prefix="fairgate-cli-test-")
failures = []
passed = 0


def run(*args, env=None, cwd=None):
    e = dict(os.environ)
    e.pop("NO_COLOR", None)
    if env:
        e.update(env)
    p = subprocess.run([BIN, *args], capture_output=True, text=True, env=e, cwd=cwd, timeout=120)
    return p.returncode, p.stdout, p.stderr


def write(name, text, mode="w"):
    path = os.path.join(TMP, name)
    with open(path, mode, newline="" if mode == "w" else None) as f:
        f.write(text)
    return path


def test(fn):
    global passed
    try:
        fn()
        passed += 1
        print(f"ok   {fn.__name__}")
    except AssertionError as e:
        failures.append(fn.__name__)
        print(f"FAIL {fn.__name__}: {e}")
    return fn


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def close(a, b, tol=1e-12):
    return a is not None and b is not None and abs(a - b) <= tol


def audit_json(*args):
    rc, out, err = run("audit", *args, "--json")
    check(rc == 0, f"audit exit {rc}: {err}")
    return json.loads(out)


# Hand-computable data. Group a: (y, p) = (1,1) (1,0) (0,1) (0,0) -> tp fn fp tn = 1 1 1 1.
# Group b: (1,1) (0,0) (0,0) (0,0) -> tp 1, fn 0, fp 0, tn 3.
SMALL = "y,p,g,h\n1,1,a,x\n1,0,a,y\n0,1,a,x\n0,0,a,y\n1,1,b,x\n0,0,b,x\n0,0,b,y\n0,0,b,y\n"


@test
def help_is_available_on_every_subcommand():
    for sub in ([], ["audit"], ["train"], ["predict"], ["verify"], ["report"], ["compress"], ["demo"],
                ["check"]):
        rc, out, _ = run(*sub, "--help")
        check(rc == 0 and "Usage" in out, f"{sub} --help: rc={rc}")


@test
def version_prints_version_git_and_compiler():
    rc, out, _ = run("--version")
    check(rc == 0, f"rc={rc}")
    check(re.search(r"fairgate \d+\.\d+\.\d+ \(git ", out) and "compiler:" in out, out)


@test
def usage_errors_exit_2():
    p = write("small.csv", SMALL)
    cases = [
        [],                                                   # no subcommand
        ["audit", p, "--label", "y", "--pred", "p"],          # --group missing
        ["audit", p, "--label", "y", "--pred", "p", "--score", "p", "--group", "g"],  # both
        ["audit", p, "--label", "y", "--group", "g"],         # neither --pred nor --score
        ["audit", p, "--label", "y", "--pred", "p", "--group", "g", "--threshold", "0.5"],  # needs --score
        ["audit", p, "--label", "y", "--pred", "p", "--group", "g", "--no-such-flag"],
        ["train", p, "--label", "y", "--out", os.path.join(TMP, "m.json"), "--penalty", "dp"],  # no --sensitive
        ["train", p, "--label", "y", "--out", os.path.join(TMP, "m.json"), "--penalty", "xx"],
    ]
    for c in cases:
        rc, out, err = run(*c)
        check(rc == 2, f"{c}: rc={rc}, stderr={err!r}")
        check(out == "", f"{c}: usage errors print nothing on stdout")
        check(err.strip() != "", f"{c}: no message on stderr")


@test
def audit_hand_computed_metrics_and_disparities():
    p = write("small.csv", SMALL)
    r = audit_json(p, "--label", "y", "--pred", "p", "--group", "g", "--reference", "b")
    a, b, o = r["by_group"]["a"], r["by_group"]["b"], r["overall"]
    # a: tp=fn=fp=tn=1: every rate 1/2, f1 = 2/(2+1+1) = 0.5.
    for k in ["selection_rate", "base_rate", "accuracy", "balanced_accuracy", "tpr", "fpr", "tnr", "fnr",
              "ppv", "npv", "fdr", "for", "f1"]:
        check(close(a[k], 0.5), f"a.{k} = {a[k]}")
    # b: tp=1 tn=3: SR 1/4, base 1/4, acc 1, TPR 1, FPR 0, PPV 1, NPV 1, f1 = 2/2 = 1.
    exp_b = {"selection_rate": 0.25, "base_rate": 0.25, "accuracy": 1.0, "balanced_accuracy": 1.0, "tpr": 1.0,
             "fpr": 0.0, "tnr": 1.0, "fnr": 0.0, "ppv": 1.0, "npv": 1.0, "fdr": 0.0, "for": 0.0, "f1": 1.0}
    for k, v in exp_b.items():
        check(close(b[k], v), f"b.{k} = {b[k]} != {v}")
    check(a["count"] == 4 and b["count"] == 4 and o["count"] == 8, "counts")
    # overall: tp=2 fn=1 fp=1 tn=4: SR 3/8, TPR 2/3, FPR 1/5, acc 6/8.
    check(close(o["selection_rate"], 3 / 8) and close(o["tpr"], 2 / 3) and close(o["fpr"], 1 / 5)
          and close(o["accuracy"], 0.75), f"overall {o}")
    d = r["disparities"]
    # Fairlearn: DP diff = 0.5 - 0.25; ratio 0.25/0.5; EO diff = max(|.5-1|, |.5-0|) = 0.5.
    check(close(d["demographic_parity_difference"], 0.25), d)
    check(close(d["demographic_parity_ratio"], 0.5), d)
    check(close(d["equalized_odds_difference"], 0.5), d)
    check(close(d["equal_opportunity_difference"], 0.5), d)
    # AIF360 with privileged b: DI = SR_a / SR_b = 2; SPD = 0.25;
    # AOD = ((FPR_a - FPR_b) + (TPR_a - TPR_b)) / 2 = (0.5 - 0.5) / 2 = 0.
    check(close(d["disparate_impact"], 2.0), d)
    check(close(d["statistical_parity_difference"], 0.25), d)
    check(close(d["average_odds_difference"], 0.0), d)
    check(close(d["aif360_equal_opportunity_difference"], -0.5), d)
    check("intervals" not in r, "no intervals without --bootstrap")
    for k in ("roc_auc", "log_loss", "brier", "ece"):
        check(k not in o, f"{k} only with scores")


@test
def aif360_names_appear_only_with_reference():
    p = write("small.csv", SMALL)
    r = audit_json(p, "--label", "y", "--pred", "p", "--group", "g")
    check("disparate_impact" not in r["disparities"], "disparate_impact without --reference")
    check("demographic_parity_difference" in r["disparities"], "fairlearn names missing")


@test
def undefined_values_are_json_null():
    # Group c has only negatives with negative predictions: TPR, FNR, PPV, FDR undefined.
    p = write("undef.csv", SMALL + "0,0,c,x\n0,0,c,y\n")
    r = audit_json(p, "--label", "y", "--pred", "p", "--group", "g")
    c = r["by_group"]["c"]
    for k in ("tpr", "fnr", "ppv", "fdr"):
        check(c[k] is None, f"c.{k} = {c[k]} should be null")
    check(c["selection_rate"] == 0.0 and c["tnr"] == 1.0, c)


@test
def intersectional_groups_join_names_with_bar():
    p = write("small.csv", SMALL)
    r = audit_json(p, "--label", "y", "--pred", "p", "--group", "g,h")
    check(sorted(r["by_group"]) == ["a|x", "a|y", "b|x", "b|y"], list(r["by_group"]))
    # a|x rows: (1,1) (0,1): SR 1, base 1/2.
    check(close(r["by_group"]["a|x"]["selection_rate"], 1.0), r["by_group"]["a|x"])
    check(r["group_columns"] == ["g", "h"], r["group_columns"])


@test
def missing_values_are_counted_and_excluded():
    p = write("missing.csv", SMALL + "?,1,a,x\n1,,b,x\n1,1,?,x\n")
    r = audit_json(p, "--label", "y", "--pred", "p", "--group", "g")
    check(r["rows"]["read"] == 11 and r["rows"]["used"] == 8 and r["rows"]["excluded"] == 3, r["rows"])
    check(r["rows"]["excluded_by_column"] == {"y": 1, "p": 1, "g": 1}, r["rows"])
    # The remaining rows are SMALL exactly.
    check(close(r["disparities"]["demographic_parity_difference"], 0.25), r["disparities"])


@test
def crlf_bom_and_quoting_give_the_same_results():
    base = audit_json(write("small.csv", SMALL), "--label", "y", "--pred", "p", "--group", "g")
    text = "\ufeff" + SMALL.replace("\n", "\r\n").replace(",a,", ',"a",')
    p = write("crlf.csv", text)
    r = audit_json(p, "--label", "y", "--pred", "p", "--group", "g")
    check(r["by_group"] == base["by_group"] and r["disparities"] == base["disparities"], "results differ")


@test
def positive_value_binarises_text_labels():
    p = write("text.csv", SMALL.replace("y,p", "y,p").replace("\n1,", "\nyes,").replace("\n0,", "\nno,")
              .replace(",1,", ",yes,").replace(",0,", ",no,"))
    r = audit_json(p, "--label", "y", "--pred", "p", "--group", "g", "--positive", "yes")
    check(close(r["disparities"]["demographic_parity_difference"], 0.25), r["disparities"])
    check(r["positive"] == "yes", r["positive"])


@test
def table_output_lists_metrics_and_disparities():
    p = write("small.csv", SMALL)
    rc, out, err = run("audit", p, "--label", "y", "--pred", "p", "--group", "g")
    check(rc == 0, err)
    for s in ("selection_rate", "demographic_parity_difference", "overall", "rows: 8 read, 8 used"):
        check(s in out, f"{s!r} not in table output")
    check("\x1b[" not in out, "colour codes in piped output")


def score_data():
    # Deterministic pseudo-random scores (an LCG, so no numpy is needed).
    rows, x = [], 12345
    for i in range(400):
        x = (1103515245 * x + 12345) % (2 ** 31)
        g = "ab"[i % 2]
        y = 1 if (x >> 8) % 3 == 0 else 0
        x = (1103515245 * x + 12345) % (2 ** 31)
        s = ((x >> 4) % 1000) / 1000.0
        s = min(1.0, s * 0.6 + 0.35 * y + (0.05 if g == "a" else 0.0))
        rows.append((y, round(s, 3), g))
    return rows


def py_auc(rows):
    pos = [s for y, s, _ in rows if y == 1]
    neg = [s for y, s, _ in rows if y == 0]
    u = sum((1.0 if p > n else 0.5 if p == n else 0.0) for p in pos for n in neg)
    return u / (len(pos) * len(neg))


def py_ece(rows, bins=10):
    edges = [i / bins for i in range(bins + 1)]
    acc = {}
    for y, s, _ in rows:
        b = sum(1 for e in edges[1:-1] if e < s)  # numpy.searchsorted(edges[1:-1], s, 'left')
        n, sp, sy = acc.get(b, (0, 0.0, 0.0))
        acc[b] = (n + 1, sp + s, sy + y)
    total = len(rows)
    return sum(n / total * abs(sy / n - sp / n) for n, sp, sy in acc.values())


@test
def score_metrics_match_independent_python():
    rows = score_data()
    p = write("scores.csv", "y,s,g\n" + "".join(f"{y},{s},{g}\n" for y, s, g in rows))
    r = audit_json(p, "--label", "y", "--score", "s", "--threshold", "0.5", "--group", "g")
    eps = 2.220446049250313e-16
    for name, sub in [("overall", rows)] + [(g, [t for t in rows if t[2] == g]) for g in "ab"]:
        m = r["overall"] if name == "overall" else r["by_group"][name]
        brier = sum((y - s) ** 2 for y, s, _ in sub) / len(sub)
        ll = sum(-(math.log(min(max(s, eps), 1 - eps)) if y else math.log(1 - min(max(s, eps), 1 - eps)))
                 for y, s, _ in sub) / len(sub)
        sr = sum(1 for _, s, _ in sub if s >= 0.5) / len(sub)
        check(abs(m["roc_auc"] - py_auc(sub)) < 1e-12, f"{name} auc {m['roc_auc']} vs {py_auc(sub)}")
        check(abs(m["brier"] - brier) < 1e-12, f"{name} brier")
        check(abs(m["log_loss"] - ll) < 1e-9, f"{name} log_loss {m['log_loss']} vs {ll}")
        check(abs(m["ece"] - py_ece(sub)) < 1e-12, f"{name} ece {m['ece']} vs {py_ece(sub)}")
        check(abs(m["selection_rate"] - sr) < 1e-15, f"{name} selection_rate")
    check(len(r["curves"]["thresholds"]) == 21, "threshold grid")
    a = [t for t in rows if t[2] == "a"]
    k = 10  # threshold 0.5
    sr_a = sum(1 for _, s, _ in a if s >= r["curves"]["thresholds"][k]) / len(a)
    check(abs(r["curves"]["rates_by_threshold"]["a"]["selection_rate"][k] - sr_a) < 1e-15, "sweep")


@test
def bootstrap_intervals_are_deterministic_and_seeded():
    rows = score_data()
    p = write("scores.csv", "y,s,g\n" + "".join(f"{y},{s},{g}\n" for y, s, g in rows))
    args = [p, "--label", "y", "--score", "s", "--group", "g", "--bootstrap", "200"]
    r1 = audit_json(*args, "--seed", "5")
    r2 = audit_json(*args, "--seed", "5")
    r3 = audit_json(*args, "--seed", "6")
    check(r1["intervals"] == r2["intervals"], "same seed, different intervals")
    check(r1["intervals"] != r3["intervals"], "different seeds, same intervals")
    iv = r1["intervals"]
    check(iv["replicates"] == 200 and iv["seed"] == 5 and iv["confidence"] == 0.95, iv.keys())
    for name, d in iv["disparities"].items():
        if d["lower"] is not None:
            check(d["lower"] <= d["upper"], f"{name}: {d}")
    for g in "ab":
        t = iv["by_group"][g]["selection_rate"]
        check(t["lower"] <= r1["by_group"][g]["selection_rate"] <= t["upper"], f"{g}: {t}")


@test
def score_metrics_get_row_bootstrap_intervals():
    rows = score_data()
    p = write("scores.csv", "y,s,g\n" + "".join(f"{y},{s},{g}\n" for y, s, g in rows))
    args = ["--label", "y", "--score", "s", "--group", "g", "--bootstrap", "200", "--seed", "5"]
    r = audit_json(p, *args)
    iv = r["intervals"]
    check(iv["score_method"].startswith("poisson bootstrap (rows"), iv["score_method"])
    for key in ("roc_auc", "log_loss", "brier", "ece"):
        for where, est, t in [("overall", r["overall"][key], iv["overall"][key])] + \
                [(g, r["by_group"][g][key], iv["by_group"][g][key]) for g in "ab"]:
            check(t["lower"] is not None and t["lower"] <= t["upper"], f"{key} {where}: {t}")
            # 200 rows per group, 200 replicates: a percentile interval of these smooth
            # statistics holds the point estimate.
            check(t["lower"] <= est <= t["upper"], f"{key} {where}: {est} not in {t}")
    # Row multipliers k_i times a weight of 1 are the unweighted replicates: weighting every
    # row by 1 must give bit-identical score-metric intervals.
    pw = write("scores_w1.csv", "y,s,g,w\n" + "".join(f"{y},{s},{g},1\n" for y, s, g in rows))
    rw = audit_json(pw, *args, "--weight", "w")
    for key in ("roc_auc", "log_loss", "brier", "ece"):
        check(rw["intervals"]["overall"][key] == iv["overall"][key], f"{key}: weight 1 differs")
        for g in "ab":
            check(rw["intervals"]["by_group"][g][key] == iv["by_group"][g][key], f"{key} {g}")
    # Arbitrary scores (not probabilities): roc_auc only.
    p2 = write("logits.csv", "y,s,g\n" + "".join(f"{y},{4 * s - 2},{g}\n" for y, s, g in rows))
    r2 = audit_json(p2, *args)
    check("roc_auc" in r2["intervals"]["overall"] and "brier" not in r2["intervals"]["overall"], "logits")


@test
def weights_give_hand_computed_weighted_rates_and_bootstrap():
    # Group a rows (y,p,w): (1,1,1) (1,0,1) (0,1,1) (0,0,3): SR = (1+1)/6 = 1/3,
    # TPR = 1/2, FPR = 1/(1+3) = 1/4, accuracy = (1+3)/6 = 2/3.
    # Group b rows: (1,1,2) (0,0,1) (0,0,1) (0,0,1): SR = 2/5, TPR 1, FPR 0.
    w = ["1", "1", "1", "3", "2", "1", "1", "1"]
    lines = SMALL.splitlines()
    text = lines[0] + ",w\n" + "".join(l + "," + wi + "\n" for l, wi in zip(lines[1:], w))
    p = write("weighted.csv", text)
    args = [p, "--label", "y", "--pred", "p", "--group", "g", "--weight", "w"]
    r = audit_json(*args)
    a, b = r["by_group"]["a"], r["by_group"]["b"]
    check(close(a["selection_rate"], 1 / 3) and close(a["tpr"], 0.5) and close(a["fpr"], 0.25)
          and close(a["accuracy"], 2 / 3), a)
    check(close(b["selection_rate"], 0.4) and close(b["tpr"], 1.0) and close(b["fpr"], 0.0), b)
    check(a["count"] == 4 and close(a["total_weight"], 6.0), a)
    check(r["weighted"] is True and close(r["disparities"]["demographic_parity_difference"], 0.4 - 1 / 3), r)
    r1 = audit_json(*args, "--bootstrap", "100", "--seed", "9")
    r2 = audit_json(*args, "--bootstrap", "100", "--seed", "9")
    check(r1["intervals"] == r2["intervals"] and "rows, weighted" in r1["intervals"]["method"], "weighted bootstrap")
    t = r1["intervals"]["by_group"]["a"]["selection_rate"]
    check(t["lower"] <= t["upper"], t)


@test
def min_support_flags_small_groups():
    p = write("undef.csv", SMALL + "0,0,c,x\n0,0,c,y\n")
    r = audit_json(p, "--label", "y", "--pred", "p", "--group", "g", "--min-support", "3")
    check(r["low_support_groups"] == ["c"], r["low_support_groups"])


def bad(args, needle, msg_re=None):
    rc, out, err = run(*args)
    check(rc == 3, f"{args}: exit {rc}, stderr {err!r}")
    line = err.strip()
    check(line.startswith("fairgate: error: ") and "\n" not in line, f"not one line: {err!r}")
    check(needle in line, f"{needle!r} not in {line!r}")
    if msg_re:
        check(re.search(msg_re, line), f"{msg_re!r} does not match {line!r}")


@test
def bad_input_missing_file():
    bad(["audit", os.path.join(TMP, "nope.csv"), "--label", "y", "--pred", "p", "--group", "g"], "nope.csv")


@test
def bad_input_unknown_column():
    p = write("small.csv", SMALL)
    bad(["audit", p, "--label", "y", "--pred", "p", "--group", "nosuch"], "nosuch")


@test
def bad_input_empty_file_and_header_only():
    bad(["audit", write("empty.csv", ""), "--label", "y", "--pred", "p", "--group", "g"], "empty.csv")
    bad(["audit", write("header.csv", "y,p,g\n"), "--label", "y", "--pred", "p", "--group", "g"], "no data rows")


@test
def bad_input_label_with_three_values():
    p = write("three.csv", SMALL + "2,1,a,x\n")
    bad(["audit", p, "--label", "y", "--pred", "p", "--group", "g"], "--positive", r"3 distinct values")
    rc, _, err = run("audit", p, "--label", "y", "--pred", "p", "--group", "g", "--positive", "1", "--json")
    check(rc == 0, f"--positive should accept it: {err}")


@test
def bad_input_all_rows_in_one_group():
    p = write("one.csv", "y,p,g\n1,1,a\n0,0,a\n")
    bad(["audit", p, "--label", "y", "--pred", "p", "--group", "g"], "one group")


@test
def bad_input_non_numeric_score_names_line_and_column():
    p = write("nonnum.csv", "y,s,g\n1,0.5,a\n0,abc,b\n")
    bad(["audit", p, "--label", "y", "--score", "s", "--group", "g"], "abc", r"nonnum\.csv:3:2: ")


@test
def bad_input_prediction_outside_label_classes():
    p = write("badpred.csv", "y,p,g\n1,1,a\n0,7,b\n")
    bad(["audit", p, "--label", "y", "--pred", "p", "--group", "g"], "'7'", r"badpred\.csv:3:2: ")


@test
def bad_input_unknown_reference_group():
    p = write("small.csv", SMALL)
    bad(["audit", p, "--label", "y", "--pred", "p", "--group", "g", "--reference", "zz"], "zz")


def adult_csv(name, src, skip_first=False):
    header = ("age,workclass,fnlwgt,education,education-num,marital-status,occupation,relationship,race,sex,"
              "capital-gain,capital-loss,hours-per-week,native-country,income\n")
    with open(os.path.join(ADULT, src)) as f:
        lines = f.read().splitlines()
    if skip_first:
        lines = lines[1:]
    body = "".join(l.rstrip(".") + "\n" for l in lines if l.strip())
    return write(name, header + body)


@test
def train_predict_audit_verify_report_on_adult():
    tr = adult_csv("adult_train.csv", "adult.data")
    te = adult_csv("adult_test.csv", "adult.test", skip_first=True)
    model = os.path.join(TMP, "model.json")
    rc, out, err = run("train", tr, "--label", "income", "--positive", ">50K", "--sensitive", "sex",
                       "--penalty", "dp", "--lambda", "0.5", "--epochs", "3", "--seed", "11", "--out", model, "--json")
    check(rc == 0, f"train: {err}")
    t = json.loads(out)
    check(t["rows_used"] == 30162 and t["rows_excluded"] == 2399, t)  # the usual Adult figures
    with open(model) as f:
        m = json.load(f)
    check(m["format"] == "fairgate.model" and m["version"] == 1, "model header")
    check(m["architecture"]["inputs"] == len(m["layers"][0]["weight"]) == t["features"], "model shape")
    preds = os.path.join(TMP, "preds.csv")
    rc, out, err = run("predict", model, te, "--out", preds, "--json")
    check(rc == 0, f"predict: {err}")
    s = json.loads(out)
    check(s["rows"] == 16281 and s["scored"] == 15060, s)
    run_dir = os.path.join(TMP, "run")
    r = audit_json(preds, "--label", "income", "--positive", ">50K", "--score", "score", "--group", "sex,race",
                   "--reference", "Male|White", "--bootstrap", "100", "--seed", "1", "--out", run_dir)
    check(r["rows"]["used"] == 15060 and r["rows"]["excluded"] == 1221, r["rows"])
    check(0.8 < r["overall"]["accuracy"] < 0.9 and 0.85 < r["overall"]["roc_auc"] < 0.95, r["overall"])
    for f in ("manifest.json", "results.json", "report.html"):
        check(os.path.exists(os.path.join(run_dir, f)), f"{f} missing")
    with open(os.path.join(run_dir, "manifest.json")) as f:
        man = json.load(f)
    c = man["computation"]
    check(c["config"]["command"] == "audit" and c["config"]["bootstrap"] == 100, c["config"])
    # 100 cell-level bootstrap streams (count metrics) + 100 row-weight streams (score metrics).
    check(c["randomness"]["root_seed"] == 1 and len(c["randomness"]["streams"]) == 200, "streams")
    check(c["inputs"][0]["role"] == "predictions", c["inputs"])
    # verify: unchanged rerun passes (audit and train manifests).
    rc, out, err = run("verify", os.path.join(run_dir, "manifest.json"))
    check(rc == 0 and "identical" in out, f"verify audit: {rc} {out} {err}")
    rc, out, err = run("verify", os.path.join(TMP, "model.manifest.json"))
    check(rc == 0, f"verify train: {rc} {out} {err}")
    # report: re-render from the run directory.
    os.remove(os.path.join(run_dir, "report.html"))
    rc, out, err = run("report", run_dir)
    check(rc == 0 and os.path.exists(os.path.join(run_dir, "report.html")), err)
    with open(os.path.join(run_dir, "report.html")) as f:
        html = f.read()
    for sec in ("summary", "metrics-by-group", "calibration", "thresholds", "all-numbers", "lineage"):
        check(f'<section id="{sec}">' in html, f"section {sec} missing")
    check("<script" not in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', ""),
          "report must not script or fetch")
    # Flip one byte of a score digit in the predictions: verify fails and names the input.
    with open(preds, "rb") as f:
        data = bytearray(f.read())
    i = data.index(b"0.", data.index(b"\n") + 1) + 3
    data[i] = ord("1") if data[i] != ord("1") else ord("2")
    with open(preds, "wb") as f:
        f.write(data)
    rc, out, err = run("verify", os.path.join(run_dir, "manifest.json"))
    check(rc == 1, f"verify after a byte flip: rc={rc} {err}")
    check("input 'predictions'" in out and "changed" in out, out)
    # A train input change is named as well.
    with open(tr, "rb") as f:
        data = bytearray(f.read())
    j = data.index(b"\n") + 1  # first data row starts with the age "39"
    data[j] = ord("4")
    with open(tr, "wb") as f:
        f.write(data)
    rc, out, err = run("verify", os.path.join(TMP, "model.manifest.json"))
    check(rc == 1 and "input 'train_data'" in out, f"verify train after flip: {rc} {out} {err}")


@test
def predict_is_deterministic_and_train_writes_the_same_model_twice():
    p = write("tiny.csv", "x,c,y\n" + "".join(f"{i % 7},{'uv'[i % 2]},{1 if i % 7 > 3 else 0}\n" for i in range(60)))
    m1, m2 = os.path.join(TMP, "t1.json"), os.path.join(TMP, "t2.json")
    for m in (m1, m2):
        rc, _, err = run("train", p, "--label", "y", "--epochs", "4", "--hidden", "3", "--seed", "2", "--out", m)
        check(rc == 0, err)
    check(open(m1).read() == open(m2).read(), "same seed, different model files")
    o1, o2 = os.path.join(TMP, "p1.csv"), os.path.join(TMP, "p2.csv")
    for m, o in ((m1, o1), (m2, o2)):
        rc, _, err = run("predict", m, p, "--out", o)
        check(rc == 0, err)
    check(open(o1).read() == open(o2).read(), "predictions differ")
    rows = open(o1).read().splitlines()
    check(rows[0] == "x,c,y,score,pred" and len(rows) == 61, rows[0])
    for line in rows[1:]:
        x, c, y, s, pr = line.split(",")
        check(0.0 <= float(s) <= 1.0 and pr == ("1" if float(s) >= 0.5 else "0"), line)


@test
def verify_rejects_a_tampered_manifest_with_exit_3():
    p = write("small.csv", SMALL)
    d = os.path.join(TMP, "run_small")
    rc, _, err = run("audit", p, "--label", "y", "--pred", "p", "--group", "g", "--out", d)
    check(rc == 0, err)
    mp = os.path.join(d, "manifest.json")
    text = open(mp).read().replace('"accuracy": 0.5', '"accuracy": 0.75', 1)
    check('"accuracy": 0.75' in text, "tamper target not found")
    write("tampered.json", text)
    bad(["verify", os.path.join(TMP, "tampered.json")], "tampered.json")
    bad(["predict", write("notamodel.json", "{}"), p, "--out", os.path.join(TMP, "x.csv")], "notamodel.json")


# ---------------------------------------------------------------- check
# Policy for `check`: group-wise TPR may drop by at most 0.1 from the baseline,
# and the equalized-odds difference must stay <= 0.2 (point estimates).
CHECK_POLICY = """schema_version = 1
name = "check-test"

[[target]]
name = "t"
sensitive_features = ["g"]

[[target.constraint]]
id = "tpr-drop"
metric = "tpr"
max_drop = 0.1

[[target.constraint]]
id = "eo"
metric = "equalized_odds_difference"
bound = "<= 0.2"
"""
# 8 rows per group, 4 positives each. The baseline predicts every label
# exactly: TPR 1 and FPR 0 in both groups, EO difference 0.
CHECK_Y = [1, 1, 1, 1, 0, 0, 0, 0] * 2
CHECK_G = ["a"] * 8 + ["b"] * 8


def check_csv(name, preds):
    return write(name, "y,p,g\n" + "".join(f"{y},{p},{g}\n" for y, p, g in zip(CHECK_Y, preds, CHECK_G)))


def check_args(pol, base, cand, *extra):
    return ["check", "--policy", pol, "--target", "t", "--baseline", base, "--candidate", cand,
            "--label", "y", "--pred", "p", "--group", "g", *extra]


@test
def check_passes_with_exit_0_when_the_candidate_equals_the_baseline():
    pol = write("check.toml", CHECK_POLICY)
    base = check_csv("check_base.csv", CHECK_Y)
    rc, out, err = run(*check_args(pol, base, base))
    check(rc == 0, f"rc={rc} {err}")
    check("gate: PASS" in out and "tpr-drop" in out, out)


@test
def check_fails_with_exit_1_and_json_names_the_failing_constraints():
    pol = write("check.toml", CHECK_POLICY)
    base = check_csv("check_base.csv", CHECK_Y)
    # Candidate: two of group b's four positives predicted 0 -> TPR(b) = 2/4 = 0.5,
    # a drop of 0.5 > 0.1; EO difference = |1 - 0.5| = 0.5 > 0.2. Group a unchanged.
    cand_p = list(CHECK_Y)
    cand_p[8] = cand_p[9] = 0
    cand = check_csv("check_cand.csv", cand_p)
    rc, out, err = run(*check_args(pol, base, cand))
    check(rc == 1 and "gate: FAIL" in out, f"rc={rc} {out} {err}")
    rc, out, err = run(*check_args(pol, base, cand, "--json"))
    check(rc == 1, f"json rc={rc} {err}")
    v = json.loads(out)
    for k in ("pass", "target", "policy", "constraints", "rows", "groups"):
        check(k in v, f"verdict key {k} missing: {list(v)}")
    check(v["pass"] is False and v["target"] == "t" and v["rows"] == 16, v)
    cs = {c["id"]: c for c in v["constraints"]}
    check(cs["tpr-drop"]["result"] == "fail" and close(cs["tpr-drop"]["value"], -0.5), cs["tpr-drop"])
    check(cs["tpr-drop"]["groups"] == ["b"], cs["tpr-drop"]["groups"])
    check(cs["eo"]["result"] == "fail" and close(cs["eo"]["value"], 0.5), cs["eo"])
    items = {i["group"]: i for i in cs["tpr-drop"]["items"]}
    check(close(items["a"]["candidate"], 1.0) and close(items["b"]["candidate"], 0.5), items)


@test
def check_bad_input_exits_3():
    pol = write("check.toml", CHECK_POLICY)
    base = check_csv("check_base.csv", CHECK_Y)
    bad(check_args(pol, base, os.path.join(TMP, "nope.csv")), "nope.csv")           # missing file
    bad(["check", "--policy", pol, "--target", "t", "--baseline", base, "--candidate", base,
         "--label", "y", "--pred", "zz", "--group", "g"], "zz")                   # unknown column
    bad(check_args(pol, base, write("short.csv", "y,p,g\n1,1,a\n0,0,b\n")), "same rows")
    bad(check_args(pol, base, base)[:4] + ["nosuch"] + check_args(pol, base, base)[5:], "nosuch")
    # A policy error names the policy file and its line: line 7 has an unknown metric.
    badpol = write("bad_check.toml", CHECK_POLICY.replace('metric = "tpr"', 'metric = "tprr"'))
    rc, _, err = run(*check_args(badpol, base, base))
    check(rc == 3, f"rc={rc} {err}")
    line_no = CHECK_POLICY.splitlines().index('metric = "tpr"') + 1
    check(f"bad_check.toml:{line_no}" in err and "tprr" in err, err)
    one = write("onegroup.csv", "y,p,g\n" + "1,1,a\n0,0,a\n" * 8)
    bad(check_args(pol, one, one), "one group")


# ---------------------------------------------------------------- compress
def sha256(path):
    import hashlib
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_artifacts(run_dir, man):
    arts = {a["name"]: a for a in man["computation"]["artifacts"]}
    for name in ("results.json", "changelog.jsonl"):
        check(name in arts, f"artifact {name} not recorded")
    check(any(n.startswith("heads/") for n in arts) and any(n.startswith("store/") for n in arts),
          "checkpoint heads and store not recorded")
    for name, a in arts.items():
        p = os.path.join(run_dir, name)
        check(os.path.exists(p), f"artifact {name} missing on disk")
        check(sha256(p) == a["sha256"] and os.path.getsize(p) == a["bytes"], f"artifact {name} hash")
    on_disk = []
    for sub in ("heads", "store"):
        for root, _, files in os.walk(os.path.join(run_dir, sub)):
            on_disk += [os.path.relpath(os.path.join(root, f), run_dir) for f in files if not f.startswith(".")]
    check(sorted(n for n in arts if n.startswith(("heads/", "store/"))) == sorted(on_disk),
          "every checkpoint file is recorded")


ADULT_POLICY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples",
                            "compress_adult", "adult_targets.toml")


@test
def compress_a_saved_model_writes_a_verifiable_run():
    tr = adult_csv("c_train.csv", "adult.data")
    te = adult_csv("c_test.csv", "adult.test", skip_first=True)
    model = os.path.join(TMP, "c_model.json")
    rc, _, err = run("train", tr, "--label", "income", "--positive", ">50K", "--hidden", "8",
                     "--epochs", "2", "--seed", "3", "--out", model)
    check(rc == 0, f"train: {err}")
    out_dir = os.path.join(TMP, "c_run")
    rc, out, err = run("compress", model, "--policy", ADULT_POLICY, "--target", "server", "--data", te,
                       "--sparsity", "0.2,0.5,0.9", "--out", out_dir, "--json")
    check(rc in (0, 1), f"compress rc={rc} {err}")
    r = json.loads(out)
    check(r["command"] == "compress" and r["rows"]["used"] == 15060, r.get("rows"))
    check([t["target"] for t in r["targets"]] == ["server"], "only the requested target")
    t = r["targets"][0]
    check(rc == (0 if t["pass"] else 1), "exit code follows the target's pass")
    for k in ("sparsity", "mean_bits", "verdict", "frontier", "milestones", "constraints", "groups",
              "worst_group_before", "worst_group_after", "tensors"):
        check(k in t, f"target key {k} missing")
    # The milestones are the changelog's lines of this target, in order.
    lines = [json.loads(l) for l in open(os.path.join(out_dir, "changelog.jsonl"))]
    check([l["step"] for l in lines] == [m["step"] for m in t["milestones"]], "milestones != changelog")
    check(lines[0]["attempt"] == "baseline" and t["milestones"][0]["values"], "baseline step")
    # Every kept, gated step passed; every rolled-back one failed.
    for m in t["milestones"]:
        if m["verdict"] is not None:
            check((m["decision"] == "keep") == (m["verdict"] == "pass"), m)
    check(max(m["sparsity"] for m in t["milestones"] if m["decision"] == "keep") == t["sparsity"],
          "best state = the most pruned kept state")
    # Prune steps reach round(s * n) weights: the 8-unit hidden layer and the output layer.
    n = sum(x["in"] * x["out"] for x in json.load(open(model))["layers"])
    for m in t["milestones"]:
        if m["attempt"] == "milestone" and m["decision"] != "skip":
            check(abs(m["sparsity"] * n - round(m["sparsity"] * n)) < 1e-6, m["sparsity"])
    man = json.load(open(os.path.join(out_dir, "manifest.json")))
    check(man["computation"]["config"]["command"] == "compress", "config")
    check_artifacts(out_dir, man)
    rc, out, err = run("verify", os.path.join(out_dir, "manifest.json"))
    check(rc == 0 and "identical" in out, f"verify compress: {rc} {out} {err}")


@test
def compress_bad_input_exits_3():
    te = adult_csv("c_test.csv", "adult.test", skip_first=True)
    model = os.path.join(TMP, "c_model.json")
    base = ["compress", model, "--policy", ADULT_POLICY, "--data", te, "--out", os.path.join(TMP, "c_bad")]
    bad(["compress", os.path.join(TMP, "missing.json")] + base[2:], "missing.json")
    bad(base[:4] + ["--data", os.path.join(TMP, "missing.csv")] + base[6:], "missing.csv")
    bad(base + ["--target", "phone"], "phone")
    # A policy whose target groups by a column the data does not have.
    pol = write("unknown_col.toml", open(ADULT_POLICY).read().replace('["sex", "race"]', '["sex", "region"]', 1))
    bad(base[:2] + ["--policy", pol] + base[4:] + ["--target", "server"], "region")
    text = open(ADULT_POLICY).read()
    lines = text.splitlines()
    k = lines.index('max_drop = 0.02')
    lines[k] = "max_dorp = 0.02"
    badpol = write("bad_adult.toml", "\n".join(lines) + "\n")
    rc, _, err = run(*base[:2], "--policy", badpol, *base[4:])
    check(rc == 3 and f"bad_adult.toml:{k + 1}" in err and "max_dorp" in err, f"rc={rc} {err}")
    bad(["compress", write("empty.json", "")] + base[2:], "empty.json")


# ---------------------------------------------------------------- demo (one run, several checks)
DEMO = {}


def demo_run():
    if not DEMO:
        data = os.path.join(TMP, "adult_copy")
        shutil.copytree(ADULT, data)
        out_dir = os.path.join(TMP, "demo")
        rc, out, err = run("demo", "--out", out_dir, "--data", data)
        DEMO.update(rc=rc, out=out, err=err, dir=out_dir, data=data)
    check(DEMO["rc"] == 0, f"demo exit {DEMO['rc']}: {DEMO['err']}")
    return DEMO


@test
def demo_runs_end_to_end_and_prints_a_summary():
    d = demo_run()
    for f in ("manifest.json", "results.json", "report.html", "changelog.jsonl", "predictions.csv",
              "heads/server.json", "heads/device.json", "store"):
        check(os.path.exists(os.path.join(d["dir"], f)), f"{f} missing")
    out = d["out"]
    for target in ("server", "device"):
        check(re.search(rf"^target {target}\s+(PASS|FAIL)\s+sparsity [0-9.]+, mean bits [0-9.]+; worst-group tpr",
                        out, re.M), f"summary line for {target} missing:\n{out}")
    check("report: " + os.path.join(d["dir"], "report.html") in out, "report path not printed")
    check("mitigation (reweighing" in out, "mitigation effect not printed")
    # stderr is not a TTY: no stage lines or progress bars, only the closing note.
    check("\r" not in d["err"] and "fairgate demo: 1/6" not in d["err"], f"progress on a pipe: {d['err']!r}")


@test
def demo_manifest_hashes_match_the_files():
    d = demo_run()
    man = json.load(open(os.path.join(d["dir"], "manifest.json")))
    c = man["computation"]
    check(c["config"]["command"] == "demo", c["config"])
    check_artifacts(d["dir"], man)
    ins = {i["role"]: i for i in c["inputs"]}
    for f in ("adult.data", "adult.test"):
        check(ins[f]["sha256"] == sha256(os.path.join(d["data"], f)), f"input hash of {f}")
    check("policy" in c and c["randomness"]["root_seed"] == c["config"]["seed"], "policy / seed")
    purposes = " ".join(s["purpose"] for s in c["randomness"]["streams"])
    for p in ("split", "initial weights", "mini-batch", "bootstrap"):
        check(p in purposes, f"stream {p} not recorded")
    check(set(c["results"]["controller"]) == {"server", "device"}, "controller records")


@test
def demo_results_agree_with_an_independent_python_recount():
    d = demo_run()
    r = json.load(open(os.path.join(d["dir"], "results.json")))
    rows = list(csv.DictReader(open(os.path.join(d["dir"], "predictions.csv"))))
    check(len(rows) == r["split"]["test_rows"], "test rows")
    check(r["split"]["train_rows"] + r["split"]["test_rows"] == r["data"]["rows_complete"] == 30162, r["split"])
    # Per-group selection rate and TPR of the reference model at 0.5, recounted here.
    stats = {}
    for row in rows:
        g = row["sex"] + "|" + row["race"]
        y, p = int(row["income"]), float(row["score_reference"]) >= 0.5
        s = stats.setdefault(g, [0, 0, 0, 0])
        s[0] += 1; s[1] += p; s[2] += y; s[3] += y and p
    by = r["audit"]["by_group"]
    for g, (n, sel, pos, tp) in stats.items():
        check(by[g]["count"] == n and close(by[g]["selection_rate"], sel / n), f"{g}: {by[g]}")
        if pos:
            check(close(by[g]["tpr"], tp / pos), f"{g} tpr")
    check("intervals" in r["audit"] and r["audit"]["intervals"]["replicates"] == 200, "bootstrap intervals")
    for t in r["targets"]:
        check(t["pass"] is (t["verdict"]["pass"] if t["verdict"] else False), "pass = best verdict")
        # The uncompressed worst group is the judged group (>= 100 rows) with the lowest TPR of
        # the compressed model (the mitigated one, score_mitigated), recounted here.
        tpr = {}
        for row in rows:
            g = row["sex"] + "|" + row["race"]
            if int(row["income"]):
                k = tpr.setdefault(g, [0, 0])
                k[0] += float(row["score_mitigated"]) >= 0.5
                k[1] += 1
        judged = {g: tp / pos for g, (tp, pos) in tpr.items() if stats[g][0] >= 100}
        worst = min(judged, key=judged.get)
        wb = t["worst_group_before"]
        check(wb["metric"] == "tpr" and wb["group"] == worst and close(wb["value"], judged[worst]), (wb, worst))
    dev = [t for t in r["targets"] if t["target"] == "device"][0]
    check(dev["mean_bits"] == 8.0 or not dev["pass"], "device target is int8")
    check(any(m["decision"] == "rollback" for t in r["targets"] for m in t["milestones"]),
          "some step was rolled back")


@test
def demo_report_has_every_section():
    d = demo_run()
    html = open(os.path.join(d["dir"], "report.html")).read()
    for sec in ("demo-overview", "compression-summary", "compressed-groups", "milestones", "frontier",
                "summary", "metrics-by-group", "calibration", "thresholds", "lineage"):
        check(f'<section id="{sec}">' in html, f"section {sec} missing")
    check("<script" not in html, "no scripts")
    check("rolled back" in html and "bound" in html and "n = " in html, "bounds, rollbacks, group sizes")
    # `fairgate report` re-renders the same page from the manifest alone.
    again = os.path.join(TMP, "demo_again.html")
    rc, _, err = run("report", d["dir"], "--out", again)
    check(rc == 0 and open(again).read() == html, f"re-rendered report differs: {rc} {err}")


@test
def demo_verify_passes_unchanged_and_names_a_changed_input():
    d = demo_run()
    mp = os.path.join(d["dir"], "manifest.json")
    rc, out, err = run("verify", mp)
    check(rc == 0 and "identical" in out, f"verify demo: {rc} {out} {err}")
    p = os.path.join(d["data"], "adult.data")
    with open(p, "rb") as f:
        data = bytearray(f.read())
    data[0] = ord("4") if data[0] != ord("4") else ord("5")  # the first row's age 39 -> 49
    with open(p, "wb") as f:
        f.write(data)
    rc, out, err = run("verify", mp)
    check(rc == 1 and "input 'adult.data'" in out and "changed" in out, f"verify after flip: {rc} {out} {err}")


def run_tty(args, env):
    """Runs with stdout on a pseudo-terminal; returns the bytes written there."""
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.pop("NO_COLOR", None)
        os.environ.update(env)
        os.execv(BIN, [BIN, *args])
    chunks = []
    while True:
        r, _, _ = select.select([fd], [], [], 30)
        if not r:
            break
        try:
            b = os.read(fd, 65536)
        except OSError:
            break
        if not b:
            break
        chunks.append(b)
    os.waitpid(pid, 0)
    return b"".join(chunks)


@test
def colour_only_on_a_tty_and_never_with_no_color():
    p = write("small.csv", SMALL)
    args = ["audit", p, "--label", "y", "--pred", "p", "--group", "g"]
    check(b"\x1b[" in run_tty(args, {}), "no colour on a TTY")
    check(b"\x1b[" not in run_tty(args, {"NO_COLOR": "1"}), "colour despite NO_COLOR")


shutil.rmtree(TMP, ignore_errors=True)
print(f"\n{passed} passed, {len(failures)} failed (fairgate CLI: exit codes, outputs, hand-computed and "
      f"Python-computed metrics, bad input, train/predict/audit/verify/report on Adult)")
sys.exit(1 if failures else 0)
