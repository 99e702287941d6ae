//go:build darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd

package cachetta

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// tryLockFile takes an exclusive flock on f without waiting. It returns
// errLockBusy when another open file description holds it, and an error
// wrapping errLockUnsupported when f's file system refuses locks.
func tryLockFile(f *os.File) error {
	return flockError(flock(f, syscall.LOCK_EX|syscall.LOCK_NB))
}

// unlockFile releases the flock on f.
func unlockFile(f *os.File) error {
	return flock(f, syscall.LOCK_UN)
}

func flock(f *os.File, how int) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	err = rc.Control(func(fd uintptr) {
		for {
			if ferr = syscall.Flock(int(fd), how); ferr != syscall.EINTR {
				return
			}
		}
	})
	if err != nil {
		return err
	}
	return ferr
}

// flockError sorts the error of a non-blocking flock. Some FUSE and old NFS
// mounts answer ENOLCK, ENOTSUP or EINVAL: they have no locks to give.
func flockError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, syscall.EWOULDBLOCK):
		return errLockBusy
	case errors.Is(err, syscall.ENOLCK), errors.Is(err, syscall.ENOTSUP),
		errors.Is(err, syscall.EOPNOTSUPP), errors.Is(err, syscall.EINVAL):
		return fmt.Errorf("%w: %w", errLockUnsupported, err)
	}
	return err
}
