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
// expired or undecodable file is a miss (ok false, err nil), as is every read
// when reading is off; err is for I/O failures, bad arguments and a done ctx.
// A stored JSON null is a hit holding the zero value. MaxAge, Bypass and
// ForceRefresh in ctx apply.
func (c *Cachetta[T]) Read(ctx context.Context, args ...any) (value T, ok bool, err error) {
	return c.read(ctx, fresh, args)
}

// ReadStale is Read that also returns a value inside the stale window set by
// WithStaleDuration, and up to the duration set by WithStaleIfError past
// it, for callers that run their own refresh. Info tells whether the entry
// is stale.
func (c *Cachetta[T]) ReadStale(ctx context.Context, args ...any) (value T, ok bool, err error) {
	return c.staleIfErrorWindow().read(ctx, stale, args) // staleiferror.go
}

// read returns the value at args when it is at least as fresh as worst.
func (c *Cachetta[T]) read(ctx context.Context, worst freshness, args []any) (value T, ok bool, err error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, false, err
	}
	path, err := c.PathFor(args...)
	if err != nil {
		return zero, false, err
	}
	v, f, err := c.lookupFor(ctx, path, overridesOf(ctx)) // overrides.go
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
	now := time.Now()
	// Only a fresh entry is answered from memory: past its duration another
	// process may have refreshed the file.
	if c.memory != nil {
		if e, ok := c.memory.get(path); ok && c.freshnessAt(e.modTime, now) == fresh {
			return e.value, fresh, nil
		}
	}
	return c.readFile(ctx, path, now)
}

// readFile reads and decodes the file at path, filling memory when it is on.
func (c *Cachetta[T]) readFile(ctx context.Context, path string, now time.Time) (T, freshness, error) {
	var zero T
	var ps *pathState
	var changes uint64
	if c.memory != nil {
		ps = c.shared.acquire(path)
		defer c.shared.release(path, ps)
		changes = ps.changes.Load()
	}

	f, err := c.fsys.open(path)
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
	if !info.Mode().IsRegular() {
		return zero, missing, fmt.Errorf("cachetta: read %s: %w", path, errNotRegular)
	}
	fr := c.freshnessAt(info.ModTime(), now)
	if fr == expired {
		c.debug(ctx, "cache miss: expired", path)
		return zero, missing, nil
	}
	data, err := readAll(f, info.Size())
	if err != nil {
		return zero, missing, fmt.Errorf("cachetta: read: %w", err)
	}
	var v T
	if err := c.cfg.codec.Unmarshal(data, &v); err != nil {
		c.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "cache miss: corrupt file",
			slog.String("path", path), slog.Any("err", err))
		return zero, missing, nil
	}
	if ps != nil {
		ps.mu.Lock()
		if ps.changes.Load() == changes {
			c.memory.add(path, entry[T]{value: v, modTime: info.ModTime()})
		}
		ps.mu.Unlock()
	}
	return v, fr, nil
}

// readAll reads f to its end into a buffer sized from its stat, so a file that
// did not change since the stat takes one allocation and one read past its end.
func readAll(f *os.File, size int64) ([]byte, error) {
	// A size that cannot be right, or that would reserve gigabytes before
	// the first read, is left for append to grow to.
	if size < 0 || size >= math.MaxInt32 {
		size = 0
	}
	data := make([]byte, 0, size+1)
	for {
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return nil, err
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
}

// debug logs msg with path at debug level, building the record only when the
// logger wants it so that hits cost no allocation.
func (c *Cachetta[T]) debug(ctx context.Context, msg, path string) {
	if c.cfg.logger.Enabled(ctx, slog.LevelDebug) {
		c.cfg.logger.LogAttrs(ctx, slog.LevelDebug, msg, slog.String("path", path))
	}
}
