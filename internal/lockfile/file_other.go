//go:build !unix && !windows

package lockfile

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// openNonblock and openNoFollow are 0 where no open flag does their work;
// the opened file is then checked against an Lstat of its path.
const (
	openNonblock = 0
	openNoFollow = 0
)

// maxIdle is 0: no lock file stays open after its last Close, where there
// are no locks to take through it and no link count to check it by.
const maxIdle = 0

// links returns 1: no link count is known here.
func links(*os.File, fs.FileInfo) uint64 { return 1 }

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
