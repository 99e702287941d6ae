package cachetta_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cachetta-go/cachetta"
)

// TestTimedOutRunDropsItsResultAfterAnInvalidate: a run that gave up
// waiting for another process's lock goes on without it, and an Invalidate
// in the other process while it runs is told to it only by the generation
// counter in the directory's lock file. The run must keep its result off
// the disk rather than write a value computed before the Invalidate. Two
// families of one path stand for two processes, as the locks treat them.
func TestTimedOutRunDropsItsResultAfterAnInvalidate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		path := filepath.Join(t.TempDir(), "n.json")
		a := cachetta.Must(cachetta.New[int](path, cachetta.WithLogger(testLogger(t))))
		b := cachetta.Must(cachetta.New[int](path, cachetta.WithLogger(testLogger(t)), cachetta.WithLockTimeout(time.Second)))
		releaseA, releaseB := make(chan struct{}), make(chan struct{})
		getA := cachetta.Wrap(a, func(context.Context) (int, error) { <-releaseA; return 1, nil })
		getB := cachetta.Wrap(b, func(context.Context) (int, error) { <-releaseB; return 2, nil })
		var wg sync.WaitGroup
		wg.Go(func() { getA(ctx) })
		synctest.Wait() // a holds the run lock
		doneB := make(chan struct{})
		go func() { defer close(doneB); getB(ctx) }()
		time.Sleep(2 * time.Second) // on the bubble's clock: b waits out its lock timeout
		synctest.Wait()             // and runs without the lock
		close(releaseA)
		wg.Wait()
		if err := a.Invalidate(ctx); err != nil {
			t.Fatal(err)
		}
		close(releaseB)
		<-doneB
		b.Wait()
		if data, err := os.ReadFile(path); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("file = %s, %v after an Invalidate during the timed-out run; want none", data, err)
		}
	})
}
