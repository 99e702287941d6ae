//go:build linux

package fsx

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestStatEdgesAgreeWithOSStat compares Stat on the plain file system with os.Stat
// for names around the stack buffer's size (relative, from the working
// directory), a component over NAME_MAX, a char device, a socket, a file
// with setuid, setgid and sticky bits, a link to a directory, "." and a
// trailing slash on a file.
func TestStatEdgesAgreeWithOSStat(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	var names []string
	for _, n := range []int{254, 255, 256, 257} {
		// a/aaaa.../x of exactly n bytes
		name := "a/" + strings.Repeat("b", n-4) + "/x"
		if len(name) != n {
			t.Fatal(len(name))
		}
		if n-4 <= 255 {
			if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(name, []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		names = append(names, name)
	}
	names = append(names, strings.Repeat("z", 300)) // ENAMETOOLONG component
	special := filepath.Join(dir, "special")
	if err := os.WriteFile(special, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(special, 0o7755); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("unix", filepath.Join(dir, "sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := os.Symlink(".", "dirlink"); err != nil {
		t.Fatal(err)
	}
	names = append(names, "/dev/null", "sock", special, "dirlink", ".", "special/", "", "./a")
	for _, name := range names {
		want, wantErr := os.Stat(name)
		got, err := Stat(OS{}, name)
		if (err == nil) != (wantErr == nil) {
			t.Errorf("%.20q (%d bytes): err %v; os.Stat %v", name, len(name), err, wantErr)
			continue
		}
		if err != nil {
			var pe, wpe *fs.PathError
			if !errors.As(err, &pe) || !errors.As(wantErr, &wpe) || pe.Err != wpe.Err || pe.Op != wpe.Op || pe.Path != wpe.Path {
				t.Errorf("%.20q: err %#v; os.Stat %#v", name, err, wantErr)
			}
			if errors.Is(wantErr, fs.ErrNotExist) != errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%.20q: ErrNotExist differs", name)
			}
			continue
		}
		st := want.Sys().(*syscall.Stat_t)
		if got.Mode != want.Mode() || got.Size != want.Size() || !got.ModTime.Equal(want.ModTime()) || got.File != (FileID{st.Dev, st.Ino}) {
			t.Errorf("%.20q (%d bytes): %+v; os.Stat %v %v %v %v/%v", name, len(name), got, want.Mode(), want.Size(), want.ModTime(), st.Dev, st.Ino)
		}
	}
}
