package main

import (
	"os"
	"syscall"
)

// isTerminal reports whether f is a console, whose mode GetConsoleMode
// reads; NUL and pipes have none.
func isTerminal(f *os.File) bool {
	var mode uint32
	return syscall.GetConsoleMode(syscall.Handle(f.Fd()), &mode) == nil
}
