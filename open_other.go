//go:build !unix

package cachetta

// openNonblock is 0 where opening a file does not wait for a writer, or
// where no flag can stop it.
const openNonblock = 0
