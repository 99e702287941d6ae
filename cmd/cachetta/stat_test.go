package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStatValueIsPrintable: valid JSON may hold DEL, C1 controls and
// bidirectional overrides raw in its strings; stat must show them as \u
// escapes, the same value, and nothing that is not printable.
func TestStatValueIsPrintable(t *testing.T) {
	tests := []struct {
		name, file, want string
	}{
		{"plain", `{"a":"text é"}`, `"a": "text é"`},
		{"DEL", "[\"del\x7f\"]", `"del\u007f"`},
		{"C1 control sequence introducer", "\"\u009b2J\"", `"\u009b2J"`},
		{"right-to-left override", "\"a\u202eb\"", `"a\u202eb"`},
		{"tag character beyond the BMP", "\"\U000e0001\"", `"\udb40\udc01"`},
		{"invalid UTF-8", "\"bad\xff\"", `"bad\ufffd"`},
		{"escapes stay", `"\u001b[2J"`, `"\u001b[2J"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "v.json")
			if err := os.WriteFile(path, []byte(tt.file), 0o600); err != nil {
				t.Fatal(err)
			}
			r := command(t, "", "stat", path)
			_, value, _ := strings.Cut(r.stdout, "value:\n")
			if r.code != 0 || !strings.Contains(value, tt.want) {
				t.Errorf("stat of %q = %d, %q, %q; want a value holding %q", tt.file, r.code, r.stdout, r.stderr, tt.want)
			}
			for i, line := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
				if !printable(line) {
					t.Errorf("stat of %q printed line %d %q, which is not printable", tt.file, i+1, line)
				}
			}
		})
	}
}
