package cachetta_test

import (
	"runtime"
	"testing"
	"time"

	"os"
	"strings"
	"testing/synctest"

	"github.com/cachetta-go/cachetta"
)

func TestInfo(t *testing.T) {
	tests := []struct {
		name        string
		write       bool
		age         time.Duration
		opts        []cachetta.Option
		wantExpired bool
		wantStale   bool
	}{
		{name: "missing"},
		{name: "fresh", write: true, age: time.Minute},
		{name: "in the future", write: true, age: -time.Hour},
		{name: "expired", write: true, age: 2 * time.Hour, wantExpired: true},
		{name: "stale", write: true, age: 90 * time.Minute, opts: []cachetta.Option{cachetta.WithRefresh(cachetta.Refresh{StaleWhileRevalidate: time.Hour})}, wantExpired: true, wantStale: true},
		{name: "past the stale window", write: true, age: 3 * time.Hour, opts: []cachetta.Option{cachetta.WithRefresh(cachetta.Refresh{StaleWhileRevalidate: time.Hour})}, wantExpired: true},
		{name: "stale with reading off", write: true, age: 90 * time.Minute, opts: []cachetta.Option{cachetta.WithRefresh(cachetta.Refresh{StaleWhileRevalidate: time.Hour}), cachetta.WithRead(false)}, wantExpired: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			c := newCache[string](t, "s.json", append(tt.opts, cachetta.WithDuration(time.Hour))...)
			if tt.write {
				writeFile(t, c.Path(), `"abc"`)
				backdate(t, c.Path(), tt.age)
			}
			info, err := c.Info(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if info.Path != c.Path() || info.Exists != tt.write || info.Expired != tt.wantExpired || info.Stale != tt.wantStale {
				t.Errorf("Info = %+v; want exists=%v expired=%v stale=%v", info, tt.write, tt.wantExpired, tt.wantStale)
			}
			switch {
			case !tt.write && (info.Age != 0 || !info.ModTime.IsZero() || info.Size != 0):
				t.Errorf("Info of a missing file = %+v; want zero age, time and size", info)
			case tt.write && info.Size != 5:
				t.Errorf("Info.Size = %d; want 5", info.Size)
			case tt.age < 0 && info.Age != 0:
				t.Errorf("Info.Age of a future file = %v; want 0", info.Age)
			case tt.age > 0 && info.Age < tt.age:
				t.Errorf("Info.Age = %v; want at least %v", info.Age, tt.age)
			}

			age, ok, err := c.Age(ctx)
			if ok != tt.write || err != nil || age < info.Age {
				t.Errorf("Age = %v, %v, %v; want ok=%v, at least %v", age, ok, err, tt.write, info.Age)
			}
			exists, err := c.Exists(ctx)
			if exists != tt.write || err != nil {
				t.Errorf("Exists = %v, %v; want %v", exists, err, tt.write)
			}
		})
	}
}

// TestInfoAtExactAges pins file times to the bubble's clock, which stands
// still, so that ages fall exactly on the boundaries: an entry expires when
// its age reaches the duration and leaves the stale window when it reaches
// the duration plus the window.
func TestInfoAtExactAges(t *testing.T) {
	tests := []struct {
		name                   string
		age                    time.Duration
		wantExpired, wantStale bool
	}{
		{"one second before expiry", time.Hour - time.Second, false, false},
		{"exactly the duration", time.Hour, true, true},
		{"one second before the window ends", 2*time.Hour - time.Second, true, true},
		{"exactly at the window's end", 2 * time.Hour, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := newCache[int](t, "n.json", cachetta.WithDuration(time.Hour), cachetta.WithRefresh(cachetta.Refresh{StaleWhileRevalidate: time.Hour}))
				writeFile(t, c.Path(), "1")
				when := time.Now().Add(-tt.age)
				if err := os.Chtimes(c.Path(), when, when); err != nil {
					t.Fatal(err)
				}
				info, err := c.Info(t.Context())
				if err != nil || info.Age != tt.age || info.Expired != tt.wantExpired || info.Stale != tt.wantStale {
					t.Errorf("Info = %+v, %v; want age %v, expired=%v, stale=%v", info, err, tt.age, tt.wantExpired, tt.wantStale)
				}
				if _, ok, err := c.Read(t.Context()); ok == tt.wantExpired || err != nil {
					t.Errorf("Read at age %v = %v, %v; want ok=%v", tt.age, ok, err, !tt.wantExpired)
				}
			})
		})
	}
}

func TestInfoOfADirectory(t *testing.T) {
	ctx := t.Context()
	c := newCache[int](t, "n.json")
	if err := os.Mkdir(c.Path(), 0o700); err != nil {
		t.Fatal(err)
	}
	checks := map[string]func() error{
		"Info":   func() error { _, err := c.Info(ctx); return err },
		"Exists": func() error { _, err := c.Exists(ctx); return err },
		"Age":    func() error { _, _, err := c.Age(ctx); return err },
	}
	for name, call := range checks {
		if err := call(); err == nil || !strings.Contains(err.Error(), c.Path()) {
			t.Errorf("%s(%q) of a directory = %v; want an error naming the path", name, c.Path(), err)
		}
	}
}

// TestInfoOfARememberedArgumentDoesNotAllocate: Info takes the path from
// memory when memory knows it, and on Linux the file's stat allocates
// nothing either. The file it describes is the entry's.
func TestInfoOfARememberedArgumentDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64" {
		t.Skip("a stat allocates here")
	}
	ctx := t.Context()
	c, err := cachetta.New[int](t.TempDir(), cachetta.WithLRU(8))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []any{"user-7", 1234567} {
		if err := c.Write(ctx, 1, a); err != nil {
			t.Fatal(err)
		}
		want, err := c.PathFor(a)
		if err != nil {
			t.Fatal(err)
		}
		info, err := c.Info(ctx, a)
		if err != nil || !info.Exists || info.Path != want {
			t.Fatalf("Info(%v) = %+v, %v; want the entry at %s", a, info, err, want)
		}
	}
	for _, tc := range []struct {
		name string
		info func()
	}{
		{"string", func() { c.Info(ctx, "user-7") }},
		{"int", func() { c.Info(ctx, 1234567) }},
	} {
		if n := testing.AllocsPerRun(100, tc.info); n != 0 {
			t.Errorf("Info(%s) allocates %v times; want 0", tc.name, n)
		}
	}
}
