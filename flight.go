package cachetta

import (
	"context"
	"errors"
	"runtime/debug"
	"sync"
)

// ErrGoexit is the error callers of a wrapped function receive when the run
// they waited for ended by runtime.Goexit instead of returning, as
// testing.T.FailNow ends a test. The run is logged and nothing is written.
var ErrGoexit = errors.New("cachetta: wrapped function called runtime.Goexit")

// flights de-duplicates the runs of one wrapped function: at most one run per
// flightID, which every caller of that file joins.
//
// It is golang.org/x/sync/singleflight's design, one map and one record per
// run whose every ending passes through one deferred block, with two things
// singleflight does not offer: a run is cancelled when the last caller waiting
// for it gives up, and callers waiting on a run whose function called
// runtime.Goexit are told so (singleflight's DoChan never answers them).
// Wrapping singleflight would need a second registry for the first, kept in
// step with its own; one registry is what a reader can check.
type flights[T any] struct {
	mu   sync.Mutex // guards runs and the waiters of every run in it
	runs map[flightID]*run[T]
}

// flightID names the run for path that began after gen invalidations, so
// that a caller arriving after an Invalidate starts a new run.
type flightID struct {
	path string
	gen  uint64
	kind flightKind // which callers share the run: see flightKind
}

// run is one execution of a wrapped function, shared by its callers.
type run[T any] struct {
	ctx     context.Context // the run's own context, cancelled when it ends or nobody waits
	cancel  context.CancelFunc
	waiters int // callers waiting for the result, guarded by flights.mu

	done chan struct{} // closed when the run has ended and the fields below are set
	val  T
	err  error
	pan  *panicValue // non-nil when the function panicked
}

// panicValue carries a panic of the wrapped function to the callers waiting
// for its result, who panic again with value, and to the log of a run that
// nobody waits for, with the stack where it happened.
type panicValue struct {
	value any
	stack []byte
}

// join returns the run registered under id with one more waiter, or, when
// there is none, registers a new one with ctx and cancel and reports that the
// caller must start it with execute.
func (g *flights[T]) join(id flightID, ctx context.Context, cancel context.CancelFunc) (r *run[T], start bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if r := g.runs[id]; r != nil {
		r.waiters++
		cancel()
		return r, false
	}
	r = &run[T]{ctx: ctx, cancel: cancel, waiters: 1, done: make(chan struct{})}
	if g.runs == nil {
		g.runs = make(map[flightID]*run[T])
	}
	g.runs[id] = r
	return r, true
}

// alone returns a new run with one waiter that is never registered, so that
// no other caller joins it: the run of a ForceRefresh call, which must not
// share a run with callers that came before or after it.
func (g *flights[T]) alone(ctx context.Context, cancel context.CancelFunc) *run[T] {
	return &run[T]{ctx: ctx, cancel: cancel, waiters: 1, done: make(chan struct{})}
}

// leave records that a caller stopped waiting for r. When the last one
// leaves a run that has not ended, its context is cancelled and it is
// unregistered, so that a later caller starts a new run rather than joining
// one whose context is done.
func (g *flights[T]) leave(id flightID, r *run[T]) {
	g.mu.Lock()
	defer g.mu.Unlock()
	r.waiters--
	if r.waiters > 0 {
		return
	}
	r.cancel()
	if g.runs[id] == r {
		delete(g.runs, id)
	}
}

// execute runs body as r and publishes how it ended: a result, a panic or a
// runtime.Goexit. Whichever it was, the deferred block unregisters r, closes
// r.done and then calls ended, which sees whether anybody still waited.
func (g *flights[T]) execute(id flightID, r *run[T], body func(context.Context) (T, error), ended func(r *run[T], waited bool)) {
	returned := false
	defer func() {
		if !returned {
			if p := recover(); p != nil {
				r.pan = &panicValue{value: p, stack: debug.Stack()}
			} else {
				r.err = ErrGoexit
			}
		}
		r.cancel()
		g.mu.Lock()
		if g.runs[id] == r {
			delete(g.runs, id)
		}
		waited := r.waiters > 0
		g.mu.Unlock()
		close(r.done)
		ended(r, waited)
	}()
	if err := r.ctx.Err(); err != nil {
		// Every caller left before the run began: there is nothing to do.
		r.err = err
	} else {
		r.val, r.err = body(r.ctx)
	}
	returned = true
}

// wait returns r's result once it has ended, or ctx's error when ctx is done
// first. A panic of the function is raised again here, in the caller.
func (g *flights[T]) wait(ctx context.Context, id flightID, r *run[T]) (T, error) {
	defer g.leave(id, r)
	select {
	case <-r.done:
		if r.pan != nil {
			panic(r.pan.value)
		}
		return r.val, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}
