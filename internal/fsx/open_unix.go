//go:build unix

package fsx

import "syscall"

// Nonblock opens a named pipe without waiting for a writer. Reads refuse
// anything but a regular file once it is open, and on a regular file the
// flag has no effect.
const Nonblock = syscall.O_NONBLOCK
