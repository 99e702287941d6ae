package cachetta

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"unicode/utf8"
)

// TestRunLockPath checks the lock file names at the 255-byte limit: a name
// that fits keeps its entry's name whole, a longer one is cut at a UTF-8
// boundary and told apart by a hash of the whole name, and every one is a
// lock name for Prune.
func TestRunLockPath(t *testing.T) {
	long := strings.Repeat("a", 250)
	tests := []struct {
		name  string
		entry string
		whole bool // the lock's name holds the entry's whole
	}{
		{"short", "n.json", true},
		{"longest kept whole", strings.Repeat("a", maxNameLen-len("."+lockSuffix)), true},
		{"one byte too long", strings.Repeat("a", maxNameLen-len("."+lockSuffix)+1), false},
		{"255 bytes", strings.Repeat("b", 255), false},
		{"multibyte at the cut", strings.Repeat("é", 127) + "x", false},
		{"four-byte runes", strings.Repeat("😀", 63), false},
	}
	seen := make(map[string]string)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := runLockPath(filepath.Join("dir", tt.entry))
			dir, name := filepath.Split(path)
			switch {
			case dir != "dir"+string(filepath.Separator):
				t.Errorf("runLockPath(%q) is in %q; want dir", tt.entry, dir)
			case len(name) > maxNameLen || !utf8.ValidString(name) || !isLockName(name):
				t.Errorf("runLockPath(%q) = %q (%d bytes); want a valid lock name of at most %d bytes", tt.entry, name, len(name), maxNameLen)
			case tt.whole != (name == "."+tt.entry+lockSuffix):
				t.Errorf("runLockPath(%q) = %q; holds the whole name = %v, want %v", tt.entry, name, !tt.whole, tt.whole)
			case runLockPath(filepath.Join("dir", tt.entry)) != path:
				t.Errorf("runLockPath(%q) changed between two calls", tt.entry)
			}
			if other, ok := seen[name]; ok {
				t.Errorf("runLockPath(%q) = runLockPath(%q) = %q", tt.entry, other, name)
			}
			seen[name] = tt.entry
		})
	}
	// Two long names that differ only past the cut have two locks.
	a, b := runLockPath(long+"1.json"), runLockPath(long+"2.json")
	if a == b {
		t.Errorf("runLockPath of two long names differing at the end = %q for both", a)
	}
}

// TestTryLockFile takes the lock of one file through two open files, as
// two processes would: the second is refused until the first unlocks.
func TestTryLockFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), dirLockName)
	open := func() *os.File {
		f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	first, second := open(), open()
	if err := tryLockFile(first); errors.Is(err, errLockUnsupported) {
		t.Skipf("tryLockFile = %v", err)
	} else if err != nil {
		t.Fatalf("tryLockFile(first) = %v; want nil", err)
	}
	if err := tryLockFile(second); !errors.Is(err, errLockBusy) {
		t.Errorf("tryLockFile(second) while first holds the lock = %v; want errLockBusy", err)
	}
	if err := unlockFile(first); err != nil {
		t.Fatal(err)
	}
	if err := tryLockFile(second); err != nil {
		t.Errorf("tryLockFile(second) after first unlocked = %v; want nil", err)
	}
}

// TestUnsupportedLocksFallBack gives a family a file system that refuses
// locks: misses, writes, invalidations and prunes work as without process
// locks, and the family, copies included, warns once.
func TestUnsupportedLocksFallBack(t *testing.T) {
	ctx := t.Context()
	logger, logs := captureLogs(slog.LevelWarn)
	c := Must(New[int](filepath.Join(t.TempDir(), "n.json"), WithLogger(logger)))
	c.shared.lockFault = func(*os.File) error {
		return fmt.Errorf("%w: %w", errLockUnsupported, errors.New("no locks available"))
	}
	cp := Must(c.With(WithDuration(DefaultDuration / 2)))
	for _, cache := range []*Cachetta[int]{c, cp} {
		get := Wrap1(cache, func(_ context.Context, k int) (int, error) { return 2 * k, nil })
		for k := range 3 {
			if v, err := get(ctx, k); v != 2*k || err != nil {
				t.Errorf("get(%d) = %v, %v; want %d", k, v, err, 2*k)
			}
			if v, ok, err := cache.Read(ctx, k); v != 2*k || !ok || err != nil {
				t.Errorf("Read(%d) after get = %v, %v, %v; want %d", k, v, ok, err, 2*k)
			}
		}
		if err := cache.Write(ctx, 7); err != nil {
			t.Errorf("Write = %v", err)
		}
		if err := cache.Invalidate(ctx, 1); err != nil {
			t.Errorf("Invalidate = %v", err)
		}
		if _, err := cache.Prune(ctx); err != nil {
			t.Errorf("Prune = %v", err)
		}
	}
	got := logs.String()
	if n := strings.Count(got, "file locks unsupported, coordinating within this process only"); n != 1 || strings.Count(got, "\n") != 1 {
		t.Errorf("logs at warn level:\n%s\nwant the one warning of unsupported locks", got)
	}
}

// captureLogs returns a logger at level and the buffer it writes to.
func captureLogs(level slog.Level) (*slog.Logger, *strings.Builder) {
	buf := new(strings.Builder)
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: level})), buf
}

// TestCallersOfABusyRefreshComputeThemselves lets a caller that missed join
// a refresh which then finds the entry's run lock held by another family:
// the refresh ends without running, and the caller, instead of an error,
// waits for the lock in a run of its own and finds the holder's file.
func TestCallersOfABusyRefreshComputeThemselves(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		path := filepath.Join(t.TempDir(), "v.json")
		holder, waiter := Must(New[string](path)), Must(New[string](path))
		release := make(chan struct{})
		go Wrap(holder, func(context.Context) (string, error) { <-release; return "holder's", nil })(ctx)
		synctest.Wait() // the holder's run holds the lock
		var calls atomic.Int64
		w := newWrapper(waiter, "Wrap", func(context.Context, []any) (string, error) { calls.Add(1); return "waiter's", nil })
		// A refresh registered as refresh registers one, not yet started.
		ps := waiter.shared.acquire(path)
		defer waiter.shared.release(path, ps)
		guard := writeGuard{ps: ps, gen: ps.invalidations.Load()}
		id := flightID{path: path, gen: guard.gen}
		rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		r, start := w.flights.join(id, rctx, cancel)
		if !start {
			t.Fatal("a run of the entry is registered already")
		}
		type result struct {
			v   string
			err error
		}
		got := make(chan result)
		go func() {
			v, err := w.compute(ctx, path, nil)
			got <- result{v, err}
		}()
		synctest.Wait() // the caller waits on the refresh
		w.start(id, r, nil, guard, true)
		synctest.Wait() // the refresh has ended; the caller's own run waits for the lock
		if n := calls.Load(); n != 0 {
			t.Errorf("the function ran %d times while the holder held the lock; want 0", n)
		}
		close(release)
		if r := <-got; r.v != "holder's" || r.err != nil {
			t.Errorf("the caller that joined the refresh got %q, %v; want the holder's", r.v, r.err)
		}
		holder.Wait()
		waiter.Wait()
	})
}
