package cachetta_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
)

// TestMemoryCheck checks that with WithFileCheck a memory hit is answered
// only while its file is unchanged, and that without it memory answers
// whatever happened to the file.
func TestMemoryCheck(t *testing.T) {
	tests := []struct {
		name string
		// change does to the file at path what another process might.
		change func(t *testing.T, path string)
		// want is what Read returns with the check; without it, Read
		// answers "memory".
		want   string
		wantOK bool
	}{
		{"unchanged", func(*testing.T, string) {}, "memory", true},
		{"rewritten, another size", func(t *testing.T, path string) { writeFile(t, path, `"disk"`) }, "disk", true},
		{"replaced by a file of the same size and time", func(t *testing.T, path string) {
			info, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			tmp := filepath.Join(filepath.Dir(path), "other")
			writeFile(t, tmp, `"MEMORY"`)
			if err := os.Chtimes(tmp, info.ModTime(), info.ModTime()); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(tmp, path); err != nil {
				t.Fatal(err)
			}
		}, "MEMORY", true},
		{"rewritten in place, same size, another time", func(t *testing.T, path string) {
			f, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteString(`"MEMORY"`); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			// Set, not left to the clock, which may not have ticked
			// since the first write.
			when := time.Now().Add(-time.Minute)
			if err := os.Chtimes(path, when, when); err != nil {
				t.Fatal(err)
			}
		}, "MEMORY", true},
		{"removed", func(t *testing.T, path string) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
		}, "", false},
	}
	for _, tt := range tests {
		for _, check := range []bool{false, true} {
			t.Run(tt.name, func(t *testing.T) {
				ctx := t.Context()
				c := newCache[string](t, "s.json", cachetta.WithLRU(8), cachetta.WithFileCheck(check))
				if err := c.Write(ctx, "memory"); err != nil {
					t.Fatal(err)
				}
				if v, ok, err := c.Read(ctx); v != "memory" || !ok || err != nil { // fills memory
					t.Fatalf("Read = %q, %v, %v; want memory", v, ok, err)
				}
				tt.change(t, c.Path())
				want, wantOK := "memory", true
				if check {
					want, wantOK = tt.want, tt.wantOK
				}
				if v, ok, err := c.Read(ctx); v != want || ok != wantOK || err != nil {
					t.Errorf("Read with WithFileCheck(%v) = %q, %v, %v; want %q, %v", check, v, ok, err, want, wantOK)
				}
			})
		}
	}
}
