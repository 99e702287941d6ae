package cachetta_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cachetta-go/cachetta"
)

// TestWrapGoexitReachesEveryCaller: a wrapped function that calls
// runtime.Goexit, as t.FailNow does, must not leave its callers waiting.
// Each gets ErrGoexit, the exit is logged and nothing is written.
func TestWrapGoexitReachesEveryCaller(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		logger, logs := captureLogs(slog.LevelWarn)
		c := newCache[int](t, "n.json", cachetta.WithLogger(logger))
		release := make(chan struct{})
		get := cachetta.Wrap(c, func(context.Context) (int, error) {
			<-release
			runtime.Goexit()
			return 1, nil
		})
		const callers = 3
		errs := make([]error, callers)
		var wg sync.WaitGroup
		for i := range callers {
			wg.Go(func() { _, errs[i] = get(t.Context()) })
		}
		synctest.Wait()
		close(release)
		wg.Wait()
		for i, err := range errs {
			if !errors.Is(err, cachetta.ErrGoexit) {
				t.Errorf("caller %d: get = %v; want ErrGoexit", i, err)
			}
		}
		c.Wait()
		if !strings.Contains(logs.String(), "Goexit") || !strings.Contains(logs.String(), c.Path()) {
			t.Errorf("logs %q lack the Goexit with the path", logs)
		}
		if _, err := os.Stat(c.Path()); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("Stat = %v; want no file after a Goexit", err)
		}
	})
}

// TestRefreshGoexitReachesItsJoiners: a caller that misses while a background
// refresh runs joins it, and gets ErrGoexit when the refresh exits.
func TestRefreshGoexitReachesItsJoiners(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		logger, logs := captureLogs(slog.LevelWarn)
		c := staleCache(t, cachetta.WithLogger(logger))
		release := make(chan struct{})
		get := cachetta.Wrap(c, func(context.Context) (string, error) {
			<-release
			runtime.Goexit()
			return "fresh", nil
		})
		if v, err := get(t.Context()); v != "stale" || err != nil {
			t.Fatalf("stale call = %q, %v; want stale", v, err)
		}
		// Past the stale window the next caller misses and joins the refresh.
		backdate(t, c.Path(), 3*time.Hour)
		var err error
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, err = get(t.Context())
		}()
		synctest.Wait()
		close(release)
		<-done
		if !errors.Is(err, cachetta.ErrGoexit) {
			t.Errorf("joiner of the refresh = %v; want ErrGoexit", err)
		}
		c.Wait()
		if !strings.Contains(logs.String(), "Goexit") {
			t.Errorf("logs %q lack the Goexit", logs)
		}
	})
}
