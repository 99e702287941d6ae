package cachetta

import (
	"context"
	"math"
	"math/rand/v2"
	"time"

	"github.com/cachetta-go/cachetta/internal/flight"
)

// refresh starts one background run of the function for the stale entry at
// path, unless a run for it is in progress or the backoff of its last failed
// refresh has not passed. Callers that miss while it runs join it and
// receive its result.
func (w *wrapper[T]) refresh(ctx context.Context, path string, args []any) {
	c := w.c
	ps := c.shared.acquire(path)
	defer c.shared.release(path, ps)
	guard := writeGuard{ps: ps, gen: ps.invalidations.Load()}
	id := flightID{path: path, gen: guard.gen}
	if !w.refreshAllowed(ctx, id) {
		return
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.cfg.refreshTimeout)
	r, start := w.flights.Join(id, rctx, cancel)
	if !start {
		// A run began since refreshAllowed looked: it is the refresh.
		w.flights.Leave(id, r)
		return
	}
	w.start(id, r, args, guard, true)
}

// refreshAllowed reports whether a stale or early hit may start the refresh
// that id names: not while a run of it is registered, nor before the backoff
// of the last failed refresh of its path has passed. The flights are asked
// first: a refresh records its failure before its run is unregistered (see
// refreshEnded), so once they show no run the backoff shows its failure.
func (w *wrapper[T]) refreshAllowed(ctx context.Context, id flightID) bool {
	if w.flights.Running(id) {
		return false
	}
	b, ok := w.c.shared.backoff.get(id.path)
	if ok && time.Now().Before(b.until) {
		w.c.debug(ctx, "refresh skipped: backing off after a failure", id.path)
		return false
	}
	return true
}

// Wait blocks until every background refresh, and every run of a wrapped
// function, started through c or any of its copies has ended. Runs may start
// while Wait waits; it returns at a moment when none is in progress. Call it
// before exiting so that refreshes finish writing; never from inside a
// wrapped function, a condition or a logger, which would wait for itself.
func (c *Cachetta[T]) Wait() {
	c.shared.runs.Wait()
}

// firstBackoff is how long stale hits wait after the first failed refresh of
// a path before they start another.
const firstBackoff = time.Second

// backoffState is the refresh backoff of one path, kept in shared.backoff
// (see WithRefresh). Whether a refresh of the path runs is the flights' to
// know, not this.
type backoffState struct {
	failures int       // consecutive failed refreshes
	until    time.Time // no refresh starts before this
}

// backoffDelay returns how long refreshes wait after the given number of
// consecutive failures, at least one: firstBackoff, doubled for each failure
// after the first, at most limit.
func backoffDelay(failures int, limit time.Duration) time.Duration {
	d := firstBackoff
	for range failures - 1 {
		if d >= limit/2 {
			return limit
		}
		d *= 2
	}
	return min(d, limit)
}

// refreshEnded records how the refresh r of path ended: a success forgets
// the path, a failure (an error, a panic, a runtime.Goexit) sets its next
// delay. It is the refresh's record hook (see flight.Group.Execute), run
// while r is still registered, so that no stale hit finds neither the run
// nor its failure.
func (w *wrapper[T]) refreshEnded(path string, r *flight.Run[T]) {
	c := w.c
	failed := r.Err != nil || r.Panic != nil
	now := time.Now()
	c.shared.backoff.update(path, func(b backoffState, _ bool) (backoffState, bool) {
		if !failed {
			return b, false
		}
		b.failures++
		b.until = now.Add(backoffDelay(b.failures, c.cfg.refreshTimeout))
		return b, true
	})
}

// keepRunning is the update of a backoff that forgets the path's failures.
// A refresh of the path that is running keeps running: the flights know of
// it, and its end records its outcome afresh.
func keepRunning(backoffState, bool) (backoffState, bool) {
	return backoffState{}, false
}

// refreshEarly starts a background refresh of the fresh entry at path when
// XFetch draws it (see Refresh.Early and xfetch), delta being the time the
// last computation of path took. Without a delta it does nothing.
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
	if !xfetch(float64(delta), c.cfg.earlyRefresh, float64(remaining), rand.Float64()) {
		return
	}
	c.debug(ctx, "cache hit: refreshing early", path)
	// Forced, or the run would find the entry fresh and take it.
	w.refresh(ForceRefresh(ctx), path, args)
}

// xfetch reports whether a hit on an entry that expires in remaining
// refreshes it early, for a computation that took delta, the factor beta
// (Refresh.Early) and a draw u uniform in [0, 1): when
// delta*beta*(-ln u) reaches remaining. It computes in floating point, where
// a draw of 0 gives +Inf rather than an overflowed Duration. As -ln u lies
// in (0, +Inf], a beta of math.MaxFloat64 refreshes at every draw, and
// math/rand/v2's draws other than 0 keep -ln u below 37.
func xfetch(delta, beta, remaining, u float64) bool {
	return delta*beta*-math.Log(u) >= remaining
}

// modTimeOf returns the modification time of the entry at path, from memory
// when it is there, or else from storage.
func (c *Cachetta[T]) modTimeOf(ctx context.Context, path string) (time.Time, bool) {
	if c.memory != nil {
		if e, ok := c.memory.peek(path); ok { // a look at its age, not a hit
			return e.modTime, true
		}
	}
	m, err := c.storage.Stat(ctx, path)
	return m.ModTime, err == nil
}
