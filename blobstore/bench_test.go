package blobstore_test

import (
	"bytes"
	"testing"
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
