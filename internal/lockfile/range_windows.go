package lockfile

import (
	"fmt"
	"os"
	"syscall"
	"unsafe"
)

// The Win32 calls of cmd/go's lockedfile, through the syscall package.
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

// tryLockRange takes the byte at off of f, exclusively, without waiting.
// Windows locks are mandatory for the bytes they cover; the locked bytes lie
// far past the counters, which stay readable and writable through other
// handles.
func tryLockRange(f *os.File, off int64) error {
	err := onHandle(f, off, func(h uintptr, ol *syscall.Overlapped) (uintptr, error) {
		r1, _, e1 := procLockFileEx.Call(h, lockfileExclusiveLock|lockfileFailImmediately, 0, 1, 0, uintptr(unsafe.Pointer(ol)))
		return r1, e1
	})
	switch err {
	case nil:
		return nil
	case errorLockViolation:
		return ErrBusy
	case errorNotSupported, errorInvalidFunction:
		return fmt.Errorf("%w: %w", ErrUnsupported, err)
	}
	return err
}

// unlockRange releases the byte at off of f.
func unlockRange(f *os.File, off int64) {
	onHandle(f, off, func(h uintptr, ol *syscall.Overlapped) (uintptr, error) {
		r1, _, e1 := procUnlockFileEx.Call(h, 0, 1, 0, uintptr(unsafe.Pointer(ol)))
		return r1, e1
	})
}

// onHandle calls call with f's handle and an OVERLAPPED naming the byte at
// off, and turns its failure, a zero result, into an error.
func onHandle(f *os.File, off int64, call func(h uintptr, ol *syscall.Overlapped) (uintptr, error)) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var cerr error
	err = rc.Control(func(h uintptr) {
		ol := &syscall.Overlapped{Offset: uint32(off), OffsetHigh: uint32(off >> 32)}
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
