// Command prunescale times Prune and Entries on one directory of many
// entries: a full Entries pass, a Prune that finds nothing to remove, and a
// Prune whose WithPruneBudget budget removes a tenth of the entries. It
// writes the entries once, as Write leaves them but without its lock and
// rename, into a new temporary directory that it removes at the end, and
// spreads their modification times a millisecond apart, well inside the
// duration, so that the budget has an oldest tenth to find and nothing
// expires.
//
// Usage:
//
//	go run ./bench/prunescale -n 100000 -kind pathfunc
//
// With -kind keyed the entries are PathFor's keyed siblings of one file
// pattern, recognised by their names; with -kind pathfunc a path function
// names them, and they are recognised by their extension.
//
// The repository's BenchmarkEntries and BenchmarkPrune time the same walks
// beside their floor, a bare os.ReadDir and os.Lstat of each file.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/cachetta-go/cachetta"
)

func main() {
	n := flag.Int("n", 10000, "entries to write")
	kind := flag.String("kind", "keyed", "how entries are named: keyed or pathfunc")
	flag.Parse()
	if err := run(*n, *kind); err != nil {
		log.Fatal(err)
	}
}

func run(n int, kind string) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "cachetta-prunescale-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	opts := []cachetta.Option{cachetta.WithDuration(24 * time.Hour)}
	switch kind {
	case "keyed":
	case "pathfunc":
		opts = append(opts, cachetta.WithPathFunc(func(i int) string {
			return filepath.Join(dir, "e"+strconv.Itoa(i)+".json")
		}))
	default:
		return fmt.Errorf("unknown kind %q", kind)
	}
	c, err := cachetta.New[int](filepath.Join(dir, "n.json"), opts...)
	if err != nil {
		return err
	}
	start := time.Now()
	for i := range n {
		path, err := c.PathFor(i)
		if err != nil {
			return err
		}
		// The file a Write leaves, without its lock and rename, which
		// would take most of the run.
		if err := os.WriteFile(path, []byte(strconv.Itoa(i)), 0o600); err != nil {
			return err
		}
		when := start.Add(-time.Duration(n-i) * time.Millisecond)
		if err := os.Chtimes(path, when, when); err != nil {
			return err
		}
	}
	fmt.Printf("n=%d kind=%s: wrote in %v\n", n, kind, time.Since(start).Round(time.Millisecond))

	count := 0
	took := timed(func() error {
		for _, err := range c.Entries(ctx) {
			if err != nil {
				return err
			}
			count++
		}
		return nil
	})
	report("Entries", took, count)

	var removed []string
	took = timed(func() (err error) { removed, err = c.Prune(ctx); return err })
	report("Prune, nothing to remove", took, len(removed))

	budgeted, err := c.With(cachetta.WithPruneBudget(0, n-n/10))
	if err != nil {
		return err
	}
	took = timed(func() (err error) { removed, err = budgeted.Prune(ctx); return err })
	report("Prune, budget removes 10%", took, len(removed))
	return nil
}

// timed runs f and returns how long it took, or exits on its error.
func timed(f func() error) time.Duration {
	start := time.Now()
	if err := f(); err != nil {
		log.Fatal(err)
	}
	return time.Since(start)
}

func report(what string, took time.Duration, files int) {
	fmt.Printf("  %-28s %8.1f ms  (%d files)\n", what+":", float64(took.Microseconds())/1000, files)
}
