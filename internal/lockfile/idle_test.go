package lockfile

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
)

func skipWithoutIdle(t *testing.T) {
	t.Helper()
	if maxIdle == 0 {
		t.Skipf("no lock file is kept idle on %s", runtime.GOOS)
	}
}

// closed reports whether the descriptor of lf was closed.
func closed(lf *File) bool {
	_, err := lf.f.Stat()
	return errors.Is(err, os.ErrClosed)
}

func TestOpenAfterCloseReusesTheFile(t *testing.T) {
	skipWithoutIdle(t)
	dir := t.TempDir()
	a := mustOpen(t, dir)
	if err := a.Bump(0); err != nil {
		t.Fatal(err)
	}
	a.Close()
	if closed(a) {
		t.Fatalf("the lock file was closed by its last Close; want it kept idle")
	}
	b := mustOpen(t, dir)
	defer b.Close()
	if b != a {
		t.Errorf("Open after Close opened the file again; want the idle File")
	}
	if got, err := b.Generation(0); got != 1 || err != nil {
		t.Errorf("Generation through the reused File = %d, %v; want 1", got, err)
	}
	if n := filesInUse(); n != 1 {
		t.Errorf("%d lock files in use; want 1", n)
	}
}

// TestReplacedLockFileIsNotReused changes what is at the lock file's name
// between a Close and the next Open, as another process or a hostile user
// of the directory could: the idle File is closed, and the path is opened
// afresh, with the checks of a first Open.
func TestReplacedLockFileIsNotReused(t *testing.T) {
	skipWithoutIdle(t)
	tests := []struct {
		name     string
		replace  func(t *testing.T, dir, path string)
		obstacle bool // the fresh Open refuses what it finds
	}{
		{"renamed over", func(t *testing.T, dir, path string) {
			other := filepath.Join(dir, "new-lock")
			mustWrite(t, other)
			mustDo(t, os.Rename(other, path))
		}, false},
		{"removed and created again", func(t *testing.T, dir, path string) {
			mustDo(t, os.Remove(path))
			mustWrite(t, path)
		}, false},
		{"removed", func(t *testing.T, dir, path string) {
			mustDo(t, os.Remove(path))
		}, false},
		{"directory moved away and made again", func(t *testing.T, dir, path string) {
			mustDo(t, os.Rename(dir, dir+".old"))
			mustDo(t, os.Mkdir(dir, 0o700))
		}, false},
		{"hard-linked", func(t *testing.T, dir, path string) {
			if err := os.Link(path, filepath.Join(t.TempDir(), "linked")); err != nil {
				t.Skip(err)
			}
		}, true},
		{"moved away, a symbolic link to it planted", func(t *testing.T, dir, path string) {
			moved := filepath.Join(t.TempDir(), "moved")
			mustDo(t, os.Rename(path, moved))
			symlink(t, moved, path)
		}, true},
		{"removed, a directory planted", func(t *testing.T, dir, path string) {
			mustDo(t, os.Remove(path))
			mustDo(t, os.Mkdir(path, 0o700))
		}, true},
		{"removed, a named pipe planted", func(t *testing.T, dir, path string) {
			mustDo(t, os.Remove(path))
			if err := mkfifo(path); err != nil {
				t.Skip(err)
			}
		}, true},
	}
	opens := []struct {
		name string
		open func(t *testing.T, dir string) (*File, error)
	}{{"through lstat", openAt}, {"on the plain file system", openPlain}}
	for _, tt := range tests {
		for _, o := range opens {
			t.Run(tt.name+"/"+o.name, func(t *testing.T) {
				testReplacedLockFile(t, tt.name, tt.replace, tt.obstacle, o.open)
			})
		}
	}
}

// testReplacedLockFile is a case of TestReplacedLockFileIsNotReused: replace
// changes what is at the lock file's name, as the case what says, between a
// Close and the next open.
func testReplacedLockFile(t *testing.T, what string, replace func(t *testing.T, dir, path string), obstacle bool,
	open func(t *testing.T, dir string) (*File, error)) {
	dir := filepath.Join(t.TempDir(), "cache")
	mustDo(t, os.Mkdir(dir, 0o700))
	path := filepath.Join(dir, Name)
	old, err := open(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := old.Bump(0); err != nil {
		t.Fatal(err)
	}
	old.Close()
	replace(t, dir, path)
	lf, err := open(t, dir)
	if !closed(old) {
		t.Errorf("the idle File is still open after the Open that found its file %s", what)
	}
	if obstacle {
		if err == nil {
			lf.Bump(0)
			lf.Close()
		}
		if !errors.Is(err, ErrObstacle) {
			t.Errorf("Open after the lock file was %s = %v; want ErrObstacle", what, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("Open after the lock file was %s = %v", what, err)
	}
	defer lf.Close()
	if lf == old {
		t.Fatalf("Open after the lock file was %s reused the idle File", what)
	}
	opened, err := lf.f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if now, err := os.Lstat(path); err != nil || !os.SameFile(opened, now) {
		t.Errorf("the File opened is not the file at its path now (%v)", err)
	}
	if got, _ := lf.Generation(0); got != 0 {
		t.Errorf("Generation of the new file = %d; want 0", got)
	}
}

func TestIdleFilesAreBounded(t *testing.T) {
	skipWithoutIdle(t)
	base := t.TempDir()
	dirs := make([]string, maxIdle+10)
	files := make([]*File, len(dirs))
	for i := range dirs {
		dirs[i] = filepath.Join(base, strconv.Itoa(i))
		mustDo(t, os.Mkdir(dirs[i], 0o700))
		files[i] = mustOpen(t, dirs[i])
	}
	for _, lf := range files {
		lf.Close()
	}
	checkIdle(t, files[len(files)-maxIdle:])
	for i, lf := range files[:len(files)-maxIdle] {
		if !closed(lf) {
			t.Errorf("lock file %d of %d, least recently used, is still open", i, len(files))
		}
	}
	// Using the oldest idle File makes it the most recent: the next one is
	// closed in its place.
	keep := len(files) - maxIdle
	if lf := mustOpen(t, dirs[keep]); lf != files[keep] {
		t.Fatalf("Open of an idle File's path opened it again")
	}
	files[keep].Close()
	extra := filepath.Join(base, "extra")
	mustDo(t, os.Mkdir(extra, 0o700))
	last := mustOpen(t, extra)
	last.Close()
	if !closed(files[keep+1]) {
		t.Errorf("the least recently used idle File is still open after one more Close")
	}
	if closed(files[keep]) {
		t.Errorf("an idle File used again was closed before older ones")
	}
	want := append(append([]*File{}, files[keep+2:]...), files[keep], last)
	checkIdle(t, want)
}

// checkIdle checks that the idle list holds exactly want, least recently
// used first, and that each of them is open.
func checkIdle(t *testing.T, want []*File) {
	t.Helper()
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if registry.idle.n != len(want) {
		t.Errorf("%d idle lock files; want %d", registry.idle.n, len(want))
	}
	i := len(want) - 1
	for lf := registry.idle.first; lf != nil; lf = lf.next {
		if i < 0 || lf != want[i] {
			t.Fatalf("idle list out of order at %d", len(want)-1-i)
		}
		if registry.files[lf.path] != lf || !lf.idle || closed(lf) {
			t.Errorf("idle File %s: in registry %v, idle %v, closed %v", lf.path, registry.files[lf.path] == lf, lf.idle, closed(lf))
		}
		i--
	}
	if i != -1 {
		t.Errorf("idle list ends %d Files early", i+1)
	}
}

func mustWrite(t *testing.T, path string) {
	t.Helper()
	mustDo(t, os.WriteFile(path, nil, 0o600))
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestReplacedLockFileExcludesOtherProcesses renames a new lock file over
// the one this process keeps idle: a process that locks the new file
// excludes this one, which would lock the old one if it reused its File.
func TestReplacedLockFileExcludesOtherProcesses(t *testing.T) {
	skipWithoutIdle(t)
	dir := t.TempDir()
	path := filepath.Join(dir, Name)
	mustOpen(t, dir).Close()
	other := filepath.Join(dir, "new-lock")
	mustWrite(t, other)
	mustDo(t, os.Rename(other, path))
	child := startLocker(t, dir, false)
	if child.said != "held" {
		t.Fatalf("child said %s with no other holder; want held", child.said)
	}
	lf := mustOpen(t, dir)
	defer lf.Close()
	if err := lf.TryLock(RunOffset("entry.json")); !errors.Is(err, ErrBusy) {
		t.Errorf("TryLock of a range another process holds in the new lock file = %v; want ErrBusy", err)
	}
}
