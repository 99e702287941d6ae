package blobstore_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/cachetta-go/cachetta"
	"gocloud.dev/blob"
)

// The floors are the raw gocloud calls a program without a Store would make
// for the same bytes: Bucket.ReadAll for a hit, Bucket.WriteAll for a save.

var benchBackends = []backend{
	{name: "file", open: openFile},
	{name: "s3", open: openS3},
}

var kib = bytes.Repeat([]byte("x"), 1024)

func BenchmarkLoad(b *testing.B) {
	for _, be := range benchBackends {
		s, bucket, _ := newStore(b, be)
		ctx := b.Context()
		if err := s.Save(ctx, "k.json", kib, 0); err != nil {
			b.Fatal(err)
		}
		b.Run(be.name+"/store", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := s.Load(ctx, "k.json", 1<<20); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(be.name+"/ReadAll", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bucket.ReadAll(ctx, "k.json"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSave(b *testing.B) {
	for _, be := range benchBackends {
		s, bucket, _ := newStore(b, be)
		ctx := b.Context()
		b.Run(be.name+"/store", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := s.Save(ctx, "k.json", kib, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(be.name+"/WriteAll", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := bucket.WriteAll(ctx, "k.json", kib, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The cache on the store, each beside what a program without cachetta would
// do with gocloud and encoding/json for the same object: a hit through Read
// against Bucket.ReadAll and a json.Unmarshal into the same type, a Write
// against a json.Marshal of the same value and a Bucket.WriteAll of its
// bytes. Both sides decode or encode the same JSON, so the ratio measures
// the library.

// benchValue is what the cache benchmarks store: about 1 KiB of JSON.
type benchValue struct {
	Name string `json:"name"`
	Body string `json:"body"`
}

func newBenchValue() benchValue {
	return benchValue{Name: "bench", Body: strings.Repeat("x", 1000)}
}

// benchCache returns a cache on a fresh bucket of be, and the bucket.
func benchCache(b *testing.B, be backend) (*cachetta.Cachetta[benchValue], *blob.Bucket) {
	b.Helper()
	s, bucket, _ := newStore(b, be)
	c, err := cachetta.New[benchValue]("bench.json", cachetta.WithStore(s))
	if err != nil {
		b.Fatal(err)
	}
	return c, bucket
}

func BenchmarkBlobHit(b *testing.B) {
	for _, be := range benchBackends {
		c, bucket := benchCache(b, be)
		ctx := b.Context()
		want := newBenchValue()
		if err := c.Write(ctx, want); err != nil {
			b.Fatal(err)
		}
		b.Run("backend="+be.name+"/impl=cachetta", func(b *testing.B) {
			var (
				v   benchValue
				ok  bool
				err error
			)
			b.ReportAllocs()
			for b.Loop() {
				v, ok, err = c.Read(ctx)
			}
			if err != nil || !ok || v != want {
				b.Fatalf("Read = %.20v, %t, %v; want a hit", v, ok, err)
			}
		})
		b.Run("backend="+be.name+"/impl=floor", func(b *testing.B) {
			var (
				v    benchValue
				data []byte
				err  error
			)
			b.ReportAllocs()
			for b.Loop() {
				v = benchValue{}
				data, err = bucket.ReadAll(ctx, "bench.json")
				if err == nil {
					err = json.Unmarshal(data, &v)
				}
			}
			if err != nil || v != want {
				b.Fatalf("ReadAll + json.Unmarshal = %.20v, %v; want the value", v, err)
			}
		})
	}
}

func BenchmarkBlobWrite(b *testing.B) {
	for _, be := range benchBackends {
		c, bucket := benchCache(b, be)
		ctx := b.Context()
		v := newBenchValue()
		b.Run("backend="+be.name+"/impl=cachetta", func(b *testing.B) {
			var err error
			b.ReportAllocs()
			for b.Loop() {
				err = c.Write(ctx, v)
			}
			if err != nil {
				b.Fatal(err)
			}
		})
		b.Run("backend="+be.name+"/impl=floor", func(b *testing.B) {
			// No content type sniffing, as the store does not sniff either.
			opts := &blob.WriterOptions{DisableContentTypeDetection: true}
			var (
				data []byte
				err  error
			)
			b.ReportAllocs()
			for b.Loop() {
				data, err = json.Marshal(v)
				if err == nil {
					err = bucket.WriteAll(ctx, "bench.json", data, opts)
				}
			}
			if err != nil {
				b.Fatal(err)
			}
		})
	}
}
