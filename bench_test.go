package cachetta_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
	lru "github.com/hashicorp/golang-lru/v2"
)

// Every benchmark here has a twin named .../impl=floor that does the least
// work the same job needs without cachetta, so that
//
//	benchstat -col '/impl@(floor cachetta)' out.txt
//
// shows what the cache adds. bench/run.sh runs them and checks the ratios.
// The caches use slog.Default(), at Info level, so debug logging is off, as
// in production.

// benchRecord is a row of the cached values: a few fields of common kinds.
type benchRecord struct {
	ID     int      `json:"id"`
	Name   string   `json:"name"`
	Email  string   `json:"email"`
	Score  float64  `json:"score"`
	Active bool     `json:"active"`
	Tags   []string `json:"tags"`
}

// benchRecords returns records whose JSON encoding is about size bytes.
func benchRecords(tb testing.TB, size int) []benchRecord {
	tb.Helper()
	var recs []benchRecord
	encoded := 2 // []
	for i := 0; encoded < size; i++ {
		r := benchRecord{
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

var benchSizes = []struct {
	name string
	size int
}{
	{"1KiB", 1 << 10},
	{"1MiB", 1 << 20},
}

// benchCache returns a cache of records at rec.json in a new temporary
// directory, with the default logger.
func benchCache(b *testing.B, opts ...cachetta.Option) *cachetta.Cachetta[[]benchRecord] {
	b.Helper()
	return benchCacheAt(b, filepath.Join(b.TempDir(), "rec.json"), opts...)
}

// benchCacheAt returns a cache of records at path, with the default logger.
func benchCacheAt(b *testing.B, path string, opts ...cachetta.Option) *cachetta.Cachetta[[]benchRecord] {
	b.Helper()
	if slog.Default().Enabled(context.Background(), slog.LevelDebug) {
		b.Fatal("slog.Default() logs at debug level; benchmarks would measure logging")
	}
	c, err := cachetta.New[[]benchRecord](path, opts...)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// mustWrite stores v in c's file for args and returns that file's path.
func mustWrite[T any](b *testing.B, c *cachetta.Cachetta[T], v T, args ...any) string {
	b.Helper()
	if err := c.Write(b.Context(), v, args...); err != nil {
		b.Fatal(err)
	}
	path, err := c.PathFor(args...)
	if err != nil {
		b.Fatal(err)
	}
	return path
}

// errHitCalled is what a wrapped function returns when a benchmark that
// expects only hits calls it.
var errHitCalled = errors.New("a hit called the wrapped function")

// checkHit fails b unless v holds want records.
func checkHit(b *testing.B, v []benchRecord, ok bool, err error, want int) {
	b.Helper()
	if err != nil || !ok || len(v) != want {
		b.Fatalf("got %d records, %v, %v; want a hit of %d", len(v), ok, err, want)
	}
}

// floorDiskHit is the least a disk hit costs: read the file, decode it.
func floorDiskHit(b *testing.B, path string, want int) {
	b.Helper()
	b.ReportAllocs()
	for b.Loop() {
		data, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		var v []benchRecord
		err = json.Unmarshal(data, &v)
		checkHit(b, v, err == nil, err, want)
	}
}

func BenchmarkDiskHit(b *testing.B) {
	for _, s := range benchSizes {
		recs := benchRecords(b, s.size)
		b.Run("size="+s.name+"/impl=cachetta", func(b *testing.B) {
			c := benchCache(b)
			mustWrite(b, c, recs)
			ctx := b.Context()
			b.ReportAllocs()
			for b.Loop() {
				v, ok, err := c.Read(ctx)
				checkHit(b, v, ok, err, len(recs))
			}
		})
		b.Run("size="+s.name+"/impl=floor", func(b *testing.B) {
			c := benchCache(b)
			floorDiskHit(b, mustWrite(b, c, recs), len(recs))
		})
	}
}

func BenchmarkWrap1DiskHit(b *testing.B) {
	recs := benchRecords(b, 1<<10)
	const id = 1234567 // large enough that boxing it allocates, as real IDs do
	b.Run("size=1KiB/impl=cachetta", func(b *testing.B) {
		c := benchCache(b)
		mustWrite(b, c, recs, id)
		get := cachetta.Wrap1(c, func(context.Context, int) ([]benchRecord, error) {
			return nil, errHitCalled
		})
		ctx := b.Context()
		b.ReportAllocs()
		for b.Loop() {
			v, err := get(ctx, id)
			checkHit(b, v, true, err, len(recs))
		}
	})
	b.Run("size=1KiB/impl=floor", func(b *testing.B) {
		c := benchCache(b)
		floorDiskHit(b, mustWrite(b, c, recs, id), len(recs))
	})
}

func BenchmarkLRUHit(b *testing.B) {
	recs := benchRecords(b, 1<<10)
	// lruCache returns a cache whose memory holds recs.
	lruCache := func(b *testing.B) *cachetta.Cachetta[[]benchRecord] {
		c := benchCache(b, cachetta.WithLRU(16))
		mustWrite(b, c, recs)
		return c
	}
	floor := func(b *testing.B) {
		m, err := lru.New[string, []benchRecord](16)
		if err != nil {
			b.Fatal(err)
		}
		path := filepath.Join(b.TempDir(), "rec.json") // a key as long as cachetta's
		m.Add(path, recs)
		b.ReportAllocs()
		for b.Loop() {
			v, ok := m.Get(path)
			checkHit(b, v, ok, nil, len(recs))
		}
	}
	b.Run("via=Read/impl=cachetta", func(b *testing.B) {
		c := lruCache(b)
		ctx := b.Context()
		b.ReportAllocs()
		for b.Loop() {
			v, ok, err := c.Read(ctx)
			checkHit(b, v, ok, err, len(recs))
		}
	})
	b.Run("via=Read/impl=floor", floor)
	b.Run("via=Wrap/impl=cachetta", func(b *testing.B) {
		c := lruCache(b)
		get := cachetta.Wrap(c, func(context.Context) ([]benchRecord, error) {
			return nil, errHitCalled
		})
		ctx := b.Context()
		b.ReportAllocs()
		for b.Loop() {
			v, err := get(ctx)
			checkHit(b, v, true, err, len(recs))
		}
	})
	b.Run("via=Wrap/impl=floor", floor)
}

// BenchmarkLRUHitParallel shows contention on the memory. RunParallel has
// no b.Loop form: its body loops on pb.Next.
func BenchmarkLRUHitParallel(b *testing.B) {
	recs := benchRecords(b, 1<<10)
	b.Run("impl=cachetta", func(b *testing.B) {
		c := benchCache(b, cachetta.WithLRU(16))
		mustWrite(b, c, recs)
		get := cachetta.Wrap(c, func(context.Context) ([]benchRecord, error) {
			return nil, errHitCalled
		})
		ctx := b.Context()
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if v, err := get(ctx); err != nil || len(v) != len(recs) {
					b.Errorf("got %d records, %v; want %d", len(v), err, len(recs))
					return
				}
			}
		})
	})
	b.Run("impl=floor", func(b *testing.B) {
		m, err := lru.New[string, []benchRecord](16)
		if err != nil {
			b.Fatal(err)
		}
		path := filepath.Join(b.TempDir(), "rec.json")
		m.Add(path, recs)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if v, ok := m.Get(path); !ok || len(v) != len(recs) {
					b.Errorf("got %d records, %v; want %d", len(v), ok, len(recs))
					return
				}
			}
		})
	})
}

func BenchmarkWrite(b *testing.B) {
	for _, s := range benchSizes {
		recs := benchRecords(b, s.size)
		b.Run("size="+s.name+"/impl=cachetta", func(b *testing.B) {
			c := benchCache(b)
			ctx := b.Context()
			b.ReportAllocs()
			for b.Loop() {
				if err := c.Write(ctx, recs); err != nil {
					b.Fatal(err)
				}
			}
		})
		// The floor writes a temporary file beside the target and renames
		// it, the least an atomic write does.
		b.Run("size="+s.name+"/impl=floor", func(b *testing.B) {
			dir := b.TempDir()
			path := filepath.Join(dir, "rec.json")
			tmp := filepath.Join(dir, ".rec.json.tmp")
			b.ReportAllocs()
			for b.Loop() {
				data, err := json.Marshal(recs)
				if err != nil {
					b.Fatal(err)
				}
				if err := os.WriteFile(tmp, data, 0o600); err != nil {
					b.Fatal(err)
				}
				if err := os.Rename(tmp, path); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchKeyStruct is a small struct argument, which Key encodes by reflection.
type benchKeyStruct struct {
	ID    int    `json:"id"`
	Name  string `json:"name"`
	Admin bool   `json:"admin"`
}

// benchKey and benchSum keep the compiler from dropping the work.
var (
	benchKey string
	benchSum [sha256.Size]byte
)

func BenchmarkKey(b *testing.B) {
	args := []struct {
		name string
		arg  any
	}{
		{"int", 42},
		{"string", "user@example.com"},
		{"struct", benchKeyStruct{ID: 42, Name: "Ada", Admin: true}},
	}
	for _, a := range args {
		b.Run("arg="+a.name+"/impl=cachetta", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				k, err := cachetta.Key(a.arg)
				if err != nil {
					b.Fatal(err)
				}
				benchKey = k
			}
		})
		// The floor encodes the argument alone, with encoding/json, and
		// hashes it; it keeps the raw sum, with no hex encoding.
		b.Run("arg="+a.name+"/impl=floor", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				data, err := json.Marshal(a.arg)
				if err != nil {
					b.Fatal(err)
				}
				benchSum = sha256.Sum256(data)
			}
		})
	}
}

// BenchmarkStaleHit measures a stale hit through Wrap while the refresh it
// started is still running, so that every iteration finds one in flight.
// The floor is a fresh disk hit through Wrap of the same file, by a cache
// whose longer duration makes it fresh.
func BenchmarkStaleHit(b *testing.B) {
	recs := benchRecords(b, 1<<10)
	path := filepath.Join(b.TempDir(), "rec.json")
	// backdate writes recs to path, 90 minutes old.
	backdate := func(b *testing.B) {
		mustWrite(b, benchCacheAt(b, path), recs)
		when := time.Now().Add(-90 * time.Minute)
		if err := os.Chtimes(path, when, when); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("size=1KiB/impl=cachetta", func(b *testing.B) {
		backdate(b)
		c := benchCacheAt(b, path, cachetta.WithDuration(time.Hour), cachetta.WithStaleDuration(time.Hour))
		var runs atomic.Int64
		refreshing := make(chan struct{})
		release := make(chan struct{})
		get := cachetta.Wrap(c, func(context.Context) ([]benchRecord, error) {
			if runs.Add(1) == 1 {
				close(refreshing)
			}
			<-release
			return recs, nil
		})
		b.Cleanup(func() {
			close(release)
			c.Wait()
			if n := runs.Load(); n != 1 {
				b.Errorf("the wrapped function ran %d times; want 1 refresh", n)
			}
		})
		ctx := b.Context()
		v, err := get(ctx) // starts the refresh
		checkHit(b, v, true, err, len(recs))
		<-refreshing
		b.ReportAllocs()
		for b.Loop() {
			v, err := get(ctx)
			checkHit(b, v, true, err, len(recs))
		}
	})
	b.Run("size=1KiB/impl=floor", func(b *testing.B) {
		backdate(b)
		c := benchCacheAt(b, path, cachetta.WithDuration(2*time.Hour), cachetta.WithStaleDuration(time.Hour))
		get := cachetta.Wrap(c, func(context.Context) ([]benchRecord, error) {
			return nil, errHitCalled
		})
		ctx := b.Context()
		b.ReportAllocs()
		for b.Loop() {
			v, err := get(ctx)
			checkHit(b, v, true, err, len(recs))
		}
	})
}

// TestLRUHitDoesNotAllocate keeps the promise that a memory hit through a
// wrapper with no arguments allocates nothing.
func TestLRUHitDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	ctx := t.Context()
	c, err := cachetta.New[[]benchRecord](filepath.Join(t.TempDir(), "rec.json"),
		cachetta.WithLRU(16), cachetta.WithLogger(slog.New(slog.NewTextHandler(t.Output(), nil))))
	if err != nil {
		t.Fatal(err)
	}
	recs := benchRecords(t, 1<<10)
	if err := c.Write(ctx, recs); err != nil {
		t.Fatal(err)
	}
	get := cachetta.Wrap(c, func(context.Context) ([]benchRecord, error) {
		return nil, errHitCalled
	})
	var getErr error
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := get(ctx); err != nil {
			getErr = err
		}
	})
	if getErr != nil {
		t.Fatal(getErr)
	}
	if allocs != 0 {
		t.Errorf("LRU hit through Wrap allocates %v times per call; want 0", allocs)
	}
}
