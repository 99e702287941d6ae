package cachetta_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
)

// confinedDir returns a root directory and, beside it, a directory outside
// it holding secret.json.
func confinedDir(t *testing.T) (root, outside string) {
	t.Helper()
	base := t.TempDir()
	root, outside = filepath.Join(base, "root"), filepath.Join(base, "outside")
	writeFile(t, filepath.Join(outside, "secret.json"), `"secret"`)
	if err := os.MkdirAll(root, 0o700); err != nil {
		t.Fatal(err)
	}
	return root, outside
}

func TestRootRefusesPathsOutside(t *testing.T) {
	root, outside := confinedDir(t)
	if err := os.Symlink(outside, filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret.json"), filepath.Join(root, "file-link.json")); err != nil {
		t.Fatal(err)
	}
	byName := cachetta.Must(cachetta.New[string](root, cachetta.WithRoot(root), cachetta.WithLogger(testLogger(t)),
		cachetta.WithPathFunc(func(name string) string { return filepath.Join(root, name) })))
	tests := []struct {
		name string
		// A link as the last element is itself inside the root: a write
		// replaces it and Invalidate removes it, reaching nothing outside.
		linkIsLast bool
	}{
		{"../outside/secret.json", false},
		{"a/../../outside/secret.json", false},
		{"link/secret.json", false},
		{"file-link.json", true},
	}
	for _, tt := range tests {
		name := tt.name
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			checks := map[string]error{}
			_, checks["Info"] = byName.Info(ctx, name)
			_, _, checks["Read"] = byName.Read(ctx, name)
			var calls counter
			_, checks["Wrap1"] = cachetta.Wrap1(byName, func(context.Context, string) (string, error) {
				calls.n.Add(1)
				return "computed", nil
			})(ctx, name)
			if calls.count() != 0 {
				t.Errorf("Wrap1(%q) ran the function; want it refused first", name)
			}
			checks["Write"] = byName.Write(ctx, "pwned", name)
			checks["Invalidate"] = byName.Invalidate(ctx, name)
			for op, err := range checks {
				if tt.linkIsLast && (op == "Write" || op == "Invalidate") {
					continue
				}
				if !errors.Is(err, cachetta.ErrOutsideRoot) {
					t.Errorf("%s(%q) = %v; want ErrOutsideRoot", op, name, err)
					continue
				}
				if msg := err.Error(); strings.Count(msg, "cachetta:") != 1 || !strings.Contains(msg, filepath.Join(root, name)) {
					t.Errorf("%s(%q) error %q; want one cachetta: prefix and the path", op, name, msg)
				}
			}
			if got := readFile(t, filepath.Join(outside, "secret.json")); got != `"secret"` {
				t.Errorf("outside file holds %s; want it untouched", got)
			}
			if names := dirNames(t, outside); len(names) != 1 {
				t.Errorf("outside directory holds %v; want only secret.json", names)
			}
		})
	}
}

func TestRootRefusesLiteralAndJoinedPathsOutside(t *testing.T) {
	root, outside := confinedDir(t)
	ctx := t.Context()
	if _, err := cachetta.New[string](filepath.Join(outside, "secret.json"), cachetta.WithRoot(root)); err == nil {
		t.Error("New with a path outside its root gave no error")
	}
	c := cachetta.Must(cachetta.New[string](filepath.Join(root, "c.json"), cachetta.WithRoot(root)))
	escaped := c.Join("..", "..", "outside", "secret.json")
	if err := escaped.Write(ctx, "pwned"); !errors.Is(err, cachetta.ErrOutsideRoot) {
		t.Errorf("Write through a Join outside = %v; want ErrOutsideRoot", err)
	}
	var calls counter
	v, err := cachetta.Wrap(escaped, constant(&calls, "x"))(ctx)
	if !errors.Is(err, cachetta.ErrOutsideRoot) || calls.count() != 0 {
		t.Errorf("Wrap outside = %q, %v after %d calls; want ErrOutsideRoot and no call", v, err, calls.count())
	}
}

func TestRootWorksInside(t *testing.T) {
	root, _ := confinedDir(t)
	ctx := t.Context()
	dir := filepath.Join(root, "users")
	c := cachetta.Must(cachetta.New[string](filepath.Join(dir, "u.json"), cachetta.WithRoot(root), cachetta.WithLogger(testLogger(t))))
	get := cachetta.Wrap1(c, func(_ context.Context, id int) (string, error) { return "user", nil })
	if v, err := get(ctx, 1); v != "user" || err != nil {
		t.Fatalf("get = %q, %v", v, err)
	}
	if v, ok, err := c.Read(ctx, 1); v != "user" || !ok || err != nil {
		t.Errorf("Read = %q, %v, %v; want user", v, ok, err)
	}
	info, err := c.Info(ctx, 1)
	if err != nil || !info.Exists || !strings.HasPrefix(info.Path, dir) {
		t.Errorf("Info = %+v, %v; want an existing file in %s", info, err, dir)
	}
	if err := c.Invalidate(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if ok, err := c.Exists(ctx, 1); ok || err != nil {
		t.Errorf("Exists after Invalidate = %v, %v; want false", ok, err)
	}
	// The root was opened once: removed, it is not created again.
	if err := os.RemoveAll(root); err != nil {
		t.Fatal(err)
	}
	if err := c.Write(ctx, "again", 2); err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("Write after the root was removed = %v; want an error naming %s", err, dir)
	}
}

// TestRootRelativePathsAreRelativeToTheRoot: a relative path names a file
// inside the root wherever the program runs, and Path, Info and PathFor name
// the real file.
func TestRootRelativePathsAreRelativeToTheRoot(t *testing.T) {
	root := t.TempDir()
	t.Chdir(t.TempDir())
	ctx := t.Context()
	c := cachetta.Must(cachetta.New[int]("users.json", cachetta.WithRoot(root), cachetta.WithLogger(testLogger(t))))
	want := filepath.Join(root, "users.json")
	if got := c.Path(); got != want {
		t.Errorf("Path() = %q; want %q", got, want)
	}
	if err := c.Write(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, want); got != "1" {
		t.Errorf("%s holds %q; want 1", want, got)
	}
	if info, err := c.Info(ctx); err != nil || info.Path != want || !info.Exists {
		t.Errorf("Info = %+v, %v; want an existing %s", info, err, want)
	}
	keyed, err := c.PathFor(7)
	if err != nil || filepath.Dir(keyed) != root {
		t.Errorf("PathFor(7) = %q, %v; want a file in %s", keyed, err, root)
	}
	abs := cachetta.Must(cachetta.New[int](filepath.Join(root, "sub", "m.json"), cachetta.WithRoot(root)))
	if err := abs.Write(ctx, 2); err != nil {
		t.Errorf("Write of an absolute path inside the root = %v", err)
	}
	relRoot := t.TempDir()
	t.Chdir(relRoot)
	c = cachetta.Must(cachetta.New[int]("n.json", cachetta.WithRoot("cache")))
	t.Chdir(t.TempDir())
	if err := c.Write(ctx, 3); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(relRoot, "cache", "n.json")); got != "3" {
		t.Errorf("file in a relative root holds %q; want 3 wherever the program moved", got)
	}
	if _, err := cachetta.New[int]("../n.json", cachetta.WithRoot(root)); !errors.Is(err, cachetta.ErrOutsideRoot) {
		t.Errorf("New(../n.json) under a root = %v; want ErrOutsideRoot", err)
	}
}

// TestRootSwappedForALinkRedirectsNothing replaces the root directory by a
// symbolic link to another directory after New: reads, writes and removals
// still reach the directory New opened, and nothing reaches the other.
func TestRootSwappedForALinkRedirectsNothing(t *testing.T) {
	root, outside := confinedDir(t)
	ctx := t.Context()
	c := cachetta.Must(cachetta.New[string](filepath.Join(root, "secret.json"), cachetta.WithRoot(root), cachetta.WithLogger(testLogger(t))))
	if err := c.Write(ctx, "mine"); err != nil {
		t.Fatal(err)
	}
	moved := root + ".moved"
	if err := os.Rename(root, moved); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, root); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := c.Read(ctx); v != "mine" || !ok || err != nil {
		t.Errorf("Read after the swap = %q, %v, %v; want mine from the opened root", v, ok, err)
	}
	if err := c.Write(ctx, "again"); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(moved, "secret.json")); got != `"again"` {
		t.Errorf("opened root holds %s; want the write there", got)
	}
	backdate(t, filepath.Join(outside, "secret.json"), 30*24*time.Hour)
	if _, err := c.Prune(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Invalidate(ctx); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(outside, "secret.json")); got != `"secret"` {
		t.Errorf("outside file holds %s; want it untouched", got)
	}
}

// TestConfinedCopyIgnoresMemoryOfAnUnconfinedCache: an unconfined cache
// reads a file through a link that leads outside the root; a confined copy
// sharing its family must refuse the path, not answer from that memory.
func TestConfinedCopyIgnoresMemoryOfAnUnconfinedCache(t *testing.T) {
	root, outside := confinedDir(t)
	ctx := t.Context()
	link := filepath.Join(root, "link.json")
	if err := os.Symlink(filepath.Join(outside, "secret.json"), link); err != nil {
		t.Fatal(err)
	}
	base := cachetta.Must(cachetta.New[string](link, cachetta.WithLRU(8), cachetta.WithLogger(testLogger(t))))
	if v, ok, err := base.Read(ctx); v != "secret" || !ok || err != nil {
		t.Fatalf("unconfined Read = %q, %v, %v; want secret", v, ok, err)
	}
	confined := cachetta.Must(base.With(cachetta.WithRoot(root)))
	if v, ok, err := confined.Read(ctx); !errors.Is(err, cachetta.ErrOutsideRoot) {
		t.Errorf("confined Read = %q, %v, %v; want ErrOutsideRoot", v, ok, err)
	}
}

// FuzzPathFor feeds arbitrary strings to a path function and to automatic
// keys under WithRoot: every path PathFor returns lies inside the root, and
// every other answer is an error.
func FuzzPathFor(f *testing.F) {
	for _, seed := range []string{"a.json", "../x", "/etc/passwd", "a/../../b", "..", ".", "", "a/./b/../c", "\x00", "é/ü.json"} {
		f.Add(seed)
	}
	root := f.TempDir()
	byFunc := cachetta.Must(cachetta.New[int](root, cachetta.WithRoot(root),
		cachetta.WithPathFunc(func(s string) string { return filepath.Join(root, s) })))
	byRawFunc := cachetta.Must(cachetta.New[int](root, cachetta.WithRoot(root),
		cachetta.WithPathFunc(func(s string) string { return s })))
	byKey := cachetta.Must(cachetta.New[int](filepath.Join(root, "n.json"), cachetta.WithRoot(root)))
	f.Fuzz(func(t *testing.T, s string) {
		for name, c := range map[string]*cachetta.Cachetta[int]{"joined": byFunc, "raw": byRawFunc, "keyed": byKey} {
			path, err := c.PathFor(s)
			if err != nil {
				continue
			}
			rel, relErr := filepath.Rel(root, path)
			if !filepath.IsAbs(path) {
				wd, _ := os.Getwd()
				rel, relErr = filepath.Rel(root, filepath.Join(wd, path))
			}
			if relErr != nil || !filepath.IsLocal(rel) {
				t.Errorf("%s: PathFor(%q) = %q, outside %s", name, s, path, root)
			}
		}
	})
}
