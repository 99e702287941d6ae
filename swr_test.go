package cachetta_test

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"os"
	"regexp"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cachetta-go/cachetta"
)

// staleCache returns a cache with a one-hour duration and a one-hour stale
// window whose file holds "stale" and is 90 minutes old.
func staleCache(t *testing.T, opts ...cachetta.Option) *cachetta.Cachetta[string] {
	t.Helper()
	opts = append([]cachetta.Option{cachetta.WithDuration(time.Hour), cachetta.WithRefresh(cachetta.Refresh{StaleWhileRevalidate: time.Hour})}, opts...)
	c := newCache[string](t, "s.json", opts...)
	writeFile(t, c.Path(), `"stale"`)
	backdate(t, c.Path(), 90*time.Minute)
	return c
}

// stale returns WithRefresh(r) with staleCache's one-hour stale window
// unless r sets one, for tests that tune the refresh of a stale cache.
func stale(r cachetta.Refresh) cachetta.Option {
	r.StaleWhileRevalidate = cmp.Or(r.StaleWhileRevalidate, time.Hour)
	return cachetta.WithRefresh(r)
}

func TestStaleCallReturnsAtOnceAndRefreshesOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		c := staleCache(t)
		release := make(chan struct{})
		var calls counter
		get := cachetta.Wrap(c, func(context.Context) (string, error) {
			calls.n.Add(1)
			<-release
			return "fresh", nil
		})
		for range 3 {
			if v, err := get(ctx); v != "stale" || err != nil {
				t.Fatalf("stale call = %q, %v; want stale at once", v, err)
			}
		}
		synctest.Wait()
		if calls.count() != 1 {
			t.Errorf("%d refreshes started; want 1", calls.count())
		}
		close(release)
		c.Wait()
		if v, err := get(ctx); v != "fresh" || err != nil || calls.count() != 1 {
			t.Errorf("after the refresh, get = %q, %v after %d calls; want fresh after 1", v, err, calls.count())
		}
	})
}

// TestMissJoinsTheRunningRefresh removes the file while its refresh runs: a
// caller that then misses must receive the refresh's own value or error,
// never a zero value, and must not start a second run.
func TestMissJoinsTheRunningRefresh(t *testing.T) {
	for _, fail := range []bool{false, true} {
		t.Run(map[bool]string{false: "value", true: "error"}[fail], func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := t.Context()
				c := staleCache(t)
				boom := errors.New("boom")
				release := make(chan struct{})
				var calls counter
				get := cachetta.Wrap(c, func(context.Context) (string, error) {
					calls.n.Add(1)
					<-release
					if fail {
						return "", boom
					}
					return "fresh", nil
				})
				if v, _ := get(ctx); v != "stale" {
					t.Fatalf("stale call = %q", v)
				}
				synctest.Wait()
				if err := os.Remove(c.Path()); err != nil {
					t.Fatal(err)
				}
				type result struct {
					v   string
					err error
				}
				joined := make(chan result)
				go func() {
					v, err := get(ctx)
					joined <- result{v, err}
				}()
				synctest.Wait()
				close(release)
				r := <-joined
				if fail && !errors.Is(r.err, boom) || !fail && (r.v != "fresh" || r.err != nil) {
					t.Errorf("joiner got %q, %v", r.v, r.err)
				}
				if calls.count() != 1 {
					t.Errorf("function ran %d times; want 1", calls.count())
				}
				c.Wait()
			})
		})
	}
}

func TestRefreshOutlivesTheCallersContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := staleCache(t)
		release := make(chan struct{})
		seen := make(chan string, 1)
		get := cachetta.Wrap(c, func(ctx context.Context) (string, error) {
			<-release
			seen <- strings.Join([]string{errString(ctx.Err()), ctx.Value(ctxKey{}).(string)}, " ")
			return "fresh", nil
		})
		ctx, cancel := context.WithCancel(context.WithValue(t.Context(), ctxKey{}, "caller"))
		if v, _ := get(ctx); v != "stale" {
			t.Fatalf("stale call = %q", v)
		}
		cancel()
		close(release)
		c.Wait()
		if got := <-seen; got != "<nil> caller" {
			t.Errorf("refresh saw %q; want no error and the caller's value", got)
		}
		if v, _, _ := c.Read(t.Context()); v != "fresh" {
			t.Errorf("after the refresh, Read = %q; want fresh", v)
		}
	})
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func TestRefreshFailures(t *testing.T) {
	tests := []struct {
		name    string
		fn      func(ctx context.Context) (string, error)
		opts    []cachetta.Option
		wantLog string
	}{
		{
			name:    "error",
			fn:      func(context.Context) (string, error) { return "", errors.New("boom") },
			wantLog: "background refresh failed",
		},
		{
			name:    "panic",
			fn:      func(context.Context) (string, error) { panic("kaboom") },
			wantLog: "background refresh panicked",
		},
		{
			name: "timeout",
			fn: func(ctx context.Context) (string, error) {
				<-ctx.Done()
				return "", ctx.Err()
			},
			opts:    []cachetta.Option{stale(cachetta.Refresh{Timeout: time.Second})},
			wantLog: "deadline exceeded",
		},
		{
			name:    "rejected by the condition",
			fn:      func(context.Context) (string, error) { return "rejected", nil },
			opts:    []cachetta.Option{cachetta.WithCondition(func(s string) bool { return s != "rejected" })},
			wantLog: "condition rejected",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := t.Context()
				logger, logs := captureLogs(slog.LevelDebug)
				c := staleCache(t, append(tt.opts, cachetta.WithLogger(logger))...)
				get := cachetta.Wrap(c, tt.fn)
				if v, err := get(ctx); v != "stale" || err != nil {
					t.Errorf("stale call = %q, %v; want stale and no error", v, err)
				}
				c.Wait()
				if !strings.Contains(logs.String(), tt.wantLog) || !strings.Contains(logs.String(), c.Path()) {
					t.Errorf("logs %q lack %q with the path", logs, tt.wantLog)
				}
				if got := readFile(t, c.Path()); got != `"stale"` {
					t.Errorf("file holds %s after a failed refresh; want the stale value", got)
				}
				// The next call tries again once the refresh backoff, one
				// second after a first failure, has passed.
				time.Sleep(time.Second)
				if v, err := get(ctx); v != "stale" || err != nil {
					t.Errorf("next call = %q, %v", v, err)
				}
				c.Wait()
				if n := strings.Count(logs.String(), tt.wantLog); n != 2 {
					t.Errorf("%d refresh failures logged; want 2 (one a call)", n)
				}
			})
		})
	}
}

func TestPastTheStaleWindowComputesSynchronously(t *testing.T) {
	c := staleCache(t)
	backdate(t, c.Path(), 3*time.Hour)
	var calls counter
	if v, err := cachetta.Wrap(c, constant(&calls, "fresh"))(t.Context()); v != "fresh" || err != nil {
		t.Errorf("call past the window = %q, %v; want fresh", v, err)
	}
}

func TestReadNeverReturnsStale(t *testing.T) {
	ctx := t.Context()
	c := staleCache(t)
	if v, ok, err := c.Read(ctx); ok || err != nil {
		t.Errorf("Read of a stale entry = %q, %v, %v; want a miss", v, ok, err)
	}
	if v, ok, err := c.ReadStale(ctx); v != "stale" || !ok || err != nil {
		t.Errorf("ReadStale = %q, %v, %v; want stale", v, ok, err)
	}
	backdate(t, c.Path(), 3*time.Hour)
	if v, ok, err := c.ReadStale(ctx); ok || err != nil {
		t.Errorf("ReadStale past the window = %q, %v, %v; want a miss", v, ok, err)
	}
}

func TestStaleFromMemory(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		c := staleCache(t, cachetta.WithLRU(4))
		get := cachetta.Wrap(c, func(context.Context) (string, error) { return "fresh", nil })
		if v, _ := get(ctx); v != "stale" {
			t.Fatalf("stale call = %q", v)
		}
		c.Wait()
		if v, _ := get(ctx); v != "fresh" {
			t.Errorf("after the refresh, memory holds %q; want fresh", v)
		}
	})
}

// TestNoGoroutineOutlivesWait starts two refreshes, through a cache and a
// copy at a sibling file, whose function and error log each take a second on
// the bubble's clock. Wait must return only when all their work is done: the
// copy's value is on disk and the cache's failure is logged. The clock stands still while
// this goroutine runs, so work Wait did not wait for is still sleeping when
// it is checked, whatever the scheduling. After synctest.Wait, the bubble
// must hold no goroutine of the library; a goroutine sleeping there would
// outlive Wait, one blocked for ever fails synctest.Test.
func TestNoGoroutineOutlivesWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		logs := new(logBuffer)
		logger := slog.New(slowErrors{slog.NewTextHandler(logs, nil)})
		c := staleCache(t, cachetta.WithLogger(logger))
		cp := cachetta.Must(c.With(stale(cachetta.Refresh{Timeout: time.Minute}))).Join("..", "sibling.json")
		writeFile(t, cp.Path(), `"stale"`)
		backdate(t, cp.Path(), 90*time.Minute)
		var ended atomic.Int32
		slow := func(v string, err error) func(context.Context) (string, error) {
			return func(context.Context) (string, error) {
				time.Sleep(time.Second)
				ended.Add(1)
				return v, err
			}
		}
		if v, _ := cachetta.Wrap(c, slow("", errors.New("boom")))(t.Context()); v != "stale" {
			t.Fatalf("stale call through the cache = %q; want stale", v)
		}
		if v, _ := cachetta.Wrap(cp, slow("fresh", nil))(t.Context()); v != "stale" {
			t.Fatalf("stale call through the copy = %q; want stale", v)
		}
		c.Wait()
		if n := ended.Load(); n != 2 {
			t.Errorf("%d of 2 refreshes had returned when Wait returned", n)
		}
		if got := readFile(t, cp.Path()); got != `"fresh"` {
			t.Errorf("copy's file holds %s when Wait returned; want its refresh, \"fresh\"", got)
		}
		if n := strings.Count(logs.String(), "background refresh failed"); n != 1 {
			t.Errorf("logs %q hold %d refresh failures when Wait returned; want 1", logs, n)
		}
		synctest.Wait()
		if others := bubbleGoroutines(t); len(others) > 0 {
			t.Errorf("after Wait, %d goroutines remain in the bubble:\n%s", len(others), strings.Join(others, "\n\n"))
		}
	})
}

// slowErrors is a handler that takes a second on the bubble's clock to
// handle a record at error level, as background refreshes log their failures.
type slowErrors struct{ slog.Handler }

func (h slowErrors) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError {
		time.Sleep(time.Second)
	}
	return h.Handler.Handle(ctx, r)
}

// bubbleGoroutines returns the stacks of the goroutines in the caller's
// synctest bubble that run or were started by the library. A stack dump
// lists no goroutine that has exited, unlike runtime.NumGoroutine, which may
// briefly count one that has left the bubble.
func bubbleGoroutines(t *testing.T) []string {
	t.Helper()
	bubble := regexp.MustCompile(`^goroutine \d+ \[[^\]]*, synctest bubble (\d+)\b`)
	library := regexp.MustCompile(`(?m)^(created by )?github\.com/cachetta-go/cachetta\.`)
	self := bubble.FindStringSubmatch(stacks(false))
	if self == nil {
		t.Fatal("the calling goroutine's stack names no synctest bubble")
	}
	var found []string
	for g := range strings.SplitSeq(stacks(true), "\n\n") {
		if m := bubble.FindStringSubmatch(g); m != nil && m[1] == self[1] && library.MatchString(g) {
			found = append(found, g)
		}
	}
	return found
}

// stacks returns runtime.Stack's dump of the calling goroutine, or of all.
func stacks(all bool) string {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, all)
		if n < len(buf) {
			return string(buf[:n])
		}
		buf = make([]byte, 2*len(buf))
	}
}

// TestStaleCallsDuringARefreshStartNothing makes three stale calls while one
// refresh runs and fails: the failure is that of one run, logged once, at
// error level.
func TestStaleCallsDuringARefreshStartNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		logger, logs := captureLogs(slog.LevelInfo)
		c := staleCache(t, cachetta.WithLogger(logger))
		release := make(chan struct{})
		get := cachetta.Wrap(c, func(context.Context) (string, error) {
			<-release
			return "", errors.New("boom")
		})
		for range 3 {
			if v, err := get(ctx); v != "stale" || err != nil {
				t.Fatalf("stale call = %q, %v; want stale", v, err)
			}
		}
		synctest.Wait()
		close(release)
		c.Wait()
		if n := strings.Count(logs.String(), `level=ERROR msg="background refresh failed"`); n != 1 {
			t.Errorf("logs %q hold %d refresh failures at error level; want 1", logs, n)
		}
	})
}

// TestWaitCoversAbandonedRuns cancels the only caller of a run whose function
// is slow to stop: Wait must wait for the run, not only for refreshes.
func TestWaitCoversAbandonedRuns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newCache[int](t, "n.json")
		release := make(chan struct{})
		get := cachetta.Wrap(c, func(ctx context.Context) (int, error) {
			<-release
			return 1, nil
		})
		ctx, cancel := context.WithCancel(t.Context())
		go get(ctx)
		synctest.Wait()
		cancel()
		waited := make(chan struct{})
		go func() {
			c.Wait()
			close(waited)
		}()
		synctest.Wait()
		select {
		case <-waited:
			t.Fatal("Wait returned while a run was in progress")
		default:
		}
		close(release)
		<-waited
	})
}
