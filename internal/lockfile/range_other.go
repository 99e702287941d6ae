//go:build !(darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd || windows)

package lockfile

import (
	"fmt"
	"os"
	"runtime"
)

// tryLockRange reports that this platform has no locks the package uses:
// caches on it coordinate within their process only.
func tryLockRange(*os.File, int64) error {
	return fmt.Errorf("%w on %s", ErrUnsupported, runtime.GOOS)
}

func unlockRange(*os.File, int64) {}
