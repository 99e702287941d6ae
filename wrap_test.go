package cachetta_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cachetta-go/cachetta"
)

// counter counts calls of a function made with it.
type counter struct{ n atomic.Int64 }

func (c *counter) count() int { return int(c.n.Load()) }

func constant[T any](calls *counter, v T) func(context.Context) (T, error) {
	return func(context.Context) (T, error) {
		calls.n.Add(1)
		return v, nil
	}
}

func TestWrapFreshEntryIsReturnedWithoutCalling(t *testing.T) {
	ctx := t.Context()
	c := newCache[string](t, "s.json")
	writeFile(t, c.Path(), `"cached"`)
	backdate(t, c.Path(), time.Minute)
	before, _ := os.Stat(c.Path())
	var calls counter
	got, err := cachetta.Wrap(c, constant(&calls, "computed"))(ctx)
	if got != "cached" || err != nil || calls.count() != 0 {
		t.Errorf("Wrap = %q, %v after %d calls; want cached after 0", got, err, calls.count())
	}
	if after, _ := os.Stat(c.Path()); !after.ModTime().Equal(before.ModTime()) {
		t.Error("a hit rewrote the file")
	}
}

func TestWrapCachedZeroValuesAreHits(t *testing.T) {
	tests := []struct {
		name    string
		content string
		run     func(t *testing.T, c string) int // returns the number of calls
	}{
		{"zero int", "0", func(t *testing.T, path string) int { return callsAfterHit[int](t, path, 5) }},
		{"empty string", `""`, func(t *testing.T, path string) int { return callsAfterHit[string](t, path, "x") }},
		{"false", "false", func(t *testing.T, path string) int { return callsAfterHit[bool](t, path, true) }},
		{"empty slice", "[]", func(t *testing.T, path string) int { return callsAfterHit[[]int](t, path, []int{1}) }},
		{"null", "null", func(t *testing.T, path string) int { return callsAfterHit[*int](t, path, new(int)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "v.json")
			writeFile(t, path, tt.content)
			if n := tt.run(t, path); n != 0 {
				t.Errorf("cached %s: function called %d times; want 0", tt.content, n)
			}
		})
	}
}

func callsAfterHit[T any](t *testing.T, path string, computed T) int {
	var calls counter
	c := cachetta.Must(cachetta.New[T](path, cachetta.WithLogger(testLogger(t))))
	if _, err := cachetta.Wrap(c, constant(&calls, computed))(t.Context()); err != nil {
		t.Fatal(err)
	}
	return calls.count()
}

type ctxKey struct{}

func TestWrapMissCallsWithCallersContextAndWrites(t *testing.T) {
	ctx := context.WithValue(t.Context(), ctxKey{}, "v")
	c := newCache[string](t, "s.json")
	got, err := cachetta.Wrap(c, func(ctx context.Context) (string, error) {
		return fmt.Sprint(ctx.Value(ctxKey{})), nil
	})(ctx)
	if got != "v" || err != nil {
		t.Fatalf("Wrap = %q, %v; want the context's value", got, err)
	}
	if content := readFile(t, c.Path()); content != `"v"` {
		t.Errorf("file holds %q; want \"v\"", content)
	}
}

func TestWrapErrorsAreNotCached(t *testing.T) {
	ctx := t.Context()
	c := newCache[int](t, "n.json")
	boom := errors.New("boom")
	var calls counter
	get := cachetta.Wrap(c, func(context.Context) (int, error) {
		if calls.n.Add(1) == 1 {
			return 0, boom
		}
		return 2, nil
	})
	if _, err := get(ctx); !errors.Is(err, boom) {
		t.Fatalf("first call = %v; want boom", err)
	}
	if ok, _ := c.Exists(ctx); ok {
		t.Fatal("an error was written")
	}
	if v, err := get(ctx); v != 2 || err != nil || calls.count() != 2 {
		t.Errorf("second call = %v, %v after %d calls; want 2 after 2", v, err, calls.count())
	}
}

func TestWrapCondition(t *testing.T) {
	ctx := t.Context()
	c := newCache[int](t, "n.json", cachetta.WithCondition(func(n int) bool { return n > 0 }))
	for _, v := range []int{-1, 3} {
		var calls counter
		got, err := cachetta.Wrap(c, constant(&calls, v))(ctx)
		if got != v || err != nil {
			t.Errorf("Wrap = %v, %v; want %v", got, err, v)
		}
		if ok, _ := c.Exists(ctx); ok != (v > 0) {
			t.Errorf("after result %d, file exists = %v; want %v", v, ok, v > 0)
		}
	}
}

func TestWrapFailedWriteKeepsTheResult(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "file"), "x")
	logger, logs := captureLogs(slog.LevelWarn)
	c := cachetta.Must(cachetta.New[int](filepath.Join(dir, "file", "n.json"), cachetta.WithLogger(logger)))
	var calls counter
	got, err := cachetta.Wrap(c, constant(&calls, 42))(t.Context())
	if got != 42 || err != nil {
		t.Errorf("Wrap with a failing write = %v, %v; want 42, nil", got, err)
	}
	if !strings.Contains(logs.String(), "cache write failed") || !strings.Contains(logs.String(), c.Path()) {
		t.Errorf("logs %q lack the failed write with its path", logs)
	}
}

func TestWrapLiteralPathABA(t *testing.T) {
	ctx := t.Context()
	c := newCache[string](t, "s.json")
	var a, b counter
	wa := cachetta.Wrap(c, constant(&a, "a"))
	wb := cachetta.Wrap(c, constant(&b, "b"))
	got := []string{}
	for _, w := range []func(context.Context) (string, error){wa, wb, wa} {
		v, err := w(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	if !slices.Equal(got, []string{"a", "a", "a"}) || a.count() != 1 || b.count() != 0 {
		t.Errorf("a/b/a = %v with %d, %d calls; want a a a with 1, 0", got, a.count(), b.count())
	}
	if names := dirNames(t, filepath.Dir(c.Path())); !slices.Equal(names, []string{"s.json"}) {
		t.Errorf("directory holds %v; want one file", names)
	}
}

func TestWrapAutoKeys(t *testing.T) {
	ctx := t.Context()
	c := newCache[string](t, "user.json")
	var calls counter
	get := cachetta.Wrap1(c, func(_ context.Context, id int) (string, error) {
		calls.n.Add(1)
		return fmt.Sprint("user", id), nil
	})
	for _, id := range []int{1, 2, 1, 2, 3} {
		if v, err := get(ctx, id); v != fmt.Sprint("user", id) || err != nil {
			t.Errorf("get(%d) = %q, %v", id, v, err)
		}
	}
	if calls.count() != 3 {
		t.Errorf("function called %d times; want 3", calls.count())
	}
	var want []string
	for _, id := range []int{1, 2, 3} {
		key, err := cachetta.Key(id)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, "user-"+key+".json")
	}
	slices.Sort(want)
	if names := dirNames(t, filepath.Dir(c.Path())); !slices.Equal(names, want) {
		t.Errorf("directory holds %v; want %v", names, want)
	}
	if err := c.Invalidate(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := get(ctx, 2); err != nil || calls.count() != 4 {
		t.Errorf("after Invalidate(2), get(2) called the function %d times in all; want 4", calls.count())
	}
}

func TestPathFor(t *testing.T) {
	key42, _ := cachetta.Key(42)
	keyAB, _ := cachetta.Key("a", "b")
	tests := []struct {
		path string
		args []any
		want string
	}{
		{"dir/user.json", nil, "dir/user.json"},
		{"dir/user.json", []any{42}, "dir/user-" + key42 + ".json"},
		{"dir/user", []any{42}, "dir/user-" + key42},
		{"dir/user.tar.gz", []any{"a", "b"}, "dir/user.tar-" + keyAB + ".gz"},
		{"dir/.hidden", []any{42}, "dir/.hidden-" + key42},
		{"dir/user.", []any{42}, "dir/user.-" + key42},
	}
	for _, tt := range tests {
		c := cachetta.Must(cachetta.New[int](tt.path))
		if got, err := c.PathFor(tt.args...); got != tt.want || err != nil {
			t.Errorf("New(%q).PathFor(%v) = %q, %v; want %q", tt.path, tt.args, got, err, tt.want)
		}
	}
}

func TestWrapPathFunctions(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	c := cachetta.Must(cachetta.New[string](dir, cachetta.WithLogger(testLogger(t)),
		cachetta.WithPathFunc2(func(org string, id int) string {
			return filepath.Join(dir, org, "users", fmt.Sprint(id)+".json")
		})))
	get := cachetta.Wrap2(c, func(_ context.Context, org string, id int) (string, error) {
		return fmt.Sprint(org, "/", id), nil
	})
	if v, err := get(ctx, "acme", 7); v != "acme/7" || err != nil {
		t.Fatalf("get = %q, %v", v, err)
	}
	if got := readFile(t, filepath.Join(dir, "acme", "users", "7.json")); got != `"acme/7"` {
		t.Errorf("file holds %q", got)
	}
	if v, ok, err := c.Read(ctx, "acme", 7); v != "acme/7" || !ok || err != nil {
		t.Errorf("Read(acme, 7) = %q, %v, %v", v, ok, err)
	}
}

func TestWrapPathFunctionMismatchPanicsAtWrapTime(t *testing.T) {
	c := cachetta.Must(cachetta.New[string]("x.json", cachetta.WithPathFunc(func(name string) string { return name })))
	tests := map[string]func(){
		"Wrap1 of another type": func() {
			cachetta.Wrap1(c, func(context.Context, int) (string, error) { return "", nil })
		},
		"Wrap with no argument": func() {
			cachetta.Wrap(c, func(context.Context) (string, error) { return "", nil })
		},
		"Wrap2": func() {
			cachetta.Wrap2(c, func(context.Context, string, string) (string, error) { return "", nil })
		},
	}
	for name, wrap := range tests {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if p := recover(); p == nil || !strings.Contains(fmt.Sprint(p), "path function") {
					t.Errorf("panic = %v; want one about the path function", p)
				}
			}()
			wrap()
		})
	}
	type bytesName []byte
	named := cachetta.Must(cachetta.New[string]("x.json", cachetta.WithPathFunc(func(b bytesName) string { return string(b) })))
	t.Run("Wrap1 of a type only assignable to the path function's", func(t *testing.T) {
		defer func() {
			if p := recover(); p == nil {
				t.Error("Wrap1 of []byte over a path function of a named []byte did not panic; every call would fail")
			}
		}()
		cachetta.Wrap1(named, func(context.Context, []byte) (string, error) { return "", nil })
	})
	anyPath := cachetta.Must(cachetta.New[string]("x.json", cachetta.WithPathFunc(func(v any) string { return fmt.Sprint(v) })))
	cachetta.Wrap1(anyPath, func(context.Context, int) (string, error) { return "", nil }) // int is assignable to any
}

func TestWrapUnencodableArgumentDoesNotCall(t *testing.T) {
	c := newCache[int](t, "n.json")
	var calls counter
	get := cachetta.Wrap1(c, func(context.Context, func()) (int, error) { calls.n.Add(1); return 1, nil })
	if _, err := get(t.Context(), func() {}); !errors.Is(err, cachetta.ErrArgs) || calls.count() != 0 {
		t.Errorf("get(func) = %v after %d calls; want ErrArgs after 0", err, calls.count())
	}
}

func TestWrapReadWriteSwitches(t *testing.T) {
	tests := []struct {
		name             string
		read, write      bool
		wantCalls        int
		wantFile         bool
		precomputedValue bool
	}{
		{"read off calls every time", false, true, 3, true, false},
		{"write off never writes", true, false, 3, false, false},
		{"both off pass through", false, false, 3, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			c := newCache[int](t, "n.json", cachetta.WithRead(tt.read), cachetta.WithWrite(tt.write))
			var calls counter
			get := cachetta.Wrap(c, constant(&calls, 1))
			for range 3 {
				if v, err := get(ctx); v != 1 || err != nil {
					t.Fatalf("get = %v, %v", v, err)
				}
			}
			if calls.count() != tt.wantCalls {
				t.Errorf("%d calls; want %d", calls.count(), tt.wantCalls)
			}
			if ok, _ := c.Exists(ctx); ok != tt.wantFile {
				t.Errorf("file exists = %v; want %v", ok, tt.wantFile)
			}
		})
	}
}

// TestWrapStampede starts 100 goroutines on a cold key: once all of them
// wait, the function has run once, and every caller gets its result, or its
// error.
func TestWrapStampede(t *testing.T) {
	for _, fail := range []bool{false, true} {
		t.Run(fmt.Sprint("fail=", fail), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := t.Context()
				c := newCache[int](t, "n.json")
				boom := errors.New("boom")
				var calls counter
				release := make(chan struct{})
				get := cachetta.Wrap1(c, func(_ context.Context, id int) (int, error) {
					calls.n.Add(1)
					<-release
					if fail {
						return 0, boom
					}
					return id * 2, nil
				})
				var wg sync.WaitGroup
				results := make([]int, 100)
				errs := make([]error, 100)
				for i := range results {
					wg.Go(func() { results[i], errs[i] = get(ctx, 21) })
				}
				synctest.Wait() // every caller is waiting on the one run
				close(release)
				wg.Wait()
				if calls.count() != 1 {
					t.Errorf("function ran %d times; want 1", calls.count())
				}
				for i := range results {
					if fail && !errors.Is(errs[i], boom) || !fail && (results[i] != 42 || errs[i] != nil) {
						t.Fatalf("caller %d got %v, %v", i, results[i], errs[i])
					}
				}
			})
		})
	}
}

func TestWrapResultIsWrittenBeforeCallersReturn(t *testing.T) {
	ctx := t.Context()
	c := newCache[int](t, "n.json")
	var calls counter
	if _, err := cachetta.Wrap(c, constant(&calls, 5))(ctx); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := c.Read(ctx); v != 5 || !ok || err != nil {
		t.Errorf("Read right after the call = %v, %v, %v; want 5", v, ok, err)
	}
}

func TestWrapTwoFunctionsOverOnePathKeepTheirResults(t *testing.T) {
	ctx := t.Context()
	c := newCache[string](t, "s.json", cachetta.WithRead(false))
	entered := make(chan struct{})
	release := make(chan struct{})
	slow := cachetta.Wrap(c, func(context.Context) (string, error) {
		close(entered)
		<-release
		return "slow", nil
	})
	fast := cachetta.Wrap(c, func(context.Context) (string, error) { return "fast", nil })
	done := make(chan string)
	go func() {
		v, _ := slow(ctx)
		done <- v
	}()
	<-entered
	if v, err := fast(ctx); v != "fast" || err != nil {
		t.Errorf("fast = %q, %v while slow runs; want fast", v, err)
	}
	close(release)
	if v := <-done; v != "slow" {
		t.Errorf("slow = %q; want slow", v)
	}
}

// TestWrapCancellation cancels the caller that started a run while another
// waits on it: the first returns at once, the run goes on with the first
// caller's values, and the other receives its result.
func TestWrapCancellation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		c := newCache[int](t, "n.json")
		release := make(chan struct{})
		var flightErr atomic.Value
		get := cachetta.Wrap(c, func(ctx context.Context) (int, error) {
			<-release
			flightErr.Store(fmt.Sprint(ctx.Err(), " ", ctx.Value(ctxKey{})))
			return 9, nil
		})

		firstCtx, cancelFirst := context.WithCancel(context.WithValue(ctx, ctxKey{}, "first"))
		firstErr := make(chan error)
		go func() {
			_, err := get(firstCtx)
			firstErr <- err
		}()
		synctest.Wait()
		second := make(chan int)
		go func() {
			v, _ := get(ctx)
			second <- v
		}()
		synctest.Wait() // both callers wait on the run
		cancelFirst()
		if err := <-firstErr; !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled caller = %v; want context.Canceled", err)
		}
		close(release)
		if v := <-second; v != 9 {
			t.Errorf("the other caller got %d; want 9", v)
		}
		if got := flightErr.Load(); got != "<nil> first" {
			t.Errorf("the shared run saw ctx error and value %v; want <nil> first", got)
		}
	})
}

func TestWrapWorkNobodyWaitsForIsStopped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newCache[int](t, "n.json")
		stopped := make(chan error)
		entered := make(chan struct{})
		get := cachetta.Wrap(c, func(ctx context.Context) (int, error) {
			close(entered)
			<-ctx.Done()
			stopped <- ctx.Err()
			return 0, ctx.Err()
		})
		ctx, cancel := context.WithCancel(t.Context())
		go get(ctx)
		<-entered
		cancel()
		if err := <-stopped; !errors.Is(err, context.Canceled) {
			t.Errorf("the abandoned run's context ended with %v; want context.Canceled", err)
		}
		var calls counter
		if v, err := cachetta.Wrap(c, constant(&calls, 3))(t.Context()); v != 3 || err != nil {
			t.Errorf("a later call = %v, %v; want a new run's 3", v, err)
		}
	})
}

func TestWrapInvalidateWinsOverARunningComputation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		c := newCache[string](t, "s.json")
		entered := make(chan struct{})
		release := make(chan struct{})
		var calls counter
		get := cachetta.Wrap(c, func(context.Context) (string, error) {
			if calls.n.Add(1) == 1 {
				close(entered)
				<-release
				return "old", nil
			}
			return "new", nil
		})
		first := make(chan string)
		go func() {
			v, _ := get(ctx)
			first <- v
		}()
		<-entered
		if err := c.Invalidate(ctx); err != nil {
			t.Fatal(err)
		}
		if v, err := get(ctx); v != "new" || err != nil {
			t.Errorf("a caller after Invalidate = %q, %v; want a fresh run's new", v, err)
		}
		close(release)
		if v := <-first; v != "old" {
			t.Errorf("the caller waiting before Invalidate got %q; want old", v)
		}
		if got := readFile(t, c.Path()); got != `"new"` {
			t.Errorf("file holds %s; want the run after Invalidate, \"new\"", got)
		}
	})
}

// TestWrapInvalidateDuringTheOnlyRunLeavesNoFile also checks that the
// dropped result, the designed outcome, is not logged as a failed write.
func TestWrapInvalidateDuringTheOnlyRunLeavesNoFile(t *testing.T) {
	ctx := t.Context()
	logger, logs := captureLogs(slog.LevelInfo)
	c := newCache[string](t, "s.json", cachetta.WithLogger(logger))
	entered := make(chan struct{})
	release := make(chan struct{})
	get := cachetta.Wrap(c, func(context.Context) (string, error) {
		close(entered)
		<-release
		return "old", nil
	})
	done := make(chan string)
	go func() {
		v, _ := get(ctx)
		done <- v
	}()
	<-entered
	if err := c.Invalidate(ctx); err != nil {
		t.Fatal(err)
	}
	close(release)
	if v := <-done; v != "old" {
		t.Errorf("waiting caller got %q; want old", v)
	}
	if ok, _ := c.Exists(ctx); ok {
		t.Error("the result of a run invalidated while it ran was written")
	}
	if logs.String() != "" {
		t.Errorf("logs at info level after an invalidated run: %q; want none", logs)
	}
}

func TestWrapPanicPropagates(t *testing.T) {
	ctx := t.Context()
	c := newCache[int](t, "n.json")
	var calls counter
	get := cachetta.Wrap(c, func(context.Context) (int, error) {
		if calls.n.Add(1) == 1 {
			panic("kaboom")
		}
		return 1, nil
	})
	func() {
		defer func() {
			if p := recover(); p != "kaboom" {
				t.Errorf("recovered %v; want kaboom", p)
			}
		}()
		get(ctx)
		t.Error("the panic did not reach the caller")
	}()
	if v, err := get(ctx); v != 1 || err != nil || calls.count() != 2 {
		t.Errorf("after a panic, get = %v, %v after %d calls; want 1 after 2", v, err, calls.count())
	}
}

func TestWrapWithOverrides(t *testing.T) {
	ctx := t.Context()
	c := newCache[int](t, "n.json")
	short, err := c.With(cachetta.WithDuration(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	var calls counter
	get := cachetta.Wrap(short, constant(&calls, 1))
	get(ctx)
	backdate(t, c.Path(), time.Hour)
	get(ctx)
	if calls.count() != 2 {
		t.Errorf("with a one-minute copy, an hour-old entry ran the function %d times in all; want 2", calls.count())
	}
	if _, ok, _ := c.Read(ctx); !ok {
		t.Error("the original, with the default duration, misses the fresh file")
	}
}

type userService struct{ prefix string }

func (s *userService) Get(_ context.Context, id int) (string, error) {
	return s.prefix + fmt.Sprint(id), nil
}

func TestWrapMethodValueKeysOnArgumentsOnly(t *testing.T) {
	ctx := t.Context()
	c := newCache[string](t, "user.json")
	a := cachetta.Wrap1(c, (&userService{prefix: "a"}).Get)
	b := cachetta.Wrap1(c, (&userService{prefix: "b"}).Get)
	a(ctx, 1)
	if v, _ := b(ctx, 1); v != "a1" {
		t.Errorf("a second receiver got %q; want the entry keyed by the argument alone, a1", v)
	}
}

// pauseHandler is a slog.Handler that drops every record and holds the first
// goroutine logging msg at its gate.
type pauseHandler struct {
	gate
	msg string
}

func newPauseHandler(msg string) *pauseHandler {
	return &pauseHandler{gate: newGate(), msg: msg}
}

func (h *pauseHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *pauseHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *pauseHandler) WithGroup(string) slog.Handler            { return h }

func (h *pauseHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.msg {
		h.pass()
	}
	return nil
}

// TestWrapLateCallerFindsTheFileOfTheRunItMissed holds a caller just after
// its miss while another caller runs the function and writes: when the first
// goes on, no run is in progress to join, and it must find the new file rather
// than run the function again.
func TestWrapLateCallerFindsTheFileOfTheRunItMissed(t *testing.T) {
	ctx := t.Context()
	pause := newPauseHandler("cache miss: no file")
	c := newCache[int](t, "n.json", cachetta.WithLogger(slog.New(pause)))
	var calls counter
	get := cachetta.Wrap(c, constant(&calls, 1))
	late := make(chan int)
	go func() {
		v, _ := get(ctx)
		late <- v
	}()
	<-pause.entered // the late caller has missed and joined no run
	if v, err := get(ctx); v != 1 || err != nil {
		t.Errorf("get = %v, %v; want 1", v, err)
	}
	close(pause.release)
	if v := <-late; v != 1 || calls.count() != 1 {
		t.Errorf("the caller that missed before the write got %v after %d calls; want 1 after 1", v, calls.count())
	}
}

// TestWrapCallAfterAnAbandonedRunStartsANewOne leaves a run whose only caller
// was cancelled, and whose function is slow to stop: a later call of the same
// wrapper must start a new run, not receive the abandoned one's error.
func TestWrapCallAfterAnAbandonedRunStartsANewOne(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newCache[int](t, "n.json")
		release := make(chan struct{})
		var calls counter
		get := cachetta.Wrap(c, func(ctx context.Context) (int, error) {
			if calls.n.Add(1) == 1 {
				<-ctx.Done() // abandoned...
				<-release    // ...and slow to stop
				return 0, ctx.Err()
			}
			return 7, nil
		})
		ctx, cancel := context.WithCancel(t.Context())
		go get(ctx)
		synctest.Wait()
		cancel()
		synctest.Wait() // the caller has left; the run waits for release
		type result struct {
			v   int
			err error
		}
		later := make(chan result)
		go func() {
			v, err := get(t.Context())
			later <- result{v, err}
		}()
		synctest.Wait()
		close(release)
		if r := <-later; r.v != 7 || r.err != nil {
			t.Errorf("get after the abandoned run = %v, %v; want a new run's 7, nil", r.v, r.err)
		}
	})
}

func TestPathFunctionResultsAreCleaned(t *testing.T) {
	c := cachetta.Must(cachetta.New[int]("x.json", cachetta.WithPathFunc(func(s string) string { return s })))
	if got, err := c.PathFor("a/../b/./y.json"); got != "b/y.json" || err != nil {
		t.Errorf("PathFor(a/../b/./y.json) = %q, %v; want b/y.json", got, err)
	}
}

// TestWrapAbandonedRunIsNotAFailedWrite cancels the only caller of a run
// whose function then returns a value: the run's context is cancelled, so
// its write is dropped, and that is not a failure to warn about.
func TestWrapAbandonedRunIsNotAFailedWrite(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		logger, logs := captureLogs(slog.LevelInfo)
		c := newCache[int](t, "n.json", cachetta.WithLogger(logger))
		release := make(chan struct{})
		get := cachetta.Wrap(c, func(context.Context) (int, error) {
			<-release
			return 1, nil
		})
		ctx, cancel := context.WithCancel(t.Context())
		go get(ctx)
		synctest.Wait()
		cancel()
		close(release)
		c.Wait()
		if logs.String() != "" {
			t.Errorf("logs at info level after an abandoned run: %q; want none", logs)
		}
	})
}

// TestRefreshPastItsTimeoutWarns lets a refresh ignore its context past the
// refresh timeout: its result is not written, and the log says so.
func TestRefreshPastItsTimeoutWarns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		logger, logs := captureLogs(slog.LevelInfo)
		c := staleCache(t, cachetta.WithLogger(logger), stale(cachetta.Refresh{Timeout: time.Second}))
		get := cachetta.Wrap(c, func(context.Context) (string, error) {
			time.Sleep(2 * time.Second) // work on the bubble's clock that ignores its context
			return "late", nil
		})
		if v, _ := get(t.Context()); v != "stale" {
			t.Fatalf("stale call = %q", v)
		}
		c.Wait()
		if !strings.Contains(logs.String(), "cache write failed") || !strings.Contains(logs.String(), "deadline exceeded") {
			t.Errorf("logs %q lack the dropped write of a refresh past its timeout", logs)
		}
	})
}

// TestWrapReadStoppedByTheContextRunsNothing: a caller that gives up while
// its disk read is in progress gets its context's error, without a warning
// about a failed read and without a run of the function.
func TestWrapReadStoppedByTheContextRunsNothing(t *testing.T) {
	logger, logs := captureLogs(slog.LevelWarn)
	c := newCache[[]byte](t, "big.json", cachetta.WithLogger(logger))
	if err := c.Write(t.Context(), make([]byte, 3<<20)); err != nil {
		t.Fatal(err)
	}
	var calls counter
	get := cachetta.Wrap(c, constant(&calls, []byte("x")))
	inner, cancel := context.WithCancel(t.Context())
	ctx := &cancelOnFirstCheck{Context: inner, cancel: cancel}
	if _, err := get(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("get cancelled during its read = %v; want context.Canceled", err)
	}
	c.Wait()
	if calls.count() != 0 || logs.String() != "" {
		t.Errorf("after a read stopped by the context: %d calls, logs %q; want none", calls.count(), logs)
	}
}
