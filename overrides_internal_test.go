package cachetta

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"testing"
	"testing/synctest"
)

// TestOverriddenCallsLeaveNothingRegistered makes forced and bypassing calls
// that succeed, fail, panic and are cancelled: afterwards the wrapper has no
// run registered and the family no path state, and Wait leaves no goroutine
// behind (synctest.Test fails on one that is blocked).
func TestOverriddenCallsLeaveNothingRegistered(t *testing.T) {
	fns := []func(context.Context) (int, error){
		func(context.Context) (int, error) { return 1, nil },
		func(context.Context) (int, error) { return 0, errors.New("boom") },
		func(context.Context) (int, error) { panic("kaboom") },
		func(ctx context.Context) (int, error) { <-ctx.Done(); return 0, ctx.Err() },
	}
	for _, override := range []func(context.Context) context.Context{ForceRefresh, Bypass} {
		synctest.Test(t, func(t *testing.T) {
			c := Must(New[int](filepath.Join(t.TempDir(), "n.json"),
				WithLogger(slog.New(slog.NewTextHandler(t.Output(), nil)))))
			for i, fn := range fns {
				w := newWrapper(c, "Wrap", func(ctx context.Context, _ []any) (int, error) { return fn(ctx) })
				ctx, cancel := context.WithCancel(override(t.Context()))
				done := make(chan struct{})
				go func() {
					defer close(done)
					defer func() { recover() }()
					w.call(ctx, nil)
				}()
				synctest.Wait()
				cancel()
				<-done
				c.Wait()
				flights, paths := registered(w)
				if flights != 0 || paths != 0 {
					t.Errorf("call %d left %d flights and %d path states registered", i, flights, paths)
				}
			}
		})
	}
}
