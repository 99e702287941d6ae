package blobstore_test

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/cachetta-go/cachetta/blobstore"
	"github.com/fsouza/fake-gcs-server/fakestorage"
	"gocloud.dev/blob/memblob"
)

func TestOpen(t *testing.T) {
	home := t.TempDir()
	t.Setenv("AWS_ACCESS_KEY_ID", "key")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(home, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(home, "credentials"))
	t.Setenv("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required")
	t.Setenv("AWS_RESPONSE_CHECKSUM_VALIDATION", "when_required")
	// azureblob reads these once per process, at its first URL; no other
	// test opens an azblob:// URL.
	t.Setenv("AZURE_STORAGE_ACCOUNT", azuriteAccount)
	t.Setenv("AZURE_STORAGE_KEY", azuriteKey)
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		// url returns the URL of an existing bucket, starting its server.
		url func(t *testing.T) string
	}{
		{"mem", func(*testing.T) string { return "mem://" }},
		{"file", func(*testing.T) string { return "file://" + filepath.ToSlash(dir) }},
		{"s3", func(t *testing.T) string {
			srv, _ := startS3(t)
			return "s3://" + s3Bucket + "?region=us-east-1&use_path_style=true&disable_https=true&endpoint=" + url.QueryEscape(srv.URL)
		}},
		{"s3-seaweedfs", func(t *testing.T) string {
			endpoint := seaweedfs.get(t)
			name := bucketName()
			if _, err := seaweedClient(endpoint).CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
				t.Fatal(err)
			}
			return "s3://" + name + "?region=us-east-1&use_path_style=true&disable_https=true&endpoint=" + url.QueryEscape(endpoint)
		}},
		{"gs", func(t *testing.T) string {
			srv := fakeGCS.get(t)
			// gcsblob's URL opener reaches an emulator only through the
			// variable, unauthenticated.
			t.Setenv("STORAGE_EMULATOR_HOST", strings.TrimPrefix(srv.URL(), "http://"))
			name := bucketName()
			srv.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: name})
			return "gs://" + name
		}},
		{"azblob", func(t *testing.T) string {
			host := azurite.get(t)
			name := bucketName()
			if _, err := azuriteContainer(t, host, name).Create(t.Context(), nil); err != nil {
				t.Fatal(err)
			}
			// A domain on 127.0.0.1 puts the account in the path, as
			// emulators want.
			return "azblob://" + name + "?protocol=http&domain=" + url.QueryEscape(host)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := tc.url(t)
			s, err := blobstore.Open(t.Context(), u, blobstore.WithPrefix("cache"))
			if err != nil {
				t.Fatalf("Open(%q): %v", u, err)
			}
			defer s.Close()
			if err := s.Save(t.Context(), "k.json", []byte(`"v"`), 0); err != nil {
				t.Fatalf("Save: %v", err)
			}
			if got, _, err := s.Load(t.Context(), "k.json", 10); err != nil || string(got) != `"v"` {
				t.Errorf("Load = %q, %v; want \"v\"", got, err)
			}
		})
	}
	// Open asks fileblob for no metadata sidecars, which Loads could race.
	if _, err := os.Stat(filepath.Join(dir, "cache", "k.json.attrs")); !os.IsNotExist(err) {
		t.Errorf("Open(file://...) left a metadata sidecar: %v", err)
	}
	for _, bad := range []string{"nope://bucket", "::", "file://" + filepath.ToSlash(dir) + "?metadata=bogus"} {
		if s, err := blobstore.Open(t.Context(), bad); err == nil {
			s.Close()
			t.Errorf("Open(%q) = nil error; want one", bad)
		}
	}
	if s, err := blobstore.Open(t.Context(), "mem://", blobstore.WithPrefix("/abs")); err == nil {
		s.Close()
		t.Errorf("Open with an invalid prefix = nil error; want one")
	}
}

func TestClose(t *testing.T) {
	ctx := t.Context()
	bucket := memblob.OpenBucket(nil)
	defer bucket.Close()
	s, err := blobstore.New(bucket)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := bucket.WriteAll(ctx, "k", []byte("1"), nil); err != nil {
		t.Errorf("the caller's bucket after the Store's Close: %v; want it open", err)
	}
	opened, err := blobstore.Open(ctx, "mem://")
	if err != nil {
		t.Fatal(err)
	}
	if err := opened.Close(); err != nil {
		t.Fatal(err)
	}
	if err := opened.Save(ctx, "k", []byte("1"), 0); err == nil {
		t.Errorf("Save after Close of an opened Store = nil error; want the bucket closed")
	}
}

// TestOpenKeepsTheQueryOutOfErrors checks that Open's errors never show the
// URL's query, which can hold a token, though the drivers' errors quote the
// whole URL.
func TestOpenKeepsTheQueryOutOfErrors(t *testing.T) {
	const secret = "hunter2"
	for _, raw := range []string{
		"mem://?token=" + secret, // memblob refuses the parameter
		"file://" + filepath.ToSlash(t.TempDir()) + "?metadata=" + secret, // fileblob refuses the value
		"::" + secret, // not a URL
	} {
		s, err := blobstore.Open(t.Context(), raw)
		if err == nil {
			s.Close()
			t.Errorf("Open(%q) = nil error; want one", raw)
			continue
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("Open(%q) = %q; want an error without the query", raw, err)
		}
	}
}
