package cachetta

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"time"
)

// errNotRegular is the cause of an error about a cache path that names a
// directory or another non-regular file.
var errNotRegular = errors.New("not a regular file")

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
	if path, ok := c.knownPath(args); ok {
		if e, ok := c.memoryHit(ctx, path); ok {
			c.debug(ctx, "cache hit", path)
			return e.value, true, nil
		}
	}
	path, err := c.pathOf(args)
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

// readFile reads and decodes the file at path, filling memory when it is on.
// It calls opened, when not nil, with the stat of the file it opened, before
// it reads a byte, and leaves its events in later (see emitLater).
func (c *Cachetta[T]) readFile(ctx context.Context, path string, now time.Time, opened func(fs.FileInfo), later *[]Event) (T, freshness, error) {
	if c.cfg.store != nil {
		return c.loadEntry(ctx, path, now, later)
	}
	var zero T
	var ps *pathState
	var changes uint64
	if c.memory != nil {
		ps = c.shared.acquire(path)
		defer c.shared.release(path, ps)
		changes = ps.changes.Load()
	}

	// Without a writer, opening a named pipe would wait for one, past ctx.
	f, err := c.fsys.openFile(path, os.O_RDONLY|openNonblock, 0)
	if errors.Is(err, fs.ErrNotExist) {
		c.debug(ctx, "cache miss: no file", path)
		return zero, missing, nil
	}
	if err != nil {
		return zero, missing, fmt.Errorf("cachetta: read: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return zero, missing, fmt.Errorf("cachetta: read: %w", err)
	}
	if opened != nil {
		opened(info)
	}
	if !info.Mode().IsRegular() {
		return zero, missing, fmt.Errorf("cachetta: read %s: %w", path, errNotRegular)
	}
	fr := c.freshnessAt(info.ModTime(), now)
	if fr == expired {
		c.debug(ctx, "cache miss: expired", path)
		return zero, missing, nil
	}
	size := info.Size()
	if size > min(c.cfg.maxFileSize, math.MaxInt-1) {
		c.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "cache miss: file too large",
			slog.String("path", path), slog.Int64("size", size), slog.Int64("limit", c.cfg.maxFileSize))
		return zero, missing, nil
	}
	var v T
	decodeErr, err := decodeContents(ctx, f, size, c.cfg.codec, &v)
	switch {
	case errors.Is(err, errSizeChanged):
		c.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "cache miss: file changed while read",
			slog.String("path", path), slog.Int64("size", size))
		return zero, missing, nil
	case errors.Is(err, errNotJSON):
		c.corruptCounted(ctx, path, now, err, later)
		return zero, missing, nil
	case err != nil:
		return zero, missing, err
	}
	c.shared.stats.bytesRead.Add(uint64(size))
	if err := decodeErr; err != nil {
		c.corruptCounted(ctx, path, now, err, later)
		return zero, missing, nil
	}
	if ps != nil {
		e := newEntry(v, info.ModTime(), now)
		e.file = info
		c.remember(ps, changes, path, e, later)
	}
	if fr == fresh {
		c.diskHitCounted(path, now, later)
	}
	return v, fr, nil
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

const (
	// probeSize is how much of a large file is read, with the JSON codec,
	// to look at its first byte before a buffer is allocated for all of it.
	probeSize = 4 << 10
	// chunkSize is how much is read between checks of the context.
	chunkSize = 1 << 20
)

// errSizeChanged is the cause of a miss on a file that grew or shrank since
// its stat: a writer appending to it or rewriting it in place, whose partial
// content may be valid JSON (a prefix of a number is).
var errSizeChanged = errors.New("size changed while reading")

// errNotJSON is the cause of a miss on a file whose first byte after white
// space cannot begin a JSON value.
var errNotJSON = errors.New("not JSON")

// readContents returns the size bytes that f held at its stat, in a buffer
// allocated once, reading one byte more to see growth. A file that grew or
// shrank since is errSizeChanged. A done ctx stops the read between chunks
// of chunkSize bytes with ctx.Err(). With probe, a file of probeSize bytes
// or more that cannot be JSON from its first bytes is refused with
// errNotJSON before its buffer is allocated. I/O errors are wrapped.
func readContents(ctx context.Context, f *os.File, size int64, probe bool) ([]byte, error) {
	if size < 0 { // no regular file has one; read it as one that changed
		return nil, errSizeChanged
	}
	var data []byte
	n := 0
	if probe && size >= probeSize {
		var err error
		if data, n, err = readJSONHead(f, size); err != nil {
			return nil, err
		}
	} else {
		data = make([]byte, size+1)
	}
	for n < len(data) {
		if n > 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		m, err := f.Read(data[n:min(n+chunkSize, len(data))])
		n += m
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("cachetta: read: %w", err)
		}
	}
	if int64(n) != size {
		return nil, errSizeChanged
	}
	return data[:n], nil
}

// readJSONHead reads the first probeSize bytes of f, whose stat gave size,
// and returns a buffer for all of f that starts with them, and their number,
// unless they cannot begin JSON. Only then is the buffer allocated.
func readJSONHead(f *os.File, size int64) ([]byte, int, error) {
	var head [probeSize]byte
	n := 0
	for n < len(head) {
		m, err := f.Read(head[n:])
		n += m
		if err == io.EOF {
			return nil, 0, errSizeChanged
		}
		if err != nil {
			return nil, 0, fmt.Errorf("cachetta: read: %w", err)
		}
	}
	if err := checkJSONStart(head[:]); err != nil {
		return nil, 0, err
	}
	data := make([]byte, size+1)
	return data, copy(data, head[:]), nil
}

// checkJSONStart returns an errNotJSON error when the first byte of head
// after JSON white space cannot begin a JSON value, as encoding/json would
// find on decoding. White space to the end of head is not an error.
func checkJSONStart(head []byte) error {
	for i, b := range head {
		switch b {
		case ' ', '\t', '\n', '\r':
			continue
		case '{', '[', '"', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 't', 'f', 'n':
			return nil
		}
		return fmt.Errorf("%w: %q at offset %d", errNotJSON, b, i)
	}
	return nil
}

// debug logs msg with path at debug level, building the record only when the
// logger wants it so that hits cost no allocation.
func (c *Cachetta[T]) debug(ctx context.Context, msg, path string) {
	if c.cfg.logger.Enabled(ctx, slog.LevelDebug) {
		c.cfg.logger.LogAttrs(ctx, slog.LevelDebug, msg, slog.String("path", path))
	}
}
