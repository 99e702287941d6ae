//go:build unix

package main

import "syscall"

// openFlags keeps stat from following a link swapped in for the entry and
// from blocking on a FIFO.
const openFlags = syscall.O_NOFOLLOW | syscall.O_NONBLOCK
