package blobstore_test

import "syscall"

// childAttr asks Linux to kill a server when the test binary dies, as it
// does without running TestMain's cleanup when a test times out; otherwise
// the server would outlive the tests and hold its ports. Linux sends the
// signal when the thread that started the child ends, which in a Go program
// is the process's end: the runtime ends no thread unless a goroutine locked
// to it exits, and these tests lock none.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
