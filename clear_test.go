package cachetta_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
)

// exists reports whether path names something, without following a link.
func exists(t *testing.T, path string) bool {
	t.Helper()
	_, err := os.Lstat(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return err == nil
}

func TestClear(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	c := cachetta.Must(cachetta.New[int](filepath.Join(dir, "n.json"), cachetta.WithLogger(testLogger(t)),
		cachetta.WithDuration(time.Hour)))
	keyed := func(arg any) string { return keyedName(t, c, arg) }
	files := []struct {
		name        string
		age         time.Duration
		wantRemoved bool
		mark        bool // removed with its entry, unreported
	}{
		{"n.json", 0, true, false},                             // fresh
		{keyed(1), 30 * 24 * time.Hour, true, false},           // long expired
		{keyed(2), -time.Hour, true, false},                    // from the future
		{".n.json.3kf8a1.cachetta-tmp", 0, true, false},        // its write in progress
		{"." + keyed(3) + ".9zz.cachetta-tmp", 0, true, false}, // a keyed entry's
		{".n.json.cachetta-lock", 0, true, false},              // its run lock of an earlier release
		{"." + keyed(1) + ".cachetta-lock", 0, true, false},    // a keyed entry's, of an earlier release
		{"." + keyed(6) + ".cachetta-lock", 0, true, false},    // a run lock without its entry
		{".cachetta-lock", 0, false, false},                    // the directory's lock, which other processes use
		{"m.json", 0, false, false},                            // another cache's entry
		{".m.json.3kf8a1.cachetta-tmp", 0, false, false},       // another cache's temporary file
		{".m.json.cachetta-lock", 0, false, false},             // another cache's run lock
		{"n-0123456789ABCDEF.json", 0, false, false},           // not a key: upper case
		{"n-0123456789abcdef.yaml", 0, false, false},           // another extension
		{"notes.txt", 0, false, false},                         // unrelated
		{".n.json.tmp", 0, false, false},                       // another program's temporary file
		{"sub/n.json", 0, false, false},                        // a file cache looks in its directory only
		{"sub/.n.json.abc.cachetta-tmp", 0, false, false},      // nor below it
	}
	var want []string
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		writeFile(t, path, "1")
		backdate(t, path, f.age)
		if f.wantRemoved && !f.mark {
			want = append(want, path)
		}
	}
	slices.Sort(want)
	link := filepath.Join(dir, keyed(4))
	if err := os.Symlink(filepath.Join(dir, "m.json"), link); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, keyed(5))
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}

	removed, err := c.Clear(ctx)
	if err != nil || !slices.Equal(removed, want) {
		t.Fatalf("Clear = %v, %v; want %v", removed, err, want)
	}
	for _, f := range files {
		if got := exists(t, filepath.Join(dir, f.name)); got == f.wantRemoved {
			t.Errorf("after Clear, %s exists = %v; want %v", f.name, got, !f.wantRemoved)
		}
	}
	for _, path := range []string{link, sub} {
		if !exists(t, path) {
			t.Errorf("Clear removed %s, which is not a regular file", path)
		}
	}
}

func TestClearDirectoryCache(t *testing.T) {
	ctx := t.Context()
	dir, outside := t.TempDir(), t.TempDir()
	c := cachetta.Must(cachetta.New[int](dir, cachetta.WithRoot(dir), cachetta.WithLogger(testLogger(t)),
		cachetta.WithPathFunc(func(id string) string { return filepath.Join(dir, "users", id+".json") })))
	// Every file with the cache's extension is an entry, whoever wrote it
	// (Python's cachetta, say), and the lock files of earlier releases go.
	files := []string{
		"users/1.json",
		"users/.1.json.abc.cachetta-tmp",
		"users/tmpa1b2_c3d.tmp",
		"users/.1.json.cachetta-lock",
		"pages/deep/home.json",
		"pages/deep/.home.json.cachetta-lock",
		"pages/deep/other.json",
	}
	var want []string
	for _, name := range files {
		writeFile(t, filepath.Join(dir, name), "1")
		want = append(want, filepath.Join(dir, name))
	}
	slices.Sort(want)
	// Not entries: another extension, and the directory's lock file.
	unrelated := []string{filepath.Join(dir, "notes.txt"), filepath.Join(dir, "users", ".cachetta-lock")}
	for _, path := range unrelated {
		writeFile(t, path, "1")
	}
	target := filepath.Join(outside, "keep.json")
	writeFile(t, target, "1")
	if err := os.Symlink(target, filepath.Join(dir, "users", "2.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "elsewhere")); err != nil {
		t.Fatal(err)
	}

	removed, err := c.Clear(ctx)
	if err != nil || !slices.Equal(removed, want) {
		t.Fatalf("Clear = %v, %v; want %v", removed, err, want)
	}
	for _, path := range append([]string{target, filepath.Join(dir, "users", "2.json"), filepath.Join(dir, "pages", "deep")}, unrelated...) {
		if !exists(t, path) {
			t.Errorf("Clear removed %s", path)
		}
	}
}

func TestClearEmptiesEveryMemoryOfTheFamily(t *testing.T) {
	ctx := t.Context()
	c := newCache[int](t, "n.json", cachetta.WithLRU(8))
	bigger := cachetta.Must(c.With(cachetta.WithLRU(64)))
	for i, cp := range []*cachetta.Cachetta[int]{c, bigger} {
		if err := cp.Write(ctx, i, i); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := cp.Read(ctx, i); !ok || err != nil {
			t.Fatalf("Read(%d) = _, %v, %v; want a hit", i, ok, err)
		}
	}
	if _, err := c.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	for i, cp := range []*cachetta.Cachetta[int]{c, bigger} {
		for j := range 2 {
			if v, ok, err := cp.Read(ctx, j); ok || err != nil {
				t.Errorf("copy %d: Read(%d) after Clear = %v, %v, %v; want a miss", i, j, v, ok, err)
			}
		}
	}
}

// TestClearLeavesALockThatIsHeld: the directory's lock file, through which a
// run in progress holds its lock, stays, and the run's result is written
// after the Clear.
func TestClearLeavesALockThatIsHeld(t *testing.T) {
	ctx := t.Context()
	c := newCache[int](t, "n.json")
	started, finish := make(chan struct{}), make(chan struct{})
	run := cachetta.Wrap(c, func(context.Context) (int, error) {
		close(started)
		<-finish
		return 1, nil
	})
	done := make(chan error)
	go func() {
		_, err := run(ctx)
		done <- err
	}()
	<-started
	lock := filepath.Join(filepath.Dir(c.Path()), ".cachetta-lock")
	removed, err := c.Clear(ctx)
	if err != nil || slices.Contains(removed, lock) || !exists(t, lock) {
		t.Errorf("Clear during a run = %v, %v; want the run lock %s kept", removed, err, lock)
	}
	close(finish)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestClearEdges(t *testing.T) {
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	file := filepath.Join(t.TempDir(), "file")
	writeFile(t, file, "1")
	tests := []struct {
		name    string
		path    string
		ctx     context.Context
		wantErr bool
	}{
		{"missing directory", filepath.Join(t.TempDir(), "gone", "n.json"), t.Context(), false},
		{"done context", filepath.Join(t.TempDir(), "n.json"), cancelled, true},
		{"directory is a file", filepath.Join(file, "n.json"), t.Context(), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cachetta.Must(cachetta.New[int](tt.path))
			removed, err := c.Clear(tt.ctx)
			if len(removed) != 0 || (err != nil) != tt.wantErr {
				t.Errorf("Clear = %v, %v; want nothing removed, error %v", removed, err, tt.wantErr)
			}
			if tt.ctx == cancelled && !errors.Is(err, context.Canceled) {
				t.Errorf("Clear with a done context = %v; want context.Canceled", err)
			}
		})
	}
}

// TestClearMakesNoLockWhenLocksAreOff: without process locks nothing takes
// the directory's lock, so Clear removes the entries only and leaves no
// lock file behind.
func TestClearMakesNoLockWhenLocksAreOff(t *testing.T) {
	ctx := t.Context()
	c := newCache[int](t, "n.json", cachetta.WithProcessLock(false))
	if err := c.Write(ctx, 1); err != nil {
		t.Fatal(err)
	}
	removed, err := c.Clear(ctx)
	if err != nil || !slices.Equal(removed, []string{c.Path()}) {
		t.Errorf("Clear = %v, %v; want [%s]", removed, err, c.Path())
	}
	if lock := filepath.Join(filepath.Dir(c.Path()), ".cachetta-lock"); exists(t, lock) {
		t.Errorf("Clear without process locks left %s", lock)
	}
}
