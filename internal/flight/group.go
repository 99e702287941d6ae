// Package flight runs a function once for every caller that wants its result
// at the same time, and keeps count of the goroutines that do so.
//
// A [Group] holds at most one run per key. The first caller of a key starts
// the run, later callers join it, and each waits with its own context: one
// caller giving up fails only that caller, and a run is cancelled when the
// last of its callers leaves. A panic of the function reaches every caller
// waiting for the run, and a runtime.Goexit reaches them as [ErrGoexit].
//
//	r, start := g.Join(key, ctx, cancel)
//	if start {
//		t.Go(func() { g.Execute(key, r, fn, nil, nil) })
//	}
//	v, err := g.Wait(callerCtx, key, r)
//
// A [Tracker] is a sync.WaitGroup that may gain work while it is waited on,
// for the goroutines that execute runs.
package flight

import (
	"context"
	"errors"
	"runtime/debug"
	"sync"
)

// ErrGoexit is the error callers of a run receive when its function called
// runtime.Goexit instead of returning, as testing.T.FailNow does. It names
// cachetta, whose public ErrGoexit it is.
var ErrGoexit = errors.New("cachetta: wrapped function called runtime.Goexit")

// Group de-duplicates runs of a function: at most one run is registered per
// key, and every caller of that key joins it. The zero value is empty and
// ready to use.
//
// It is golang.org/x/sync/singleflight's design, one map and one record per
// run whose every ending passes through one deferred block, with two things
// singleflight does not offer: a run is cancelled when the last caller waiting
// for it gives up, and callers waiting on a run whose function called
// runtime.Goexit are told so (singleflight's DoChan never answers them).
type Group[K comparable, V any] struct {
	mu   sync.Mutex // guards runs and the waiters of every run in it
	runs map[K]*Run[V]
}

// Run is one execution of a function, shared by its callers.
type Run[V any] struct {
	ctx     context.Context // the run's own context, cancelled when it ends or nobody waits
	cancel  context.CancelFunc
	waiters int           // callers waiting for the result, guarded by Group.mu
	done    chan struct{} // closed when the run has ended and its outcome is set

	// The outcome, set before the run's end is published: read it in the
	// hooks of Execute, or after Wait returned.
	Value V
	Err   error
	Panic *Panic // non-nil when the function panicked
}

// Panic carries a panic of a run's function to the callers waiting for its
// result, who panic again with Value, and to the log of a run that nobody
// waits for, with the stack where it happened.
type Panic struct {
	Value any
	Stack []byte
}

// Context returns the run's context: the one Join or Alone was given,
// cancelled once the run has ended or nobody waits for it.
func (r *Run[V]) Context() context.Context {
	return r.ctx
}

// Join returns the run registered under key with one more waiter, or, when
// there is none, registers a new one with ctx and cancel and reports that the
// caller must start it with Execute. When a run is joined, cancel is called
// at once. Every Join is paired with a Leave, which Wait does.
func (g *Group[K, V]) Join(key K, ctx context.Context, cancel context.CancelFunc) (r *Run[V], start bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if r := g.runs[key]; r != nil {
		r.waiters++
		cancel()
		return r, false
	}
	r = newRun[V](ctx, cancel)
	if g.runs == nil {
		g.runs = make(map[K]*Run[V])
	}
	g.runs[key] = r
	return r, true
}

// Alone returns a new run with one waiter that is never registered, so that
// no other caller joins it. It is executed and waited for as a joined run.
func (g *Group[K, V]) Alone(ctx context.Context, cancel context.CancelFunc) *Run[V] {
	return newRun[V](ctx, cancel)
}

func newRun[V any](ctx context.Context, cancel context.CancelFunc) *Run[V] {
	return &Run[V]{ctx: ctx, cancel: cancel, waiters: 1, done: make(chan struct{})}
}

// Running reports whether a run is registered under key: one that has
// begun, or is about to, and has not yet ended.
func (g *Group[K, V]) Running(key K) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.runs[key] != nil
}

// Len returns how many runs are registered.
func (g *Group[K, V]) Len() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.runs)
}

// Leave records that a caller stopped waiting for r, registered under key.
// When the last one leaves a run that has not ended, its context is
// cancelled and it is unregistered, so that a later caller starts a new run
// rather than joining one whose context is done.
func (g *Group[K, V]) Leave(key K, r *Run[V]) {
	g.mu.Lock()
	defer g.mu.Unlock()
	r.waiters--
	if r.waiters > 0 {
		return
	}
	r.cancel()
	if g.runs[key] == r {
		delete(g.runs, key)
	}
}

// Execute runs fn as r, registered under key, and sets how it ended: a
// result, a panic or a runtime.Goexit. When every caller left before it
// began, fn is not called and the outcome is the context's error. Whichever
// it was, one deferred block then, in this order:
//
//   - calls record(r), while r is still registered: whoever sees with
//     Running that r is gone also sees what record recorded. It must not
//     join or wait for a run of g, whose callers are still waiting;
//   - unregisters r and releases the callers waiting for it;
//   - calls ended(r, waited), where waited tells whether any caller still
//     waited for r.
//
// Either hook may be nil.
func (g *Group[K, V]) Execute(key K, r *Run[V], fn func(context.Context) (V, error), record func(*Run[V]), ended func(r *Run[V], waited bool)) {
	returned := false
	defer func() {
		if !returned {
			if p := recover(); p != nil {
				r.Panic = &Panic{Value: p, Stack: debug.Stack()}
			} else {
				r.Err = ErrGoexit
			}
		}
		r.cancel()
		if record != nil {
			record(r)
		}
		g.mu.Lock()
		if g.runs[key] == r {
			delete(g.runs, key)
		}
		waited := r.waiters > 0
		g.mu.Unlock()
		close(r.done)
		if ended != nil {
			ended(r, waited)
		}
	}()
	if err := r.ctx.Err(); err != nil {
		// Every caller left before the run began: there is nothing to do.
		r.Err = err
	} else {
		r.Value, r.Err = fn(r.ctx)
	}
	returned = true
}

// Wait returns r's result once it has ended, or ctx's error when ctx is done
// first, and leaves r. A panic of the function is raised again here, in the
// caller.
func (g *Group[K, V]) Wait(ctx context.Context, key K, r *Run[V]) (V, error) {
	defer g.Leave(key, r)
	select {
	case <-r.done:
		if r.Panic != nil {
			panic(r.Panic.Value)
		}
		return r.Value, r.Err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}
