package disk

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cachetta-go/cachetta/internal/fsx"
	"github.com/cachetta-go/cachetta/internal/storage"
)

// TestClearRecognisesFilesOfLongNames: a temporary or lock file cuts a long
// entry name to fit 255 bytes; Clear still tells whose it is.
func TestClearRecognisesFilesOfLongNames(t *testing.T) {
	long := strings.Repeat("é", 100) + ".json" // 205 bytes
	keyed := filepath.Base(storage.KeyedName(long, "0123456789abcdef"))
	tests := []struct {
		name, entryName string
		want            bool
	}{
		{filepath.Base(fsx.TempName(long)), long, true},
		{filepath.Base(fsx.TempName(keyed)), long, true},
		{filepath.Base(oldRunLockPath(long)), long, true},
		{filepath.Base(oldRunLockPath(keyed)), long, true},
		{filepath.Base(fsx.TempName(keyed)), "other.json", false},
		{filepath.Base(oldRunLockPath(keyed)), "other.json", false},
		{filepath.Base(fsx.TempName("x" + keyed)), long, false},
		{filepath.Base(oldRunLockPath("x" + keyed)), long, false},
	}
	for _, tt := range tests {
		var got bool
		switch {
		case fsx.IsTempName(tt.name):
			got = isTempOf(tt.name, tt.entryName)
		case isLockName(tt.name):
			got = isRunLockOf(tt.name, tt.entryName)
		default:
			t.Fatalf("%s is neither a temporary nor a lock name", tt.name)
		}
		if got != tt.want {
			t.Errorf("owned(%q, %q) = %v; want %v", tt.name, tt.entryName, got, tt.want)
		}
	}
}

// oldRunLockPath returns the per-entry lock file that releases before
// v0.2.0 made beside the entry at path: .<name>.cachetta-lock, or for a
// name too long for that, the name cut at a UTF-8 boundary and followed by
// "-" and 16 hex digits of its SHA-256.
func oldRunLockPath(path string) string {
	dir, name := filepath.Split(path)
	if 1+len(name)+len(lockSuffix) <= fsx.MaxNameLen {
		return dir + "." + name + lockSuffix
	}
	sum := sha256.Sum256([]byte(name))
	hash := hex.EncodeToString(sum[:8])
	keep := fsx.MaxNameLen - len(".-") - len(hash) - len(lockSuffix)
	return dir + "." + fsx.CutAtRune(name, keep) + "-" + hash + lockSuffix
}
