package cachetta_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
)

// The benchmarks here run each case with process locks off and on, in the
// same run, so that
//
//	benchstat -col '/lock@(off on)' out.txt
//
// shows what the locks add. Targets: a cold miss of a 1 ms function costs
// under 5% more with them; a hit costs the same, since it takes no lock.

// lockModes are the two sides of each benchmark.
var lockModes = []struct {
	name string
	on   bool
}{
	{"off", false},
	{"on", true},
}

// BenchmarkLockColdMiss calls a wrapped function of 1 ms on a new key each
// time: the run takes its entry's lock, creating the lock file, and the
// directory's lock for its rename.
func BenchmarkLockColdMiss(b *testing.B) {
	for _, mode := range lockModes {
		b.Run("lock="+mode.name, func(b *testing.B) {
			ctx := b.Context()
			c := cachetta.Must(cachetta.New[int](filepath.Join(b.TempDir(), "n.json"), cachetta.WithProcessLock(mode.on)))
			get := cachetta.Wrap1(c, func(_ context.Context, k int) (int, error) {
				time.Sleep(time.Millisecond) // the function's work
				return k, nil
			})
			b.ReportAllocs()
			k := 0
			for b.Loop() {
				k++
				if v, err := get(ctx, k); v != k || err != nil {
					b.Fatalf("get(%d) = %v, %v", k, v, err)
				}
			}
		})
	}
}

// BenchmarkLockExpiredMiss calls a wrapped function of 1 ms on one key whose
// entry is always expired: the lock file is there from the first call on.
func BenchmarkLockExpiredMiss(b *testing.B) {
	for _, mode := range lockModes {
		b.Run("lock="+mode.name, func(b *testing.B) {
			ctx := b.Context()
			c := cachetta.Must(cachetta.New[int](filepath.Join(b.TempDir(), "n.json"),
				cachetta.WithProcessLock(mode.on), cachetta.WithDuration(time.Nanosecond)))
			get := cachetta.Wrap(c, func(context.Context) (int, error) {
				time.Sleep(time.Millisecond) // the function's work
				return 1, nil
			})
			b.ReportAllocs()
			for b.Loop() {
				if v, err := get(ctx); v != 1 || err != nil {
					b.Fatalf("get = %v, %v", v, err)
				}
			}
		})
	}
}

// errBenchHitCalled fails a hit benchmark whose function ran.
var errBenchHitCalled = errors.New("the function ran on a hit")

// BenchmarkLockDiskHit reads a fresh 1 KiB entry from disk through a
// wrapper: no lock is taken either way.
func BenchmarkLockDiskHit(b *testing.B) {
	for _, mode := range lockModes {
		b.Run("lock="+mode.name, func(b *testing.B) {
			ctx := b.Context()
			c := benchCache(b, cachetta.WithProcessLock(mode.on))
			if err := c.Write(ctx, benchRecords(b, 1<<10)); err != nil {
				b.Fatal(err)
			}
			get := cachetta.Wrap(c, func(context.Context) ([]benchRecord, error) { return nil, errBenchHitCalled })
			b.ReportAllocs()
			for b.Loop() {
				if _, err := get(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLockWrite writes a 1 KiB entry: the rename takes the directory's
// lock.
func BenchmarkLockWrite(b *testing.B) {
	for _, mode := range lockModes {
		b.Run("lock="+mode.name, func(b *testing.B) {
			ctx := b.Context()
			c := benchCache(b, cachetta.WithProcessLock(mode.on))
			recs := benchRecords(b, 1<<10)
			b.ReportAllocs()
			for b.Loop() {
				if err := c.Write(ctx, recs); err != nil {
					b.Fatal(fmt.Errorf("Write: %w", err))
				}
			}
		})
	}
}
