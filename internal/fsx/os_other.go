//go:build !unix

package fsx

import (
	"io/fs"
	"os"
)

// createNew creates name, which must not exist, with os.OpenFile: flag
// holds os.O_CREATE|os.O_EXCL.
func createNew(name string, flag int, perm fs.FileMode) (*os.File, error) {
	return os.OpenFile(name, flag, perm)
}

// rename renames oldname to newname with os.Rename.
func rename(oldname, newname string) error { return os.Rename(oldname, newname) }
