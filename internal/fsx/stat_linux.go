//go:build linux && (amd64 || arm64)

package fsx

import (
	"io/fs"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

// statPlain stats name with fstatat(2), its name written with its NUL
// into a buffer on the stack, as os.Stat would into one on the heap, and
// the answer read into another. ok is false for a name too long for the
// buffer, which the caller stats the common way.
func statPlain(name string) (st Status, ok bool, err error) {
	var buf [256]byte
	if len(name) >= len(buf) || name == "" {
		return Status{}, false, nil
	}
	if strings.IndexByte(name, 0) >= 0 {
		return Status{}, true, &fs.PathError{Op: "stat", Path: name, Err: syscall.EINVAL}
	}
	copy(buf[:], name)
	var sys syscall.Stat_t
	for {
		at := atFDCWD
		_, _, errno := syscall.Syscall6(sysFstatat, uintptr(at), uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&sys)), 0, 0, 0)
		switch errno {
		case 0:
			return Status{
				Mode:    fileMode(sys.Mode),
				Size:    sys.Size,
				ModTime: time.Unix(sys.Mtim.Sec, sys.Mtim.Nsec),
				File:    FileID{Dev: sys.Dev, Ino: sys.Ino},
			}, true, nil
		case syscall.EINTR:
			continue
		}
		return Status{}, true, &fs.PathError{Op: "stat", Path: name, Err: errno}
	}
}

// atFDCWD is Linux's AT_FDCWD, a variable so that its conversion to a
// uintptr wraps as the kernel expects.
var atFDCWD = -100

// fileMode converts the mode of a stat(2) to an fs.FileMode, as the os
// package does.
func fileMode(m uint32) fs.FileMode {
	mode := fs.FileMode(m & 0o777)
	switch m & syscall.S_IFMT {
	case syscall.S_IFBLK:
		mode |= fs.ModeDevice
	case syscall.S_IFCHR:
		mode |= fs.ModeDevice | fs.ModeCharDevice
	case syscall.S_IFDIR:
		mode |= fs.ModeDir
	case syscall.S_IFIFO:
		mode |= fs.ModeNamedPipe
	case syscall.S_IFLNK:
		mode |= fs.ModeSymlink
	case syscall.S_IFSOCK:
		mode |= fs.ModeSocket
	}
	if m&syscall.S_ISGID != 0 {
		mode |= fs.ModeSetgid
	}
	if m&syscall.S_ISUID != 0 {
		mode |= fs.ModeSetuid
	}
	if m&syscall.S_ISVTX != 0 {
		mode |= fs.ModeSticky
	}
	return mode
}
