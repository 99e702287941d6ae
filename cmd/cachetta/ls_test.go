package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestNoStateWithoutDuration lists the entries of a cache whose entries
// stay fresh for a minute, one written now and one two hours ago: without
// --duration, ls and stat must call neither fresh nor expired, since the
// files do not say for how long they are fresh; with it, they judge by it.
func TestNoStateWithoutDuration(t *testing.T) {
	dir := t.TempDir()
	writeEntry(t, dir, "new.json", "1", 0)
	writeEntry(t, dir, "old.json", "2", 2*time.Hour)
	states := []string{"fresh", "stale", "expired", "STATE", "state"}
	tests := []struct {
		name   string
		args   []string
		want   []string // each must appear in stdout
		judged bool     // states may appear
	}{
		{"ls", []string{"ls", dir}, []string{"SIZE  AGE     PATH\n", "1 B   2h0m0s  old.json\n", "total: 2 entries, 2 B\n"}, false},
		{"ls --json", []string{"ls", "--json", dir}, []string{`"path": `, `"age_seconds": `}, false},
		{"stat", []string{"stat", filepath.Join(dir, "old.json")}, []string{"age:      2h0m0s\n", "value:\n2\n"}, false},
		{"ls by a minute", []string{"ls", "--duration", "1m", dir}, []string{"STATE    SIZE  AGE     PATH\n", "expired  1 B   2h0m0s  old.json\n", "fresh    1 B   "}, true},
		{"ls by a minute, stale for three hours", []string{"ls", "--duration=1m", "--stale=3h", dir}, []string{"stale  1 B   2h0m0s  old.json\n"}, true},
		{"ls --json by a minute", []string{"ls", "--json", "--duration", "1m", dir}, []string{`"state": "expired"`, `"state": "fresh"`}, true},
		{"stat by a minute", []string{"stat", "--duration", "1m", filepath.Join(dir, "old.json")}, []string{"state:    expired\n"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := command(t, "", tt.args...)
			if r.code != 0 {
				t.Fatalf("cachetta %q = %d, %q", tt.args, r.code, r.stderr)
			}
			for _, s := range tt.want {
				if !strings.Contains(r.stdout, s) {
					t.Errorf("cachetta %q printed %q; want it to contain %q", tt.args, r.stdout, s)
				}
			}
			if tt.judged {
				return
			}
			for _, s := range states {
				if strings.Contains(r.stdout, s) {
					t.Errorf("cachetta %q printed %q, which names a state (%s) without --duration", tt.args, r.stdout, s)
				}
			}
		})
	}
	t.Run("ls --json has no state", func(t *testing.T) {
		r := command(t, "", "ls", "--json", dir)
		var got []map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || len(got) != 2 {
			t.Fatalf("ls --json = %q, %v; want 2 entries", r.stdout, err)
		}
		for _, e := range got {
			if _, ok := e["state"]; ok {
				t.Errorf("ls --json printed %v; want no state without --duration", e)
			}
		}
	})
}

func TestJudgementFlags(t *testing.T) {
	dir := t.TempDir()
	writeEntry(t, dir, "a.json", "1", 0)
	file := filepath.Join(dir, "a.json")
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"ls --stale alone", []string{"ls", "--stale", "1h", dir}, "cachetta: ls: --stale needs --duration"},
		{"stat --stale alone", []string{"stat", "--stale", "1h", file}, "cachetta: stat: --stale needs --duration"},
		{"ls --duration 0", []string{"ls", "--duration", "0", dir}, "cachetta: ls: --duration must be positive, got 0s"},
		{"stat negative --stale", []string{"stat", "--duration", "1h", "--stale", "-1s", file}, "cachetta: stat: --stale must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := command(t, "", tt.args...); r.code != 1 || !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("cachetta %q = %d, %q; want 1 and %q", tt.args, r.code, r.stderr, tt.stderr)
			}
		})
	}
}
