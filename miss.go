package cachetta

import "context"

// miss answers a call that found no usable entry at path, with overrides o
// that may be nil: with the error remembered for the path
// (WithErrorCaching), or else with a run of the function and, when it fails,
// with an entry of the stale-if-error window (Refresh.StaleIfError).
func (w *wrapper[T]) miss(ctx context.Context, path string, args []any, o *overrides) (T, error) {
	if o == nil {
		// The entry is past its stale window or gone: the backoff of its
		// refreshes is over.
		w.c.shared.backoff.update(path, keepRunning)
	}
	if err, ok := w.recall(ctx, path, o); ok {
		var zero T
		return zero, err
	}
	v, err := w.compute(ctx, path, args)
	if err != nil {
		// A run that failed as the caller gave up may reach it before its
		// cancellation does: the caller sees the cancellation either way.
		if ctxErr := ctx.Err(); ctxErr != nil {
			return v, ctxErr
		}
		if sv, ok := w.staleIfError(ctx, path, o, err); ok {
			return sv, nil
		}
	}
	return v, err
}
