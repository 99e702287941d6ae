package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/cachetta-go/cachetta"
	"github.com/cachetta-go/cachetta/internal/fsx"
)

// readEntry returns the bytes of the regular file at path, as the cache
// would read them: it follows no symbolic link, never waits on a FIFO a
// writer could hold open, and reads no more than cachetta.DefaultReadLimit,
// so that stat shows what the cache could serve and nothing else.
func readEntry(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, pathError("stat", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, pathError("stat", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("cachetta: stat %s: is %s, not an entry's file", quoteName(path), fileKind(fi.Mode()))
	}
	const limit = cachetta.DefaultReadLimit
	if fi.Size() > limit {
		return nil, fmt.Errorf("cachetta: stat %s: %s, more than the %s a cache reads", quoteName(path), formatSize(fi.Size()), formatSize(limit))
	}
	// The cache's own reader: one buffer of the size the stat gave, and a
	// file that grows or shrinks meanwhile refused, as a read refuses it.
	data, err := fsx.ReadAll(context.Background(), f, fi.Size(), false)
	if errors.Is(err, fsx.ErrSizeChanged) {
		return nil, fmt.Errorf("cachetta: stat %s: changed size while read", quoteName(path))
	}
	if err != nil {
		return nil, pathError("stat", path, err)
	}
	return data, nil
}
