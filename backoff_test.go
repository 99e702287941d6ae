package cachetta_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cachetta-go/cachetta"
)

var errUpstream = errors.New("upstream down")

// failingUpstream returns a function that records the time of each call on
// the bubble's clock and fails after latency, as an upstream that is down.
func failingUpstream(latency time.Duration) (func(context.Context) (string, error), func() []time.Duration) {
	var mu sync.Mutex
	var attempts []time.Time
	began := time.Now()
	fn := func(context.Context) (string, error) {
		mu.Lock()
		attempts = append(attempts, time.Now())
		mu.Unlock()
		time.Sleep(latency)
		return "", errUpstream
	}
	offsets := func() []time.Duration {
		mu.Lock()
		defer mu.Unlock()
		var out []time.Duration
		for _, a := range attempts {
			out = append(out, a.Sub(began))
		}
		return out
	}
	return fn, offsets
}

// TestRefreshBackoffUnderAFailingUpstream is the scenario of the issue: a
// stale entry, an upstream that takes 5 ms to fail, and 733 calls in one
// second. Without backoff every stale call after a failed refresh starts
// another: one in four calls does, since four calls come in 5 ms.
func TestRefreshBackoffUnderAFailingUpstream(t *testing.T) {
	const calls = 733
	tests := []struct {
		name         string
		opts         []cachetta.Option
		wantAttempts int
	}{
		{"backoff", nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := t.Context()
				c := staleCache(t, tt.opts...)
				fn, attempts := failingUpstream(5 * time.Millisecond)
				get := cachetta.Wrap(c, fn)
				for i := range calls {
					if v, err := get(ctx); v != "stale" || err != nil {
						t.Fatalf("call %d = %q, %v; want stale", i, v, err)
					}
					time.Sleep(time.Second / calls)
				}
				c.Wait()
				if n := len(attempts()); n != tt.wantAttempts {
					t.Errorf("%d calls in one second made %d upstream attempts; want %d", calls, n, tt.wantAttempts)
				}
			})
		})
	}
}

// TestRefreshBackoffDoubles calls a stale entry every 10 ms for 10 s on the
// bubble's clock: refreshes start when the backoff after the last failure
// (5 ms after its start) has passed, at the next call.
func TestRefreshBackoffDoubles(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name    string
		timeout time.Duration
		want    []time.Duration // attempt times from the first call
	}{
		{"1s, 2s, 4s", time.Minute, []time.Duration{0, 1010 * ms, 3020 * ms, 7030 * ms}},
		{"at most the refresh timeout", 2 * time.Second, []time.Duration{0, 1010 * ms, 3020 * ms, 5030 * ms, 7040 * ms, 9050 * ms}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := t.Context()
				c := staleCache(t, stale(cachetta.Refresh{Timeout: tt.timeout}))
				fn, attempts := failingUpstream(5 * ms)
				get := cachetta.Wrap(c, fn)
				for range 1000 {
					get(ctx)
					time.Sleep(10 * ms)
				}
				c.Wait()
				if got := attempts(); !slices.Equal(got, tt.want) {
					t.Errorf("attempts at %v; want %v", got, tt.want)
				}
			})
		})
	}
}

// TestRefreshBackoffResetsOnSuccess fails two refreshes, lets the third
// succeed, and makes the new entry stale: its first failure waits one
// second again, not four.
func TestRefreshBackoffResetsOnSuccess(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		c := staleCache(t)
		var mu sync.Mutex
		failing := true
		var calls counter
		get := cachetta.Wrap(c, func(context.Context) (string, error) {
			calls.n.Add(1)
			mu.Lock()
			defer mu.Unlock()
			if failing {
				return "", errUpstream
			}
			return "fresh", nil
		})
		setFailing := func(on bool) {
			mu.Lock()
			failing = on
			mu.Unlock()
		}
		steps := []struct {
			sleep     time.Duration // before the call
			failing   bool
			wantCalls int // after the call
		}{
			{0, true, 1},
			{time.Second, true, 2},  // the first backoff has passed
			{time.Second, true, 2},  // the second, of two seconds, has not
			{time.Second, false, 3}, // it has: the refresh succeeds
			{0, true, 4},            // the entry was made stale again below
			{500 * time.Millisecond, true, 4},
			{500 * time.Millisecond, true, 5}, // one second, not four
		}
		for i, s := range steps {
			time.Sleep(s.sleep)
			setFailing(s.failing)
			if i == 4 {
				if got := readFile(t, c.Path()); got != `"fresh"` {
					t.Fatalf("file holds %s after the successful refresh", got)
				}
				backdate(t, c.Path(), 90*time.Minute)
			}
			if _, err := get(ctx); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			c.Wait()
			if calls.count() != s.wantCalls {
				t.Fatalf("after step %d the function ran %d times; want %d", i, calls.count(), s.wantCalls)
			}
		}
	})
}
