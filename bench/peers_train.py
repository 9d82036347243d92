#!/usr/bin/python3
"""Peer of bench_train: scikit-learn's LogisticRegression on Adult's training
matrix as fairgate encodes it (32,561 x 108, "?" kept as a category), C = 1.

  default lbfgs (max_iter=1000)   the issue's setup; stops at tol=1e-4
  newton-cholesky (tol=1e-10)     sklearn's own Newton solver, to convergence
  lbfgs, warm-started and weighted  LogisticRegression(warm_start=True) refitted
                                    with the weights bench_train uses

CPU time (time.process_time), best of REPEATS, on one core
(OMP/OPENBLAS threads set to 1).

Usage: /usr/bin/python3 bench/peers_train.py <train_logistic_newton_tool>
The tool (tests/train/logistic_newton_tool.cpp) writes the matrix.
"""
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import subprocess
import sys
import tempfile
import time

import numpy as np
from sklearn.linear_model import LogisticRegression

REPEATS = 3

with tempfile.TemporaryDirectory() as tmp:
    out = subprocess.run([sys.argv[1], "adult", tmp], capture_output=True, text=True, check=True)
    y = np.fromfile(os.path.join(tmp, "y.u8"), dtype=np.uint8)
    X = np.fromfile(os.path.join(tmp, "X.f64")).reshape(len(y), -1)
print(f"matrix {X.shape[0]} x {X.shape[1]}; fairgate tool's own fit: {out.stdout.split()[:3]}")
w = 0.5 + (np.arange(len(y)) % 7) / 7.0


def best(fn):
    times = []
    for _ in range(REPEATS):
        t = time.process_time()
        r = fn()
        times.append(time.process_time() - t)
    return min(times), r


t, m = best(lambda: LogisticRegression(max_iter=1000).fit(X, y))
print(f"sklearn lbfgs (default tol), cold: {1000 * t:.0f} ms CPU, {m.n_iter_[0]} iterations")
t, m = best(lambda: LogisticRegression(solver="newton-cholesky", tol=1e-10, max_iter=100).fit(X, y))
print(f"sklearn newton-cholesky (tol 1e-10), cold: {1000 * t:.0f} ms CPU, {m.n_iter_[0]} iterations")
base = LogisticRegression(max_iter=1000).fit(X, y)


def warm():
    m = LogisticRegression(max_iter=1000, warm_start=True)
    m.coef_, m.intercept_, m.classes_ = base.coef_.copy(), base.intercept_.copy(), base.classes_
    return m.fit(X, y, sample_weight=w)


t, m = best(warm)
print(f"sklearn lbfgs warm-started, weighted: {1000 * t:.0f} ms CPU, {m.n_iter_[0]} iterations")
