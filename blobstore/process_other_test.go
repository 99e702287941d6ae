//go:build !linux

package blobstore_test

import "syscall"

// childAttr has no way elsewhere to tie a server's life to the test
// binary's; a test that times out may leave its server running.
func childAttr() *syscall.SysProcAttr { return nil }
