// Package fsx is the cache's file I/O on hostile ground: a directory anyone
// may write, where any name may be a named pipe, a symbolic link, a hard
// link to something precious, a directory or a file rewritten in place.
//
// It offers:
//
//   - [FS], the file operations of a cache, on the plain file system
//     ([OS]) or confined below a directory through one [os.Root] ([New]),
//     so that a directory swapped for a link cannot redirect them;
//   - bounded reads of a regular file through its handle, that check a
//     context between chunks, see a file that changes size while read, and
//     refuse what cannot be JSON before allocating for it ([Decode],
//     [ReadAll]);
//   - atomic writes: a temporary file of a recognisable name in the
//     target's directory, created exclusively, written, synced on request
//     and renamed ([CreateTemp], [Temp], [Fill], [SyncDir], [RemoveMoved]).
//
// Nothing here knows about caches, entries or their freshness.
package fsx

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrOutsideRoot reports a path that resolves outside the directory of a
// confined FS, through "..", an absolute path or a symbolic link. The
// root package exports it as cachetta.ErrOutsideRoot.
var ErrOutsideRoot = errors.New("path outside the root")

// FS is the set of file operations of a cache, so that the same code runs
// on the plain file system and inside a root. Every name it takes is one
// that Resolve returned.
type FS interface {
	// Resolve returns the real file that the cache path name stands for.
	Resolve(name string) string
	// Confine returns nil when name lies inside the FS, and otherwise an
	// *fs.PathError wrapping ErrOutsideRoot for op.
	Confine(op, name string) error
	Open(name string) (*os.File, error)
	OpenFile(name string, flag int, perm fs.FileMode) (*os.File, error)
	Stat(name string) (fs.FileInfo, error)
	Lstat(name string) (fs.FileInfo, error)
	Rename(oldname, newname string) error
	Remove(name string) error
	MkdirAll(name string, perm fs.FileMode) error
	// OpenDir returns a handle on the directory name, for walks that must
	// not be redirected by a symbolic link swapped in while they run.
	OpenDir(name string) (*os.Root, error)
}

// New returns the file system confined to root, or the plain one when root
// is empty. It creates root with mode perm when it is missing.
func New(root string, perm fs.FileMode) (FS, error) {
	if root == "" {
		return OS{}, nil
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("root %s: %w", root, err)
	}
	if err := os.MkdirAll(abs, perm); err != nil {
		return nil, fmt.Errorf("root: %w", err)
	}
	r, err := os.OpenRoot(abs)
	if err != nil {
		return nil, fmt.Errorf("root: %w", err)
	}
	return &Root{root: r, dir: abs}, nil
}

// OS is the plain file system.
type OS struct{}

// Resolve returns the real file that the cache path name stands for.
func (OS) Resolve(name string) string { return filepath.Clean(name) }

// Confine refuses a path outside the FS (see FS).
func (OS) Confine(string, string) error { return nil }

// Open opens name for reading.
func (OS) Open(name string) (*os.File, error) { return os.Open(name) }

// OpenFile opens name with flag and perm.
func (OS) OpenFile(name string, flag int, perm fs.FileMode) (*os.File, error) {
	return os.OpenFile(name, flag, perm)
}

// Stat returns the stat of name, following links.
func (OS) Stat(name string) (fs.FileInfo, error) { return os.Stat(name) }

// Lstat returns the stat of name itself.
func (OS) Lstat(name string) (fs.FileInfo, error) { return os.Lstat(name) }

// Rename renames oldname to newname. On Unix systems, as os.Root's Rename,
// it leaves to the system whether newname may be replaced (see rename).
func (OS) Rename(oldname, newname string) error { return rename(oldname, newname) }

// Remove removes the file or empty directory name.
func (OS) Remove(name string) error { return os.Remove(name) }

// MkdirAll creates the directory name and its missing parents.
func (OS) MkdirAll(name string, perm fs.FileMode) error { return os.MkdirAll(name, perm) }

// OpenDir returns a handle on the directory name.
func (OS) OpenDir(name string) (*os.Root, error) { return os.OpenRoot(name) }

// Root performs every operation through one os.Root, so that whoever can
// write the root's parent cannot redirect it by swapping the root
// directory for a symbolic link.
type Root struct {
	root *os.Root
	dir  string // the absolute, clean path root was opened on
}

// Dir returns the absolute path of the root.
func (r *Root) Dir() string { return r.dir }

// Handle returns the root's handle, which stays r's: the caller must not
// close it.
func (r *Root) Handle() *os.Root { return r.root }

// Close closes the root's handle.
func (r *Root) Close() error { return r.root.Close() }

// Resolve returns the real file that the cache path name stands for.
func (r *Root) Resolve(name string) string {
	if filepath.IsAbs(name) {
		return filepath.Clean(name)
	}
	return filepath.Join(r.dir, name)
}

// Confine refuses a path outside the FS (see FS).
func (r *Root) Confine(op, name string) error {
	_, err := r.rel(op, name)
	return err
}

// rel returns name relative to the root, or an ErrOutsideRoot error naming
// name.
func (r *Root) rel(op, name string) (string, error) {
	rel, err := filepath.Rel(r.dir, r.Resolve(name))
	if err != nil || !filepath.IsLocal(rel) {
		return "", &fs.PathError{Op: op, Path: name, Err: ErrOutsideRoot}
	}
	return rel, nil
}

// do runs f with name made relative to the root. Errors name the real
// file, not the relative path os.Root saw.
func (r *Root) do(op, name string, f func(rel string) error) error {
	rel, err := r.rel(op, name)
	if err != nil {
		return err
	}
	return r.Named(f(rel))
}

// Named rewrites a *fs.PathError about a path relative to the root to name
// the real file, and turns os.Root's refusal of a path that leads outside
// into ErrOutsideRoot.
func (r *Root) Named(err error) error {
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		return err
	}
	return &fs.PathError{Op: pe.Op, Path: r.Resolve(filepath.FromSlash(pe.Path)), Err: Outside(pe.Err)}
}

// Outside turns os.Root's refusal of a path that leads outside the root
// into ErrOutsideRoot. The os package does not export that cause;
// TestRootRefusesPathsOutside pins its text.
func Outside(cause error) error {
	if cause != nil && cause.Error() == "path escapes from parent" {
		return ErrOutsideRoot
	}
	return cause
}

// Open opens name for reading.
func (r *Root) Open(name string) (f *os.File, err error) {
	err = r.do("open", name, func(rel string) error {
		f, err = r.root.Open(rel)
		return err
	})
	return f, err
}

// OpenFile opens name with flag and perm.
func (r *Root) OpenFile(name string, flag int, perm fs.FileMode) (f *os.File, err error) {
	err = r.do("open", name, func(rel string) error {
		f, err = r.root.OpenFile(rel, flag, perm)
		return err
	})
	return f, err
}

// Stat returns the stat of name, following links.
func (r *Root) Stat(name string) (info fs.FileInfo, err error) {
	err = r.do("stat", name, func(rel string) error {
		info, err = r.root.Stat(rel)
		return err
	})
	return info, err
}

// Lstat returns the stat of name itself.
func (r *Root) Lstat(name string) (info fs.FileInfo, err error) {
	err = r.do("lstat", name, func(rel string) error {
		info, err = r.root.Lstat(rel)
		return err
	})
	return info, err
}

// Rename renames oldname to newname.
func (r *Root) Rename(oldname, newname string) error {
	newRel, err := r.rel("rename", newname)
	if err != nil {
		return err
	}
	err = r.do("rename", oldname, func(oldRel string) error {
		return r.root.Rename(oldRel, newRel)
	})
	var le *os.LinkError
	if errors.As(err, &le) {
		return &os.LinkError{Op: le.Op, Old: r.Resolve(oldname), New: r.Resolve(newname), Err: Outside(le.Err)}
	}
	return err
}

// Remove removes the file or empty directory name.
func (r *Root) Remove(name string) error {
	return r.do("remove", name, r.root.Remove)
}

// MkdirAll creates the directory name and its missing parents.
func (r *Root) MkdirAll(name string, perm fs.FileMode) error {
	return r.do("mkdir", name, func(rel string) error {
		return r.root.MkdirAll(rel, perm)
	})
}

// OpenDir returns a handle on the directory name.
func (r *Root) OpenDir(name string) (d *os.Root, err error) {
	err = r.do("open", name, func(rel string) error {
		d, err = r.root.OpenRoot(rel)
		return err
	})
	return d, err
}
