//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd || windows)

package main

import "os"

// isTerminal reports false where the command has no way to ask the system
// without a dependency: clear then needs --yes.
func isTerminal(*os.File) bool { return false }
