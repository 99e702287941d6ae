//go:build linux

package cachetta_test

import (
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// TestWriteOverTheFileSizeLimit makes the temporary file's write fail with
// EFBIG (Go ignores SIGXFSZ): Write must report it, keep the previous file
// and leave no temporary file behind.
func TestWriteOverTheFileSizeLimit(t *testing.T) {
	c := newCache[string](t, "s.json")
	if err := c.Write(t.Context(), "before"); err != nil {
		t.Fatal(err)
	}
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	limited := syscall.Rlimit{Cur: 1024, Max: old.Max}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &limited); err != nil {
		t.Skipf("Setrlimit: %v", err)
	}
	err := c.Write(t.Context(), strings.Repeat("x", 4096))
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	if err == nil || !strings.Contains(err.Error(), c.Path()) {
		t.Errorf("Write over the file-size limit = %v; want an error naming %s", err, c.Path())
	}
	if got := readFile(t, c.Path()); got != `"before"` {
		t.Errorf("file holds %q after the failed write; want the previous value", got)
	}
	if names := dirNames(t, filepath.Dir(c.Path())); !slices.Equal(names, []string{"s.json"}) {
		t.Errorf("directory holds %v after the failed write; want only s.json", names)
	}
}
