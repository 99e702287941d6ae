package lockfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
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

// filesInUse returns the number of lock files open in this process and
// not idle.
func filesInUse() int {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	n := 0
	for _, lf := range registry.files {
		if !lf.idle {
			n++
		}
	}
	return n
}

// openPlain opens the lock file in dir as a cache on the plain file system
// does: Open looks at the path on its own.
func openPlain(t *testing.T, dir string) (*File, error) {
	t.Helper()
	path := filepath.Join(dir, Name)
	return Open(path, func(flag int) (*os.File, error) { return os.OpenFile(path, flag, 0o600) }, nil)
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
	if n := filesInUse(); n != 0 {
		t.Errorf("%d lock files in use after every Close and Unlock; want 0", n)
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

// TestHelperLocker is the child of TestTryLockExcludesOtherProcesses: it
// opens the lock file (through a File kept idle since a first Open and
// Close when LOCKFILE_HELPER_REUSE is set), tries the run byte of
// entry.json, says "held" or "busy", and holds the byte until its stdin
// closes or it is killed.
func TestHelperLocker(t *testing.T) {
	dir := os.Getenv("LOCKFILE_HELPER_DIR")
	if dir == "" {
		t.Skip("run by TestTryLockExcludesOtherProcesses")
	}
	if os.Getenv("LOCKFILE_HELPER_REUSE") != "" {
		mustOpen(t, dir).Close()
	}
	lf := mustOpen(t, dir)
	switch err := lf.TryLock(RunOffset("entry.json")); {
	case err == nil:
		os.Stdout.WriteString("held\n")
		bufio.NewReader(os.Stdin).ReadString('\n')
	case errors.Is(err, ErrBusy):
		os.Stdout.WriteString("busy\n")
	default:
		t.Fatalf("child TryLock = %v", err)
	}
}

// locker is a child process running TestHelperLocker.
type locker struct {
	cmd   *exec.Cmd
	stdin io.Closer
	said  string
}

// startLocker starts a TestHelperLocker on dir and returns it once it said
// whether it holds the byte.
func startLocker(t *testing.T, dir string, reuse bool) *locker {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestHelperLocker$")
	cmd.Env = append(os.Environ(), "LOCKFILE_HELPER_DIR="+dir)
	if reuse {
		cmd.Env = append(cmd.Env, "LOCKFILE_HELPER_REUSE=1")
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &locker{cmd: cmd, stdin: stdin}
	t.Cleanup(c.kill)
	line, err := bufio.NewReader(out).ReadString('\n')
	if line != "held\n" && line != "busy\n" {
		t.Fatalf("child said %q, %v; want held or busy", line, err)
	}
	c.said = strings.TrimSuffix(line, "\n")
	return c
}

// kill ends the child; its locks die with it.
func (c *locker) kill() {
	c.stdin.Close()
	c.cmd.Process.Kill()
	c.cmd.Wait()
}

// TestTryLockExcludesOtherProcesses runs with the lock file opened afresh
// and through Files kept idle since an earlier Close, in this process and
// in the other: an idle File that held and released a byte still takes
// and releases it, and another process sees it held.
func TestTryLockExcludesOtherProcesses(t *testing.T) {
	if runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("no processes")
	}
	off := RunOffset("entry.json")
	for _, reuse := range []bool{false, true} {
		t.Run(fmt.Sprintf("reuse=%v", reuse), func(t *testing.T) {
			dir := t.TempDir()
			var before *File
			if reuse {
				// Hold and release the byte, so that the File is kept
				// idle after holding it.
				before = mustOpen(t, dir)
				if err := before.TryLock(off); err != nil {
					t.Fatalf("TryLock = %v", err)
				}
				before.Unlock(off)
				before.Close()
			}
			child := startLocker(t, dir, reuse)
			if child.said != "held" {
				t.Fatalf("child said %s with no other holder; want held", child.said)
			}
			lf := mustOpen(t, dir)
			defer func() { lf.Close() }()
			if reuse && maxIdle > 0 && lf != before {
				t.Errorf("Open after Close opened the file again; want the idle File")
			}
			if err := lf.TryLock(off); !errors.Is(err, ErrBusy) {
				t.Fatalf("TryLock of a range another process holds = %v; want ErrBusy", err)
			}
			if err := lf.TryLock(RunOffset("other.json")); err != nil {
				t.Errorf("TryLock of another entry's range = %v; want nil", err)
			}
			lf.Unlock(RunOffset("other.json"))
			// A killed holder's locks die with it.
			child.kill()
			if err := lf.TryLock(off); err != nil {
				t.Fatalf("TryLock after the holder was killed = %v; want nil", err)
			}
			if reuse {
				// Closing the File while it holds the byte, and opening
				// the path again, keeps it held.
				lf.Close()
				lf = mustOpen(t, dir)
			}
			if other := startLocker(t, dir, reuse); other.said != "busy" {
				t.Errorf("child trying a byte this process holds said %s; want busy", other.said)
			}
			lf.Unlock(off)
			if reuse {
				// Idle again, having released the byte: the byte is free
				// for another process.
				lf.Close()
				lf = mustOpen(t, dir)
			}
			if other := startLocker(t, dir, reuse); other.said != "held" {
				t.Errorf("child trying a byte this process released said %s; want held", other.said)
			}
		})
	}
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
