package cachetta

import (
	"context"
	"sync"
)

// refresh starts one background run of the function for the stale entry at
// path, unless a run for it is in progress. Callers that miss while it runs
// join it and receive its result.
func (w *wrapper[T]) refresh(ctx context.Context, path string, args []any) {
	c := w.c
	if !w.refreshAllowed(ctx, path) {
		return
	}
	ps := c.shared.acquire(path)
	defer c.shared.release(path, ps)
	guard := writeGuard{ps: ps, gen: ps.invalidations.Load()}
	id := flightID{path: path, gen: guard.gen}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.cfg.refreshTimeout)
	r, start := w.flights.join(id, rctx, cancel)
	if !start {
		// A run is in progress: it is the refresh.
		w.flights.leave(id, r)
		return
	}
	w.refreshStarting(path)
	w.start(id, r, args, guard, true)
}

// Wait blocks until every background refresh, and every run of a wrapped
// function, started through c or any of its copies has ended. Runs may start
// while Wait waits; it returns at a moment when none is in progress. Call it
// before exiting so that refreshes finish writing; never from inside a
// wrapped function, a condition or a logger, which would wait for itself.
func (c *Cachetta[T]) Wait() {
	c.shared.runs.Wait()
}

// tracker counts runs and background refreshes. Unlike a sync.WaitGroup it
// may gain work while Wait is waiting, which a cache serving traffic needs.
type tracker struct {
	mu      sync.Mutex    // guards running and idle
	running int           // work in progress
	idle    chan struct{} // closed when running drops to zero
}

// Go runs f in a new goroutine that Wait waits for.
func (t *tracker) Go(f func()) {
	t.add()
	go func() {
		defer t.done()
		f()
	}()
}

// add records work that has begun; done must follow.
func (t *tracker) add() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.running == 0 {
		t.idle = make(chan struct{})
	}
	t.running++
}

func (t *tracker) done() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.running--
	if t.running == 0 {
		close(t.idle)
	}
}

// Wait blocks until no work recorded by add runs.
func (t *tracker) Wait() {
	t.mu.Lock()
	if t.running == 0 {
		t.mu.Unlock()
		return
	}
	idle := t.idle
	t.mu.Unlock()
	<-idle
}
