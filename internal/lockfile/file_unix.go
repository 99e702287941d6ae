//go:build unix

package lockfile

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// openNonblock opens a named pipe planted at the name without waiting for a
// writer; on a regular file it has no effect.
const openNonblock = syscall.O_NONBLOCK

// openNoFollow makes opening a symbolic link fail.
const openNoFollow = syscall.O_NOFOLLOW

// maxIdle is the number of lock files a process keeps open after their last
// Close. A descriptor costs the process little and keeps no file or
// directory from being removed or renamed, though it keeps the file system
// busy for an unmount.
const maxIdle = 64

// links returns the number of names of the file f, which info describes.
func links(_ *os.File, info fs.FileInfo) uint64 {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Nlink)
	}
	return 1
}

// isObstacleErr reports whether an open failed for what is at the name: a
// symbolic link (ELOOP, or EMLINK on some BSDs), a directory (EISDIR), or a
// device or socket that cannot be opened (ENXIO).
func isObstacleErr(err error) bool {
	return errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.EMLINK) ||
		errors.Is(err, syscall.EISDIR) || errors.Is(err, syscall.ENXIO)
}
