package cachetta

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// tempMaxAge is the age after which Prune takes a temporary file for the
// leftover of a killed writer rather than a write in progress.
const tempMaxAge = time.Hour

// Prune removes files of the cache that no read can return any more, and
// returns their paths, sorted. It walks the tree below the directory of
// Path(), or below Path() itself when that is a directory, without following
// symbolic links and skipping subdirectories it cannot read, and removes two
// kinds of file:
//
//   - entries whose age is at least the duration plus the stale duration:
//     the file at Path() and the files PathFor names for arguments, which
//     sit beside it as name-<16 hex digits>.ext;
//   - temporary files of this package older than an hour, left by writers
//     that were killed.
//
// It removes nothing else: no directories, no symbolic links, no other
// files. Entries whose names come from a path function cannot be told from
// other files, so only their temporary files are pruned. A file that vanishes
// during the walk is neither an error nor reported.
func (c *Cachetta[T]) Prune(ctx context.Context) (removed []string, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dir, entryName := filepath.Dir(c.path), filepath.Base(c.path)
	if info, err := c.fsys.lstat(c.path); err == nil && info.IsDir() {
		dir, entryName = c.path, ""
	}
	now := time.Now()
	err = c.fsys.walkDir(dir, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err == nil:
		case errors.Is(err, fs.ErrNotExist):
			return nil
		case d != nil && d.IsDir() && path != dir:
			// One unreadable subdirectory does not stop the rest.
			return fs.SkipDir
		default:
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		name := d.Name()
		switch {
		case isTempName(name):
			ok, err := c.pruneFile(path, now, tempMaxAge)
			if ok {
				removed = append(removed, path)
			}
			return err
		case entryName != "" && filepath.Dir(path) == filepath.Clean(dir) && isEntryName(name, entryName):
			ok, err := c.pruneEntry(path, now)
			if ok {
				removed = append(removed, path)
			}
			return err
		}
		return nil
	})
	slices.Sort(removed)
	if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
		return removed, ctxErr
	}
	if err != nil {
		return removed, fmt.Errorf("cachetta: prune %s: %w", dir, err)
	}
	return removed, nil
}

// pruneEntry removes the entry at path if it is past its stale window, as
// one step with respect to writes of path, so that a value written meanwhile
// is never removed, and clears it from memory.
func (c *Cachetta[T]) pruneEntry(path string, now time.Time) (bool, error) {
	ps := c.shared.acquire(path)
	defer c.shared.release(path, ps)
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ok, err := c.pruneFile(path, now, c.cfg.duration+c.cfg.stale)
	if ok {
		ps.changes.Add(1)
		c.shared.forget(path)
	}
	return ok, err
}

// pruneFile removes the regular file at path if it is at least maxAge old.
func (c *Cachetta[T]) pruneFile(path string, now time.Time, maxAge time.Duration) (bool, error) {
	info, err := c.fsys.lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !info.Mode().IsRegular() || now.Sub(info.ModTime()) < maxAge {
		return false, nil
	}
	err = c.fsys.remove(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// isEntryName reports whether name is entryName or a keyed form of it,
// stem-<16 lowercase hex digits>suffix, as PathFor makes them.
func isEntryName(name, entryName string) bool {
	if name == entryName {
		return true
	}
	keyed := keyedPath(entryName, "0000000000000000")
	stemLen := strings.LastIndex(keyed, "-0000000000000000") + 1
	if len(name) != len(keyed) || name[:stemLen] != keyed[:stemLen] || name[stemLen+16:] != keyed[stemLen+16:] {
		return false
	}
	for _, r := range name[stemLen : stemLen+16] {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}
