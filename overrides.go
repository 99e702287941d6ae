package cachetta

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/cachetta-go/cachetta/internal/flight"
)

// ForceRefresh returns a copy of ctx with which a call of a wrapped function
// ignores what is cached, runs the function and writes its result. Such a
// call never joins a run that began before it, nor lets another caller join
// its own; it ignores errors remembered by WithErrorCaching and does not fall
// back on Refresh.StaleIfError. With Read and ReadStale it makes every entry a
// miss, so that a caller computing and writing on a miss refreshes the entry.
//
// Like Bypass and MaxAge, it applies to the call that carries ctx only: the
// context the wrapped function receives does not carry it, so the function's
// own cached calls are not forced. The overrides compose:
// ForceRefresh(MaxAge(ctx, d)) carries both.
func ForceRefresh(ctx context.Context) context.Context {
	o := overridesOf(ctx).clone()
	o.force = true
	return withOverrides(ctx, o)
}

// Bypass returns a copy of ctx with which a call neither reads nor writes the
// cache: a wrapped function runs as if uncached, sharing a run only with
// concurrent callers that bypass too; Read and ReadStale miss; Write does
// nothing and returns nil. Nothing is filled in memory, and no error is
// remembered. Bypass takes precedence over ForceRefresh and MaxAge.
func Bypass(ctx context.Context) context.Context {
	o := overridesOf(ctx).clone()
	o.bypass = true
	return withOverrides(ctx, o)
}

// MaxAge returns a copy of ctx with which an entry older than d is a miss for
// the call that carries it, even when the cache's duration is longer: a
// wrapped function then runs (sharing a run with other callers), and Read
// and ReadStale miss. It bounds entries from memory, stale entries, entries
// served by Refresh.StaleIfError and errors remembered by WithErrorCaching alike.
// An age is measured as the cache's duration is, and an entry of age exactly
// d is a miss; with d <= 0 every entry is a miss. Of two MaxAge on one
// context the smaller wins, so that an inner call cannot loosen an outer
// bound.
func MaxAge(ctx context.Context, d time.Duration) context.Context {
	o := overridesOf(ctx).clone()
	if !o.bounded || d < o.maxAge {
		o.maxAge = d
	}
	o.bounded = true
	return withOverrides(ctx, o)
}

// overridesKey is the context key of the overrides of a call.
type overridesKey struct{}

// overrides are the per-call settings that ForceRefresh, Bypass and MaxAge
// put in a context. A context value is never changed after it is stored.
type overrides struct {
	force   bool
	bypass  bool
	bounded bool          // maxAge is set
	maxAge  time.Duration // entries at least this old are misses
}

// overridesInUse is set by the first context that carries overrides: until
// then no context does, and a call skips looking for them, a walk up its
// context's chain that is a tenth of a memory hit.
var overridesInUse atomic.Bool

// withOverrides returns a copy of ctx that carries o.
func withOverrides(ctx context.Context, o *overrides) context.Context {
	overridesInUse.Store(true)
	return context.WithValue(ctx, overridesKey{}, o)
}

// overridesOf returns the overrides ctx carries, or nil. It is the one
// context lookup a call makes for them. A context that carries them was
// made after overridesInUse was set, and reached this goroutine through
// something that orders the two, so the flag is seen set here.
func overridesOf(ctx context.Context) *overrides {
	if !overridesInUse.Load() {
		return nil
	}
	o, _ := ctx.Value(overridesKey{}).(*overrides)
	return o
}

// clone returns a copy of o that may be changed; o may be nil.
func (o *overrides) clone() *overrides {
	if o == nil {
		return new(overrides)
	}
	cp := *o
	return &cp
}

// skipsCache reports whether a call with o runs the function without looking
// at the cache; o may be nil.
func (o *overrides) skipsCache() bool {
	return o != nil && (o.force || o.bypass)
}

// withoutOverrides returns ctx, or a copy of it without overrides when it
// carries some: the context of a run, which the wrapped function receives.
func withoutOverrides(ctx context.Context) context.Context {
	if overridesOf(ctx) == nil {
		return ctx
	}
	return context.WithValue(ctx, overridesKey{}, (*overrides)(nil))
}

// lookupFor is lookup as the overrides o of a call see it; o may be nil.
func (c *Cachetta[T]) lookupFor(ctx context.Context, path string, o *overrides) (T, freshness, error) {
	if o == nil {
		return c.lookup(ctx, path)
	}
	var zero T
	switch {
	case o.bypass:
		c.debug(ctx, "cache miss: bypassed", path)
		return zero, missing, nil
	case o.force:
		c.debug(ctx, "cache miss: forced refresh", path)
		return zero, missing, nil
	case o.bounded && o.maxAge <= 0:
		c.debug(ctx, "cache miss: older than the call's maximum age", path)
		return zero, missing, nil
	case o.bounded:
		b := c.boundedBy(o.maxAge)
		return b.lookup(ctx, path)
	}
	return c.lookup(ctx, path)
}

// boundedBy returns c, or a copy of c whose freshness rule makes every entry
// of age d or more expired: its duration, stale window and stale-if-error
// window are cut to end by d. The copy shares c's memory and files.
func (c *Cachetta[T]) boundedBy(d time.Duration) *Cachetta[T] {
	cfg := &c.cfg
	if cfg.duration+cfg.stale+cfg.staleIfError <= d {
		return c
	}
	b := *c
	b.cfg.duration = min(cfg.duration, d)
	b.cfg.stale = min(cfg.stale, d-b.cfg.duration)
	b.cfg.staleIfError = min(cfg.staleIfError, d-b.cfg.duration-b.cfg.stale)
	return &b
}

// uncached answers a call whose overrides skip the cache: a bypassing call
// runs the function in a run shared only with other bypassing callers,
// touching neither files nor memory; a forced call runs it alone and writes
// its result.
func (w *wrapper[T]) uncached(ctx context.Context, path string, args []any, o *overrides) (T, error) {
	c := w.c
	// The run keeps the first caller's values but not its cancellation, nor
	// its overrides: those are the call's, not the function's.
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	if o.bypass {
		id := flightID{path: path, kind: bypassRun}
		r, start := w.flights.Join(id, withoutOverrides(rctx), cancel)
		if start {
			c.shared.runs.Go(func() {
				w.flights.Execute(id, r, func(ctx context.Context) (T, error) {
					return w.invoked(ctx, path, args)
				}, nil, func(r *flight.Run[T], waited bool) {
					w.ended(r, path, false, waited)
				})
			})
		} else {
			c.joinCounted(path)
		}
		return w.flights.Wait(ctx, id, r)
	}
	ps := c.shared.acquire(path)
	defer c.shared.release(path, ps)
	guard := writeGuard{ps: ps, gen: ps.invalidations.Load()}
	// The run's context keeps the ForceRefresh, so that the run does not
	// take the entry it finds for its result; run hides it from the function.
	id := flightID{path: path, gen: guard.gen, kind: forcedRun}
	r := w.flights.Alone(rctx, cancel)
	w.start(id, r, args, guard, false)
	return w.flights.Wait(ctx, id, r)
}

// flightKind tells which callers of one path share a run.
type flightKind uint8

const (
	sharedRun flightKind = iota // callers that read the cache, and refreshes
	bypassRun                   // callers that bypass the cache
	forcedRun                   // one ForceRefresh call, never shared
)
