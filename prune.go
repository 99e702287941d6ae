package cachetta

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// tempMaxAge is the age after which Prune takes a temporary file for the
// leftover of a killed writer rather than a write in progress.
const tempMaxAge = time.Hour

// Prune removes files of the cache that no read can return any more, and
// returns their paths, sorted. For a cache whose Path() is a file pattern
// (cache/user.json) it looks in that file's directory only; for a cache
// whose Path() is a directory it walks the tree below it. It removes two
// kinds of regular file:
//
//   - entries whose age is at least the duration plus the stale duration:
//     the file at Path() and the files PathFor names for arguments, which
//     sit beside it as name-<16 hex digits>.ext;
//   - temporary files of this package older than an hour, left by writers
//     that were killed;
//   - lock files of this package (.cachetta-lock, .<name>.cachetta-lock)
//     older than an hour that no process holds.
//
// It removes nothing else: no directories, no symbolic links, no other
// files. Entries whose names come from a path function cannot be told from
// other files, so only their temporary and lock files are pruned.
//
// Prune never follows a symbolic link: it works through handles on the
// directories it opened itself, so a directory swapped for a link while it
// runs leads nowhere. Before removing a file it moves it aside and looks at
// it again, and puts it back when another process replaced it with a fresh
// entry after Prune judged it. With WithProcessLock it judges and removes an
// entry under the lock of its directory, which writers of this package in
// every process take to rename, so that none of their fresh entries is even
// set aside for a moment. Subdirectories it cannot open are skipped; a file
// that vanishes meanwhile is neither an error nor reported.
func (c *Cachetta[T]) Prune(ctx context.Context) (removed []string, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p := pruner[T]{c: c, ctx: ctx, now: time.Now(), dir: filepath.Dir(c.path), entryName: filepath.Base(c.path)}
	if info, err := c.fsys.lstat(c.path); err == nil && info.IsDir() {
		p.dir, p.entryName, p.tree = c.path, "", true
	}
	d, err := c.fsys.openDir(p.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cachetta: prune: %w", err)
	}
	defer d.Close()
	err = p.walk(d, p.dir)
	slices.Sort(p.removed)
	if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
		return p.removed, ctxErr
	}
	if err != nil {
		return p.removed, fmt.Errorf("cachetta: prune %s: %w", p.dir, err)
	}
	return p.removed, nil
}

// pruner is the state of one Prune.
type pruner[T any] struct {
	c         *Cachetta[T]
	ctx       context.Context
	now       time.Time
	dir       string // the directory Prune looks in
	entryName string // the base name of entries; empty for a directory cache
	tree      bool   // walk the subdirectories of dir too
	removed   []string
}

// walk prunes the directory d, which is at path. A failure to read the
// cache's own directory is an error; one below it skips that directory.
func (p *pruner[T]) walk(d *os.Root, path string) error {
	f, err := d.Open(".")
	if err != nil {
		return p.skip(path, err)
	}
	defer f.Close()
	// The directory's lock file goes last: pruning the other files takes
	// it, and would make it again.
	dirLock := false
	for {
		// Listing in batches bounds the memory a huge directory costs.
		entries, err := f.ReadDir(1024)
		for _, e := range entries {
			if err := p.ctx.Err(); err != nil {
				return err
			}
			if e.Name() == dirLockName && e.Type().IsRegular() {
				dirLock = true
				continue
			}
			if err := p.visit(d, path, e); err != nil {
				return err
			}
		}
		if err == io.EOF || err == nil && len(entries) == 0 {
			if dirLock {
				return p.removeLock(d, path, dirLockName)
			}
			return nil
		}
		if err != nil {
			return p.skip(path, err)
		}
	}
}

// skip returns nil for an error reading a subdirectory, so one unreadable
// subdirectory does not stop the rest, and err for the cache's directory.
func (p *pruner[T]) skip(path string, err error) error {
	if path == p.dir {
		return err
	}
	return nil
}

// visit prunes the entry e of directory d, which is at path.
func (p *pruner[T]) visit(d *os.Root, path string, e fs.DirEntry) error {
	name := e.Name()
	switch {
	case e.IsDir():
		if p.tree {
			return p.descend(d, path, name)
		}
	case !e.Type().IsRegular():
	case isLockName(name):
		return p.removeLock(d, path, name)
	case isTempName(name):
		return p.remove(d, path, name, tempMaxAge)
	case p.entryName != "" && path == p.dir && isEntryName(name, p.entryName):
		maxAge := p.c.cfg.duration + p.c.cfg.stale
		if !p.old(d, name, maxAge) {
			return nil
		}
		// The directory's lock orders the removal with the writes of every
		// process, the path's state with this family's writes, and clears
		// memory with it.
		dl, err := p.c.lockDir(p.ctx, p.c.dirTarget(d, path, dirLockName))
		if err != nil {
			return err
		}
		defer p.c.unlock(dl)
		full := filepath.Join(path, name)
		ps := p.c.shared.acquire(full)
		defer p.c.shared.release(full, ps)
		ps.mu.Lock()
		defer ps.mu.Unlock()
		n := len(p.removed)
		err = p.remove(d, path, name, maxAge)
		if len(p.removed) > n {
			ps.changes.Add(1)
			p.c.shared.forget(full)
		}
		return err
	}
	return nil
}

// removeLock removes the lock file name of d, which is at path, when it is
// at least lockMaxAge old and no process holds it. It holds the directory's
// lock meanwhile, under which Invalidate changes a run lock's generation
// stamp, and which is the lock file itself for the directory's own; a run
// lock it tries without waiting. A process that opened the file before its
// removal finds, once it has locked it, that it is no longer at its path,
// and opens the new one.
func (p *pruner[T]) removeLock(d *os.Root, path, name string) error {
	if !p.old(d, name, lockMaxAge) {
		return nil
	}
	dl, err := p.c.lockDir(p.ctx, p.c.dirTarget(d, path, dirLockName))
	if err != nil {
		return err
	}
	defer p.c.unlock(dl)
	var f *os.File
	if dl != nil && name == dirLockName {
		f = dl.f
	} else {
		if f, err = d.Open(name); err != nil {
			return nil
		}
		defer f.Close()
		switch err := p.c.shared.tryLockFile(f); {
		case err == nil:
			defer unlockFile(f)
		case !errors.Is(err, errLockUnsupported):
			return nil // held, or not a file to lock
		}
	}
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() || p.now.Sub(info.ModTime()) < lockMaxAge {
		return nil
	}
	if same, err := isFileAt(f, func() (fs.FileInfo, error) { return d.Lstat(name) }); err != nil || !same {
		return nil
	}
	// Windows refuses to remove a file another process has open: it is
	// left for a later Prune.
	if err := d.Remove(name); err != nil {
		return nil
	}
	p.removed = append(p.removed, filepath.Join(path, name))
	return nil
}

// descend walks the subdirectory name of d when it is a directory and not a
// symbolic link, both when Prune looked at it and when it opened it.
func (p *pruner[T]) descend(d *os.Root, path, name string) error {
	looked, err := d.Lstat(name)
	if err != nil || !looked.IsDir() {
		return nil
	}
	sub, err := d.OpenRoot(name)
	if err != nil {
		return nil
	}
	defer sub.Close()
	// OpenRoot follows a link swapped in since the Lstat, though never out
	// of d; the directory it opened must be the one Prune looked at.
	opened, err := sub.Stat(".")
	if err != nil || !os.SameFile(looked, opened) {
		return nil
	}
	return p.walk(sub, filepath.Join(path, name))
}

// remove removes the regular file name of d, which is at path, if it is at
// least maxAge old. Another process may replace the file between the look
// and the removal, so the file is first renamed aside, judged again, and
// removed only if it still passes; otherwise it is put back.
func (p *pruner[T]) remove(d *os.Root, path, name string, maxAge time.Duration) error {
	if !p.old(d, name, maxAge) {
		return nil
	}
	aside := tempName(name)
	if err := d.Rename(name, aside); err != nil {
		p.cannotRemove(path, name, err)
		return nil
	}
	if !p.old(d, aside, maxAge) {
		restore(d, aside, name)
		return nil
	}
	if err := d.Remove(aside); err != nil {
		restore(d, aside, name)
		p.cannotRemove(path, name, err)
		return nil
	}
	p.removed = append(p.removed, filepath.Join(path, name))
	return nil
}

// cannotRemove logs a file of path that Prune judged but could not remove
// (an immutable file, another user's file in a sticky directory, a file open
// elsewhere on Windows): one such file does not stop the rest. A file that
// vanished meanwhile is not logged.
func (p *pruner[T]) cannotRemove(path, name string, err error) {
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	p.c.cfg.logger.LogAttrs(p.ctx, slog.LevelWarn, "prune: cannot remove",
		slog.String("path", filepath.Join(path, name)), slog.Any("err", err))
}

// old reports whether name in d is a regular file at least maxAge old.
func (p *pruner[T]) old(d *os.Root, name string, maxAge time.Duration) bool {
	info, err := d.Lstat(name)
	return err == nil && info.Mode().IsRegular() && p.now.Sub(info.ModTime()) >= maxAge
}

// restore gives aside its name back. A hard link never replaces a file
// written under name since it was set aside, which is newer; only where the
// file system has no hard links does a rename take its place.
func restore(d *os.Root, aside, name string) {
	err := d.Link(aside, name)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		d.Rename(aside, name)
		return
	}
	d.Remove(aside)
}

func ignoreNotExist(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
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
