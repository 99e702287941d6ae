//go:build unix

package fsx

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestStatAgreesWithOSStat: Stat tells what os.Stat tells of a regular
// file, a directory, a named pipe, a link (followed) and a name too long
// for its stack buffer, on the plain file system and inside a root, and
// fails as os.Stat does on a missing file, a dangling link and a name
// holding a NUL.
func TestStatAgreesWithOSStat(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f.json")
	if err := os.WriteFile(file, []byte("12345"), 0o640); err != nil {
		t.Fatal(err)
	}
	when := time.Date(2020, 1, 2, 3, 4, 5, 600, time.UTC)
	if err := os.Chtimes(file, when, when); err != nil {
		t.Fatal(err)
	}
	long := filepath.Join(dir, strings.Repeat("d", 200), strings.Repeat("l", 100)+".json")
	if err := os.MkdirAll(filepath.Dir(long), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(long, []byte("1"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.json")
	dangling := filepath.Join(dir, "dangling.json")
	fifo := filepath.Join(dir, "fifo.json")
	if err := os.Symlink("f.json", link); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("none", dangling); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	root, err := New(dir, 0o750)
	if err != nil {
		t.Fatal(err)
	}
	for _, fsys := range []FS{OS{}, root} {
		for _, name := range []string{file, dir, long, link, fifo, dangling, filepath.Join(dir, "missing.json")} {
			if _, isRoot := fsys.(*Root); isRoot && name == dir {
				continue // the root itself is not a name inside it
			}
			want, wantErr := os.Stat(name)
			got, err := Stat(fsys, name)
			if wantErr != nil {
				if !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("%T: Stat(%s) = %v; want an error like os.Stat's %v", fsys, name, err, wantErr)
				}
				continue
			}
			if err != nil {
				t.Errorf("%T: Stat(%s): %v", fsys, name, err)
				continue
			}
			if got.Mode != want.Mode() || got.Size != want.Size() || !got.ModTime.Equal(want.ModTime()) {
				t.Errorf("%T: Stat(%s) = %v %d %v; want %v %d %v", fsys, name, got.Mode, got.Size, got.ModTime, want.Mode(), want.Size(), want.ModTime())
			}
			if got.File != fileID(want) || got.File == (FileID{}) && !os.SameFile(got.Info, want) {
				t.Errorf("%T: Stat(%s) is another file than os.Stat's", fsys, name)
			}
		}
	}
	if _, err := Stat(OS{}, file+"\x00x"); err == nil {
		t.Error("Stat of a name holding a NUL succeeded")
	}
}

// TestStatOfAPlainFileDoesNotAllocate: on Linux, a stat of a file on the
// plain file system allocates nothing.
func TestStatOfAPlainFileDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	if _, ok, _ := statPlain("/"); !ok {
		t.Skip("Stat goes through os.Stat here")
	}
	file := filepath.Join(t.TempDir(), "f.json")
	if err := os.WriteFile(file, []byte("1"), 0o600); err != nil {
		t.Fatal(err)
	}
	var err error
	if n := testing.AllocsPerRun(100, func() { _, err = Stat(OS{}, file) }); n != 0 || err != nil {
		t.Errorf("Stat allocates %v times (%v); want 0", n, err)
	}
}
