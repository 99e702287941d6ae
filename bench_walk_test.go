package cachetta_test

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
)

// The walks of Entries and Prune are judged per entry against a bare
// os.ReadDir of the cache's directory and an os.Lstat of each file in it,
// on one directory of fresh entries, so that Prune has nothing to remove.
// Writing 100,000 files takes seconds: each size's directory is written
// once, outside the timed loops, and shared by the caches and the floor.

// walkSizes are the numbers of entries in the walked directory.
var walkSizes = []int{10_000, 100_000}

// A walkKind is a kind of cache whose walk is timed.
type walkKind struct {
	name string
	// cache returns a cache of the kind over the entries in dir.
	cache func(b *testing.B, dir string) *cachetta.Cachetta[int]
}

// walkKinds are the ways a cache recognises its entries in a directory:
// by PathFor's keyed names beside its file pattern, or by their extension,
// for a cache with a path function and for a directory cache, whose walk
// looks into subdirectories too.
var walkKinds = []walkKind{
	{"keyed", func(b *testing.B, dir string) *cachetta.Cachetta[int] {
		return benchNew[int](b, filepath.Join(dir, "n.json"), walkFresh)
	}},
	{"pathfunc", func(b *testing.B, dir string) *cachetta.Cachetta[int] {
		return benchNew[int](b, filepath.Join(dir, "n.json"), walkFresh, cachetta.WithPathFunc(func(i int) string {
			return filepath.Join(dir, "e"+strconv.Itoa(i)+".json")
		}))
	}},
	{"dir", func(b *testing.B, dir string) *cachetta.Cachetta[int] {
		return benchNew[int](b, dir, walkFresh)
	}},
}

// walkFresh keeps the entries walkDir wrote fresh, so that Prune has
// nothing to remove.
var walkFresh = cachetta.WithDuration(24 * time.Hour)

// writeInts writes i to the file of c.PathFor(i) for each i below n: the
// file a Write leaves, without its lock and rename, which would take most
// of a large setup.
func writeInts(tb testing.TB, c *cachetta.Cachetta[int], n int) {
	tb.Helper()
	for i := range n {
		path, err := c.PathFor(i)
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(strconv.Itoa(i)), 0o600); err != nil {
			tb.Fatal(err)
		}
	}
}

// walkDir returns a new directory holding n fresh entries named as a cache
// at n.json in it names them (n-<16 hex digits>.json), which a cache with a
// path function in that directory, and a directory cache of it, take for
// their entries too.
func walkDir(b *testing.B, n int) string {
	b.Helper()
	dir := b.TempDir()
	writeInts(b, benchNew[int](b, filepath.Join(dir, "n.json")), n)
	return dir
}

// floorWalk is the least a walk of dir costs: list it, and Lstat each
// file. It returns the number of files it found.
func floorWalk(dir string) (int, error) {
	listing, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range listing {
		if _, err := os.Lstat(filepath.Join(dir, e.Name())); err == nil {
			n++
		}
	}
	return n, nil
}

// benchFloorWalk times floorWalk of dir, which holds want files.
func benchFloorWalk(b *testing.B, dir string, want int) {
	var (
		n   int
		err error
	)
	b.ReportAllocs()
	for b.Loop() {
		n, err = floorWalk(dir)
	}
	if err != nil || n != want {
		b.Fatalf("floor walk found %d files, %v; want %d", n, err, want)
	}
}

// walkBench runs bench for each kind of cache on a directory of each of
// walkSizes entries, written once for each size whose benchmarks run.
func walkBench(b *testing.B, bench func(b *testing.B, dir string, n int, kind walkKind)) {
	for _, n := range walkSizes {
		b.Run("entries="+strconv.Itoa(n), func(b *testing.B) {
			dir := walkDir(b, n)
			for _, kind := range walkKinds {
				bench(b, dir, n, kind)
			}
		})
	}
}

// BenchmarkEntries lists every entry of a directory of fresh entries with
// their Info.
func BenchmarkEntries(b *testing.B) {
	walkBench(b, func(b *testing.B, dir string, n int, kind walkKind) {
		b.Run("kind="+kind.name+"/impl=cachetta", func(b *testing.B) {
			c := kind.cache(b, dir)
			ctx := b.Context()
			var (
				count int
				err   error
			)
			b.ReportAllocs()
			for b.Loop() {
				count = 0
				for _, err = range c.Entries(ctx) {
					if err != nil {
						break
					}
					count++
				}
			}
			if err != nil || count != n {
				b.Fatalf("Entries yielded %d entries, %v; want %d", count, err, n)
			}
		})
		b.Run("kind="+kind.name+"/impl=floor", func(b *testing.B) {
			benchFloorWalk(b, dir, n)
		})
	})
}

// BenchmarkPrune prunes a directory of fresh entries: nothing to remove.
func BenchmarkPrune(b *testing.B) {
	walkBench(b, func(b *testing.B, dir string, n int, kind walkKind) {
		b.Run("kind="+kind.name+"/impl=cachetta", func(b *testing.B) {
			c := kind.cache(b, dir)
			ctx := b.Context()
			var (
				removed []string
				err     error
			)
			b.ReportAllocs()
			for b.Loop() {
				removed, err = c.Prune(ctx)
			}
			if err != nil || len(removed) != 0 {
				b.Fatalf("Prune removed %d files, %v; want none", len(removed), err)
			}
		})
		b.Run("kind="+kind.name+"/impl=floor", func(b *testing.B) {
			benchFloorWalk(b, dir, n)
		})
	})
}
