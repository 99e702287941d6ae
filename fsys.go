package cachetta

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ErrOutsideRoot reports a path that resolves outside the directory set by
// WithRoot, through "..", an absolute path or a symbolic link. Nothing is
// read, written or removed for it. Like fs.ErrNotExist it comes inside an
// *fs.PathError naming the path, so its text has no prefix of its own.
var ErrOutsideRoot = errors.New("path outside the root")

// WithRoot confines the cache to dir: every path it touches, literal, joined,
// keyed or from a path function, is opened through an os.Root on dir, and one
// that resolves outside is refused with an error wrapping ErrOutsideRoot.
// Paths keep their meaning: relative ones are relative to the working
// directory, as without WithRoot, and must lie inside dir. Use it whenever
// any part of a path comes from user input. The default is no confinement.
func WithRoot(dir string) Option {
	return optionFunc(func(c *config) { c.root = dir })
}

// fileSystem is the set of file operations the cache performs, so that the
// same code runs on the plain file system and inside a root set by WithRoot.
type fileSystem interface {
	open(name string) (*os.File, error)
	openFile(name string, flag int, perm fs.FileMode) (*os.File, error)
	stat(name string) (fs.FileInfo, error)
	lstat(name string) (fs.FileInfo, error)
	rename(oldname, newname string) error
	remove(name string) error
	mkdirAll(name string, perm fs.FileMode) error
	// walkDir walks the tree at name without following symbolic links,
	// passing fn paths that the other methods accept.
	walkDir(name string, fn fs.WalkDirFunc) error
}

// newFileSystem returns the file system confined to root, or the plain one
// when root is empty.
func newFileSystem(root string) (fileSystem, error) {
	if root == "" {
		return osFS{}, nil
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("cachetta: root %s: %w", root, err)
	}
	return rootFS{dir: filepath.Clean(root), abs: abs}, nil
}

// osFS is the plain file system.
type osFS struct{}

func (osFS) open(name string) (*os.File, error) { return os.Open(name) }
func (osFS) openFile(name string, flag int, perm fs.FileMode) (*os.File, error) {
	return os.OpenFile(name, flag, perm)
}
func (osFS) stat(name string) (fs.FileInfo, error)        { return os.Stat(name) }
func (osFS) lstat(name string) (fs.FileInfo, error)       { return os.Lstat(name) }
func (osFS) rename(oldname, newname string) error         { return os.Rename(oldname, newname) }
func (osFS) remove(name string) error                     { return os.Remove(name) }
func (osFS) mkdirAll(name string, perm fs.FileMode) error { return os.MkdirAll(name, perm) }
func (osFS) walkDir(name string, fn fs.WalkDirFunc) error { return filepath.WalkDir(name, fn) }

// rootFS opens an os.Root on its directory for every operation, so that a
// root directory removed and created again keeps working and no descriptor
// outlives the call.
type rootFS struct {
	dir string // as configured, cleaned
	abs string // absolute form of dir
}

// rel returns name relative to the root, or an ErrOutsideRoot error.
func (r rootFS) rel(op, name string) (string, error) {
	base, target := r.dir, name
	if filepath.IsAbs(target) != filepath.IsAbs(base) {
		abs, err := filepath.Abs(target)
		if err != nil {
			return "", &fs.PathError{Op: op, Path: name, Err: err}
		}
		base, target = r.abs, abs
	}
	rel, err := filepath.Rel(base, target)
	if err != nil || !filepath.IsLocal(rel) {
		return "", &fs.PathError{Op: op, Path: name, Err: ErrOutsideRoot}
	}
	return rel, nil
}

// do runs f on the root with name made relative to it. Errors name name,
// not the relative path os.Root saw.
func (r rootFS) do(op, name string, f func(root *os.Root, rel string) error) error {
	rel, err := r.rel(op, name)
	if err != nil {
		return err
	}
	root, err := os.OpenRoot(r.dir)
	if err != nil {
		return err
	}
	defer root.Close()
	return r.named(f(root, rel), rel, name)
}

// named rewrites a *fs.PathError about rel, or a path below it, to speak of
// name, and turns os.Root's refusal of a path that leads outside into
// ErrOutsideRoot.
func (r rootFS) named(err error, rel, name string) error {
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		return err
	}
	path := filepath.FromSlash(pe.Path)
	// The *at system calls name paths relative to the root; calls on a file
	// opened in it name the file from the root's own name.
	if p, err := filepath.Rel(r.dir, path); err == nil && filepath.IsLocal(p) && !strings.HasSuffix(pe.Op, "at") {
		path = p
	}
	if sub, err := filepath.Rel(rel, path); err == nil && filepath.IsLocal(sub) {
		path = filepath.Join(name, sub)
	}
	return &fs.PathError{Op: pe.Op, Path: path, Err: outside(pe.Err)}
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

func (r rootFS) open(name string) (f *os.File, err error) {
	err = r.do("open", name, func(root *os.Root, rel string) error {
		f, err = root.Open(rel)
		return err
	})
	return f, err
}

func (r rootFS) openFile(name string, flag int, perm fs.FileMode) (f *os.File, err error) {
	err = r.do("open", name, func(root *os.Root, rel string) error {
		f, err = root.OpenFile(rel, flag, perm)
		return err
	})
	return f, err
}

func (r rootFS) stat(name string) (info fs.FileInfo, err error) {
	err = r.do("stat", name, func(root *os.Root, rel string) error {
		info, err = root.Stat(rel)
		return err
	})
	return info, err
}

func (r rootFS) lstat(name string) (info fs.FileInfo, err error) {
	err = r.do("lstat", name, func(root *os.Root, rel string) error {
		info, err = root.Lstat(rel)
		return err
	})
	return info, err
}

func (r rootFS) rename(oldname, newname string) error {
	newRel, err := r.rel("rename", newname)
	if err != nil {
		return err
	}
	err = r.do("rename", oldname, func(root *os.Root, oldRel string) error {
		return root.Rename(oldRel, newRel)
	})
	var le *os.LinkError
	if errors.As(err, &le) {
		return &os.LinkError{Op: le.Op, Old: oldname, New: newname, Err: outside(le.Err)}
	}
	return err
}

func (r rootFS) remove(name string) error {
	return r.do("remove", name, func(root *os.Root, rel string) error {
		return root.Remove(rel)
	})
}

// mkdirAll creates name inside the root, and the root directory itself when
// it is missing.
func (r rootFS) mkdirAll(name string, perm fs.FileMode) error {
	if _, err := r.rel("mkdir", name); err != nil {
		return err
	}
	if err := os.MkdirAll(r.dir, perm); err != nil {
		return err
	}
	return r.do("mkdir", name, func(root *os.Root, rel string) error {
		return root.MkdirAll(rel, perm)
	})
}

// walkDir passes fn paths spelled as name is, whatever the root's spelling.
func (r rootFS) walkDir(name string, fn fs.WalkDirFunc) error {
	return r.do("walk", name, func(root *os.Root, rel string) error {
		return fs.WalkDir(root.FS(), filepath.ToSlash(rel), func(p string, d fs.DirEntry, err error) error {
			sub, _ := filepath.Rel(rel, filepath.FromSlash(p))
			return fn(filepath.Join(name, sub), d, r.named(err, rel, name))
		})
	})
}
