#!/usr/bin/python3
"""Checks include/fairgate/rng/sampler_tables.hpp (argv[1] = repository root):
1. scripts/gen-rng-tables --check regenerates it bit for bit (mpmath);
2. the Poisson(1) thresholds equal round(2^64 P(X <= k)) computed here with
   exact rational arithmetic (fractions), independently of the generator:
   e^-1 is enclosed between two partial sums of sum (-1)^j / j!, and the
   enclosure is tight enough (width < 2^-100) to decide every rounding;
3. log_factorial[k] is within 2 ulp of Python's math.log(math.factorial(k))
   (a loose, independent check).
"""
import math
import re
import subprocess
import sys
from fractions import Fraction

root = sys.argv[1]
header = root + "/include/fairgate/rng/sampler_tables.hpp"
gen = subprocess.run(["/usr/bin/python3", root + "/scripts/gen-rng-tables", "--check", header],
                     capture_output=True, text=True)
print(gen.stdout.strip())
if gen.returncode == 77:
    print("skipped: the generator needs mpmath")
    sys.exit(77)
if gen.returncode != 0:
    print(gen.stderr)
    sys.exit(1)

text = open(header).read()
thresholds = [int(x, 16) for x in re.findall(r"0x([0-9a-f]{16})ULL", text)]

# e^-1 enclosure: S_n = sum_{j<=n} (-1)^j / j!, alternating, so e^-1 lies between
# S_n and S_{n+1}.
n = 40
s_lo = sum(Fraction((-1) ** j, math.factorial(j)) for j in range(n + 1))
s_hi = s_lo + Fraction((-1) ** (n + 1), math.factorial(n + 1))
lo, hi = min(s_lo, s_hi), max(s_lo, s_hi)
expected = []
partial = Fraction(0)
k = 0
while True:
    partial += Fraction(1, math.factorial(k))
    t_lo, t_hi = lo * partial * 2 ** 64, hi * partial * 2 ** 64
    r_lo, r_hi = round(t_lo), round(t_hi)
    assert r_lo == r_hi, "enclosure too wide to decide the rounding at k = %d" % k
    if r_lo >= 2 ** 64:
        break
    expected.append(r_lo)
    k += 1
bad = 0
if thresholds != expected:
    print("Poisson(1) thresholds differ:")
    for i, (a, b) in enumerate(zip(thresholds, expected)):
        if a != b:
            print("  T[%d] header %016x exact %016x" % (i, a, b))
    bad += 1
else:
    print("Poisson(1): %d thresholds equal round(2^64 CDF) from exact rationals" % len(expected))

body = text.split("log_factorial")[1]
logf = [float.fromhex(x) for x in re.findall(r"(-?0x[0-9a-f.]+p[+-]\d+)", body)]
for k, v in enumerate(logf):
    ref = math.log(math.factorial(k))
    if abs(v - ref) > 2 * math.ulp(max(abs(ref), 1e-300)) and not (k < 2 and v == 0.0):
        print("log_factorial[%d] = %r, math.log(k!) gives %r" % (k, v, ref))
        bad += 1
print("log_factorial: %d values within 2 ulp of math.log(math.factorial(k))" % len(logf))
sys.exit(1 if bad else 0)
