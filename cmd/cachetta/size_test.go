package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"0", 0},
		{"4096", 4096},
		{"4096B", 4096},
		{"10MB", 10_000_000},
		{"10 MB", 10_000_000},
		{"10mb", 10_000_000},
		{"10M", 10_000_000},
		{"1kB", 1000},
		{"1KB", 1000},
		{"1.1GB", 1_100_000_000},
		{"2TB", 2_000_000_000_000},
		{"1KiB", 1024},
		{"64 KiB", 64 << 10},
		{"1.5GiB", 3 << 29},
		{"1Ti", 1 << 40},
		{"0.5kB", 500},
		{".5KiB", 512},
		{"3.", 3},
		{"1.9B", 1}, // a fraction of a byte is dropped
		{"8EiB", -1},
		{"9223372036854775807", 9223372036854775807},
	}
	for _, tt := range tests {
		got, err := parseSize(tt.in)
		if tt.want < 0 {
			if err == nil {
				t.Errorf("parseSize(%q) = %d, nil; want an error", tt.in, got)
			}
			continue
		}
		if got != tt.want || err != nil {
			t.Errorf("parseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestParseSizeRefuses(t *testing.T) {
	tests := []struct {
		in, why string
	}{
		{"-1", "must not be negative"},
		{"-5MB", "must not be negative"},
		{"", "want a size such as"},
		{"MB", "want a size such as"},
		{"ten", "want a size such as"},
		{"10XB", "want a size such as"},
		{"1e3", "want a size such as"},
		{"0x10", "want a size such as"},
		{"1.2.3", "want a size such as"},
		{"1,5MB", "want a size such as"},
		{".", "want a size such as"},
		{"10 MB B", "want a size such as"},
		{"99999999999999999999", "more than 9223372036854775807 bytes"},
		{"8EiB", "more than"},
	}
	for _, tt := range tests {
		if got, err := parseSize(tt.in); err == nil || !strings.Contains(err.Error(), tt.why) {
			t.Errorf("parseSize(%q) = %d, %v; want an error saying %q", tt.in, got, err, tt.why)
		}
	}
}

func TestFormatSize(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0 B"},
		{29, "29 B"},
		{1023, "1023 B"},
		{1024, "1.0 KiB"},
		{1536, "1.5 KiB"},
		{10 << 20, "10.0 MiB"},
		{1<<20 - 1, "1.0 MiB"}, // not 1024.0 KiB
		{3 << 29, "1.5 GiB"},
		{1 << 40, "1.0 TiB"},
		{1<<63 - 1, "8.0 EiB"},
	}
	for _, tt := range tests {
		got := formatSize(tt.in)
		if got != tt.want {
			t.Errorf("formatSize(%d) = %q; want %q", tt.in, got, tt.want)
		}
		// What is printed reads back, within its rounding.
		if tt.in >= 1<<62 {
			continue // 8.0 EiB is past what an int64 holds
		}
		if n, err := parseSize(got); err != nil || float64(n) < float64(tt.in)*0.95 || float64(n) > float64(tt.in)*1.05 {
			t.Errorf("parseSize(formatSize(%d)) = %d, %v; want about %d", tt.in, n, err, tt.in)
		}
	}
}

// TestSizesInCommands runs the commands that take or print sizes.
func TestSizesInCommands(t *testing.T) {
	dir := t.TempDir()
	writeEntry(t, dir, "small.json", "42", 0)
	// 1536 bytes in all; the bigger is the older, and goes first.
	writeEntry(t, dir, "big.json", `"`+strings.Repeat("x", 1532)+`"`, time.Minute)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		stdout   string // must appear in stdout
		stderr   string // must appear in stderr
	}{
		{"ls", []string{"ls", dir}, 0, "total: 2 entries, 1.5 KiB\n", ""},
		{"ls sizes", []string{"ls", dir}, 0, "SIZE     AGE   PATH\n1.5 KiB  1m", ""},
		{"ls sizes of small files", []string{"ls", dir}, 0, "\n2 B      ", ""},
		{"stat", []string{"stat", filepath.Join(dir, "big.json")}, 0, "size:     1.5 KiB (1534 bytes)\n", ""},
		{"prune by bytes, room for all", []string{"prune", "--dry-run", "--max-bytes", "1.5KiB", dir}, 0, "nothing to remove", ""},
		{"prune by bytes", []string{"prune", "--dry-run", "--max-bytes", "1.5kB", dir}, 0, "would remove " + filepath.Join(dir, "big.json") + "\n", ""},
		{"negative", []string{"prune", "--max-bytes", "-1MB", dir}, 2, "", `invalid value "-1MB" for flag -max-bytes: must not be negative`},
		{"garbage", []string{"prune", "--max-bytes", "lots", dir}, 2, "", `invalid value "lots" for flag -max-bytes: want a size such as 1048576, 500MB or 1.5GiB`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := command(t, "", tt.args...)
			if r.code != tt.wantCode || !strings.Contains(r.stdout, tt.stdout) || !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("cachetta %q = %d, %q, %q; want %d, %q, %q", tt.args, r.code, r.stdout, r.stderr, tt.wantCode, tt.stdout, tt.stderr)
			}
		})
	}
	if r := command(t, "", "ls", dir); !strings.Contains(r.stdout, "big.json") {
		t.Errorf("after --dry-run, ls = %q; want big.json still there", r.stdout)
	}
}
