package cachetta_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
)

// since returns the counts that grew from before to after.
func since(before, after cachetta.Stats) cachetta.Stats {
	return cachetta.Stats{
		MemoryHits:      after.MemoryHits - before.MemoryHits,
		DiskHits:        after.DiskHits - before.DiskHits,
		StaleHits:       after.StaleHits - before.StaleHits,
		Misses:          after.Misses - before.Misses,
		Runs:            after.Runs - before.Runs,
		Joins:           after.Joins - before.Joins,
		Refreshes:       after.Refreshes - before.Refreshes,
		RefreshFailures: after.RefreshFailures - before.RefreshFailures,
		Writes:          after.Writes - before.Writes,
		WriteFailures:   after.WriteFailures - before.WriteFailures,
		Invalidations:   after.Invalidations - before.Invalidations,
		CorruptFiles:    after.CorruptFiles - before.CorruptFiles,
		Evictions:       after.Evictions - before.Evictions,
		BytesRead:       after.BytesRead - before.BytesRead,
		BytesWritten:    after.BytesWritten - before.BytesWritten,
	}
}

// TestStatsCountsEachOperationExactly runs one operation of each kind, in
// turn through the cache and its copies, and checks what each adds to the
// counters that they share. The memory holds one entry, so that a read or
// a write of another evicts it. Values are JSON strings: "a" is 3 bytes.
func TestStatsCountsEachOperationExactly(t *testing.T) {
	ctx := t.Context()
	c := newCache[string](t, "s.json", cachetta.WithLRU(1),
		cachetta.WithDuration(time.Hour), cachetta.WithRefresh(cachetta.Refresh{StaleWhileRevalidate: time.Hour}))
	cp, err := c.With(cachetta.WithLogger(testLogger(t))) // the same memory: the size is unchanged
	if err != nil {
		t.Fatal(err)
	}
	joined := make(chan struct{}, 1)
	// A copy whose hook tells when a caller joined a run.
	cj, err := c.With(cachetta.WithEvents(func(e cachetta.Event) {
		if e.Kind == cachetta.EventJoin {
			joined <- struct{}{}
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	// The parent of its file is the file of c: no directory can be made.
	unwritable := c.Join("x.json")
	nomem, err := c.With(cachetta.WithLRU(0))
	if err != nil {
		t.Fatal(err)
	}

	refreshErr := error(nil)
	get := cachetta.Wrap(c, func(context.Context) (string, error) { return "fresh", refreshErr })
	started, release := make(chan struct{}), make(chan struct{})
	getSlow := cachetta.Wrap1(cj, func(_ context.Context, k string) (string, error) {
		started <- struct{}{}
		<-release
		return k, nil
	})

	read := func(c *cachetta.Cachetta[string], want bool, args ...any) func(t *testing.T) {
		return func(t *testing.T) {
			if _, ok, err := c.Read(ctx, args...); ok != want || err != nil {
				t.Fatalf("Read(%v) = %v, %v; want %v, nil", args, ok, err, want)
			}
		}
	}
	call := func(t *testing.T) {
		if _, err := get(ctx); err != nil {
			t.Fatal(err)
		}
		c.Wait()
	}
	steps := []struct {
		name string
		do   func(t *testing.T)
		want cachetta.Stats
	}{
		{"write", func(t *testing.T) {
			if err := c.Write(ctx, "a"); err != nil {
				t.Fatal(err)
			}
		}, cachetta.Stats{Writes: 1, BytesWritten: 3}},
		// A write leaves its value in memory.
		{"memory hit through a copy", read(cp, true), cachetta.Stats{MemoryHits: 1}},
		{"miss", read(c, false, "b"), cachetta.Stats{Misses: 1}},
		{"write of another key that evicts", func(t *testing.T) {
			if err := c.Write(ctx, "bb", "b"); err != nil {
				t.Fatal(err)
			}
		}, cachetta.Stats{Writes: 1, BytesWritten: 4, Evictions: 1}},
		{"memory hit", read(c, true, "b"), cachetta.Stats{MemoryHits: 1}},
		{"disk hit that evicts", read(c, true), cachetta.Stats{DiskHits: 1, BytesRead: 3, Evictions: 1}},
		// Memory holds another key, so that the next read of the entry
		// goes to the disk.
		{"disk hit through a copy that evicts", read(cp, true, "b"), cachetta.Stats{DiskHits: 1, BytesRead: 4, Evictions: 1}},
		{"stale entry read by Read", func(t *testing.T) {
			backdate(t, c.Path(), 90*time.Minute)
			read(c, false)(t)
		}, cachetta.Stats{Misses: 1, BytesRead: 3, Evictions: 1}},
		// Memory holds the stale entry now, but answers fresh ones only.
		{"stale hit of ReadStale", func(t *testing.T) {
			if v, ok, err := c.ReadStale(ctx); v != "a" || !ok || err != nil {
				t.Fatalf("ReadStale = %q, %v, %v; want a", v, ok, err)
			}
		}, cachetta.Stats{StaleHits: 1, BytesRead: 3}},
		// The refresh reads the file again before it runs, in case another
		// process refreshed it while it waited for the run lock.
		{"stale hit and refresh", call, cachetta.Stats{
			StaleHits: 1, BytesRead: 6, Runs: 1, Refreshes: 1, Writes: 1, BytesWritten: 7}},
		// The refresh left its result in memory: a read of another key
		// evicts it.
		{"disk hit of another key that evicts", read(c, true, "b"), cachetta.Stats{DiskHits: 1, BytesRead: 4, Evictions: 1}},
		{"disk hit through a wrapper", call, cachetta.Stats{DiskHits: 1, BytesRead: 7, Evictions: 1}},
		{"memory hit through a wrapper", call, cachetta.Stats{MemoryHits: 1}},
		{"refresh failure", func(t *testing.T) {
			refreshErr = errors.New("boom")
			// A write through a copy without memory clears the entry from
			// memory, which would answer it whatever the file's age.
			if err := nomem.Write(ctx, "fresh"); err != nil {
				t.Fatal(err)
			}
			backdate(t, c.Path(), 90*time.Minute)
			call(t)
		}, cachetta.Stats{Writes: 1, BytesWritten: 7, StaleHits: 1, BytesRead: 14, Runs: 1, RefreshFailures: 1}},
		{"run and join", func(t *testing.T) {
			done := make(chan error)
			go func() {
				_, err := getSlow(ctx, "j")
				done <- err
			}()
			<-started
			go func() {
				_, err := getSlow(ctx, "j")
				done <- err
			}()
			<-joined
			close(release)
			for range 2 {
				if err := <-done; err != nil {
					t.Error(err)
				}
			}
		}, cachetta.Stats{Misses: 2, Runs: 1, Joins: 1, Writes: 1, BytesWritten: 3, Evictions: 1}},
		{"write failure", func(t *testing.T) {
			if err := unwritable.Write(ctx, "x"); err == nil {
				t.Fatalf("Write(%s) = nil; want an error", unwritable.Path())
			}
		}, cachetta.Stats{WriteFailures: 1}},
		{"invalidation", func(t *testing.T) {
			if err := c.Invalidate(ctx); err != nil {
				t.Fatal(err)
			}
		}, cachetta.Stats{Invalidations: 1}},
		{"corrupt file", func(t *testing.T) {
			writeFile(t, c.Path(), "{not json")
			read(c, false)(t)
		}, cachetta.Stats{CorruptFiles: 1, Misses: 1, BytesRead: 9}},
	}
	for _, step := range steps {
		before := c.Stats()
		if !t.Run(step.name, step.do) {
			t.FailNow()
		}
		if got := since(before, c.Stats()); got != step.want {
			t.Fatalf("%s added %+v; want %+v", step.name, got, step.want)
		}
	}
	for name, copy := range map[string]*cachetta.Cachetta[string]{"With": cp, "Join": unwritable, "With(WithEvents)": cj, "With(WithLRU(0))": nomem} {
		if got, want := copy.Stats(), c.Stats(); got != want {
			t.Errorf("%s copy's Stats() = %+v; want the original's %+v", name, got, want)
		}
	}
}

// TestStatsOfAnotherFamilyAreItsOwn checks that two caches made by New on
// one file count apart.
func TestStatsOfAnotherFamilyAreItsOwn(t *testing.T) {
	ctx := t.Context()
	c := newCache[int](t, "n.json")
	other, err := cachetta.New[int](c.Path(), cachetta.WithLogger(testLogger(t)))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Write(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if got, want := other.Stats(), (cachetta.Stats{}); got != want {
		t.Errorf("another family's Stats() = %+v; want %+v", got, want)
	}
}

// TestStatsOfBypassedAndForcedCalls checks that calls past the cache are
// misses that run the function, and that Bypass writes nothing.
func TestStatsOfBypassedAndForcedCalls(t *testing.T) {
	ctx := t.Context()
	c := newCache[int](t, "n.json")
	get := cachetta.Wrap(c, func(context.Context) (int, error) { return 7, nil })
	tests := []struct {
		name string
		ctx  context.Context
		want cachetta.Stats
	}{
		{"Bypass", cachetta.Bypass(ctx), cachetta.Stats{Misses: 1, Runs: 1}},
		{"ForceRefresh", cachetta.ForceRefresh(ctx), cachetta.Stats{Misses: 1, Runs: 1, Writes: 1, BytesWritten: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := c.Stats()
			if v, err := get(tt.ctx); v != 7 || err != nil {
				t.Fatalf("get = %v, %v; want 7, nil", v, err)
			}
			if got := since(before, c.Stats()); got != tt.want {
				t.Errorf("a call with %s added %+v; want %+v", tt.name, got, tt.want)
			}
		})
	}
}

// TestStatsOfStaleIfError checks that a call answered with an old entry
// after its run failed counts its miss, the run and a stale hit.
func TestStatsOfStaleIfError(t *testing.T) {
	ctx := t.Context()
	c := newCache[string](t, "s.json", cachetta.WithDuration(time.Hour), cachetta.WithRefresh(cachetta.Refresh{StaleIfError: time.Hour}))
	writeFile(t, c.Path(), `"old"`)
	backdate(t, c.Path(), 90*time.Minute)
	get := cachetta.Wrap(c, func(context.Context) (string, error) { return "", errors.New("boom") })
	if v, err := get(ctx); v != "old" || err != nil {
		t.Fatalf("get = %q, %v; want old, nil", v, err)
	}
	// Only the fallback reads the file in full: the first two looks see it
	// expired from its stat.
	want := cachetta.Stats{Misses: 1, Runs: 1, StaleHits: 1, BytesRead: 5}
	if got := c.Stats(); got != want {
		t.Errorf("Stats() = %+v; want %+v", got, want)
	}
}

// TestStatsOfEarlyRefreshLooks checks that early refresh's look at the age
// of the entry memory holds is not a memory hit.
func TestStatsOfEarlyRefreshLooks(t *testing.T) {
	ctx := t.Context()
	c := newCache[int](t, "n.json", cachetta.WithLRU(4), cachetta.WithDuration(time.Hour), cachetta.WithRefresh(cachetta.Refresh{Early: 1}))
	get := cachetta.Wrap(c, func(context.Context) (int, error) { return 7, nil })
	for range 3 { // a miss whose write fills memory, two memory hits
		if _, err := get(ctx); err != nil {
			t.Fatal(err)
		}
	}
	c.Wait()
	// A microsecond's computation does not draw a refresh an hour early.
	want := cachetta.Stats{Misses: 1, Runs: 1, Writes: 1, BytesWritten: 1, MemoryHits: 2}
	if got := c.Stats(); got != want {
		t.Errorf("Stats() = %+v; want %+v", got, want)
	}
}
