package disk

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cachetta-go/cachetta/internal/fsx"
	"github.com/cachetta-go/cachetta/internal/lockfile"
	"github.com/cachetta-go/cachetta/internal/storage"
)

const (
	// lockSuffix ends the name of every lock file this package ever made:
	// the directory's .cachetta-lock, and the per-entry
	// .<name>.cachetta-lock of earlier releases, which Prune removes.
	lockSuffix = ".cachetta-lock"
	// leftoverMaxAge is the age after which a walk that prunes takes a
	// temporary file for the leftover of a killed writer rather than a
	// write in progress, and removes a per-entry lock file of an earlier
	// release.
	leftoverMaxAge = time.Hour
)

// isLockName reports whether a file name is one of a lock file.
func isLockName(name string) bool {
	return strings.HasPrefix(name, ".") && strings.HasSuffix(name, lockSuffix)
}

// IsOwnName reports whether name is one of the files this package keeps
// beside entries: a lock file or a temporary file, its own or Python's
// cachetta's. Such files are never entries.
func IsOwnName(name string) bool {
	return isLockName(name) || fsx.IsTempName(name) || fsx.IsPythonTempName(name)
}

// fileKind is what the name of a regular file says it is to a cache.
type fileKind int

const (
	kindOther    fileKind = iota // any other file
	kindEntry                    // an entry: named as the cache names them beside its path, or with its extension
	kindTemp                     // a temporary file of this package or of Python's cachetta
	kindOldLock                  // a per-entry lock file of an earlier release
	kindObstacle                 // something other than a regular file at the directory's lock file's name
)

// walker walks the regular files of a cache through handles on the
// directories it opened itself, so that it never follows a symbolic link.
type walker struct {
	Backend
	ctx       context.Context
	mode      storage.WalkMode
	dir       string      // the directory the walk looks in
	entryName string      // the base name of entries; empty for a directory cache
	keyed     string      // entryName keyed by 16 zeros, as storage.IsEntryName matches names
	keyAt     int         // where the key starts in keyed
	tree      bool        // walk the subdirectories of dir too
	anyName   bool        // any file with ext is an entry: a directory cache, or one with a path function
	ext       string      // the extension of entries when anyName is set
	looked    fs.FileInfo // for a directory cache, what Lstat found at dir
	now       time.Time
	visit     func(storage.Found) error
	removed   func(path string) // told of each leftover removed
	found     found             // the entry being visited, one for the whole walk
}

// errReplaced is the cause of an error about a directory cache whose
// directory was replaced, by a symbolic link for one, between the look that
// found it and its opening.
var errReplaced = errors.New("directory replaced while opened")

// Walk visits the entries of the scope: for a cache whose path is a
// directory the regular files with the cache's extension in the tree below
// it, otherwise the files beside the path named as the cache names its
// entries (any with its extension, with scope.AnyName). Hidden files are
// never entries. It works through handles on the directories it opened,
// never following a symbolic link below the top. With mode Prune or Clear
// it also removes the leftovers of writers in scope: temporary files and
// the per-entry lock files of earlier releases, with Prune only when older
// than an hour, and logs anything but a regular file at the name of the
// directory's lock file, which it never removes. A missing directory has
// no entries; an error reading the top directory is returned, naming it; a
// subdirectory that cannot be read is skipped. An error from visit ends
// the walk and is returned as is. Each leftover removed is told to
// removed, when not nil.
func (b Backend) Walk(ctx context.Context, scope storage.Scope, mode storage.WalkMode, visit func(storage.Found) error, removed func(path string)) error {
	w := &walker{Backend: b, ctx: ctx, mode: mode, now: time.Now(), visit: visit, removed: removed,
		dir: filepath.Dir(scope.Path), entryName: filepath.Base(scope.Path), anyName: scope.AnyName}
	if info, err := b.fsys.Lstat(scope.Path); err == nil && info.IsDir() {
		w.dir, w.entryName, w.tree, w.anyName, w.looked = scope.Path, "", true, true, info
	}
	w.ext = storage.EntryExt(scope.Path)
	if w.entryName != "" {
		w.keyed = storage.KeyedName(w.entryName, zeroKey)
		w.keyAt = strings.LastIndex(w.keyed, "-"+zeroKey) + 1
	}
	d, err := w.open()
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer d.Close()
	err = w.walk(d, w.dir)
	if err != nil && (ctx.Err() == nil || !errors.Is(err, ctx.Err())) && !isVisitErr(err) {
		return fmt.Errorf("%s: %w", w.dir, err)
	}
	return unwrapVisit(err)
}

// visitErr carries an error of visit through the walk unchanged.
type visitErr struct{ err error }

func (e visitErr) Error() string { return e.err.Error() }

func isVisitErr(err error) bool {
	var v visitErr
	return errors.As(err, &v)
}

func unwrapVisit(err error) error {
	var v visitErr
	if errors.As(err, &v) {
		return v.err
	}
	return err
}

// open opens the directory of the walk. A directory cache's own directory
// must be the one Lstat found there, not a link swapped in since: the walk
// of its tree removes what it finds.
func (w *walker) open() (*os.Root, error) {
	d, err := w.fsys.OpenDir(w.dir)
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

// kind returns what the regular file name in the directory at path is.
// Hidden files are never entries: the cache's own lock and temporary files
// are hidden, and so is what other tools keep beside their files.
func (w *walker) kind(path, name string) fileKind {
	switch {
	case isLockName(name):
		return kindOldLock
	case fsx.IsTempName(name), fsx.IsPythonTempName(name):
		return kindTemp
	case w.entryName != "" && path == w.dir && w.isEntryName(name),
		w.anyName && !strings.HasPrefix(name, ".") && filepath.Ext(name) == w.ext:
		return kindEntry
	}
	return kindOther
}

// zeroKey is a key of 16 hex digits.
const zeroKey = "0000000000000000"

// isEntryName reports whether name is the walk's entryName or a keyed form
// of it, as storage.IsEntryName does, but with the keyed form made once
// for the walk rather than once for each name.
func (w *walker) isEntryName(name string) bool {
	if name == w.entryName {
		return true
	}
	k, at := w.keyed, w.keyAt
	return len(name) == len(k) && name[:at] == k[:at] && name[at+len(zeroKey):] == k[at+len(zeroKey):] &&
		storage.IsHex(name[at:at+len(zeroKey)])
}

// walk visits the directory d, which is at path. A failure to read the
// cache's own directory is an error; one below it skips that directory.
// It lists the names of the whole directory before visiting it, because
// removing files while reading a directory may make the reading skip
// others on some systems (Go issue 20841): memory grows with the largest
// directory. It lists names alone and looks at each file when it comes to
// it, so that a visit describes the file as it is then: a ReadDir of a
// directory opened through a root would Lstat every file as it lists, a
// look too early and one too many.
func (w *walker) walk(d *os.Root, path string) error {
	names, err := list(d)
	if err != nil {
		if path == w.dir {
			return err
		}
		return nil
	}
	for _, name := range names {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		if err := w.look(d, path, name); err != nil {
			return err
		}
	}
	return nil
}

// list returns the names in the directory d.
func list(d *os.Root) ([]string, error) {
	f, err := d.Open(".")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return nil, err
	}
	return names, nil
}

// look visits what the listing of the directory d, which is at path, named
// name. A file is looked at only when its name or the walk of a tree asks
// for it: outside a tree a name that is no entry's is a leftover's, whose
// removal looks at it, or nothing to the walk.
func (w *walker) look(d *os.Root, path, name string) error {
	if name == lockfile.Name {
		if w.mode == storage.Prune {
			if info, err := d.Lstat(name); err == nil && !info.Mode().IsRegular() {
				w.opts.Logger.LogAttrs(w.ctx, slog.LevelWarn, "prune: lock file is not a regular file; remove it so that processes coordinate",
					slog.String("path", filepath.Join(path, name)))
			}
		}
		return nil
	}
	kind := w.kind(path, name)
	if kind != kindEntry && !w.tree {
		w.tidy(d, path, name, kind)
		return nil
	}
	info, err := d.Lstat(name)
	switch {
	case err != nil:
		// Gone since the listing.
	case info.IsDir():
		if w.tree {
			return w.descend(d, path, name, info)
		}
	case !info.Mode().IsRegular():
		// A symbolic link, never followed, or no file of a cache.
	case kind == kindEntry:
		w.found = found{w: w, d: d, path: path, name: name, meta: meta(filepath.Join(path, name), info)}
		if err := w.visit(&w.found); err != nil {
			return visitErr{err}
		}
	default:
		w.tidy(d, path, name, kind)
	}
	return nil
}

// descend walks the subdirectory name of d, which the walk looked at, when
// it opens it as that directory and not a symbolic link.
func (w *walker) descend(d *os.Root, path, name string, looked fs.FileInfo) error {
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

// tidy removes the file name of d, which is at path and is of kind, when
// the walk's mode removes leftovers of that kind and the removal, which
// looks at the file itself, finds a regular file that is due.
func (w *walker) tidy(d *os.Root, path, name string, kind fileKind) {
	switch {
	case w.mode == storage.Prune && (kind == kindTemp || kind == kindOldLock):
		w.leftover(d, path, name, w.olderThan(leftoverMaxAge))
	case w.mode == storage.Clear && kind == kindTemp && (w.tree || fsx.IsTempName(name) && isTempOf(name, w.entryName)),
		w.mode == storage.Clear && kind == kindOldLock && (w.tree || isRunLockOf(name, w.entryName)):
		w.leftover(d, path, name, func(fs.FileInfo) bool { return true })
	}
}

// leftover removes the leftover name of d, which is at path, when due
// judges it removable, and tells the walk's caller.
func (w *walker) leftover(d *os.Root, path, name string, due func(fs.FileInfo) bool) {
	if w.remove(d, path, name, due) && w.removed != nil {
		w.removed(filepath.Join(path, name))
	}
}

// olderThan returns a judge of files at least maxAge old.
func (w *walker) olderThan(maxAge time.Duration) func(fs.FileInfo) bool {
	return func(info fs.FileInfo) bool { return w.now.Sub(info.ModTime()) >= maxAge }
}

// found is an entry a walk came to. A walk fills one found for each entry
// in turn, as storage.Found is valid only until the walk moves on.
type found struct {
	w    *walker
	d    *os.Root // the directory it is in, open while the walk is there
	path string   // the directory's path
	name string
	meta storage.Meta
}

func (f *found) Meta() storage.Meta { return f.meta }

// RemoveIf removes the entry when due, looking at it again, judges it
// removable, under the lock of its directory, which writers of this
// package in every process take to rename, and commit.
func (f *found) RemoveIf(due func(storage.Meta) bool, commit storage.Commit) (bool, error) {
	w, full := f.w, f.meta.Name
	judge := func(info fs.FileInfo) bool { return due(meta(full, info)) }
	if !w.qualifies(f.d, f.name, judge) {
		return false, nil
	}
	dl, err := w.lockDir(w.ctx, w.handleTarget(f.d, f.path))
	if err != nil {
		return false, err
	}
	defer unlock(dl)
	var done func(bool)
	if commit != nil {
		if done, err = commit(); err != nil {
			return false, err
		}
	}
	removed := w.remove(f.d, f.path, f.name, judge)
	if done != nil {
		done(removed)
	}
	return removed, nil
}

// remove removes the regular file name of d, which is at path, if due
// judges it removable, and reports whether it did. Another process may
// replace the file between the look and the removal, so the file is first
// renamed aside, judged again, and removed only if it still passes;
// otherwise it is put back.
func (w *walker) remove(d *os.Root, path, name string, due func(fs.FileInfo) bool) bool {
	if !w.qualifies(d, name, due) {
		return false
	}
	aside := fsx.TempName(name)
	if err := d.Rename(name, aside); err != nil {
		w.cannotRemove(path, name, err)
		return false
	}
	if !w.qualifies(d, aside, due) {
		restore(d, aside, name)
		return false
	}
	if err := d.Remove(aside); err != nil {
		restore(d, aside, name)
		w.cannotRemove(path, name, err)
		return false
	}
	return true
}

// cannotRemove logs a file of path that the walk judged but could not
// remove (an immutable file, another user's file in a sticky directory, a
// file open elsewhere on Windows): one such file does not stop the rest. A
// file that vanished meanwhile is not logged.
func (w *walker) cannotRemove(path, name string, err error) {
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	op := "prune"
	if w.mode == storage.Clear {
		op = "clear"
	}
	w.opts.Logger.LogAttrs(w.ctx, slog.LevelWarn, op+": cannot remove",
		slog.String("path", filepath.Join(path, name)), slog.Any("err", err))
}

// qualifies reports whether name in d is a regular file that due judges
// removable.
func (w *walker) qualifies(d *os.Root, name string, due func(fs.FileInfo) bool) bool {
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

// isTempOf reports whether the temporary file name, which fsx.IsTempName
// accepts, is one of an entry named as entryName's entries are.
func isTempOf(name, entryName string) bool {
	base := fsx.TempBase(name)
	return storage.IsEntryName(base, entryName) ||
		len(base) > fsx.MaxTempBase-utf8.UTFMax && storage.IsEntryNamePrefix(base, entryName)
}

// isRunLockOf reports whether the lock file name, which isLockName accepts,
// is the run lock an earlier release made for an entry named as
// entryName's entries are: .<entry name>.cachetta-lock, or, for a long
// name, the name cut and followed by "-" and 16 hex digits.
func isRunLockOf(name, entryName string) bool {
	base := name[1 : len(name)-len(lockSuffix)]
	if storage.IsEntryName(base, entryName) {
		return true
	}
	const hashLen = 16
	keep := fsx.MaxNameLen - len(".-") - hashLen - len(lockSuffix)
	cut, hash := len(base)-hashLen-1, base[max(len(base)-hashLen, 0):]
	return cut > keep-utf8.UTFMax && base[cut] == '-' && storage.IsHex(hash) && storage.IsEntryNamePrefix(base[:cut], entryName)
}
