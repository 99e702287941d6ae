package blobstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"

	"github.com/cachetta-go/cachetta"
	"gocloud.dev/blob"

	// The drivers Open chooses among by URL scheme.
	_ "gocloud.dev/blob/azureblob"
	"gocloud.dev/blob/fileblob"
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
	kind   kind
}

var _ cachetta.Store = (*Store)(nil)

// New returns a Store keeping its entries in bucket, which the caller opened
// and closes after the last use of the Store. A fileblob bucket should be
// opened with fileblob.Options{Metadata: fileblob.MetadataDontWrite}:
// fileblob rewrites its metadata sidecar files in place, and a Load that
// meets one half written fails.
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
	s.kind = bucketKind(bucket)
	return s, nil
}

// Open opens the bucket rawURL names and returns a Store keeping its
// entries there. The scheme chooses the service: s3:// (Amazon S3 and
// S3-compatible servers), gs:// (Google Cloud Storage), azblob:// (Azure Blob
// Storage), file:// (a local directory) and mem:// (memory, for tests), with
// the query parameters and credentials gocloud.dev documents for each.
// A file:// URL without a metadata parameter gets metadata=skip (see New).
// Close closes the bucket.
func Open(ctx context.Context, rawURL string, opts ...Option) (*Store, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// A *url.Error quotes the whole URL, query and all.
		if uerr, ok := errors.AsType[*url.Error](err); ok {
			err = uerr.Err
		}
		return nil, fmt.Errorf("blobstore: open: parse URL: %w", err)
	}
	if u.Scheme == fileblob.Scheme {
		// See New: without this, Loads racing Saves can fail.
		q := u.Query()
		if !q.Has("metadata") {
			q.Set("metadata", string(fileblob.MetadataDontWrite))
			u.RawQuery = q.Encode()
		}
	}
	bucket, err := blob.OpenBucket(ctx, u.String())
	if err != nil {
		// Without the query, which can hold a token; the drivers' errors
		// quote the whole URL, so the query is cut out of theirs too.
		safe := u.Scheme + "://" + u.Host + u.Path
		return nil, &redactedError{
			msg: "blobstore: open " + safe + ": " + redact(err.Error(), u, rawURL, safe),
			err: err,
		}
	}
	s, err := New(bucket, opts...)
	if err != nil {
		_ = bucket.Close()
		return nil, err
	}
	s.owned = true
	return s, nil
}

// redactedError is an error whose message leaves out what its cause's
// message shows and must not be shown, the query of a URL, and which keeps
// the cause for errors.Is and errors.As.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redact returns msg with every spelling of the URL u, given as rawURL, put
// as safe, and any query left over put as "?...".
func redact(msg string, u *url.URL, rawURL, safe string) string {
	msg = strings.ReplaceAll(msg, u.String(), safe)
	msg = strings.ReplaceAll(msg, rawURL, safe)
	if u.RawQuery != "" {
		msg = strings.ReplaceAll(msg, u.RawQuery, "...")
	}
	return msg
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
