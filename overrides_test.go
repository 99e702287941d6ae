package cachetta_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cachetta-go/cachetta"
)

// TestOverridesOnConcurrentCallers starts callers of one empty cache one
// after another, each once the previous one waits, while every run of the
// function blocks; then lets the runs end in the order they began. Each run
// returns its number, and writes it unless it bypasses the cache.
// Process locks are off: they would make a ForceRefresh run wait for the
// run before it to end, and the runs would no longer be numbered in the
// order their callers came. Which callers share a run is decided in the
// process, before any file lock.
func TestOverridesOnConcurrentCallers(t *testing.T) {
	plain := func(ctx context.Context) context.Context { return ctx }
	maxAge := func(ctx context.Context) context.Context { return cachetta.MaxAge(ctx, time.Hour) }
	type caller struct {
		name string
		ctx  func(context.Context) context.Context
	}
	var (
		p = caller{"plain", plain}
		f = caller{"ForceRefresh", cachetta.ForceRefresh}
		b = caller{"Bypass", cachetta.Bypass}
		m = caller{"MaxAge", maxAge}
	)
	tests := []struct {
		name     string
		callers  []caller
		wantRuns []int  // the run whose result each caller receives
		wantFile string // "" for none
	}{
		{"ForceRefresh joins no earlier run", []caller{p, f, p, f}, []int{1, 2, 1, 3}, "3"},
		{"ForceRefresh is joined by nobody", []caller{f, p, f}, []int{1, 2, 3}, "3"},
		{"Bypass shares only with Bypass", []caller{p, b, b, p}, []int{1, 2, 2, 1}, "1"},
		{"Bypass alone writes nothing", []caller{b, b}, []int{1, 1}, ""},
		{"MaxAge shares with plain callers", []caller{p, m, p}, []int{1, 1, 1}, "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := t.Context()
				c := newCache[string](t, "s.json", cachetta.WithProcessLock(false))
				var runs atomic.Int64
				release := make([]chan struct{}, len(tt.callers))
				for i := range release {
					release[i] = make(chan struct{})
				}
				get := cachetta.Wrap(c, func(context.Context) (string, error) {
					n := runs.Add(1)
					<-release[n-1]
					return strconv.Itoa(int(n)), nil
				})
				got := make([]string, len(tt.callers))
				var wg sync.WaitGroup
				for i, cl := range tt.callers {
					wg.Go(func() {
						var err error
						if got[i], err = get(cl.ctx(ctx)); err != nil {
							t.Errorf("caller %d (%s): %v", i, cl.name, err)
						}
					})
					synctest.Wait()
				}
				for _, ch := range release {
					close(ch)
					synctest.Wait()
				}
				wg.Wait()
				for i, cl := range tt.callers {
					if want := strconv.Itoa(tt.wantRuns[i]); got[i] != want {
						t.Errorf("caller %d (%s) got the result of run %s; want run %s", i, cl.name, got[i], want)
					}
				}
				data, err := os.ReadFile(c.Path())
				switch {
				case tt.wantFile == "" && !errors.Is(err, fs.ErrNotExist):
					t.Errorf("file = %s, %v; want none", data, err)
				case tt.wantFile != "" && string(data) != `"`+tt.wantFile+`"`:
					t.Errorf("file = %s, %v; want the result of run %s", data, err, tt.wantFile)
				}
			})
		})
	}
}

// TestOverridesOfOneCall calls a cache whose file holds a 30-minute-old
// entry "cached", with a one-hour duration and a one-hour stale window,
// through a wrapper and through Read, memory on and off.
func TestOverridesOfOneCall(t *testing.T) {
	tests := []struct {
		name      string
		age       time.Duration
		ctx       func(context.Context) context.Context
		wantCall  string // result of the wrapped call
		wantRead  bool   // Read hits
		wantFile  string // file after the call and Wait
		wantCalls int
	}{
		{"no override", 30 * time.Minute, nil, "cached", true, "cached", 0},
		{"ForceRefresh", 30 * time.Minute, cachetta.ForceRefresh, "computed", false, "computed", 1},
		{"Bypass", 30 * time.Minute, cachetta.Bypass, "computed", false, "cached", 1},
		{"MaxAge longer than the age", 30 * time.Minute, maxAgeOf(time.Hour), "cached", true, "cached", 0},
		{"MaxAge shorter than the age", 30 * time.Minute, maxAgeOf(10 * time.Minute), "computed", false, "computed", 1},
		{"MaxAge of the age", 30 * time.Minute, maxAgeOf(30 * time.Minute), "computed", false, "computed", 1},
		{"MaxAge zero", 30 * time.Minute, maxAgeOf(0), "computed", false, "computed", 1},
		{"the smaller of two MaxAge", 30 * time.Minute, func(ctx context.Context) context.Context {
			return cachetta.MaxAge(cachetta.MaxAge(ctx, 10*time.Minute), time.Hour)
		}, "computed", false, "computed", 1},
		{"MaxAge past the duration serves stale", 90 * time.Minute, maxAgeOf(100 * time.Minute), "cached", false, "computed", 1},
		{"MaxAge inside the stale window", 90 * time.Minute, maxAgeOf(80 * time.Minute), "computed", false, "computed", 1},
		{"Bypass over ForceRefresh", 30 * time.Minute, func(ctx context.Context) context.Context {
			return cachetta.ForceRefresh(cachetta.Bypass(ctx))
		}, "computed", false, "cached", 1},
	}
	for _, tt := range tests {
		for _, lru := range []int{0, 4} {
			t.Run(tt.name+"/LRU "+strconv.Itoa(lru), func(t *testing.T) {
				c := newCache[string](t, "s.json", cachetta.WithDuration(time.Hour),
					cachetta.WithRefresh(cachetta.Refresh{StaleWhileRevalidate: time.Hour}), cachetta.WithLRU(lru))
				writeFile(t, c.Path(), `"cached"`)
				backdate(t, c.Path(), tt.age)
				ctx := t.Context()
				c.ReadStale(ctx) // fills memory when it is on
				if tt.ctx != nil {
					ctx = tt.ctx(ctx)
				}
				if _, ok, err := c.Read(ctx); ok != tt.wantRead || err != nil {
					t.Errorf("Read = %v, %v; want %v", ok, err, tt.wantRead)
				}
				var calls counter
				v, err := cachetta.Wrap(c, constant(&calls, "computed"))(ctx)
				c.Wait()
				if v != tt.wantCall || err != nil || calls.count() != tt.wantCalls {
					t.Errorf("call = %q, %v after %d calls; want %q after %d", v, err, calls.count(), tt.wantCall, tt.wantCalls)
				}
				if got := readFile(t, c.Path()); got != `"`+tt.wantFile+`"` {
					t.Errorf("file holds %s; want %q", got, tt.wantFile)
				}
			})
		}
	}
}

func maxAgeOf(d time.Duration) func(context.Context) context.Context {
	return func(ctx context.Context) context.Context { return cachetta.MaxAge(ctx, d) }
}

// TestBypassFillsNoMemory bypasses a cache with memory, then changes its
// file behind its back: a later Read sees the change, so nothing the
// bypassing calls did filled memory. Write with Bypass writes nothing.
func TestBypassFillsNoMemory(t *testing.T) {
	ctx := t.Context()
	c := newCache[string](t, "s.json", cachetta.WithLRU(4))
	writeFile(t, c.Path(), `"disk"`)
	bypass := cachetta.Bypass(ctx)
	var calls counter
	if v, err := cachetta.Wrap(c, constant(&calls, "computed"))(bypass); v != "computed" || err != nil {
		t.Errorf("bypassing call = %q, %v; want computed", v, err)
	}
	if v, ok, err := c.Read(bypass); ok || err != nil {
		t.Errorf("bypassing Read = %q, %v, %v; want a miss", v, ok, err)
	}
	if err := c.Write(bypass, "bypassed"); err != nil {
		t.Errorf("bypassing Write: %v", err)
	}
	writeFile(t, c.Path(), `"changed"`)
	if v, ok, err := c.Read(ctx); v != "changed" || !ok || err != nil {
		t.Errorf("Read = %q, %v, %v; want changed", v, ok, err)
	}
}

// TestOverridesApplyToTheirCallOnly calls, with each override, a wrapped
// function that calls another: the inner call sees none of the outer
// call's overrides, but the outer context's other values.
func TestOverridesApplyToTheirCallOnly(t *testing.T) {
	for _, override := range []func(context.Context) context.Context{cachetta.ForceRefresh, cachetta.Bypass, maxAgeOf(0)} {
		inner := newCache[string](t, "inner.json")
		writeFile(t, inner.Path(), `"inner"`)
		var innerCalls counter
		getInner := cachetta.Wrap(inner, constant(&innerCalls, "computed"))
		outer := newCache[string](t, "outer.json")
		getOuter := cachetta.Wrap(outer, func(ctx context.Context) (string, error) {
			if ctx.Value(ctxKey{}) != "value" {
				t.Error("the function's context lacks the caller's value")
			}
			return getInner(ctx)
		})
		ctx := override(context.WithValue(t.Context(), ctxKey{}, "value"))
		if v, err := getOuter(ctx); v != "inner" || err != nil || innerCalls.count() != 0 {
			t.Errorf("outer call = %q, %v after %d inner calls; want inner after 0", v, err, innerCalls.count())
		}
		outer.Wait()
	}
}
