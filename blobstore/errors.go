package blobstore

import (
	"fmt"
	"io/fs"

	"gocloud.dev/gcerrors"
)

// wrap names the operation and the entry in err, and makes a missing object
// an fs.ErrNotExist, which is what a cache branches on; the service's error
// stays in the chain for gcerrors.Code and the bucket's ErrorAs.
func wrap(op, name string, err error) error {
	if gcerrors.Code(err) == gcerrors.NotFound {
		return fmt.Errorf("blobstore: %s %s: %w: %w", op, name, fs.ErrNotExist, err)
	}
	return fmt.Errorf("blobstore: %s %s: %w", op, name, err)
}
