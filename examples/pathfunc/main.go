// Command pathfunc caches one file per user ID, named by a path function
// (WithPathFunc) instead of the automatic name-<key>.json, in a directory
// of the cache's own. It lists the entries with Entries, among them one
// another program of the family wrote, leaves alone files that are no
// entries, ages three entries (by moving their modification times back, as
// hours passing would) and prunes them with Prune. It
// exits non-zero when a count is not the expected one. Run it with
//
//	go run ./examples/pathfunc
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/cachetta-go/cachetta"
)

// Profile is what the slow lookup returns.
type Profile struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "pathfunc:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "cachetta-pathfunc-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	// The cache's path is the directory its path function writes in: its
	// Entries and Prune look at the tree below it. Entries there are the
	// regular .json files that are not hidden, whichever program of the
	// family wrote them; other files are left alone.
	users := filepath.Join(dir, "users")
	profiles, err := cachetta.New[Profile](users, cachetta.WithDuration(time.Hour),
		cachetta.WithPathFunc(func(id int) string {
			return filepath.Join(users, fmt.Sprintf("user-%d.json", id))
		}))
	if err != nil {
		return err
	}
	runs := 0
	profile := cachetta.Wrap1(profiles, func(ctx context.Context, id int) (Profile, error) {
		runs++ // calls here come one at a time
		return Profile{ID: id, Name: fmt.Sprint("user ", id)}, nil
	})

	ids := []int{1, 2, 3, 1, 2, 3}
	for _, id := range ids {
		if _, err := profile(ctx, id); err != nil {
			return err
		}
	}
	fmt.Printf("%d calls for users %v: %d runs\n", len(ids), ids, runs)
	if runs != 3 {
		return fmt.Errorf("%d runs; want 3, one per user", runs)
	}

	// Files another program put in the directory: an entry Python's cachetta
	// wrote, and notes, which are no entry.
	for name, data := range map[string]string{"notes.txt": "not a cache entry", "user-9.json": `{"id": 9}`} {
		if err := os.WriteFile(filepath.Join(users, name), []byte(data), 0o600); err != nil {
			return err
		}
	}
	entries, err := list(ctx, profiles)
	if err != nil {
		return err
	}
	fmt.Println("entries (user-9.json too, written by another program; notes.txt is not one):")
	show(entries)
	if got, want := names(entries), []string{"user-1.json", "user-2.json", "user-3.json", "user-9.json"}; !slices.Equal(got, want) {
		return fmt.Errorf("entries %v; want %v", got, want)
	}

	// Two hours pass for users 1, 2 and 9, and for the notes.
	old := time.Now().Add(-2 * time.Hour)
	for _, name := range []string{"user-1.json", "user-2.json", "notes.txt", "user-9.json"} {
		if err := os.Chtimes(filepath.Join(users, name), old, old); err != nil {
			return err
		}
	}
	if entries, err = list(ctx, profiles); err != nil {
		return err
	}
	fmt.Println("two hours later for users 1, 2 and 9 (their files moved back in time):")
	show(entries)
	removed, err := profiles.Prune(ctx)
	if err != nil {
		return err
	}
	for i, path := range removed {
		removed[i] = filepath.Base(path)
	}
	fmt.Println("Prune removed", removed)
	if want := []string{"user-1.json", "user-2.json", "user-9.json"}; !slices.Equal(removed, want) {
		return fmt.Errorf("pruned %v; want %v", removed, want)
	}
	if entries, err = list(ctx, profiles); err != nil {
		return err
	}
	fmt.Println("entries left:")
	show(entries)
	if got, want := names(entries), []string{"user-3.json"}; !slices.Equal(got, want) {
		return fmt.Errorf("entries left %v; want %v", got, want)
	}
	if _, err := os.Stat(filepath.Join(users, "notes.txt")); err != nil {
		return fmt.Errorf("pruning removed notes.txt, which is no entry: %w", err)
	}

	if _, err := profile(ctx, 1); err != nil {
		return err
	}
	fmt.Printf("user 1 again: computed afresh, %d runs in all\n", runs)
	if runs != 4 {
		return fmt.Errorf("%d runs; want 4", runs)
	}
	return nil
}

// list returns the entries of c sorted by path: Entries yields them in
// directory order.
func list(ctx context.Context, c *cachetta.Cachetta[Profile]) ([]cachetta.Info, error) {
	var entries []cachetta.Info
	for info, err := range c.Entries(ctx) {
		if err != nil {
			return nil, err
		}
		entries = append(entries, info)
	}
	slices.SortFunc(entries, func(a, b cachetta.Info) int { return strings.Compare(a.Path, b.Path) })
	return entries, nil
}

// show prints one line per entry: its file's name, size and state.
func show(entries []cachetta.Info) {
	for _, info := range entries {
		state := "fresh"
		if info.Expired {
			state = "expired"
		}
		fmt.Printf("  %-12s %3d bytes  %s\n", filepath.Base(info.Path), info.Size, state)
	}
}

// names returns the file names of entries.
func names(entries []cachetta.Info) []string {
	var names []string
	for _, info := range entries {
		names = append(names, filepath.Base(info.Path))
	}
	return names
}
