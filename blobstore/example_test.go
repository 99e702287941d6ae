package blobstore_test

import (
	"context"
	"fmt"
	"log"

	"github.com/cachetta-go/cachetta/blobstore"
	"gocloud.dev/blob/memblob"
)

func Example() {
	ctx := context.Background()
	// s3://bucket?region=..., gs://bucket, azblob://container and
	// file:///dir work the same way.
	store, err := blobstore.Open(ctx, "mem://")
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	if err := store.Save(ctx, "users/42.json", []byte(`{"name":"Ada"}`), 0); err != nil {
		log.Fatal(err)
	}
	data, entry, err := store.Load(ctx, "users/42.json", 1<<20)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(data), entry.Size)
	// Output: {"name":"Ada"} 14
}

func ExampleNew() {
	ctx := context.Background()
	bucket := memblob.OpenBucket(nil)
	defer bucket.Close()
	store, err := blobstore.New(bucket)
	if err != nil {
		log.Fatal(err)
	}
	if err := store.Save(ctx, "k.json", []byte(`1`), 0); err != nil {
		log.Fatal(err)
	}
	// The entry is an object under its own name.
	data, err := bucket.ReadAll(ctx, "k.json")
	fmt.Println(string(data), err)
	// Output: 1 <nil>
}

func ExampleWithPrefix() {
	ctx := context.Background()
	bucket := memblob.OpenBucket(nil)
	defer bucket.Close()
	store, err := blobstore.New(bucket, blobstore.WithPrefix("team-a/cache"))
	if err != nil {
		log.Fatal(err)
	}
	if err := store.Save(ctx, "k.json", []byte(`1`), 0); err != nil {
		log.Fatal(err)
	}
	for e, err := range store.List(ctx, "") {
		fmt.Println(e.Name, err)
	}
	ok, err := bucket.Exists(ctx, "team-a/cache/k.json")
	fmt.Println(ok, err)
	// Output:
	// k.json <nil>
	// true <nil>
}

func ExampleOpen() {
	ctx := context.Background()
	store, err := blobstore.Open(ctx, "mem://", blobstore.WithPrefix("cache"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	_, err = store.Stat(ctx, "missing.json")
	fmt.Println(err != nil)
	// Output: true
}
