//go:build unix

package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestStatRefusesWhatIsNotAFile runs stat on a FIFO and on a link to a
// file: it must neither wait for a writer nor show the linked file.
func TestStatRefusesWhatIsNotAFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	secret := filepath.Join(dir, "secret.txt")
	if err := os.WriteFile(secret, []byte(`"the linked file"`), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(secret, link); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, why string
	}{
		{fifo, ": is a named pipe, not an entry's file\n"},
		{link, ": is a symbolic link, which a cache does not follow; stat the file it leads to\n"},
	}
	for _, tt := range tests {
		path := tt.path
		t.Run(filepath.Base(path), func(t *testing.T) {
			// A stat that blocked on the FIFO would hang the test, not fail it.
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			done := make(chan result, 1)
			go func() { done <- command(t, "", "stat", path) }()
			var r result
			select {
			case r = <-done:
			case <-ctx.Done():
				t.Fatalf("stat %s did not return", path)
			}
			if r.code == 0 || strings.Contains(r.stdout, "the linked file") {
				t.Errorf("stat %s = exit %d, stdout %q; want an error and no value", path, r.code, r.stdout)
			}
			if want := "cachetta: stat " + path + tt.why; r.stderr != want {
				t.Errorf("stat %s printed %q; want %q", path, r.stderr, want)
			}
		})
	}
}
