package jsoncodec_test

import (
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/cachetta-go/cachetta"
	"github.com/cachetta-go/cachetta/jsoncodec"
)

// testCache returns a cache of records at path that encodes with codec and
// logs to t's output.
func testCache(t *testing.T, path string, codec cachetta.Codec) *cachetta.Cachetta[[]record] {
	t.Helper()
	c, err := cachetta.New[[]record](path,
		cachetta.WithCodec(codec),
		cachetta.WithLogger(slog.New(slog.NewTextHandler(t.Output(), nil))))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCache writes and reads through a cache with the codec, and checks that
// the file it leaves is one that encoding/json and a cache with the default
// codec read as the same value.
func TestCache(t *testing.T) {
	sizes := []struct {
		name string
		size int
	}{
		{"1KiB", 1 << 10},
		{"1MiB", 1 << 20},
	}
	for _, s := range sizes {
		t.Run(s.name, func(t *testing.T) {
			recs := records(t, s.size)
			path := filepath.Join(t.TempDir(), "rec.json")
			c := testCache(t, path, jsoncodec.Codec)
			ctx := t.Context()
			if err := c.Write(ctx, recs); err != nil {
				t.Fatalf("Write: %v", err)
			}
			got, ok, err := c.Read(ctx)
			if err != nil || !ok || !reflect.DeepEqual(got, recs) {
				t.Fatalf("Read() = %d records, %v, %v; want the %d written", len(got), ok, err, len(recs))
			}

			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var decoded []record
			if err := json.Unmarshal(data, &decoded); err != nil || !reflect.DeepEqual(decoded, recs) {
				t.Errorf("json.Unmarshal(file) = %d records, %v; want the %d written", len(decoded), err, len(recs))
			}
			got, ok, err = testCache(t, path, cachetta.JSON).Read(ctx)
			if err != nil || !ok || !reflect.DeepEqual(got, recs) {
				t.Errorf("Read() with cachetta.JSON = %d records, %v, %v; want the %d written", len(got), ok, err, len(recs))
			}
		})
	}
}

// TestCacheCorruptFile checks that a file the codec cannot decode is a miss,
// not an error.
func TestCacheCorruptFile(t *testing.T) {
	contents := []struct {
		name string
		data string
	}{
		{"empty", ""},
		{"truncated", `[{"id":1,"name":"us`},
		{"NUL bytes", "\x00\x00\x00\x00"},
		{"open key", `{"a":`},
	}
	for _, tc := range contents {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "rec.json")
			if err := os.WriteFile(path, []byte(tc.data), 0o600); err != nil {
				t.Fatal(err)
			}
			got, ok, err := testCache(t, path, jsoncodec.Codec).Read(t.Context())
			if err != nil || ok {
				t.Errorf("Read() of %q = %v, %v, %v; want a miss", tc.data, got, ok, err)
			}
		})
	}
}
