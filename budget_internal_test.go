package cachetta

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta/internal/storage"
)

// TestPruneBudgetKeepsAnEntryReplacedAfterItWasChosen rewrites the oldest
// entry between the walk that counts the entries and the one that removes
// those chosen, and gives the new file the old one's time: it is another
// file, so it stays, and the next oldest goes in its place only at the next
// Prune.
func TestPruneBudgetKeepsAnEntryReplacedAfterItWasChosen(t *testing.T) {
	ctx := t.Context()
	c, err := New[int](filepath.Join(t.TempDir(), "n.json"), WithPruneBudget(0, 2))
	if err != nil {
		t.Fatal(err)
	}
	when := func(k int) time.Time { return time.Now().Add(-time.Duration(10-k) * time.Minute) }
	paths := make([]string, 3)
	for k := range paths {
		if err := c.Write(ctx, k, k); err != nil {
			t.Fatal(err)
		}
		paths[k], _ = c.PathFor(k)
		if err := os.Chtimes(paths[k], when(k), when(k)); err != nil {
			t.Fatal(err)
		}
	}
	// Between the walk that counts the entries and the one that removes
	// those chosen, the oldest is written again with its old time.
	c.storage = &afterFirstWalk{backend: c.storage, then: func() {
		if err := c.Write(ctx, 100, 0); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(paths[0], when(0), when(0)); err != nil {
			t.Fatal(err)
		}
	}}
	if removed, err := c.Prune(ctx); err != nil || len(removed) != 0 {
		t.Errorf("Prune = %q, %v; want the rewritten entry kept", removed, err)
	}
	if v, ok, err := c.Read(ctx, 0); v != 100 || !ok || err != nil {
		t.Errorf("Read(0) = %v, %v, %v; want 100", v, ok, err)
	}
	// The rewrite keeps its old time, so the next Prune takes it again.
	removed, err := c.Prune(ctx)
	if err != nil || !slices.Equal(removed, paths[:1]) {
		t.Errorf("next Prune = %q, %v; want %q", removed, err, paths[:1])
	}
}

// afterFirstWalk is a backend that calls then once its first walk has
// ended.
type afterFirstWalk struct {
	backend
	walks int
	then  func()
}

func (a *afterFirstWalk) Walk(ctx context.Context, scope storage.Scope, mode storage.WalkMode, visit func(storage.Found) error, removed func(string)) error {
	err := a.backend.Walk(ctx, scope, mode, visit, removed)
	if a.walks++; a.walks == 1 {
		a.then()
	}
	return err
}
