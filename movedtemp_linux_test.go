package cachetta_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cachetta-go/cachetta"
)

// TestWriteLeavesNoTemporaryFileInAMovedDirectory moves the cache's
// directory away and back, again and again, while writes go on: a write
// whose directory moved between its temporary file and its rename is done
// again in the directory at its path, and must remove the temporary file it
// left in the moved one. It makes 400 writes with -long (see long), 100 by
// default and 50 with -short; the code before the fix left a temporary file
// behind most of them.
func TestWriteLeavesNoTemporaryFileInAMovedDirectory(t *testing.T) {
	writes := stressLength(400, 100, 50)
	ctx := t.Context()
	base := t.TempDir()
	dir := filepath.Join(base, "cache")
	c := cachetta.Must(cachetta.New[int](filepath.Join(dir, "x.json"), cachetta.WithLogger(testLogger(t))))
	done := make(chan struct{})
	var moves atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			// Move the directory away, for good: the next write makes a new
			// one at the path.
			if os.Rename(dir, filepath.Join(base, "away"+strconv.FormatInt(moves.Load(), 10))) == nil {
				moves.Add(1)
			}
		}
	})
	for i := range writes {
		if err := c.Write(ctx, i); err != nil {
			t.Errorf("Write %d while the directory moves = %v", i, err)
		}
	}
	close(done)
	wg.Wait()
	var left []string
	filepath.WalkDir(base, func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(d.Name(), ".cachetta-tmp") {
			left = append(left, path)
		}
		return nil
	})
	if len(left) > 0 {
		t.Errorf("%d temporary files left after %d writes and %d moves: %q", len(left), writes, moves.Load(), left)
	}
	t.Logf("%d writes, %d moves of the directory", writes, moves.Load())
}
