package cachetta

import (
	"testing"
	"time"
)

// TestLRUFrontHitsKeepTheOrder checks that hits of the front entry, which
// take no lock, leave memory's order exact and never outlive a removal.
func TestLRUFrontHitsKeepTheOrder(t *testing.T) {
	tests := []struct {
		name  string
		steps func(m *lruCache[int])
		want  map[string]bool // whether get finds each path afterwards
		wantA int             // the value of a afterwards, when not 0
	}{
		{"a hit moves an entry to the front", func(m *lruCache[int]) {
			m.add("a", m.fresh(1), hour)
			m.add("b", m.fresh(2), hour)
			m.get("a") // a to the front
			m.get("a") // a front hit
			m.add("c", m.fresh(3), hour)
		}, map[string]bool{"a": true, "b": false, "c": true}, 0},
		{"front hits of an entry that another hit left behind", func(m *lruCache[int]) {
			m.add("a", m.fresh(1), hour)
			m.get("a")
			m.add("b", m.fresh(2), hour) // b is the front
			m.get("a")                   // a again
			m.get("b")                   // b again, a is behind it
			m.add("c", m.fresh(3), hour)
		}, map[string]bool{"a": false, "b": true, "c": true}, 0},
		{"removed front", func(m *lruCache[int]) {
			m.add("a", m.fresh(1), hour)
			m.get("a")
			m.remove("a")
		}, map[string]bool{"a": false}, 0},
		{"purged front", func(m *lruCache[int]) {
			m.add("a", m.fresh(1), hour)
			m.get("a")
			m.purge()
		}, map[string]bool{"a": false}, 0},
		{"replaced front", func(m *lruCache[int]) {
			m.add("a", m.fresh(1), hour)
			m.get("a")
			m.add("a", m.fresh(9), hour)
		}, map[string]bool{"a": true}, 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newLRUCache[int](2, nil)
			defer m.purge()
			tt.steps(m)
			// The front, when known, is the newest entry of the list.
			if e := m.shards[0].front.Load(); e != nil {
				if keys := m.shards[0].entries.Keys(); keys[len(keys)-1] != e.path {
					t.Errorf("front is %q; the list's newest entry is %q", e.path, keys[len(keys)-1])
				}
			}
			for path, want := range tt.want {
				if _, _, ok := m.get(path); ok != want {
					t.Errorf("after the steps memory holds %q: %v; want %v", path, ok, want)
				}
			}
			if e, _, ok := m.get("a"); tt.wantA != 0 && (!ok || e.value != tt.wantA) {
				t.Errorf("get(a) = %v, %v; want %d", e, ok, tt.wantA)
			}
		})
	}
}

const hour = time.Hour
