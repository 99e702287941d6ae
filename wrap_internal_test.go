package cachetta

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"testing/synctest"
)

// TestNothingStaysRegistered checks the bookkeeping of a wrapper and of the
// shared path states after calls that succeed, fail, panic and are cancelled.
func TestNothingStaysRegistered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := Must(New[int](filepath.Join(t.TempDir(), "n.json"), WithRead(false)))
		ctx := t.Context()
		release := make(chan struct{})
		calls := []func(context.Context) (int, error){
			func(context.Context) (int, error) { return 1, nil },
			func(context.Context) (int, error) { return 0, errors.New("boom") },
			func(context.Context) (int, error) { panic("kaboom") },
			func(ctx context.Context) (int, error) { <-release; return 0, ctx.Err() },
		}
		for i, fn := range calls {
			ctx, cancel := context.WithCancel(ctx)
			done := make(chan struct{})
			w := newWrapper(c, "Wrap", func(ctx context.Context, _ []any) (int, error) { return fn(ctx) })
			go func() {
				defer close(done)
				defer func() { recover() }()
				w.call(ctx, nil)
			}()
			synctest.Wait()
			cancel()
			<-done
			if i == len(calls)-1 {
				close(release)
				synctest.Wait()
			}
			flights, paths := registered(w)
			if flights != 0 || paths != 0 {
				t.Errorf("call %d left %d flights and %d path states registered", i, flights, paths)
			}
		}
	})
}

// registered returns how many runs w and how many path states its cache's
// family hold registered now.
func registered[T any](w *wrapper[T]) (flights, paths int) {
	flights = w.flights.Len()
	w.c.shared.mu.Lock()
	paths = len(w.c.shared.paths)
	w.c.shared.mu.Unlock()
	return flights, paths
}
