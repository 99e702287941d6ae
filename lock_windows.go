//go:build windows

package cachetta

import (
	"fmt"
	"os"
	"syscall"
	"unsafe"
)

// The Win32 calls the cmd/go lockedfile package makes, through the standard
// library's syscall package.
var (
	kernel32         = syscall.NewLazyDLL("kernel32.dll")
	procLockFileEx   = kernel32.NewProc("LockFileEx")
	procUnlockFileEx = kernel32.NewProc("UnlockFileEx")
)

const (
	lockfileFailImmediately = 0x00000001
	lockfileExclusiveLock   = 0x00000002

	errorInvalidFunction syscall.Errno = 1
	errorNotSupported    syscall.Errno = 50
	errorLockViolation   syscall.Errno = 33
)

// lockOffsetHigh places the one byte the lock covers far past any content:
// Windows locks are mandatory for the bytes they cover, and the generation
// stamp at the start of a run lock must stay readable and writable through
// other handles.
const lockOffsetHigh = 0x7fffffff

// tryLockFile takes an exclusive lock on f without waiting. It returns
// errLockBusy when another handle holds it, and an error wrapping
// errLockUnsupported when f's file system refuses locks.
func tryLockFile(f *os.File) error {
	err := onHandle(f, func(h uintptr, ol *syscall.Overlapped) (uintptr, error) {
		r1, _, e1 := procLockFileEx.Call(h, lockfileExclusiveLock|lockfileFailImmediately, 0, 1, 0, uintptr(unsafe.Pointer(ol)))
		return r1, e1
	})
	switch err {
	case nil:
		return nil
	case errorLockViolation:
		return errLockBusy
	case errorNotSupported, errorInvalidFunction:
		return fmt.Errorf("%w: %w", errLockUnsupported, err)
	}
	return err
}

// unlockFile releases the lock on f.
func unlockFile(f *os.File) error {
	return onHandle(f, func(h uintptr, ol *syscall.Overlapped) (uintptr, error) {
		r1, _, e1 := procUnlockFileEx.Call(h, 0, 1, 0, uintptr(unsafe.Pointer(ol)))
		return r1, e1
	})
}

// onHandle calls call with f's handle and an OVERLAPPED naming the locked
// byte, and turns its failure, a zero result, into an error.
func onHandle(f *os.File, call func(h uintptr, ol *syscall.Overlapped) (uintptr, error)) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var cerr error
	err = rc.Control(func(h uintptr) {
		ol := &syscall.Overlapped{OffsetHigh: lockOffsetHigh}
		if r1, e1 := call(h, ol); r1 == 0 {
			cerr = e1
			if errno, ok := e1.(syscall.Errno); !ok || errno == 0 {
				cerr = syscall.EINVAL
			}
		}
	})
	if err != nil {
		return err
	}
	return cerr
}
