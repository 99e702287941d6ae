package cachetta

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

func TestBackoffDelay(t *testing.T) {
	tests := []struct {
		failures int
		limit    time.Duration
		want     time.Duration
	}{
		{1, time.Minute, time.Second},
		{2, time.Minute, 2 * time.Second},
		{3, time.Minute, 4 * time.Second},
		{6, time.Minute, 32 * time.Second},
		{7, time.Minute, time.Minute},
		{1000, time.Minute, time.Minute},
		{1, 500 * time.Millisecond, 500 * time.Millisecond},
		{100, math.MaxInt64, math.MaxInt64},
	}
	for _, tt := range tests {
		if got := backoffDelay(tt.failures, tt.limit); got != tt.want {
			t.Errorf("backoffDelay(%d, %v) = %v; want %v", tt.failures, tt.limit, got, tt.want)
		}
	}
}

// TestPathMapIsBounded fills a pathMap past maxPaths: it keeps maxPaths
// paths, the newest among them.
func TestPathMapIsBounded(t *testing.T) {
	var m pathMap[int]
	for i := range maxPaths + 100 {
		m.set(strconv.Itoa(i), i)
	}
	if n := m.len(); n != maxPaths {
		t.Errorf("pathMap holds %d paths after %d sets; want %d", n, maxPaths+100, maxPaths)
	}
	if v, ok := m.get(strconv.Itoa(maxPaths + 99)); !ok || v != maxPaths+99 {
		t.Errorf("the newest path = %d, %v; want it kept", v, ok)
	}
}

// TestBackoffForgetsPaths fails a refresh, then does what should make the
// family forget the path's backoff.
func TestBackoffForgetsPaths(t *testing.T) {
	tests := []struct {
		name string
		then func(t *testing.T, c *Cachetta[string], get func(context.Context) (string, error))
		want int // paths in the backoff afterwards
	}{
		{"a failure is kept", func(*testing.T, *Cachetta[string], func(context.Context) (string, error)) {}, 1},
		{"a call past the stale window", func(t *testing.T, c *Cachetta[string], get func(context.Context) (string, error)) {
			backdateFile(t, c.Path(), 3*time.Hour)
			get(t.Context())
		}, 0},
		{"a successful refresh", func(t *testing.T, c *Cachetta[string], get func(context.Context) (string, error)) {
			time.Sleep(time.Second)
			get(t.Context()) // the function succeeds from now on
		}, 0},
		{"a write", func(t *testing.T, c *Cachetta[string], _ func(context.Context) (string, error)) {
			if err := c.Write(t.Context(), "written"); err != nil {
				t.Fatal(err)
			}
		}, 0},
		{"an invalidation", func(t *testing.T, c *Cachetta[string], _ func(context.Context) (string, error)) {
			if err := c.Invalidate(t.Context()); err != nil {
				t.Fatal(err)
			}
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "s.json")
				c := Must(New[string](path, WithDuration(time.Hour), WithRefresh(Refresh{StaleWhileRevalidate: time.Hour}),
					WithLogger(slog.New(slog.NewTextHandler(t.Output(), nil)))))
				if err := os.WriteFile(path, []byte(`"stale"`), 0o600); err != nil {
					t.Fatal(err)
				}
				backdateFile(t, path, 90*time.Minute)
				calls := 0
				get := Wrap(c, func(context.Context) (string, error) {
					calls++ // runs are one at a time here
					if calls == 1 {
						return "", errors.New("boom")
					}
					return "fresh", nil
				})
				get(t.Context())
				c.Wait()
				tt.then(t, c, get)
				c.Wait()
				if n := c.shared.backoff.len(); n != tt.want {
					t.Errorf("backoff holds %d paths; want %d", n, tt.want)
				}
			})
		})
	}
}

// backdateFile sets the modification time of path to age before now.
func backdateFile(t *testing.T, path string, age time.Duration) {
	t.Helper()
	when := time.Now().Add(-age)
	if err := os.Chtimes(path, when, when); err != nil {
		t.Fatal(err)
	}
}

// TestXFetch draws at the edges of what rand.Float64 returns: 0, whose -ln is
// +Inf; the smallest other draw, 2^-53, whose -ln is about 36.7; and the
// largest, 1-2^-53, whose -ln is about 1.1e-16.
func TestXFetch(t *testing.T) {
	const (
		second   = float64(time.Second)
		smallest = 0x1p-53
		largest  = 1 - 0x1p-53
	)
	tests := []struct {
		delta, beta, remaining, u float64
		want                      bool
	}{
		{second, 1, 100 * 365 * 24 * 3600 * second, 0, true}, // a draw of 0 refreshes however far the expiry
		{second, 1, 37 * second, smallest, false},            // any other draw is at most 36.7 deltas early
		{second, 1, 36 * second, smallest, true},
		{second, 1, second, math.Exp(-1), true}, // -ln u = 1: exactly one delta early
		{second, 1, second + 1, math.Exp(-1), false},
		{second, 0.5, second, math.Exp(-2), true}, // beta scales the delta
		{second, 0.5, second + 1, math.Exp(-2), false},
		{2 * second, 1, 2 * second, math.Exp(-1), true},                     // so does a slower computation
		{second, 1, 1, largest, false},                                      // the largest draw refreshes only at the deadline
		{1, math.MaxFloat64, 100 * 365 * 24 * 3600 * second, largest, true}, // this beta refreshes at every draw
	}
	for _, tt := range tests {
		if got := xfetch(tt.delta, tt.beta, tt.remaining, tt.u); got != tt.want {
			t.Errorf("xfetch(%v, %v, %v, %v) = %v; want %v", tt.delta, tt.beta, tt.remaining, tt.u, got, tt.want)
		}
	}
}

// TestXFetchSpreadsRefreshes draws for 20 entries that expire at one deadline
// 20 s away, each hit every 100 ms, computed in one second, with beta 1 and a
// fixed random source. Every entry must draw a refresh before the deadline,
// and the refreshes must spread over the last part of the window instead of
// meeting at its end.
func TestXFetchSpreadsRefreshes(t *testing.T) {
	const (
		keys     = 20
		duration = 20 * time.Second
		tick     = 100 * time.Millisecond
		delta    = float64(time.Second)
	)
	rng := rand.New(rand.NewPCG(1, 2))
	var lead []time.Duration // how long before the deadline each refresh was drawn
	refreshed := make([]bool, keys)
	for remaining := duration; remaining > 0; remaining -= tick {
		for k := range keys {
			if !refreshed[k] && xfetch(delta, 1, float64(remaining), rng.Float64()) {
				refreshed[k] = true
				lead = append(lead, remaining)
			}
		}
	}
	if len(lead) != keys {
		t.Fatalf("%d of %d entries drew a refresh before the deadline; want all", len(lead), keys)
	}
	slices.Sort(lead)
	t.Logf("refreshes drawn %v to %v before the deadline, median %v", lead[0], lead[len(lead)-1], lead[len(lead)/2])
	if max := lead[len(lead)-1]; max > duration/2 {
		t.Errorf("a refresh was drawn %v before the deadline; want them in the last part of the window", max)
	}
	if spread := lead[len(lead)-1] - lead[0]; spread < 2*time.Second {
		t.Errorf("refreshes spread over %v; want at least 2s", spread)
	}
}

// TestEarlyRefreshRunsInTheBackground computes 20 keys at once, each in one
// second on the bubble's clock, and then hits every key twice while the
// entries are fresh, 20 s before their deadline. The betas are chosen so
// that the draw cannot change the outcome: with 0.01 a refresh is at most
// 0.37 s early (but for a draw of exactly 0, one in 2^53), so none starts;
// with math.MaxFloat64 every draw refreshes, so the first hit on each key
// starts one refresh, in the background, and the second finds it running.
func TestEarlyRefreshRunsInTheBackground(t *testing.T) {
	tests := []struct {
		name  string
		early float64
		want  int // computations of each key
	}{
		{"no draw refreshes", 0.01, 1},
		{"every draw refreshes", math.MaxFloat64, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				const keys = 20
				const duration = 20 * time.Second
				ctx := t.Context()
				c := Must(New[int](filepath.Join(t.TempDir(), "n.json"), WithDuration(duration), WithRefresh(Refresh{Early: tt.early}),
					WithLRU(keys), WithLogger(slog.New(slog.NewTextHandler(t.Output(), nil)))))
				var mu sync.Mutex
				computed := make(map[int]int)
				get := Wrap1(c, func(_ context.Context, k int) (int, error) {
					mu.Lock()
					computed[k]++
					mu.Unlock()
					time.Sleep(time.Second)
					return k, nil
				})
				var wg sync.WaitGroup
				for k := range keys {
					wg.Go(func() { get(ctx, k) })
				}
				wg.Wait()
				start := time.Now()
				for k := range keys {
					path, _ := c.PathFor(k)
					if err := os.Chtimes(path, start, start); err != nil {
						t.Fatal(err)
					}
					// The writes left their values in memory with the files'
					// real times, which the bubble's clock is far from: the
					// pinned files are read again.
					c.shared.forget(path)
				}
				for range 2 {
					for k := range keys {
						if v, err := get(ctx, k); v != k || err != nil {
							t.Fatalf("get(%d) = %d, %v", k, v, err)
						}
					}
				}
				if d := time.Since(start); d != 0 {
					t.Errorf("the hits took %v; want 0, the refreshes in the background", d)
				}
				c.Wait()
				for k := range keys {
					if computed[k] != tt.want {
						t.Errorf("key %d computed %d times; want %d", k, computed[k], tt.want)
					}
				}
			})
		})
	}
}

// TestEarlyRefreshNeedsAComputationTime serves entries this process never
// computed up to their deadline, with a beta that makes every draw refresh:
// without a computation time none is refreshed early.
func TestEarlyRefreshNeedsAComputationTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		path := filepath.Join(t.TempDir(), "n.json")
		c := Must(New[int](path, WithDuration(time.Minute), WithRefresh(Refresh{Early: math.MaxFloat64}),
			WithLogger(slog.New(slog.NewTextHandler(t.Output(), nil)))))
		if err := os.WriteFile(path, []byte("1"), 0o600); err != nil {
			t.Fatal(err)
		}
		backdateFile(t, path, 0)
		calls := 0
		get := Wrap(c, func(context.Context) (int, error) {
			calls++ // runs are one at a time here
			time.Sleep(time.Second)
			return 2, nil
		})
		for range 59 {
			if v, err := get(ctx); v != 1 || err != nil {
				t.Fatalf("get = %d, %v; want 1", v, err)
			}
			time.Sleep(time.Second)
		}
		c.Wait()
		if calls != 0 {
			t.Errorf("function ran %d times before the deadline; want 0", calls)
		}
		// Once computed, the next fresh hit refreshes early.
		time.Sleep(time.Second)
		if v, _ := get(ctx); v != 2 || calls != 1 {
			t.Fatalf("past the deadline get = %d after %d calls; want 2 after 1", v, calls)
		}
		c.Wait()
		backdateFile(t, path, 0)
		get(ctx)
		c.Wait()
		if calls != 2 {
			t.Errorf("after a computation, the function ran %d times; want 2 (one early refresh)", calls)
		}
	})
}
