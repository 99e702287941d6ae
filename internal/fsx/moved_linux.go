package fsx

import (
	"os"
	"strconv"
)

// OpenFileKnowsItsPath is true where RemoveMoved can find a file by its
// open handle.
const OpenFileKnowsItsPath = true

// RemoveMoved removes the temporary file f, which was created as tmp, from
// where it is now, when its directory was moved away during the write: the
// kernel's name for the open file (/proc/self/fd) says where that is. Only
// the file f itself is removed, never another found at that name.
func RemoveMoved(f *os.File, tmp string) {
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	var now string
	rc.Control(func(fd uintptr) {
		now, err = os.Readlink("/proc/self/fd/" + strconv.FormatUint(uint64(fd), 10))
	})
	if err != nil || now == tmp {
		return
	}
	opened, err := f.Stat()
	if err != nil {
		return
	}
	if looked, err := os.Lstat(now); err == nil && os.SameFile(opened, looked) {
		os.Remove(now)
	}
}
