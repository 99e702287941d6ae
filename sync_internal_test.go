package cachetta

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/cachetta-go/cachetta/internal/fsx"
	"github.com/cachetta-go/cachetta/internal/lockfile"
)

// recordSyncs makes c's files, on fsys, record every sync, as
// "sync <what>; target holds <content>", where what is "temp holding
// <content>" for a temporary file beside target and a path relative to base
// for a directory, and content is "-" for a missing file. fail, when not
// nil, gives the error a sync returns instead of syncing.
func recordSyncs(t *testing.T, c *Cachetta[int], fsys fsx.FS, base, target string, fail func(f *os.File) error) *[]string {
	t.Helper()
	var events []string
	withDisk(c, fsys, func(f *os.File) error {
		what := "temp holding " + content(f.Name())
		if info, err := f.Stat(); err != nil {
			t.Errorf("Stat(%q) in a sync = %v", f.Name(), err)
		} else if info.IsDir() {
			what, _ = filepath.Rel(base, f.Name())
		} else if filepath.Dir(f.Name()) != filepath.Dir(target) || !fsx.IsTempName(filepath.Base(f.Name())) {
			what = "file " + f.Name()
		}
		events = append(events, fmt.Sprintf("sync %s; target holds %s", what, content(target)))
		if fail != nil {
			if err := fail(f); err != nil {
				return err
			}
		}
		return f.Sync()
	})
	return &events
}

// remembered returns the value c's memory holds for path, or "-" for none,
// without counting a hit.
func remembered(c *Cachetta[int], path string) string {
	e, ok := c.memory.peek(path)
	if !ok {
		return "-"
	}
	return strconv.Itoa(e.value)
}

// content returns what the file at path holds, or "-" when it cannot be read.
func content(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "-"
	}
	return string(data)
}

// TestWithSyncSyncsTheFileBeforeTheRenameAndTheDirectoryAfter records the
// syncs of a Write: none by default; with Files.Sync(true) one of the complete
// temporary file while the target still holds the previous value, one of the
// directory once it holds the new one, and, before those, one of the
// directory holding each directory the write creates.
func TestWithSyncSyncsTheFileBeforeTheRenameAndTheDirectoryAfter(t *testing.T) {
	// Windows cannot sync directories, so there only the file is synced.
	dirSync := func(events ...string) []string {
		if runtime.GOOS == "windows" {
			return events[:0]
		}
		return events
	}
	tests := []struct {
		name     string
		opts     []Option
		root     string // the directory of WithRoot below the temporary directory, if any
		entry    string // the entry's path below the temporary directory
		previous bool   // the entry holds 1 before the write
		want     []string
	}{
		{"default", nil, "", "n.json", true, nil},
		{"WithFiles(Files{Sync: false})", []Option{WithFiles(Files{Sync: false})}, "", "n.json", true, nil},
		{"WithFiles(Files{Sync: true})", []Option{WithFiles(Files{Sync: true})}, "", "n.json", true, append(
			[]string{"sync temp holding 2; target holds 1"},
			dirSync("sync .; target holds 2")...)},
		{"WithFiles(Files{Sync: true}) and WithRoot", []Option{WithFiles(Files{Sync: true})}, ".", "d/n.json", true, append(
			[]string{"sync temp holding 2; target holds 1"},
			dirSync("sync d; target holds 2")...)},
		{"WithFiles(Files{Sync: true}) creating directories", []Option{WithFiles(Files{Sync: true})}, "", "a/b/n.json", false, slices.Concat(
			dirSync("sync .; target holds -", "sync a; target holds -"),
			[]string{"sync temp holding 2; target holds -"},
			dirSync("sync a/b; target holds 2"))},
		{"WithFiles(Files{Sync: true}) creating directories and WithRoot", []Option{WithFiles(Files{Sync: true})}, ".", "a/b/n.json", false, slices.Concat(
			dirSync("sync .; target holds -", "sync a; target holds -"),
			[]string{"sync temp holding 2; target holds -"},
			dirSync("sync a/b; target holds 2"))},
		// Nothing can open the directory that holds that of WithRoot.
		{"WithFiles(Files{Sync: true}) creating the directory of WithRoot", []Option{WithFiles(Files{Sync: true})}, "r", "r/a/n.json", false, slices.Concat(
			dirSync("sync r; target holds -"),
			[]string{"sync temp holding 2; target holds -"},
			dirSync("sync r/a; target holds 2"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			path := filepath.Join(base, tt.entry)
			opts := tt.opts
			if tt.root != "" {
				opts = append(opts, WithRoot(filepath.Join(base, tt.root)))
			}
			c := Must(New[int](path, opts...))
			if tt.previous {
				if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte("1"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			events := recordSyncs(t, c, fsOf(c), base, path, nil)
			if err := c.Write(t.Context(), 2); err != nil {
				t.Fatalf("Write = %v", err)
			}
			if !slices.Equal(*events, tt.want) {
				t.Errorf("Write synced\n\t%q\nwant\n\t%q", *events, tt.want)
			}
			if got := content(path); got != "2" {
				t.Errorf("entry holds %q; want 2", got)
			}
		})
	}
}

// TestWithSyncReportsFailedSyncs makes a sync fail: a failed sync of the
// temporary file fails the write and leaves the previous value; a failed
// sync of the directory fails it with the new value in place, unless the
// file system cannot sync directories at all (EINVAL) or the directory was
// removed since the rename, which took the entry with it. Memory holds the
// value of the last write that succeeded, and nothing once a failed write
// replaced its file.
func TestWithSyncReportsFailedSyncs(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("directories are not synced on Windows")
	}
	errSync := errors.New("sync failed")
	tests := []struct {
		name      string
		failFile  error // the error the temporary file's sync returns
		failDir   error // the error the directory's sync returns
		removeDir bool  // the directory is removed right after the rename
		wantErr   error
		want      string // what the entry holds after the write
		// What memory holds after the write. A directory removed by
		// another is not seen by memory, as no change by another is.
		remembered string
	}{
		{"file", errSync, nil, false, errSync, "1", "1"},
		{"directory", nil, errSync, false, errSync, "2", "-"},
		{"directory EINVAL", nil, syscall.EINVAL, false, nil, "2", "2"},
		{"directory removed", nil, nil, true, nil, "-", "2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "d")
			path := filepath.Join(dir, "n.json")
			c := Must(New[int](path, WithFiles(Files{Sync: true}), WithLRU(8)))
			if err := c.Write(t.Context(), 1); err != nil {
				t.Fatal(err)
			}
			recordSyncs(t, c, &faultFS{removeDirAfterRename: tt.removeDir}, dir, path, func(f *os.File) error {
				if f.Name() == dir {
					return tt.failDir
				}
				return tt.failFile
			})
			err := c.Write(t.Context(), 2)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Write = %v; want %v", err, tt.wantErr)
			} else if err != nil && !strings.Contains(err.Error(), path) {
				t.Errorf("Write = %v; want an error naming %s", err, path)
			}
			if got := content(path); got != tt.want {
				t.Errorf("entry holds %q after the write; want %q", got, tt.want)
			}
			if got := remembered(c, path); got != tt.remembered {
				t.Errorf("memory holds %q after the write; want %q", got, tt.remembered)
			}
			entries, _ := os.ReadDir(dir)
			var names []string
			for _, e := range entries {
				if e.Name() != lockfile.Name {
					names = append(names, e.Name())
				}
			}
			if len(names) > 1 {
				t.Errorf("directory holds %v after the write; want at most the entry and lock files", names)
			}
		})
	}
}
