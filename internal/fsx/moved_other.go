//go:build !linux

package fsx

import "os"

// OpenFileKnowsItsPath is false where RemoveMoved cannot find a file by its
// handle: there a write whose directory was moved away during it leaves its
// temporary file in the moved directory, which Prune of that directory
// removes after an hour.
const OpenFileKnowsItsPath = false

// RemoveMoved does nothing here.
func RemoveMoved(*os.File, string) {}
