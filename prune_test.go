package cachetta_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
)

func TestPrune(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	c := cachetta.Must(cachetta.New[int](filepath.Join(dir, "n.json"), cachetta.WithLogger(testLogger(t)),
		cachetta.WithDuration(time.Hour), cachetta.WithRefresh(cachetta.Refresh{StaleWhileRevalidate: time.Hour}), cachetta.WithLRU(8)))
	keyed := func(arg any) string { return keyedName(t, c, arg) }
	files := []struct {
		name        string
		age         time.Duration
		wantRemoved bool
	}{
		{"n.json", 3 * time.Hour, true},                        // past the stale window
		{keyed(1), 2 * time.Hour, true},                        // exactly at its end
		{keyed(2), 90 * time.Minute, false},                    // stale: a wrapper may still serve it
		{keyed(3), time.Minute, false},                         // fresh
		{".n.json.3kf8a1.cachetta-tmp", 2 * time.Hour, true},   // a killed writer's leftover
		{".n.json.9zz.cachetta-tmp", time.Minute, false},       // a write in progress
		{"n-0123456789ABCDEF.json", 3 * time.Hour, false},      // not a key: upper case
		{"n-0123456789abcde.json", 3 * time.Hour, false},       // not a key: 15 digits
		{"m-0123456789abcdef.json", 3 * time.Hour, false},      // another cache's name
		{"n-0123456789abcdef.yaml", 3 * time.Hour, false},      // another extension
		{"other.json", 3 * time.Hour, false},                   // unrelated
		{"notes.txt", 3 * time.Hour, false},                    // unrelated
		{".n.json.tmp", 3 * time.Hour, false},                  // another program's temporary file
		{"sub/.x.json.abc.cachetta-tmp", 2 * time.Hour, false}, // a file cache looks in its directory only
		{"sub/n.json", 3 * time.Hour, false},                   // entries only beside Path()
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
	again, err := c.Prune(ctx)
	if err != nil || len(again) != 0 {
		t.Errorf("second Prune = %v, %v; want nothing", again, err)
	}
}

// TestPruneDirectoryCache prunes a directory cache whose files were written
// without this package, as Python's cachetta writes them: the expired
// entries and Python's temporary files an hour old go, whoever wrote them;
// young ones, other extensions and the directory's lock file stay.
func TestPruneDirectoryCache(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	c := cachetta.Must(cachetta.New[int](dir, cachetta.WithRoot(dir),
		cachetta.WithPathFunc(func(id string) string { return filepath.Join(dir, "users", id+".json") })))
	files := []struct {
		name        string
		age         time.Duration
		wantRemoved bool
	}{
		{"users/.1.json.abc.cachetta-tmp", 2 * time.Hour, true}, // this package's temporary file
		{"users/1.json", 30 * 24 * time.Hour, true},             // expired, named by a path function
		{"user-08f5e39ca06e5b2b.json", 30 * 24 * time.Hour, true},
		{"user-26ef2ff7e8542a0b.json", time.Hour, false}, // fresh
		{"tmpk3j_9x2a.tmp", 2 * time.Hour, true},         // Python's temporary file, left by a killed writer
		{"tmpq8w2e5r1.tmp", time.Minute, false},          // Python's write in progress
		{"notes.txt", 30 * 24 * time.Hour, false},
		{".cachetta-lock", 30 * 24 * time.Hour, false},
	}
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		writeFile(t, path, `{"id": 42, "name": "Zo\u00eb"}`)
		backdate(t, path, f.age)
	}
	removed, err := c.Prune(ctx)
	var want []string
	for _, f := range files {
		if f.wantRemoved {
			want = append(want, filepath.Join(dir, f.name))
		}
	}
	slices.Sort(want)
	if err != nil || !slices.Equal(removed, want) {
		t.Errorf("Prune = %v, %v; want %v", removed, err, want)
	}
	for _, f := range files {
		if got := exists(t, filepath.Join(dir, f.name)); got == f.wantRemoved {
			t.Errorf("after Prune, %s exists = %v; want %v", f.name, got, !f.wantRemoved)
		}
	}
}

func TestPruneMissingDirectory(t *testing.T) {
	c := cachetta.Must(cachetta.New[int](filepath.Join(t.TempDir(), "gone", "n.json")))
	if removed, err := c.Prune(t.Context()); err != nil || len(removed) != 0 {
		t.Errorf("Prune of a missing directory = %v, %v; want nothing", removed, err)
	}
}

// TestPruneKeepsOldDirectories: directories are never removed, even empty
// ones old enough and named as an entry or a temporary file.
func TestPruneKeepsOldDirectories(t *testing.T) {
	dir := t.TempDir()
	c := cachetta.Must(cachetta.New[int](filepath.Join(dir, "n.json"), cachetta.WithDuration(time.Hour)))
	keyed, err := c.PathFor(1)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{keyed, filepath.Join(dir, ".n.json.abc.cachetta-tmp")} {
		if err := os.Mkdir(path, 0o700); err != nil {
			t.Fatal(err)
		}
		backdate(t, path, 3*time.Hour)
	}
	removed, err := c.Prune(t.Context())
	if err != nil || len(removed) != 0 {
		t.Errorf("Prune = %v, %v; want nothing removed", removed, err)
	}
	if names := dirNames(t, dir); len(names) != 2 {
		t.Errorf("directory holds %v after Prune; want both directories", names)
	}
}

// TestPruneReturnsSortedPaths: the walk of a directory cache visits the
// directory "n" before the file "n-x.json", but the paths come back sorted,
// "-" before "/".
func TestPruneReturnsSortedPaths(t *testing.T) {
	dir := t.TempDir()
	c := cachetta.Must(cachetta.New[int](dir, cachetta.WithDuration(time.Hour)))
	first := filepath.Join(dir, ".n-x.json.abc.cachetta-tmp")
	second := filepath.Join(dir, "n", ".x.json.abc.cachetta-tmp")
	for _, path := range []string{first, second} {
		writeFile(t, path, "1")
		backdate(t, path, 3*time.Hour)
	}
	want := []string{first, second}
	if removed, err := c.Prune(t.Context()); !slices.Equal(removed, want) || err != nil {
		t.Errorf("Prune = %q, %v; want %q", removed, err, want)
	}
}

// TestPruneClearsMemoryOfLongerCopies prunes an entry that a copy with a
// longer duration, sharing the memory, still holds as fresh.
func TestPruneClearsMemoryOfLongerCopies(t *testing.T) {
	ctx := t.Context()
	c := newCache[int](t, "n.json", cachetta.WithDuration(time.Hour), cachetta.WithLRU(8))
	long := cachetta.Must(c.With(cachetta.WithDuration(24 * time.Hour)))
	writeFile(t, c.Path(), "1")
	backdate(t, c.Path(), 3*time.Hour)
	if _, ok, _ := long.Read(ctx); !ok {
		t.Fatal("the longer copy missed a 3-hour-old entry")
	}
	if removed, err := c.Prune(ctx); len(removed) != 1 || err != nil {
		t.Fatalf("Prune = %v, %v; want the entry removed", removed, err)
	}
	if v, ok, err := long.Read(ctx); ok || err != nil {
		t.Errorf("after Prune, the longer copy's Read = %v, %v, %v; want a miss", v, ok, err)
	}
}

// cancelOnFirstCheck is a context that is cancelled right after the first
// time its Err is asked, as a caller giving up while Prune walks.
type cancelOnFirstCheck struct {
	context.Context
	cancel  context.CancelFunc
	checked atomic.Bool
}

func (c *cancelOnFirstCheck) Err() error {
	err := c.Context.Err()
	if c.checked.CompareAndSwap(false, true) {
		c.cancel()
	}
	return err
}

func TestPruneStopsWhenCancelledDuringTheWalk(t *testing.T) {
	c := newCache[int](t, "n.json", cachetta.WithDuration(time.Hour))
	writeFile(t, c.Path(), "1")
	backdate(t, c.Path(), 3*time.Hour)
	inner, cancel := context.WithCancel(t.Context())
	ctx := &cancelOnFirstCheck{Context: inner, cancel: cancel}
	if removed, err := c.Prune(ctx); err != context.Canceled || len(removed) != 0 {
		t.Errorf("Prune cancelled during the walk = %v, %v; want nothing and context.Canceled", removed, err)
	}
	if _, err := os.Stat(c.Path()); err != nil {
		t.Errorf("Prune cancelled during the walk removed %s", c.Path())
	}
}

func TestPruneThroughALinkOutsideTheRoot(t *testing.T) {
	root, outside := confinedDir(t)
	backdate(t, filepath.Join(outside, "secret.json"), 30*24*time.Hour)
	if err := os.Symlink(outside, filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	c := cachetta.Must(cachetta.New[string](filepath.Join(root, "link", "secret.json"), cachetta.WithRoot(root)))
	if removed, err := c.Prune(t.Context()); !errors.Is(err, cachetta.ErrOutsideRoot) || len(removed) != 0 {
		t.Errorf("Prune through a link out of the root = %v, %v; want ErrOutsideRoot", removed, err)
	}
	if names := dirNames(t, outside); len(names) != 1 {
		t.Errorf("outside directory holds %v; want secret.json untouched", names)
	}
}

// TestPruneUnderARootSpelledOtherwise gives the cache a path relative to its
// root and runs elsewhere: Prune finds the entry and names the real file.
func TestPruneUnderARootSpelledOtherwise(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(t.TempDir())
	c := cachetta.Must(cachetta.New[int]("n.json", cachetta.WithRoot(filepath.Join(dir, "cache"))))
	path := filepath.Join(dir, "cache", "n.json")
	writeFile(t, path, "1")
	backdate(t, path, 30*24*time.Hour)
	if removed, err := c.Prune(t.Context()); err != nil || !slices.Equal(removed, []string{path}) {
		t.Errorf("Prune = %q, %v; want [%s]", removed, err, path)
	}
}

// TestPruneNeverFollowsADirectorySwappedForALink swaps a subdirectory of a
// directory cache for a symbolic link to an outside directory, over and over,
// while Prune runs: nothing outside may be removed. It swaps 1,000 times
// with -long (see long), 250 by default and 100 with -short.
func TestPruneNeverFollowsADirectorySwappedForALink(t *testing.T) {
	base := t.TempDir()
	dir, outside := filepath.Join(base, "cache"), filepath.Join(base, "outside")
	sub, moved := filepath.Join(dir, "sub"), filepath.Join(dir, "sub.real")
	const outsideFiles = 50
	for i := range outsideFiles {
		path := filepath.Join(outside, fmt.Sprintf(".x%d.json.abc.cachetta-tmp", i))
		writeFile(t, path, "1")
		backdate(t, path, 2*time.Hour)
	}
	if err := os.MkdirAll(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	c := cachetta.Must(cachetta.New[int](dir, cachetta.WithLogger(testLogger(t))))

	swaps := stressLength(1000, 250, 100)
	swapped := make(chan struct{})
	go func() {
		defer close(swapped)
		for range swaps {
			if err := os.Rename(sub, moved); err != nil {
				t.Error(err)
				return
			}
			if err := os.Symlink(outside, sub); err != nil {
				t.Error(err)
				return
			}
			// Keep the link in place for a while: long enough for a walk
			// that names paths to pass through it.
			for range 20 {
				os.Lstat(sub)
			}
			os.Remove(sub)
			os.Rename(moved, sub)
		}
	}()
	prunes := 0
	for done := false; !done; prunes++ {
		select {
		case <-swapped:
			done = true
		default:
		}
		if _, err := c.Prune(t.Context()); err != nil {
			t.Fatalf("Prune = %v", err)
		}
	}
	if names := dirNames(t, outside); len(names) != outsideFiles {
		t.Errorf("after %d swaps and %d prunes, %d of %d outside files are left", swaps, prunes, len(names), outsideFiles)
	}
}

// TestPruneKeepsAnEntryWrittenAfterItWasJudged races Prune against writes of
// the same expired entry by another cache on the same file, as another
// process would write it: whatever the order, the written value survives.
// It makes 2,000 rounds with -long (see long), 500 by default and 100 with
// -short.
func TestPruneKeepsAnEntryWrittenAfterItWasJudged(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "n.json")
	pruner := cachetta.Must(cachetta.New[int](path, cachetta.WithDuration(time.Hour)))
	writer := cachetta.Must(cachetta.New[int](path, cachetta.WithDuration(time.Hour)))
	for round := range stressLength(2000, 500, 100) {
		writeFile(t, path, "-1")
		backdate(t, path, 2*time.Hour)
		var wg sync.WaitGroup
		wg.Go(func() {
			if _, err := pruner.Prune(ctx); err != nil {
				t.Errorf("Prune = %v", err)
			}
		})
		if err := writer.Write(ctx, round); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		if v, ok, err := writer.Read(ctx); v != round || !ok || err != nil {
			t.Fatalf("round %d: Read after Prune and Write = %v, %v, %v; want the written value", round, v, ok, err)
		}
	}
}
