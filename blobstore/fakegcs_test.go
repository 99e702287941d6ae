package blobstore_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/fsouza/fake-gcs-server/fakestorage"
	"gocloud.dev/blob"
	"gocloud.dev/blob/gcsblob"
	"gocloud.dev/gcp"
	"google.golang.org/api/option"
)

// fakeGCS is fake-gcs-server, run in this process and serving Cloud
// Storage's JSON and XML APIs over HTTP on a loopback port.
var fakeGCS = shared[*fakestorage.Server]{start: func() (*fakestorage.Server, func(), error) {
	srv, err := fakestorage.NewServerWithOptions(fakestorage.Options{
		Scheme: "http", Host: "127.0.0.1",
		// The client reads objects through the XML API, which the fake
		// serves only to requests for its public host, on any port.
		PublicHost: "127.0.0.1",
	})
	if err != nil {
		return nil, nil, fmt.Errorf("start fake-gcs-server: %w", err)
	}
	return srv, srv.Stop, nil
}}

// openGCS opens a new, empty bucket on fake-gcs-server through gcsblob and
// the Cloud Storage client, unauthenticated, over the network as a real
// service is reached (the fake's own client would skip the network).
// Backdating rewrites the object's update time on the server.
func openGCS(t testing.TB) (*blob.Bucket, func(testing.TB, string, time.Time)) {
	srv := fakeGCS.get(t)
	name := bucketName()
	srv.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: name})
	bucket, err := gcsblob.OpenBucket(t.Context(), new(gcp.HTTPClient), name, &gcsblob.Options{
		ClientOptions: []option.ClientOption{option.WithEndpoint(srv.URL() + "/storage/v1/")},
	})
	if err != nil {
		t.Fatalf("gcsblob.OpenBucket: %v", err)
	}
	t.Cleanup(func() { _ = bucket.Close() })
	return bucket, func(t testing.TB, key string, mod time.Time) {
		t.Helper()
		obj, err := srv.GetObject(name, key)
		if err != nil {
			t.Fatal(err)
		}
		// The same generation: an update of the object's metadata, as
		// the service's own would be.
		obj.Updated = mod
		if err := srv.CreateObjectStreaming(obj.StreamingObject()); err != nil {
			t.Fatal(err)
		}
	}
}
