#!/usr/bin/env bash
# run.sh puts a cachetta disk hit next to Python's own floor for the same
# files, in three Go configurations: the default codec built by Go 1.26
# (encoding/json) and by Go 1.27.3 (encoding/json's API on the standard v2
# engine, which the go command fetches through GOTOOLCHAIN), and
# jsoncodec.Codec (go-json, the nested module ../../jsoncodec). Each
# configuration's BenchmarkPythonDiskHit writes rec-1KiB and rec-1MiB files
# into a directory of its own and times cachetta's Read of them; run.sh
# checks that all three wrote the same bytes, and floor.py times Python's
# open and json.load of the go126 configuration's files. Each round runs
# every configuration, each followed by Python, so that a change in the
# machine's load falls on both sides; the medians over the rounds (over all
# Python runs for Python) give, per size and configuration, the speedup
# Python floor / Go hit with the issue's target beside it. The targets are reported, not enforced: run.sh exits 0 when
# every side ran. The syscall floor, under the table, is what any hit costs
# at least: open, fstat, read and close of the file, without decoding.
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

# go126 and go127 are the default codec built by the two supported Go
# releases (encoding/json's v1 engine, then the standard encoding/json/v2
# engine); jsoncodec is the nested module's codec, built by the first.
GO127=${GO127:-go1.27.3}
configs=(go126 go127 jsoncodec)
sizes=(1KiB 1MiB)

echo "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
echo "go:      $(go version)"
echo "python:  $("$PYTHON" --version 2>&1)"
echo "run:     $ROUNDS rounds of ${configs[*]}, each then Python; Go -benchtime $BENCHTIME, Python runs of ${MIN_TIME}s"
echo

GOTOOLCHAIN=local go test -c -o "$tmp/go126.test" .
GOTOOLCHAIN=$GO127 go test -c -o "$tmp/go127.test" .
(cd jsoncodec && GOTOOLCHAIN=local go test -c -o "$tmp/jsoncodec.test" .)
echo "go127:   $(GOTOOLCHAIN=$GO127 go version)"
for cfg in "${configs[@]}"; do
	mkdir "$tmp/$cfg"
done

# file prints the file that configuration $1 writes for size $2.
file() {
	case $1 in
	jsoncodec) echo "$tmp/$1/rec-$2.jsoncodec.json" ;;
	*) echo "$tmp/$1/rec-$2.json" ;;
	esac
}

: >"$OUT"
for ((i = 1; i <= ROUNDS; i++)); do
	for cfg in "${configs[@]}"; do
		echo "config $cfg" >>"$OUT"
		CACHETTA_PYTHON_BENCH_DIR="$tmp/$cfg" "$tmp/$cfg.test" -test.run '^$' \
			-test.bench '^BenchmarkPythonDiskHit$' -test.benchmem -test.count 1 \
			-test.benchtime "$BENCHTIME" >>"$OUT"
		if ((i == 1)); then
			for size in "${sizes[@]}"; do
				if ! cmp -s "$(file go126 "$size")" "$(file "$cfg" "$size")"; then
					echo "run.sh: $cfg wrote other bytes than go126 for $size; Python would not read what it read" >&2
					exit 1
				fi
			done
		fi
		"$PYTHON" "$here/floor.py" --runs 1 --min-time "$MIN_TIME" \
			"$(file go126 1KiB)" "$(file go126 1MiB)" >>"$OUT"
	done
done

echo "machine: load at the end $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
echo
"$PYTHON" - "$OUT" "${configs[@]}" <<'PY'
import re
import statistics
import sys

configs = sys.argv[2:]
go = {}   # (size, config, impl) -> [ns/op]
py = {}   # size -> [ns/op]
config = None
for line in open(sys.argv[1]):
    m = re.match(r"config (\w+)$", line)
    if m:
        config = m[1]
        continue
    m = re.match(r"BenchmarkPythonDiskHit/size=(\w+)/impl=(\w+)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op", line)
    if m:
        go.setdefault((m[1], config, m[2]), []).append(float(m[3]))
        continue
    m = re.match(r"python size=(\w+) runs=\d+ ([\d.]+) ns/op", line)
    if m:
        py.setdefault(m[1], []).append(float(m[2]))


def median(key):
    runs = go.get(key)
    if not runs:
        sys.exit(f"run.sh: no figures for {'/'.join(key)}")
    return statistics.median(runs)


# The targets: Go at least this many times faster than Python, for the
# default codec on Go 1.27 and for jsoncodec; Go 1.26 is shown beside them.
sizes = ["1KiB", "1MiB"]
targets = {("1KiB", "go127"): 1.2, ("1MiB", "go127"): 2, ("1KiB", "jsoncodec"): 1.5, ("1MiB", "jsoncodec"): 4}
print(f"{'size':6} {'config':10} {'go hit':>12} {'python floor':>13} {'speedup':>8}  {'target':7} verdict")
for size in sizes:
    if not py.get(size):
        sys.exit(f"run.sh: no Python figures for size {size}")
    base = statistics.median(py[size])
    for config in configs:
        hit = median((size, config, "cachetta"))
        speedup = base / hit
        want = targets.get((size, config))
        if want is None:
            print(f"{size:6} {config:10} {hit:10.0f}ns {base:11.0f}ns {speedup:7.2f}x  {'-':7} -")
            continue
        verdict = "met" if speedup >= want else "missed"
        print(f"{size:6} {config:10} {hit:10.0f}ns {base:11.0f}ns {speedup:7.2f}x  >= {want}x   {verdict}")
print()
print("syscall floor (open, fstat, read, close; no decoding), Go 1.26 build:")
for size in sizes:
    floor = median((size, "go126", "syscalls"))
    base = statistics.median(py[size])
    print(f"{size:6} {floor:10.0f}ns  python floor / syscall floor {base / floor:6.2f}x")
PY
