package cachetta

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"time"

	"github.com/cachetta-go/cachetta/internal/storage"
)

// Info describes the file of one entry at the moment Info looked.
type Info struct {
	Path    string        // resolved file path
	Exists  bool          // the file exists
	Age     time.Duration // time since ModTime; 0 when missing or in the future
	ModTime time.Time     // the file's modification time; zero when missing
	Size    int64         // the file's size in bytes
	Expired bool          // exists and Age >= the duration
	Stale   bool          // expired and inside the stale window, with reading on
}

// Info describes the file that args resolve to (see PathFor). A missing file
// is not an error. It looks at the disk only, never at memory's entry, but
// takes the path from memory when memory knows it.
func (c *Cachetta[T]) Info(ctx context.Context, args ...any) (Info, error) {
	if err := ctx.Err(); err != nil {
		return Info{}, err
	}
	path, err := c.pathOfArgs(args)
	if err != nil {
		return Info{}, err
	}
	m, err := c.storage.Stat(ctx, path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return Info{Path: path}, nil
	case err != nil:
		return Info{Path: path}, fmt.Errorf("cachetta: info: %w", err)
	}
	return c.describe(m, time.Now()), nil
}

// describe returns the Info of the existing entry m at now.
func (c *Cachetta[T]) describe(m storage.Meta, now time.Time) Info {
	info := Info{Path: m.Name, Exists: true, ModTime: m.ModTime, Size: m.Size}
	info.Age = max(now.Sub(info.ModTime), 0)
	f := c.freshnessAt(info.ModTime, now)
	info.Expired = f != fresh
	info.Stale = f == stale
	return info
}

// Exists reports whether the file that args resolve to exists, fresh or not.
func (c *Cachetta[T]) Exists(ctx context.Context, args ...any) (bool, error) {
	info, err := c.Info(ctx, args...)
	return info.Exists, err
}

// Age returns the age of the file that args resolve to; ok is false when it
// is missing. A modification time in the future gives age 0.
func (c *Cachetta[T]) Age(ctx context.Context, args ...any) (age time.Duration, ok bool, err error) {
	info, err := c.Info(ctx, args...)
	return info.Age, info.Exists, err
}

// Entries returns the entries of the cache on disk, with their Info, without
// reading them. Its scope is Prune's: for a cache whose Path() is a file
// pattern (cache/user.json) the file at Path() and its keyed siblings
// name-<16 hex digits>.ext in that directory; for a cache whose Path() is a
// directory, the tree below it. A cache with a path function, and a
// directory cache, take for an entry every regular file in that scope whose
// name has the cache's extension (that of Path(), or .json when it has none)
// and does not start with a dot, whoever wrote it: a directory that
// Python's or JavaScript's cachetta filled is listed as one this package
// filled. Give a cache with a path function a directory of its own, as a
// directory cache has. Hidden files (among them the directory's lock file
// and the temporary files of writes), directories and symbolic links, which
// it never follows, are not entries. Entries come in directory order.
//
// A walk lists each directory whole before looking at its files, so its
// memory grows with the largest directory in scope.
//
// A missing directory has no entries. An error reading the cache's
// directory is yielded once, and ends the sequence; a subdirectory that
// cannot be read is skipped. A done ctx yields ctx.Err(). The walk stops as
// soon as the consumer does.
func (c *Cachetta[T]) Entries(ctx context.Context) iter.Seq2[Info, error] {
	return func(yield func(Info, error) bool) {
		if err := ctx.Err(); err != nil {
			yield(Info{}, err)
			return
		}
		now := time.Now()
		err := c.storage.Walk(ctx, c.scope(), storage.List, func(f storage.Found) error {
			if !yield(c.describe(f.Meta(), now), nil) {
				return errStop
			}
			return nil
		}, nil)
		switch {
		case err == nil, errors.Is(err, errStop):
		case ctx.Err() != nil && errors.Is(err, ctx.Err()):
			yield(Info{}, ctx.Err())
		default:
			yield(Info{}, fmt.Errorf("cachetta: entries: %w", err))
		}
	}
}

// errStop ends a walk whose consumer stopped.
var errStop = errors.New("stop")

// scope is the scope of Entries, Prune and Clear.
func (c *Cachetta[T]) scope() storage.Scope {
	return storage.Scope{Path: c.path, AnyName: c.cfg.pathFunc != nil}
}
