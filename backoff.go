package cachetta

import (
	"context"
	"time"
)

// firstBackoff is how long stale hits wait after the first failed refresh of
// a path before they start another.
const firstBackoff = time.Second

// backoffState is the refresh backoff of one path, kept in shared.backoff
// (see WithRefresh).
type backoffState struct {
	running  bool      // a refresh of the path is in progress
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

// refreshAllowed reports whether a stale or early hit on path may start a
// refresh now: not while one is running, nor before the backoff of the last
// failure has passed.
func (w *wrapper[T]) refreshAllowed(ctx context.Context, path string) bool {
	c := w.c
	b, ok := c.shared.backoff.get(path)
	switch {
	case !ok:
		return true
	case b.running:
		return false // the running refresh is the one; flights would say so too, later
	case time.Now().Before(b.until):
		c.debug(ctx, "refresh skipped: backing off after a failure", path)
		return false
	}
	return true
}

// refreshStarting records that a refresh of path is about to start, so that
// no other starts until refreshEnded, even in the moment after its run has
// ended and before its failure is recorded.
func (w *wrapper[T]) refreshStarting(path string) {
	w.c.shared.backoff.update(path, func(b backoffState, _ bool) (backoffState, bool) {
		b.running = true
		return b, true
	})
}

// refreshEnded records how a refresh of path ended: a success forgets the
// path, a failure (an error, a panic, a runtime.Goexit) sets its next delay.
func (w *wrapper[T]) refreshEnded(path string, failed bool) {
	c := w.c
	now := time.Now()
	c.shared.backoff.update(path, func(b backoffState, _ bool) (backoffState, bool) {
		if !failed {
			return b, false
		}
		b.running = false
		b.failures++
		b.until = now.Add(backoffDelay(b.failures, c.cfg.refreshTimeout))
		return b, true
	})
}

// keepRunning is the update of a backoff that forgets the path's failures:
// only a running refresh stays recorded, for refreshEnded to find.
func keepRunning(b backoffState, ok bool) (backoffState, bool) {
	return backoffState{running: true}, ok && b.running
}
