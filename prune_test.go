package cachetta_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
)

func TestPrune(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	c := cachetta.Must(cachetta.New[int](filepath.Join(dir, "n.json"), cachetta.WithLogger(testLogger(t)),
		cachetta.WithDuration(time.Hour), cachetta.WithStaleDuration(time.Hour), cachetta.WithLRU(8)))
	keyed := func(arg any) string {
		path, err := c.PathFor(arg)
		if err != nil {
			t.Fatal(err)
		}
		return filepath.Base(path)
	}
	files := []struct {
		name        string
		age         time.Duration
		wantRemoved bool
	}{
		{"n.json", 3 * time.Hour, true},                       // past the stale window
		{keyed(1), 2 * time.Hour, true},                       // exactly at its end
		{keyed(2), 90 * time.Minute, false},                   // stale: a wrapper may still serve it
		{keyed(3), time.Minute, false},                        // fresh
		{".n.json.3kf8a1.cachetta-tmp", 2 * time.Hour, true},  // a killed writer's leftover
		{".n.json.9zz.cachetta-tmp", time.Minute, false},      // a write in progress
		{"n-0123456789ABCDEF.json", 3 * time.Hour, false},     // not a key: upper case
		{"n-0123456789abcde.json", 3 * time.Hour, false},      // not a key: 15 digits
		{"m-0123456789abcdef.json", 3 * time.Hour, false},     // another cache's name
		{"other.json", 3 * time.Hour, false},                  // unrelated
		{"notes.txt", 3 * time.Hour, false},                   // unrelated
		{".n.json.tmp", 3 * time.Hour, false},                 // another program's temporary file
		{"sub/.x.json.abc.cachetta-tmp", 2 * time.Hour, true}, // leftovers anywhere below
		{"sub/n.json", 3 * time.Hour, false},                  // entries only beside Path()
	}
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		writeFile(t, path, "1")
		backdate(t, path, f.age)
	}
	if err := os.Symlink(filepath.Join(dir, "other.json"), filepath.Join(dir, keyed(4))); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, keyed(5)), 0o700); err != nil {
		t.Fatal(err)
	}
	c.Read(ctx, 1) // a stale memory entry Prune must clear

	removed, err := c.Prune(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range files {
		if f.wantRemoved {
			want = append(want, filepath.Join(dir, f.name))
		}
	}
	slices.Sort(want)
	if !slices.Equal(removed, want) {
		t.Errorf("Prune removed\n%v\nwant\n%v", removed, want)
	}
	for _, f := range files {
		_, err := os.Lstat(filepath.Join(dir, f.name))
		if exists := err == nil; exists == f.wantRemoved {
			t.Errorf("after Prune, %s exists = %v; want %v", f.name, exists, !f.wantRemoved)
		}
	}
	for _, name := range []string{keyed(4), keyed(5)} {
		if _, err := os.Lstat(filepath.Join(dir, name)); err != nil {
			t.Errorf("Prune removed the link or directory %s", name)
		}
	}
	if _, ok, _ := c.ReadStale(ctx, 1); ok {
		t.Error("a pruned entry is still in memory")
	}
	again, err := c.Prune(ctx)
	if err != nil || len(again) != 0 {
		t.Errorf("second Prune = %v, %v; want nothing", again, err)
	}
}

func TestPruneDirectoryCache(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	c := cachetta.Must(cachetta.New[int](dir, cachetta.WithRoot(dir),
		cachetta.WithPathFunc(func(id string) string { return filepath.Join(dir, "users", id+".json") })))
	old := filepath.Join(dir, "users", ".1.json.abc.cachetta-tmp")
	entry := filepath.Join(dir, "users", "1.json")
	writeFile(t, old, "1")
	writeFile(t, entry, "1")
	backdate(t, old, 2*time.Hour)
	backdate(t, entry, 30*24*time.Hour)
	removed, err := c.Prune(ctx)
	if err != nil || !slices.Equal(removed, []string{old}) {
		t.Errorf("Prune = %v, %v; want only %s", removed, err, old)
	}
	if _, err := os.Stat(entry); err != nil {
		t.Errorf("Prune removed %s, whose name a path function chose: %v", entry, err)
	}
}

func TestPruneMissingDirectory(t *testing.T) {
	c := cachetta.Must(cachetta.New[int](filepath.Join(t.TempDir(), "gone", "n.json")))
	if removed, err := c.Prune(t.Context()); err != nil || len(removed) != 0 {
		t.Errorf("Prune of a missing directory = %v, %v; want nothing", removed, err)
	}
}
