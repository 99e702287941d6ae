//go:build !unix

package main

// openFlags adds nothing where the system has no O_NOFOLLOW or O_NONBLOCK;
// the regular-file check after the open still refuses what is not a file.
const openFlags = 0
