package blobstore_test

import (
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"gocloud.dev/blob"
	"gocloud.dev/blob/s3blob"
)

// openS3 starts gofakes3 on a loopback port and opens the bucket through
// s3blob and the AWS SDK, so that the real S3 driver code runs. Backdating
// rewrites the object while the server's clock says mod.
func openS3(t testing.TB) (*blob.Bucket, func(testing.TB, string, time.Time)) {
	srv, clock := startS3(t)
	client := s3Client(srv.URL)
	bucket, err := s3blob.OpenBucket(t.Context(), client, s3Bucket, nil)
	if err != nil {
		t.Fatalf("s3blob.OpenBucket: %v", err)
	}
	t.Cleanup(func() { _ = bucket.Close() })
	return bucket, func(t testing.TB, key string, mod time.Time) {
		t.Helper()
		data, err := bucket.ReadAll(t.Context(), key)
		if err != nil {
			t.Fatal(err)
		}
		clock.set(mod)
		defer clock.set(time.Time{})
		if err := bucket.WriteAll(t.Context(), key, data, nil); err != nil {
			t.Fatal(err)
		}
	}
}

const s3Bucket = "cache"

func startS3(t testing.TB) (*httptest.Server, *clock) {
	clock := new(clock)
	store := s3mem.New(s3mem.WithTimeSource(clock))
	if err := store.CreateBucket(s3Bucket); err != nil {
		t.Fatal(err)
	}
	// Both the server and its backend stamp objects; a pinned clock must not
	// make the server refuse the client's signatures as skewed.
	faker := gofakes3.New(store, gofakes3.WithTimeSource(clock), gofakes3.WithTimeSkewLimit(0))
	srv := httptest.NewServer(faker.Server())
	t.Cleanup(srv.Close)
	return srv, clock
}

func s3Client(endpoint string) *s3.Client {
	return s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider("key", "secret", ""),
		// gofakes3 checks Content-MD5 but not the SDK's trailing checksums.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
}

// A clock is gofakes3's time source: the real time, or a pinned one.
type clock struct {
	mu sync.Mutex // guards at
	at time.Time  // zero for the real time
}

func (c *clock) set(at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = at
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at.IsZero() {
		return time.Now()
	}
	return c.at
}

func (c *clock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }
