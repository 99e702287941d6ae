package redisstore_test

import (
	"bytes"
	"testing"

	"github.com/cachetta-go/cachetta/redisstore"
)

// The store's hit and write of 1 KiB, each beside the raw GET or SET of
// the same bytes on the same server: the floor it is judged against.

func BenchmarkLoad(b *testing.B) {
	srv := startServer(b)
	c := srv.client(b)
	st, err := redisstore.New(c, redisstore.WithPrefix("bench:"))
	if err != nil {
		b.Fatal(err)
	}
	ctx := b.Context()
	data := bytes.Repeat([]byte("x"), 1<<10)
	if err := st.Save(ctx, "hit.json", data, 0); err != nil {
		b.Fatal(err)
	}
	if err := c.Set(ctx, "raw", data, 0).Err(); err != nil {
		b.Fatal(err)
	}
	b.Run("store", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := st.Load(ctx, "hit.json", 1<<20); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("GET", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Get(ctx, "raw").Bytes(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkSave(b *testing.B) {
	srv := startServer(b)
	c := srv.client(b)
	st, err := redisstore.New(c, redisstore.WithPrefix("bench:"))
	if err != nil {
		b.Fatal(err)
	}
	ctx := b.Context()
	data := bytes.Repeat([]byte("x"), 1<<10)
	b.Run("store", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := st.Save(ctx, "w.json", data, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("SET", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := c.Set(ctx, "raw", data, 0).Err(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
