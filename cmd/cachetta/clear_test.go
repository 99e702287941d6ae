package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestClearRefusesWithoutATerminal runs clear without --yes with stdin
// from the null device, a character device that is no terminal, and from a
// pipe: it must refuse, ask nothing, and remove nothing.
func TestClearRefusesWithoutATerminal(t *testing.T) {
	tests := []struct {
		name  string
		stdin func(t *testing.T) io.Reader
	}{
		{"null device", func(t *testing.T) io.Reader {
			f, err := os.Open(os.DevNull)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { f.Close() })
			return f
		}},
		{"pipe answering yes", func(*testing.T) io.Reader { return strings.NewReader("y\n") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeEntry(t, dir, "a.json", "1", 0)
			r := commandReading(t, tt.stdin(t), "clear", dir)
			want := "cachetta: clear: stdin is not a terminal; pass --yes to remove without asking\n"
			if r.code != 1 || r.stderr != want || r.stdout != "" {
				t.Errorf("clear with stdin from a %s = %d, %q, %q; want 1 and %q", tt.name, r.code, r.stdout, r.stderr, want)
			}
			if _, err := os.Stat(filepath.Join(dir, "a.json")); err != nil {
				t.Errorf("clear refused, yet the entry is gone: %v", err)
			}
		})
	}
}
