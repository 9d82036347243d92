#!/usr/bin/python3
"""Peer timings for bench/bench_quantize.cpp: PyTorch on the same sizes.

Per-channel int8 quantization of a 4096 x 4096 float32 matrix (axis 0):
  - torch.quantize_per_channel with precomputed scales / zero points,
  - PerChannelMinMaxObserver (the observer pass) + calculate_qparams,
  - observer + quantize_per_channel (the same work as fairgate's
    BM_quantize_per_channel_fused),
  - torch.fake_quantize_per_channel_affine,
One thread (torch.set_num_threads(1)), as fairgate's kernels are
single-threaded; best of `--repeat` runs. Usage:
  /usr/bin/python3 bench/peers_quantize.py [--repeat 7]
"""
import argparse
import sys
import time

try:
    import numpy as np
    import torch
    from torch.ao.quantization.observer import PerChannelMinMaxObserver
except ImportError as e:
    print(f"SKIP: {e}")
    sys.exit(77)


def best(fn, repeat):
    """Best wall time and best CPU time (process_time) over `repeat` runs."""
    fn()  # warm up
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return min(wall), min(cpu)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    torch.set_num_threads(1)
    rng = np.random.default_rng(1)
    x = torch.from_numpy(rng.standard_normal((4096, 4096)).astype(np.float32))
    nbytes = x.numel() * 4

    def observe():
        obs = PerChannelMinMaxObserver(ch_axis=0, dtype=torch.qint8, qscheme=torch.per_channel_symmetric)
        obs(x)
        return obs.calculate_qparams()

    scale, zp = observe()

    def quantize():
        return torch.quantize_per_channel(x, scale, zp, 0, torch.qint8)

    def both():
        s, z = observe()
        return torch.quantize_per_channel(x, s, z, 0, torch.qint8)

    def fake():
        return torch.fake_quantize_per_channel_affine(x, scale.float(), zp.int(), 0, -128, 127)

    rows = [
        ("torch.quantize_per_channel", best(quantize, args.repeat)),
        ("PerChannelMinMaxObserver + calculate_qparams", best(observe, args.repeat)),
        ("observer + quantize_per_channel", best(both, args.repeat)),
        ("torch.fake_quantize_per_channel_affine", best(fake, args.repeat)),
    ]
    print(f"torch {torch.__version__}, 1 thread, 4096x4096 f32 (64 MiB), best of {args.repeat}")
    print(f"{'':48s} {'wall':>9s}     {'cpu':>9s}     GB/s(cpu)")
    for name, (w, c) in rows:
        print(f"{name:48s} {w * 1e3:9.2f} ms  {c * 1e3:9.2f} ms  {nbytes / c / 1e9:7.2f}")

    return 0


if __name__ == "__main__":
    sys.exit(main())
