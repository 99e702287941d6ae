package cachetta

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

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

// rememberedError is an error of a wrapped function that WithErrorCaching
// keeps for a path.
type rememberedError struct {
	err   error
	at    time.Time // when the function returned it
	until time.Time // when it is forgotten
}

// recall returns the error remembered for path, if there is one younger than
// its duration and than the MaxAge of o, which may be nil.
func (w *wrapper[T]) recall(ctx context.Context, path string, o *overrides) (error, bool) {
	c := w.c
	if c.cfg.errorCaching == nil {
		return nil, false
	}
	e, ok := c.shared.errors.get(path)
	if !ok {
		return nil, false
	}
	now := time.Now()
	if !now.Before(e.until) {
		// Forget it, unless a newer error took its place meanwhile. Error
		// values need not be comparable; their times are.
		c.shared.errors.update(path, func(cur rememberedError, ok bool) (rememberedError, bool) {
			return cur, ok && !(cur.at.Equal(e.at) && cur.until.Equal(e.until))
		})
		return nil, false
	}
	if o != nil && o.bounded && now.Sub(e.at) >= o.maxAge {
		return nil, false
	}
	c.debug(ctx, "cache hit: remembered error", path)
	return e.err, true
}

// remember keeps err for path when WithErrorCaching matches it, unless the
// run's context is done or the path was written or invalidated since the
// computation began, when its change count was changes.
func (w *wrapper[T]) remember(ctx context.Context, path string, ps *pathState, changes uint64, err error) {
	ec := w.c.cfg.errorCaching
	if ec == nil || ctx.Err() != nil || !ec.match(err) {
		return
	}
	now := time.Now()
	// Under the path's lock, as writes and invalidations change the count.
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.changes.Load() == changes {
		w.c.shared.errors.set(path, rememberedError{err: err, at: now, until: now.Add(ec.ttl)})
	}
}

// staleIfErrorWindow returns c, or, when Refresh.StaleIfError sets a window, a
// copy of c whose stale window reaches that far past its own: the freshness
// rule of the entries a caller may fall back on. The copy shares c's memory
// and files.
func (c *Cachetta[T]) staleIfErrorWindow() *Cachetta[T] {
	if c.cfg.staleIfError == 0 {
		return c
	}
	cp := *c
	cp.cfg.stale += cp.cfg.staleIfError
	cp.cfg.staleIfError = 0
	return &cp
}

// staleIfError returns the entry at path that a call whose computation
// failed with err answers with instead, if Refresh.StaleIfError allows one and
// the MaxAge of o, which may be nil, does too.
func (w *wrapper[T]) staleIfError(ctx context.Context, path string, o *overrides, err error) (T, bool) {
	var zero T
	c := w.c
	if c.cfg.staleIfError == 0 || ctx.Err() != nil || errors.Is(err, ErrGoexit) {
		return zero, false
	}
	// An error that error caching remembers is an answer, not a failure.
	if ec := c.cfg.errorCaching; ec != nil && ec.match(err) {
		return zero, false
	}
	v, f, lerr := c.staleIfErrorWindow().lookupFor(ctx, path, o)
	if lerr != nil || f == missing {
		return zero, false
	}
	c.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "computation failed, serving a stale entry",
		slog.String("path", path), slog.Any("err", err))
	if f == stale {
		c.staleHitCounted(path)
	}
	return v, true
}
