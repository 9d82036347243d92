#!/usr/bin/python3
"""Differential test on the bundled UCI Adult data: fairgate::io vs Python csv + scikit-learn.

usage: diff_adult.py IO_DUMP ADULT_DIR

Independent oracle:
  - Python's csv module (skipinitialspace, adult.test's first line skipped,
    blank lines ignored), rows with a '?' dropped: row counts, labels (income
    '>50K', trailing '.' stripped), sex codes;
  - sklearn ColumnTransformer([StandardScaler on the 6 numeric columns,
    OneHotEncoder(handle_unknown='ignore') on the 8 categorical ones]) fitted
    on the complete training rows: feature names, means, scales and both
    encoded matrices, to |a - b| <= 1e-12 * max(1, |b|) (scikit-learn sums
    pairwise, fairgate in row order with compensation; the last bits may differ);
  - hashlib: SHA-256 of adult.data, and each column digest re-implemented from
    the canonical encoding in docs/data.md (exact).
"""
import csv
import hashlib
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

try:
    import numpy as np
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
except ImportError as e:  # pragma: no cover
    print("SKIP: needs numpy and scikit-learn (%s)" % e)
    sys.exit(77)

COLS = ["age", "workclass", "fnlwgt", "education", "education-num", "marital-status", "occupation",
        "relationship", "race", "sex", "capital-gain", "capital-loss", "hours-per-week", "native-country",
        "income"]
NUM = ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"]
CAT = ["workclass", "education", "marital-status", "occupation", "relationship", "race", "sex",
       "native-country"]
# What std::from_chars(general) accepts, plus one leading '+' (fairgate::io::parse_number).
NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


class Table:
    """The complete rows of one Adult file, column by column (strings)."""

    def __init__(self, rows):
        self.rows = rows

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, name):
        i = COLS.index(name)
        return [r[i] for r in self.rows]


def read(path, skip):
    with open(path, newline="") as f:
        lines = f.read().splitlines()[skip:]
    records = [r for r in csv.reader(lines, skipinitialspace=True) if r]
    for r in records:
        assert len(r) == len(COLS), r
    return len(records), Table([r for r in records if "?" not in r])


def column_digest(values):
    """Canonical encoding v1 of a column without missing cells (docs/data.md)."""
    numeric = len(values) > 0 and all(NUMBER.match(v) for v in values)
    buf = bytearray(b"fairgate.column.v1")
    buf += b"N" if numeric else b"C"
    buf += struct.pack("<Q", len(values))
    if numeric:
        for v in values:
            x = float(v)  # Python's float() is correctly rounded, like from_chars
            if x == 0.0:
                x = 0.0
            buf += b"\x01" + struct.pack("<d", x)
        return "numeric", [], hashlib.sha256(bytes(buf)).hexdigest()
    cats = sorted(set(values), key=lambda s: s.encode("utf-8"))
    index = {c: i for i, c in enumerate(cats)}
    buf += struct.pack("<Q", len(cats))
    for c in cats:
        b = c.encode("utf-8")
        buf += struct.pack("<Q", len(b)) + b
    for v in values:
        buf += struct.pack("<I", index[v])
    return "categorical", cats, hashlib.sha256(bytes(buf)).hexdigest()


def close(a, b, what):
    err = np.abs(a - b) / np.maximum(1.0, np.abs(b))
    worst = float(err.max()) if err.size else 0.0
    if not worst <= 1e-12:
        i = np.unravel_index(int(err.argmax()), err.shape)
        print("FAIL %s: relative error %.3g at %s (fairgate %r, sklearn %r)" % (what, worst, i, a[i], b[i]))
        return False
    print("  %s: %s values, max relative error %.3g" % (what, a.size, worst))
    return True


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    tool, adult_dir = sys.argv[1], sys.argv[2]
    n_train_read, train = read(os.path.join(adult_dir, "adult.data"), 0)
    n_test_read, test = read(os.path.join(adult_dir, "adult.test"), 1)

    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([tool, "adult", adult_dir, tmp], capture_output=True)
        if out.returncode != 0:
            print("FAIL: io_dump exit %d: %s" % (out.returncode, out.stderr.decode()))
            return 1
        with open(os.path.join(tmp, "meta.json")) as f:
            meta = json.load(f)
        cols = meta["cols"]
        xtr = np.fromfile(os.path.join(tmp, "train_X.f64"), dtype="<f8").reshape(-1, cols)
        xte = np.fromfile(os.path.join(tmp, "test_X.f64"), dtype="<f8").reshape(-1, cols)

    ok = True
    counts = [("train records", meta["train_rows_read"], n_train_read),
              ("test records", meta["test_rows_read"], n_test_read),
              ("train complete rows", meta["train_rows"], len(train)),
              ("test complete rows", meta["test_rows"], len(test))]
    for what, got, exp in counts:
        print("  %s: fairgate %d, python %d" % (what, got, exp))
        ok &= got == exp
    for name, df, key in [("train", train, "train_labels"), ("test", test, "test_labels")]:
        exp = [int(v.rstrip(".") == ">50K") for v in df["income"]]
        if meta[key] != exp:
            print("FAIL %s labels differ" % name)
            ok = False
    sex_names = sorted(set(train["sex"]))
    if meta["sex_names"] != sex_names or meta["train_sex"] != [sex_names.index(s) for s in train["sex"]]:
        print("FAIL sex codes differ")
        ok = False

    try:
        ohe = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
    except TypeError:  # scikit-learn < 1.2
        ohe = OneHotEncoder(handle_unknown="ignore", sparse=False)
    def frame(t):
        # A 2-D object array: ColumnTransformer selects columns by position.
        a = np.empty((len(t), len(COLS)), dtype=object)
        for j, c in enumerate(COLS):
            a[:, j] = [float(v) for v in t[c]] if c in NUM else t[c]
        return a

    ct = ColumnTransformer([("num", StandardScaler(), [COLS.index(c) for c in NUM]),
                            ("cat", ohe, [COLS.index(c) for c in CAT])])
    ref_tr = ct.fit_transform(frame(train)).astype(np.float64)
    ref_te = ct.transform(frame(test)).astype(np.float64)
    scaler = ct.named_transformers_["num"]
    names = list(NUM) + ["%s=%s" % (c, v) for c, cats in zip(CAT, ct.named_transformers_["cat"].categories_)
                         for v in cats]
    if meta["feature_names"] != names:
        print("FAIL feature names differ")
        ok = False
    enc_num = meta["encoder"]["numeric"]
    ok &= close(np.array([f["mean"] for f in enc_num]), scaler.mean_, "means")
    ok &= close(np.array([f["scale"] for f in enc_num]), scaler.scale_, "scales")
    ok &= xtr.shape == ref_tr.shape and xte.shape == ref_te.shape
    ok &= close(xtr, ref_tr, "train matrix")
    ok &= close(xte, ref_te, "test matrix")

    with open(os.path.join(adult_dir, "adult.data"), "rb") as f:
        file_hash = hashlib.sha256(f.read()).hexdigest()
    if meta["train_sha256"] != file_hash:
        print("FAIL adult.data sha256 %s != hashlib %s" % (meta["train_sha256"], file_hash))
        ok = False
    for d in meta["column_digests"]:
        typ, cats, h = column_digest(train[d["name"]])
        if (d["type"], d["categories"], d["sha256"], d["missing"]) != (typ, cats, h, 0):
            print("FAIL column digest of %s: fairgate %s %s, python %s %s" % (d["name"], d["type"], d["sha256"], typ, h))
            ok = False
    if not ok:
        return 1
    print("diff_adult: counts, labels, sex codes, encoder (%d features) and %d column digests agree with "
          "Python csv/sklearn/hashlib; fairgate load %.0f ms, fit+transform %.0f ms"
          % (cols, len(meta["column_digests"]), meta["load_ms"], meta["encode_ms"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
