package blobstore

import (
	"context"
	"time"

	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"
)

// saveOptions are shared and never modified; WriteAll copies them, and so
// does Save to change them for one call.
var saveOptions = &blob.WriterOptions{
	// Entries are whatever the cache's codec makes; sniffing a content type
	// would cost a pass over the bytes and name some codecs wrongly.
	DisableContentTypeDetection: true,
}

// Save replaces the entry name by data in one PUT, which S3, Cloud Storage
// and Azure apply atomically; fileblob renames a complete temporary file
// into place. The object's modification time is set by the service. keep is
// not applied: these services expire objects by bucket lifecycle rules, not
// per object.
func (s *Store) Save(ctx context.Context, name string, data []byte, keep time.Duration) error {
	key, err := s.key("save", name)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return wrap("save", name, err)
	}
	opts := saveOptions
	if s.kind == kindGCS {
		// The storage client allocates a buffer of its chunk size for
		// every upload, 16 MiB unless told, and asks that small objects
		// set it a little larger than their size: one byte more keeps the
		// upload to one request, which the buffer lets it retry.
		o := *saveOptions
		o.BufferSize = len(data) + 1
		opts = &o
	}
	if err := s.bucket.WriteAll(ctx, key, data, opts); err != nil {
		return wrap("save", name, err)
	}
	return nil
}

// Delete removes the entry name. A missing entry is not an error.
func (s *Store) Delete(ctx context.Context, name string) error {
	key, err := s.key("delete", name)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return wrap("delete", name, err)
	}
	err = s.bucket.Delete(ctx, key)
	if err == nil || gcerrors.Code(err) == gcerrors.NotFound {
		return nil
	}
	if s.kind == kindFile {
		// fileblob removes a key by its path, which fails on a directory
		// holding other entries; that name is no entry, so it is missing.
		if _, aerr := s.bucket.Attributes(ctx, key); gcerrors.Code(aerr) == gcerrors.NotFound {
			return nil
		}
	}
	return wrap("delete", name, err)
}
