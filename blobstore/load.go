package blobstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/cachetta-go/cachetta"
)

// Load returns the bytes of the entry name and its cachetta.StoreEntry in
// one request. An object larger than maxSize is refused by the size the
// service announces, before its bytes are read, and by counting them, should
// the announcement be wrong; either way the error wraps cachetta.ErrTooLarge.
// A missing entry is an error wrapping fs.ErrNotExist.
func (s *Store) Load(ctx context.Context, name string, maxSize int64) ([]byte, cachetta.StoreEntry, error) {
	key, err := s.key("load", name)
	if err != nil {
		return nil, cachetta.StoreEntry{}, err
	}
	if maxSize <= 0 {
		return nil, cachetta.StoreEntry{}, fmt.Errorf("blobstore: load %s: maximum size must be positive, got %d", name, maxSize)
	}
	// Some drivers (fileblob, memblob) never look at the context.
	if err := ctx.Err(); err != nil {
		return nil, cachetta.StoreEntry{}, wrap("load", name, err)
	}
	r, err := s.bucket.NewReader(ctx, key, nil)
	if err != nil {
		return nil, cachetta.StoreEntry{}, wrap("load", name, err)
	}
	defer func() { _ = r.Close() }()
	size, mod := r.Size(), r.ModTime()
	if s.kind == kindFile {
		// fileblob stats the name, then opens it: a Save between the two
		// pairs one file's size with another's bytes. The open file knows
		// its own.
		var f io.Reader
		if r.As(&f) {
			if f, ok := f.(*os.File); ok {
				fi, err := f.Stat()
				if err != nil {
					return nil, cachetta.StoreEntry{}, wrap("load", name, err)
				}
				size, mod = fi.Size(), fi.ModTime()
			}
		}
	}
	if size > maxSize {
		return nil, cachetta.StoreEntry{}, tooLarge(name, size, maxSize)
	}
	data, err := readAll(r, size, maxSize)
	if err != nil {
		return nil, cachetta.StoreEntry{}, wrap("load", name, err)
	}
	if int64(len(data)) > maxSize {
		return nil, cachetta.StoreEntry{}, tooLarge(name, int64(len(data)), maxSize)
	}
	if int64(len(data)) != size {
		// The object changed under the read, or the service miscounted:
		// either way these bytes may be torn.
		return nil, cachetta.StoreEntry{}, fmt.Errorf("blobstore: load %s: read %d bytes of an object of %d: %w",
			name, len(data), size, io.ErrUnexpectedEOF)
	}
	return data, cachetta.StoreEntry{
		Name:    name,
		Size:    size,
		ModTime: modTime(s.kind, mod),
		Version: readerVersion(s.kind, r),
	}, nil
}

func tooLarge(name string, size, maxSize int64) error {
	return fmt.Errorf("blobstore: load %s: %d bytes, more than %d: %w", name, size, maxSize, cachetta.ErrTooLarge)
}

// readAll reads r to its end into a buffer sized for the announced size, so
// that an honest object costs one allocation, and stops one byte past
// maxSize, so that a dishonest one costs no more than maxSize+1 bytes.
func readAll(r io.Reader, size, maxSize int64) ([]byte, error) {
	limit := int(min(maxSize, math.MaxInt-1)) + 1
	data := make([]byte, 0, min(int(max(size, 0))+1, limit))
	for len(data) < limit {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		n, err := r.Read(data[len(data):min(cap(data), limit)])
		data = data[:len(data)+n]
		if errors.Is(err, io.EOF) {
			return data, nil
		}
		if err != nil {
			return nil, err
		}
	}
	return data, nil
}

// Stat returns the cachetta.StoreEntry of name from the object's attributes,
// in one request that reads none of its bytes. A missing entry is an error
// wrapping fs.ErrNotExist.
func (s *Store) Stat(ctx context.Context, name string) (cachetta.StoreEntry, error) {
	key, err := s.key("stat", name)
	if err != nil {
		return cachetta.StoreEntry{}, err
	}
	if err := ctx.Err(); err != nil {
		return cachetta.StoreEntry{}, wrap("stat", name, err)
	}
	a, err := s.bucket.Attributes(ctx, key)
	if err != nil {
		return cachetta.StoreEntry{}, wrap("stat", name, err)
	}
	return cachetta.StoreEntry{
		Name:    name,
		Size:    a.Size,
		ModTime: modTime(s.kind, a.ModTime),
		Version: attributesVersion(s.kind, a),
	}, nil
}
