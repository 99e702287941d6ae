package cachetta

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrOutsideRoot reports a path that resolves outside the directory set by
// WithRoot, through "..", an absolute path or a symbolic link. Nothing is
// read, written or removed for it. Like fs.ErrNotExist it comes inside an
// *fs.PathError naming the path, so its text has no prefix of its own.
var ErrOutsideRoot = errors.New("path outside the root")

// fileSystem is the set of file operations the cache performs, so that the
// same code runs on the plain file system and inside a root set by WithRoot.
// Every name it takes is one that resolve returned.
type fileSystem interface {
	// resolve returns the real file that the cache path name stands for.
	resolve(name string) string
	open(name string) (*os.File, error)
	openFile(name string, flag int, perm fs.FileMode) (*os.File, error)
	stat(name string) (fs.FileInfo, error)
	lstat(name string) (fs.FileInfo, error)
	rename(oldname, newname string) error
	remove(name string) error
	mkdirAll(name string, perm fs.FileMode) error
	// openDir returns a handle on the directory name, for walks that must
	// not be redirected by a symbolic link swapped in while they run.
	openDir(name string) (*os.Root, error)
}

// newFileSystem returns the file system confined to root, or the plain one
// when root is empty. It creates root with mode perm when it is missing.
func newFileSystem(root string, perm fs.FileMode) (fileSystem, error) {
	if root == "" {
		return osFS{}, nil
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("cachetta: root %s: %w", root, err)
	}
	if err := os.MkdirAll(abs, perm); err != nil {
		return nil, fmt.Errorf("cachetta: root: %w", err)
	}
	r, err := os.OpenRoot(abs)
	if err != nil {
		return nil, fmt.Errorf("cachetta: root: %w", err)
	}
	return &rootFS{root: r, dir: abs}, nil
}

// osFS is the plain file system.
type osFS struct{}

func (osFS) resolve(name string) string         { return filepath.Clean(name) }
func (osFS) open(name string) (*os.File, error) { return os.Open(name) }
func (osFS) openFile(name string, flag int, perm fs.FileMode) (*os.File, error) {
	return os.OpenFile(name, flag, perm)
}
func (osFS) stat(name string) (fs.FileInfo, error)        { return os.Stat(name) }
func (osFS) lstat(name string) (fs.FileInfo, error)       { return os.Lstat(name) }
func (osFS) rename(oldname, newname string) error         { return os.Rename(oldname, newname) }
func (osFS) remove(name string) error                     { return os.Remove(name) }
func (osFS) mkdirAll(name string, perm fs.FileMode) error { return os.MkdirAll(name, perm) }
func (osFS) openDir(name string) (*os.Root, error)        { return os.OpenRoot(name) }

// rootFS performs every operation through one os.Root opened by New, so
// that whoever can write the root's parent cannot redirect the cache by
// swapping the root directory for a symbolic link.
type rootFS struct {
	root *os.Root
	dir  string // the absolute, clean path root was opened on
}

func (r *rootFS) resolve(name string) string {
	if filepath.IsAbs(name) {
		return filepath.Clean(name)
	}
	return filepath.Join(r.dir, name)
}

// rel returns name relative to the root, or an ErrOutsideRoot error naming
// name.
func (r *rootFS) rel(op, name string) (string, error) {
	rel, err := filepath.Rel(r.dir, r.resolve(name))
	if err != nil || !filepath.IsLocal(rel) {
		return "", &fs.PathError{Op: op, Path: name, Err: ErrOutsideRoot}
	}
	return rel, nil
}

// do runs f with name made relative to the root. Errors name the real
// file, not the relative path os.Root saw.
func (r *rootFS) do(op, name string, f func(rel string) error) error {
	rel, err := r.rel(op, name)
	if err != nil {
		return err
	}
	return r.named(f(rel))
}

// named rewrites a *fs.PathError about a path relative to the root to name
// the real file, and turns os.Root's refusal of a path that leads outside
// into ErrOutsideRoot.
func (r *rootFS) named(err error) error {
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		return err
	}
	return &fs.PathError{Op: pe.Op, Path: r.resolve(filepath.FromSlash(pe.Path)), Err: outside(pe.Err)}
}

// outside turns os.Root's refusal of a path that leads outside the root into
// ErrOutsideRoot. The os package does not export that cause;
// TestRootRefusesPathsOutside pins its text.
func outside(cause error) error {
	if cause != nil && cause.Error() == "path escapes from parent" {
		return ErrOutsideRoot
	}
	return cause
}

func (r *rootFS) open(name string) (f *os.File, err error) {
	err = r.do("open", name, func(rel string) error {
		f, err = r.root.Open(rel)
		return err
	})
	return f, err
}

func (r *rootFS) openFile(name string, flag int, perm fs.FileMode) (f *os.File, err error) {
	err = r.do("open", name, func(rel string) error {
		f, err = r.root.OpenFile(rel, flag, perm)
		return err
	})
	return f, err
}

func (r *rootFS) stat(name string) (info fs.FileInfo, err error) {
	err = r.do("stat", name, func(rel string) error {
		info, err = r.root.Stat(rel)
		return err
	})
	return info, err
}

func (r *rootFS) lstat(name string) (info fs.FileInfo, err error) {
	err = r.do("lstat", name, func(rel string) error {
		info, err = r.root.Lstat(rel)
		return err
	})
	return info, err
}

func (r *rootFS) rename(oldname, newname string) error {
	newRel, err := r.rel("rename", newname)
	if err != nil {
		return err
	}
	err = r.do("rename", oldname, func(oldRel string) error {
		return r.root.Rename(oldRel, newRel)
	})
	var le *os.LinkError
	if errors.As(err, &le) {
		return &os.LinkError{Op: le.Op, Old: r.resolve(oldname), New: r.resolve(newname), Err: outside(le.Err)}
	}
	return err
}

func (r *rootFS) remove(name string) error {
	return r.do("remove", name, r.root.Remove)
}

func (r *rootFS) mkdirAll(name string, perm fs.FileMode) error {
	return r.do("mkdir", name, func(rel string) error {
		return r.root.MkdirAll(rel, perm)
	})
}

func (r *rootFS) openDir(name string) (d *os.Root, err error) {
	err = r.do("open", name, func(rel string) error {
		d, err = r.root.OpenRoot(rel)
		return err
	})
	return d, err
}
