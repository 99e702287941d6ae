package lockfile

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// openNonblock and openNoFollow are 0: no open flag does their work here;
// the opened file is checked against an Lstat of its path instead.
const (
	openNonblock = 0
	openNoFollow = 0
)

// maxIdle is 0: no lock file stays open after its last Close, since an open
// handle keeps its directory from being removed.
const maxIdle = 0

// links returns the number of names of the file f, from its handle: the
// FileInfo of Windows carries no link count, and NTFS has hard links.
func links(f *os.File, _ fs.FileInfo) uint64 {
	rc, err := f.SyscallConn()
	if err != nil {
		return 0
	}
	var d syscall.ByHandleFileInformation
	var cerr error
	if err := rc.Control(func(h uintptr) { cerr = syscall.GetFileInformationByHandle(syscall.Handle(h), &d) }); err != nil || cerr != nil {
		return 0 // unknown counts as unusable
	}
	return uint64(d.NumberOfLinks)
}

// isObstacleErr reports whether an open failed for what is at the name, a
// directory.
func isObstacleErr(err error) bool {
	return errors.Is(err, syscall.EISDIR)
}

// sameAt is stillAt's test of what is at path on the plain file system. No
// File is kept idle here (maxIdle is 0), so it does not run.
func sameAt(path string, info fs.FileInfo) bool {
	now, err := os.Lstat(path)
	return err == nil && now.Mode().IsRegular() && os.SameFile(now, info)
}
