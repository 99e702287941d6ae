package cachetta_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
)

// TestWriteMarksItsEntry: every write leaves the entry's mark beside it,
// with process locks or without, and never follows a link planted at the
// mark's name.
func TestWriteMarksItsEntry(t *testing.T) {
	tests := []struct {
		name  string
		locks bool
		plant bool // a link to a missing file at the mark's name
	}{
		{"locks", true, false},
		{"no locks", false, false},
		{"planted link", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			c := cachetta.Must(cachetta.New[int](filepath.Join(dir, "n.json"), cachetta.WithProcessLock(tt.locks),
				cachetta.WithPathFunc(func(id string) string { return filepath.Join(dir, id+".dat") })))
			path := filepath.Join(dir, "a.dat")
			target := filepath.Join(t.TempDir(), "target")
			if tt.plant {
				if err := os.Symlink(target, markOf(path)); err != nil {
					t.Fatal(err)
				}
			}
			if err := c.Write(t.Context(), 1, "a"); err != nil {
				t.Fatalf("Write = %v", err)
			}
			info, err := os.Lstat(markOf(path))
			if err != nil {
				t.Fatalf("Lstat(mark) = %v", err)
			}
			if got := info.Mode().IsRegular(); got == tt.plant {
				t.Errorf("mark is a regular file = %v; want %v", got, !tt.plant)
			}
			if exists(t, target) {
				t.Errorf("Write created %s through a link", target)
			}
		})
	}
}

// TestPathFunctionEntriesOnAMixedDirectory gives a cache with a path
// function a directory it shares with unrelated files and with another
// cache: Entries, Prune and Clear see the files this package marked there,
// and nothing else; the other cache, without a path function, sees its own
// entries only.
func TestPathFunctionEntriesOnAMixedDirectory(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	c := cachetta.Must(cachetta.New[int](filepath.Join(dir, "n.json"), cachetta.WithLogger(testLogger(t)),
		cachetta.WithDuration(time.Hour), cachetta.WithPathFunc(func(id string) string { return filepath.Join(dir, id) })))
	other := cachetta.Must(cachetta.New[int](filepath.Join(dir, "m.json"), cachetta.WithLogger(testLogger(t))))
	for _, id := range []string{"fresh.dat", "old.dat", "sub/deep.dat"} {
		if err := c.Write(ctx, 1, id); err != nil {
			t.Fatal(err)
		}
	}
	if err := other.Write(ctx, 2); err != nil {
		t.Fatal(err)
	}
	backdate(t, filepath.Join(dir, "old.dat"), 2*time.Hour)
	backdate(t, filepath.Join(dir, "sub/deep.dat"), 2*time.Hour)
	backdate(t, markOf(filepath.Join(dir, "fresh.dat")), 2*time.Hour) // an unheld old mark of a live entry
	unrelated := []string{"notes.txt", "unmarked.dat", "dirmark.dat", ".orphan.cachetta-tmp.txt"}
	for _, name := range unrelated {
		writeFile(t, filepath.Join(dir, name), "1")
		backdate(t, filepath.Join(dir, name), 30*24*time.Hour)
	}
	if err := os.Mkdir(markOf(filepath.Join(dir, "dirmark.dat")), 0o700); err != nil {
		t.Fatal(err)
	}
	unrelated = append(unrelated, "sub/deep.dat") // below the scope

	var got []string
	for info, err := range c.Entries(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, filepath.Base(info.Path))
	}
	slices.Sort(got)
	// m.json too was written by this package: a cache with a path function
	// cannot tell whose it is.
	if want := []string{"fresh.dat", "m.json", "old.dat"}; !slices.Equal(got, want) {
		t.Errorf("Entries = %q; want %q", got, want)
	}
	for info, err := range other.Entries(ctx) {
		if err != nil || filepath.Base(info.Path) != "m.json" {
			t.Errorf("Entries of the other cache yielded %v, %v; want only m.json", info.Path, err)
		}
	}

	removed, err := c.Prune(ctx)
	if want := []string{filepath.Join(dir, "old.dat")}; err != nil || !slices.Equal(removed, want) {
		t.Errorf("Prune = %q, %v; want %q", removed, err, want)
	}
	if !exists(t, markOf(filepath.Join(dir, "fresh.dat"))) {
		t.Error("Prune removed the mark of a live entry")
	}
	if exists(t, markOf(filepath.Join(dir, "old.dat"))) {
		t.Error("Prune left the mark of the entry it removed")
	}

	removed, err = c.Clear(ctx)
	if want := []string{filepath.Join(dir, ".cachetta-lock"), filepath.Join(dir, "fresh.dat"), filepath.Join(dir, "m.json")}; err != nil || !slices.Equal(removed, want) {
		t.Errorf("Clear = %q, %v; want %q", removed, err, want)
	}
	for _, name := range unrelated {
		if !exists(t, filepath.Join(dir, name)) {
			t.Errorf("Prune or Clear removed %s", name)
		}
	}
}

// TestPruneOfARelativePathLooksInItsDirectoryOnly: a file-pattern cache at
// a relative path prunes the working directory, not the tree below it, even
// when the working directory is /.
func TestPruneOfARelativePathLooksInItsDirectoryOnly(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	ctx := t.Context()
	c := cachetta.Must(cachetta.New[int]("answers.json", cachetta.WithLogger(testLogger(t)),
		cachetta.WithDuration(time.Hour), cachetta.WithPathFunc(func(name string) string { return name })))
	for _, name := range []string{"answers.json", "top.json", "sub/below.json"} {
		if err := c.Write(ctx, 1, name); err != nil {
			t.Fatal(err)
		}
		backdate(t, name, 2*time.Hour)
	}
	removed, err := c.Prune(ctx)
	if want := []string{"answers.json", "top.json"}; err != nil || !slices.Equal(removed, want) {
		t.Errorf("Prune = %q, %v; want %q", removed, err, want)
	}
	if !exists(t, "sub/below.json") {
		t.Error("Prune removed an entry below its directory")
	}

	t.Chdir("/")
	removed, err = c.Prune(ctx)
	if len(removed) != 0 || err != nil {
		t.Errorf("Prune from / = %q, %v; want nothing removed", removed, err)
	}
}
