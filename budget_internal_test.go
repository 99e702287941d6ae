package cachetta

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
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
	p := c.pruner(ctx)
	d, err := p.open(c.fsys)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	p.visit = p.prune
	if err := p.walk(d, p.dir); err != nil {
		t.Fatal(err)
	}
	if !p.overBudget() {
		t.Fatal("overBudget() = false; want true with 3 entries for 2")
	}
	if err := c.Write(ctx, 100, 0); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(paths[0], when(0), when(0)); err != nil {
		t.Fatal(err)
	}
	p.visit = p.evict
	if err := p.walk(d, p.dir); err != nil {
		t.Fatal(err)
	}
	if len(p.removed) != 0 {
		t.Errorf("Prune removed %q; want the rewritten entry kept", p.removed)
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
