package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// internalWords are words of the library's insides, which an error of the
// command must not show the user.
var internalWords = []string{"info ", "lstat", "not a regular file", "family", "mark", "flight", "joiner", "RawMessage", "MarshalJSON", "invalid character", "looking for beginning", "bad arguments"}

// TestErrorsInTheUsersWords runs commands on what they do not take: each
// error must name the command and the path as the user typed them, say
// what is wrong, and show none of the library's words.
func TestErrorsInTheUsersWords(t *testing.T) {
	dir := t.TempDir()
	writeEntry(t, dir, "a.json", "1", 0)
	file := filepath.Join(dir, "a.json")
	gone := filepath.Join(dir, "gone")
	tests := []struct {
		name     string
		args     []string
		wantCode int
		stderr   string
	}{
		{"stat of a directory", []string{"stat", dir}, 1, "cachetta: stat " + dir + ": is a directory; stat takes an entry's file (use ls for a directory)\n"},
		{"stat of nothing", []string{"stat", gone}, 1, "cachetta: stat " + gone + ": no such file or directory\n"},
		{"ls of a file", []string{"ls", file}, 1, "cachetta: ls " + file + ": is a file, not a directory; ls takes a cache directory (stat shows one entry's file)\n"},
		{"prune of a file", []string{"prune", file}, 1, "cachetta: prune " + file + ": is a file, not a directory; prune takes a cache directory (stat shows one entry's file)\n"},
		{"clear of nothing", []string{"clear", "--yes", gone}, 1, "cachetta: clear " + gone + ": no such file or directory\n"},
		{"prune with a negative bound", []string{"prune", "--max-entries", "-1", dir}, 1, "cachetta: prune: --max-entries must not be negative, got -1\n"},
		{"prune with a negative duration", []string{"prune", "--duration", "-1h", dir}, 1, "cachetta: prune: --duration must not be negative, got -1h0m0s\n"},
		{"key of an empty name", []string{"key", "", "1"}, 1, "cachetta: key: NAME.json is empty\n"},
		{"key of a word", []string{"key", "user.json", "hello"}, 1, `cachetta: key: argument hello is not JSON; for the string, type '"hello"'` + "\n"},
		{"name with control characters", []string{"stat", filepath.Join(dir, "x\x1b[2J.json")}, 1, "cachetta: stat '" + dir + string(filepath.Separator) + "x'$'\\033''[2J.json': no such file or directory\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := command(t, "", tt.args...)
			if r.code != tt.wantCode || r.stderr != tt.stderr {
				t.Errorf("cachetta %q = %d, %q; want %d, %q", tt.args, r.code, r.stderr, tt.wantCode, tt.stderr)
			}
			for _, w := range internalWords {
				if strings.Contains(r.stderr, w) {
					t.Errorf("cachetta %q printed %q, which says %q", tt.args, r.stderr, w)
				}
			}
		})
	}
	if _, err := os.Stat(file); err != nil {
		t.Errorf("the entry is gone: %v", err)
	}
}
