package cachetta

import (
	"context"
	"errors"
	"log/slog"
)

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
