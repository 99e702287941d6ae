package storage

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta/internal/fsx"
)

func TestMetaSame(t *testing.T) {
	dir := t.TempDir()
	stat := func(name string) os.FileInfo {
		t.Helper()
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return info
	}
	for _, name := range []string{"a", "b"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("1"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	when := time.Now().Truncate(time.Second)
	for _, name := range []string{"a", "b"} {
		if err := os.Chtimes(filepath.Join(dir, name), when, when); err != nil {
			t.Fatal(err)
		}
	}
	a, b := stat("a"), stat("b")
	file := func(info os.FileInfo) Meta {
		return Meta{Name: "x", Size: info.Size(), ModTime: info.ModTime(), ID: info}
	}
	tests := []struct {
		name string
		m, o Meta
		want bool
	}{
		{"one file", file(a), file(stat("a")), true},
		{"two files alike", file(a), file(b), false},
		{"one version", Meta{Size: 1, ModTime: when, ID: "v1"}, Meta{Size: 1, ModTime: when, ID: "v1"}, true},
		{"no versions", Meta{Size: 1, ModTime: when, ID: ""}, Meta{Size: 1, ModTime: when, ID: ""}, true},
		{"two versions", Meta{Size: 1, ModTime: when, ID: "v1"}, Meta{Size: 1, ModTime: when, ID: "v2"}, false},
		{"other time", Meta{Size: 1, ModTime: when, ID: "v1"}, Meta{Size: 1, ModTime: when.Add(1), ID: "v1"}, false},
		{"other size", Meta{Size: 1, ModTime: when, ID: "v1"}, Meta{Size: 2, ModTime: when, ID: "v1"}, false},
		{"no identity", Meta{Size: 1, ModTime: when}, Meta{Size: 1, ModTime: when}, false},
		{"file and version", file(a), Meta{Size: a.Size(), ModTime: a.ModTime(), ID: "v1"}, false},
		{"one file by number", Meta{Size: 1, ModTime: when, File: fsx.FileID{Dev: 1, Ino: 2}}, Meta{Size: 1, ModTime: when, File: fsx.FileID{Dev: 1, Ino: 2}}, true},
		{"two files by number", Meta{Size: 1, ModTime: when, File: fsx.FileID{Dev: 1, Ino: 2}}, Meta{Size: 1, ModTime: when, File: fsx.FileID{Dev: 1, Ino: 3}}, false},
		{"one number on two devices", Meta{Size: 1, ModTime: when, File: fsx.FileID{Dev: 1, Ino: 2}}, Meta{Size: 1, ModTime: when, File: fsx.FileID{Dev: 2, Ino: 2}}, false},
		{"number and version", Meta{Size: 1, ModTime: when, File: fsx.FileID{Dev: 1, Ino: 2}}, Meta{Size: 1, ModTime: when, ID: "v1"}, false},
	}
	for _, tt := range tests {
		if got := tt.m.Same(tt.o); got != tt.want {
			t.Errorf("%s: Same = %v; want %v", tt.name, got, tt.want)
		}
	}
}

func TestEntryNames(t *testing.T) {
	tests := []struct {
		path, key, keyed string
	}{
		{"cache/user.json", "0123456789abcdef", "cache/user-0123456789abcdef.json"},
		{"cache/user", "0123456789abcdef", "cache/user-0123456789abcdef"},
		{"cache/.hidden", "0123456789abcdef", "cache/.hidden-0123456789abcdef"},
		{"cache/a.b.json", "0123456789abcdef", "cache/a.b-0123456789abcdef.json"},
		{"cache/dot.", "0123456789abcdef", "cache/dot.-0123456789abcdef"},
	}
	for _, tt := range tests {
		got := KeyedName(tt.path, tt.key)
		if got != tt.keyed {
			t.Errorf("KeyedName(%q, %q) = %q; want %q", tt.path, tt.key, got, tt.keyed)
		}
		entry := filepath.Base(tt.path)
		if !IsEntryName(filepath.Base(got), entry) || !IsEntryName(entry, entry) {
			t.Errorf("IsEntryName refuses %q or %q for %q", filepath.Base(got), entry, entry)
		}
	}
	for _, name := range []string{"user-0123456789ABCDEF.json", "user-0123.json", "user.txt", "users.json", "user-0123456789abcdef.json.tmp"} {
		if IsEntryName(name, "user.json") {
			t.Errorf("IsEntryName(%q, user.json) = true; want false", name)
		}
	}
	for path, want := range map[string]string{"c/u.json": ".json", "c/dir": ".json", "c/.hidden": ".json", "c/u.txt": ".txt"} {
		if got := EntryExt(path); got != want {
			t.Errorf("EntryExt(%q) = %q; want %q", path, got, want)
		}
	}
}
