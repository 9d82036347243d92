#!/usr/bin/env python3
"""Peers for bench/bench_prune.cpp: torch.nn.utils.prune on the same sizes.

  /usr/bin/python3 bench/peers_prune.py [--big] [--threads N]

- global_unstructured(L1Unstructured, amount=0.7) over 50 tensors holding
  10^7 parameters in total (always) and 10^8 (with --big; ~30 s and several GB);
- l1_unstructured(amount=0.5) on one 2048x2048 tensor (4M weights);
- 2:4 along the last axis of a 4096x4096 tensor with numpy (argsort per
  group of 4; torch 1.13 has no N:M pruning function).
Same weight distribution as the C++ benchmark (sum of two uniforms - 1).
Prints the best of `--repeat` runs (default 3; 1 for 10^8).
"""
import argparse
import sys
import time

try:
    import numpy as np
    import torch
    import torch.nn.utils.prune as prune
except ImportError as e:
    print(f"SKIP: needs numpy and torch ({e})")
    sys.exit(77)

ap = argparse.ArgumentParser()
ap.add_argument("--big", action="store_true", help="also run 10^8 parameters (once)")
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--repeat", type=int, default=3)
args = ap.parse_args()
torch.set_num_threads(args.threads)
rng = np.random.default_rng(1)


def weights(n):
    return (rng.random(n, dtype=np.float32) + rng.random(n, dtype=np.float32) - 1.0).astype(np.float32)


def best_of(fn, repeat):
    """Best wall time and best CPU time (process_time) over `repeat` runs."""
    wall, cpu = float("inf"), float("inf")
    for _ in range(repeat):
        run = fn()
        t0, c0 = time.perf_counter(), time.process_time()
        run()
        wall = min(wall, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    return wall, cpu


def global_case(total, repeat):
    per = total // 50
    data = weights(total)

    def make():
        mods = []
        for t in range(50):
            m = torch.nn.Module()
            m.weight = torch.nn.Parameter(torch.from_numpy(data[t * per:(t + 1) * per].reshape(per // 1000, 1000).copy()))
            mods.append(m)
        params = [(m, "weight") for m in mods]
        return lambda: prune.global_unstructured(params, pruning_method=prune.L1Unstructured, amount=0.7)

    s, c = best_of(make, repeat)
    print(f"torch global_unstructured  {total:>11d} params / 50 tensors, amount 0.7: wall {s * 1e3:10.1f} ms, "
          f"cpu {c * 1e3:10.1f} ms ({total / s / 1e6:8.1f} M params/s wall)")


print(f"torch {torch.__version__}, numpy {np.__version__}, torch threads = {torch.get_num_threads()}")
global_case(10_000_000, args.repeat)
if args.big:
    global_case(100_000_000, 1)

w4 = weights(2048 * 2048).reshape(2048, 2048)


def make_l1():
    m = torch.nn.Module()
    m.weight = torch.nn.Parameter(torch.from_numpy(w4.copy()))
    return lambda: prune.l1_unstructured(m, "weight", amount=0.5)


s, c = best_of(make_l1, args.repeat)
print(f"torch l1_unstructured      {w4.size:>11d} params, amount 0.5:            wall {s * 1e3:10.1f} ms, "
      f"cpu {c * 1e3:10.1f} ms ({w4.size / s / 1e6:8.1f} M params/s wall)")

w16 = weights(4096 * 4096).reshape(4096, 4096)


def make_nm():
    def run():
        g = np.abs(w16).reshape(-1, 4)
        order = np.argsort(g, axis=1, kind="stable")  # ties: lower index first
        mask = np.ones_like(g, dtype=bool)
        np.put_along_axis(mask, order[:, :2], False, axis=1)
        return mask.reshape(w16.shape)
    return run


s, c = best_of(make_nm, args.repeat)
print(f"numpy 2:4 (argsort/group)  {w16.size:>11d} params:                        wall {s * 1e3:10.1f} ms, "
      f"cpu {c * 1e3:10.1f} ms ({w16.size / s / 1e6:8.1f} M params/s wall)")
