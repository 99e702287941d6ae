package fsx

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// longBases are entry names of every length up to the limit of most file
// systems, 255 bytes, including UTF-8 ones whose temporary names must be cut
// in the middle of a rune.
var longBases = []struct{ name, base string }{
	{"short", "n.json"},
	{"227 bytes", strings.Repeat("a", 222) + ".json"},
	{"228 bytes", strings.Repeat("a", 223) + ".json"},
	{"254 bytes", strings.Repeat("a", 249) + ".json"},
	{"255 bytes", strings.Repeat("a", 250) + ".json"},
	{"2-byte runes", strings.Repeat("é", 127)},
	{"3-byte runes", strings.Repeat("€", 85)},
	{"4-byte runes", strings.Repeat("😀", 63)},
}

// TestCreateTempNamesFitAndAreRecognised: for every entry name the file
// system accepts, CreateTemp makes a temporary file whose name fits in 255
// bytes, stays UTF-8, begins with as much of the entry's name as fits, and is
// recognised by IsTempName.
func TestCreateTempNamesFitAndAreRecognised(t *testing.T) {
	for _, tt := range longBases {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tt.base)
			f, err := CreateTemp(OS{}, path, 0o600)
			if err != nil {
				t.Fatalf("CreateTemp for a %d-byte name = %v", len(tt.base), err)
			}
			f.Close()
			name := filepath.Base(f.Name())
			if filepath.Dir(f.Name()) != filepath.Dir(path) {
				t.Errorf("CreateTemp made %s; want it beside %s", f.Name(), path)
			}
			if len(name) > 255 || !utf8.ValidString(name) || !IsTempName(name) {
				t.Errorf("CreateTemp made %q (%d bytes, UTF-8 %v, IsTempName %v); want a temporary name of at most 255 bytes",
					name, len(name), utf8.ValidString(name), IsTempName(name))
			}
			// The entry's name is kept whole when it fits, and otherwise cut
			// at most a rune short of the limit.
			const fits = 255 - len("..0123456789abc.cachetta-tmp")
			rest := strings.TrimSuffix(name, TempSuffix)
			prefix := rest[1:max(1, strings.LastIndexByte(rest, '.'))]
			if !strings.HasPrefix(tt.base, prefix) || len(prefix) < min(len(tt.base), fits-utf8.UTFMax+1) {
				t.Errorf("CreateTemp made %q; want it to begin with as much of %q as fits", name, tt.base)
			}
		})
	}
}

// TestIsTempNameAcceptsOnlyTemporaryNames: IsTempName accepts the names
// CreateTemp makes now and made in earlier releases, whose random part had
// 1 to 13 digits, and nothing else.
func TestIsTempNameAcceptsOnlyTemporaryNames(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{".n.json.0a1b2c3d4e5f6.cachetta-tmp", true},
		{".n.json.3kf8a1.cachetta-tmp", true}, // an earlier release's
		{".n.json.z.cachetta-tmp", true},      // an earlier release's
		{"." + strings.Repeat("a", 227) + ".0a1b2c3d4e5f6.cachetta-tmp", true},
		{".é.0a1b2c3d4e5f6.cachetta-tmp", true},
		{".a.b.0a1b2c3d4e5f6.cachetta-tmp", true},
		{"." + strings.Repeat("a", 228) + ".0a1b2c3d4e5f6.cachetta-tmp", false}, // 256 bytes
		{".n.json.0a1b2c3d4e5f6a.cachetta-tmp", false},                          // 14 digits
		{".n.json.0A1B2C.cachetta-tmp", false},                                  // upper case
		{".n.json.0a1-2c.cachetta-tmp", false},
		{".n.json..cachetta-tmp", false},
		{".0a1b2c3d4e5f6.cachetta-tmp", false},  // no entry name
		{"..0a1b2c3d4e5f6.cachetta-tmp", false}, // an empty entry name
		{".cachetta-tmp", false},
		{"n.json.0a1b2c3d4e5f6.cachetta-tmp", false},
		{".n.json.0a1b2c3d4e5f6.cachetta-tmp.json", false},
		{".n.json.0a1b2c3d4e5f6.tmp", false},
		{".n.json.tmp", false},
		{"n.json", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsTempName(tt.name); got != tt.want {
			t.Errorf("IsTempName(%q) = %v; want %v", tt.name, got, tt.want)
		}
	}
}

// TestTempClosesOnce: a second Close of a Temp fails and closes nothing,
// not even a file that was given the descriptor number meanwhile, and a
// closed Temp cannot be written.
func TestTempClosesOnce(t *testing.T) {
	for _, tt := range []struct {
		name   string
		asFile bool // the descriptor was handed to an *os.File first
	}{{"descriptor", false}, {"os.File", true}} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tmp, err := CreateTemp(OS{}, filepath.Join(dir, "n.json"), 0o600)
			if err != nil {
				t.Fatal(err)
			}
			if tt.asFile && tmp.File() == nil {
				t.Fatal("File() = nil for an open Temp")
			}
			if err := tmp.Write([]byte("1")); err != nil {
				t.Fatalf("Write = %v", err)
			}
			if err := tmp.Close(); err != nil {
				t.Fatalf("Close = %v", err)
			}
			other, err := os.Create(filepath.Join(dir, "other"))
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			if err := tmp.Close(); !errors.Is(err, fs.ErrClosed) {
				t.Errorf("second Close = %v; want fs.ErrClosed", err)
			}
			if err := tmp.Write([]byte("2")); err == nil {
				t.Error("Write after Close = nil; want an error")
			}
			if _, err := other.Write([]byte("x")); err != nil {
				t.Errorf("a file opened after the first Close: Write = %v; want it open", err)
			}
			data, err := os.ReadFile(tmp.Name())
			if string(data) != "1" || err != nil {
				t.Errorf("ReadFile(%q) = %q, %v; want \"1\"", tmp.Name(), data, err)
			}
		})
	}
}
