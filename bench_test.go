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
//
// A timed loop holds the call it measures and nothing else: results go to
// variables declared before the loop and are checked once after it, on both
// sides alike. A helper or a check per iteration (b.Helper alone takes about
// 300ns) would add the same cost to both sides and shrink the ratio of a
// memory hit towards 1.
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
	return benchNew[[]benchRecord](b, path, opts...)
}

// benchNew returns a cache of T at path, with the default logger.
func benchNew[T any](b *testing.B, path string, opts ...cachetta.Option) *cachetta.Cachetta[T] {
	b.Helper()
	if slog.Default().Enabled(context.Background(), slog.LevelDebug) {
		b.Fatal("slog.Default() logs at debug level; benchmarks would measure logging")
	}
	c, err := cachetta.New[T](path, opts...)
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

// checkHit fails b unless v holds want records. It is called after a timed
// loop, never inside one.
// readHits times c.Read of an entry that is a hit, and checks the last
// one against want records.
func readHits(b *testing.B, c *cachetta.Cachetta[[]benchRecord], want int) {
	ctx := b.Context()
	var (
		v   []benchRecord
		ok  bool
		err error
	)
	b.ReportAllocs()
	for b.Loop() {
		v, ok, err = c.Read(ctx)
	}
	checkHit(b, v, ok, err, want)
}

func checkHit(b *testing.B, v []benchRecord, ok bool, err error, want int) {
	b.Helper()
	if err != nil || !ok || len(v) != want {
		b.Fatalf("got %d records, %v, %v; want a hit of %d", len(v), ok, err, want)
	}
}

// floorDiskHit is the least a disk hit costs: read the file, decode it into
// a new slice, as Read does.
func floorDiskHit(b *testing.B, path string, want int) {
	b.Helper()
	var (
		v   []benchRecord
		err error
	)
	b.ReportAllocs()
	for b.Loop() {
		var data []byte
		if data, err = os.ReadFile(path); err != nil {
			break
		}
		v = nil
		err = json.Unmarshal(data, &v)
	}
	checkHit(b, v, err == nil, err, want)
}

// floorLRUHit is the least a memory hit costs: a golang-lru Get of v under
// key, the path cachetta's memory keeps it under. It returns the last result.
func floorLRUHit[V any](b *testing.B, key string, v V) (V, bool) {
	b.Helper()
	m, err := lru.New[string, V](16)
	if err != nil {
		b.Fatal(err)
	}
	m.Add(key, v)
	var (
		got V
		ok  bool
	)
	b.ReportAllocs()
	for b.Loop() {
		got, ok = m.Get(key)
	}
	return got, ok
}

func BenchmarkDiskHit(b *testing.B) {
	for _, s := range benchSizes {
		recs := benchRecords(b, s.size)
		b.Run("size="+s.name+"/impl=cachetta", func(b *testing.B) {
			c := benchCache(b)
			mustWrite(b, c, recs)
			readHits(b, c, len(recs))
		})
		b.Run("size="+s.name+"/impl=floor", func(b *testing.B) {
			c := benchCache(b)
			floorDiskHit(b, mustWrite(b, c, recs), len(recs))
		})
	}
}

// benchTiered returns a cache on a tiered store whose local copy holds
// recs, and the path of that copy. Both tiers are FileStores: the hit
// under test reads the local one alone.
func benchTiered(b *testing.B, recs []benchRecord) (*cachetta.Cachetta[[]benchRecord], string) {
	b.Helper()
	var stores [2]*cachetta.FileStore
	for i := range stores {
		s, err := cachetta.NewFileStore(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		stores[i] = s
	}
	st, err := cachetta.NewTiered(stores[0], stores[1], time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	c := benchNew[[]benchRecord](b, "rec.json", cachetta.WithStore(st))
	mustWrite(b, c, recs)
	return c, filepath.Join(stores[0].Dir(), "rec.json")
}

// BenchmarkTieredHit reads an entry whose local copy is trusted: the floor
// is a disk hit of that copy.
func BenchmarkTieredHit(b *testing.B) {
	for _, s := range benchSizes {
		recs := benchRecords(b, s.size)
		b.Run("size="+s.name+"/impl=cachetta", func(b *testing.B) {
			c, _ := benchTiered(b, recs)
			readHits(b, c, len(recs))
		})
		b.Run("size="+s.name+"/impl=floor", func(b *testing.B) {
			_, path := benchTiered(b, recs)
			floorDiskHit(b, path, len(recs))
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
		var (
			v   []benchRecord
			err error
		)
		b.ReportAllocs()
		for b.Loop() {
			v, err = get(ctx, id)
		}
		checkHit(b, v, true, err, len(recs))
	})
	b.Run("size=1KiB/impl=floor", func(b *testing.B) {
		c := benchCache(b)
		floorDiskHit(b, mustWrite(b, c, recs, id), len(recs))
	})
}

func BenchmarkLRUHit(b *testing.B) {
	recs := benchRecords(b, 1<<10)
	path := filepath.Join(b.TempDir(), "rec.json")
	// lruCache returns a cache whose memory holds recs.
	lruCache := func(b *testing.B) *cachetta.Cachetta[[]benchRecord] {
		c := benchCacheAt(b, path, cachetta.WithLRU(16))
		mustWrite(b, c, recs)
		return c
	}
	floor := func(b *testing.B) {
		v, ok := floorLRUHit(b, path, recs)
		checkHit(b, v, ok, nil, len(recs))
	}
	b.Run("via=Read/impl=cachetta", func(b *testing.B) {
		c := lruCache(b)
		ctx := b.Context()
		var (
			v   []benchRecord
			ok  bool
			err error
		)
		b.ReportAllocs()
		for b.Loop() {
			v, ok, err = c.Read(ctx)
		}
		checkHit(b, v, ok, err, len(recs))
	})
	b.Run("via=Read/impl=floor", floor)
	b.Run("via=Wrap/impl=cachetta", func(b *testing.B) {
		c := lruCache(b)
		get := cachetta.Wrap(c, func(context.Context) ([]benchRecord, error) {
			return nil, errHitCalled
		})
		ctx := b.Context()
		var (
			v   []benchRecord
			err error
		)
		b.ReportAllocs()
		for b.Loop() {
			v, err = get(ctx)
		}
		checkHit(b, v, true, err, len(recs))
	})
	b.Run("via=Wrap/impl=floor", floor)
}

// BenchmarkMemoryCheckHit measures a 1 KiB entry served from memory with
// WithFileCheck, one stat of the file and no decoding, next to the floor of
// a disk hit of the same file.
func BenchmarkMemoryCheckHit(b *testing.B) {
	recs := benchRecords(b, 1<<10)
	path := filepath.Join(b.TempDir(), "rec.json")
	b.Run("size=1KiB/impl=cachetta", func(b *testing.B) {
		c := benchCacheAt(b, path, cachetta.WithLRU(16), cachetta.WithFileCheck(true))
		mustWrite(b, c, recs)
		ctx := b.Context()
		v, ok, err := c.Read(ctx) // fills memory
		checkHit(b, v, ok, err, len(recs))
		b.ReportAllocs()
		for b.Loop() {
			v, ok, err = c.Read(ctx)
		}
		checkHit(b, v, ok, err, len(recs))
	})
	b.Run("size=1KiB/impl=floor", func(b *testing.B) {
		floorDiskHit(b, mustWrite(b, benchCacheAt(b, path), recs), len(recs))
	})
}

// BenchmarkInfo measures Info of an argument memory knows the path of, whose
// file is a fresh 1 KiB entry, next to the floor: an os.Stat of that file.
func BenchmarkInfo(b *testing.B) {
	recs := benchRecords(b, 1<<10)
	c := benchCacheAt(b, filepath.Join(b.TempDir(), "rec.json"), cachetta.WithLRU(16))
	ctx := b.Context()
	const arg = "user@example.com"
	if err := c.Write(ctx, recs, arg); err != nil {
		b.Fatal(err)
	}
	path, err := c.PathFor(arg)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("size=1KiB/impl=cachetta", func(b *testing.B) {
		var info cachetta.Info
		b.ReportAllocs()
		for b.Loop() {
			info, err = c.Info(ctx, arg)
		}
		if err != nil || !info.Exists || info.Path != path {
			b.Fatalf("Info = %+v, %v; want the entry at %s", info, err, path)
		}
	})
	b.Run("size=1KiB/impl=floor", func(b *testing.B) {
		var info os.FileInfo
		b.ReportAllocs()
		for b.Loop() {
			info, err = os.Stat(path)
		}
		if err != nil || info.Size() == 0 {
			b.Fatalf("os.Stat = %v, %v; want the entry", info, err)
		}
	})
}

// BenchmarkSharedRead measures readers of one fresh 64 KiB file on every
// core at once, without memory, where concurrent reads of the file share one
// read and decode. The floor reads and decodes the file in each reader.
func BenchmarkSharedRead(b *testing.B) {
	recs := benchRecords(b, 64<<10)
	path := filepath.Join(b.TempDir(), "rec.json")
	b.Run("size=64KiB/impl=cachetta", func(b *testing.B) {
		c := benchCacheAt(b, path)
		mustWrite(b, c, recs)
		ctx := b.Context()
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			v, ok, err := recs, true, error(nil)
			for pb.Next() {
				v, ok, err = c.Read(ctx)
			}
			if err != nil || !ok || len(v) != len(recs) {
				b.Errorf("Read() = %d records, %v, %v; want %d", len(v), ok, err, len(recs))
			}
		})
	})
	b.Run("size=64KiB/impl=floor", func(b *testing.B) {
		mustWrite(b, benchCacheAt(b, path), recs)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			v, err := recs, error(nil)
			for pb.Next() {
				var data []byte
				if data, err = os.ReadFile(path); err != nil {
					break
				}
				v = nil
				err = json.Unmarshal(data, &v)
			}
			if err != nil || len(v) != len(recs) {
				b.Errorf("got %d records, %v; want %d", len(v), err, len(recs))
			}
		})
	})
}

// benchArg is a request struct, the common argument of a wrapped function
// in real code: its path is remembered by value.
type benchArg struct {
	User string `json:"user"`
	Page int    `json:"page"`
}

// benchTagged is an argument holding a slice, whose key is made again on
// every call: the slice can change under an unchanged value.
type benchTagged struct {
	User string   `json:"user"`
	Tags []string `json:"tags"`
}

// benchFiltered is an argument holding a map, which can change under an
// unchanged value too.
type benchFiltered struct {
	User    string            `json:"user"`
	Filters map[string]string `json:"filters"`
}

// benchKiB is a 1 KiB struct, a value that a memory hit copies.
type benchKiB struct {
	Words [128]int64 `json:"words"`
}

// BenchmarkLRUHitStruct measures memory hits of a 1 KiB struct through each
// way in: Wrap, Wrap1 with an int argument, and Read with one. Each floor
// gets the same value from golang-lru under the path the call resolves to.
// The argument is 42, which Go boxes in an interface without allocating.
func BenchmarkLRUHitStruct(b *testing.B) {
	var want benchKiB
	for i := range want.Words {
		want.Words[i] = int64(i) * 1_000_003
	}
	const id = 42
	path := filepath.Join(b.TempDir(), "kib.json")
	keyed, err := benchNew[benchKiB](b, path).PathFor(id)
	if err != nil {
		b.Fatal(err)
	}
	// lruCache returns a cache whose memory holds want, for the arguments
	// args.
	lruCache := func(b *testing.B, args ...any) *cachetta.Cachetta[benchKiB] {
		c := benchNew[benchKiB](b, path, cachetta.WithLRU(16))
		mustWrite(b, c, want, args...)
		return c
	}
	check := func(b *testing.B, v benchKiB, ok bool, err error) {
		b.Helper()
		if err != nil || !ok || v != want {
			b.Fatalf("got a hit %v, err %v, value equal %v; want a hit of the stored value", ok, err, v == want)
		}
	}
	floor := func(key string) func(*testing.B) {
		return func(b *testing.B) {
			v, ok := floorLRUHit(b, key, want)
			check(b, v, ok, nil)
		}
	}
	b.Run("via=Wrap/impl=cachetta", func(b *testing.B) {
		get := cachetta.Wrap(lruCache(b), func(context.Context) (benchKiB, error) {
			return benchKiB{}, errHitCalled
		})
		ctx := b.Context()
		var (
			v   benchKiB
			err error
		)
		b.ReportAllocs()
		for b.Loop() {
			v, err = get(ctx)
		}
		check(b, v, true, err)
	})
	b.Run("via=Wrap/impl=floor", floor(path))
	b.Run("via=Wrap1/impl=cachetta", func(b *testing.B) {
		get := cachetta.Wrap1(lruCache(b, id), func(context.Context, int) (benchKiB, error) {
			return benchKiB{}, errHitCalled
		})
		ctx := b.Context()
		var (
			v   benchKiB
			err error
		)
		b.ReportAllocs()
		for b.Loop() {
			v, err = get(ctx, id)
		}
		check(b, v, true, err)
	})
	b.Run("via=Wrap1/impl=floor", floor(keyed))
	b.Run("via=Read/impl=cachetta", func(b *testing.B) {
		c := lruCache(b, id)
		ctx := b.Context()
		var (
			v   benchKiB
			ok  bool
			err error
		)
		b.ReportAllocs()
		for b.Loop() {
			v, ok, err = c.Read(ctx, id)
		}
		check(b, v, ok, err)
	})
	b.Run("via=Read/impl=floor", floor(keyed))
}

// BenchmarkLRUHitFull measures memory hits of a full memory: n entries,
// each an int in a file of its own, hit in turn through Wrap1 with an int
// argument, so that every hit looks up another entry among n. The floor is
// a golang-lru Get from a cache holding the same n values under the same
// paths, in the same order.
func BenchmarkLRUHitFull(b *testing.B) {
	for _, n := range []int{50_000, 100_000} {
		dir := b.TempDir()
		b.Run("entries="+strconv.Itoa(n)+"/impl=cachetta", func(b *testing.B) {
			c := benchNew[int](b, filepath.Join(dir, "v.json"), cachetta.WithLRU(n))
			get := cachetta.Wrap1(c, func(context.Context, int) (int, error) { return 0, errHitCalled })
			ctx := b.Context()
			writeInts(b, c, n)
			for i := range n {
				if _, err := get(ctx, i); err != nil { // fills memory
					b.Fatal(err)
				}
			}
			hits := c.Stats().MemoryHits
			var (
				v, i int
				err  error
			)
			b.ReportAllocs()
			for b.Loop() {
				v, err = get(ctx, i)
				if i++; i == n {
					i = 0
				}
			}
			if err != nil || v != (i+n-1)%n {
				b.Fatalf("get(%d) = %d, %v; want %[1]d, nil", (i+n-1)%n, v, err)
			}
			if hits, want := c.Stats().MemoryHits-hits, uint64(b.N); hits != want {
				b.Fatalf("%d of %d calls were memory hits; want all", hits, want)
			}
		})
		b.Run("entries="+strconv.Itoa(n)+"/impl=floor", func(b *testing.B) {
			c := benchNew[int](b, filepath.Join(dir, "v.json"))
			m, err := lru.New[string, int](n)
			if err != nil {
				b.Fatal(err)
			}
			paths := make([]string, n)
			for i := range paths {
				if paths[i], err = c.PathFor(i); err != nil {
					b.Fatal(err)
				}
				m.Add(paths[i], i)
			}
			var (
				v, i int
				ok   bool
			)
			b.ReportAllocs()
			for b.Loop() {
				v, ok = m.Get(paths[i])
				if i++; i == n {
					i = 0
				}
			}
			if !ok || v != (i+n-1)%n {
				b.Fatalf("Get(%q) = %d, %v; want %d, true", paths[(i+n-1)%n], v, ok, (i+n-1)%n)
			}
		})
	}
}

// BenchmarkLRUHitParallel shows contention on the memory. RunParallel has
// no b.Loop form: its body loops on pb.Next. Each goroutine starts from the
// expected result, so one that runs no iteration has nothing to report, and
// checks its last result after its loop.
func BenchmarkLRUHitParallel(b *testing.B) {
	recs := benchRecords(b, 1<<10)
	path := filepath.Join(b.TempDir(), "rec.json")
	b.Run("impl=cachetta", func(b *testing.B) {
		c := benchCacheAt(b, path, cachetta.WithLRU(16))
		mustWrite(b, c, recs)
		get := cachetta.Wrap(c, func(context.Context) ([]benchRecord, error) {
			return nil, errHitCalled
		})
		ctx := b.Context()
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			v, err := recs, error(nil)
			for pb.Next() {
				v, err = get(ctx)
			}
			if err != nil || len(v) != len(recs) {
				b.Errorf("got %d records, %v; want %d", len(v), err, len(recs))
			}
		})
	})
	b.Run("impl=floor", func(b *testing.B) {
		m, err := lru.New[string, []benchRecord](16)
		if err != nil {
			b.Fatal(err)
		}
		m.Add(path, recs)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			v, ok := recs, true
			for pb.Next() {
				v, ok = m.Get(path)
			}
			if !ok || len(v) != len(recs) {
				b.Errorf("got %d records, %v; want %d", len(v), ok, len(recs))
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
		c := benchCacheAt(b, path, cachetta.WithDuration(time.Hour), cachetta.WithRefresh(cachetta.Refresh{StaleWhileRevalidate: time.Hour}))
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
			v, err = get(ctx)
		}
		checkHit(b, v, true, err, len(recs))
	})
	b.Run("size=1KiB/impl=floor", func(b *testing.B) {
		backdate(b)
		c := benchCacheAt(b, path, cachetta.WithDuration(2*time.Hour), cachetta.WithRefresh(cachetta.Refresh{StaleWhileRevalidate: time.Hour}))
		get := cachetta.Wrap(c, func(context.Context) ([]benchRecord, error) {
			return nil, errHitCalled
		})
		ctx := b.Context()
		var (
			v   []benchRecord
			err error
		)
		b.ReportAllocs()
		for b.Loop() {
			v, err = get(ctx)
		}
		checkHit(b, v, true, err, len(recs))
	})
}

// TestLRUHitDoesNotAllocate keeps the promise that a memory hit through a
// wrapper allocates nothing: with no arguments, and with one int or string
// argument, whatever its size (an int past 255 allocates when boxed).
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
	get := cachetta.Wrap(c, func(context.Context) ([]benchRecord, error) {
		return nil, errHitCalled
	})
	getInt := cachetta.Wrap1(c, func(context.Context, int) ([]benchRecord, error) {
		return nil, errHitCalled
	})
	getString := cachetta.Wrap1(c, func(context.Context, string) ([]benchRecord, error) {
		return nil, errHitCalled
	})
	getStruct := cachetta.Wrap1(c, func(context.Context, benchArg) ([]benchRecord, error) {
		return nil, errHitCalled
	})
	getPair := cachetta.Wrap2(c, func(context.Context, benchArg, int) ([]benchRecord, error) {
		return nil, errHitCalled
	})
	getTagged := cachetta.Wrap1(c, func(context.Context, benchTagged) ([]benchRecord, error) {
		return nil, errHitCalled
	})
	getFiltered := cachetta.Wrap1(c, func(context.Context, benchFiltered) ([]benchRecord, error) {
		return nil, errHitCalled
	})
	getPointer := cachetta.Wrap1(c, func(context.Context, *benchArg) ([]benchRecord, error) {
		return nil, errHitCalled
	})
	getTriple := cachetta.Wrap3(c, func(context.Context, benchArg, benchTagged, benchFiltered) ([]benchRecord, error) {
		return nil, errHitCalled
	})
	names := []string{"a.json", "b.json"}
	byName := cachetta.Must(c.With(cachetta.WithPathFunc(func(i int) string { return names[i] })))
	getNamed := cachetta.Wrap1(byName, func(context.Context, int) ([]benchRecord, error) {
		return nil, errHitCalled
	})
	byName2 := cachetta.Must(c.With(cachetta.WithPathFunc2(func(i int, a benchArg) string { return names[i] })))
	getNamed2 := cachetta.Wrap2(byName2, func(context.Context, int, benchArg) ([]benchRecord, error) {
		return nil, errHitCalled
	})
	arg := benchArg{User: "user@example.com", Page: 7}
	tagged := benchTagged{User: "user@example.com", Tags: []string{"a", "b", "c"}}
	filtered := benchFiltered{User: "user@example.com", Filters: map[string]string{"lang": "en", "sort": "new"}}
	name := "user-" + strconv.Itoa(len(names))
	tests := []struct {
		name string
		c    *cachetta.Cachetta[[]benchRecord]
		args []any
		get  func() ([]benchRecord, error)
	}{
		{"Wrap", c, nil, func() ([]benchRecord, error) { return get(ctx) }},
		{"Wrap1(struct)", c, []any{arg}, func() ([]benchRecord, error) { return getStruct(ctx, arg) }},
		{"Wrap2(struct, int)", c, []any{arg, 3}, func() ([]benchRecord, error) { return getPair(ctx, arg, 3) }},
		{"Wrap1(struct holding a slice)", c, []any{tagged}, func() ([]benchRecord, error) { return getTagged(ctx, tagged) }},
		{"Wrap1(struct holding a map)", c, []any{filtered}, func() ([]benchRecord, error) { return getFiltered(ctx, filtered) }},
		{"Wrap1(pointer)", c, []any{&arg}, func() ([]benchRecord, error) { return getPointer(ctx, &arg) }},
		{"Wrap3(struct, slice, map)", c, []any{arg, tagged, filtered}, func() ([]benchRecord, error) {
			return getTriple(ctx, arg, tagged, filtered)
		}},
		{"Wrap1 with a path function", byName, []any{1}, func() ([]benchRecord, error) { return getNamed(ctx, 1) }},
		{"Wrap2 with a path function", byName2, []any{1, arg}, func() ([]benchRecord, error) { return getNamed2(ctx, 1, arg) }},
		{"Wrap1(int)", c, []any{1234567}, func() ([]benchRecord, error) { return getInt(ctx, 1234567) }},
		{"Read(int)", c, []any{1234567}, func() ([]benchRecord, error) {
			v, ok, err := c.Read(ctx, 1234567)
			if !ok && err == nil {
				err = errHitCalled
			}
			return v, err
		}},
		{"Wrap1(string)", c, []any{"user@example.com"}, func() ([]benchRecord, error) { return getString(ctx, "user@example.com") }},
		// Read's own work: the caller boxes a non-constant argument into
		// ...any at each call (one allocation each, see Read), which these
		// rows do once, outside the measured calls.
		{"Read(string built at run time)", c, []any{name}, readHit(ctx, c, name)},
		{"Read(struct)", c, []any{arg}, readHit(ctx, c, arg)},
		{"Read(struct holding a slice)", c, []any{tagged}, readHit(ctx, c, tagged)},
		{"Read(pointer)", c, []any{&arg}, readHit(ctx, c, &arg)},
		{"Read(struct, slice, map)", c, []any{arg, tagged, filtered}, readHit(ctx, c, arg, tagged, filtered)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.c.Write(ctx, recs, tt.args...); err != nil {
				t.Fatal(err)
			}
			var getErr error
			allocs := testing.AllocsPerRun(100, func() {
				if _, err := tt.get(); err != nil {
					getErr = err
				}
			})
			if getErr != nil {
				t.Fatal(getErr)
			}
			if allocs != 0 {
				t.Errorf("LRU hit through %s allocates %v times per call; want 0", tt.name, allocs)
			}
		})
	}
}

// readHit returns a call of c.Read with args, boxed once by this call,
// that fails unless it hits.
func readHit(ctx context.Context, c *cachetta.Cachetta[[]benchRecord], args ...any) func() ([]benchRecord, error) {
	return func() ([]benchRecord, error) {
		v, ok, err := c.Read(ctx, args...)
		if !ok && err == nil {
			err = errHitCalled
		}
		return v, err
	}
}

// BenchmarkLRUHitArgs measures memory hits through Wrap1 with arguments
// other than plain ints and strings: a request struct, a struct holding a
// slice, one holding a map and a pointer to a struct, whose paths are
// remembered by the arguments' content; and an int through a path
// function, whose result's path is remembered. Each floor is a bare
// golang-lru Get of the same value.
func BenchmarkLRUHitArgs(b *testing.B) {
	want := benchRecords(b, 1<<10)
	dir := b.TempDir()
	floor := func(b *testing.B) {
		if v, ok := floorLRUHit(b, filepath.Join(dir, "rec.json"), want); !ok || len(v) != len(want) {
			b.Fatal("floor missed")
		}
	}
	hits := func(b *testing.B, get func() ([]benchRecord, error)) {
		var (
			v   []benchRecord
			err error
		)
		b.ReportAllocs()
		for b.Loop() {
			v, err = get()
		}
		if err != nil || len(v) != len(want) {
			b.Fatalf("got %d records, %v; want a hit", len(v), err)
		}
	}
	ctx := b.Context()
	b.Run("arg=struct/impl=cachetta", func(b *testing.B) {
		c := benchNew[[]benchRecord](b, filepath.Join(dir, "rec.json"), cachetta.WithLRU(16))
		arg := benchArg{User: "user@example.com", Page: 7}
		mustWrite(b, c, want, arg)
		get := cachetta.Wrap1(c, func(context.Context, benchArg) ([]benchRecord, error) { return nil, errHitCalled })
		hits(b, func() ([]benchRecord, error) { return get(ctx, arg) })
	})
	b.Run("arg=struct/impl=floor", floor)
	b.Run("arg=slice/impl=cachetta", func(b *testing.B) {
		c := benchNew[[]benchRecord](b, filepath.Join(dir, "rec.json"), cachetta.WithLRU(16))
		arg := benchTagged{User: "user@example.com", Tags: []string{"a", "b", "c"}}
		mustWrite(b, c, want, arg)
		get := cachetta.Wrap1(c, func(context.Context, benchTagged) ([]benchRecord, error) { return nil, errHitCalled })
		hits(b, func() ([]benchRecord, error) { return get(ctx, arg) })
	})
	b.Run("arg=slice/impl=floor", floor)
	b.Run("arg=map/impl=cachetta", func(b *testing.B) {
		c := benchNew[[]benchRecord](b, filepath.Join(dir, "rec.json"), cachetta.WithLRU(16))
		arg := benchFiltered{User: "user@example.com", Filters: map[string]string{"lang": "en", "sort": "new"}}
		mustWrite(b, c, want, arg)
		get := cachetta.Wrap1(c, func(context.Context, benchFiltered) ([]benchRecord, error) { return nil, errHitCalled })
		hits(b, func() ([]benchRecord, error) { return get(ctx, arg) })
	})
	b.Run("arg=map/impl=floor", floor)
	b.Run("arg=pointer/impl=cachetta", func(b *testing.B) {
		c := benchNew[[]benchRecord](b, filepath.Join(dir, "rec.json"), cachetta.WithLRU(16))
		arg := &benchArg{User: "user@example.com", Page: 7}
		mustWrite(b, c, want, arg)
		get := cachetta.Wrap1(c, func(context.Context, *benchArg) ([]benchRecord, error) { return nil, errHitCalled })
		hits(b, func() ([]benchRecord, error) { return get(ctx, arg) })
	})
	b.Run("arg=pointer/impl=floor", floor)
	b.Run("arg=pathfunc/impl=cachetta", func(b *testing.B) {
		names := []string{filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")}
		c := benchNew[[]benchRecord](b, filepath.Join(dir, "rec.json"), cachetta.WithLRU(16),
			cachetta.WithPathFunc(func(i int) string { return names[i] }))
		mustWrite(b, c, want, 1)
		get := cachetta.Wrap1(c, func(context.Context, int) ([]benchRecord, error) { return nil, errHitCalled })
		hits(b, func() ([]benchRecord, error) { return get(ctx, 1) })
	})
	b.Run("arg=pathfunc/impl=floor", floor)
}
