package cachetta

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/cachetta-go/cachetta/internal/storage"
)

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
