package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPruneDryRunSays runs prune --dry-run where it has something to
// remove and where it has nothing, with and without the flags that let it
// remove entries: it must always say what it would do.
func TestPruneDryRunSays(t *testing.T) {
	tests := []struct {
		name  string
		old   bool // an entry two hours old is there too
		args  []string
		want  []string // the lines of stdout, DIR for the directory
		empty bool     // the directory has no entries at all
	}{
		{"nothing, no flags", false, nil, []string{"nothing to remove below DIR", keepHint}, false},
		{"empty directory, no flags", false, nil, []string{"nothing to remove below DIR", keepHint}, true},
		{"nothing expired", true, []string{"--duration", "3h"}, []string{"nothing to remove below DIR"}, false},
		{"nothing over the bound", true, []string{"--max-entries", "2"}, []string{"nothing to remove below DIR"}, false},
		{"an expired entry", true, []string{"--duration", "1h"}, []string{"would remove DIR/old.json"}, false},
		{"an old entry, no flags", true, nil, []string{"nothing to remove below DIR", keepHint}, false},
		{"over the bound", true, []string{"--max-bytes", "1B"}, []string{"would remove DIR/old.json"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if !tt.empty {
				writeEntry(t, dir, "new.json", "1", 0)
			}
			if tt.old {
				writeEntry(t, dir, "old.json", "2", 2*time.Hour)
			}
			args := append(append([]string{"prune", "--dry-run"}, tt.args...), dir)
			want := strings.ReplaceAll(strings.Join(tt.want, "\n")+"\n", "DIR/", dir+string(filepath.Separator))
			want = strings.ReplaceAll(want, "DIR", dir)
			if r := command(t, "", args...); r.code != 0 || r.stdout != want {
				t.Errorf("cachetta %q = %d, %q, %q; want %q", args, r.code, r.stdout, r.stderr, want)
			}
			if _, err := os.Stat(filepath.Join(dir, "old.json")); tt.old && err != nil {
				t.Errorf("--dry-run removed an entry: %v", err)
			}
		})
	}
}
