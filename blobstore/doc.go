// Package blobstore keeps cachetta entries in an object store through
// gocloud.dev/blob: Amazon S3, Google Cloud Storage, Azure Blob Storage, a
// local directory or memory, chosen by URL.
//
//	store, err := blobstore.Open(ctx, "s3://my-bucket?region=eu-west-1",
//		blobstore.WithPrefix("cache/v1"))
//	if err != nil {
//		log.Fatal(err)
//	}
//	defer store.Close()
//
// A *Store is a cachetta.Store. Each entry is one object whose key is the
// entry's name below the prefix, holding the entry's bytes unchanged, so an
// entry file uploaded to the bucket under its name is an entry.
//
// What a user must know:
//   - Replacement is one PUT (WriteAll), which these services apply
//     atomically: a reader sees the old object or the new one. fileblob
//     writes a temporary file and renames it.
//   - An entry's modification time, which decides its freshness, is the
//     service's Last-Modified, set by the service's clock when the object was
//     written (whole seconds on S3, Cloud Storage and Azure), not by the
//     writer's.
//   - An entry's Version is the generation on Cloud Storage and the ETag on
//     Azure, which change with every write; it is empty on S3, whose ETag is
//     the digest of the bytes, and on local buckets.
//   - A *Store is not a cachetta.Locker: runs of a wrapped function that miss
//     are coalesced inside one process only. See the README for why.
//   - The keep argument of Save is not applied per object (these services
//     have no per-object expiry); a lifecycle rule on the bucket's prefix, or
//     cachetta's Prune, removes dead entries.
package blobstore
