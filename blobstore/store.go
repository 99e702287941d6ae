package blobstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/cachetta-go/cachetta"
	"gocloud.dev/blob"

	// The drivers Open chooses among by URL scheme.
	_ "gocloud.dev/blob/azureblob"
	_ "gocloud.dev/blob/fileblob"
	_ "gocloud.dev/blob/gcsblob"
	_ "gocloud.dev/blob/memblob"
	_ "gocloud.dev/blob/s3blob"
)

// A Store is a cachetta.Store on a gocloud.dev/blob bucket. It is immutable
// after New or Open and safe for use by any number of goroutines.
type Store struct {
	bucket *blob.Bucket
	owned  bool   // Open opened bucket, so Close closes it
	prefix string // "" or the WithPrefix value followed by "/"
	// fileblob, given no_tmp_dir, writes its temporary files next to the
	// objects, where List must not take them for entries.
	fileTemps bool
}

var _ cachetta.Store = (*Store)(nil)

// New returns a Store keeping its entries in bucket, which the caller opened
// and closes after the last use of the Store.
func New(bucket *blob.Bucket, opts ...Option) (*Store, error) {
	if bucket == nil {
		return nil, errors.New("blobstore: nil bucket")
	}
	var cfg config
	for _, o := range opts {
		o.apply(&cfg)
	}
	s := &Store{bucket: bucket}
	if cfg.prefix != "" {
		if !validName(cfg.prefix) {
			return nil, fmt.Errorf("blobstore: prefix %q is not a clean relative slash-separated path", cfg.prefix)
		}
		s.prefix = cfg.prefix + "/"
	}
	var fi os.FileInfo
	s.fileTemps = bucket.As(&fi)
	return s, nil
}

// Open opens the bucket that url names and returns a Store keeping its
// entries there. The scheme chooses the service: s3:// (Amazon S3 and
// S3-compatible servers), gs:// (Google Cloud Storage), azblob:// (Azure Blob
// Storage), file:// (a local directory) and mem:// (memory, for tests), with
// the query parameters and credentials gocloud.dev documents for each.
// Close closes the bucket.
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	bucket, err := blob.OpenBucket(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("blobstore: open %s: %w", url, err)
	}
	s, err := New(bucket, opts...)
	if err != nil {
		_ = bucket.Close()
		return nil, err
	}
	s.owned = true
	return s, nil
}

// Close closes the bucket if Open opened it; a Store made by New leaves its
// bucket to the caller. The Store must not be used after Close.
func (s *Store) Close() error {
	if !s.owned {
		return nil
	}
	if err := s.bucket.Close(); err != nil {
		return fmt.Errorf("blobstore: close: %w", err)
	}
	return nil
}

// key returns the object key of the entry name, or an error if name is not an
// entry name: an object key outside the store's prefix must be unreachable.
func (s *Store) key(op, name string) (string, error) {
	if !validName(name) {
		return "", fmt.Errorf("blobstore: %s %q: %w", op, name, fs.ErrInvalid)
	}
	if s.prefix == "" {
		return name, nil
	}
	return s.prefix + name, nil
}

// validName reports whether name is an entry name: what fs.ValidPath accepts,
// except the directory itself.
func validName(name string) bool {
	return name != "." && fs.ValidPath(name)
}
