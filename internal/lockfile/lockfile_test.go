package lockfile

import (
	"bufio"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// openAt opens the lock file in dir as a cache does, through the os package.
func openAt(t *testing.T, dir string) (*File, error) {
	t.Helper()
	path := filepath.Join(dir, Name)
	return Open(path,
		func(flag int) (*os.File, error) { return os.OpenFile(path, flag, 0o600) },
		func() (fs.FileInfo, error) { return os.Lstat(path) })
}

func mustOpen(t *testing.T, dir string) *File {
	t.Helper()
	lf, err := openAt(t, dir)
	if err != nil {
		t.Fatalf("Open(%s) = %v", dir, err)
	}
	return lf
}

func TestTryLockExcludesOtherCallersInTheProcess(t *testing.T) {
	dir := t.TempDir()
	a, b := mustOpen(t, dir), mustOpen(t, dir)
	if a != b {
		t.Errorf("two Opens of one path gave two Files; a process must hold one descriptor per lock file")
	}
	off := RunOffset("user-0123456789abcdef.json")
	if err := a.TryLock(off); err != nil {
		t.Fatalf("TryLock = %v", err)
	}
	if err := b.TryLock(off); !errors.Is(err, ErrBusy) {
		t.Errorf("second TryLock of a held range = %v; want ErrBusy", err)
	}
	if err := b.TryLock(DirOffset); err != nil {
		t.Errorf("TryLock of another range = %v; want nil", err)
	}
	b.Unlock(DirOffset)
	a.Unlock(off)
	if err := b.TryLock(off); err != nil {
		t.Errorf("TryLock after Unlock = %v; want nil", err)
	}
	b.Unlock(off)
	a.Close()
	b.Close()
	registry.mu.Lock()
	n := len(registry.files)
	registry.mu.Unlock()
	if n != 0 {
		t.Errorf("%d lock files still open after every Close and Unlock; want 0", n)
	}
}

func TestCloseWhileHeldKeepsTheLock(t *testing.T) {
	dir := t.TempDir()
	a := mustOpen(t, dir)
	if err := a.TryLock(DirOffset); err != nil {
		t.Fatal(err)
	}
	a.Close()
	b := mustOpen(t, dir)
	defer b.Close()
	if err := b.TryLock(DirOffset); !errors.Is(err, ErrBusy) {
		t.Errorf("TryLock after the holder's Close but before its Unlock = %v; want ErrBusy", err)
	}
	a.Unlock(DirOffset)
	if err := b.TryLock(DirOffset); err != nil {
		t.Errorf("TryLock after Unlock = %v", err)
	}
	b.Unlock(DirOffset)
}

// TestHelperHolder is the child of TestTryLockExcludesOtherProcesses: it takes
// a range, says so, and holds it until its stdin closes or it is killed.
func TestHelperHolder(t *testing.T) {
	dir := os.Getenv("LOCKFILE_HELPER_DIR")
	if dir == "" {
		t.Skip("run by TestTryLockExcludesOtherProcesses")
	}
	lf := mustOpen(t, dir)
	if err := lf.TryLock(RunOffset("entry.json")); err != nil {
		t.Fatalf("child TryLock = %v", err)
	}
	os.Stdout.WriteString("held\n")
	bufio.NewReader(os.Stdin).ReadString('\n')
}

func TestTryLockExcludesOtherProcesses(t *testing.T) {
	if runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("no processes")
	}
	dir := t.TempDir()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestHelperHolder$")
	cmd.Env = append(os.Environ(), "LOCKFILE_HELPER_DIR="+dir)
	stdin, _ := cmd.StdinPipe()
	defer stdin.Close()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(out).ReadString('\n'); line != "held\n" {
		t.Fatalf("child said %q, %v; want held", line, err)
	}
	lf := mustOpen(t, dir)
	defer lf.Close()
	off := RunOffset("entry.json")
	if err := lf.TryLock(off); !errors.Is(err, ErrBusy) {
		t.Fatalf("TryLock of a range another process holds = %v; want ErrBusy", err)
	}
	if err := lf.TryLock(RunOffset("other.json")); err != nil {
		t.Errorf("TryLock of another entry's range = %v; want nil", err)
	}
	lf.Unlock(RunOffset("other.json"))
	// A killed holder's locks die with it.
	cmd.Process.Kill()
	cmd.Wait()
	if err := lf.TryLock(off); err != nil {
		t.Errorf("TryLock after the holder was killed = %v; want nil", err)
	}
	lf.Unlock(off)
}

func TestGenerationCounts(t *testing.T) {
	lf := mustOpen(t, t.TempDir())
	defer lf.Close()
	slot := GenSlot("user.json")
	for want := range uint64(3) {
		got, err := lf.Generation(slot)
		if err != nil || got != want {
			t.Fatalf("Generation = %d, %v; want %d", got, err, want)
		}
		if err := lf.Bump(slot); err != nil {
			t.Fatal(err)
		}
	}
	if other := (slot + 1) % genSlots; other != slot {
		if got, _ := lf.Generation(other); got != 0 {
			t.Errorf("Generation of another slot = %d; want 0", got)
		}
	}
}

// TestObstaclesAreRefused plants at the lock file's name what a hostile user
// of the directory could: every one is refused, nothing is written through
// it, and the file it leads to keeps its bytes.
func TestObstaclesAreRefused(t *testing.T) {
	const precious = "precious"
	tests := []struct {
		name  string
		plant func(t *testing.T, path, target string)
	}{
		{"directory", func(t *testing.T, path, _ string) { os.Mkdir(path, 0o700) }},
		{"symbolic link to a file", func(t *testing.T, path, target string) { symlink(t, target, path) }},
		{"dangling symbolic link", func(t *testing.T, path, target string) { symlink(t, target+".missing", path) }},
		{"hard link to a file", func(t *testing.T, path, target string) {
			if err := os.Link(target, path); err != nil {
				t.Skip(err)
			}
		}},
		{"named pipe", func(t *testing.T, path, _ string) {
			if err := mkfifo(path); err != nil {
				t.Skip(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			target := filepath.Join(t.TempDir(), "precious")
			if err := os.WriteFile(target, []byte(precious), 0o600); err != nil {
				t.Fatal(err)
			}
			tt.plant(t, filepath.Join(dir, Name), target)
			lf, err := openAt(t, dir)
			if err == nil {
				lf.Bump(0)
				lf.Close()
			}
			if !errors.Is(err, ErrObstacle) {
				t.Errorf("Open over a %s = %v; want ErrObstacle", tt.name, err)
			}
			if got, _ := os.ReadFile(target); string(got) != precious {
				t.Errorf("the file behind the %s holds %q; want %q", tt.name, got, precious)
			}
			if _, err := os.Lstat(target + ".missing"); err == nil {
				t.Errorf("a dangling link's target was created")
			}
		})
	}
}

func TestBumpRefusesAFileLinkedSinceItsOpening(t *testing.T) {
	dir := t.TempDir()
	lf := mustOpen(t, dir)
	defer lf.Close()
	if err := lf.Bump(0); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(t.TempDir(), "linked")
	if err := os.Link(filepath.Join(dir, Name), outside); err != nil {
		t.Skip(err)
	}
	if err := lf.Bump(0); !errors.Is(err, ErrObstacle) {
		t.Errorf("Bump of a lock file with a second link = %v; want ErrObstacle", err)
	}
	if got, _ := lf.Generation(0); got != 1 {
		t.Errorf("Generation after the refused Bump = %d; want 1", got)
	}
}

func symlink(t *testing.T, target, path string) {
	t.Helper()
	if err := os.Symlink(target, path); err != nil {
		t.Skip(err)
	}
}
