package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestIsTerminalRefusesWhatIsNotOne: the null device, a character device
// where the system has them, a pipe and a file are no terminal.
func TestIsTerminalRefusesWhatIsNotOne(t *testing.T) {
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	file, err := os.Create(filepath.Join(t.TempDir(), "answer"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	for _, f := range []*os.File{devNull, r, w, file} {
		if isTerminal(f) {
			t.Errorf("isTerminal(%s) = true; want false", f.Name())
		}
	}
}
