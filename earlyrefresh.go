package cachetta

import (
	"context"
	"math"
	"math/rand/v2"
	"time"
)

// refreshEarly starts a background refresh of the fresh entry at path when
// XFetch draws it (see Refresh.Early): when now - delta*beta*ln(rand)
// reaches the entry's expiry, delta being the time the last computation of
// path took. Without a delta it does nothing.
func (w *wrapper[T]) refreshEarly(ctx context.Context, path string, args []any) {
	c := w.c
	delta, ok := c.shared.timings.get(path)
	if !ok || delta <= 0 {
		return
	}
	modTime, ok := c.modTimeOf(ctx, path)
	if !ok {
		return
	}
	remaining := time.Until(modTime.Add(c.cfg.duration))
	// In floating point, where a draw of 0 gives +Inf rather than an
	// overflowed Duration.
	if float64(delta)*c.cfg.earlyRefresh*-math.Log(c.shared.uniform()) < float64(remaining) {
		return
	}
	c.debug(ctx, "cache hit: refreshing early", path)
	// Forced, or the run would find the entry fresh and take it.
	w.refresh(ForceRefresh(ctx), path, args)
}

// modTimeOf returns the modification time of the entry at path, from memory
// when it is there, or else from storage.
func (c *Cachetta[T]) modTimeOf(ctx context.Context, path string) (time.Time, bool) {
	if c.memory != nil {
		if e, s, ok := c.memory.get(path); ok {
			c.memoryRefused(s, true) // a look at its age, not a hit
			return e.modTime, true
		}
	}
	m, err := c.storage.Stat(ctx, path)
	return m.ModTime, err == nil
}

// uniform returns a number drawn uniformly from [0, 1) by the family's
// random source: math/rand/v2's, unless a test set shared.random.
func (s *shared[T]) uniform() float64 {
	if s.random != nil {
		return s.random()
	}
	return rand.Float64()
}
