package redisstore_test

import (
	"fmt"
	"testing"
	"time"
)

// TestListMany walks more keys than one SCAN page holds, among keys of
// another prefix and locks: every entry once, nothing else. On a cluster
// the entries lie on every master, and only a walk of all finds them.
func TestListMany(t *testing.T) {
	forEachTopology(t, testListMany)
}

func testListMany(t *testing.T, tp topology) {
	c := tp.client(t)
	st, other := newStore(t, c), newStore(t, c)
	ctx := t.Context()
	const n = 1200
	for i := range n {
		if err := st.Save(ctx, fmt.Sprintf("d/%04d.json", i), []byte(`1`), time.Hour); err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			if err := other.Save(ctx, fmt.Sprintf("d/%04d.json", i), []byte(`1`), time.Hour); err != nil {
				t.Fatal(err)
			}
		}
	}
	unlock, err := st.Lock(ctx, "d/0001.json", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	seen := map[string]bool{}
	for e, err := range st.List(ctx, "d/") {
		if err != nil {
			t.Fatalf("List = %v", err)
		}
		if seen[e.Name] {
			t.Errorf("List yielded %q twice", e.Name)
		}
		seen[e.Name] = true
	}
	if len(seen) != n {
		t.Errorf("List yielded %d entries; want %d", len(seen), n)
	}
}
