package cachetta

import (
	"context"
	"github.com/cachetta-go/cachetta/internal/lockfile"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
)

// TestUnusableLockFileFallsBack plants a directory where the cache's lock
// file goes, as a hostile user of the directory could: misses, writes,
// invalidations and prunes work as without process locks, nothing fails for
// good, and the family, copies included, warns once (Prune also says what
// is in the way).
func TestUnusableLockFileFallsBack(t *testing.T) {
	ctx := t.Context()
	logger, logs := captureLogs(slog.LevelWarn)
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, lockfile.Name), 0o700); err != nil {
		t.Fatal(err)
	}
	c := Must(New[int](filepath.Join(dir, "n.json"), WithLogger(logger)))
	cp := Must(c.With(WithDuration(DefaultDuration / 2)))
	for _, cache := range []*Cachetta[int]{c, cp} {
		get := Wrap1(cache, func(_ context.Context, k int) (int, error) { return 2 * k, nil })
		for k := range 3 {
			if v, err := get(ctx, k); v != 2*k || err != nil {
				t.Errorf("get(%d) = %v, %v; want %d", k, v, err, 2*k)
			}
			if v, ok, err := cache.Read(ctx, k); v != 2*k || !ok || err != nil {
				t.Errorf("Read(%d) after get = %v, %v, %v; want %d", k, v, ok, err, 2*k)
			}
		}
		if err := cache.Write(ctx, 7); err != nil {
			t.Errorf("Write = %v", err)
		}
		if err := cache.Invalidate(ctx, 1); err != nil {
			t.Errorf("Invalidate = %v", err)
		}
		if _, err := cache.Prune(ctx); err != nil {
			t.Errorf("Prune = %v", err)
		}
	}
	got := logs.String()
	if n := strings.Count(got, "file locks unavailable, coordinating within this process only"); n != 1 {
		t.Errorf("logs at warn level:\n%s\nwant the one warning of unavailable locks", got)
	}
	if n := strings.Count(got, "prune: lock file is not a regular file"); n != 2 {
		t.Errorf("logs at warn level:\n%s\nwant a warning of each Prune about the obstacle", got)
	}
}

// captureLogs returns a logger at level and the buffer it writes to.
func captureLogs(level slog.Level) (*slog.Logger, *strings.Builder) {
	buf := new(strings.Builder)
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: level})), buf
}

// TestCallersOfABusyRefreshComputeThemselves lets a caller that missed join
// a refresh which then finds the entry's run lock held by another family:
// the refresh ends without running, and the caller, instead of an error,
// waits for the lock in a run of its own and finds the holder's file.
func TestCallersOfABusyRefreshComputeThemselves(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		path := filepath.Join(t.TempDir(), "v.json")
		holder, waiter := Must(New[string](path)), Must(New[string](path))
		release := make(chan struct{})
		go Wrap(holder, func(context.Context) (string, error) { <-release; return "holder's", nil })(ctx)
		synctest.Wait() // the holder's run holds the lock
		var calls atomic.Int64
		w := newWrapper(waiter, "Wrap", func(context.Context, []any) (string, error) { calls.Add(1); return "waiter's", nil })
		// A refresh registered as refresh registers one, not yet started.
		ps := waiter.shared.acquire(path)
		defer waiter.shared.release(path, ps)
		guard := writeGuard{ps: ps, gen: ps.invalidations.Load()}
		id := flightID{path: path, gen: guard.gen}
		rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		r, start := w.flights.Join(id, rctx, cancel)
		if !start {
			t.Fatal("a run of the entry is registered already")
		}
		type result struct {
			v   string
			err error
		}
		got := make(chan result)
		go func() {
			v, err := w.compute(ctx, path, nil)
			got <- result{v, err}
		}()
		synctest.Wait() // the caller waits on the refresh
		w.start(id, r, nil, guard, true)
		synctest.Wait() // the refresh has ended; the caller's own run waits for the lock
		if n := calls.Load(); n != 0 {
			t.Errorf("the function ran %d times while the holder held the lock; want 0", n)
		}
		close(release)
		if r := <-got; r.v != "holder's" || r.err != nil {
			t.Errorf("the caller that joined the refresh got %q, %v; want the holder's", r.v, r.err)
		}
		holder.Wait()
		waiter.Wait()
	})
}
