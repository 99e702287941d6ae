package jsoncodec_test

import (
	"path/filepath"
	"testing"

	"github.com/cachetta-go/cachetta"
	"github.com/cachetta-go/cachetta/jsoncodec"
)

// Every benchmark here has a twin named .../impl=floor that does the same job
// with cachetta's default codec, encoding/json, in the same loop body, so
// that
//
//	benchstat -col '/impl@(floor jsoncodec)' out.txt
//
// shows what the codec saves. Both twins run the one closure; only the codec
// differs.
var impls = []struct {
	name  string
	codec cachetta.Codec
}{
	{"jsoncodec", jsoncodec.Codec},
	{"floor", cachetta.JSON},
}

func BenchmarkMarshal(b *testing.B) {
	for _, v := range values(b) {
		size := encodedSize(b, v.v)
		for _, im := range impls {
			b.Run("value="+v.name+"/impl="+im.name, func(b *testing.B) {
				b.SetBytes(size)
				b.ReportAllocs()
				for b.Loop() {
					if _, err := im.codec.Marshal(v.v); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkUnmarshal(b *testing.B) {
	for _, v := range values(b) {
		data, err := cachetta.JSON.Marshal(v.v)
		if err != nil {
			b.Fatal(err)
		}
		for _, im := range impls {
			b.Run("value="+v.name+"/impl="+im.name, func(b *testing.B) {
				b.SetBytes(int64(len(data)))
				b.ReportAllocs()
				for b.Loop() {
					if err := im.codec.Unmarshal(data, v.target()); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkDiskHit reads a fresh file through a cache, which opens, stats
// and reads the file and decodes it, with each codec.
func BenchmarkDiskHit(b *testing.B) {
	sizes := []struct {
		name string
		size int
	}{
		{"1KiB", 1 << 10},
		{"1MiB", 1 << 20},
	}
	for _, s := range sizes {
		recs := records(b, s.size)
		for _, im := range impls {
			b.Run("size="+s.name+"/impl="+im.name, func(b *testing.B) {
				c, err := cachetta.New[[]record](filepath.Join(b.TempDir(), "rec.json"),
					cachetta.WithCodec(im.codec))
				if err != nil {
					b.Fatal(err)
				}
				ctx := b.Context()
				if err := c.Write(ctx, recs); err != nil {
					b.Fatal(err)
				}
				b.SetBytes(encodedSize(b, recs))
				b.ReportAllocs()
				for b.Loop() {
					if v, ok, err := c.Read(ctx); err != nil || !ok || len(v) != len(recs) {
						b.Fatalf("Read() = %d records, %v, %v; want a hit of %d", len(v), ok, err, len(recs))
					}
				}
			})
		}
	}
}

// encodedSize returns the length of v's JSON encoding.
func encodedSize(b *testing.B, v any) int64 {
	b.Helper()
	data, err := cachetta.JSON.Marshal(v)
	if err != nil {
		b.Fatal(err)
	}
	return int64(len(data))
}
