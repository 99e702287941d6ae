package fsx

import (
	"io/fs"
	"time"
)

// Status is what a stat of a file tells the cache: its type, size and
// modification time, and what tells it from another file at its name.
type Status struct {
	Mode    fs.FileMode
	Size    int64
	ModTime time.Time
	// File is the file's device and inode; zero where the platform gives
	// none, and Info stands for the file instead.
	File FileID
	// Info is the stat itself, kept only where File is zero, for
	// os.SameFile.
	Info fs.FileInfo
}

// FileID tells one file from another on a system that numbers them: the
// same device and inode is the same file. The zero FileID tells nothing.
type FileID struct{ Dev, Ino uint64 }

// Stat returns the Status of the file at name, following links. On Linux,
// on the plain file system, it makes one system call and no allocation; a
// file system inside a root, and other systems, go through fsys.Stat.
func Stat(fsys FS, name string) (Status, error) {
	if _, plain := fsys.(OS); plain {
		if st, ok, err := statPlain(name); ok {
			return st, err
		}
	}
	info, err := fsys.Stat(name)
	if err != nil {
		return Status{}, err
	}
	return StatusOf(info), nil
}

// StatusOf returns the Status that info describes.
func StatusOf(info fs.FileInfo) Status {
	st := Status{Mode: info.Mode(), Size: info.Size(), ModTime: info.ModTime()}
	if st.File = fileID(info); st.File == (FileID{}) {
		st.Info = info
	}
	return st
}
