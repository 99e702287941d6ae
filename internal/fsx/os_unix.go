//go:build unix

package fsx

import (
	"io"
	"io/fs"
	"os"
	"syscall"
)

// plainDescriptors is true where a Temp on the plain file system is
// written through its descriptor alone.
const plainDescriptors = true

// maxWrite bounds one write(2), as the os package bounds them: some systems
// refuse a count of 2 GiB or more.
const maxWrite = 1 << 30

// createFD creates name, which must not exist, for writing, with mode perm,
// and returns its descriptor. O_EXCL makes the open fail on anything at the
// name, a symbolic link included, so the file is new, regular and ours.
func createFD(name string, perm fs.FileMode) (int, error) {
	for {
		fd, err := syscall.Open(name, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_EXCL|syscall.O_CLOEXEC, uint32(perm.Perm()))
		switch err {
		case nil:
			return fd, nil
		case syscall.EINTR:
			continue
		}
		return -1, &fs.PathError{Op: "open", Path: name, Err: err}
	}
}

// writeFD writes all of data to the descriptor fd of the file name.
func writeFD(fd int, name string, data []byte) error {
	for len(data) > 0 {
		n, err := syscall.Write(fd, data[:min(len(data), maxWrite)])
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return &fs.PathError{Op: "write", Path: name, Err: err}
		case n <= 0:
			return &fs.PathError{Op: "write", Path: name, Err: io.ErrShortWrite}
		}
		data = data[n:]
	}
	return nil
}

// closeFD closes the descriptor fd of the file name. It is not retried
// after EINTR: the descriptor is released all the same.
func closeFD(fd int, name string) error {
	if err := syscall.Close(fd); err != nil {
		return &fs.PathError{Op: "close", Path: name, Err: err}
	}
	return nil
}

// rename renames oldname to newname with rename(2) alone, as os.Root's
// Rename does. os.Rename looks at newname first, to refuse to replace a
// directory; rename(2) refuses that itself when oldname is not a directory
// (EISDIR), and the cache renames nothing but its own files.
func rename(oldname, newname string) error {
	for {
		err := syscall.Rename(oldname, newname)
		switch err {
		case nil:
			return nil
		case syscall.EINTR:
			continue
		}
		return &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: err}
	}
}

// fileID returns the device and inode of the file info describes.
func fileID(info fs.FileInfo) FileID {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return FileID{Dev: uint64(st.Dev), Ino: uint64(st.Ino)}
	}
	return FileID{}
}
