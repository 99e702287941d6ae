//go:build !linux

package cachetta

import "os"

// openFileKnowsItsPath is false where removeMoved cannot find a file by its
// handle: there a write whose directory was moved away during it leaves its
// temporary file in the moved directory, which Prune of that directory
// removes after an hour.
const openFileKnowsItsPath = false

func removeMoved(*os.File, string) {}
