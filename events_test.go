package cachetta_test

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cachetta-go/cachetta"
)

// recorder keeps the events a hook receives.
type recorder struct {
	mu     sync.Mutex // guards events
	events []cachetta.Event
}

func (r *recorder) hook(e cachetta.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

// seen is what a test compares of an event: its kind, its file's name and
// whether it carries an error.
type seen struct {
	kind cachetta.EventKind
	file string
	err  bool
}

// take returns the events received since the last take.
func (r *recorder) take() []seen {
	r.mu.Lock()
	defer r.mu.Unlock()
	var got []seen
	for _, e := range r.events {
		got = append(got, seen{e.Kind, filepath.Base(e.Path), e.Err != nil})
	}
	r.events = nil
	return got
}

func TestEventsInOrder(t *testing.T) {
	ctx := t.Context()
	var rec recorder
	c := newCache[string](t, "e.json", cachetta.WithLRU(1), cachetta.WithEvents(rec.hook))
	keyed, err := c.PathFor("k")
	if err != nil {
		t.Fatal(err)
	}
	k := filepath.Base(keyed)
	get := cachetta.Wrap1(c, func(_ context.Context, s string) (string, error) { return s, nil })
	steps := []struct {
		name string
		do   func() error
		want []seen
	}{
		// A write leaves its value in memory, which holds one entry.
		{"write", func() error { return c.Write(ctx, "a") }, []seen{{cachetta.EventWrite, "e.json", false}}},
		{"memory hit", func() error { _, _, err := c.Read(ctx); return err }, []seen{{cachetta.EventMemoryHit, "e.json", false}}},
		{"miss, run, write that evicts", func() error { _, err := get(ctx, "k"); return err }, []seen{
			{cachetta.EventMiss, k, false}, {cachetta.EventRun, k, false},
			{cachetta.EventEviction, "e.json", false}, {cachetta.EventWrite, k, false}}},
		{"memory hit through a wrapper", func() error { _, err := get(ctx, "k"); return err }, []seen{
			{cachetta.EventMemoryHit, k, false}}},
		{"disk hit that evicts", func() error { _, _, err := c.Read(ctx); return err }, []seen{
			{cachetta.EventEviction, k, false}, {cachetta.EventDiskHit, "e.json", false}}},
		{"invalidation", func() error { return c.Invalidate(ctx) }, []seen{{cachetta.EventInvalidation, "e.json", false}}},
		{"corrupt file", func() error {
			writeFile(t, c.Path(), "{")
			_, _, err := c.Read(ctx)
			return err
		}, []seen{{cachetta.EventCorruptFile, "e.json", true}, {cachetta.EventMiss, "e.json", false}}},
		{"write failure", func() error {
			if err := c.Join("x.json").Write(ctx, "x"); err == nil {
				return errors.New("a write below a file succeeded")
			}
			return nil
		}, []seen{{cachetta.EventWriteFailure, "x.json", true}}},
	}
	for _, step := range steps {
		if err := step.do(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if got := rec.take(); !slices.Equal(got, step.want) {
			t.Errorf("%s: events %v; want %v", step.name, got, step.want)
		}
	}
}

// TestEventsOfRefreshes follows a stale hit and its background refresh,
// which succeeds and then fails, on the fake clock.
func TestEventsOfRefreshes(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want []seen
	}{
		{"success", nil, []seen{
			{cachetta.EventStaleHit, "s.json", false}, {cachetta.EventRun, "s.json", false},
			{cachetta.EventWrite, "s.json", false}, {cachetta.EventRefresh, "s.json", false}}},
		{"failure", errors.New("boom"), []seen{
			{cachetta.EventStaleHit, "s.json", false}, {cachetta.EventRun, "s.json", true},
			{cachetta.EventRefreshFailure, "s.json", true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var rec recorder
				c := staleCache(t, cachetta.WithEvents(rec.hook))
				release := make(chan struct{})
				get := cachetta.Wrap(c, func(context.Context) (string, error) {
					<-release
					return "fresh", tt.err
				})
				if v, err := get(t.Context()); v != "stale" || err != nil {
					t.Fatalf("get = %q, %v; want stale", v, err)
				}
				synctest.Wait() // the refresh waits for release
				if got, want := rec.take(), tt.want[:1]; !slices.Equal(got, want) {
					t.Errorf("events while the refresh runs %v; want %v", got, want)
				}
				close(release)
				c.Wait()
				if got := rec.take(); !slices.Equal(got, tt.want[1:]) {
					t.Errorf("events of the refresh %v; want %v", got, tt.want[1:])
				}
			})
		})
	}
}

// TestEventsMayCallTheCache uses a hook that reads the cache's counters on
// every event and reads or writes the cache on some, from every kind of
// site: a call that deadlocks on a lock held around the hook hangs the test.
func TestEventsMayCallTheCache(t *testing.T) {
	ctx := t.Context()
	var (
		c      *cachetta.Cachetta[string]
		inside atomic.Bool // the hook is calling the cache: its own events must not recurse
		calls  atomic.Int64
	)
	hook := func(e cachetta.Event) {
		calls.Add(1)
		_ = c.Stats()
		if !inside.CompareAndSwap(false, true) {
			return
		}
		defer inside.Store(false)
		switch e.Kind {
		case cachetta.EventEviction, cachetta.EventDiskHit, cachetta.EventMemoryHit:
			if _, _, err := c.Read(ctx); err != nil {
				t.Error(err)
			}
		case cachetta.EventRun, cachetta.EventRefresh, cachetta.EventInvalidation, cachetta.EventJoin:
			if err := c.Write(ctx, "from the hook", "other"); err != nil {
				t.Error(err)
			}
		}
	}
	c = newCache[string](t, "h.json", cachetta.WithLRU(1), cachetta.WithEvents(hook),
		cachetta.WithDuration(time.Hour), cachetta.WithRefresh(cachetta.Refresh{StaleWhileRevalidate: time.Hour}))
	get := cachetta.Wrap1(c, func(_ context.Context, s string) (string, error) { return s, nil })
	for _, key := range []string{"a", "b", "a", "b"} {
		if _, err := get(ctx, key); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Write(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	backdate(t, c.Path(), 90*time.Minute)
	getPlain := cachetta.Wrap(c, func(context.Context) (string, error) { return "y", nil })
	if _, err := getPlain(ctx); err != nil {
		t.Fatal(err)
	}
	c.Wait()
	if err := c.Invalidate(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if calls.Load() == 0 {
		t.Error("the hook was never called")
	}
}

// TestEventsMemoryHitDoesNotAllocate keeps memory hits free of allocations
// with a hook set, as they are without one (TestLRUHitDoesNotAllocate).
func TestEventsMemoryHitDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	ctx := t.Context()
	var hits atomic.Int64
	// A logger at info level: debug records of hits allocate.
	c := newCache[[]benchRecord](t, "rec.json", cachetta.WithLRU(16),
		cachetta.WithLogger(slog.New(slog.NewTextHandler(t.Output(), nil))), cachetta.WithEvents(func(e cachetta.Event) {
			if e.Kind == cachetta.EventMemoryHit {
				hits.Add(1)
			}
		}))
	if err := c.Write(ctx, benchRecords(t, 1<<10)); err != nil {
		t.Fatal(err)
	}
	get := cachetta.Wrap(c, func(context.Context) ([]benchRecord, error) { return nil, errHitCalled })
	if _, err := get(ctx); err != nil { // fills memory
		t.Fatal(err)
	}
	var getErr error
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := get(ctx); err != nil {
			getErr = err
		}
	})
	if getErr != nil {
		t.Fatal(getErr)
	}
	if allocs != 0 {
		t.Errorf("a memory hit with a hook allocates %v times per call; want 0", allocs)
	}
	if hits.Load() == 0 {
		t.Error("the hook saw no memory hit")
	}
}

func TestEventKindString(t *testing.T) {
	tests := []struct {
		kind cachetta.EventKind
		want string
	}{
		{cachetta.EventMemoryHit, "memory hit"},
		{cachetta.EventRefreshFailure, "refresh failure"},
		{cachetta.EventEviction, "eviction"},
		{0, "EventKind(0)"},
		{200, "EventKind(200)"},
	}
	for _, tt := range tests {
		if got := tt.kind.String(); got != tt.want {
			t.Errorf("EventKind(%d).String() = %q; want %q", uint8(tt.kind), got, tt.want)
		}
	}
}

// TestEventsPanicReachesTheCaller checks that a hook's panic is not
// swallowed: raised for a caller's own operation, and for a run's, it
// reaches the caller.
func TestEventsPanicReachesTheCaller(t *testing.T) {
	tests := []struct {
		kind cachetta.EventKind
		call func(c *cachetta.Cachetta[int]) error
	}{
		{cachetta.EventMiss, func(c *cachetta.Cachetta[int]) error { _, _, err := c.Read(t.Context()); return err }},
		{cachetta.EventRun, func(c *cachetta.Cachetta[int]) error {
			_, err := cachetta.Wrap(c, func(context.Context) (int, error) { return 1, nil })(t.Context())
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.kind.String(), func(t *testing.T) {
			c := newCache[int](t, "p.json", cachetta.WithEvents(func(e cachetta.Event) {
				if e.Kind == tt.kind {
					panic("hook")
				}
			}))
			defer func() {
				if p := recover(); p != "hook" {
					t.Errorf("recovered %v; want the hook's panic", p)
				}
			}()
			err := tt.call(c)
			t.Errorf("the call returned %v; want the hook's panic", err)
		})
	}
}
