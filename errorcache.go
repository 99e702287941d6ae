package cachetta

import (
	"context"
	"time"
)

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
