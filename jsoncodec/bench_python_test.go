package jsoncodec_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/cachetta-go/cachetta"
	"github.com/cachetta-go/cachetta/jsoncodec"
)

// pythonBenchDirEnv names the directory where BenchmarkPythonDiskHit leaves
// its files, as the root module's benchmark of that name does, so that
// bench/python/run.sh can check that Python reads the bytes read here.
// Unset, the files go to a temporary directory.
const pythonBenchDirEnv = "CACHETTA_PYTHON_BENCH_DIR"

// pyRecord is benchRecord of the root module's benchmarks, whose _test
// files this module cannot import: the same fields, tags and values, so
// that the files written here hold the bytes Python reads there.
type pyRecord struct {
	ID     int      `json:"id"`
	Name   string   `json:"name"`
	Email  string   `json:"email"`
	Score  float64  `json:"score"`
	Active bool     `json:"active"`
	Tags   []string `json:"tags"`
}

// pyRecords is benchRecords of the root module: records whose JSON
// encoding is about size bytes.
func pyRecords(tb testing.TB, size int) []pyRecord {
	tb.Helper()
	var recs []pyRecord
	encoded := 2 // []
	for i := 0; encoded < size; i++ {
		r := pyRecord{
			ID:     i,
			Name:   "user " + strconv.Itoa(i),
			Email:  "user" + strconv.Itoa(i) + "@example.com",
			Score:  float64(i) * 1.25,
			Active: i%2 == 0,
			Tags:   []string{"alpha", "beta"},
		}
		data, err := json.Marshal(r)
		if err != nil {
			tb.Fatal(err)
		}
		recs = append(recs, r)
		encoded += len(data) + 1
	}
	return recs
}

// BenchmarkPythonDiskHit is the root module's BenchmarkPythonDiskHit with
// jsoncodec.Codec: it writes rec-1KiB.jsoncodec.json and
// rec-1MiB.jsoncodec.json in $CACHETTA_PYTHON_BENCH_DIR, checks that they
// hold the bytes cachetta.JSON writes for the same records (the bytes of
// the root module's rec-1KiB.json and rec-1MiB.json, which Python reads),
// and times Read of them. impl=floor is the least the same hit costs with
// this codec: os.ReadFile and Unmarshal into a new slice.
func BenchmarkPythonDiskHit(b *testing.B) {
	dir := os.Getenv(pythonBenchDirEnv)
	if dir == "" {
		dir = b.TempDir()
	}
	sizes := []struct {
		name string
		size int
	}{
		{"1KiB", 1 << 10},
		{"1MiB", 1 << 20},
	}
	for _, s := range sizes {
		recs := pyRecords(b, s.size)
		path := filepath.Join(dir, "rec-"+s.name+".jsoncodec.json")
		c, err := cachetta.New[[]pyRecord](path, cachetta.WithCodec(jsoncodec.Codec))
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Write(b.Context(), recs); err != nil {
			b.Fatal(err)
		}
		checkDefaultBytes(b, path, recs)
		b.Run("size="+s.name+"/impl=cachetta", func(b *testing.B) {
			ctx := b.Context()
			var (
				v   []pyRecord
				ok  bool
				err error
			)
			b.ReportAllocs()
			for b.Loop() {
				v, ok, err = c.Read(ctx)
			}
			if err != nil || !ok || len(v) != len(recs) {
				b.Fatalf("Read() = %d records, %v, %v; want a hit of %d", len(v), ok, err, len(recs))
			}
		})
		b.Run("size="+s.name+"/impl=floor", func(b *testing.B) {
			var (
				v   []pyRecord
				err error
			)
			b.ReportAllocs()
			for b.Loop() {
				var data []byte
				if data, err = os.ReadFile(path); err != nil {
					break
				}
				v = nil
				err = jsoncodec.Codec.Unmarshal(data, &v)
			}
			if err != nil || len(v) != len(recs) {
				b.Fatalf("floor read %d records, %v; want %d", len(v), err, len(recs))
			}
		})
	}
}

// checkDefaultBytes fails b unless the file at path holds what the default
// codec, cachetta.JSON, encodes recs to.
func checkDefaultBytes(b *testing.B, path string, recs []pyRecord) {
	b.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	want, err := cachetta.JSON.Marshal(recs)
	if err != nil {
		b.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		b.Fatalf("%s holds %d bytes unlike the %d that cachetta.JSON writes; Python would read other bytes", path, len(got), len(want))
	}
}
