//go:build darwin || dragonfly || freebsd || illumos || netbsd || openbsd

package lockfile

import "syscall"

// setLock takes or releases a POSIX record lock, which the process owns: the
// registry keeps one descriptor per lock file, so no other close drops it.
func setLock(fd uintptr, typ int16, off int64) error {
	lk := syscall.Flock_t{Type: typ, Whence: 0, Start: off, Len: 1}
	return syscall.FcntlFlock(fd, syscall.F_SETLK, &lk)
}
