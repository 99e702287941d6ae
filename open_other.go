//go:build !unix

package cachetta

// openNonblock is 0 where opening a file does not wait for a writer, or
// where no flag can stop it.
const openNonblock = 0

// openNoFollow is 0 where no open flag refuses symbolic links; lock files
// are then checked against an Lstat of their path after opening.
const openNoFollow = 0
