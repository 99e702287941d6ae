#!/usr/bin/env bash
# run.sh puts a cachetta disk hit next to Python's own floor for the same
# files: BenchmarkPythonDiskHit writes rec-1KiB.json and rec-1MiB.json and
# times cachetta's Read of them, then floor.py times Python's open and
# json.load of those very files. Rounds alternate the two, so that a change
# in the machine's load falls on both; the medians over the rounds give the
# ratio Go hit / Python floor per size, with the issue's targets beside it.
# The targets are reported, not enforced: run.sh exits 0 when both sides ran.
#
# Usage: bench/python/run.sh
#
# Environment: ROUNDS (default 5), BENCHTIME (Go's -benchtime, default
# 500ms), MIN_TIME (seconds each Python run lasts at least, default 0.5),
# PYTHON (default python3), OUT (the raw output, default a temporary file).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here/../.."

ROUNDS=${ROUNDS:-5}
BENCHTIME=${BENCHTIME:-500ms}
MIN_TIME=${MIN_TIME:-0.5}
PYTHON=${PYTHON:-python3}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
OUT=${OUT:-$tmp/out.txt}
mkdir "$tmp/files"

echo "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
echo "go:      $(go version)"
echo "python:  $("$PYTHON" --version 2>&1)"
echo "run:     $ROUNDS rounds; Go -benchtime $BENCHTIME, Python runs of ${MIN_TIME}s"
echo

go test -c -o "$tmp/cachetta.test" .
: >"$OUT"
for ((i = 1; i <= ROUNDS; i++)); do
	CACHETTA_PYTHON_BENCH_DIR="$tmp/files" "$tmp/cachetta.test" -test.run '^$' \
		-test.bench '^BenchmarkPythonDiskHit$' -test.benchmem -test.count 1 \
		-test.benchtime "$BENCHTIME" >>"$OUT"
	"$PYTHON" "$here/floor.py" --runs 1 --min-time "$MIN_TIME" \
		"$tmp/files/rec-1KiB.json" "$tmp/files/rec-1MiB.json" >>"$OUT"
done

"$PYTHON" - "$OUT" <<'PY'
import re
import statistics
import sys

go = {}   # (size, impl) -> [ns/op]
py = {}   # size -> [ns/op]
for line in open(sys.argv[1]):
    m = re.match(r"BenchmarkPythonDiskHit/size=(\w+)/impl=(\w+)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op", line)
    if m:
        go.setdefault((m[1], m[2]), []).append(float(m[3]))
        continue
    m = re.match(r"python size=(\w+) runs=\d+ ([\d.]+) ns/op", line)
    if m:
        py.setdefault(m[1], []).append(float(m[2]))

# The issue's targets: Go at least this many times faster than Python.
targets = {"1KiB": 4, "1MiB": 2}
print(f"{'size':6} {'go hit':>12} {'go floor':>12} {'python':>12} {'go/python':>10} {'faster':>7}  target")
for size, want in targets.items():
    hit, floor, base = go.get((size, "cachetta")), go.get((size, "floor")), py.get(size)
    if not (hit and floor and base):
        sys.exit(f"run.sh: no figures for size {size}")
    hit, floor, base = statistics.median(hit), statistics.median(floor), statistics.median(base)
    speedup = base / hit
    verdict = "met" if speedup >= want else "missed"
    print(f"{size:6} {hit:10.0f}ns {floor:10.0f}ns {base:10.0f}ns {hit / base:10.2f} {speedup:6.2f}x  >= {want}x {verdict}")
PY
