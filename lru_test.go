package cachetta_test

import (
	"fmt"
	"os"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cachetta-go/cachetta"
)

func TestLRUHitTouchesNoFile(t *testing.T) {
	ctx := t.Context()
	c := newCache[string](t, "s.json", cachetta.WithLRU(8))
	if err := c.Write(ctx, "memory"); err != nil {
		t.Fatal(err)
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
