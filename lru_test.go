package cachetta_test

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"context"
	"sync/atomic"

	"github.com/cachetta-go/cachetta"
)

func TestLRUHitTouchesNoFile(t *testing.T) {
	ctx := t.Context()
	c := newCache[string](t, "s.json", cachetta.WithLRU(8))
	if err := c.Write(ctx, "memory"); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := c.Read(ctx); !ok || err != nil {
		t.Fatalf("Read after Write = %v, %v; want a hit", ok, err)
	}
	// Another process replaces, then removes, the file: memory still answers.
	writeFile(t, c.Path(), `"disk"`)
	if v, ok, err := c.Read(ctx); v != "memory" || !ok || err != nil {
		t.Errorf("Read after another process wrote = %q, %v, %v; want memory", v, ok, err)
	}
	if err := os.Remove(c.Path()); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := c.Read(ctx); v != "memory" || !ok || err != nil {
		t.Errorf("Read after the file was removed = %q, %v, %v; want memory", v, ok, err)
	}
}

func TestLRUIsFilledByADiskRead(t *testing.T) {
	ctx := t.Context()
	c := newCache[string](t, "s.json", cachetta.WithLRU(8))
	writeFile(t, c.Path(), `"disk"`)
	if v, ok, _ := c.Read(ctx); v != "disk" || !ok {
		t.Fatalf("first Read = %q, %v; want disk", v, ok)
	}
	if err := os.Remove(c.Path()); err != nil {
		t.Fatal(err)
	}
	if v, ok, _ := c.Read(ctx); v != "disk" || !ok {
		t.Errorf("Read after the file was removed = %q, %v; want the remembered disk", v, ok)
	}
}

func TestLRUNeverOutlivesInvalidate(t *testing.T) {
	ctx := t.Context()
	c := newCache[string](t, "s.json", cachetta.WithLRU(8))
	copies := map[string]*cachetta.Cachetta[string]{
		"itself":         c,
		"a Join copy":    c.Join(),
		"a With copy":    cachetta.Must(c.With(cachetta.WithDuration(time.Minute))),
		"a resized copy": cachetta.Must(c.With(cachetta.WithLRU(2))),
	}
	for name, other := range copies {
		if err := c.Write(ctx, "v"); err != nil {
			t.Fatal(err)
		}
		c.Read(ctx)
		if err := other.Invalidate(ctx); err != nil {
			t.Fatal(err)
		}
		if v, ok, err := c.Read(ctx); ok || err != nil {
			t.Errorf("after Invalidate through %s, Read = %q, %v, %v; want a miss", name, v, ok, err)
		}
	}
}

func TestLRUCopiesAgreeAfterWrites(t *testing.T) {
	ctx := t.Context()
	c := newCache[string](t, "s.json", cachetta.WithLRU(8))
	copies := map[string]*cachetta.Cachetta[string]{
		"a Join copy":           c.Join(),
		"a resized copy":        cachetta.Must(c.With(cachetta.WithLRU(2))),
		"a copy without memory": cachetta.Must(c.With(cachetta.WithLRU(0))),
		"a copy not reading":    cachetta.Must(c.With(cachetta.WithRead(false))),
	}
	for name, other := range copies {
		if err := c.Write(ctx, "old"); err != nil {
			t.Fatal(err)
		}
		other.Read(ctx)
		if err := other.Write(ctx, name); err != nil {
			t.Fatal(err)
		}
		if v, _, _ := c.Read(ctx); v != name {
			t.Errorf("after a write through %s, Read = %q; want %q", name, v, name)
		}
		if err := c.Write(ctx, "back"); err != nil {
			t.Fatal(err)
		}
		if other != copies["a copy not reading"] {
			if v, _, _ := other.Read(ctx); v != "back" {
				t.Errorf("%s read %q after the original wrote back; want back", name, v)
			}
		}
	}
}

func TestLRUIgnoredWithReadingOff(t *testing.T) {
	ctx := t.Context()
	c := newCache[string](t, "s.json", cachetta.WithLRU(8))
	if err := c.Write(ctx, "v"); err != nil {
		t.Fatal(err)
	}
	c.Read(ctx)
	off := cachetta.Must(c.With(cachetta.WithRead(false)))
	if v, ok, err := off.Read(ctx); ok || err != nil {
		t.Errorf("Read with reading off = %q, %v, %v; want a miss from memory too", v, ok, err)
	}
}

// TestLRUExpiresByModificationTime fills memory with an entry whose file is
// 59 minutes old and moves the clock two minutes on: memory must judge it by
// the file's time, as the disk does, not by when it was remembered.
func TestLRUExpiresByModificationTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		c := newCache[string](t, "s.json", cachetta.WithLRU(8), cachetta.WithDuration(time.Hour))
		writeFile(t, c.Path(), `"v"`)
		backdate(t, c.Path(), 59*time.Minute)
		if _, ok, _ := c.Read(ctx); !ok {
			t.Fatal("a 59-minute-old entry missed")
		}
		time.Sleep(2 * time.Minute) // moves the bubble's clock; nothing waits
		if v, ok, err := c.Read(ctx); ok || err != nil {
			t.Errorf("Read of a 61-minute-old entry = %q, %v, %v; want a miss", v, ok, err)
		}
	})
}

func TestLRUExpiredEntryFallsThroughToDisk(t *testing.T) {
	ctx := t.Context()
	c := newCache[string](t, "s.json", cachetta.WithLRU(8), cachetta.WithDuration(time.Hour))
	writeFile(t, c.Path(), `"old"`)
	backdate(t, c.Path(), 30*time.Minute)
	c.Read(ctx) // remembers "old" with its time
	short := cachetta.Must(c.With(cachetta.WithDuration(10 * time.Minute)))
	// Another process wrote a new file: the copy that finds "old" expired in
	// memory must read it.
	writeFile(t, c.Path(), `"new"`)
	if v, ok, err := short.Read(ctx); v != "new" || !ok || err != nil {
		t.Errorf("Read through an expired memory entry = %q, %v, %v; want new from disk", v, ok, err)
	}
}

func TestLRUMutationDoesNotReachDisk(t *testing.T) {
	ctx := t.Context()
	c := newCache[map[string]int](t, "m.json", cachetta.WithLRU(8))
	if err := c.Write(ctx, map[string]int{"a": 1}); err != nil {
		t.Fatal(err)
	}
	v, _, _ := c.Read(ctx)
	v["a"] = 99
	if got := readFile(t, c.Path()); got != `{"a":1}` {
		t.Errorf("file holds %s after mutating a returned map; want {\"a\":1}", got)
	}
}

func TestLRUEvictsBeyondItsSize(t *testing.T) {
	ctx := t.Context()
	c := newCache[int](t, "n.json", cachetta.WithLRU(2))
	for i := range 3 {
		if err := c.Write(ctx, i, i); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := c.Read(ctx, i); !ok || err != nil {
			t.Fatalf("Read(%d) after Write = %v, %v; want a hit", i, ok, err)
		}
	}
	// Entry 0 was evicted: with its file gone, it misses; 2 is remembered.
	for i, wantOK := range []bool{false, true, true} {
		path, _ := c.PathFor(i)
		os.Remove(path)
		if _, ok, _ := c.Read(ctx, i); ok != wantOK {
			t.Errorf("Read(%d) without its file = %v; want %v", i, ok, wantOK)
		}
	}
}

// TestLRUStress mixes reads, writes and invalidations of a few keys from many
// goroutines and copies, then checks that memory and disk agree on every key.
func TestLRUStress(t *testing.T) {
	ctx := t.Context()
	c := newCache[string](t, "s.json", cachetta.WithLRU(2))
	copies := []*cachetta.Cachetta[string]{c, c.Join(), cachetta.Must(c.With(cachetta.WithLRU(3)))}
	var wg sync.WaitGroup
	for g := range 12 {
		wg.Go(func() {
			cp := copies[g%len(copies)]
			for i := range 300 {
				key := (g + i) % 4
				switch i % 3 {
				case 0:
					if err := cp.Write(ctx, fmt.Sprint(g, "-", i), key); err != nil {
						t.Error(err)
					}
				case 1:
					if _, _, err := cp.Read(ctx, key); err != nil {
						t.Error(err)
					}
				case 2:
					if i%9 == 2 {
						if err := cp.Invalidate(ctx, key); err != nil {
							t.Error(err)
						}
					}
				}
			}
		})
	}
	wg.Wait()
	disk := cachetta.Must(c.With(cachetta.WithLRU(0)))
	for key := range 4 {
		want, wantOK, _ := disk.Read(ctx, key)
		for i, cp := range copies {
			if got, ok, _ := cp.Read(ctx, key); got != want || ok != wantOK {
				t.Errorf("copy %d: Read(%d) = %q, %v; disk has %q, %v", i, key, got, ok, want, wantOK)
			}
		}
	}
}

// gate holds the first goroutine that passes it until release is closed, so
// that a test can act at a moment inside the library.
type gate struct {
	passed  atomic.Bool
	entered chan struct{} // closed when the first goroutine arrives
	release chan struct{}
}

func newGate() gate {
	return gate{entered: make(chan struct{}), release: make(chan struct{})}
}

// pass holds the first caller until release is closed; later callers go on.
func (g *gate) pass() {
	if g.passed.CompareAndSwap(false, true) {
		close(g.entered)
		<-g.release
	}
}

// gateCodec is JSON whose first Unmarshal of text waits at its gate, so that
// a test can change an entry between a disk read and the memory fill that
// follows it.
type gateCodec struct {
	gate
	text string
}

func newGateCodec(text string) *gateCodec {
	return &gateCodec{gate: newGate(), text: text}
}

func (g *gateCodec) Marshal(v any) ([]byte, error) { return cachetta.JSON.Marshal(v) }

func (g *gateCodec) Unmarshal(data []byte, v any) error {
	if string(data) == g.text {
		g.pass()
	}
	return cachetta.JSON.Unmarshal(data, v)
}

// TestLRUDiskReadOvertakenByAChange holds a disk read of "old" between its
// decode and its memory fill while the entry is rewritten, invalidated or
// pruned: the late fill must not bring "old" back into memory. The reader is
// a copy with a longer duration, sharing the memory, for which the file c
// prunes is still fresh.
func TestLRUDiskReadOvertakenByAChange(t *testing.T) {
	tests := []struct {
		name   string
		change func(ctx context.Context, c *cachetta.Cachetta[string]) error
		want   string
		wantOK bool
	}{
		{"Write", func(ctx context.Context, c *cachetta.Cachetta[string]) error { return c.Write(ctx, "new") }, "new", true},
		{"Invalidate", func(ctx context.Context, c *cachetta.Cachetta[string]) error { return c.Invalidate(ctx) }, "", false},
		{"Prune", func(ctx context.Context, c *cachetta.Cachetta[string]) error { _, err := c.Prune(ctx); return err }, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			gate := newGateCodec(`"old"`)
			c := newCache[string](t, "s.json", cachetta.WithLRU(8), cachetta.WithCodec(gate), cachetta.WithDuration(time.Hour))
			long := cachetta.Must(c.With(cachetta.WithDuration(24 * time.Hour)))
			writeFile(t, c.Path(), `"old"`)
			backdate(t, c.Path(), 3*time.Hour)
			done := make(chan struct{})
			go func() {
				defer close(done)
				long.Read(ctx)
			}()
			<-gate.entered // the read has the old bytes and has not filled memory
			if err := tt.change(ctx, c); err != nil {
				t.Fatal(err)
			}
			close(gate.release)
			<-done
			if v, ok, err := long.Read(ctx); v != tt.want || ok != tt.wantOK || err != nil {
				t.Errorf("after a %s overtook a disk read, Read = %q, %v, %v; want %q, %v", tt.name, v, ok, err, tt.want, tt.wantOK)
			}
		})
	}
}

// TestLRUSharedByCopiesWithTheSameSize checks what With and Join promise: a
// copy shares the memory unless it changes its size. Another process then
// rewrites the file, which only a copy with its own memory sees.
func TestLRUSharedByCopiesWithTheSameSize(t *testing.T) {
	tests := []struct {
		name string
		copy func(c *cachetta.Cachetta[string]) *cachetta.Cachetta[string]
		want string
	}{
		{"Join", func(c *cachetta.Cachetta[string]) *cachetta.Cachetta[string] { return c.Join() }, "memory"},
		{"With another duration", func(c *cachetta.Cachetta[string]) *cachetta.Cachetta[string] {
			return cachetta.Must(c.With(cachetta.WithDuration(2 * time.Hour)))
		}, "memory"},
		{"With another size", func(c *cachetta.Cachetta[string]) *cachetta.Cachetta[string] {
			return cachetta.Must(c.With(cachetta.WithLRU(4)))
		}, "disk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			c := newCache[string](t, "s.json", cachetta.WithLRU(8))
			cp := tt.copy(c)
			if err := c.Write(ctx, "memory"); err != nil {
				t.Fatal(err)
			}
			if _, ok, err := c.Read(ctx); !ok || err != nil {
				t.Fatalf("Read after Write = %v, %v; want a hit", ok, err)
			}
			writeFile(t, c.Path(), `"disk"`)
			if v, ok, err := cp.Read(ctx); v != tt.want || !ok || err != nil {
				t.Errorf("copy made by %s: Read = %q, %v, %v; want %q", tt.name, v, ok, err, tt.want)
			}
		})
	}
}

// TestLRUWriteWithReadingOffFillsNoMemory: a copy with reading off clears
// the entry from the shared memory when it writes rather than remembering
// it, so the original's next read goes to the disk.
func TestLRUWriteWithReadingOffFillsNoMemory(t *testing.T) {
	ctx := t.Context()
	c := newCache[string](t, "s.json", cachetta.WithLRU(8))
	off := cachetta.Must(c.With(cachetta.WithRead(false)))
	if err := off.Write(ctx, "written"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, c.Path(), `"disk"`) // another process
	if v, ok, err := c.Read(ctx); v != "disk" || !ok || err != nil {
		t.Errorf("Read after a write with reading off = %q, %v, %v; want disk", v, ok, err)
	}
}

// TestLRUStaleEntryDoesNotHideAFreshFile remembers a stale entry, then lets
// another process write a fresh file: memory answers only for fresh
// entries, so the new file is read.
func TestLRUStaleEntryDoesNotHideAFreshFile(t *testing.T) {
	ctx := t.Context()
	c := newCache[string](t, "s.json", cachetta.WithLRU(8),
		cachetta.WithDuration(time.Hour), cachetta.WithRefresh(cachetta.Refresh{StaleWhileRevalidate: time.Hour}))
	writeFile(t, c.Path(), `"old"`)
	backdate(t, c.Path(), 90*time.Minute)
	if v, ok, _ := c.ReadStale(ctx); v != "old" || !ok {
		t.Fatalf("ReadStale = %q, %v; want old", v, ok)
	}
	writeFile(t, c.Path(), `"new"`)
	if v, ok, err := c.Read(ctx); v != "new" || !ok || err != nil {
		t.Errorf("Read = %q, %v, %v; want the fresh file's new", v, ok, err)
	}
}

// TestLRUKeysAreCleanPaths spells the cache's path uncleanly: copies, whose
// paths Join cleans, must still share its memory entries.
func TestLRUKeysAreCleanPaths(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	c := cachetta.Must(cachetta.New[string](dir+"/./sub/../s.json", cachetta.WithLRU(8)))
	if want := filepath.Join(dir, "s.json"); c.Path() != want {
		t.Errorf("Path() = %q; want %q", c.Path(), want)
	}
	if err := c.Write(ctx, "old"); err != nil {
		t.Fatal(err)
	}
	if err := c.Join().Invalidate(ctx); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := c.Read(ctx); ok || err != nil {
		t.Errorf("Read after a copy's Invalidate = %q, %v, %v; want a miss", v, ok, err)
	}
}

// TestLRUAnswersWhatTheFileHolds: a value that does not survive its encoding
// comes back from memory, which its write filled, exactly as a read of its
// file returns it, not as it was passed to Write or returned by the wrapped
// function. The file is removed after the write, so that only memory can
// answer.
func TestLRUAnswersWhatTheFileHolds(t *testing.T) {
	type user struct {
		Name   string
		Secret string `json:"-"`
	}
	ctx := t.Context()
	t.Run("map", func(t *testing.T) {
		c := newCache[map[string]any](t, "m.json", cachetta.WithLRU(8))
		if err := c.Write(ctx, map[string]any{"n": 1}); err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(c.Path()); err != nil {
			t.Fatal(err)
		}
		for i := range 2 {
			v, ok, err := c.Read(ctx)
			if n, isFloat := v["n"].(float64); !ok || err != nil || !isFloat || n != 1 {
				t.Errorf("Read %d = %#v, %v, %v; want n as float64 1, as decoded from the file", i, v, ok, err)
			}
		}
	})
	t.Run("struct written", func(t *testing.T) {
		c := newCache[user](t, "u.json", cachetta.WithLRU(8))
		if err := c.Write(ctx, user{"ana", "hunter2"}); err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(c.Path()); err != nil {
			t.Fatal(err)
		}
		if v, ok, err := c.Read(ctx); v != (user{Name: "ana"}) || !ok || err != nil {
			t.Errorf("Read = %+v, %v, %v; want {ana} as the file held it", v, ok, err)
		}
	})
	t.Run("struct computed", func(t *testing.T) {
		c := newCache[user](t, "u.json", cachetta.WithLRU(8))
		get := cachetta.Wrap(c, func(context.Context) (user, error) { return user{"ana", "hunter2"}, nil })
		if v, err := get(ctx); v.Secret != "hunter2" || err != nil {
			t.Fatalf("first call = %+v, %v; want the function's own result", v, err)
		}
		if err := os.Remove(c.Path()); err != nil {
			t.Fatal(err)
		}
		for i := range 2 {
			if v, err := get(ctx); v != (user{Name: "ana"}) || err != nil {
				t.Errorf("cached call %d = %+v, %v; want {ana} as the file held it", i, v, err)
			}
		}
	})
}

// TestLRUOfNHoldsN reads n distinct keys through a memory of n, then reads
// them again in the same order, through Read and through Wrap1: every read
// of the second and third passes is a memory hit, with no disk read and no
// eviction, however the keys spread over the memory's parts.
func TestLRUOfNHoldsN(t *testing.T) {
	for _, n := range []int{1000, 50_000, 100_000} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			if raceEnabled && n > 1000 {
				// One goroutine races with nothing, and the race detector
				// makes these sizes half a minute; internal/memory's
				// TestCacheOfNHoldsN runs them under it.
				t.Skip("large sizes run without -race")
			}
			ctx := t.Context()
			// Info, not testLogger's Debug: a line per read would be most
			// of the test's time.
			c := newCache[int](t, "n.json", cachetta.WithLRU(n),
				cachetta.WithLogger(slog.New(slog.NewTextHandler(t.Output(), nil))))
			writeInts(t, c, n)
			get := cachetta.Wrap1(c, func(context.Context, int) (int, error) { return 0, errHitCalled })
			read := func(i int) (int, error) {
				v, ok, err := c.Read(ctx, i)
				if !ok && err == nil {
					err = errors.New("a miss")
				}
				return v, err
			}
			wrapped := func(i int) (int, error) { return get(ctx, i) }
			passes := []struct {
				name string
				read func(i int) (int, error)
			}{{"Read", read}, {"Read", read}, {"Wrap1", wrapped}}
			for p, pass := range passes {
				before := c.Stats()
				for i := range n {
					if v, err := pass.read(i); v != i || err != nil {
						t.Fatalf("pass %d, %s(%d) = %d, %v; want %d", p+1, pass.name, i, v, err, i)
					}
				}
				s := c.Stats()
				hits, disk, evicted := s.MemoryHits-before.MemoryHits, s.DiskHits-before.DiskHits, s.Evictions-before.Evictions
				want := uint64(n)
				if p == 0 {
					want = 0
				}
				if hits != want || disk != uint64(n)-want || evicted != 0 {
					t.Errorf("pass %d through %s: %d memory hits, %d disk hits, %d evictions; want %d, %d, 0",
						p+1, pass.name, hits, disk, evicted, want, uint64(n)-want)
				}
			}
		})
	}
}

// TestLRUEvictsTheLeastRecentlyUsed fills a memory split into parts, reads
// the first half of its entries again, and writes new entries: each write
// evicts the least recently used entry of the whole memory, the second
// half in the order it was written, then the first half in the order it
// was read.
func TestLRUEvictsTheLeastRecentlyUsed(t *testing.T) {
	const n = 1024
	ctx := t.Context()
	var evicted []string
	c := newCache[int](t, "n.json", cachetta.WithLRU(n), cachetta.WithEvents(func(e cachetta.Event) {
		if e.Kind == cachetta.EventEviction {
			evicted = append(evicted, e.Path) // calls are one at a time here
		}
	}))
	for i := range n {
		if err := c.Write(ctx, i, i); err != nil {
			t.Fatal(err)
		}
	}
	for i := range n / 2 {
		if _, ok, err := c.Read(ctx, i); !ok || err != nil {
			t.Fatalf("Read(%d) = %v, %v; want a hit", i, ok, err)
		}
	}
	if len(evicted) != 0 {
		t.Fatalf("a memory of %d evicted %d entries while it held %d", n, len(evicted), n)
	}
	for i := n; i < 2*n; i++ {
		if err := c.Write(ctx, i, i); err != nil {
			t.Fatal(err)
		}
	}
	if len(evicted) != n {
		t.Fatalf("%d writes to a full memory evicted %d entries; want %d", n, len(evicted), n)
	}
	for j, path := range evicted {
		// The second half, oldest first, then the first half in the order
		// of the reads.
		want := (n/2 + j) % n
		if wantPath, _ := c.PathFor(want); path != wantPath {
			t.Fatalf("eviction %d was of %s; want the entry of %d, %s", j+1, path, want, wantPath)
		}
	}
}

// TestLRURenewsWhatACopyRemembers checks that a copy's memory hits through
// the entries it remembers, by argument, follow memory when an entry is
// evicted and read again, and when a write replaces it.
func TestLRURenewsWhatACopyRemembers(t *testing.T) {
	ctx := t.Context()
	c := newCache[string](t, "s.json", cachetta.WithLRU(2))
	var runs atomic.Int64
	get := cachetta.Wrap1(c, func(_ context.Context, i int) (string, error) {
		runs.Add(1)
		return "run " + strconv.Itoa(i), nil
	})
	want := func(i int, v string) {
		t.Helper()
		if got, err := get(ctx, i); got != v || err != nil {
			t.Fatalf("get(%d) = %q, %v; want %q", i, got, err, v)
		}
	}
	want(1, "run 1")
	want(2, "run 2")
	want(3, "run 3") // evicts 1
	want(1, "run 1") // a disk hit, which evicts 2
	hits := c.Stats().MemoryHits
	want(1, "run 1")
	want(1, "run 1")
	if got := c.Stats().MemoryHits - hits; got != 2 {
		t.Errorf("two calls of an entry read again after its eviction made %d memory hits; want 2", got)
	}
	if err := c.Write(ctx, "written", 1); err != nil {
		t.Fatal(err)
	}
	hits = c.Stats().MemoryHits
	want(1, "written")
	want(1, "written")
	if got := c.Stats().MemoryHits - hits; got != 2 {
		t.Errorf("two calls after a write made %d memory hits; want 2", got)
	}
	if got := runs.Load(); got != 3 {
		t.Errorf("the function ran %d times; want 3", got)
	}
}

// TestMemoryHitsKeepToTheirCopy checks that a copy answers from memory only
// what its own paths hold: a Join under another name with the same argument,

// TestMemoryHitsKeepPlainArgumentsApart checks that a copy's memo of plain
// arguments never answers one argument with the entry of another that
// differs only in its type: -1 and the largest uint64 (one bit pattern),
// true and 1, "1" and 1. Integers of different sizes and equal values
// resolve to one path and share its entry.
func TestMemoryHitsKeepPlainArgumentsApart(t *testing.T) {
	ctx := t.Context()
	c := newCache[string](t, "p.json", cachetta.WithLRU(16))
	args := []any{-1, uint64(math.MaxUint64), true, 1, "1", false, 0, "", int64(math.MaxInt64), uint64(1 << 63), math.MinInt64}
	for _, a := range args {
		if err := c.Write(ctx, fmt.Sprintf("%T %v", a, a), a); err != nil {
			t.Fatal(err)
		}
	}
	for round := range 3 { // the second and third rounds go through the memo
		for _, a := range args {
			want := fmt.Sprintf("%T %v", a, a)
			if v, ok, err := c.Read(ctx, a); v != want || !ok || err != nil {
				t.Errorf("round %d: Read(%T %v) = %q, %v, %v; want %q", round, a, a, v, ok, err, want)
			}
		}
	}
	// int8(1) and int64(1) key as 1 does.
	for _, a := range []any{int8(1), int64(1), uint16(1)} {
		if v, ok, err := c.Read(ctx, a); v != "int 1" || !ok || err != nil {
			t.Errorf("Read(%T 1) = %q, %v, %v; want the entry of 1", a, v, ok, err)
		}
	}
}
