package cachetta

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"time"

	"github.com/cachetta-go/cachetta/internal/flight"
	"github.com/cachetta-go/cachetta/internal/memory"
	"github.com/cachetta-go/cachetta/internal/storage"
)

// ErrGoexit is the error callers of a wrapped function receive when the run
// they waited for ended by runtime.Goexit instead of returning, as
// testing.T.FailNow ends a test. The run is logged and nothing is written.
var ErrGoexit = flight.ErrGoexit

// Wrap returns fn cached in c's file: a fresh entry is returned without
// calling fn; on a miss fn runs, and its result is written unless the
// condition rejects it. Concurrent calls share one run of fn and receive the
// same value, which they must not mutate. An error from fn is returned and
// not cached, unless WithErrorCaching remembers it in memory; a failed
// write is logged and the result is still returned. A panic in fn reaches
// every caller waiting on that run. Wrap panics when c has a path function,
// which needs an argument.
//
// Each call of Wrap makes a new wrapper with its own stampede protection:
// wrap once and reuse the result. It is safe for concurrent use. To wrap with
// other settings, as Python's cache(fn, duration=...), wrap a copy made by
// With.
func Wrap[T any](c *Cachetta[T], fn func(context.Context) (T, error)) func(context.Context) (T, error) {
	w := newWrapper(c, "Wrap", func(ctx context.Context, _ []any) (T, error) { return fn(ctx) })
	return func(ctx context.Context) (T, error) {
		if e, ok := w.hit(ctx, c.unkeyed); ok {
			return e.value, nil
		}
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
	// Only a plain A is looked up: an interface A may hold a value that
	// cannot be a map key.
	var zero A
	known := c.known
	if !plainArg(zero) {
		known = nil
	}
	var memo *memory.Args[A, *handle[T]]
	if known == nil {
		memo = argMemo[A](c)
	}
	// With a path function, a hit needs its result, and the path that
	// result resolves to is remembered.
	pf, _ := c.pathFuncOf().(func(A) string)
	if c.memory == nil {
		pf = nil
	}
	return func(ctx context.Context, a A) (T, error) {
		switch {
		case known != nil:
			if h, ok := known.get(a); ok {
				if e, ok := w.hit(ctx, h); ok {
					return e.value, nil
				}
			}
		case memo != nil:
			if h, ok := memo.Get(a); ok {
				if e, ok := w.hit(ctx, h); ok {
					return e.value, nil
				}
				return w.callAt(ctx, h.Key().String(), []any{a})
			}
			return callRemembering(ctx, w, memo, a, []any{a})
		case pf != nil:
			if h, ok := w.resolved(pf(a)); ok {
				if e, ok := w.hit(ctx, h); ok {
					return e.value, nil
				}
				return w.callAt(ctx, h.Key().String(), []any{a})
			}
		}
		return w.call(ctx, []any{a})
	}
}

// Wrap2 is Wrap1 for a function of two arguments; a path function, if any,
// must be set by WithPathFunc2.
func Wrap2[A, B, T any](c *Cachetta[T], fn func(context.Context, A, B) (T, error)) func(context.Context, A, B) (T, error) {
	w := newWrapper(c, "Wrap2", func(ctx context.Context, args []any) (T, error) {
		return fn(ctx, arg[A](args, 0), arg[B](args, 1))
	}, reflect.TypeFor[A](), reflect.TypeFor[B]())
	memo := argMemo[pair[A, B]](c)
	pf, _ := c.pathFuncOf().(func(A, B) string)
	if c.memory == nil {
		pf = nil
	}
	return func(ctx context.Context, a A, b B) (T, error) {
		switch {
		case memo != nil:
			if h, ok := memo.Get(pair[A, B]{a, b}); ok {
				if e, ok := w.hit(ctx, h); ok {
					return e.value, nil
				}
				return w.callAt(ctx, h.Key().String(), []any{a, b})
			}
			return callRemembering(ctx, w, memo, pair[A, B]{a, b}, []any{a, b})
		case pf != nil:
			if h, ok := w.resolved(pf(a, b)); ok {
				if e, ok := w.hit(ctx, h); ok {
					return e.value, nil
				}
				return w.callAt(ctx, h.Key().String(), []any{a, b})
			}
		}
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
	memo := argMemo[triple[A, B, C]](c)
	return func(ctx context.Context, a A, b B, c C) (T, error) {
		if memo != nil {
			if h, ok := memo.Get(triple[A, B, C]{a, b, c}); ok {
				if e, ok := w.hit(ctx, h); ok {
					return e.value, nil
				}
				return w.callAt(ctx, h.Key().String(), []any{a, b, c})
			}
			return callRemembering(ctx, w, memo, triple[A, B, C]{a, b, c}, []any{a, b, c})
		}
		return w.call(ctx, []any{a, b, c})
	}
}

// arg returns args[i], which a wrapper put there as an A. A nil interface
// value comes back as the zero A.
func arg[A any](args []any, i int) A {
	a, _ := args[i].(A)
	return a
}

// wrapper is the state of one wrapped function: its own runs, so two
// functions over one path never receive each other's results.
type wrapper[T any] struct {
	c       *Cachetta[T]
	fn      func(context.Context, []any) (T, error) // the wrapped function, taking its arguments as a slice
	flights flight.Group[flightID, T]
	// results remembers what the results of a path function resolve to;
	// nil without memory or path function. The paths of other arguments
	// are remembered by Wrap1, Wrap2 and Wrap3 themselves, which know
	// their types (see argMemo).
	results *memory.Values[string, *handle[T]]
}

// pair and triple are the arguments of Wrap2 and Wrap3 as one value, for
// an argument memo: their content is that of each argument in turn.
type (
	pair[A, B any] struct {
		a A
		b B
	}
	triple[A, B, C any] struct {
		a A
		b B
		c C
	}
)

// argMemo returns the memo of the paths of arguments of type P for a
// wrapper of c, or nil when c has no memory or a path function, whose
// results are remembered instead, or when P's content cannot stand for its
// key (see spellsItself and internal/memory.Args).
func argMemo[P, T any](c *Cachetta[T]) *memory.Args[P, *handle[T]] {
	if c.memory == nil || c.cfg.pathFunc != nil {
		return nil
	}
	return memory.NewArgs[P, *handle[T]](c.cfg.lruSize, spellsItself)
}

// callRemembering is call for args, which the memo key stands for in memo,
// where it remembers their path.
func callRemembering[P, T any](ctx context.Context, w *wrapper[T], memo *memory.Args[P, *handle[T]], key P, args []any) (T, error) {
	path, err := w.pathOf(ctx, args)
	if err != nil {
		var zero T
		return zero, err
	}
	memo.Set(key, w.c.memory.handle(path))
	return w.callAt(ctx, path, args)
}

// resolved returns the handle of the path that the result p of the path
// function resolves to, remembering it, or false when it resolves to none.
func (w *wrapper[T]) resolved(p string) (*handle[T], bool) {
	if h, ok := w.results.Get(p); ok {
		return h, true
	}
	if p == "" {
		return nil, false
	}
	path, err := w.c.confine(w.c.storage.Resolve(p))
	if err != nil {
		return nil, false
	}
	h := w.c.memory.handle(path)
	w.results.Set(p, h)
	return h, true
}

// flightID names the run for path that began after gen invalidations, so
// that a caller arriving after an Invalidate starts a new run.
type flightID struct {
	path string
	gen  uint64
	kind flightKind // which callers share the run: see flightKind
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
	w := &wrapper[T]{c: c, fn: fn}
	if c.memory != nil && c.cfg.pathFunc != nil {
		w.results = memory.NewValues[string, *handle[T]](c.cfg.lruSize)
	}
	return w
}

// call returns the cached result for args, or runs the function once for all
// concurrent callers of the same file.
func (w *wrapper[T]) call(ctx context.Context, args []any) (T, error) {
	path, err := w.pathOf(ctx, args)
	if err != nil {
		var zero T
		return zero, err
	}
	return w.callAt(ctx, path, args)
}

// pathOf returns the path of args for a call with ctx, or ctx's error when
// it is done.
func (w *wrapper[T]) pathOf(ctx context.Context, args []any) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	return w.c.pathOf(args)
}

// callAt is call for args, which resolve to path.
func (w *wrapper[T]) callAt(ctx context.Context, path string, args []any) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	c := w.c
	o := overridesOf(ctx)
	if o.skipsCache() {
		c.missCounted(path)
		return w.uncached(ctx, path, args, o)
	}
	v, f, err := c.lookupFor(ctx, path, o)
	c.callCounted(ctx, path, f, err)
	switch {
	case errors.Is(err, ErrOutsideRoot):
		return zero, err
	case err != nil && ctx.Err() != nil:
		// The read stopped because the caller gave up: no warning, no run.
		return zero, ctx.Err()
	case err != nil:
		c.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "cache read failed, computing",
			slog.String("path", path), slog.Any("err", err))
	case f == fresh:
		c.debug(ctx, "cache hit", path)
		if c.cfg.earlyRefresh > 0 {
			w.refreshEarly(ctx, path, args)
		}
		return v, nil
	case f == stale:
		c.debug(ctx, "cache hit: stale, refreshing", path)
		w.refresh(ctx, path, args)
		return v, nil
	}
	return w.miss(ctx, path, args, o) // error caching and stale-if-error apply
}

// hit returns the fresh entry memory holds through h, the handle of a path
// the call's arguments are known to resolve to, or nil for none, when the
// call may take it without the full lookup: with early refresh, a fresh
// hit may start a run, which needs the arguments.
func (w *wrapper[T]) hit(ctx context.Context, h *handle[T]) (*entry[T], bool) {
	c := w.c
	if h == nil || c.cfg.earlyRefresh > 0 || ctx.Err() != nil {
		return nil, false
	}
	e, ok := c.memoryHit(ctx, h)
	if ok {
		c.debug(ctx, "cache hit", h.Key().String())
	}
	return e, ok
}

// compute joins the run of the function for path, starting it when none
// runs, and waits for its result or for ctx to be done.
func (w *wrapper[T]) compute(ctx context.Context, path string, args []any) (T, error) {
	for {
		v, err := w.computeOnce(ctx, path, args)
		// The caller joined a background refresh that found the entry's run
		// lock held elsewhere and ended without running: it waits for the
		// lock in a run of its own. Each round needs another refresh to
		// start between two joins and find the lock held again.
		if !errors.Is(err, storage.ErrBusy) {
			return v, err
		}
	}
}

// computeOnce is one round of compute.
func (w *wrapper[T]) computeOnce(ctx context.Context, path string, args []any) (T, error) {
	c := w.c
	ps := c.shared.acquire(path)
	defer c.shared.release(path, ps)
	guard := writeGuard{ps: ps, gen: ps.invalidations.Load()}
	id := flightID{path: path, gen: guard.gen}
	// The run keeps the first caller's values but not its cancellation: it
	// is cancelled when no caller waits any more.
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r, start := w.flights.Join(id, rctx, cancel)
	if start {
		w.start(id, r, args, guard, false)
	} else {
		c.joinCounted(path)
	}
	return w.flights.Wait(ctx, id, r)
}

// start executes r in a goroutine that Wait waits for. The run holds its
// own reference to its path's state, so its guard stays valid after its
// callers leave.
func (w *wrapper[T]) start(id flightID, r *flight.Run[T], args []any, guard writeGuard, background bool) {
	c := w.c
	ps := c.shared.acquire(id.path)
	began := time.Now()
	var record func(*flight.Run[T])
	if background {
		record = func(r *flight.Run[T]) { w.refreshEnded(id.path, r) }
	}
	c.shared.runs.Go(func() {
		defer c.shared.release(id.path, ps)
		if background {
			// The refresh is the run's first waiter until it ends, so
			// callers that join it and give up never cancel it.
			defer w.flights.Leave(id, r)
		}
		w.flights.Execute(id, r, func(ctx context.Context) (T, error) {
			return w.run(ctx, id.path, args, &guard, background)
		}, record, func(r *flight.Run[T], waited bool) {
			w.ended(r, id.path, background, waited)
			if background {
				c.refreshCounted(id.path, began, r)
			}
		})
	})
}

// run is the body of a run: it takes the entry's run lock, calls the
// function and writes its result. A background refresh does not wait for the
// lock: when another process holds it, that process is refreshing the entry,
// and the run ends with storage.ErrBusy.
func (w *wrapper[T]) run(ctx context.Context, path string, args []any, guard *writeGuard, background bool) (T, error) {
	var zero T
	c := w.c
	l, err := c.lockRun(ctx, path, guard.gen, background)
	if err != nil {
		return zero, err
	}
	if l != nil {
		defer l.Unlock()
		guard.run = l
	}
	// A caller that missed just before the previous run wrote this file joins
	// no run and starts this one, and a process that waited for the lock did
	// so while another wrote it: they find the file here.
	if v, fr, err := c.lookupFor(ctx, path, overridesOf(ctx)); err == nil && fr == fresh {
		return v, nil
	}
	v, err := w.invoke(ctx, path, args, guard)
	if err != nil {
		return zero, err
	}
	if c.condition != nil && !c.condition(v) {
		c.debug(ctx, "write skipped: condition rejected the result", path)
		return v, nil
	}
	// A run nobody waits for any more, whose context was cancelled, is not a
	// failed write to warn about; a refresh past its timeout is.
	if err := c.write(ctx, path, v, guard); err != nil && !(errors.Is(err, context.Canceled) && ctx.Err() != nil) {
		c.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "cache write failed",
			slog.String("path", path), slog.Any("err", err))
	}
	return v, nil
}

// lockRun takes the run lock of the entry at path, across processes, for a
// run that began after owner invalidations of it in this family, waiting
// unless background is set. It returns nil when the run goes on without
// the lock (see backend.LockRun), an error wrapping storage.ErrBusy when a
// background refresh finds it held, and ctx's error. While the run holds
// it, an Invalidate of the entry in this family frees it (see handOver).
func (c *Cachetta[T]) lockRun(ctx context.Context, path string, owner uint64, background bool) (storage.RunLock, error) {
	// A run that reads or writes nothing has nothing to share.
	if !c.cfg.processLock || !c.cfg.read || !c.cfg.write {
		return nil, nil
	}
	lockRun := c.storage.LockRun
	if background {
		lockRun = c.storage.TryLockRun
	}
	l, err := lockRun(ctx, path)
	if err != nil || l == nil {
		return nil, err
	}
	return heldLock{l, c.shared.holdRun(path, l, owner)}, nil
}

// heldLock is a run lock the family has recorded as held until Unlock.
type heldLock struct {
	storage.RunLock
	end func()
}

func (l heldLock) Unlock() {
	l.end()
	l.RunLock.Unlock()
}

// invoke calls the wrapped function for path in a run whose context is ctx,
// and records what the policies learn from the call: how long a successful
// computation took (Refresh.Early) and an error to remember
// (WithErrorCaching). The function receives ctx without the overrides of
// the call that started the run: they are that call's, not the function's.
func (w *wrapper[T]) invoke(ctx context.Context, path string, args []any, guard *writeGuard) (T, error) {
	changes := guard.ps.changes.Load()
	began := time.Now()
	v, err := w.invoked(withoutOverrides(ctx), path, args)
	if err != nil {
		w.remember(ctx, path, guard.ps, changes, err)
		return v, err
	}
	if w.c.cfg.earlyRefresh > 0 {
		w.c.shared.timings.set(path, time.Since(began))
	}
	return v, nil
}

// ended logs what no caller will see: the failure of a background refresh,
// a panic nobody waited for, and a runtime.Goexit of the function.
func (w *wrapper[T]) ended(r *flight.Run[T], path string, background, waited bool) {
	log := w.c.cfg.logger
	ctx := r.Context()
	switch {
	case r.Panic != nil && background:
		log.LogAttrs(ctx, slog.LevelError, "background refresh panicked",
			slog.String("path", path), slog.Any("panic", r.Panic.Value), slog.String("stack", string(r.Panic.Stack)))
	case r.Panic != nil && !waited:
		log.LogAttrs(ctx, slog.LevelError, "wrapped function panicked after its callers left",
			slog.String("path", path), slog.Any("panic", r.Panic.Value), slog.String("stack", string(r.Panic.Stack)))
	case errors.Is(r.Err, storage.ErrBusy):
		w.c.debug(ctx, "refresh skipped: another process is refreshing", path)
	case errors.Is(r.Err, ErrGoexit):
		log.LogAttrs(ctx, slog.LevelError, "wrapped function called runtime.Goexit", slog.String("path", path))
	case r.Err != nil && background:
		log.LogAttrs(ctx, slog.LevelError, "background refresh failed",
			slog.String("path", path), slog.Any("err", r.Err))
	}
}
