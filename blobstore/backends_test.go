package blobstore_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta/blobstore"
	"gocloud.dev/blob"
	"gocloud.dev/blob/fileblob"
	"gocloud.dev/blob/memblob"
)

// A backend is a real gocloud.dev/blob driver the tests run against, on a
// real server where the service has one that runs on loopback.
type backend struct {
	name string
	// open returns a fresh, empty bucket, closed at the end of the test, and
	// a function that makes the object key look last written at mod, or nil
	// when the driver cannot (memblob, Azurite and SeaweedFS take their
	// times from the clock).
	open func(t testing.TB) (*blob.Bucket, func(t testing.TB, key string, mod time.Time))
	// backdates says that open returns a backdating function.
	backdates bool
	// versions says that the service tells every Save apart (Cloud
	// Storage's generation, Azure's ETag).
	versions bool
	// pathKeys says that the service keeps keys as file paths, refusing or
	// cleaning those no file could have ("a//b", "a/./b"): fileblob, and
	// SeaweedFS, whose filer holds the objects.
	pathKeys bool
}

var backends = []backend{
	{name: "file", open: openFile, backdates: true, pathKeys: true},
	{name: "mem", open: openMem},
	{name: "s3", open: openS3, backdates: true},                  // gofakes3, in this process
	{name: "s3-seaweedfs", open: openSeaweedFS, pathKeys: true},  // SeaweedFS, when CACHETTA_WEED names weed
	{name: "gs", open: openGCS, backdates: true, versions: true}, // fake-gcs-server, in this process
	{name: "azblob", open: openAzure, versions: true},            // Azurite, when azurite-blob is on PATH
}

// bucketNames numbers the buckets and containers the tests create on the
// servers they share, so that each test starts empty.
var bucketNames atomic.Int64

// bucketName returns a bucket name no other test of the binary uses, valid
// on S3, Cloud Storage and Azure alike.
func bucketName() string {
	return fmt.Sprintf("cache-%d", bucketNames.Add(1))
}

func openFile(t testing.TB) (*blob.Bucket, func(testing.TB, string, time.Time)) {
	dir := t.TempDir()
	bucket, err := fileblob.OpenBucket(dir, &fileblob.Options{Metadata: fileblob.MetadataDontWrite})
	if err != nil {
		t.Fatalf("fileblob.OpenBucket: %v", err)
	}
	t.Cleanup(func() { _ = bucket.Close() })
	// fileblob reports the file's own modification time.
	return bucket, func(t testing.TB, key string, mod time.Time) {
		t.Helper()
		if err := os.Chtimes(filepath.Join(dir, filepath.FromSlash(key)), mod, mod); err != nil {
			t.Fatal(err)
		}
	}
}

func openMem(t testing.TB) (*blob.Bucket, func(testing.TB, string, time.Time)) {
	bucket := memblob.OpenBucket(nil)
	t.Cleanup(func() { _ = bucket.Close() })
	return bucket, nil
}

// newStore opens a fresh bucket of b and a Store on it.
func newStore(t testing.TB, b backend, opts ...blobstore.Option) (*blobstore.Store, *blob.Bucket, func(testing.TB, string, time.Time)) {
	t.Helper()
	bucket, backdate := b.open(t)
	s, err := blobstore.New(bucket, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s, bucket, backdate
}
