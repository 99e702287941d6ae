#!/usr/bin/env bash
# run.sh runs cachetta's benchmarks next to their floors, summarises them with
# benchstat and checks the performance targets with bench/ratios. It exits
# with status 1 when a target is missed.
#
# Usage: bench/run.sh
#
# Environment: COUNT (rounds, each running every benchmark once, default
# 10), BENCHTIME (default 600ms, which keeps the whole run near 4 minutes on
# 2 cores, and 7 more for BenchmarkEntries and BenchmarkPrune, which write
# directories of 10,000 and 100,000 files in each round), BENCH (the -bench
# regexp, default .), STORE_BENCH (the -bench regexp of the redisstore and
# blobstore binaries, default their cache benchmarks), OUT (the raw output
# file, default bench/bench-<time>.txt, which git ignores).
#
# The Redis benchmarks start their own redis-server on a loopback port, as
# the redisstore tests do; without one on PATH they are skipped, with a
# message, and their targets are not checked.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

BENCHSTAT=golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
COUNT=${COUNT:-10}
BENCHTIME=${BENCHTIME:-600ms}
BENCH=${BENCH:-.}
STORE_BENCH=${STORE_BENCH:-'^Benchmark(Redis|Blob)'}
OUT=${OUT:-bench/bench-$(date +%Y%m%d-%H%M%S).txt}

cpu=$(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)
echo "machine: $(nproc) CPUs, ${cpu:-unknown CPU model}"
echo "go:      $(go version)"
echo "commit:  $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
# Other work on the machine shows up as spread in the benchstat columns.
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown) (1, 5, 15 min)"
echo "run:     $COUNT rounds of -count 1 -benchtime $BENCHTIME -bench '$BENCH'"
echo "output:  $OUT"
echo

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/cachetta.test" .
# The comparison with otter is a module of its own, so that the root module
# never depends on otter; its go.work gives it this cachetta.
go test -C bench/otter -c -o "$tmp/otter.test" .
# The stores are modules of their own too; their cache benchmarks sit beside
# the raw client calls with the same JSON work (GET or Bucket.ReadAll and
# json.Unmarshal, json.Marshal and SET or Bucket.WriteAll).
go test -C blobstore -c -o "$tmp/blobstore.test" .
skip=()
if command -v redis-server >/dev/null; then
	go test -C redisstore -c -o "$tmp/redisstore.test" .
else
	echo "run.sh: redis-server not found on PATH (apt-get install redis-server): skipping the Redis benchmarks"
	echo
	skip=(-skip '^BenchmarkRedis')
fi
go build -o "$tmp/ratios" ./bench/ratios
# go test -count N runs each benchmark N times in a row, so a change in the
# machine's load between a benchmark and its floor skews their ratio. Runs of
# the whole set, one after another, put each benchmark next to its floor in
# every round.
: >"$OUT"
for ((i = 1; i <= COUNT; i++)); do
	if ! "$tmp/cachetta.test" -test.run '^$' -test.bench "$BENCH" -test.benchmem -test.count 1 \
		-test.benchtime "$BENCHTIME" >>"$OUT" 2>&1; then
		cat "$OUT" >&2
		echo "run.sh: benchmarks failed in round $i" >&2
		exit 1
	fi
	if ! "$tmp/otter.test" -test.run '^$' -test.bench "$BENCH" -test.benchmem -test.count 1 \
		-test.benchtime "$BENCHTIME" >>"$OUT" 2>&1; then
		cat "$OUT" >&2
		echo "run.sh: otter benchmarks failed in round $i" >&2
		exit 1
	fi
	stores=(blobstore)
	if [[ -x $tmp/redisstore.test ]]; then
		stores+=(redisstore)
	fi
	for store in "${stores[@]}"; do
		# A test binary runs in its package's directory, as go test runs it.
		if ! (cd "$store" && "$tmp/$store.test" -test.run '^$' -test.bench "$STORE_BENCH" -test.benchmem \
			-test.count 1 -test.benchtime "$BENCHTIME") >>"$OUT" 2>&1; then
			cat "$OUT" >&2
			echo "run.sh: $store benchmarks failed in round $i" >&2
			exit 1
		fi
	done
	# The scaling targets compare runs at GOMAXPROCS 1 and 2.
	if ! "$tmp/cachetta.test" -test.run '^$' -test.bench 'LRUHitParallelKeys' -test.benchmem -test.count 1 \
		-test.benchtime "$BENCHTIME" -test.cpu 1,2 >>"$OUT" 2>&1; then
		cat "$OUT" >&2
		echo "run.sh: scaling benchmarks failed in round $i" >&2
		exit 1
	fi
done

echo "load after the run: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
echo

# The floor is the base column, so each delta is what cachetta adds to it.
go run "$BENCHSTAT" -col '/impl@(floor cachetta)' "$OUT"
echo
"$tmp/ratios" "${skip[@]}" "$OUT"
