package cachetta

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sync"
	"time"

	"github.com/cachetta-go/cachetta/internal/storage"
)

// freshness is the state of an entry at one moment.
type freshness int

const (
	missing freshness = iota // no usable entry: no file, expired, corrupt, or reading off
	fresh                    // younger than the duration
	stale                    // expired, but inside the stale window
	expired                  // past the duration and any stale window
)

// freshnessAt classifies an entry written at modTime. A modTime in the future
// (clock skew) is fresh.
func (c *Cachetta[T]) freshnessAt(modTime, now time.Time) freshness {
	age := now.Sub(modTime)
	switch {
	case age < c.cfg.duration:
		return fresh
	case c.cfg.read && age-c.cfg.duration < c.cfg.stale:
		return stale
	}
	return expired
}

// Read returns the fresh value that args resolve to (see PathFor). A missing,
// expired or undecodable file is a miss (ok false, err nil), as are a file
// larger than Files.ReadLimit allows, one whose size changes while it is read,
// and every read when reading is off; err is for I/O failures, a path that is
// not a regular file, bad arguments and a done ctx.
// A stored JSON null is a hit holding the zero value. MaxAge, Bypass and
// ForceRefresh in ctx apply.
//
// A memory hit allocates nothing itself; as in any call of a function of
// ...any, the caller boxes each argument that is not a constant or a small
// integer (one allocation each). Wrap1, Wrap2 and Wrap3 take their
// arguments typed, and box nothing.
func (c *Cachetta[T]) Read(ctx context.Context, args ...any) (value T, ok bool, err error) {
	return c.read(ctx, fresh, args)
}

// ReadStale is Read that also returns a value inside the stale window set by
// Refresh.StaleWhileRevalidate, and up to the duration set by Refresh.StaleIfError past
// it, for callers that run their own refresh. Info tells whether the entry
// is stale.
func (c *Cachetta[T]) ReadStale(ctx context.Context, args ...any) (value T, ok bool, err error) {
	return c.staleIfErrorWindow().read(ctx, stale, args)
}

// read returns the value at args when it is at least as fresh as worst.
func (c *Cachetta[T]) read(ctx context.Context, worst freshness, args []any) (value T, ok bool, err error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, false, err
	}
	if h, ok := c.knownPath(args); ok {
		if e, ok := c.memoryHit(ctx, h); ok {
			c.debug(ctx, "cache hit", h.Key().String())
			return e.value, true, nil
		}
	}
	path, err := c.pathOfArgs(args)
	if err != nil {
		return zero, false, err
	}
	v, f, err := c.lookupFor(ctx, path, overridesOf(ctx))
	c.readCounted(path, f, worst, err)
	if err != nil || f == missing {
		return zero, false, err
	}
	if f > worst {
		c.debug(ctx, "cache miss: expired", path)
		return zero, false, nil
	}
	c.debug(ctx, "cache hit", path)
	return v, true, nil
}

// lookup finds the entry at path in memory or on disk and tells how fresh it
// is. It logs misses; callers log hits, which only they can tell apart from
// stale entries they refuse. An expired entry is missing.
func (c *Cachetta[T]) lookup(ctx context.Context, path string) (T, freshness, error) {
	var zero T
	if !c.cfg.read {
		c.debug(ctx, "cache miss: reading disabled", path)
		return zero, missing, nil
	}
	// Only a fresh entry is answered from memory: past its duration another
	// process may have refreshed the file.
	if c.memory != nil {
		if e, ok := c.remembered(ctx, path, c.cfg.duration); ok {
			return e.value, fresh, nil
		}
	}
	return c.readShared(ctx, path, time.Now())
}

// readFile reads and decodes the entry at path, filling memory when it is
// on. It calls opened, when not nil, with the entry's Meta before it reads
// a byte, and leaves its events in later (see emitLater).
func (c *Cachetta[T]) readFile(ctx context.Context, path string, now time.Time, opened func(storage.Meta), later *[]Event) (T, freshness, error) {
	var zero T
	var ps *pathState
	var changes uint64
	if c.memory != nil {
		ps = c.shared.acquire(path)
		defer c.shared.release(path, ps)
		changes = ps.changes.Load()
	}
	var v T
	dec := storage.Decoding{Codec: c.cfg.codec, Limit: c.cfg.maxFileSize, Probe: isJSONCodec(c.cfg.codec), Expired: c.cfg.expiredBefore(now)}
	m, err := c.storage.Load(ctx, path, dec, &v, opened)
	if err != nil {
		return zero, missing, c.loadFailed(ctx, path, m, now, err, later)
	}
	fr := c.freshnessAt(m.ModTime, now)
	if fr == expired {
		c.debug(ctx, "cache miss: expired", path)
		return zero, missing, nil
	}
	c.shared.stats.bytesRead.Add(uint64(m.Size))
	if ps != nil {
		e := newEntry(v, m.ModTime, now)
		e.meta = m
		c.remember(ps, changes, path, e, later)
	}
	if fr == fresh {
		c.diskHitCounted(path, now, later)
	}
	return v, fr, nil
}

// loadFailed returns the error of a read of path that Load failed with
// err, having found m, or nil when the failure is a miss: no entry, one
// expired, too large, changed while read, or corrupt (logged and counted,
// with its events left in later).
func (c *Cachetta[T]) loadFailed(ctx context.Context, path string, m storage.Meta, now time.Time, err error, later *[]Event) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		c.debug(ctx, "cache miss: no file", path)
	case errors.Is(err, storage.ErrDeclined):
		c.debug(ctx, "cache miss: expired", path)
	case errors.Is(err, ErrTooLarge):
		c.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "cache miss: file too large",
			slog.String("path", path), slog.Int64("size", m.Size), slog.Int64("limit", c.cfg.maxFileSize))
	case errors.Is(err, storage.ErrSizeChanged):
		c.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "cache miss: file changed while read",
			slog.String("path", path), slog.Int64("size", m.Size))
	case errors.Is(err, storage.ErrCorrupt):
		c.shared.stats.bytesRead.Add(uint64(m.Size))
		c.corruptCounted(ctx, path, now, err, later)
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return ctx.Err()
	case errors.Is(err, storage.ErrNotRegular):
		return fmt.Errorf("cachetta: %w", err)
	default:
		// Errors of the file system name the file; a store's need not.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return fmt.Errorf("cachetta: read: %w", err)
		}
		return fmt.Errorf("cachetta: read %s: %w", path, err)
	}
	return nil
}

// remember puts e, of a value just read from path or written to it, in
// memory, unless the family wrote or invalidated path since the read began
// or the write committed (when its count of changes stood at changes): the
// value would then be one that a newer one replaced, or that an Invalidate
// removed.
func (c *Cachetta[T]) remember(ps *pathState, changes uint64, path string, e *entry[T], later *[]Event) {
	var victim string
	var evicted bool
	ps.mu.Lock()
	if ps.changes.Load() == changes {
		victim, evicted = c.memory.add(path, e, c.cfg.duration)
	}
	ps.mu.Unlock()
	c.evictedCounted(victim, evicted, later)
}

// debug logs msg with path at debug level, building the record only when the
// logger wants it so that hits cost no allocation.
func (c *Cachetta[T]) debug(ctx context.Context, msg, path string) {
	if c.cfg.logger.Enabled(ctx, slog.LevelDebug) {
		c.cfg.logger.LogAttrs(ctx, slog.LevelDebug, msg, slog.String("path", path))
	}
}

// Concurrent readers of one unchanged file share one read and decode: a
// burst of readers of a hot file decodes it once, and N readers of a large
// file hold one buffer, not N. A reader that finds a read of its path in
// flight stats the path and joins only when the entry is the one that
// read opened (the same identity, modification time and size) and no write or
// invalidation of the family came since the read began; otherwise it reads
// on its own. Joiners receive the very value the read decoded.
//
// The read runs in its first caller's goroutine under that caller's
// context, so no goroutine outlives a call and a cancelled caller stops the
// read it leads. A joiner whose leader gave up that way, or whose leader's
// codec panicked, starts over; a joiner's own cancellation fails only the
// joiner.

// fileReads holds the file reads in flight of a family, each under the copy
// and the path that began it, and only until it ends.
type fileReads[T any] struct {
	mu sync.Mutex // guards m
	m  map[readKey[T]]*fileRead[T]
}

// readKey names the reads of one path by one copy: copies differ in the
// settings a read follows (codec, size limit, freshness).
type readKey[T any] struct {
	copy *Cachetta[T]
	path string
}

// fileRead is one read of a file that others may join.
type fileRead[T any] struct {
	changes uint64        // the path's pathState.changes when the read began
	opened  chan struct{} // closed once meta is set, or when the read ended without it
	meta    *storage.Meta // the entry the read opened; nil when it opened none
	done    chan struct{} // closed when the fields below are set

	v        T
	fr       freshness
	err      error
	gaveUp   bool // the leader's context ended the read
	panicked bool // the codec or the logger panicked in the read
}

// readShared is readFile, joining a read of the same unchanged entry that
// is in flight.
func (c *Cachetta[T]) readShared(ctx context.Context, path string, now time.Time) (T, freshness, error) {
	for {
		v, fr, err, again := c.readSharedOnce(ctx, path, now)
		if !again {
			return v, fr, err
		}
	}
}

// readSharedOnce is one round of readShared; again reports a joined read
// that ended with nothing to share.
func (c *Cachetta[T]) readSharedOnce(ctx context.Context, path string, now time.Time) (_ T, _ freshness, _ error, again bool) {
	// The path's state outlives every read registered for it, so that its
	// count of changes keeps counting while one is in flight.
	ps := c.shared.acquire(path)
	defer c.shared.release(path, ps)
	key := readKey[T]{copy: c, path: path}
	reads := &c.shared.reads
	reads.mu.Lock()
	r := reads.m[key]
	// A read that began before a write or an invalidation of the family
	// returned is not joined: it may hold what that write replaced.
	if r != nil && r.changes == ps.changes.Load() {
		reads.mu.Unlock()
		return c.join(ctx, path, r, now)
	}
	r = &fileRead[T]{changes: ps.changes.Load(), opened: make(chan struct{}), done: make(chan struct{})}
	if reads.m == nil {
		reads.m = make(map[readKey[T]]*fileRead[T])
	}
	reads.m[key] = r
	reads.mu.Unlock()
	v, fr, err := c.lead(ctx, key, r, now)
	return v, fr, err, false
}

// lead performs the read r for its joiners, ending it whatever happens,
// even a panic of the codec, which reaches the leader's caller. The read's
// events are emitted once it has ended, so that a hook may read the path
// again without waiting for itself.
func (c *Cachetta[T]) lead(ctx context.Context, key readKey[T], r *fileRead[T], now time.Time) (T, freshness, error) {
	var later []Event
	c.leadRead(ctx, key, r, now, &later)
	for _, e := range later {
		c.emit(e)
	}
	return r.v, r.fr, r.err
}

// leadRead is lead without the events, which it leaves in later.
func (c *Cachetta[T]) leadRead(ctx context.Context, key readKey[T], r *fileRead[T], now time.Time, later *[]Event) {
	opened := false
	ended := false
	defer func() {
		if !ended {
			r.panicked = true
		}
		if !opened {
			close(r.opened)
		}
		reads := &c.shared.reads
		reads.mu.Lock()
		if reads.m[key] == r {
			delete(reads.m, key)
		}
		reads.mu.Unlock()
		close(r.done)
	}()
	r.v, r.fr, r.err = c.readFile(ctx, key.path, now, func(m storage.Meta) {
		r.meta, opened = &m, true
		close(r.opened)
	}, later)
	r.gaveUp = r.err != nil && ctx.Err() != nil && errors.Is(r.err, ctx.Err())
	ended = true
}

// join waits for the read r of path and returns its result, judged at now,
// when r reads the file that path names now; otherwise it reads path alone.
func (c *Cachetta[T]) join(ctx context.Context, path string, r *fileRead[T], now time.Time) (_ T, _ freshness, _ error, again bool) {
	var zero T
	m, err := c.storage.Stat(ctx, path)
	if err != nil {
		// Not there any more, or not to be seen: readFile tells which.
		v, fr, err := c.readFile(ctx, path, now, nil, nil)
		return v, fr, err, false
	}
	select {
	case <-r.opened:
	case <-ctx.Done():
		return zero, missing, ctx.Err(), false
	}
	if r.meta == nil || !r.meta.Same(m) {
		v, fr, err := c.readFile(ctx, path, now, nil, nil)
		return v, fr, err, false
	}
	select {
	case <-r.done:
	case <-ctx.Done():
		return zero, missing, ctx.Err(), false
	}
	switch {
	case r.gaveUp || r.panicked:
		return zero, missing, nil, true
	case r.err != nil || r.fr == missing:
		return zero, missing, r.err, false
	}
	// The leader judged the entry at its own moment.
	fr := c.freshnessAt(r.meta.ModTime, now)
	if fr == expired {
		c.debug(ctx, "cache miss: expired", path)
		return zero, missing, nil, false
	}
	if fr == fresh {
		c.diskHitCounted(path, now, nil)
	}
	return r.v, fr, nil, false
}
