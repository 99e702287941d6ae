package lockfile

import "syscall"

// fOFDSetLK is F_OFD_SETLK: a record lock owned by the open file
// description, not by the process, so that it dies with the description's
// last close and no other close in the process drops it (Linux 3.15).
const fOFDSetLK = 37

func setLock(fd uintptr, typ int16, off int64) error {
	lk := syscall.Flock_t{Type: typ, Whence: 0, Start: off, Len: 1}
	return syscall.FcntlFlock(fd, fOFDSetLK, &lk)
}
