package cachetta

import (
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/cachetta-go/cachetta/internal/memory"
	lru "github.com/hashicorp/golang-lru/v2"
)

// BenchmarkLRUHitParallelKeys shows how memory hits of distinct keys scale
// with cores: each goroutine of b.RunParallel hits a key of its own through
// Wrap1, in a memory of 1024 entries split into 8 lists, the keys chosen so
// that no two goroutines share a list. The floor is each goroutine's bare
// Get of its own key on a golang-lru cache of its own. Run it with -cpu
// 1,2: bench/ratios compares the throughputs. It is an internal benchmark
// because only the package can tell which list a path falls in.
func BenchmarkLRUHitParallelKeys(b *testing.B) {
	var want [16]int64
	for i := range want {
		want[i] = int64(i) * 1_000_003
	}
	errHit := errors.New("a hit called the wrapped function")
	b.Run("impl=cachetta", func(b *testing.B) {
		c, err := New[[16]int64](filepath.Join(b.TempDir(), "k.json"), WithLRU(1024))
		if err != nil {
			b.Fatal(err)
		}
		parts := c.memory.entries.Parts()
		if n := runtime.GOMAXPROCS(0); n > parts {
			b.Skipf("GOMAXPROCS %d; keys in distinct lists for at most %d goroutines", n, parts)
		}
		get := Wrap1(c, func(context.Context, int) ([16]int64, error) { return want, errHit })
		ctx := b.Context()
		// keys[i] is a key whose path falls in list i.
		keys := make([]int, parts)
		for j := range keys {
			keys[j] = -1
		}
		for i, found := 0, 0; found < len(keys); i++ {
			path, err := c.PathFor(i)
			if err != nil {
				b.Fatal(err)
			}
			if j := c.memory.entries.Part(memory.KeyOf(path)); keys[j] < 0 {
				keys[j] = i
				found++
				if err := c.Write(ctx, want, i); err != nil {
					b.Fatal(err)
				}
				if _, err := get(ctx, i); err != nil { // fills memory
					b.Fatal(err)
				}
			}
		}
		var next atomic.Int64
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			key := keys[next.Add(1)-1]
			v, err := want, error(nil)
			for pb.Next() {
				v, err = get(ctx, key)
			}
			if err != nil || v != want {
				b.Errorf("get(%d) = %v, %v; want the stored value", key, v, err)
			}
		})
	})
	b.Run("impl=floor", func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "k.json")
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			m, err := lru.New[string, [16]int64](128)
			if err != nil {
				b.Error(err)
				return
			}
			m.Add(path, want)
			v, ok := want, true
			for pb.Next() {
				v, ok = m.Get(path)
			}
			if !ok || v != want {
				b.Errorf("Get = %v, %v; want the stored value", v, ok)
			}
		})
	})
}
