//go:build unix

package fsx

import (
	"io/fs"
	"os"
	"syscall"
)

// createNew creates name, which must not exist, as os.OpenFile(name, flag,
// perm) would with flag holding os.O_CREATE|os.O_EXCL, in fewer system
// calls. A file created exclusively is a new regular file, never a named
// pipe or a device, so there is nothing for the runtime's poller to wait
// on; yet os.OpenFile tries it on every open, and on Linux that costs four
// fcntl calls and an epoll_ctl that fails. os.NewFile leaves a descriptor
// out of the poller and costs one fcntl.
func createNew(name string, flag int, perm fs.FileMode) (*os.File, error) {
	if perm&^fs.ModePerm != 0 || flag&syscall.O_NONBLOCK != 0 {
		// os.OpenFile maps the setuid, setgid and sticky bits, per system.
		return os.OpenFile(name, flag, perm)
	}
	for {
		fd, err := syscall.Open(name, flag|syscall.O_CLOEXEC, uint32(perm))
		switch err {
		case nil:
			return os.NewFile(uintptr(fd), name), nil
		case syscall.EINTR:
			continue
		}
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
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
