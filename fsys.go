package cachetta

import (
	"io/fs"
	"os"
)

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

// newFileSystem returns the file system for a root directory, or the plain
// one when root is empty.
func newFileSystem(root string) (fileSystem, error) {
	return osFS{}, nil
}
