package disk

import (
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta/internal/fsx"
	"github.com/cachetta-go/cachetta/internal/lockfile"
	"github.com/cachetta-go/cachetta/internal/storage"
)

type jsonCodec struct{}

func (jsonCodec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

func backend(t *testing.T) Backend {
	return New(fsx.OS{}).With(Options{FileMode: 0o600, DirMode: 0o700, ProcessLock: true,
		LockTimeout: time.Minute, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestLoadTellsEachOutcome: every way a file can fail to be an entry comes
// back as its own error, with the Meta of what was found.
func TestLoadTellsEachOutcome(t *testing.T) {
	dec := storage.Decoding{Codec: jsonCodec{}, Limit: 100, Probe: true}
	tests := []struct {
		name    string
		setup   func(path string) error
		dec     storage.Decoding
		want    error
		wantRaw int
	}{
		{"entry", func(p string) error { return os.WriteFile(p, []byte("42"), 0o600) }, dec, nil, 42},
		{"missing", func(string) error { return nil }, dec, fs.ErrNotExist, 0},
		{"directory", func(p string) error { return os.Mkdir(p, 0o700) }, dec, storage.ErrNotRegular, 0},
		{"named pipe", func(p string) error { return mkfifo(p) }, dec, storage.ErrNotRegular, 0},
		{"too large", func(p string) error { return os.WriteFile(p, make([]byte, 101), 0o600) }, dec, storage.ErrTooLarge, 0},
		{"corrupt", func(p string) error { return os.WriteFile(p, []byte("4 2"), 0o600) }, dec, storage.ErrCorrupt, 0},
		{"expired", func(p string) error { return os.WriteFile(p, []byte("42"), 0o600) },
			storage.Decoding{Codec: jsonCodec{}, Limit: 100, Expired: time.Now().Add(time.Hour)}, storage.ErrDeclined, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "n.json")
			if err := tt.setup(path); err != nil {
				t.Skip(err)
			}
			var v int
			var opened []storage.Meta
			m, err := backend(t).Load(t.Context(), path, tt.dec, &v, func(m storage.Meta) { opened = append(opened, m) })
			if !errors.Is(err, tt.want) || err == nil && v != tt.wantRaw {
				t.Fatalf("Load = %v, %v; want %v, %v", v, err, tt.wantRaw, tt.want)
			}
			if m.Name != path {
				t.Errorf("Load's Meta names %q; want %q", m.Name, path)
			}
			if err == nil && (len(opened) != 1 || !opened[0].Same(m)) {
				t.Errorf("opened saw %v; want the Meta of the file read, %v", opened, m)
			}
		})
	}
}

// TestSaveUnderCommit: a commit that refuses leaves the old file and no
// temporary file; one that accepts is told the replacement happened, with
// the new file in place, and Save's Meta identifies it.
func TestSaveUnderCommit(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "n.json")
	b := backend(t)
	refused := errors.New("invalidated")
	if _, err := b.Save(t.Context(), path, []byte("1"), func() (func(bool), error) { return nil, refused }, false); !errors.Is(err, refused) {
		t.Fatalf("Save under a refusing commit = %v; want %v", err, refused)
	}
	var saw []string
	m, err := b.Save(t.Context(), path, []byte("2"), func() (func(bool), error) {
		return func(changed bool) {
			data, _ := os.ReadFile(path)
			saw = append(saw, string(data))
			if !changed {
				t.Error("done(false) after a rename that succeeded")
			}
		}, nil
	}, true)
	if err != nil || !slices.Equal(saw, []string{"2"}) {
		t.Fatalf("Save = %v; done saw %q; want nil and [2]", err, saw)
	}
	info, err := os.Stat(path)
	if err != nil || !m.Same(meta(path, info)) {
		t.Errorf("Save's Meta %v is not the file written (%v)", m, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{lockfile.Name, "n.json"}; !slices.Equal(names, want) {
		t.Errorf("directory holds %q; want %q", names, want)
	}
}

// TestUnusedLockStatesAreBounded: a family keeps the states of at most
// keptLocks locks that nobody uses, however many directories it writes to.
func TestUnusedLockStatesAreBounded(t *testing.T) {
	dir := t.TempDir()
	b := backend(t)
	for i := range 2 * keptLocks {
		path := filepath.Join(dir, strconv.Itoa(i), "n.json")
		if _, err := b.Save(t.Context(), path, []byte("1"), nil, false); err != nil {
			t.Fatal(err)
		}
	}
	b.mu.Lock()
	n := len(b.locks)
	b.mu.Unlock()
	if n > keptLocks {
		t.Errorf("after writes to %d directories the family keeps %d lock states; want at most %d", 2*keptLocks, n, keptLocks)
	}
}

// TestRemoveTellsRuns: a removal bumps the entry's generation, so a run
// lock taken before it reports the entry invalidated; a directory at the
// entry's path is refused and stays.
func TestRemoveTellsRuns(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "n.json")
	write(t, path, "1")
	b := backend(t)
	l, err := b.LockRun(t.Context(), path)
	if err != nil || l == nil {
		t.Fatalf("LockRun = %v, %v", l, err)
	}
	defer l.Unlock()
	if err := b.Remove(t.Context(), path, nil); err != nil {
		t.Fatal(err)
	}
	if inv, err := l.Invalidated(); !inv || err != nil {
		t.Errorf("Invalidated after Remove = %v, %v; want true", inv, err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("entry still there after Remove: %v", err)
	}
	if err := b.Remove(t.Context(), path, nil); err != nil {
		t.Errorf("Remove of a missing entry = %v; want nil", err)
	}
	sub := filepath.Join(dir, "d.json")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := b.Remove(t.Context(), sub, nil); !errors.Is(err, storage.ErrNotRegular) {
		t.Errorf("Remove of a directory = %v; want ErrNotRegular", err)
	}
	if _, err := os.Stat(sub); err != nil {
		t.Errorf("Remove took a directory: %v", err)
	}
}

// TestWalkModes: List touches nothing; Prune removes leftovers older than
// an hour; Clear removes every leftover of the cache's entries and keeps
// other caches'; none visits anything but entries, and none removes the
// directory's lock file.
func TestWalkModes(t *testing.T) {
	old := time.Now().Add(-2 * time.Hour)
	files := map[string]bool{ // name -> old
		"n.json":                       false,
		"n-0123456789abcdef.json":      false,
		"other.json":                   false,
		".n.json.abc.cachetta-tmp":     true,
		".n.json.abd.cachetta-tmp":     false,
		".other.json.abc.cachetta-tmp": false,
		".n.json.cachetta-lock":        true,
		"tmpabcdefgh.tmp":              true,
		lockfile.Name:                  true,
	}
	tests := []struct {
		mode        storage.WalkMode
		wantRemoved []string
	}{
		{storage.List, nil},
		{storage.Prune, []string{".n.json.abc.cachetta-tmp", ".n.json.cachetta-lock", "tmpabcdefgh.tmp"}},
		{storage.Clear, []string{".n.json.abc.cachetta-tmp", ".n.json.abd.cachetta-tmp", ".n.json.cachetta-lock"}},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		for name, isOld := range files {
			write(t, filepath.Join(dir, name), "1")
			if isOld {
				if err := os.Chtimes(filepath.Join(dir, name), old, old); err != nil {
					t.Fatal(err)
				}
			}
		}
		var visited, removed []string
		err := backend(t).Walk(t.Context(), storage.Scope{Path: filepath.Join(dir, "n.json")}, tt.mode, func(f storage.Found) error {
			visited = append(visited, filepath.Base(f.Meta().Name))
			return nil
		}, func(path string) { removed = append(removed, filepath.Base(path)) })
		slices.Sort(visited)
		slices.Sort(removed)
		if err != nil || !slices.Equal(visited, []string{"n-0123456789abcdef.json", "n.json"}) || !slices.Equal(removed, tt.wantRemoved) {
			t.Errorf("Walk(%v) visited %q, removed %q, %v; want the two entries and %q", tt.mode, visited, removed, err, tt.wantRemoved)
		}
		if _, err := os.Stat(filepath.Join(dir, lockfile.Name)); err != nil {
			t.Errorf("Walk(%v) removed the lock file: %v", tt.mode, err)
		}
	}
}

// TestRemoveIfJudgesAgain: an entry rewritten between the walk's look and
// the removal is judged again and stays.
func TestRemoveIfJudgesAgain(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "n.json")
	write(t, path, "1")
	b := backend(t)
	err := b.Walk(t.Context(), storage.Scope{Path: path}, storage.Prune, func(f storage.Found) error {
		seen := f.Meta()
		write(t, path+".new", "22")
		if err := os.Rename(path+".new", path); err != nil {
			t.Fatal(err)
		}
		removed, err := f.RemoveIf(seen.Same, nil)
		if removed || err != nil {
			t.Errorf("RemoveIf of a rewritten entry = %v, %v; want false", removed, err)
		}
		removed, err = f.RemoveIf(func(storage.Meta) bool { return true }, nil)
		if !removed || err != nil {
			t.Errorf("RemoveIf(always) = %v, %v; want true", removed, err)
		}
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("entry after RemoveIf(always): %v; want none", err)
	}
}

// TestLockPathIsJoin: the lock file's path is the one filepath.Join makes,
// for every clean directory.
func TestLockPathIsJoin(t *testing.T) {
	dirs := []string{"/", "/a", "/a/b", ".", "a", "a/b", "..", "../a", filepath.Join(t.TempDir(), "d")}
	if runtime.GOOS == "windows" {
		dirs = append(dirs, `C:\`, `C:\a`, `C:.`, `C:a`, `\\host\share\`, `\\host\share\a`, `\a`)
	}
	for _, dir := range dirs {
		if got, want := lockPath(dir), filepath.Join(dir, lockfile.Name); got != want {
			t.Errorf("lockPath(%q) = %q; want %q", dir, got, want)
		}
	}
}
