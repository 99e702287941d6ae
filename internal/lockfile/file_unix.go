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

// sameAt is stillAt's test of what is at path on the plain file system,
// without following a link: the regular file that info, the stat of a File
// when opened, describes, with one link. Its stat is taken on the stack,
// not as an fs.FileInfo: this runs on every write.
func sameAt(path string, info fs.FileInfo) bool {
	was, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return false
	}
	var st syscall.Stat_t
	for {
		err := syscall.Lstat(path, &st)
		if err == nil {
			break
		}
		if err != syscall.EINTR {
			return false
		}
	}
	return st.Mode&syscall.S_IFMT == syscall.S_IFREG && st.Dev == was.Dev && st.Ino == was.Ino && st.Nlink == 1
}
