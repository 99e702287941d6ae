package blobstore

import (
	"context"
	"errors"
	"io"
	"iter"
	"regexp"
	"strings"

	"github.com/cachetta-go/cachetta"
	"gocloud.dev/blob"
)

// List yields every entry whose name starts with prefix, in the bucket's
// key order, fetching pages of keys as the sequence is consumed. It skips
// what no entry can be: "directory" placeholder objects, keys that are not
// entry names, and fileblob's in-flight temporary files. An error ends the
// sequence.
func (s *Store) List(ctx context.Context, prefix string) iter.Seq2[cachetta.StoreEntry, error] {
	return func(yield func(cachetta.StoreEntry, error) bool) {
		it := s.bucket.List(&blob.ListOptions{Prefix: s.prefix + prefix})
		for {
			// memblob and fileblob list without looking at the context.
			if err := ctx.Err(); err != nil {
				yield(cachetta.StoreEntry{}, wrap("list", prefix, err))
				return
			}
			obj, err := it.Next(ctx)
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				yield(cachetta.StoreEntry{}, wrap("list", prefix, err))
				return
			}
			name := strings.TrimPrefix(obj.Key, s.prefix)
			if obj.IsDir || !validName(name) || s.kind == kindFile && fileTemp.MatchString(name) {
				continue
			}
			e := cachetta.StoreEntry{Name: name, Size: obj.Size, ModTime: modTime(s.kind, obj.ModTime), Version: listVersion(s.kind, obj)}
			if !yield(e, nil) {
				return
			}
		}
	}
}

// fileTemp matches the names fileblob gives its temporary files when they
// live beside the objects: the object's name, a dot, the time in hexadecimal
// nanoseconds, ".tmp".
var fileTemp = regexp.MustCompile(`\.[0-9a-f]+\.tmp$`)
