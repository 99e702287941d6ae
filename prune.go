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

	"github.com/cachetta-go/cachetta/internal/lockfile"
)

// tempMaxAge is the age after which Prune takes a temporary file for the
// leftover of a killed writer rather than a write in progress.
const tempMaxAge = time.Hour

// Prune removes files of the cache that no read can return any more, and
// returns their paths, sorted. For a cache whose Path() is a file pattern
// (cache/user.json) it looks in that file's directory only; for a cache
// whose Path() is a directory it walks the tree below it. It removes three
// kinds of regular file:
//
//   - entries whose age is at least the duration plus the stale duration:
//     the file at Path() and the files PathFor names for arguments, which
//     sit beside it as name-<16 hex digits>.ext;
//   - temporary files older than an hour, left by writers that were
//     killed: this package's (.<name>.<random>.cachetta-tmp) and those of
//     Python's cachetta (tmp<random>.tmp);
//   - the per-entry lock files of earlier releases (.<name>.cachetta-lock),
//     older than an hour.
//
// A cache with a path function, and a directory cache, take for an entry
// every regular file in that scope with the cache's extension (see Entries),
// and prune them by age as above. The directory's own lock file,
// .cachetta-lock, is never removed: processes coordinate through it. When
// something else sits at that name, Prune logs a warning and leaves it.
//
// With WithPruneBudget, Prune then removes the oldest of the
// entries left, by modification time, until the rest are within both
// budgets. An entry chosen so that another write replaced meanwhile is no
// longer the oldest, and stays: the cache may then be over budget until the
// next Prune. The budget costs a second walk, when the cache is over it, and
// a sort of the entries in scope: time O(n log n) and memory O(n) for n
// entries.
//
// It removes nothing else: no directories, no symbolic links, no other
// files. Every memory of the cache's family forgets a removed entry.
//
// Prune follows no symbolic link below the cache's directory: it works
// through handles on the directories it opened itself, so a subdirectory
// swapped for a link while it runs leads nowhere. The cache's directory
// itself is opened by its path, which follows links, unless WithRoot
// confines the cache: without WithRoot, whoever can replace a directory on
// that path with a link can point Prune at another directory. Before removing a file it moves it aside and looks at
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
	if c.cfg.store != nil {
		return c.pruneStored(ctx)
	}
	p := c.pruner(ctx)
	p.visit = p.prune
	return p.run("prune")
}

// fileKind is what the name of a regular file says it is to a cache.
type fileKind int

const (
	kindOther    fileKind = iota // any other file
	kindEntry                    // an entry: named as PathFor names them beside Path(), or with the cache's extension
	kindTemp                     // a temporary file of this package or of Python's cachetta
	kindOldLock                  // a per-entry lock file of an earlier release
	kindObstacle                 // something other than a regular file at the directory's lock file's name
)

// walker walks the regular files of a cache through handles on the
// directories it opened itself, so that it never follows a symbolic link.
// Prune, Clear and Entries share it, and with it the scope of a cache.
type walker struct {
	ctx       context.Context
	dir       string      // the directory the walk looks in
	entryName string      // the base name of entries; empty for a directory cache
	tree      bool        // walk the subdirectories of dir too
	anyName   bool        // any file with ext is an entry: a directory cache, or one with a path function
	ext       string      // the extension of entries when anyName is set
	looked    fs.FileInfo // for a directory cache, what Lstat found at dir
	// visit is called for each regular file other than the directory's
	// lock file, and for an obstacle at that name, in directory order.
	visit func(d *os.Root, path, name string, kind fileKind) error
}

// walker returns a walk over the scope of c: for a cache whose Path() is a
// directory the tree below it, otherwise the directory of Path().
func (c *Cachetta[T]) walker(ctx context.Context) walker {
	w := walker{ctx: ctx, dir: filepath.Dir(c.path), entryName: filepath.Base(c.path), anyName: c.cfg.pathFunc != nil}
	if info, err := c.fsys.lstat(c.path); err == nil && info.IsDir() {
		w.dir, w.entryName, w.tree, w.anyName, w.looked = c.path, "", true, true, info
	}
	w.ext = entryExt(c.path)
	return w
}

// errReplaced is the cause of an error about a directory cache whose
// directory was replaced, by a symbolic link for one, between the look that
// found it and its opening.
var errReplaced = errors.New("directory replaced while opened")

// open opens the directory of the walk. A directory cache's own directory
// must be the one Lstat found there, not a link swapped in since: the walk
// of its tree removes what it finds.
func (w *walker) open(fsys fileSystem) (*os.Root, error) {
	d, err := fsys.openDir(w.dir)
	if err != nil || w.looked == nil {
		return d, err
	}
	opened, err := d.Stat(".")
	if err == nil && !os.SameFile(w.looked, opened) {
		err = &fs.PathError{Op: "open", Path: w.dir, Err: errReplaced}
	}
	if err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// entryExt returns the extension of the entries of a cache at path: that of
// its last element, or .json, the family's, when it has none.
func entryExt(path string) string {
	if ext := filepath.Ext(path); ext != "" && ext != filepath.Base(path) {
		return ext
	}
	return ".json"
}

// kind returns what the regular file name in the directory at path is.
// Hidden files are never entries: the cache's own lock and temporary files
// are hidden, and so is what other tools keep beside their files.
func (w *walker) kind(path, name string) fileKind {
	switch {
	case isLockName(name):
		return kindOldLock
	case isTempName(name), isPythonTempName(name):
		return kindTemp
	case w.entryName != "" && path == w.dir && isEntryName(name, w.entryName),
		w.anyName && !strings.HasPrefix(name, ".") && filepath.Ext(name) == w.ext:
		return kindEntry
	}
	return kindOther
}

// isPythonTempName reports whether name is one Python's cachetta gives the
// temporary file of a write, as tempfile makes them: tmp, eight or more
// letters, digits and underscores, and .tmp.
func isPythonTempName(name string) bool {
	rest, ok := strings.CutPrefix(name, "tmp")
	if !ok {
		return false
	}
	random, ok := strings.CutSuffix(rest, ".tmp")
	if !ok || len(random) < 8 || len(random) > 64 {
		return false
	}
	for _, r := range random {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || r == '_') {
			return false
		}
	}
	return true
}

// walk visits the directory d, which is at path. A failure to read the
// cache's own directory is an error; one below it skips that directory.
// It lists the whole directory before visiting it, so that removals do not
// disturb the listing: memory grows with the largest directory.
func (w *walker) walk(d *os.Root, path string) error {
	listing, err := list(d)
	if err != nil {
		return w.skip(path, err)
	}
	for _, e := range listing {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		if e.Name() == lockfile.Name {
			if !e.Type().IsRegular() {
				if err := w.visit(d, path, e.Name(), kindObstacle); err != nil {
					return err
				}
			}
			continue
		}
		if err := w.enter(d, path, e); err != nil {
			return err
		}
	}
	return nil
}

// list returns the entries of the directory d.
func list(d *os.Root) ([]fs.DirEntry, error) {
	f, err := d.Open(".")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var listing []fs.DirEntry
	for {
		entries, err := f.ReadDir(1024)
		listing = append(listing, entries...)
		if err == io.EOF || err == nil && len(entries) == 0 {
			return listing, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// enter visits the entry e of directory d, which is at path.
func (w *walker) enter(d *os.Root, path string, e fs.DirEntry) error {
	name := e.Name()
	switch {
	case e.IsDir():
		if w.tree {
			return w.descend(d, path, name)
		}
	case !e.Type().IsRegular():
	default:
		return w.visit(d, path, name, w.kind(path, name))
	}
	return nil
}

// skip returns nil for an error reading a subdirectory, so one unreadable
// subdirectory does not stop the rest, and err for the cache's directory.
func (w *walker) skip(path string, err error) error {
	if path == w.dir {
		return err
	}
	return nil
}

// descend walks the subdirectory name of d when it is a directory and not a
// symbolic link, both when the walk looked at it and when it opened it.
func (w *walker) descend(d *os.Root, path, name string) error {
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
	// of d; the directory it opened must be the one the walk looked at.
	opened, err := sub.Stat(".")
	if err != nil || !os.SameFile(looked, opened) {
		return nil
	}
	return w.walk(sub, filepath.Join(path, name))
}

// pruner is the state of one Prune or Clear.
type pruner[T any] struct {
	walker
	c       *Cachetta[T]
	now     time.Time
	removed []string
	kept    []counted              // the entries Prune kept, with a disk budget
	evicted map[string]fs.FileInfo // the entries chosen for the budget, by path
}

func (c *Cachetta[T]) pruner(ctx context.Context) *pruner[T] {
	return &pruner[T]{walker: c.walker(ctx), c: c, now: time.Now()}
}

// run walks the scope of the cache and returns the sorted paths removed;
// op names the operation in errors.
func (p *pruner[T]) run(op string) ([]string, error) {
	d, err := p.open(p.c.fsys)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cachetta: %s: %w", op, err)
	}
	defer d.Close()
	err = p.walk(d, p.dir)
	// The oldest entries are known only once every one has been seen; a
	// second walk removes those chosen, through handles again.
	if err == nil && p.overBudget() {
		p.visit = p.evict
		err = p.walk(d, p.dir)
	}
	slices.Sort(p.removed)
	if ctxErr := p.ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
		return p.removed, ctxErr
	}
	if err != nil {
		return p.removed, fmt.Errorf("cachetta: %s %s: %w", op, p.dir, err)
	}
	return p.removed, nil
}

// prune removes the file name of d, which is at path, when no read can
// return it any more.
func (p *pruner[T]) prune(d *os.Root, path, name string, kind fileKind) error {
	switch kind {
	case kindObstacle:
		p.obstacle(path, name)
	case kindOldLock:
		return p.remove(d, path, name, p.olderThan(oldLockMaxAge))
	case kindTemp:
		return p.remove(d, path, name, p.olderThan(tempMaxAge))
	case kindEntry:
		info, err := d.Lstat(name)
		if err != nil || !info.Mode().IsRegular() {
			return nil
		}
		if due := p.olderThan(p.c.cfg.duration + p.c.cfg.stale); due(info) {
			n := len(p.removed)
			if err := p.removeEntry(d, path, name, due); err != nil || len(p.removed) > n {
				return err
			}
		}
		// An entry that could not be removed, or was replaced since the
		// look, counts as the look found it; the budget's own judge keeps
		// one replaced.
		p.count(filepath.Join(path, name), info)
	}
	return nil
}

// olderThan returns a judge of files at least maxAge old.
func (p *pruner[T]) olderThan(maxAge time.Duration) func(fs.FileInfo) bool {
	return func(info fs.FileInfo) bool { return p.now.Sub(info.ModTime()) >= maxAge }
}

// removeEntry removes the entry name of d, which is at path, when due
// judges it removable.
func (p *pruner[T]) removeEntry(d *os.Root, path, name string, due func(fs.FileInfo) bool) error {
	if !p.qualifies(d, name, due) {
		return nil
	}
	// The directory's lock orders the removal with the writes of every
	// process, the path's state with this family's writes, and clears
	// memory with it.
	dl, err := p.c.lockDir(p.ctx, p.c.dirTarget(d, path))
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
	err = p.remove(d, path, name, due)
	if len(p.removed) > n {
		ps.changes.Add(1)
		p.c.shared.forget(full)
	}
	return err
}

// obstacle logs what sits at the name of the lock file of the directory at
// path and is not a regular file: until it goes, processes there coordinate
// only within themselves. Prune leaves it, having not made it.
func (p *pruner[T]) obstacle(path, name string) {
	p.c.cfg.logger.LogAttrs(p.ctx, slog.LevelWarn, "prune: lock file is not a regular file; remove it so that processes coordinate",
		slog.String("path", filepath.Join(path, name)))
}

// remove removes the regular file name of d, which is at path, if due judges
// it removable. Another process may replace the file between the look
// and the removal, so the file is first renamed aside, judged again, and
// removed only if it still passes; otherwise it is put back.
func (p *pruner[T]) remove(d *os.Root, path, name string, due func(fs.FileInfo) bool) error {
	if !p.qualifies(d, name, due) {
		return nil
	}
	aside := tempName(name)
	if err := d.Rename(name, aside); err != nil {
		p.cannotRemove(path, name, err)
		return nil
	}
	if !p.qualifies(d, aside, due) {
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

// qualifies reports whether name in d is a regular file that due judges removable.
func (p *pruner[T]) qualifies(d *os.Root, name string, due func(fs.FileInfo) bool) bool {
	info, err := d.Lstat(name)
	return err == nil && info.Mode().IsRegular() && due(info)
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
