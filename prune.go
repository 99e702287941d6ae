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
// whose Path() is a directory it walks the tree below it. It removes three
// kinds of regular file:
//
//   - entries whose age is at least the duration plus the stale duration:
//     the file at Path() and the files PathFor names for arguments, which
//     sit beside it as name-<16 hex digits>.ext;
//   - temporary files of this package older than an hour, left by writers
//     that were killed;
//   - lock files of this package (.cachetta-lock, .<name>.cachetta-lock)
//     older than an hour that no process holds, except the marks of files
//     that are there.
//
// A cache with a path function, and a directory cache, recognise their
// entries in that scope by the mark every write leaves beside an entry (see
// Entries), and prune them by age as above.
//
// With WithMaxBytes or WithMaxEntries, Prune then removes the oldest of the
// entries left, by modification time, until the rest are within both
// budgets. An entry chosen so that another write replaced meanwhile is no
// longer the oldest, and stays: the cache may then be over budget until the
// next Prune. The budget costs a second walk, when the cache is over it, and
// a sort of the entries in scope: time O(n log n) and memory O(n) for n
// entries.
//
// It removes nothing else: no directories, no symbolic links, no other
// files. A removed entry's mark goes with it, unreported, unless a process
// holds it, and every memory of the cache's family forgets the entry.
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
	kindEntry                    // an entry: named as PathFor names them beside Path(), or marked
	kindTemp                     // a temporary file of this package
	kindLock                     // a lock file of this package
	kindMark                     // the run lock of a regular file listed beside it, which marks it (see mark.go)
	kindMadeLock                 // the directory's lock file, made since the walk listed the directory
)

// walker walks the regular files of a cache through handles on the
// directories it opened itself, so that it never follows a symbolic link.
// Prune, Clear and Entries share it, and with it the scope of a cache.
type walker struct {
	ctx       context.Context
	dir       string      // the directory the walk looks in
	entryName string      // the base name of entries; empty for a directory cache
	tree      bool        // walk the subdirectories of dir too
	marked    bool        // a file beside its mark is an entry: a directory cache, or one with a path function
	looked    fs.FileInfo // for a directory cache, what Lstat found at dir
	// visit is called for each regular file, in directory order except
	// that a directory's lock file comes after everything else in it.
	visit func(d *os.Root, path, name string, kind fileKind) error
}

// walker returns a walk over the scope of c: for a cache whose Path() is a
// directory the tree below it, otherwise the directory of Path().
func (c *Cachetta[T]) walker(ctx context.Context) walker {
	w := walker{ctx: ctx, dir: filepath.Dir(c.path), entryName: filepath.Base(c.path), marked: c.cfg.pathFunc != nil}
	if info, err := c.fsys.lstat(c.path); err == nil && info.IsDir() {
		w.dir, w.entryName, w.tree, w.marked, w.looked = c.path, "", true, true, info
	}
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

// kind returns what the regular file name in the directory at path is;
// marks holds the names of the marks of the files listed there.
func (w *walker) kind(path, name string, marks map[string]bool) fileKind {
	switch {
	case isLockName(name):
		if marks[name] {
			return kindMark
		}
		return kindLock
	case isTempName(name):
		return kindTemp
	case w.entryName != "" && path == w.dir && isEntryName(name, w.entryName),
		w.marked && marks[markName(name)]:
		return kindEntry
	}
	return kindOther
}

// walk visits the directory d, which is at path. A failure to read the
// cache's own directory is an error; one below it skips that directory.
//
// It lists the whole directory before visiting it, since a file's mark may
// come after it in the listing: memory grows with the largest directory.
func (w *walker) walk(d *os.Root, path string) error {
	listing, err := list(d)
	if err != nil {
		return w.skip(path, err)
	}
	marks := listedMarks(listing)
	listed := false // the directory's lock file was in the listing
	for _, e := range listing {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		if e.Name() == dirLockName && e.Type().IsRegular() {
			listed = true
			continue
		}
		if err := w.enter(d, path, e, marks); err != nil {
			return err
		}
	}
	// The directory's lock file goes last: removing the other files takes
	// it, and may have made it since the listing.
	if info, err := d.Lstat(dirLockName); err == nil && info.Mode().IsRegular() {
		if listed {
			return w.visit(d, path, dirLockName, kindLock)
		}
		return w.visit(d, path, dirLockName, kindMadeLock)
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

// listedMarks returns the names of the regular lock files of listing that
// mark a regular file listed beside them.
func listedMarks(listing []fs.DirEntry) map[string]bool {
	locks := make(map[string]bool)
	for _, e := range listing {
		if e.Type().IsRegular() && isLockName(e.Name()) {
			locks[e.Name()] = false
		}
	}
	if len(locks) == 0 {
		return nil
	}
	for _, e := range listing {
		name := e.Name()
		if !e.Type().IsRegular() || isLockName(name) || isTempName(name) {
			continue
		}
		if m := markName(name); !locks[m] {
			if _, ok := locks[m]; ok {
				locks[m] = true
			}
		}
	}
	for name, marks := range locks {
		if !marks {
			delete(locks, name)
		}
	}
	return locks
}

// enter visits the entry e of directory d, which is at path.
func (w *walker) enter(d *os.Root, path string, e fs.DirEntry, marks map[string]bool) error {
	name := e.Name()
	switch {
	case e.IsDir():
		if w.tree {
			return w.descend(d, path, name)
		}
	case !e.Type().IsRegular():
	default:
		return w.visit(d, path, name, w.kind(path, name, marks))
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
	case kindLock:
		return p.removeLock(d, path, name, p.olderThan(lockMaxAge))
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
	err = p.remove(d, path, name, due)
	if len(p.removed) > n {
		ps.changes.Add(1)
		p.c.shared.forget(full)
		// The mark goes with its entry, unreported, unless a run holds it.
		p.dropLock(d, path, markName(name), always, dl)
	}
	return err
}

// removeLock removes the lock file name of d, which is at path, when due
// judges it removable and no process holds it. It holds the directory's
// lock meanwhile, under which Invalidate changes a run lock's generation
// stamp, and which is the lock file itself for the directory's own; a run
// lock it tries without waiting. A process that opened the file before its
// removal finds, once it has locked it, that it is no longer at its path,
// and opens the new one.
func (p *pruner[T]) removeLock(d *os.Root, path, name string, due func(fs.FileInfo) bool) error {
	if !p.qualifies(d, name, due) {
		return nil
	}
	dl, err := p.c.lockDir(p.ctx, p.c.dirTarget(d, path, dirLockName))
	if err != nil {
		return err
	}
	defer p.c.unlock(dl)
	if p.dropLock(d, path, name, due, dl) {
		p.removed = append(p.removed, filepath.Join(path, name))
	}
	return nil
}

// dropLock removes the lock file name of d, which is at path, when due
// judges it removable and no process holds it, and reports whether it did.
// The caller holds dl, the directory's lock, or nil without process locks.
func (p *pruner[T]) dropLock(d *os.Root, path, name string, due func(fs.FileInfo) bool, dl *lockFile) bool {
	var err error
	var f *os.File
	if dl != nil && name == dirLockName {
		f = dl.f
	} else {
		if f, err = p.c.dirTarget(d, path, name).openWith(os.O_RDONLY); err != nil {
			return false
		}
		defer f.Close()
		switch err := p.c.shared.tryLockFile(f); {
		case err == nil:
			defer unlockFile(f)
		case !errors.Is(err, errLockUnsupported):
			return false // held, or not a file to lock
		}
	}
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() || !due(info) {
		return false
	}
	if same, err := isFileAt(f, func() (fs.FileInfo, error) { return d.Lstat(name) }); err != nil || !same {
		return false
	}
	// Windows refuses to remove a file another process has open: it is
	// left for a later Prune.
	return d.Remove(name) == nil
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
