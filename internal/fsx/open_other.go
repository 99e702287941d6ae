//go:build !unix

package fsx

// Nonblock is 0 where opening a file does not wait for a writer, or where
// no flag can stop it.
const Nonblock = 0
