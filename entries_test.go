package cachetta_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
)

// entryState is what a test compares of an Info.
type entryState struct {
	name           string
	size           int64
	expired, stale bool
}

// collect returns the states of c's entries, sorted by name, relative to
// dir, and the first error.
func collect(t *testing.T, ctx context.Context, c *cachetta.Cachetta[int], dir string) ([]entryState, error) {
	t.Helper()
	var got []entryState
	for info, err := range c.Entries(ctx) {
		if err != nil {
			return got, err
		}
		rel, _ := filepath.Rel(dir, info.Path)
		if !info.Exists || info.ModTime.IsZero() {
			t.Errorf("Entries yielded %+v; want an existing file", info)
		}
		got = append(got, entryState{filepath.ToSlash(rel), info.Size, info.Expired, info.Stale})
	}
	slices.SortFunc(got, func(a, b entryState) int { return strings.Compare(a.name, b.name) })
	return got, nil
}

func TestEntries(t *testing.T) {
	dir := t.TempDir()
	c := cachetta.Must(cachetta.New[int](filepath.Join(dir, "n.json"),
		cachetta.WithDuration(time.Hour), cachetta.WithRefresh(cachetta.Refresh{StaleWhileRevalidate: time.Hour})))
	keyed := func(arg any) string { return keyedName(t, c, arg) }
	files := []struct {
		name string
		age  time.Duration
	}{
		{"n.json", time.Minute},
		{keyed(1), 90 * time.Minute},
		{keyed(2), 3 * time.Hour},
		{".n.json.3kf8a1.cachetta-tmp", 0},
		{".n.json.cachetta-lock", 0},
		{".cachetta-lock", 0},
		{"m.json", 0},
		{"notes.txt", 0},
		{"sub/n.json", 0},
	}
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		writeFile(t, path, "12")
		backdate(t, path, f.age)
	}
	if err := os.Symlink(filepath.Join(dir, "m.json"), filepath.Join(dir, keyed(3))); err != nil {
		t.Fatal(err)
	}
	want := []entryState{
		{keyed(1), 2, true, true},
		{keyed(2), 2, true, false},
		{"n.json", 2, false, false},
	}
	slices.SortFunc(want, func(a, b entryState) int { return strings.Compare(a.name, b.name) })
	got, err := collect(t, t.Context(), c, dir)
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("Entries = %v, %v; want %v", got, err, want)
	}
}

func TestEntriesDirectoryCache(t *testing.T) {
	dir := t.TempDir()
	c := cachetta.Must(cachetta.New[int](dir, cachetta.WithDuration(time.Hour)))
	// Every regular .json file is an entry, whoever wrote it; hidden
	// files, other extensions, temporary and lock files are not.
	for _, name := range []string{"a.json", ".a.json.cachetta-lock", "b.json", "users/1.json", "users/.1.json.abc.cachetta-tmp",
		"users/.1.json.cachetta-lock", "users/.cachetta-lock", "users/tmpa1b2c3d4.tmp", "users/.hidden.json",
		"deep/er/notes.txt", "deep/other.txt", "c.json"} {
		writeFile(t, filepath.Join(dir, name), "1")
	}
	outside := filepath.Join(t.TempDir(), "x.json")
	writeFile(t, outside, "1")
	if err := os.Symlink(outside, filepath.Join(dir, "users", "2.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Dir(outside), filepath.Join(dir, "elsewhere")); err != nil {
		t.Fatal(err)
	}
	want := []entryState{{"a.json", 1, false, false}, {"b.json", 1, false, false}, {"c.json", 1, false, false}, {"users/1.json", 1, false, false}}
	got, err := collect(t, t.Context(), c, dir)
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("Entries = %v, %v; want %v", got, err, want)
	}
}

func TestEntriesStopsWhenTheConsumerDoes(t *testing.T) {
	ctx := t.Context()
	c := newCache[int](t, "n.json")
	for i := range 5 {
		if err := c.Write(ctx, i, i); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for _, err := range c.Entries(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		break
	}
	if n != 1 {
		t.Errorf("Entries yielded %d entries before the break; want 1", n)
	}
}

func TestEntriesErrors(t *testing.T) {
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	file := filepath.Join(t.TempDir(), "file")
	writeFile(t, file, "1")
	full := filepath.Join(t.TempDir(), "n.json")
	writeFile(t, full, "1")
	tests := []struct {
		name    string
		path    string
		ctx     context.Context
		wantErr func(error) bool
	}{
		{"missing directory", filepath.Join(t.TempDir(), "gone", "n.json"), t.Context(), nil},
		{"done context", full, cancelled, func(err error) bool { return errors.Is(err, context.Canceled) }},
		{"directory is a file", filepath.Join(file, "n.json"), t.Context(), func(err error) bool {
			return err != nil && strings.HasPrefix(err.Error(), "cachetta: entries") && strings.Contains(err.Error(), file)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cachetta.Must(cachetta.New[int](tt.path))
			var infos []cachetta.Info
			var errs []error
			for info, err := range c.Entries(tt.ctx) {
				if err != nil {
					errs = append(errs, err)
				} else {
					infos = append(infos, info)
				}
			}
			switch {
			case tt.wantErr == nil && (len(infos) != 0 || len(errs) != 0):
				t.Errorf("Entries = %v, %v; want nothing", infos, errs)
			case tt.wantErr != nil && (len(infos) != 0 || len(errs) != 1 || !tt.wantErr(errs[0])):
				t.Errorf("Entries = %v, %v; want one error only", infos, errs)
			}
		})
	}
}

// TestEntriesAndClearStopWhenCancelledDuringTheWalk: a caller that gives up
// after the walk began gets ctx.Err() and, from Clear, nothing removed.
func TestEntriesAndClearStopWhenCancelledDuringTheWalk(t *testing.T) {
	c := newCache[int](t, "n.json")
	writeFile(t, c.Path(), "1")
	cancelling := func() context.Context {
		inner, cancel := context.WithCancel(t.Context())
		return &cancelOnFirstCheck{Context: inner, cancel: cancel}
	}
	var infos []cachetta.Info
	var errs []error
	for info, err := range c.Entries(cancelling()) {
		if err != nil {
			errs = append(errs, err)
		} else {
			infos = append(infos, info)
		}
	}
	if len(infos) != 0 || len(errs) != 1 || errs[0] != context.Canceled {
		t.Errorf("Entries cancelled during the walk = %v, %v; want context.Canceled only", infos, errs)
	}
	if removed, err := c.Clear(cancelling()); err != context.Canceled || len(removed) != 0 {
		t.Errorf("Clear cancelled during the walk = %v, %v; want nothing and context.Canceled", removed, err)
	}
	if _, err := os.Stat(c.Path()); err != nil {
		t.Errorf("Clear cancelled during the walk removed %s", c.Path())
	}
}
