package disk

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/cachetta-go/cachetta/internal/storage"
)

// TestWalkMatchesEntryNames: the walk of a file pattern takes for entries
// the names storage.IsEntryName accepts, and no others.
func TestWalkMatchesEntryNames(t *testing.T) {
	names := []string{
		"n.json", "n-0123456789abcdef.json", "n-0123456789ABCDEF.json", "n-0123456789abcde.json",
		"n-0123456789abcdefa.json", "n-0123456789abcdeg.json", "m-0123456789abcdef.json",
		"n-0123456789abcdef.jso", "n_0123456789abcdef.json", "n.json-0123456789abcdef",
		"n", "n-0123456789abcdef", "a.b.json", "a.b-0123456789abcdef.json", "a-0123456789abcdef.b.json",
		"n-0123456789abcdef-0123456789abcdef.json", ".n.json",
	}
	for _, pattern := range []string{"n.json", "n", "a.b.json", ".n.json"} {
		t.Run(pattern, func(t *testing.T) {
			dir := t.TempDir()
			var want []string
			for _, name := range names {
				write(t, filepath.Join(dir, name), "1")
				if storage.IsEntryName(name, pattern) {
					want = append(want, name)
				}
			}
			var visited []string
			err := backend(t).Walk(t.Context(), storage.Scope{Path: filepath.Join(dir, pattern)}, storage.List, func(f storage.Found) error {
				visited = append(visited, filepath.Base(f.Meta().Name))
				return nil
			}, nil)
			slices.Sort(visited)
			slices.Sort(want)
			if err != nil || !slices.Equal(visited, want) {
				t.Errorf("Walk(%q) visited %q, %v; want %q", pattern, visited, err, want)
			}
		})
	}
}

// TestWalkLooksWhenItVisits: a visit describes the file as it is then, not
// as it was when the walk listed its directory, and a file removed since
// the listing is not visited.
func TestWalkLooksWhenItVisits(t *testing.T) {
	for _, tree := range []bool{false, true} {
		dir := t.TempDir()
		scope := storage.Scope{Path: filepath.Join(dir, "n.json")}
		if tree {
			scope.Path = dir
		}
		var names []string
		for _, name := range []string{"n-0000000000000001.json", "n-0000000000000002.json", "n-0000000000000003.json", "n-0000000000000004.json"} {
			write(t, filepath.Join(dir, name), "1")
			names = append(names, name)
		}
		var visited []string
		err := backend(t).Walk(t.Context(), scope, storage.List, func(f storage.Found) error {
			m := f.Meta()
			if len(visited) == 0 {
				// The first visit rewrites one of the others, larger, and
				// removes the rest.
				rest := slices.DeleteFunc(slices.Clone(names), func(n string) bool { return n == filepath.Base(m.Name) })
				write(t, filepath.Join(dir, rest[0]), "22")
				for _, n := range rest[1:] {
					if err := os.Remove(filepath.Join(dir, n)); err != nil {
						t.Fatal(err)
					}
				}
			} else if m.Size != 2 {
				t.Errorf("the visit of %s after its rewrite saw %d bytes; want 2", m.Name, m.Size)
			}
			visited = append(visited, m.Name)
			return nil
		}, nil)
		if err != nil || len(visited) != 2 {
			t.Errorf("Walk(tree %v) visited %q, %v; want the first entry and the one rewritten", tree, visited, err)
		}
	}
}

// TestWalkFollowsNoLinkToAnEntry: a symbolic link with an entry's name is
// neither visited nor followed into a directory.
func TestWalkFollowsNoLinkToAnEntry(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	write(t, filepath.Join(outside, "n-0000000000000001.json"), "1")
	if err := os.Symlink(filepath.Join(outside, "n-0000000000000001.json"), filepath.Join(dir, "n-0000000000000002.json")); err != nil {
		t.Skip(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "sub")); err != nil {
		t.Skip(err)
	}
	for _, path := range []string{filepath.Join(dir, "n.json"), dir} {
		var visited []string
		err := backend(t).Walk(t.Context(), storage.Scope{Path: path}, storage.List, func(f storage.Found) error {
			visited = append(visited, f.Meta().Name)
			return nil
		}, nil)
		if err != nil || len(visited) != 0 {
			t.Errorf("Walk(%q) visited %q, %v; want nothing", path, visited, err)
		}
	}
}
