#!/usr/bin/python3
"""mapPartitions + merge with Python's multiprocessing as the stand-in executor.

    /usr/bin/python3 shards.py <path/to/shard_tool> [rows] [partitions]

What a Spark / Ray / Dask job does with fairgate:
  1. map:    each partition accumulates its rows into a group accumulator and
             returns its serialised bytes ("FGMA" format, metrics/serialize.hpp);
             the bytes are small (O(groups)), whatever the partition's size;
  2. reduce: the driver merges the byte blobs (in any order: merging is exact)
             and computes the metrics, intervals and a digest.
Here each map task is a worker of multiprocessing.Pool that runs
`shard_tool accumulate` on its row range. The driver checks every blob's
header and FNV-1a 64 checksum in pure Python (the format is language-neutral),
sums the per-group counts itself as an independent check, merges the blobs in
REVERSED order with `shard_tool merge`, and requires the digest to equal a
single-process run's. Exit 0 on success, 1 on any mismatch.
"""
import multiprocessing
import os
import struct
import subprocess
import sys
import tempfile

SEED, GROUPS, REPLICATES = 2026, 8, 1000


def fnv1a64(data: bytes) -> int:
    h = 14695981039346656037
    for b in data:
        h ^= b
        h = (h * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


def parse_counts(blob: bytes):
    """Per-group (tp, fp, tn, fn) of an unweighted accumulator blob (format version 1)."""
    if blob[:4] != b"FGMA":
        raise ValueError("missing FGMA magic")
    version, flags, groups = struct.unpack_from("<HHI", blob, 4)
    if version != 1 or flags != 0:
        raise ValueError(f"unexpected version {version} / flags {flags}")
    (stored,) = struct.unpack_from("<Q", blob, len(blob) - 8)
    if fnv1a64(blob[:-8]) != stored:
        raise ValueError("checksum mismatch")
    return [struct.unpack_from("<QQQQ", blob, 12 + 32 * g) for g in range(groups)]


def map_partition(task):
    tool, begin, end, path = task
    subprocess.run([tool, "accumulate", str(SEED), str(GROUPS), str(begin), str(end), path], check=True)
    with open(path, "rb") as f:
        return f.read()


def digest_of(text: str) -> str:
    for line in text.splitlines():
        if line.startswith("digest "):
            return line.split()[1]
    raise ValueError("no digest line in:\n" + text)


def main() -> int:
    tool = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000_000
    parts = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    with tempfile.TemporaryDirectory() as tmp:
        bounds = [rows * i // parts for i in range(parts + 1)]
        tasks = [(tool, bounds[i], bounds[i + 1], os.path.join(tmp, f"part{i}.fgma")) for i in range(parts)]
        with multiprocessing.Pool(processes=min(4, parts)) as pool:
            blobs = pool.map(map_partition, tasks)
        summed = [[0, 0, 0, 0] for _ in range(GROUPS)]
        for blob in blobs:
            for g, c in enumerate(parse_counts(blob)):
                summed[g] = [a + b for a, b in zip(summed[g], c)]
        merged = subprocess.run([tool, "merge", str(REPLICATES)] + [t[3] for t in reversed(tasks)],
                                check=True, capture_output=True, text=True).stdout
        whole_path = os.path.join(tmp, "whole.fgma")
        whole = subprocess.run([tool, "whole", str(SEED), str(GROUPS), str(rows), str(REPLICATES), whole_path],
                               check=True, capture_output=True, text=True).stdout
        with open(whole_path, "rb") as f:
            whole_counts = [list(c) for c in parse_counts(f.read())]
    print(merged, end="")
    sizes = sorted({len(b) for b in blobs})
    print(f"{parts} partitions of {rows} rows; blob sizes {sizes} bytes")
    ok = True
    if summed != whole_counts:
        print("FAIL: Python's sum of the partition counts differs from the single-process counts")
        ok = False
    if digest_of(merged) != digest_of(whole):
        print(f"FAIL: merged digest {digest_of(merged)} != single-process digest {digest_of(whole)}")
        ok = False
    if ok:
        print(f"ok: counts summed in Python match, and merged digest {digest_of(merged)} == single-process digest")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
