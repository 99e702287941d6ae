//go:build darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd

package lockfile

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// tryLockRange takes the byte at off of f, exclusively, without waiting.
func tryLockRange(f *os.File, off int64) error {
	return lockError(control(f, func(fd uintptr) error { return setLock(fd, syscall.F_WRLCK, off) }))
}

// unlockRange releases the byte at off of f.
func unlockRange(f *os.File, off int64) {
	control(f, func(fd uintptr) error { return setLock(fd, syscall.F_UNLCK, off) })
}

// control calls fn with f's descriptor, again while it is interrupted.
func control(f *os.File, fn func(fd uintptr) error) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	err = rc.Control(func(fd uintptr) {
		for {
			if ferr = fn(fd); ferr != syscall.EINTR {
				return
			}
		}
	})
	if err != nil {
		return err
	}
	return ferr
}

// lockError sorts the error of a non-blocking record lock. Some FUSE and old
// NFS mounts answer ENOLCK, ENOTSUP or EINVAL (also a kernel older than
// open-file-description locks): they have no locks to give.
func lockError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, syscall.EAGAIN), errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EWOULDBLOCK):
		return ErrBusy
	case errors.Is(err, syscall.ENOLCK), errors.Is(err, syscall.ENOTSUP),
		errors.Is(err, syscall.EOPNOTSUPP), errors.Is(err, syscall.EINVAL):
		return fmt.Errorf("%w: %w", ErrUnsupported, err)
	}
	return err
}
