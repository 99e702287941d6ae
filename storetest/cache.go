package storetest

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
)

// cache runs a cache on the store through WithStore: what users see of a
// store is what the cache makes of it.
func (s suite) cache(t *testing.T) {
	t.Run("HitAndMiss", s.cacheHitAndMiss)
	t.Run("Expiry", s.cacheExpiry)
	t.Run("Invalidate", s.cacheInvalidate)
	t.Run("Prune", s.cachePrune)
	t.Run("CoalescesRuns", s.cacheCoalesces)
	t.Run("CoalescesAcrossCaches", s.cacheCoalescesAcrossCaches)
}

// newCache returns a cache of st at path whose logs go to the test's output,
// and to logged when it is not nil.
func newCache[T any](t *testing.T, st cachetta.Store, path string, logged func(msg string), opts ...cachetta.Option) *cachetta.Cachetta[T] {
	t.Helper()
	var h slog.Handler = slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug})
	if logged != nil {
		h = &watcher{Handler: h, logged: logged}
	}
	opts = append([]cachetta.Option{cachetta.WithStore(st), cachetta.WithDuration(time.Hour),
		cachetta.WithLogger(slog.New(h))}, opts...)
	c, err := cachetta.New[T](path, opts...)
	if err != nil {
		t.Fatalf("New(%q, WithStore) = %v", path, err)
	}
	t.Cleanup(c.Wait)
	return c
}

// watcher passes every record on, telling logged its message first.
type watcher struct {
	slog.Handler
	logged func(msg string)
}

func (w *watcher) Handle(ctx context.Context, r slog.Record) error {
	w.logged(r.Message)
	return w.Handler.Handle(ctx, r)
}

// counted returns a function of one int that counts its runs.
func counted(runs *atomic.Int64) func(context.Context, int) (string, error) {
	return func(_ context.Context, n int) (string, error) {
		runs.Add(1)
		return fmt.Sprint("value ", n), nil
	}
}

func (s suite) cacheHitAndMiss(t *testing.T) {
	ctx := s.ctx(t)
	st := s.newStore(t)
	var runs atomic.Int64
	get := cachetta.Wrap1(newCache[string](t, st, "cache/v.json", nil), counted(&runs))
	for _, n := range []int{1, 1, 2, 1, 2} {
		if got, err := get(ctx, n); got != fmt.Sprint("value ", n) || err != nil {
			t.Fatalf("get(%d) = %q, %v", n, got, err)
		}
	}
	if runs.Load() != 2 {
		t.Errorf("five calls of two arguments ran %d times; want 2", runs.Load())
	}
	// A second cache on the store, as another process, reads the entries.
	other := newCache[string](t, st, "cache/v.json", nil)
	if got, ok, err := other.Read(ctx, 2); got != "value 2" || !ok || err != nil {
		t.Errorf("Read(2) by another cache = %q, %v, %v; want value 2", got, ok, err)
	}
}

func (s suite) cacheExpiry(t *testing.T) {
	if s.opts.SetModTime == nil {
		t.Skip("Options.SetModTime is nil: the store cannot backdate an entry")
	}
	ctx := s.ctx(t)
	st := s.newStore(t)
	c := newCache[string](t, st, "cache/v.json", nil)
	var runs atomic.Int64
	get := cachetta.Wrap1(c, counted(&runs))
	if _, err := get(ctx, 1); err != nil {
		t.Fatal(err)
	}
	name, _ := c.PathFor(1)
	if err := s.opts.SetModTime(ctx, st, name, time.Now().Add(-2*time.Hour)); err != nil {
		t.Fatalf("SetModTime = %v", err)
	}
	if info, err := c.Info(ctx, 1); !info.Exists || !info.Expired || err != nil {
		t.Errorf("Info of a backdated entry = %+v, %v; want expired", info, err)
	}
	if _, err := get(ctx, 1); err != nil || runs.Load() != 2 {
		t.Errorf("get of an expired entry ran %d times, %v; want 2", runs.Load(), err)
	}
	if info, err := c.Info(ctx, 1); !info.Exists || info.Expired || err != nil {
		t.Errorf("Info after the refresh = %+v, %v; want fresh", info, err)
	}
}

func (s suite) cacheInvalidate(t *testing.T) {
	ctx := s.ctx(t)
	st := s.newStore(t)
	c := newCache[string](t, st, "cache/v.json", nil, cachetta.WithLRU(16))
	var runs atomic.Int64
	get := cachetta.Wrap1(c, counted(&runs))
	if _, err := get(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if err := c.Invalidate(ctx, 1); err != nil {
		t.Fatalf("Invalidate = %v", err)
	}
	if ok, err := c.Exists(ctx, 1); ok || err != nil {
		t.Errorf("Exists after Invalidate = %v, %v; want false", ok, err)
	}
	if _, err := get(ctx, 1); err != nil || runs.Load() != 2 {
		t.Errorf("get after Invalidate ran %d times, %v; want 2", runs.Load(), err)
	}
}

func (s suite) cachePrune(t *testing.T) {
	if s.opts.SetModTime == nil {
		t.Skip("Options.SetModTime is nil: the store cannot backdate an entry")
	}
	ctx := s.ctx(t)
	st := s.newStore(t)
	c := newCache[string](t, st, "cache/v.json", nil)
	for n := range 3 {
		if err := c.Write(ctx, "x", n); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Save(ctx, "cache/other.json", []byte(`"not the cache's"`), 0); err != nil {
		t.Fatal(err)
	}
	old, _ := c.PathFor(0)
	for _, name := range []string{old, "cache/other.json"} {
		if err := s.opts.SetModTime(ctx, st, name, time.Now().Add(-2*time.Hour)); err != nil {
			t.Fatalf("SetModTime = %v", err)
		}
	}
	if removed, err := c.Prune(ctx); !slices.Equal(removed, []string{old}) || err != nil {
		t.Errorf("Prune = %q, %v; want [%s]", removed, err, old)
	}
	var left []string
	for info, err := range c.Entries(ctx) {
		if err != nil {
			t.Fatalf("Entries: %v", err)
		}
		left = append(left, info.Path)
	}
	if len(left) != 2 {
		t.Errorf("Entries after Prune = %q; want the two fresh entries", left)
	}
	if _, err := st.Stat(ctx, "cache/other.json"); err != nil {
		t.Errorf("Prune removed an entry that is not the cache's: %v", err)
	}
}

// cacheCoalesces calls one missing entry from many goroutines at once: one
// runs the function, and the others wait for it.
func (s suite) cacheCoalesces(t *testing.T) {
	ctx := s.ctx(t)
	st := s.newStore(t)
	const callers = 8
	var runs, misses atomic.Int64
	allMissed := make(chan struct{})
	onLog := func(msg string) {
		if strings.HasPrefix(msg, "cache miss") && misses.Add(1) == callers {
			close(allMissed)
		}
	}
	release := make(chan struct{})
	get := cachetta.Wrap(newCache[string](t, st, "v.json", onLog), func(context.Context) (string, error) {
		runs.Add(1)
		<-release
		return "computed", nil
	})
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for range callers {
		wg.Go(func() {
			_, err := get(ctx)
			errs <- err
		})
	}
	// Every caller has missed while the run waits: without coalescing each
	// would run the function now.
	if !wait(ctx, allMissed) {
		t.Fatalf("%d of %d callers missed", misses.Load(), callers)
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := runs.Load(); n != 1 {
		t.Errorf("%d concurrent calls ran %d times; want 1", callers, n)
	}
}

// wait reports whether ch was closed before ctx was done.
func wait(ctx context.Context, ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	case <-ctx.Done():
		return false
	}
}

// cacheCoalescesAcrossCaches runs two caches of separate New calls, as two
// processes are, on one Locker: the second misses while the first runs,
// waits for the store's lock, and reads the first one's result.
func (s suite) cacheCoalescesAcrossCaches(t *testing.T) {
	st := s.newStore(t)
	if _, ok := st.(cachetta.Locker); !ok {
		t.Skip("the store is not a cachetta.Locker: runs coalesce within one cache only")
	}
	ctx := s.ctx(t)
	var runs atomic.Int64
	started, release := make(chan struct{}), make(chan struct{})
	fn := func(context.Context) (string, error) {
		if runs.Add(1) == 1 {
			close(started)
			<-release
		}
		return "computed", nil
	}
	missed := make(chan struct{})
	var once sync.Once
	onLog := func(msg string) {
		if strings.HasPrefix(msg, "cache miss") {
			once.Do(func() { close(missed) })
		}
	}
	first := cachetta.Wrap(newCache[string](t, st, "v.json", nil), fn)
	second := cachetta.Wrap(newCache[string](t, st, "v.json", onLog), fn)
	firstDone := make(chan error, 1)
	go func() {
		_, err := first(ctx)
		firstDone <- err
	}()
	if !wait(ctx, started) {
		t.Fatal("the first cache never ran the function")
	}
	type result struct {
		v   string
		err error
	}
	secondDone := make(chan result, 1)
	go func() {
		v, err := second(ctx)
		secondDone <- result{v, err}
	}()
	// The second cache has missed, and goes for the lock the first holds.
	if !wait(ctx, missed) {
		t.Fatal("the second cache never missed")
	}
	close(release)
	if err := <-firstDone; err != nil {
		t.Fatal(err)
	}
	if r := <-secondDone; r.v != "computed" || r.err != nil || runs.Load() != 1 {
		t.Errorf("second cache got %q, %v after %d runs; want computed after 1", r.v, r.err, runs.Load())
	}
}
