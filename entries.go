package cachetta

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"time"
)

// errStop ends a walk whose consumer stopped.
var errStop = errors.New("stop")

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
		if c.cfg.store != nil {
			for info, err := range c.listStored(ctx) {
				if !yield(info, err) {
					return
				}
			}
			return
		}
		w := c.walker(ctx)
		d, err := w.open(c.fsys)
		if errors.Is(err, fs.ErrNotExist) {
			return
		}
		if err != nil {
			yield(Info{}, fmt.Errorf("cachetta: entries: %w", err))
			return
		}
		defer d.Close()
		now := time.Now()
		w.visit = func(d *os.Root, path, name string, kind fileKind) error {
			if kind != kindEntry {
				return nil
			}
			fi, err := d.Lstat(name)
			if err != nil || !fi.Mode().IsRegular() {
				return nil // gone, or replaced since the listing
			}
			if !yield(c.describe(filepath.Join(path, name), fi, now), nil) {
				return errStop
			}
			return nil
		}
		switch err := w.walk(d, w.dir); {
		case err == nil, errors.Is(err, errStop):
		case ctx.Err() != nil && errors.Is(err, ctx.Err()):
			yield(Info{}, ctx.Err())
		default:
			yield(Info{}, fmt.Errorf("cachetta: entries %s: %w", w.dir, err))
		}
	}
}
