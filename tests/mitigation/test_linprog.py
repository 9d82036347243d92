"""Differential test: fairgate's dense simplex (mitigation/linear_program.hpp)
against scipy.optimize.linprog (HiGHS) on random small LPs.

Usage: test_linprog.py <lp_tool>. Exits 77 if numpy/scipy are missing.
Compares, per problem: the status (optimal / infeasible / unbounded) and, when
optimal, the objective value (relative 1e-7, absolute 1e-9) and the
feasibility of fairgate's x (constraint residuals <= 1e-7). Optimal x itself
is not compared: LP optima need not be unique.
"""
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    from scipy.optimize import linprog
except ImportError as e:  # pragma: no cover
    print(f"skipped: {e}")
    sys.exit(77)

rng = np.random.default_rng(20261123)
problems = []
for k in range(300):
    n = int(rng.integers(1, 12))
    m_ub = int(rng.integers(0, 10))
    m_eq = int(rng.integers(0, 3))
    kind = k % 4
    c = rng.normal(size=n)
    A_ub = rng.normal(size=(m_ub, n))
    b_ub = rng.normal(size=m_ub) + (1.0 if kind != 3 else -0.5)
    A_eq = rng.normal(size=(m_eq, n))
    b_eq = rng.normal(size=m_eq)
    free = (rng.random(n) < (0.3 if kind == 2 else 0.0)).astype(int)
    if kind == 1:
        # fairlearn's shape: a simplex constraint Σ q = 1 and a slack variable.
        A_eq = np.vstack([A_eq, np.ones((1, n))]) if m_eq < 2 else A_eq
        b_eq = np.append(b_eq, 1.0) if m_eq < 2 else b_eq
        c = np.abs(c)
    # Round the data to 6 decimals so text round-trips exactly.
    c, A_ub, b_ub, A_eq, b_eq = (np.round(v, 6) for v in (c, A_ub, b_ub, A_eq, b_eq))
    problems.append((c, A_ub, b_ub, A_eq, b_eq, free))

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "lps.txt")
    with open(path, "w") as f:
        for c, A_ub, b_ub, A_eq, b_eq, free in problems:
            f.write(f"{len(c)} {len(b_ub)} {len(b_eq)}\n")
            f.write(" ".join(repr(float(v)) for v in c) + "\n")
            for row, b in zip(A_ub, b_ub):
                f.write(" ".join(repr(float(v)) for v in row) + f" {float(b)!r}\n")
            for row, b in zip(A_eq, b_eq):
                f.write(" ".join(repr(float(v)) for v in row) + f" {float(b)!r}\n")
            f.write(" ".join(str(int(v)) for v in free) + "\n")
    out = subprocess.run([sys.argv[1], path], capture_output=True, text=True, check=True).stdout

lines = out.strip().split("\n")
assert len(lines) == len(problems), (len(lines), len(problems))
status_names = {0: "optimal", 2: "infeasible", 3: "unbounded"}
counts = {"optimal": 0, "infeasible": 0, "unbounded": 0}
failures = 0
worst_rel = 0.0
for i, ((c, A_ub, b_ub, A_eq, b_eq, free), line) in enumerate(zip(problems, lines)):
    parts = line.split()
    status, obj, x = parts[0], float(parts[1]), np.array([float(v) for v in parts[2:]])
    bounds = [(None, None) if f else (0, None) for f in free]
    ref = linprog(c, A_ub=A_ub if len(b_ub) else None, b_ub=b_ub if len(b_ub) else None,
                  A_eq=A_eq if len(b_eq) else None, b_eq=b_eq if len(b_eq) else None,
                  bounds=bounds, method="highs")
    ref_status = status_names.get(ref.status, f"other{ref.status}")
    if ref_status != status:
        print(f"problem {i}: status {status} vs scipy {ref_status} ({ref.message})")
        failures += 1
        continue
    counts[status] += 1
    if status != "optimal":
        continue
    rel = abs(obj - ref.fun) / max(1.0, abs(ref.fun))
    worst_rel = max(worst_rel, rel)
    if rel > 1e-7:
        print(f"problem {i}: objective {obj} vs scipy {ref.fun}")
        failures += 1
    resid = 0.0
    if len(b_ub):
        resid = max(resid, float(np.max(A_ub @ x - b_ub)))
    if len(b_eq):
        resid = max(resid, float(np.max(np.abs(A_eq @ x - b_eq))))
    resid = max(resid, float(np.max(np.where(free == 1, 0.0, -x))))
    if resid > 1e-7:
        print(f"problem {i}: fairgate's x violates a constraint by {resid}")
        failures += 1

print(f"compared {len(problems)} random LPs with scipy.optimize.linprog (HiGHS): {counts}; "
      f"worst relative objective difference {worst_rel:.2e} (tolerance 1e-7); failures {failures}")
sys.exit(1 if failures else 0)
