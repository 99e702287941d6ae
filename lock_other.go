//go:build !(darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd || windows)

package cachetta

import (
	"fmt"
	"os"
	"runtime"
)

// tryLockFile reports that this platform has no file locks the cache uses:
// caches on it coordinate within their process only.
func tryLockFile(*os.File) error {
	return fmt.Errorf("%w on %s", errLockUnsupported, runtime.GOOS)
}

func unlockFile(*os.File) error { return nil }
