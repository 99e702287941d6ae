package cachetta

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"time"
)

// Refresh says how a wrapped function refreshes its entries and when it
// serves an entry past its duration (see WithRefresh). The zero value of
// each field is its default. Two windows follow HTTP's Cache-Control
// extensions of the same names (RFC 5861):
//
//	|-- duration --|-- StaleWhileRevalidate --|-- StaleIfError --|
//	 fresh: served   stale: served while one    only when the
//	                 background refresh runs    function fails
type Refresh struct {
	// StaleWhileRevalidate lets a wrapped function serve an entry for this
	// long past its expiry while one background refresh replaces it. Zero,
	// the default, turns it off; it must not be negative.
	StaleWhileRevalidate time.Duration

	// StaleIfError lets a wrapped function answer with an entry up to this
	// long past the end of StaleWhileRevalidate, instead of the error, when
	// its computation fails; a warning names the path and the error. It
	// serves callers that compute synchronously and callers that wait for
	// a refresh that fails, but not a caller whose context is done, nor
	// ForceRefresh or Bypass calls, nor errors that WithErrorCaching
	// remembers (those are answers, not failures), nor a runtime.Goexit.
	// ReadStale also returns such entries, for callers that run their own
	// refresh; Info tells them apart (Expired without Stale). Zero, the
	// default, turns it off; it must not be negative.
	StaleIfError time.Duration

	// Timeout cancels the context of a background refresh. It bounds the
	// refresh only if the wrapped function honours its context. Zero means
	// DefaultRefreshTimeout; it must not be negative.
	Timeout time.Duration

	// Early makes a fresh hit of a wrapped function start a background
	// refresh early, with a probability that rises as the entry nears its
	// expiry, so that a hot entry is replaced before it expires and its
	// callers never stampede at the deadline: probabilistic early
	// expiration (XFetch; Vattani, Chierichetti and Lowenstein, VLDB 2015).
	// A hit at time now refreshes when
	//
	//	now - delta * Early * ln(rand) >= expiry
	//
	// where rand is uniform in [0, 1) and delta is how long the last
	// successful computation of the path took in this process, so that slow
	// computations start earlier; a path this process has not computed has
	// no delta and is not refreshed early. 1 is the paper's choice; larger
	// values refresh earlier. The durations live in memory, for at most
	// 10,000 paths. A fresh hit read from the disk costs one more stat of
	// the file. Zero, the default, turns it off; it must be finite and not
	// negative.
	Early float64
}

// WithRefresh sets how a wrapped function refreshes entries and serves
// stale ones (see Refresh). The default is Refresh{}: no stale window, no
// early refresh, DefaultRefreshTimeout.
//
// After a background refresh of a path fails, stale hits on that path start
// no new refresh until a delay has passed: one second after the first
// failure, doubling with each consecutive failure, at most the refresh
// timeout. A successful refresh or write of the path resets it. The state
// lives in memory, for at most 10,000 paths.
func WithRefresh(r Refresh) Option {
	return optionFunc(func(c *config) {
		c.stale, c.staleIfError, c.earlyRefresh = r.StaleWhileRevalidate, r.StaleIfError, r.Early
		c.refreshTimeout = cmp.Or(r.Timeout, DefaultRefreshTimeout)
	})
}

// WithErrorCaching remembers the errors of a wrapped function for which
// match returns true, per path, for d: until then a call that finds no
// usable entry returns the remembered error without running the function,
// as a negative cache remembers "not found" answers. Errors of background
// refreshes are remembered too, but not the error of a run whose context was
// cancelled. Remembered errors live in memory only, never in a file, for at
// most 10,000 paths; Invalidate and a successful write of the path forget
// them. match is called with no lock held. Error caching is off by default;
// d must be positive and match not nil.
func WithErrorCaching(d time.Duration, match func(error) bool) Option {
	ec := &errorCaching{ttl: d, match: match}
	return optionFunc(func(c *config) { c.errorCaching = ec })
}

// errorCaching is the setting of WithErrorCaching; it is never changed.
type errorCaching struct {
	ttl   time.Duration
	match func(error) bool
}

// validateFreshness reports the first setting of the options of this file
// that no cache can work with. It runs after the checks of the duration and
// the stale duration.
func (c *config) validateFreshness() error {
	switch {
	case c.staleIfError < 0:
		return fmt.Errorf("stale-if-error duration must not be negative, got %v", c.staleIfError)
	case c.staleIfError > math.MaxInt64-c.duration-c.stale:
		return fmt.Errorf("duration %v plus stale duration %v plus stale-if-error duration %v overflows",
			c.duration, c.stale, c.staleIfError)
	case math.IsNaN(c.earlyRefresh) || math.IsInf(c.earlyRefresh, 0) || c.earlyRefresh < 0:
		return fmt.Errorf("early refresh beta must be finite and not negative, got %v", c.earlyRefresh)
	case c.errorCaching != nil && c.errorCaching.ttl <= 0:
		return fmt.Errorf("error caching duration must be positive, got %v", c.errorCaching.ttl)
	case c.errorCaching != nil && c.errorCaching.match == nil:
		return errors.New("error caching match function must not be nil")
	}
	return nil
}
