package cachetta

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestClearRecognisesFilesOfLongNames: a temporary or lock file cuts a long
// entry name to fit 255 bytes; Clear still tells whose it is.
func TestClearRecognisesFilesOfLongNames(t *testing.T) {
	long := strings.Repeat("é", 100) + ".json" // 205 bytes
	keyed := filepath.Base(keyedPath(long, "0123456789abcdef"))
	tests := []struct {
		name, entryName string
		want            bool
	}{
		{filepath.Base(tempName(long)), long, true},
		{filepath.Base(tempName(keyed)), long, true},
		{filepath.Base(runLockPath(long)), long, true},
		{filepath.Base(runLockPath(keyed)), long, true},
		{filepath.Base(tempName(keyed)), "other.json", false},
		{filepath.Base(runLockPath(keyed)), "other.json", false},
		{filepath.Base(tempName("x" + keyed)), long, false},
		{filepath.Base(runLockPath("x" + keyed)), long, false},
	}
	for _, tt := range tests {
		var got bool
		switch {
		case isTempName(tt.name):
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
