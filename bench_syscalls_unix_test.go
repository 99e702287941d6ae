//go:build unix

package cachetta_test

import (
	"syscall"
	"testing"
)

// floorSyscalls is the floor under every disk hit, of any language: the
// system calls that open, stat, read and close the file at path, with no
// decoding and no allocation but the C string of path. A hit cannot cost
// less on this machine, so a Python floor less than k times this figure
// rules out a hit k times as fast as Python.
func floorSyscalls(b *testing.B, path string, size int) {
	b.Helper()
	buf := make([]byte, size+1)
	var (
		st  syscall.Stat_t
		n   int
		err error
	)
	b.ReportAllocs()
	for b.Loop() {
		var fd int
		if fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0); err != nil {
			break
		}
		if err = syscall.Fstat(fd, &st); err == nil {
			n, err = syscall.Read(fd, buf)
		}
		if cerr := syscall.Close(fd); err == nil {
			err = cerr
		}
		if err != nil {
			break
		}
	}
	if err != nil || n != size || st.Size != int64(size) {
		b.Fatalf("read %d bytes of a %d-byte stat, %v; want %d", n, st.Size, err, size)
	}
}
