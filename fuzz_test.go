package cachetta_test

import (
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/cachetta-go/cachetta"
)

// fuzzRecord is a struct type for FuzzRead, with fields of several kinds.
type fuzzRecord struct {
	Name   string            `json:"name"`
	N      int               `json:"n"`
	Tags   []string          `json:"tags"`
	Attrs  map[string]string `json:"attrs"`
	Next   *fuzzRecord       `json:"next"`
	Scores [2]float64        `json:"scores"`
}

// FuzzRead writes arbitrary bytes to cache files and reads them back as
// several types: Read must never panic nor fail, and must hit exactly when
// encoding/json decodes the bytes, with the value it decodes. Anything else
// is a miss logged as a corrupt file.
func FuzzRead(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		// A new file each time: ext4 starts writing back a file truncated
		// and rewritten in place, which makes each run several times slower.
		path := filepath.Join(t.TempDir(), "v.json")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		checkRead[int](t, path, data)
		checkRead[string](t, path, data)
		checkRead[[]any](t, path, data)
		checkRead[map[string]any](t, path, data)
		checkRead[fuzzRecord](t, path, data)
	})
}

// checkRead reads path, which holds data, through a cache of T.
func checkRead[T any](t *testing.T, path string, data []byte) {
	t.Helper()
	logger, logs := captureLogs(slog.LevelWarn)
	c := cachetta.Must(cachetta.New[T](path, cachetta.WithLogger(logger)))
	got, ok, err := c.Read(t.Context())
	var want T
	decodeErr := json.Unmarshal(data, &want)
	switch {
	case err != nil:
		t.Fatalf("Read(%.200q) as %T = %v, %v, %v; want no error", data, want, got, ok, err)
	case ok != (decodeErr == nil):
		t.Fatalf("Read(%.200q) as %T = %v, %v; want ok=%v as json.Unmarshal gives %v", data, want, got, ok, decodeErr == nil, decodeErr)
	case ok && !reflect.DeepEqual(got, want):
		t.Fatalf("Read(%.200q) as %T = %v; want %v", data, want, got, want)
	case !ok && !strings.Contains(logs.String(), "cache miss: corrupt file"):
		t.Fatalf("Read(%.200q) as %T missed; logs %q lack the corrupt file warning", data, want, logs)
	}
}
