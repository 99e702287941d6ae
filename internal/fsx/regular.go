package fsx

import (
	"errors"
	"io/fs"
	"os"
)

// ErrNotRegular is the cause of an error about a path that names a
// directory or another file that is not regular.
var ErrNotRegular = errors.New("not a regular file")

// OpenRegular opens the file name for reading and returns it with its stat,
// taken through the handle. It does not wait on a named pipe without a
// writer, and refuses anything but a regular file with an error wrapping
// ErrNotRegular, naming name for op.
func OpenRegular(fsys FS, op, name string) (*os.File, fs.FileInfo, error) {
	// Without a writer, opening a named pipe would wait for one.
	f, err := fsys.OpenFile(name, os.O_RDONLY|Nonblock, 0)
	if err != nil {
		return nil, nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, info, &fs.PathError{Op: op, Path: name, Err: ErrNotRegular}
	}
	return f, info, nil
}
