package cachetta

import (
	"strconv"
	"testing"
	"time"
)

// TestMemoryOfNHoldsN reads n distinct paths into a memory of n, then reads
// them again in the same order: every one is still there, however the
// hash spreads them over the parts of the memory. One more path then
// evicts exactly one.
func TestMemoryOfNHoldsN(t *testing.T) {
	for _, n := range []int{1000, 50_000, 100_000} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			m := newLRUCache[int](n, nil)
			now := time.Now()
			path := func(i int) string { return "/cache/user-" + strconv.Itoa(i) + ".json" }
			for i := range n {
				if _, evicted := m.add(path(i), newEntry(i, now, now), time.Hour); evicted {
					t.Fatalf("add of path %d of %d evicted; want room for all %d", i, n, n)
				}
			}
			missed := 0
			for i := range n {
				if _, _, ok := m.get(path(i)); !ok {
					missed++
				}
			}
			if missed != 0 {
				t.Errorf("second pass over %d paths: %d not in memory; want all there", n, missed)
			}
			victim, evicted := m.add(path(n), newEntry(n, now, now), time.Hour)
			if !evicted || victim == path(n) {
				t.Errorf("add of path %d to a full memory = %q, %v; want another path evicted", n, victim, evicted)
			}
			if got := m.total.Load(); got != int64(n) {
				t.Errorf("memory holds %d entries; want %d", got, n)
			}
			m.remove(path(n))
			m.purge()
			if got := m.total.Load(); got != 0 {
				t.Errorf("memory holds %d entries after purge; want 0", got)
			}
		})
	}
}

// TestMemoryEvictsTheLeastRecentlyUsed fills a memory split in parts, uses
// every entry but the first of each part again, and adds more: the entries
// evicted are among the least recently used.
func TestMemoryEvictsTheLeastRecentlyUsed(t *testing.T) {
	const n = 1024
	m := newLRUCache[int](n, nil)
	if len(m.shards) < 2 {
		t.Fatalf("a memory of %d has %d parts; want several", n, len(m.shards))
	}
	now := time.Now()
	path := func(i int) string { return "/c/" + strconv.Itoa(i) }
	for i := range n {
		m.add(path(i), newEntry(i, now, now), time.Hour)
	}
	// The first half is used again: the second half is now the least
	// recently used.
	for i := range n / 2 {
		m.get(path(i))
	}
	for i := n; i < n+n/4; i++ {
		victim, evicted := m.add(path(i), newEntry(i, now, now), time.Hour)
		if !evicted {
			t.Fatalf("add to a full memory evicted nothing")
		}
		if v, _ := strconv.Atoi(victim[len("/c/"):]); v < n/2 {
			t.Errorf("evicted %s, used again after every entry of the second half; want one of the second half", victim)
		}
	}
}
