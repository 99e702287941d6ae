package cachetta

import (
	"context"
	"time"
)

// invoke calls the wrapped function for path in a run whose context is ctx,
// and records what the policies learn from the call: how long a successful
// computation took (Refresh.Early) and an error to remember
// (WithErrorCaching). The function receives ctx without the overrides of
// the call that started the run: they are that call's, not the function's.
func (w *wrapper[T]) invoke(ctx context.Context, path string, args []any, guard *writeGuard) (T, error) {
	changes := guard.ps.changes.Load()
	began := time.Now()
	v, err := w.invoked(withoutOverrides(ctx), path, args)
	if err != nil {
		w.remember(ctx, path, guard.ps, changes, err)
		return v, err
	}
	if w.c.cfg.earlyRefresh > 0 {
		w.c.shared.timings.set(path, time.Since(began))
	}
	return v, nil
}
