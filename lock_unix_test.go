//go:build darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd

package cachetta

import (
	"errors"
	"syscall"
	"testing"
)

// TestFlockError checks how the errors of flock are sorted: a lock held
// elsewhere, a file system without locks, and everything else.
func TestFlockError(t *testing.T) {
	tests := []struct {
		err         error
		busy        bool
		unsupported bool
	}{
		{err: syscall.EWOULDBLOCK, busy: true},
		{err: syscall.ENOLCK, unsupported: true},
		{err: syscall.ENOTSUP, unsupported: true},
		{err: syscall.EOPNOTSUPP, unsupported: true},
		{err: syscall.EINVAL, unsupported: true},
		{err: syscall.EBADF},
		{err: syscall.EIO},
	}
	for _, tt := range tests {
		t.Run(tt.err.Error(), func(t *testing.T) {
			err := flockError(tt.err)
			if errors.Is(err, errLockBusy) != tt.busy || errors.Is(err, errLockUnsupported) != tt.unsupported || !errors.Is(err, tt.err) && !tt.busy {
				t.Errorf("flockError(%v) = %v; want busy %v, unsupported %v, wrapping the errno", tt.err, err, tt.busy, tt.unsupported)
			}
		})
	}
}
