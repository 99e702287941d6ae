package redisstore_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
	"github.com/cachetta-go/cachetta/redisstore"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/redis/go-redis/v9"
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
	// Under the entry's lock a Save is the fenced script, one EVALSHA.
	b.Run("store-locked", func(b *testing.B) {
		unlock, err := st.Lock(ctx, "w.json", time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		defer unlock()
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

// The cache on the store, each beside the floor it is judged against, what
// a program without cachetta would do with go-redis and encoding/json for
// the same value: a hit through Read against a GET and a json.Unmarshal of
// the value's JSON into the same type, a Write against a json.Marshal of
// the same value and a SET with the same expiry, and a memory hit in front
// of Redis against a bare golang-lru Get. Both sides decode or encode the
// same JSON, so the ratio measures the library: its key, its header, its
// bookkeeping.

// benchValue is what the cache benchmarks store: about 1 KiB of JSON.
type benchValue struct {
	Name string `json:"name"`
	Body string `json:"body"`
}

func newBenchValue() benchValue {
	return benchValue{Name: "bench", Body: strings.Repeat("x", 1000)}
}

// benchCache returns a cache of one entry on a store of its own on c.
func benchCache(b *testing.B, c redis.UniversalClient, prefix string, opts ...cachetta.Option) *cachetta.Cachetta[benchValue] {
	b.Helper()
	st, err := redisstore.New(c, redisstore.WithPrefix(prefix))
	if err != nil {
		b.Fatal(err)
	}
	cache, err := cachetta.New[benchValue]("bench.json", append([]cachetta.Option{cachetta.WithStore(st)}, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	return cache
}

func BenchmarkRedisHit(b *testing.B) {
	c := startServer(b).client(b)
	cache := benchCache(b, c, "hit:")
	ctx := b.Context()
	want := newBenchValue()
	if err := cache.Write(ctx, want); err != nil {
		b.Fatal(err)
	}
	b.Run("impl=cachetta", func(b *testing.B) {
		var (
			v   benchValue
			ok  bool
			err error
		)
		b.ReportAllocs()
		for b.Loop() {
			v, ok, err = cache.Read(ctx)
		}
		if err != nil || !ok || v != want {
			b.Fatalf("Read = %.20v, %t, %v; want a hit", v, ok, err)
		}
	})
	b.Run("impl=floor", func(b *testing.B) {
		// The program's own key holds the value's JSON, no header.
		data, err := json.Marshal(want)
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Set(ctx, "floor:bench.json", data, 0).Err(); err != nil {
			b.Fatal(err)
		}
		var v benchValue
		b.ReportAllocs()
		for b.Loop() {
			v = benchValue{}
			data, err = c.Get(ctx, "floor:bench.json").Bytes()
			if err == nil {
				err = json.Unmarshal(data, &v)
			}
		}
		if err != nil || v != want {
			b.Fatalf("GET + json.Unmarshal = %.20v, %v; want the value", v, err)
		}
	})
}

func BenchmarkRedisWrite(b *testing.B) {
	c := startServer(b).client(b)
	cache := benchCache(b, c, "write:")
	ctx := b.Context()
	v := newBenchValue()
	b.Run("impl=cachetta", func(b *testing.B) {
		var err error
		b.ReportAllocs()
		for b.Loop() {
			err = cache.Write(ctx, v)
		}
		if err != nil {
			b.Fatal(err)
		}
	})
	b.Run("impl=floor", func(b *testing.B) {
		// The cache's entry expires after its duration too.
		var (
			data []byte
			err  error
		)
		b.ReportAllocs()
		for b.Loop() {
			data, err = json.Marshal(v)
			if err == nil {
				err = c.Set(ctx, "floor:bench.json", data, cachetta.DefaultDuration).Err()
			}
		}
		if err != nil {
			b.Fatal(err)
		}
	})
}

func BenchmarkRedisLRUHit(b *testing.B) {
	c := startServer(b).client(b)
	cache := benchCache(b, c, "lru:", cachetta.WithLRU(16))
	ctx := b.Context()
	want := newBenchValue()
	if err := cache.Write(ctx, want); err != nil {
		b.Fatal(err)
	}
	b.Run("impl=cachetta", func(b *testing.B) {
		var (
			v   benchValue
			ok  bool
			err error
		)
		b.ReportAllocs()
		for b.Loop() {
			v, ok, err = cache.Read(ctx)
		}
		if err != nil || !ok || v != want {
			b.Fatalf("Read = %.20v, %t, %v; want a hit", v, ok, err)
		}
	})
	b.Run("impl=floor", func(b *testing.B) {
		m, err := lru.New[string, benchValue](16)
		if err != nil {
			b.Fatal(err)
		}
		m.Add("bench.json", want)
		var (
			v  benchValue
			ok bool
		)
		b.ReportAllocs()
		for b.Loop() {
			v, ok = m.Get("bench.json")
		}
		if !ok || v != want {
			b.Fatal("golang-lru Get missed")
		}
	})
}
