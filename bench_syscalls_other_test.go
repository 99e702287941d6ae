//go:build !unix

package cachetta_test

import "testing"

// floorSyscalls skips: its system calls are those of Unix.
func floorSyscalls(b *testing.B, _ string, _ int) {
	b.Skip("the syscall floor is measured on Unix only")
}
