package cachetta_test

import (
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
)

func TestNewRejectsANegativeBudget(t *testing.T) {
	for name, opt := range map[string]cachetta.Option{
		"bytes":   cachetta.WithPruneBudget(-1, 0),
		"entries": cachetta.WithPruneBudget(0, -1),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := cachetta.New[int](filepath.Join(t.TempDir(), "n.json"), opt); err == nil ||
				!strings.HasPrefix(err.Error(), "cachetta: ") {
				t.Errorf("New with a negative budget = %v; want a cachetta: error", err)
			}
		})
	}
}

// TestPruneBudgetRemovesTheOldestFirst writes five fresh entries of growing
// size, the first written the oldest, and one expired entry: Prune removes
// the expired one, then the oldest until the rest are within both budgets.
func TestPruneBudgetRemovesTheOldestFirst(t *testing.T) {
	// Entry k holds a JSON string of k+2 bytes and is 10-k minutes old.
	tests := []struct {
		name       string
		maxBytes   int64
		maxEntries int
		wantKept   []int
	}{
		{"no budget", 0, 0, []int{1, 2, 3, 4, 5}},
		{"entries", 0, 2, []int{4, 5}},
		{"bytes", 13, 0, []int{4, 5}},                // 6+7
		{"bytes exact", 25, 0, []int{1, 2, 3, 4, 5}}, // 3+4+5+6+7
		{"both, entries binding", 100, 1, []int{5}},
		{"both, bytes binding", 12, 4, []int{5}},
		{"bytes below the newest", 1, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			c := newCache[string](t, "page.json", cachetta.WithDuration(time.Hour),
				cachetta.WithPruneBudget(tt.maxBytes, tt.maxEntries))
			paths := map[int]string{}
			for k := range 6 {
				if err := c.Write(ctx, strings.Repeat("x", k), k); err != nil {
					t.Fatal(err)
				}
				paths[k] = keyedPath(t, c, k)
				backdate(t, paths[k], time.Duration(10-k)*time.Minute)
			}
			backdate(t, paths[0], 2*time.Hour) // expired
			removed, err := c.Prune(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{paths[0]}
			for k := 1; k <= 5; k++ {
				if !slices.Contains(tt.wantKept, k) {
					want = append(want, paths[k])
				}
			}
			slices.Sort(want)
			if !slices.Equal(removed, want) {
				t.Errorf("Prune = %q; want %q", removed, want)
			}
			for k := 1; k <= 5; k++ {
				_, ok, err := c.Read(ctx, k)
				if err != nil || ok != slices.Contains(tt.wantKept, k) {
					t.Errorf("Read(%d) after Prune = %v, %v; want %v", k, ok, err, !ok)
				}
			}
		})
	}
}

// TestPruneBudgetForgetsInMemory reads every entry into memory first: those
// the budget removes are misses afterwards.
func TestPruneBudgetForgetsInMemory(t *testing.T) {
	ctx := t.Context()
	c := newCache[int](t, "n.json", cachetta.WithLRU(10), cachetta.WithPruneBudget(0, 1))
	for k := range 3 {
		if err := c.Write(ctx, k, k); err != nil {
			t.Fatal(err)
		}
		backdate(t, keyedPath(t, c, k), time.Duration(3-k)*time.Minute)
		if _, ok, err := c.Read(ctx, k); !ok || err != nil {
			t.Fatalf("Read(%d) = %v, %v; want a hit", k, ok, err)
		}
	}
	if removed, err := c.Prune(ctx); len(removed) != 2 || err != nil {
		t.Fatalf("Prune = %q, %v; want two removed", removed, err)
	}
	for k := range 3 {
		if _, ok, err := c.Read(ctx, k); ok != (k == 2) || err != nil {
			t.Errorf("Read(%d) after Prune = %v, %v; want %v", k, ok, err, k == 2)
		}
	}
}

// TestPruneBudgetWithConcurrentWrites prunes to a budget of 5 while other
// goroutines write new entries and rewrite old ones. Every entry left holds
// the last value written to it, so no removal or restore put an older file
// over a newer one; once the writers are done, a last Prune keeps the 5
// newest.
func TestPruneBudgetWithConcurrentWrites(t *testing.T) {
	ctx := t.Context()
	c := newCache[int](t, "n.json", cachetta.WithPruneBudget(0, 5), cachetta.WithLogger(testLogger(t)))
	const old = 20
	for k := range old {
		if err := c.Write(ctx, k, k); err != nil {
			t.Fatal(err)
		}
		backdate(t, keyedPath(t, c, k), time.Duration(old-k)*time.Minute)
	}
	// Keys below old/2 are rewritten, keys from old on are new.
	last := func(k int) int {
		if k < old/2 || k >= old {
			return 1000 + k
		}
		return k
	}
	var wg sync.WaitGroup
	for _, keys := range [][2]int{{0, old / 2}, {old, old + old/2}} {
		wg.Go(func() {
			for k := keys[0]; k < keys[1]; k++ {
				if err := c.Write(ctx, last(k), k); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Go(func() {
		for range 3 {
			if _, err := c.Prune(ctx); err != nil {
				t.Error(err)
			}
		}
	})
	wg.Wait()
	for k := range old + old/2 {
		if v, ok, err := c.Read(ctx, k); err != nil || ok && v != last(k) {
			t.Errorf("Read(%d) = %v, %v, %v; want %d or a miss", k, v, ok, err, last(k))
		}
	}
	if _, err := c.Prune(ctx); err != nil {
		t.Fatal(err)
	}
	var left []cachetta.Info
	for info, err := range c.Entries(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		left = append(left, info)
	}
	if len(left) != 5 {
		t.Errorf("after the last Prune, %d entries; want 5", len(left))
	}
}

// keyedPath returns the file PathFor gives c for arg.
func keyedPath[T any](t *testing.T, c *cachetta.Cachetta[T], arg any) string {
	t.Helper()
	path, err := c.PathFor(arg)
	if err != nil {
		t.Fatal(err)
	}
	return path
}
