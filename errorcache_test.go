package cachetta_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cachetta-go/cachetta"
)

var errNotFound = errors.New("not found")

func isNotFound(err error) bool { return errors.Is(err, errNotFound) }

// TestErrorCachingRemembersMatchedErrors calls a function that fails at
// moments of the bubble's clock: matched errors are answered from memory for
// ten seconds, others never, and none reaches the disk.
func TestErrorCachingRemembersMatchedErrors(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		wantCalls []int // after calls at 0, 0, 9.999 s, 10 s and 10 s
	}{
		{"matched", errNotFound, []int{1, 1, 1, 2, 2}},
		{"wrapped", &fs.PathError{Op: "get", Path: "x", Err: errNotFound}, []int{1, 1, 1, 2, 2}},
		{"not matched", errUpstream, []int{1, 2, 3, 4, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := t.Context()
				c := newCache[string](t, "s.json", cachetta.WithErrorCaching(10*time.Second, isNotFound))
				var calls counter
				get := cachetta.Wrap(c, func(context.Context) (string, error) {
					calls.n.Add(1)
					return "", tt.err
				})
				sleeps := []time.Duration{0, 0, 10*time.Second - time.Millisecond, time.Millisecond, 0}
				for i, d := range sleeps {
					time.Sleep(d)
					if _, err := get(ctx); err != tt.err {
						t.Fatalf("call %d: err = %v; want the function's own error value", i, err)
					}
					if calls.count() != tt.wantCalls[i] {
						t.Fatalf("after call %d the function ran %d times; want %d", i, calls.count(), tt.wantCalls[i])
					}
				}
				if _, err := os.Stat(c.Path()); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("Stat of the cache file = %v; want no file", err)
				}
			})
		})
	}
}

// TestErrorCachingIsForgotten remembers an error, then does what must make
// the next call run the function. The entry's duration is one second, and
// what a write leaves is made expired, so that calls look for an error.
func TestErrorCachingIsForgotten(t *testing.T) {
	tests := []struct {
		name   string
		forget func(t *testing.T, c *cachetta.Cachetta[string], get func(context.Context) (string, error))
	}{
		{"Invalidate", func(t *testing.T, c *cachetta.Cachetta[string], _ func(context.Context) (string, error)) {
			if err := c.Invalidate(t.Context()); err != nil {
				t.Fatal(err)
			}
		}},
		{"Write", func(t *testing.T, c *cachetta.Cachetta[string], _ func(context.Context) (string, error)) {
			if err := c.Write(t.Context(), "written"); err != nil {
				t.Fatal(err)
			}
			backdate(t, c.Path(), time.Minute)
		}},
		{"a successful ForceRefresh", func(t *testing.T, c *cachetta.Cachetta[string], get func(context.Context) (string, error)) {
			if v, err := get(cachetta.ForceRefresh(t.Context())); v != "found" || err != nil {
				t.Fatalf("forced call = %q, %v; want found", v, err)
			}
			backdate(t, c.Path(), time.Minute)
		}},
		{"a MaxAge shorter than its age", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := t.Context()
				c := newCache[string](t, "s.json", cachetta.WithDuration(time.Second),
					cachetta.WithErrorCaching(time.Hour, isNotFound))
				var calls counter
				get := cachetta.Wrap(c, func(ctx context.Context) (string, error) {
					if calls.n.Add(1) == 1 {
						return "", errNotFound
					}
					return "found", nil
				})
				if _, err := get(ctx); err != errNotFound {
					t.Fatalf("first call: %v; want not found", err)
				}
				if _, err := get(ctx); err != errNotFound || calls.count() != 1 {
					t.Fatalf("second call: %v after %d calls; want the remembered error after 1", err, calls.count())
				}
				if tt.forget != nil {
					tt.forget(t, c, get)
				} else {
					time.Sleep(2 * time.Second)
					ctx = cachetta.MaxAge(ctx, time.Second)
				}
				before := calls.count()
				if v, err := get(ctx); v != "found" || err != nil || calls.count() != before+1 {
					t.Errorf("after %s, get = %q, %v after %d calls; want found from a new run", tt.name, v, err, calls.count()-before)
				}
			})
		})
	}
}

// TestErrorCachingSkipsCancelledRuns cancels the only caller of a run,
// whose function then returns the context's error: even a match that takes
// every error must not remember it.
func TestErrorCachingSkipsCancelledRuns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newCache[string](t, "s.json", cachetta.WithErrorCaching(time.Hour, func(error) bool { return true }))
		var calls counter
		get := cachetta.Wrap(c, func(ctx context.Context) (string, error) {
			if calls.n.Add(1) == 1 {
				<-ctx.Done()
				return "", ctx.Err()
			}
			return "found", nil
		})
		ctx, cancel := context.WithCancel(t.Context())
		go get(ctx)
		synctest.Wait()
		cancel()
		c.Wait()
		if v, err := get(t.Context()); v != "found" || err != nil || calls.count() != 2 {
			t.Errorf("after a cancelled run, get = %q, %v after %d calls; want found after 2", v, err, calls.count())
		}
	})
}
