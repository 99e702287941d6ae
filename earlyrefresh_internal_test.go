package cachetta

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// TestEarlyRefreshSpreadsRefreshes computes 20 keys at once, so that they
// all expire at one deadline 20 s later, and hits every key every 100 ms
// with XFetch (beta 1) drawing from a fixed random source. Each computation
// takes one second on the bubble's clock. Every key must be refreshed
// exactly once, in the background, before the deadline, and the refreshes
// must spread over the last part of the window instead of meeting at its
// end.
func TestEarlyRefreshSpreadsRefreshes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const keys = 20
		const duration = 20 * time.Second
		ctx := t.Context()
		c := Must(New[int](filepath.Join(t.TempDir(), "n.json"), WithDuration(duration), WithRefresh(Refresh{Early: 1}),
			WithLRU(keys), WithLogger(slog.New(slog.NewTextHandler(t.Output(), nil)))))
		c.shared.random = rand.New(rand.NewPCG(1, 2)).Float64 // drawn by this goroutine only
		var mu sync.Mutex
		computed := make(map[int][]time.Time)
		get := Wrap1(c, func(_ context.Context, k int) (int, error) {
			mu.Lock()
			computed[k] = append(computed[k], time.Now())
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
		deadline := start.Add(duration)
		for k := range keys {
			path, _ := c.PathFor(k)
			if err := os.Chtimes(path, start, start); err != nil {
				t.Fatal(err)
			}
			// The writes left their values in memory with the files' real
			// times, which the bubble's clock is far from: the pinned
			// files are read again.
			c.shared.forget(path)
		}
		for time.Now().Before(deadline.Add(2 * time.Second)) {
			for k := range keys {
				if v, err := get(ctx, k); v != k || err != nil {
					t.Fatalf("get(%d) = %d, %v", k, v, err)
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
		c.Wait()

		var lead []time.Duration // how long before the deadline each refresh began
		for k := range keys {
			if len(computed[k]) != 2 {
				t.Fatalf("key %d computed %d times; want 2 (once, then one early refresh)", k, len(computed[k]))
			}
			lead = append(lead, deadline.Sub(computed[k][1]))
		}
		slices.Sort(lead)
		t.Logf("refreshes began %v to %v before the deadline, median %v", lead[0], lead[len(lead)-1], lead[len(lead)/2])
		if lead[0] <= 0 {
			t.Errorf("a refresh began %v after the deadline; want all before it", -lead[0])
		}
		if max := lead[len(lead)-1]; max > duration/2 {
			t.Errorf("a refresh began %v before the deadline; want them in the last part of the window", max)
		}
		if spread := lead[len(lead)-1] - lead[0]; spread < 2*time.Second {
			t.Errorf("refreshes spread over %v; want at least 2s", spread)
		}
	})
}

// TestEarlyRefreshNeedsAComputationTime serves entries this process never
// computed up to their deadline, with a random source that always draws the
// earliest refresh: without a computation time none is refreshed early.
func TestEarlyRefreshNeedsAComputationTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		path := filepath.Join(t.TempDir(), "n.json")
		c := Must(New[int](path, WithDuration(time.Minute), WithRefresh(Refresh{Early: 1}),
			WithLogger(slog.New(slog.NewTextHandler(t.Output(), nil)))))
		c.shared.random = func() float64 { return 0 }
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
		// Once computed, the same draw refreshes early.
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
