package cachetta

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cachetta-go/cachetta/internal/disk"
	"github.com/cachetta-go/cachetta/internal/fsx"
	"github.com/cachetta-go/cachetta/internal/lockfile"
)

// TestRefreshesLeaveNothingRegistered is TestNothingStaysRegistered for
// stale calls: one starts a refresh, the next finds it running.
func TestRefreshesLeaveNothingRegistered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "n.json")
		c := Must(New[int](path, WithDuration(time.Hour), WithRefresh(Refresh{StaleWhileRevalidate: time.Hour})))
		if err := os.WriteFile(path, []byte("1"), 0o600); err != nil {
			t.Fatal(err)
		}
		when := time.Now().Add(-90 * time.Minute)
		if err := os.Chtimes(path, when, when); err != nil {
			t.Fatal(err)
		}
		release := make(chan struct{})
		w := newWrapper(c, "Wrap", func(context.Context, []any) (int, error) { <-release; return 2, nil })
		for range 2 {
			if v, err := w.call(t.Context(), nil); v != 1 || err != nil {
				t.Fatalf("stale call = %v, %v; want 1", v, err)
			}
		}
		close(release)
		c.Wait()
		flights, paths := registered(w)
		if flights != 0 || paths != 0 {
			t.Errorf("refreshes left %d flights and %d path states registered", flights, paths)
		}
	})
}

// TestGuardFromAnotherPathState: a guard taken on a path state that has since
// been dropped and created again cannot tell how many invalidations came in
// between, so its write is dropped.
func TestGuardFromAnotherPathState(t *testing.T) {
	c := Must(New[int](filepath.Join(t.TempDir(), "n.json")))
	if err := c.write(t.Context(), c.path, 1, &writeGuard{ps: new(pathState)}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(c.path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat after a write under a stale guard = %v; want no file", err)
	}
}

// withDisk makes c keep its entries on fsys, with fsync, when not nil,
// flushing its files in place of (*os.File).Sync when c syncs them.
func withDisk(c *Cachetta[int], fsys fsx.FS, fsync func(*os.File) error) {
	opts := diskOptions(c.cfg)
	if fsync != nil && opts.Fsync != nil {
		opts.Fsync = fsync
	}
	c.storage = disk.New(fsys).With(opts)
}

// fsOf returns the file system c keeps its entries on.
func fsOf(c *Cachetta[int]) fsx.FS {
	return c.home.(*disk.Disk).FS()
}

// faultFS is the plain file system with injected faults.
type faultFS struct {
	fsx.OS
	removeDirOnRename    int    // renames before which the target's directory is removed
	removeDirAfterRename bool   // the target's directory is removed after every rename
	readOnlyTemp         bool   // temporary files are handed back read-only, so writing them fails
	vanishAfterLstat     string // a file removed right after it is looked at, as by another process
}

func (f *faultFS) Lstat(name string) (fs.FileInfo, error) {
	info, err := f.OS.Lstat(name)
	if name == f.vanishAfterLstat {
		os.Remove(name)
	}
	return info, err
}

func (f *faultFS) Rename(oldname, newname string) error {
	if f.removeDirOnRename > 0 {
		f.removeDirOnRename--
		os.RemoveAll(filepath.Dir(newname))
	}
	err := f.OS.Rename(oldname, newname)
	if f.removeDirAfterRename {
		os.RemoveAll(filepath.Dir(newname))
	}
	return err
}

func (f *faultFS) OpenFile(name string, flag int, perm fs.FileMode) (*os.File, error) {
	file, err := f.OS.OpenFile(name, flag, perm)
	if err != nil || !f.readOnlyTemp {
		return file, err
	}
	file.Close()
	return os.Open(name)
}

// TestWriteRetriesWhenTheDirectoryVanishes removes the directory between the
// temporary file's creation and its rename, as another process cleaning the
// cache would: the write goes on in a new round.
func TestWriteRetriesWhenTheDirectoryVanishes(t *testing.T) {
	c := Must(New[int](filepath.Join(t.TempDir(), "d", "n.json")))
	withDisk(c, &faultFS{removeDirOnRename: 2}, nil)
	if err := c.Write(t.Context(), 1); err != nil {
		t.Fatalf("Write = %v; want nil after two vanished directories", err)
	}
	if v, ok, err := c.Read(t.Context()); v != 1 || !ok || err != nil {
		t.Errorf("Read = %v, %v, %v; want 1", v, ok, err)
	}
}

// TestWriteFailureRemovesTheTemporaryFile makes writing the temporary file
// fail: Write reports it and leaves the previous file and nothing else.
func TestWriteFailureRemovesTheTemporaryFile(t *testing.T) {
	dir := t.TempDir()
	c := Must(New[int](filepath.Join(dir, "n.json")))
	if err := c.Write(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	withDisk(c, &faultFS{readOnlyTemp: true}, nil)
	if err := c.Write(t.Context(), 2); err == nil {
		t.Error("Write into a read-only temporary file = nil; want an error")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.Name() != lockfile.Name {
			names = append(names, e.Name())
		}
	}
	if !slices.Equal(names, []string{"n.json"}) {
		t.Errorf("directory holds %v after a failed write; want only n.json", names)
	}
}

// unopenableDirFS is the plain file system on which opening one directory
// fails, as it does for a directory of mode 0 when not running as root.
type unopenableDirFS struct {
	fsx.OS
	dir string
}

var errUnreadable = errors.New("permission denied")

func (u unopenableDirFS) OpenDir(name string) (*os.Root, error) {
	if name == u.dir {
		return nil, &fs.PathError{Op: "open", Path: name, Err: errUnreadable}
	}
	return u.OS.OpenDir(name)
}

// TestPruneOfAnUnreadableCacheDirectoryFails: Prune reports a cache
// directory it cannot open.
func TestPruneOfAnUnreadableCacheDirectoryFails(t *testing.T) {
	dir := t.TempDir()
	c := Must(New[int](filepath.Join(dir, "n.json")))
	withDisk(c, unopenableDirFS{dir: dir}, nil)
	if _, err := c.Prune(t.Context()); !errors.Is(err, errUnreadable) {
		t.Errorf("Prune of an unreadable cache directory = %v; want its error", err)
	}
}
