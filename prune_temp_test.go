package cachetta_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
)

// TestPruneRemovesLongTemporaryFiles leaves the temporary files of writers
// of a 255-byte name, as writers killed mid-write do: Prune removes the one
// older than an hour and keeps the other.
func TestPruneRemovesLongTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, strings.Repeat("€", 85))
	c := cachetta.Must(cachetta.New[int](path))
	// The names of temporary files of a write of path, as a killed writer
	// leaves them: .<name, cut>.<random>.cachetta-tmp.
	cut := strings.Repeat("€", 75) // 225 bytes: what fits beside the random part
	temps := []string{
		filepath.Join(dir, "."+cut+".0123456789abc.cachetta-tmp"),
		filepath.Join(dir, "."+cut+".1.cachetta-tmp"),
	}
	slices.Sort(temps)
	for _, temp := range temps {
		if err := os.WriteFile(temp, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(temps[0], old, old); err != nil {
		t.Fatal(err)
	}
	removed, err := c.Prune(t.Context())
	if err != nil || !slices.Equal(removed, temps[:1]) {
		t.Errorf("Prune = %q, %v; want %q", removed, err, temps[:1])
	}
	if _, err := os.Stat(temps[1]); err != nil {
		t.Errorf("Prune removed a temporary file younger than an hour: %v", err)
	}
}
