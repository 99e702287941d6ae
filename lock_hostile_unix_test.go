//go:build unix

package cachetta_test

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
)

// TestLockFileThatIsANamedPipeIsRefused plants named pipes where the lock
// files go: opening one must neither wait for a writer nor hang the cache.
// Write reports the directory's lock, a wrapped call computes without its
// run lock, and Wait returns.
func TestLockFileThatIsANamedPipeIsRefused(t *testing.T) {
	ctx := t.Context()
	logger, logs := captureLogs(slog.LevelWarn)
	c := newCache[int](t, "n.json", cachetta.WithLogger(logger))
	dir := filepath.Dir(c.Path())
	runLock := filepath.Join(dir, ".n.json.cachetta-lock")
	if err := syscall.Mkfifo(runLock, 0o600); err != nil {
		t.Fatal(err)
	}
	if v, err := cachetta.Wrap(c, func(context.Context) (int, error) { return 7, nil })(ctx); v != 7 || err != nil {
		t.Errorf("wrapped call beside a pipe for its run lock = %v, %v; want 7", v, err)
	}
	c.Wait()
	if !strings.Contains(logs.String(), runLock) {
		t.Errorf("logs %q do not name the refused lock file %s", logs, runLock)
	}
	dirLock := filepath.Join(dir, ".cachetta-lock")
	os.Remove(dirLock)
	if err := syscall.Mkfifo(dirLock, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := c.Write(ctx, 8); err == nil || !strings.Contains(err.Error(), dirLock) {
		t.Errorf("Write beside a pipe for the directory's lock = %v; want an error naming %s", err, dirLock)
	}
	if err := c.Invalidate(ctx); err == nil {
		t.Error("Invalidate beside a pipe for the directory's lock = nil; want an error")
	}
}

// TestInvalidateNeverWritesThroughALinkedLockFile makes the run lock of an
// entry a symbolic link to a file outside the cache, and a dangling one:
// Invalidate, which writes the generation stamp into the lock file, must
// change nothing outside and create nothing there.
func TestInvalidateNeverWritesThroughALinkedLockFile(t *testing.T) {
	ctx := t.Context()
	outside := t.TempDir()
	victim := filepath.Join(outside, "victim")
	writeFile(t, victim, "ABCDEFGH")
	for _, target := range []string{victim, filepath.Join(outside, "dangling")} {
		c := newCache[int](t, "n.json")
		writeFile(t, c.Path(), "1")
		if err := os.Symlink(target, filepath.Join(filepath.Dir(c.Path()), ".n.json.cachetta-lock")); err != nil {
			t.Fatal(err)
		}
		c.Invalidate(ctx)
		if v, err := cachetta.Wrap(c, func(context.Context) (int, error) { return 2, nil })(ctx); v != 2 || err != nil {
			t.Errorf("wrapped call beside a linked run lock = %v, %v; want 2", v, err)
		}
		c.Wait()
	}
	if got := readFile(t, victim); got != "ABCDEFGH" {
		t.Errorf("outside file holds %q; want it untouched", got)
	}
	if names := dirNames(t, outside); len(names) != 1 {
		t.Errorf("outside directory holds %v; want only the victim", names)
	}
}

// TestPruneSkipsAFileItCannotRemove makes one expired temporary file of a
// directory cache immutable: Prune logs it and goes on with the others.
func TestPruneSkipsAFileItCannotRemove(t *testing.T) {
	logger, logs := captureLogs(slog.LevelWarn)
	dir := t.TempDir()
	c := cachetta.Must(cachetta.New[int](dir, cachetta.WithLogger(logger)))
	var paths []string
	for _, sub := range []string{"a", "b", "c"} {
		path := filepath.Join(dir, sub, ".x.json.abc.cachetta-tmp")
		writeFile(t, path, "1")
		backdate(t, path, 2*time.Hour)
		paths = append(paths, path)
	}
	stuck := paths[1]
	if out, err := exec.Command("chattr", "+i", stuck).CombinedOutput(); err != nil {
		t.Skipf("cannot make a file immutable here (chattr +i: %v, %s)", err, out)
	}
	t.Cleanup(func() { exec.Command("chattr", "-i", stuck).Run() })
	removed, err := c.Prune(t.Context())
	if err != nil {
		t.Fatalf("Prune with one immutable file = %v; want it skipped", err)
	}
	if want := []string{paths[0], paths[2]}; !slices.Equal(removed, want) {
		t.Errorf("Prune removed %v; want %v", removed, want)
	}
	if !strings.Contains(logs.String(), "cannot remove") || !strings.Contains(logs.String(), stuck) {
		t.Errorf("logs %q do not name the file Prune could not remove", logs)
	}
	if _, err := os.Lstat(stuck); err != nil {
		t.Errorf("the immutable file is gone or moved: %v", err)
	}
}
