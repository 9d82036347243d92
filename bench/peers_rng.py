#!/usr/bin/python3
"""Peer timings for bench_rng: numpy's Generator on the same draw counts.

numpy 1.24 (Debian), one thread, 10^6 draws per call, best of 7 repeats of
process CPU time (the machine is shared; CPU time is what bench_rng reports too).
numpy's Philox is Philox4x64-10 and its PCG64 is the default generator; both
fill a whole array per call (the bulk case, compare with fill_* in bench_rng).
Usage: /usr/bin/python3 bench/peers_rng.py
"""
import sys
import time
import timeit

try:
    import numpy as np
except ImportError:
    print("needs numpy")
    sys.exit(77)

N = 1_000_000
print("numpy", np.__version__, "- items/s (best of 7, 10^6 draws per call)")
for bitgen in (np.random.Philox, np.random.PCG64):
    g = np.random.Generator(bitgen(42))
    cases = [
        ("raw 64-bit ints (bytes/s = 8x)", lambda: g.integers(0, 2**64 - 1, size=N, dtype=np.uint64, endpoint=True)),
        ("random() doubles", lambda: g.random(N)),
        ("integers(0, 1000003)", lambda: g.integers(0, 1000003, size=N)),
        ("standard_normal", lambda: g.standard_normal(N)),
        ("poisson(1)", lambda: g.poisson(1.0, N)),
        ("poisson(3.7)", lambda: g.poisson(3.7, N)),
        ("poisson(100)", lambda: g.poisson(100.0, N)),
        ("poisson(1e6)", lambda: g.poisson(1e6, N)),
    ]
    for name, fn in cases:
        t = min(timeit.repeat(fn, number=1, repeat=7, timer=time.process_time))
        print("%-8s %-32s %8.1f M/s" % (bitgen.__name__, name, N / t / 1e6))
