// Command ratios checks cachetta's performance targets against the output of
// its benchmarks. Each benchmark .../impl=cachetta has a twin
// .../impl=floor; ratios divides the median ns/op of the first by the median
// ns/op of the second and compares the quotient with the target.
//
// Usage:
//
//	go test -run '^$' -bench . -benchmem -count 10 > out.txt
//	go run ./bench/ratios out.txt
//
// It reads standard input when given no file. It exits with status 1 when a
// target is missed or its benchmarks are missing. -skip names, by a regular
// expression, the benchmarks that were not run on purpose (bench/run.sh
// skips Redis's when no redis-server is installed): their targets are shown
// as skipped and not checked.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A target bounds the cost of one benchmark against its floor.
type target struct {
	label    string
	name     string  // the benchmark name without "/impl=..." and the GOMAXPROCS suffix
	maxRatio float64 // 0: shown for information, not checked
	noAllocs bool    // the cachetta side must also allocate nothing
}

var targets = []target{
	{"disk hit 1KiB", "BenchmarkDiskHit/size=1KiB", 1.15, false},
	{"disk hit 1MiB", "BenchmarkDiskHit/size=1MiB", 1.15, false},
	{"Wrap1 disk hit 1KiB", "BenchmarkWrap1DiskHit/size=1KiB", 1.3, false},
	// A hit of a tiered store's trusted local copy against a disk hit of
	// that file.
	{"tiered hit 1KiB", "BenchmarkTieredHit/size=1KiB", 1.1, false},
	{"tiered hit 1MiB", "BenchmarkTieredHit/size=1MiB", 1.1, false},
	// The targets of memory hits, against a bare golang-lru Get of the
	// same value, are the speed issue's. TestLRUHitDoesNotAllocate keeps
	// the zero allocations of hits through wrappers.
	{"LRU hit via Read", "BenchmarkLRUHit/via=Read", 0, false},
	{"LRU hit via Wrap", "BenchmarkLRUHit/via=Wrap", 1.5, true},
	{"LRU hit via Wrap1, struct", "BenchmarkLRUHitArgs/arg=struct", 0, false},
	{"LRU hit via Wrap1, struct holding a slice", "BenchmarkLRUHitArgs/arg=slice", 0, false},
	{"LRU hit via Wrap1, struct holding a map", "BenchmarkLRUHitArgs/arg=map", 0, false},
	{"LRU hit via Wrap1, pointer", "BenchmarkLRUHitArgs/arg=pointer", 0, false},
	{"LRU hit via Wrap1, path function", "BenchmarkLRUHitArgs/arg=pathfunc", 0, false},
	{"WithFileCheck hit 1KiB vs disk hit", "BenchmarkMemoryCheckHit/size=1KiB", 0.1, false},
	// Info of a remembered argument is a stat of its file.
	{"Info of a remembered argument vs os.Stat", "BenchmarkInfo/size=1KiB", 1.2, true},
	{"shared reads of one 64KiB file, parallel", "BenchmarkSharedRead/size=64KiB", 0, false},
	{"write 1KiB", "BenchmarkWrite/size=1KiB", 1.1, false},
	{"write 1MiB", "BenchmarkWrite/size=1MiB", 1.15, false},
	{"Key int", "BenchmarkKey/arg=int", 2, false},
	{"Key string", "BenchmarkKey/arg=string", 2, false},
	{"Key struct", "BenchmarkKey/arg=struct", 2, false},
	{"stale hit vs fresh disk hit", "BenchmarkStaleHit/size=1KiB", 1.2, false},
	{"LRU hit via Wrap, parallel", "BenchmarkLRUHitParallel", 0, false},
	{"LRU hit, 1KiB struct, via Wrap", "BenchmarkLRUHitStruct/via=Wrap", 0, false},
	{"LRU hit, 1KiB struct, via Wrap1(ctx, 42)", "BenchmarkLRUHitStruct/via=Wrap1", 2, true},
	{"LRU hit, 1KiB struct, via Read(ctx, 42)", "BenchmarkLRUHitStruct/via=Read", 2, false},
	// A full memory, hit in turn: the floor holds as many entries.
	{"LRU hit of 50,000 entries in turn, via Wrap1(ctx, i)", "BenchmarkLRUHitFull/entries=50000", 2, true},
	{"LRU hit of 100,000 entries in turn, via Wrap1(ctx, i)", "BenchmarkLRUHitFull/entries=100000", 2, true},
	// Entries and Prune with nothing to remove, against a bare os.ReadDir of
	// the directory and an os.Lstat of each file in it.
	{"Entries, 10,000 entries, keyed", "BenchmarkEntries/entries=10000/kind=keyed", 1.5, false},
	{"Entries, 10,000 entries, pathfunc", "BenchmarkEntries/entries=10000/kind=pathfunc", 1.5, false},
	{"Entries, 10,000 entries, dir", "BenchmarkEntries/entries=10000/kind=dir", 1.5, false},
	{"Entries, 100,000 entries, keyed", "BenchmarkEntries/entries=100000/kind=keyed", 1.5, false},
	{"Entries, 100,000 entries, pathfunc", "BenchmarkEntries/entries=100000/kind=pathfunc", 1.5, false},
	{"Entries, 100,000 entries, dir", "BenchmarkEntries/entries=100000/kind=dir", 1.5, false},
	{"Prune, 10,000 entries, keyed", "BenchmarkPrune/entries=10000/kind=keyed", 1.5, false},
	{"Prune, 10,000 entries, pathfunc", "BenchmarkPrune/entries=10000/kind=pathfunc", 1.5, false},
	{"Prune, 10,000 entries, dir", "BenchmarkPrune/entries=10000/kind=dir", 1.5, false},
	{"Prune, 100,000 entries, keyed", "BenchmarkPrune/entries=100000/kind=keyed", 1.5, false},
	{"Prune, 100,000 entries, pathfunc", "BenchmarkPrune/entries=100000/kind=pathfunc", 1.5, false},
	{"Prune, 100,000 entries, dir", "BenchmarkPrune/entries=100000/kind=dir", 1.5, false},
	// bench/otter: the floor is otter v2's Get with a loader, so the target
	// is to be faster than otter.
	{"Wrap1(ctx, 42) hit vs otter Get, slice", "BenchmarkWrap1HitVsOtter/value=slice", 1, true},
	{"Wrap1(ctx, 42) hit vs otter Get, 1KiB struct", "BenchmarkWrap1HitVsOtter/value=KiB", 1, true},
	// Hits by argument kind (issue 21): otter keys the same data in a form
	// it can key by, made before its loop (see bench/otter's README).
	{"Wrap1 hit vs otter Get, struct key", "BenchmarkWrap1HitVsOtterByKey/key=struct", 1, true},
	{"Wrap1 hit vs otter Get, struct holding a slice", "BenchmarkWrap1HitVsOtterByKey/key=slicestruct", 1, true},
	{"Wrap1 hit vs otter Get, struct holding a map", "BenchmarkWrap1HitVsOtterByKey/key=mapstruct", 1, true},
	{"Wrap1 hit vs otter Get keyed by a string made per call, struct holding a map", "BenchmarkWrap1HitVsOtterByKey/key=mapstructpercall", 0, true},
	{"Wrap1 hit vs otter Get, pointer key", "BenchmarkWrap1HitVsOtterByKey/key=pointer", 1, true},
	{"Wrap1 hit vs otter Get, path function", "BenchmarkWrap1HitVsOtterByKey/key=pathfunc", 1, true},
	// redisstore and blobstore: a cache on the store against the raw client
	// call for the same value with the same JSON work (GET or
	// Bucket.ReadAll, then json.Unmarshal; json.Marshal, then SET or
	// Bucket.WriteAll), so that the ratio measures the library, not JSON; a
	// memory hit in front of Redis against a bare golang-lru Get.
	{"Redis hit via Read, 1KiB", "BenchmarkRedisHit", 1.2, false},
	{"Redis write, 1KiB", "BenchmarkRedisWrite", 1.2, false},
	{"memory hit in front of Redis via Read", "BenchmarkRedisLRUHit", 2, false},
	{"fileblob hit via Read, 1KiB", "BenchmarkBlobHit/backend=file", 1.2, false},
	{"S3 (gofakes3) hit via Read, 1KiB", "BenchmarkBlobHit/backend=s3", 1.2, false},
	{"fileblob write, 1KiB", "BenchmarkBlobWrite/backend=file", 1.2, false},
	{"S3 (gofakes3) write, 1KiB", "BenchmarkBlobWrite/backend=s3", 1.2, false},
}

// A scaling target bounds from below how much a benchmark's throughput grows
// from GOMAXPROCS 1 to procs. Its runs need -cpu 1,procs.
type scaling struct {
	label   string
	name    string // the benchmark name without "/impl=..." and the GOMAXPROCS suffix
	procs   int
	minGain float64 // ns/op at GOMAXPROCS 1 over ns/op at procs, medians
}

var scalings = []scaling{
	{"LRU hits of distinct keys, parallel", "BenchmarkLRUHitParallelKeys", 2, 1.6},
}

// samples are the measurements of one benchmark, one per run.
type samples struct {
	nsPerOp     []float64
	allocsPerOp []float64
}

func main() {
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: ratios [go test -bench output file]")
		flag.PrintDefaults()
	}
	skipText := flag.String("skip", "", "a regular `expression` matching the names of benchmarks not run on purpose")
	flag.Parse()
	var skip *regexp.Regexp
	if *skipText != "" {
		var err error
		if skip, err = regexp.Compile(*skipText); err != nil {
			fmt.Fprintln(os.Stderr, "ratios: -skip:", err)
			os.Exit(2)
		}
	}
	in := io.Reader(os.Stdin)
	if flag.NArg() > 0 {
		f, err := os.Open(flag.Arg(0))
		if err != nil {
			fmt.Fprintln(os.Stderr, "ratios:", err)
			os.Exit(2)
		}
		defer f.Close()
		in = f
	}
	results, err := parse(in)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ratios:", err)
		os.Exit(2)
	}
	if !report(os.Stdout, results, skip) {
		os.Exit(1)
	}
}

// parse reads benchmark result lines, keyed by name without the GOMAXPROCS
// suffix.
func parse(r io.Reader) (map[string]*samples, error) {
	results := make(map[string]*samples)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		if _, err := strconv.ParseInt(fields[1], 10, 64); err != nil {
			continue // not a result line
		}
		name := trimProcs(fields[0])
		procs := "1"
		if name != fields[0] {
			procs = fields[0][len(name)+1:]
		}
		// Each result counts under its name and, for scaling targets,
		// under its name at its GOMAXPROCS.
		for _, key := range []string{name, name + "@" + procs} {
			s := results[key]
			if s == nil {
				s = new(samples)
				results[key] = s
			}
			for i := 2; i+1 < len(fields); i += 2 {
				v, err := strconv.ParseFloat(fields[i], 64)
				if err != nil {
					return nil, fmt.Errorf("%s: bad value %q", fields[0], fields[i])
				}
				switch fields[i+1] {
				case "ns/op":
					s.nsPerOp = append(s.nsPerOp, v)
				case "allocs/op":
					s.allocsPerOp = append(s.allocsPerOp, v)
				}
			}
		}
	}
	return results, sc.Err()
}

// trimProcs drops the "-N" that go test appends for GOMAXPROCS.
func trimProcs(name string) string {
	i := strings.LastIndexByte(name, '-')
	if i < 0 {
		return name
	}
	if _, err := strconv.Atoi(name[i+1:]); err != nil {
		return name
	}
	return name[:i]
}

// noisy is the spread, as a fraction of the median, past which a verdict is
// marked as not to be trusted.
const noisy = 0.10

// spread returns half the range of xs without its extremes, as a fraction of
// the median: a rough ± for the median that one outlier does not sway.
func spread(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	if len(s) >= 4 {
		s = s[1 : len(s)-1]
	}
	m := median(s)
	if len(s) == 0 || m == 0 {
		return 0
	}
	return (s[len(s)-1] - s[0]) / 2 / m
}

func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// report prints the table of targets and reports whether all were met. The
// targets of benchmarks skip matches are not checked; skip may be nil.
func report(w io.Writer, results map[string]*samples, skip *regexp.Regexp) bool {
	header := []string{"benchmark", "this project", "floor", "ratio (median / median)", "target", "result"}
	rows := [][]string{header}
	checked, missed := 0, 0
	for _, t := range targets {
		if skip != nil && skip.MatchString(t.name) {
			rows = append(rows, []string{t.label, "-", "-", "-", goal(t), "skipped"})
			continue
		}
		got, floor := results[t.name+"/impl=cachetta"], results[t.name+"/impl=floor"]
		if got == nil || floor == nil || len(got.nsPerOp) == 0 || len(floor.nsPerOp) == 0 {
			rows = append(rows, []string{t.label, "-", "-", "-", goal(t), "MISSING"})
			if t.maxRatio > 0 {
				checked++
				missed++
			}
			continue
		}
		g, f := median(got.nsPerOp), median(floor.nsPerOp)
		ratio := g / f
		gotText := duration(g)
		allocs := -1.0 // -benchmem missing
		if len(got.allocsPerOp) > 0 {
			allocs = median(got.allocsPerOp)
			gotText += fmt.Sprintf(", %g allocs/op", allocs)
		} else if t.noAllocs {
			gotText += ", allocs/op missing"
		}
		result := "info"
		if t.maxRatio > 0 {
			pass := ratio <= t.maxRatio
			if t.noAllocs {
				pass = pass && allocs == 0
			}
			checked++
			result = "pass"
			if !pass {
				result = "FAIL"
				missed++
			}
		}
		if sp := max(spread(got.nsPerOp), spread(floor.nsPerOp)); sp > noisy {
			result += fmt.Sprintf(" (noisy: ±%.0f%%)", sp*100)
		}
		rows = append(rows, []string{t.label, gotText, duration(f), fmt.Sprintf("%.2f", ratio), goal(t), result})
	}
	printTable(w, rows)
	fmt.Fprintln(w)
	rows = [][]string{{"scaling", "this project, 1 / N procs", "floor, 1 / N procs", "gain (median / median)", "target", "result"}}
	for _, t := range scalings {
		at := func(impl string, procs int) []float64 {
			if s := results[fmt.Sprintf("%s/impl=%s@%d", t.name, impl, procs)]; s != nil {
				return s.nsPerOp
			}
			return nil
		}
		one, n := at("cachetta", 1), at("cachetta", t.procs)
		goalText := fmt.Sprintf(">= %.2f at %d procs", t.minGain, t.procs)
		checked++
		if len(one) == 0 || len(n) == 0 {
			rows = append(rows, []string{t.label, "-", "-", "-", goalText, "MISSING"})
			missed++
			continue
		}
		gain := median(one) / median(n)
		floorText := "-"
		if f1, fn := at("floor", 1), at("floor", t.procs); len(f1) > 0 && len(fn) > 0 {
			floorText = fmt.Sprintf("%s / %s, gain %.2f", duration(median(f1)), duration(median(fn)), median(f1)/median(fn))
		}
		result := "pass"
		if gain < t.minGain {
			result = "FAIL"
			missed++
		}
		if sp := max(spread(one), spread(n)); sp > noisy {
			result += fmt.Sprintf(" (noisy: ±%.0f%%)", sp*100)
		}
		rows = append(rows, []string{t.label, duration(median(one)) + " / " + duration(median(n)), floorText,
			fmt.Sprintf("%.2f", gain), goalText, result})
	}
	printTable(w, rows)
	fmt.Fprintf(w, "\nnoisy: the samples of one side, without the fastest and the slowest, spread more than ±%.0f%% around their median\n", noisy*100)
	if missed > 0 {
		fmt.Fprintf(w, "%d of %d targets missed\n", missed, checked)
		return false
	}
	fmt.Fprintf(w, "all %d targets met\n", checked)
	return true
}

func goal(t target) string {
	switch {
	case t.maxRatio == 0:
		return "-"
	case t.noAllocs:
		return fmt.Sprintf("<= %.2f, 0 allocs/op", t.maxRatio)
	}
	return fmt.Sprintf("<= %.2f", t.maxRatio)
}

// duration formats ns nanoseconds with three significant digits.
func duration(ns float64) string {
	d := time.Duration(ns)
	switch {
	case d < time.Microsecond:
		return strconv.FormatFloat(ns, 'f', 1, 64) + "ns"
	case d < time.Millisecond:
		return strconv.FormatFloat(ns/1e3, 'f', 2, 64) + "µs"
	case d < time.Second:
		return strconv.FormatFloat(ns/1e6, 'f', 2, 64) + "ms"
	}
	return strconv.FormatFloat(ns/1e9, 'f', 2, 64) + "s"
}

// printTable prints rows as a Markdown table with aligned columns; the first
// row is the header.
func printTable(w io.Writer, rows [][]string) {
	widths := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, cell := range row {
			widths[i] = max(widths[i], len([]rune(cell)))
		}
	}
	line := func(row []string) {
		var b strings.Builder
		for i, cell := range row {
			b.WriteString("| ")
			b.WriteString(cell)
			b.WriteString(strings.Repeat(" ", widths[i]-len([]rune(cell))+1))
		}
		b.WriteString("|")
		fmt.Fprintln(w, b.String())
	}
	line(rows[0])
	rule := make([]string, len(widths))
	for i, n := range widths {
		rule[i] = strings.Repeat("-", n)
	}
	line(rule)
	for _, row := range rows[1:] {
		line(row)
	}
}
