//go:build unix

package cachetta

import "syscall"

// openNonblock opens a named pipe without waiting for a writer. Reads refuse
// anything but a regular file once it is open, and on a regular file the
// flag has no effect.
const openNonblock = syscall.O_NONBLOCK
