package cachetta

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"runtime/debug"
	"strconv"
	"sync"

	"golang.org/x/sync/singleflight"
)

// Wrap returns fn cached in c's file: a fresh entry is returned without
// calling fn; on a miss fn runs, and its result is written unless the
// condition rejects it. Concurrent calls share one run of fn and receive the
// same value, which they must not mutate. An error from fn is returned and
// not cached; a failed write is logged and the result is still returned. A
// panic in fn reaches every caller waiting on that run. Wrap panics when c
// has a path function, which needs an argument.
//
// Each call of Wrap makes a new wrapper with its own stampede protection:
// wrap once and reuse the result. It is safe for concurrent use. To wrap with
// other settings, as Python's cache(fn, duration=...), wrap a copy made by
// With.
func Wrap[T any](c *Cachetta[T], fn func(context.Context) (T, error)) func(context.Context) (T, error) {
	w := newWrapper(c, "Wrap", func(ctx context.Context, _ []any) (T, error) { return fn(ctx) })
	return func(ctx context.Context) (T, error) {
		return w.call(ctx, nil)
	}
}

// Wrap1 is Wrap for a function of one argument. Without a path function the
// file is c.PathFor(a), so each distinct argument has its own file; with one
// set by WithPathFunc it is the function's result. Wrap1 panics when the path
// function cannot take an A.
func Wrap1[A, T any](c *Cachetta[T], fn func(context.Context, A) (T, error)) func(context.Context, A) (T, error) {
	w := newWrapper(c, "Wrap1", func(ctx context.Context, args []any) (T, error) {
		return fn(ctx, arg[A](args, 0))
	}, reflect.TypeFor[A]())
	return func(ctx context.Context, a A) (T, error) {
		return w.call(ctx, []any{a})
	}
}

// Wrap2 is Wrap1 for a function of two arguments; a path function, if any,
// must be set by WithPathFunc2.
func Wrap2[A, B, T any](c *Cachetta[T], fn func(context.Context, A, B) (T, error)) func(context.Context, A, B) (T, error) {
	w := newWrapper(c, "Wrap2", func(ctx context.Context, args []any) (T, error) {
		return fn(ctx, arg[A](args, 0), arg[B](args, 1))
	}, reflect.TypeFor[A](), reflect.TypeFor[B]())
	return func(ctx context.Context, a A, b B) (T, error) {
		return w.call(ctx, []any{a, b})
	}
}

// Wrap3 is Wrap1 for a function of three arguments, which are always keyed
// automatically: no path function takes three arguments, so Wrap3 panics
// when c has one.
func Wrap3[A, B, C, T any](c *Cachetta[T], fn func(context.Context, A, B, C) (T, error)) func(context.Context, A, B, C) (T, error) {
	w := newWrapper(c, "Wrap3", func(ctx context.Context, args []any) (T, error) {
		return fn(ctx, arg[A](args, 0), arg[B](args, 1), arg[C](args, 2))
	}, reflect.TypeFor[A](), reflect.TypeFor[B](), reflect.TypeFor[C]())
	return func(ctx context.Context, a A, b B, c C) (T, error) {
		return w.call(ctx, []any{a, b, c})
	}
}

// arg returns args[i], which a wrapper put there as an A. A nil interface
// value comes back as the zero A.
func arg[A any](args []any, i int) A {
	a, _ := args[i].(A)
	return a
}

// wrapper is the state of one wrapped function: its own singleflight group,
// so two functions over one path never receive each other's results.
type wrapper[T any] struct {
	c     *Cachetta[T]
	fn    func(context.Context, []any) (T, error) // the wrapped function, taking its arguments as a slice
	group singleflight.Group

	mu      sync.Mutex           // guards flights
	flights map[flightID]*flight // the runs of the function now in progress
}

// flight is one shared run of a wrapped function.
type flight struct {
	ctx     context.Context // keeps the first caller's values; cancelled when no caller waits
	cancel  context.CancelFunc
	waiters int // callers waiting for the result, guarded by wrapper.mu
	guard   writeGuard

	// once runs the function at most once per flight: a caller joining f
	// just as its singleflight call ends starts a second call, which must
	// hand over f's result rather than run again under f's context.
	once   sync.Once
	result any
	err    error
}

// errRunExited is the result of a run whose function called runtime.Goexit.
var errRunExited = errors.New("cachetta: wrapped function exited without returning")

// do returns the singleflight body of f: its one run, or that run's result.
func (w *wrapper[T]) do(id flightID, f *flight, args []any) func() (any, error) {
	return func() (any, error) {
		f.once.Do(func() {
			f.err = errRunExited // kept only if the function never returns
			f.result, f.err = w.run(id, f, args)
		})
		return f.result, f.err
	}
}

// panicValue carries a panic of the wrapped function to the callers waiting
// for its result, who panic again with value, and to the log of a
// background refresh, with the stack where it happened.
type panicValue struct {
	value any
	stack []byte
}

// newWrapper checks that c's path function, if any, takes the wrapped
// function's parameters. A mismatch is a programming error found at wrap
// time, so it panics, as regexp.MustCompile does.
func newWrapper[T any](c *Cachetta[T], name string, fn func(context.Context, []any) (T, error), params ...reflect.Type) *wrapper[T] {
	if pf := c.cfg.pathFunc; pf != nil {
		ok := len(pf.params) == len(params)
		for i := 0; ok && i < len(params); i++ {
			// Calls hand the path function its argument by type assertion:
			// the same type, or an interface the argument's type implements.
			p, q := params[i], pf.params[i]
			ok = p == q || q.Kind() == reflect.Interface && p.Implements(q)
		}
		if !ok {
			panic(fmt.Sprintf("cachetta: %s: the path function takes %v, the wrapped function %v", name, pf.params, params))
		}
	}
	return &wrapper[T]{c: c, fn: fn, flights: make(map[flightID]*flight)}
}

// call returns the cached result for args, or runs the function once for all
// concurrent callers of the same file.
func (w *wrapper[T]) call(ctx context.Context, args []any) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	c := w.c
	path, err := c.PathFor(args...)
	if err != nil {
		return zero, err
	}
	v, f, err := c.lookup(ctx, path)
	switch {
	case errors.Is(err, ErrOutsideRoot):
		return zero, err
	case err != nil:
		c.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "cache read failed, computing",
			slog.String("path", path), slog.Any("err", err))
	case f == fresh:
		c.debug(ctx, "cache hit", path)
		return v, nil
	case f == stale:
		c.debug(ctx, "cache hit: stale, refreshing", path)
		w.refresh(ctx, path, args)
		return v, nil
	}
	return w.compute(ctx, path, args)
}

// compute joins the run of the function for path, starting it when none
// runs, and waits for its result or for ctx to be done.
func (w *wrapper[T]) compute(ctx context.Context, path string, args []any) (T, error) {
	ps := w.c.shared.acquire(path)
	defer w.c.shared.release(path, ps)
	guard := writeGuard{ps: ps, gen: ps.invalidations.Load()}
	id := flightID{path: path, gen: guard.gen}

	w.mu.Lock()
	f := w.flights[id]
	if f == nil {
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f = &flight{ctx: fctx, cancel: cancel, guard: guard}
		w.flights[id] = f
	}
	f.waiters++
	w.mu.Unlock()

	ch := w.group.DoChan(id.key(), w.do(id, f, args))
	select {
	case r := <-ch:
		w.leave(id, f)
		if p, ok := r.Val.(*panicValue); ok {
			panic(p.value)
		}
		v, _ := r.Val.(T) // a nil interface T arrives as nil
		return v, r.Err
	case <-ctx.Done():
		w.leave(id, f)
		var zero T
		return zero, ctx.Err()
	}
}

// flightID names the run for path that began after gen invalidations, so
// that a caller arriving after an Invalidate starts a new run.
type flightID struct {
	path string
	gen  uint64
}

// key is the singleflight key of the run.
func (id flightID) key() string {
	return id.path + "\x00" + strconv.FormatUint(id.gen, 10)
}

// leave records that a caller stopped waiting for f. The last one to leave
// cancels f's context and unregisters it, so that a later caller starts a
// new run rather than joining one whose context is cancelled.
func (w *wrapper[T]) leave(id flightID, f *flight) {
	w.mu.Lock()
	defer w.mu.Unlock()
	f.waiters--
	if f.waiters > 0 {
		return
	}
	f.cancel()
	if w.flights[id] == f {
		delete(w.flights, id)
		w.group.Forget(id.key())
	}
}

// run is the body of a flight: it runs the function and writes its result.
// Wait waits for it. When it ends the flight is unregistered, so that a
// caller arriving later starts a new run rather than a second run of this
// flight, whose context may be done.
func (w *wrapper[T]) run(id flightID, f *flight, args []any) (result any, err error) {
	c, path := w.c, id.path
	c.shared.runs.add()
	defer c.shared.runs.done()
	defer w.unregister(id, f)
	if err := f.ctx.Err(); err != nil {
		// Every caller left before the run began: nothing to do, and Wait,
		// which may have returned already, must not miss a run.
		return nil, err
	}
	defer func() {
		if p := recover(); p != nil {
			result, err = &panicValue{value: p, stack: debug.Stack()}, nil
		}
	}()
	// A caller that missed just before the previous run wrote this file joins
	// no run and starts this one: it finds the file here.
	if v, fr, err := c.lookup(f.ctx, path); err == nil && fr == fresh {
		return v, nil
	}
	v, err := w.fn(f.ctx, args)
	if err != nil {
		return nil, err
	}
	if c.condition != nil && !c.condition(v) {
		c.debug(f.ctx, "write skipped: condition rejected the result", path)
		return v, nil
	}
	// A run nobody waits for any more, whose context was cancelled, is not a
	// failed write to warn about; a refresh past its timeout is.
	if err := c.write(f.ctx, path, v, &f.guard); err != nil && !(errors.Is(err, context.Canceled) && f.ctx.Err() != nil) {
		c.cfg.logger.LogAttrs(f.ctx, slog.LevelWarn, "cache write failed",
			slog.String("path", path), slog.Any("err", err))
	}
	return v, nil
}

// unregister removes f from the flights when it is still registered.
func (w *wrapper[T]) unregister(id flightID, f *flight) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.flights[id] == f {
		delete(w.flights, id)
	}
}
