package memory

import (
	"sync"
	"testing"
)

func TestValuesRemembersWhatWasSet(t *testing.T) {
	type arg struct {
		User string
		Page int
	}
	m := NewValues[arg, string](100)
	for i := range 50 {
		m.Set(arg{"u", i}, "p"+string(rune('a'+i%26)))
	}
	for i := range 50 {
		if v, ok := m.Get(arg{"u", i}); !ok || v != "p"+string(rune('a'+i%26)) {
			t.Fatalf("Get(%d) = %q, %v; want the value set", i, v, ok)
		}
	}
	if _, ok := m.Get(arg{"v", 0}); ok {
		t.Error("Get of a key never set found one")
	}
	m.Set(arg{"u", 0}, "again")
	if v, _ := m.Get(arg{"u", 0}); v != "again" {
		t.Errorf("Get after a second Set = %q; want again", v)
	}
	if n := m.Len(); n != 50 {
		t.Errorf("Len = %d; want 50", n)
	}
}

// TestValuesStaysBounded sets a million distinct keys: the memo never holds
// more than its bound.
func TestValuesStaysBounded(t *testing.T) {
	const bound = 1000
	m := NewValues[int, int](bound)
	for i := range 1_000_000 {
		m.Set(i, i)
		if i%9973 == 0 {
			if n := m.Len(); n > bound {
				t.Fatalf("after %d keys Len = %d; want at most %d", i+1, n, bound)
			}
		}
	}
	if n := m.Len(); n > bound || n == 0 {
		t.Errorf("Len = %d; want between 1 and %d", n, bound)
	}
}

// TestValuesGetDoesNotAllocate: a published key is found without an
// allocation, whatever its type.
func TestValuesGetDoesNotAllocate(t *testing.T) {
	type arg struct {
		User string
		Page int
	}
	m := NewValues[arg, string](8)
	m.Set(arg{"u", 1}, "p")
	for range 10 {
		m.Get(arg{"u", 1}) // publish
	}
	key := arg{"u", 1}
	if n := testing.AllocsPerRun(100, func() { m.Get(key) }); n != 0 {
		t.Errorf("Get allocates %v times; want 0", n)
	}
}

func TestValuesConcurrentUse(t *testing.T) {
	m := NewValues[int, int](64)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 2000 {
				k := (i * (g + 1)) % 100
				m.Set(k, k)
				if v, ok := m.Get(k); ok && v != k {
					t.Errorf("Get(%d) = %d", k, v)
				}
			}
		})
	}
	wg.Wait()
}
