package blobstore_test

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"gocloud.dev/blob"
	"gocloud.dev/blob/azureblob"
)

// Azurite, Microsoft's Azure Storage emulator, serves the Blob API from
// Node.js; .ci/run installs the pinned version with npm.
const azuriteVersion = "3.35.0"

// Azurite's development account and its key, which Azurite publishes and
// accepts on every installation; they guard nothing.
const (
	azuriteAccount = "devstoreaccount1"
	azuriteKey     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// azurite is the Azurite blob server of the test binary; its value is the
// server's host:port.
var azurite = shared[string]{start: startAzurite}

func startAzurite() (string, func(), error) {
	bin, err := exec.LookPath("azurite-blob")
	if err != nil {
		return "", nil, &missingError{"Azure Blob Storage is tested on Azurite, and azurite-blob is not on PATH " +
			"(npm install -g azurite@" + azuriteVersion + ")"}
	}
	dir, err := tempDir("azurite")
	if err != nil {
		return "", nil, err
	}
	var host string
	p, err := startOnFreePorts(1, func(ports []int) (*process, error) {
		host = loopback(ports[0])
		return startProcess("azurite-blob", filepath.Join(dir, "azurite.log"), bin, []string{
			"--blobHost", "127.0.0.1", "--blobPort", strconv.Itoa(ports[0]),
			"--location", dir,
			// The Azure SDK may speak a newer API version than Azurite
			// knows.
			"--skipApiVersionCheck",
			"--disableTelemetry", "--silent",
		}, func(ctx context.Context) error { return answers(ctx, "http://"+host+"/"+azuriteAccount+"?comp=list") })
	})
	if err != nil {
		_ = os.RemoveAll(dir)
		return "", nil, err
	}
	return host, func() {
		p.stop()
		_ = os.RemoveAll(dir)
	}, nil
}

// answers reports whether an HTTP server answers a GET of url, whatever its
// status: an emulator that refuses an unsigned request is up.
func answers(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// openAzure opens a new, empty container on Azurite through azureblob and
// the Azure SDK, with the shared key a real account would use. Azurite sets
// every time itself, so entries cannot be backdated.
func openAzure(t testing.TB) (*blob.Bucket, func(testing.TB, string, time.Time)) {
	client := azuriteContainer(t, azurite.get(t), bucketName())
	if _, err := client.Create(t.Context(), nil); err != nil {
		t.Fatalf("create container: %v", err)
	}
	bucket, err := azureblob.OpenBucket(t.Context(), client, nil)
	if err != nil {
		t.Fatalf("azureblob.OpenBucket: %v", err)
	}
	t.Cleanup(func() { _ = bucket.Close() })
	return bucket, nil
}

// azuriteContainer returns a client of the container name on the Azurite at
// host, signing with the development account's key.
func azuriteContainer(t testing.TB, host, name string) *container.Client {
	t.Helper()
	cred, err := azblob.NewSharedKeyCredential(azuriteAccount, azuriteKey)
	if err != nil {
		t.Fatal(err)
	}
	// An emulator names the account in the path, not in the host.
	client, err := container.NewClientWithSharedKeyCredential("http://"+host+"/"+azuriteAccount+"/"+name, cred, nil)
	if err != nil {
		t.Fatal(err)
	}
	return client
}
