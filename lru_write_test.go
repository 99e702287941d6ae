package cachetta_test

import (
	"context"
	"os"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cachetta-go/cachetta"
)

// corrupt overwrites the file at path in place with bytes that are not
// JSON, of another length than any value the tests write, as another
// program might: the file stays a regular file, the same file by
// os.SameFile.
func corrupt(t *testing.T, path string) {
	t.Helper()
	if err := os.WriteFile(path, []byte("garbage, not JSON"), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestLRUHoldsWhatWasWritten writes "new" in each way a value reaches a
// file, then corrupts the file: the read that follows is answered from
// memory, which the write filled.
func TestLRUHoldsWhatWasWritten(t *testing.T) {
	run := func(context.Context) (string, error) { return "new", nil }
	tests := []struct {
		name  string
		write func(t *testing.T, c *cachetta.Cachetta[string])
		args  []any // the arguments that name the entry written
	}{
		{"Write", func(t *testing.T, c *cachetta.Cachetta[string]) {
			if err := c.Write(t.Context(), "new", "k"); err != nil {
				t.Fatal(err)
			}
		}, []any{"k"}},
		{"Wrap", func(t *testing.T, c *cachetta.Cachetta[string]) {
			if _, err := cachetta.Wrap(c, run)(t.Context()); err != nil {
				t.Fatal(err)
			}
		}, nil},
		{"Wrap1", func(t *testing.T, c *cachetta.Cachetta[string]) {
			get := cachetta.Wrap1(c, func(ctx context.Context, _ string) (string, error) { return run(ctx) })
			if _, err := get(t.Context(), "k"); err != nil {
				t.Fatal(err)
			}
		}, []any{"k"}},
		{"Wrap2", func(t *testing.T, c *cachetta.Cachetta[string]) {
			get := cachetta.Wrap2(c, func(ctx context.Context, _ string, _ int) (string, error) { return run(ctx) })
			if _, err := get(t.Context(), "k", 2); err != nil {
				t.Fatal(err)
			}
		}, []any{"k", 2}},
		{"Wrap3", func(t *testing.T, c *cachetta.Cachetta[string]) {
			get := cachetta.Wrap3(c, func(ctx context.Context, _ string, _ int, _ bool) (string, error) { return run(ctx) })
			if _, err := get(t.Context(), "k", 2, true); err != nil {
				t.Fatal(err)
			}
		}, []any{"k", 2, true}},
		{"background refresh", func(t *testing.T, c *cachetta.Cachetta[string]) {
			writeFile(t, c.Path(), `"stale"`)
			backdate(t, c.Path(), 90*time.Minute)
			if v, err := cachetta.Wrap(c, run)(t.Context()); v != "stale" || err != nil {
				t.Fatalf("stale call = %q, %v; want stale", v, err)
			}
			c.Wait()
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCache[string](t, "s.json", cachetta.WithLRU(8),
				cachetta.WithDuration(time.Hour), cachetta.WithRefresh(cachetta.Refresh{StaleWhileRevalidate: time.Hour}))
			tt.write(t, c)
			path, err := c.PathFor(tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			corrupt(t, path)
			before := c.Stats()
			if v, ok, err := c.Read(t.Context(), tt.args...); v != "new" || !ok || err != nil {
				t.Errorf("Read(%v) of a corrupted file = %q, %v, %v; want new from memory", tt.args, v, ok, err)
			}
			if got := since(before, c.Stats()); got != (cachetta.Stats{MemoryHits: 1}) {
				t.Errorf("Read(%v) added %+v; want one memory hit", tt.args, got)
			}
		})
	}
}

// TestLRUStatsOfRepeatCalls calls a wrapped function for 1, 2, 1, 1 on a
// fresh cache: each run's write fills memory, so the repeats are memory
// hits and no call reads a file.
func TestLRUStatsOfRepeatCalls(t *testing.T) {
	ctx := t.Context()
	c := newCache[int](t, "n.json", cachetta.WithLRU(8))
	get := cachetta.Wrap1(c, func(_ context.Context, k int) (int, error) { return 10 * k, nil })
	for _, k := range []int{1, 2, 1, 1} {
		if v, err := get(ctx, k); v != 10*k || err != nil {
			t.Fatalf("get(%d) = %d, %v; want %d", k, v, err, 10*k)
		}
	}
	// "10" and "20" are 2 bytes each.
	want := cachetta.Stats{MemoryHits: 2, Misses: 2, Runs: 2, Writes: 2, BytesWritten: 4}
	if got := c.Stats(); got != want {
		t.Errorf("Stats() = %+v; want %+v", got, want)
	}
}

// TestLRUWrittenEntryAndMemoryCheck writes "new" and, in some cases,
// corrupts the file: without WithFileCheck memory answers in every case;
// with it, memory answers while the file is the one the write renamed into
// place, without reading it, and the corrupted file is read, and missed.
func TestLRUWrittenEntryAndMemoryCheck(t *testing.T) {
	tests := []struct {
		name      string
		check     bool
		corrupted bool
		want      string
		wantOK    bool
		stats     cachetta.Stats
	}{
		{"unchanged", false, false, "new", true, cachetta.Stats{MemoryHits: 1}},
		{"corrupted", false, true, "new", true, cachetta.Stats{MemoryHits: 1}},
		{"unchanged, checked", true, false, "new", true, cachetta.Stats{MemoryHits: 1}},
		{"corrupted, checked", true, true, "", false, cachetta.Stats{Misses: 1, CorruptFiles: 1, BytesRead: 17}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			c := newCache[string](t, "s.json", cachetta.WithLRU(8), cachetta.WithFileCheck(tt.check))
			if err := c.Write(ctx, "new"); err != nil {
				t.Fatal(err)
			}
			if tt.corrupted {
				corrupt(t, c.Path())
			}
			before := c.Stats()
			if v, ok, err := c.Read(ctx); v != tt.want || ok != tt.wantOK || err != nil {
				t.Errorf("Read with WithFileCheck(%v) = %q, %v, %v; want %q, %v", tt.check, v, ok, err, tt.want, tt.wantOK)
			}
			if got := since(before, c.Stats()); got != tt.stats {
				t.Errorf("Read with WithFileCheck(%v) added %+v; want %+v", tt.check, got, tt.stats)
			}
		})
	}
}

// TestLRUTrustsAWrittenEntryUntilItExpires corrupts a file just written:
// memory answers its value up to the entry's duration, judged by the
// file's modification time, and not past it.
func TestLRUTrustsAWrittenEntryUntilItExpires(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		c := newCache[string](t, "s.json", cachetta.WithLRU(8), cachetta.WithDuration(time.Hour))
		if err := c.Write(ctx, "new"); err != nil {
			t.Fatal(err)
		}
		info, err := os.Stat(c.Path())
		if err != nil {
			t.Fatal(err)
		}
		corrupt(t, c.Path())
		// The bubble's clock starts in 2000, the file has a real time: the
		// clock moves to a minute before the entry expires. Nothing waits.
		time.Sleep(time.Until(info.ModTime().Add(59 * time.Minute)))
		if v, ok, err := c.Read(ctx); v != "new" || !ok || err != nil {
			t.Errorf("Read of a 59-minute-old entry = %q, %v, %v; want new from memory", v, ok, err)
		}
		time.Sleep(2 * time.Minute)
		if v, ok, err := c.Read(ctx); ok || err != nil {
			t.Errorf("Read of a 61-minute-old entry = %q, %v, %v; want a miss", v, ok, err)
		}
	})
}

// TestLRUWriteOvertakenByAChange holds a write of "new", by Write or by a
// wrapped function, between its commit and its memory fill while the entry
// is rewritten, invalidated or pruned: the late fill must not bring "new"
// back into memory. The reader is a copy with a longer duration, sharing
// the memory, for which the file c prunes is still fresh.
func TestLRUWriteOvertakenByAChange(t *testing.T) {
	writers := []struct {
		name  string
		write func(ctx context.Context, c *cachetta.Cachetta[string]) error
	}{
		{"Write", func(ctx context.Context, c *cachetta.Cachetta[string]) error { return c.Write(ctx, "new") }},
		{"Wrap", func(ctx context.Context, c *cachetta.Cachetta[string]) error {
			_, err := cachetta.Wrap(c, func(context.Context) (string, error) { return "new", nil })(ctx)
			return err
		}},
	}
	changes := []struct {
		name   string
		change func(t *testing.T, c *cachetta.Cachetta[string]) error
		want   string
		wantOK bool
	}{
		{"Write", func(t *testing.T, c *cachetta.Cachetta[string]) error { return c.Write(t.Context(), "newer") }, "newer", true},
		{"Invalidate", func(t *testing.T, c *cachetta.Cachetta[string]) error { return c.Invalidate(t.Context()) }, "", false},
		{"Prune", func(t *testing.T, c *cachetta.Cachetta[string]) error {
			backdate(t, c.Path(), 3*time.Hour)
			_, err := c.Prune(t.Context())
			return err
		}, "", false},
	}
	for _, w := range writers {
		for _, tt := range changes {
			t.Run(w.name+" overtaken by "+tt.name, func(t *testing.T) {
				ctx := t.Context()
				gate := newGateCodec(`"new"`)
				c := newCache[string](t, "s.json", cachetta.WithLRU(8), cachetta.WithCodec(gate), cachetta.WithDuration(time.Hour))
				long := cachetta.Must(c.With(cachetta.WithDuration(24 * time.Hour)))
				done := make(chan error, 1)
				go func() { done <- w.write(ctx, long) }()
				<-gate.entered // the write has renamed its file and not filled memory
				if err := tt.change(t, c); err != nil {
					t.Fatal(err)
				}
				close(gate.release)
				if err := <-done; err != nil {
					t.Fatal(err)
				}
				if v, ok, err := long.Read(ctx); v != tt.want || ok != tt.wantOK || err != nil {
					t.Errorf("after a %s overtook a write, Read = %q, %v, %v; want %q, %v", tt.name, v, ok, err, tt.want, tt.wantOK)
				}
			})
		}
	}
}

// TestLRUWriteThatDoesNotHappenFillsNoMemory tries writes of "new" that
// write nothing, or nothing a read may answer: memory must not answer
// "new" afterwards either.
func TestLRUWriteThatDoesNotHappenFillsNoMemory(t *testing.T) {
	tests := []struct {
		name string
		// write tries to write "new" to c's entry and returns the copy to
		// read it through.
		write func(t *testing.T, c *cachetta.Cachetta[string]) *cachetta.Cachetta[string]
	}{
		{"writing off", func(t *testing.T, c *cachetta.Cachetta[string]) *cachetta.Cachetta[string] {
			if err := cachetta.Must(c.With(cachetta.WithWrite(false))).Write(t.Context(), "new"); err != nil {
				t.Fatal(err)
			}
			return c
		}},
		{"Bypass", func(t *testing.T, c *cachetta.Cachetta[string]) *cachetta.Cachetta[string] {
			if err := c.Write(cachetta.Bypass(t.Context()), "new"); err != nil {
				t.Fatal(err)
			}
			return c
		}},
		{"condition refused", func(t *testing.T, c *cachetta.Cachetta[string]) *cachetta.Cachetta[string] {
			picky := cachetta.Must(c.With(cachetta.WithCondition(func(v string) bool { return v != "new" })))
			get := cachetta.Wrap(picky, func(context.Context) (string, error) { return "new", nil })
			if v, err := get(t.Context()); v != "new" || err != nil {
				t.Fatalf("get = %q, %v; want new", v, err)
			}
			return c
		}},
		{"invalidated while computing", func(t *testing.T, c *cachetta.Cachetta[string]) *cachetta.Cachetta[string] {
			started, release := make(chan struct{}), make(chan struct{})
			get := cachetta.Wrap(c, func(context.Context) (string, error) {
				close(started)
				<-release
				return "new", nil
			})
			done := make(chan error, 1)
			go func() {
				_, err := get(t.Context())
				done <- err
			}()
			<-started
			if err := c.Invalidate(t.Context()); err != nil {
				t.Fatal(err)
			}
			close(release)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			return c
		}},
		{"larger than Files.ReadLimit", func(t *testing.T, c *cachetta.Cachetta[string]) *cachetta.Cachetta[string] {
			small := cachetta.Must(c.With(cachetta.WithFiles(cachetta.Files{ReadLimit: 4})))
			if err := small.Write(t.Context(), "new"); err != nil { // 5 bytes
				t.Fatal(err)
			}
			return small
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCache[string](t, "s.json", cachetta.WithLRU(8))
			r := tt.write(t, c)
			if v, ok, err := r.Read(t.Context()); ok || err != nil {
				t.Errorf("Read = %q, %v, %v; want a miss", v, ok, err)
			}
		})
	}
}
