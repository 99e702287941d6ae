package main

import (
	"fmt"
	"io"
	"os"

	"github.com/cachetta-go/cachetta"
)

// readEntry returns the bytes of the regular file at path, as the cache
// would read them: it follows no symbolic link, never waits on a FIFO a
// writer could hold open, and reads no more than cachetta.DefaultMaxFileSize,
// so that stat shows what the cache could serve and nothing else.
func readEntry(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, fmt.Errorf("cachetta: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("cachetta: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("cachetta: stat %s: not a regular file (%s)", path, fi.Mode().Type())
	}
	if fi.Size() > cachetta.DefaultMaxFileSize {
		return nil, fmt.Errorf("cachetta: stat %s: %d bytes, over the limit of %d", path, fi.Size(), int64(cachetta.DefaultMaxFileSize))
	}
	// The file may grow while it is read; the limit bounds it all the same.
	data, err := io.ReadAll(io.LimitReader(f, cachetta.DefaultMaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("cachetta: read %s: %w", path, err)
	}
	if len(data) > cachetta.DefaultMaxFileSize {
		return nil, fmt.Errorf("cachetta: stat %s: grew over the limit of %d bytes while read", path, int64(cachetta.DefaultMaxFileSize))
	}
	return data, nil
}
