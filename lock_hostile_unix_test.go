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

// TestPlantedLockFileNeverFailsForGood plants at the directory's lock file,
// and at the per-entry lock file of earlier releases, what a hostile user of
// the directory could: a named pipe, a directory, a dangling symbolic link,
// a symbolic link and a hard link to a file outside the cache. With and
// without WithRoot, every operation goes on (coordinating within the
// process, with a warning), Invalidate removes the entry, and nothing
// outside the cache is written, created or locked-and-written.
func TestPlantedLockFileNeverFailsForGood(t *testing.T) {
	const precious = "precious"
	plants := []struct {
		name  string
		plant func(t *testing.T, at, victim string) error
	}{
		{"named pipe", func(t *testing.T, at, _ string) error { return syscall.Mkfifo(at, 0o600) }},
		{"directory", func(t *testing.T, at, _ string) error { return os.Mkdir(at, 0o700) }},
		{"dangling symbolic link", func(t *testing.T, at, victim string) error { return os.Symlink(victim+".missing", at) }},
		{"symbolic link to a file outside", func(t *testing.T, at, victim string) error { return os.Symlink(victim, at) }},
		{"hard link to a file outside", func(t *testing.T, at, victim string) error { return os.Link(victim, at) }},
	}
	for _, root := range []bool{false, true} {
		for _, lockName := range []string{".cachetta-lock", ".n.json.cachetta-lock"} {
			for _, p := range plants {
				t.Run(p.name+" at "+lockName+map[bool]string{true: " with WithRoot"}[root], func(t *testing.T) {
					ctx := t.Context()
					dir, outside := t.TempDir(), t.TempDir()
					victim := filepath.Join(outside, "victim")
					writeFile(t, victim, precious)
					if err := p.plant(t, filepath.Join(dir, lockName), victim); err != nil {
						t.Skip(err)
					}
					logger, logs := captureLogs(slog.LevelWarn)
					opts := []cachetta.Option{cachetta.WithLogger(logger)}
					path := filepath.Join(dir, "n.json")
					if root {
						opts = append(opts, cachetta.WithRoot(dir))
						path = "n.json"
					}
					c := cachetta.Must(cachetta.New[int](path, opts...))
					full := filepath.Join(dir, "n.json")
					if v, err := cachetta.Wrap(c, func(context.Context) (int, error) { return 7, nil })(ctx); v != 7 || err != nil {
						t.Errorf("wrapped call = %v, %v; want 7", v, err)
					}
					if err := c.Write(ctx, 8); err != nil {
						t.Errorf("Write = %v; want nil", err)
					}
					if err := c.Invalidate(ctx); err != nil {
						t.Errorf("Invalidate = %v; want nil", err)
					}
					if _, err := os.Lstat(full); err == nil {
						t.Errorf("the entry is still there after Invalidate")
					}
					if err := c.Write(ctx, 9); err != nil {
						t.Errorf("Write after Invalidate = %v; want nil", err)
					}
					if _, err := c.Prune(ctx); err != nil {
						t.Errorf("Prune = %v; want nil", err)
					}
					if _, err := c.Clear(ctx); err != nil {
						t.Errorf("Clear = %v; want nil", err)
					}
					c.Wait()
					if got := readFile(t, victim); got != precious {
						t.Errorf("the file outside holds %q; want %q", got, precious)
					}
					if names := dirNames(t, outside); !slices.Equal(names, []string{"victim"}) {
						t.Errorf("the directory outside holds %v; want only the victim", names)
					}
					if lockName == ".cachetta-lock" && !strings.Contains(logs.String(), "file locks unavailable") {
						t.Errorf("logs %q do not warn that the locks are unavailable", logs)
					}
				})
			}
		}
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
