#!/usr/bin/env python3
"""Differential test of fairgate's policy parser against an independent oracle.

Usage: policy_oracle.py POLICY_DUMP EXAMPLES_DIR

The oracle is Python's own TOML reader (tomllib, Python >= 3.11), hashlib's
SHA-256, and a resolution of defaults written here from docs/policy.md, not
from the C++ code. It checks:
  1. every shipped example: the canonical TOML is valid TOML (tomllib), its
     JSON rendering holds the same data, the digest is SHA-256 of the
     canonical text, and the resolved content equals the oracle's resolution
     of the original file;
  2. the same on randomly generated valid policies (random optional keys,
     aliases, full-precision floats);
  3. random unknown keys injected into random tables of valid policies are
     reported at the injected line with the injected key path.
Exits non-zero on any mismatch; 77 if tomllib is missing.
"""
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import tempfile

try:
    import tomllib
except ImportError:  # Python < 3.11
    print("SKIP: tomllib (Python >= 3.11) is not available")
    sys.exit(77)

TOOL, EXAMPLES = sys.argv[1], sys.argv[2]

# The catalogue as docs/policy.md states it: name -> (kind, family, lo, hi, proportion).
INF = float("inf")
FAIRLEARN = ["demographic_parity_difference", "demographic_parity_ratio", "equalized_odds_difference",
             "equalized_odds_ratio", "equal_opportunity_difference", "equal_opportunity_ratio",
             "roc_auc_difference", "roc_auc_ratio"]
AIF_DIFF = ["statistical_parity_difference", "average_odds_difference", "tpr_difference", "error_rate_difference",
            "fpr_difference", "fnr_difference", "fdr_difference", "for_difference",
            "average_predictive_value_difference"]
AIF_RATIO = ["disparate_impact", "error_rate_ratio", "fpr_ratio", "fnr_ratio", "fdr_ratio", "for_ratio"]
PROPORTIONS = ["accuracy", "error_rate", "selection_rate", "tpr", "fpr", "tnr", "fnr", "ppv", "npv", "fdr", "for"]
OTHER_RATES = ["balanced_accuracy", "f1", "roc_auc"]
CATALOGUE = {}
for m in FAIRLEARN:
    CATALOGUE[m] = ("disparity", "fairlearn", 0.0, 1.0, False)
for m in AIF_DIFF:
    CATALOGUE[m] = ("disparity", "aif360", -1.0, 1.0, False)
CATALOGUE["average_abs_odds_difference"] = ("disparity", "aif360", 0.0, 1.0, False)
for m in AIF_RATIO:
    CATALOGUE[m] = ("disparity", "aif360", 0.0, INF, False)
for m in PROPORTIONS:
    CATALOGUE[m] = ("group_rate", "rate", 0.0, 1.0, True)
for m in OTHER_RATES:
    CATALOGUE[m] = ("group_rate", "rate", 0.0, 1.0, False)
assert len(CATALOGUE) == 38
ALIASES = {
    "true_positive_rate_difference": "tpr_difference", "false_positive_rate_difference": "fpr_difference",
    "false_positive_rate_ratio": "fpr_ratio", "false_negative_rate_difference": "fnr_difference",
    "false_negative_rate_ratio": "fnr_ratio", "false_discovery_rate_difference": "fdr_difference",
    "false_discovery_rate_ratio": "fdr_ratio", "false_omission_rate_difference": "for_difference",
    "false_omission_rate_ratio": "for_ratio", "true_positive_rate": "tpr", "recall": "tpr", "sensitivity": "tpr",
    "false_positive_rate": "fpr", "true_negative_rate": "tnr", "specificity": "tnr", "false_negative_rate": "fnr",
    "precision": "ppv", "positive_predictive_value": "ppv", "negative_predictive_value": "npv",
    "false_discovery_rate": "fdr", "false_omission_rate": "for", "f1_score": "f1", "roc_auc_score": "roc_auc",
    "balanced_accuracy_score": "balanced_accuracy",
}
DEFAULTS = dict(min_support=0, undefined_groups="skip", evidence="point", confidence=0.95, interval="bootstrap",
                alpha=0.05, correction="holm", bootstrap_replicates=1000, seed=0)

BOUND_RE = re.compile(r"^[ \t]*(<=|>=)[ \t]*(?:(baseline)(?:[ \t]*([+-])[ \t]*([0-9.eE+-]+))?|(-?[0-9.eE+-]+))[ \t]*$")


def bound_tuple(text):
    m = BOUND_RE.match(text)
    assert m, f"oracle cannot read bound {text!r}"
    op, base, sign, delta, absolute = m.groups()
    if base:
        v = float(delta) if delta else 0.0
        return (op, "relative", -v if sign == "-" else v)
    return (op, "absolute", float(absolute))


def resolve(doc):
    """The oracle's reading of a valid policy, in the canonical layout."""
    d = dict(DEFAULTS)
    d.update(doc.get("defaults", {}))
    out = {"schema_version": doc["schema_version"], "name": doc["name"], "description": doc.get("description", ""),
           "defaults": {"bootstrap_replicates": d["bootstrap_replicates"], "seed": d["seed"]}, "target": []}
    for t in doc["target"]:
        feats = t["sensitive_features"]
        rt = {"name": t["name"], "description": t.get("description", ""), "sensitive_features": feats,
              "max_sparsity": float(t.get("max_sparsity", 0.0)),
              "allowed_bits": sorted(t.get("allowed_bits", [32]), reverse=True),
              "allowed_nm": sorted(t.get("allowed_nm", []), key=lambda s: tuple(int(x) for x in s.split(":"))),
              "per_channel": t.get("per_channel", False), "constraint": []}
        ref = t.get("reference_group")
        if isinstance(ref, str):
            rt["reference_group"] = {feats[0]: ref}
        elif isinstance(ref, dict):
            rt["reference_group"] = dict(ref)
        any_test = False
        for c in t["constraint"]:
            name = ALIASES.get(c["metric"], c["metric"])
            kind, family = CATALOGUE[name][0], CATALOGUE[name][1]
            rc = {"id": c["id"], "description": c.get("description", ""), "metric": name}
            if name.startswith("equalized_odds"):
                rc["agg"] = c.get("agg", "worst_case")
            if family == "fairlearn":
                rc["method"] = c.get("method", "between_groups")
            rc["scope"] = c.get("scope", "every_group" if kind == "group_rate" else "overall")
            if "bound" in c:
                rc["bound"] = bound_tuple(c["bound"])
            elif "max_drop" in c:
                rc["bound"] = (">=", "relative", -float(c["max_drop"]))
            else:
                rc["bound"] = ("<=", "relative", float(c["max_rise"]))
            rc["evidence"] = c.get("evidence", d["evidence"])
            if rc["evidence"] == "ci":
                rc["confidence"] = float(c.get("confidence", d["confidence"]))
                rc["interval"] = c.get("interval", d["interval"])
            any_test = any_test or rc["evidence"] == "paired_test"
            rc["min_support"] = c.get("min_support", d["min_support"])
            rc["undefined"] = c.get("undefined", d["undefined_groups"])
            rt["constraint"].append(rc)
        if any_test:
            rt["alpha"] = float(t.get("alpha", d["alpha"]))
            rt["correction"] = t.get("correction", d["correction"])
        out["target"].append(rt)
    return out


def normalise_canonical(doc):
    """Canonical TOML as read by tomllib, with bounds as tuples for comparison."""
    for t in doc.get("target", []):
        for c in t.get("constraint", []):
            c["bound"] = bound_tuple(c["bound"])
    return doc


def run(mode, path):
    return subprocess.run([TOOL, mode, path], capture_output=True, text=True)


failures = []


def fail(msg):
    failures.append(msg)
    print("MISMATCH:", msg)


def check_valid(path, original_text):
    can = run("canonical", path)
    if can.returncode != 0:
        fail(f"{path}: tool rejected a valid policy:\n{can.stderr}\n--- policy ---\n{original_text}")
        return
    canonical_text = can.stdout
    try:
        canonical = tomllib.loads(canonical_text)
    except tomllib.TOMLDecodeError as e:
        fail(f"{path}: canonical TOML is not valid TOML for tomllib: {e}\n{canonical_text}")
        return
    js = json.loads(run("json", path).stdout)
    if js != canonical:
        fail(f"{path}: JSON rendering differs from the canonical TOML")
    digest = run("digest", path).stdout.strip()
    expect = "sha256:" + hashlib.sha256(canonical_text.encode("utf-8")).hexdigest()
    if digest != expect:
        fail(f"{path}: digest {digest} != {expect}")
    want = resolve(tomllib.loads(original_text))
    got = normalise_canonical(canonical)
    if got != want:
        fail(f"{path}: resolved content differs\n want {want}\n got  {got}\n--- policy ---\n{original_text}")


def rnd_float(rng, lo, hi):
    # Mix short decimals and full-precision doubles (shortest round-trip text).
    v = rng.uniform(lo, hi)
    return round(v, rng.choice([1, 2, 3])) if rng.random() < 0.5 else v


def rnd_open(rng, lo, hi):
    """rnd_float strictly inside (lo, hi): rounding may land on an end."""
    while True:
        v = rnd_float(rng, lo, hi)
        if lo < v < hi:
            return v


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)  # a JSON string of printable text is a TOML basic string
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(v)


def gen_policy(rng):
    """A random valid policy: (lines, tables) where tables lists (path, header line index)."""
    lines = ["schema_version = 1", f'name = "policy-{rng.randrange(10**6)}"']
    tables = [("", None)]
    if rng.random() < 0.5:
        lines.append(f'description = "random policy {rng.random()}"')
    if rng.random() < 0.7:
        tables.append(("defaults", len(lines)))
        lines.append("[defaults]")
        opts = {"min_support": rng.randrange(0, 500), "undefined_groups": rng.choice(["skip", "fail", "pass"]),
                "evidence": rng.choice(["point", "ci"]), "confidence": rnd_open(rng, 0.5, 0.999),
                "interval": "bootstrap", "alpha": rnd_open(rng, 0.001, 0.2),
                "correction": rng.choice(["none", "holm", "bh"]), "bootstrap_replicates": rng.randrange(1, 5000),
                "seed": rng.randrange(0, 2**63)}
        for k, v in opts.items():
            if rng.random() < 0.5:
                lines.append(f"{k} = {toml_value(v)}")
    metric_names = list(CATALOGUE) + list(ALIASES)
    for ti in range(rng.randrange(1, 4)):
        tables.append((f"target[{ti}]", len(lines)))
        lines.append("[[target]]")
        lines.append(f'name = "t{ti}"')
        feats = rng.sample(["sex", "race", "age_band", "region"], rng.randrange(1, 3))
        lines.append(f"sensitive_features = {toml_value(feats)}")
        has_ref = rng.random() < 0.6
        if has_ref:
            if len(feats) == 1 and rng.random() < 0.5:
                lines.append(f'reference_group = "g{rng.randrange(3)}"')
            else:
                ref = {f: f"v{rng.randrange(3)}" for f in rng.sample(feats, len(feats))}
                lines.append(f"reference_group = {toml_value(ref)}")
        if rng.random() < 0.5:
            lines.append(f"max_sparsity = {toml_value(rnd_float(rng, 0, 1))}")
        if rng.random() < 0.5:
            lines.append(f"allowed_bits = {toml_value(rng.sample([32, 16, 8, 4], rng.randrange(1, 5)))}")
        if rng.random() < 0.4:
            lines.append(f"allowed_nm = {toml_value(rng.sample(['2:4', '1:4', '4:8', '8:16'], rng.randrange(0, 4)))}")
        if rng.random() < 0.4:
            lines.append(f"per_channel = {toml_value(rng.random() < 0.5)}")
        if rng.random() < 0.3:
            lines.append(f"alpha = {toml_value(rnd_open(rng, 0.001, 0.3))}")
        if rng.random() < 0.3:
            lines.append(f'correction = "{rng.choice(["none", "holm", "bh"])}"')
        for ci in range(rng.randrange(1, 5)):
            while True:
                spelled = rng.choice(metric_names)
                name = ALIASES.get(spelled, spelled)
                kind, family, lo, hi, prop = CATALOGUE[name]
                if family != "aif360" or has_ref:
                    break
            tables.append((f"target[{ti}].constraint[{ci}]", len(lines)))
            lines.append("[[target.constraint]]")
            lines.append(f'id = "c{ci}"')
            if rng.random() < 0.3:
                lines.append('description = "a \\"quoted\\" description"')
            lines.append(f'metric = "{spelled}"')
            if name.startswith("equalized_odds") and rng.random() < 0.5:
                lines.append(f'agg = "{rng.choice(["worst_case", "mean"])}"')
            if family == "fairlearn" and rng.random() < 0.5:
                lines.append(f'method = "{rng.choice(["between_groups", "to_overall"])}"')
            if kind == "group_rate" and rng.random() < 0.4:
                lines.append(f'scope = "{rng.choice(["overall", "every_group"])}"')
            form = rng.choice(["abs", "rel"] + (["drop", "rise"] if kind == "group_rate" else []))
            op = rng.choice(["<=", ">="])
            if form == "abs":
                v = rnd_float(rng, lo, hi if hi != INF else 3.0)
                lines.append(f'bound = "{op} {v!r}"')
            elif form == "rel":
                delta = rnd_float(rng, 0, 0.2)
                spell = rng.choice([f"{op} baseline - {delta!r}", f"{op}baseline+{delta!r}", f"{op} baseline"])
                lines.append(f'bound = "{spell}"')
            else:
                lines.append(f"max_{form} = {toml_value(rnd_float(rng, 0, 0.2))}")
            relative = form != "abs"
            ev = rng.choice(["point", "ci", "paired_test", None]) if relative else rng.choice(["point", "ci", None])
            # Respect the defaults' evidence when the constraint inherits it.
            if ev is None:
                ev = "point"
                lines.append('evidence = "point"')
            else:
                lines.append(f'evidence = "{ev}"')
            if ev == "ci":
                if rng.random() < 0.5:
                    lines.append(f"confidence = {toml_value(rnd_open(rng, 0.5, 0.999))}")
                if rng.random() < 0.5:
                    wilson_ok = prop and not relative
                    lines.append(f'interval = "{rng.choice(["bootstrap", "wilson"]) if wilson_ok else "bootstrap"}"')
            if rng.random() < 0.4:
                lines.append(f"min_support = {rng.randrange(0, 1000)}")
            if rng.random() < 0.3:
                lines.append(f'undefined = "{rng.choice(["skip", "fail", "pass"])}"')
    return lines, tables


DIAG_RE = re.compile(r"^(.*):(\d+):(\d+): key '([^']*)': (.*)$")


def main():
    rng = random.Random(20261123)
    examples = sorted(f for f in os.listdir(EXAMPLES) if f.endswith(".toml"))
    for f in examples:
        path = os.path.join(EXAMPLES, f)
        with open(path, encoding="utf-8") as fh:
            check_valid(path, fh.read())
    n_random, n_inject = 250, 150
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "p.toml")
        for _ in range(n_random):
            lines, _ = gen_policy(rng)
            text = "\n".join(lines) + "\n"
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
            check_valid(path, text)
        for i in range(n_inject):
            lines, tables = gen_policy(rng)
            tpath, header = rng.choice(tables)
            key = f"bogus_key_{i}"
            at = 0 if header is None else header + 1  # 0-based index of the inserted line
            lines.insert(at, f"{key} = {rng.randrange(100)}")
            text = "\n".join(lines) + "\n"
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
            res = run("check", path)
            want_key = f"{tpath}.{key}" if tpath else key
            found = [m for m in map(DIAG_RE.match, res.stdout.splitlines()) if m]
            ok = res.returncode == 1 and len(found) == 1 and int(found[0].group(2)) == at + 1 \
                and found[0].group(4) == want_key and "unknown key" in found[0].group(5)
            if not ok:
                fail(f"injected {want_key} at line {at + 1}, tool said:\n{res.stdout}{res.stderr}")
    print(f"policy differential: {len(examples)} examples and {n_random} random policies compared with tomllib "
          f"+ hashlib SHA-256 + the oracle's resolution (exact equality, floats compared as doubles); "
          f"{n_inject} injected unknown keys located (line and key path); {len(failures)} mismatches")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
