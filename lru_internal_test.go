package cachetta

import (
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// TestLRUPartsAddUpToTheSize checks the rule of WithLRU: one exact LRU list
// below 64 entries, up to 8 parts above, which hold the size in all.
func TestLRUPartsAddUpToTheSize(t *testing.T) {
	tests := []struct {
		size, parts int
	}{
		{1, 1}, {2, 1}, {63, 1}, {64, 2}, {127, 2}, {128, 4}, {255, 4}, {256, 8}, {1000, 8},
	}
	for _, tt := range tests {
		m := newLRUCache[int](tt.size, nil)
		// Ten times as many paths as the size fill every part, whatever
		// the hash; the parts then hold the size in all.
		for i := range 10 * tt.size {
			m.add(strconv.Itoa(i), newEntry(i, time.Time{}, time.Now()), time.Hour)
		}
		if parts, n := m.entries.Parts(), m.entries.Len(); parts != tt.parts || n != tt.size {
			t.Errorf("newLRUCache(%d) has %d parts of %d entries in all; want %d parts of %d", tt.size, parts, n, tt.parts, tt.size)
		}
		m.purge()
	}
}

// TestLRUEntryAge checks that an entry's age is the file's age at the read
// plus the time elapsed since, and that outside a synctest bubble, whose
// clock has no monotonic reading, the entry carries one, so that its age
// costs no wall clock read.
func TestLRUEntryAge(t *testing.T) {
	now := time.Now()
	e := newEntry(1, now.Add(-time.Hour).Round(0), now)
	if !strings.Contains(e.born.String(), " m=") {
		t.Errorf("entry born %v; want a monotonic clock reading", e.born)
	}
	if age := e.age(); age < time.Hour {
		t.Errorf("age() = %v; want at least 1h", age)
	}
	synctest.Test(t, func(t *testing.T) {
		now := time.Now()
		e := newEntry(1, now.Add(-time.Hour), now)
		time.Sleep(time.Minute)
		if got, want := e.age(), time.Hour+time.Minute; got != want {
			t.Errorf("age() = %v; want %v", got, want)
		}
	})
}
