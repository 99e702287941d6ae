package blobstore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"gocloud.dev/blob"
	"gocloud.dev/blob/s3blob"
)

// weedEnv names a SeaweedFS weed binary to test S3 against. Building weed
// takes minutes, so CI tests S3 against gofakes3 and leaves this unset;
// scripts/seaweedfs.sh builds weed and runs the tests with it.
const weedEnv = "CACHETTA_WEED"

// seaweedfs is `weed server -s3` of the test binary, a master, a volume
// server, a filer and the S3 gateway in one process; its value is the
// gateway's URL. It is optional: without weedEnv it is skipped, even in CI.
var seaweedfs = shared[string]{start: startSeaweedFS, optional: true}

// seaweedConfig gives the S3 gateway one identity, the one seaweedClient
// signs with; without identities the gateway would let anyone in.
const seaweedConfig = `{"identities": [{"name": "cachetta",
	"credentials": [{"accessKey": "key", "secretKey": "secret"}],
	"actions": ["Admin", "Read", "Write", "List"]}]}`

func startSeaweedFS() (string, func(), error) {
	bin := os.Getenv(weedEnv)
	if bin == "" {
		return "", nil, &missingError{"S3 on SeaweedFS needs a weed binary, and " + weedEnv + " names none " +
			"(scripts/seaweedfs.sh builds one and sets it)"}
	}
	dir, err := tempDir("seaweedfs")
	if err != nil {
		return "", nil, err
	}
	config := filepath.Join(dir, "s3.json")
	if err := os.WriteFile(config, []byte(seaweedConfig), 0o600); err != nil {
		_ = os.RemoveAll(dir)
		return "", nil, fmt.Errorf("start weed: %w", err)
	}
	var endpoint string
	p, err := startOnFreePorts(8, func(ports []int) (*process, error) {
		port := func(i int) string { return strconv.Itoa(ports[i]) }
		endpoint = "http://" + loopback(ports[6])
		data := filepath.Join(dir, "data"+port(0))
		if err := os.Mkdir(data, 0o700); err != nil {
			return nil, err
		}
		return startProcess("weed", filepath.Join(dir, "weed"+port(0)+".log"), bin, []string{
			"server", "-dir=" + data, "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
			// Every port named: the defaults are fixed numbers, and each
			// gRPC port would otherwise be its HTTP port plus 10000.
			"-master.port=" + port(0), "-master.port.grpc=" + port(1),
			"-volume.port=" + port(2), "-volume.port.grpc=" + port(3),
			"-filer", "-filer.port=" + port(4), "-filer.port.grpc=" + port(5),
			"-filer.localSocket=" + filepath.Join(data, "filer.sock"),
			"-s3", "-s3.port=" + port(6), "-s3.port.grpc=" + port(7),
			"-s3.localSocket=" + filepath.Join(data, "s3.sock"),
			"-s3.port.iceberg=0", "-s3.port.lance=0",
			"-s3.config=" + config,
			// As on AWS, a backslash is a character of the key, not a
			// separator; the contract's names hold some.
			"-s3.allowBackslashInKey",
			// Small volumes, as many as the disk holds: the default 30 GB
			// volume, eight at most, does not fit a CI runner's disk.
			"-master.volumeSizeLimitMB=64", "-volume.max=0",
		}, func(ctx context.Context) error { return s3Ready(ctx, endpoint) })
	})
	if err != nil {
		_ = os.RemoveAll(dir)
		return "", nil, err
	}
	return endpoint, func() {
		p.stop()
		_ = os.RemoveAll(dir)
	}, nil
}

// s3Ready reports whether the gateway at endpoint stores an object: it
// answers requests seconds before it can (2 s against 11 s in one run here),
// while the volume server joins the master and gets its first volumes.
func s3Ready(ctx context.Context, endpoint string) error {
	// One attempt per probe: startProcess polls again, and watches the
	// process meanwhile.
	client := s3.New(seaweedClient(endpoint).Options(), func(o *s3.Options) { o.Retryer = aws.NopRetryer{} })
	const probe = "ready"
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(probe)}); err != nil {
		if _, ok := errors.AsType[*s3types.BucketAlreadyOwnedByYou](err); !ok {
			return err
		}
	}
	_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(probe), Key: aws.String(probe)})
	return err
}

// openSeaweedFS opens a new, empty bucket on SeaweedFS through s3blob and
// the AWS SDK. SeaweedFS sets every time itself, so entries cannot be
// backdated.
func openSeaweedFS(t testing.TB) (*blob.Bucket, func(testing.TB, string, time.Time)) {
	client := seaweedClient(seaweedfs.get(t))
	name := bucketName()
	if _, err := client.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	bucket, err := s3blob.OpenBucket(t.Context(), client, name, nil)
	if err != nil {
		t.Fatalf("s3blob.OpenBucket: %v", err)
	}
	t.Cleanup(func() { _ = bucket.Close() })
	return bucket, nil
}

// seaweedClient returns an S3 client of the gateway at endpoint with the
// SDK's defaults, checksums included, as a program would make one.
func seaweedClient(endpoint string) *s3.Client {
	return s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider("key", "secret", ""),
	})
}
