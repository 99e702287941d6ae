#!/usr/bin/env python3
"""Time Python's own floor for a cache disk hit: open a JSON file and
json.load it, as a Python cache would on a hit.

Usage: floor.py [--runs N] [--min-time SECONDS] FILE...

For each file it prints one line, in the form of a Go benchmark row so that
run.sh can read both alike:

    python size=<name> runs=<N> <median ns> ns/op

where <name> is what follows "rec-" in the file's name (rec-1KiB.json gives
1KiB). Each run times a loop long enough to last --min-time seconds; the
median of the runs is printed, since other work on the machine only ever
makes a run slower.
"""

import argparse
import json
import os
import statistics
import sys
import time


def load(path):
    with open(path, "rb") as f:
        return json.load(f)


def loops_for(path, min_time):
    """Return a loop count that takes at least min_time seconds."""
    n = 1
    while True:
        start = time.perf_counter_ns()
        for _ in range(n):
            load(path)
        elapsed = time.perf_counter_ns() - start
        if elapsed >= min_time * 1e9:
            return n
        # Aim a little past min_time, growing at most 100 times per step.
        n = min(n * 100, max(n + 1, int(n * 1.2 * min_time * 1e9 / max(elapsed, 1))))


def time_file(path, runs, min_time):
    """Return the median ns per load of path over runs runs."""
    n = loops_for(path, min_time)
    per_op = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        for _ in range(n):
            load(path)
        per_op.append((time.perf_counter_ns() - start) / n)
    return statistics.median(per_op)


def size_name(path):
    base = os.path.splitext(os.path.basename(path))[0]
    return base[len("rec-"):] if base.startswith("rec-") else base


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--min-time", type=float, default=0.5)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    if args.runs < 1 or args.min_time <= 0:
        parser.error("--runs must be at least 1 and --min-time positive")
    for path in args.files:
        if not isinstance(load(path), list):
            sys.exit(f"floor.py: {path}: want a JSON array of records")
        ns = time_file(path, args.runs, args.min_time)
        print(f"python size={size_name(path)} runs={args.runs} {ns:.0f} ns/op", flush=True)


if __name__ == "__main__":
    main()
