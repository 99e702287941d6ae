//go:build !unix

package fsx

import (
	"errors"
	"io/fs"
	"os"
)

// plainDescriptors is false here: every Temp is an *os.File.
const plainDescriptors = false

// createFD, writeFD and closeFD are never called here.
func createFD(string, fs.FileMode) (int, error) { return -1, errors.ErrUnsupported }
func writeFD(int, string, []byte) error         { return errors.ErrUnsupported }
func closeFD(int, string) error                 { return errors.ErrUnsupported }

// rename renames oldname to newname with os.Rename.
func rename(oldname, newname string) error { return os.Rename(oldname, newname) }

// fileID returns the zero FileID: here os.SameFile tells files apart.
func fileID(fs.FileInfo) FileID { return FileID{} }
