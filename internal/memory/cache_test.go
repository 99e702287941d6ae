package memory

import (
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"
	"unsafe"
)

// val returns a new pointer to v.
func val(v int) *int { return &v }

func key(i int) Key { return KeyOf("/cache/user-" + strconv.Itoa(i) + ".json") }

// TestCacheOfNHoldsN adds n distinct keys to a cache of n, then gets them
// again in the same order: every one is still there, however the hash
// spreads them over the parts. One more key then evicts exactly one, the
// least recently used: the first of the second pass.
func TestCacheOfNHoldsN(t *testing.T) {
	for _, n := range []int{1000, 50_000, 100_000} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			c := New[int](n, nil)
			for i := range n {
				if victim, evicted := c.Add(key(i), val(i)); evicted {
					t.Fatalf("Add(%d) of %d evicted %s; want room for all %d", i, n, victim, n)
				}
			}
			missed := 0
			for i := range n {
				if v, ok := c.Get(key(i)); !ok || *v != i {
					missed++
				}
			}
			if missed != 0 {
				t.Errorf("second pass over %d keys: %d not found; want all there", n, missed)
			}
			if victim, evicted := c.Add(key(n), val(n)); !evicted || victim != key(0).String() {
				t.Errorf("Add to a full cache evicted %q, %v; want %q", victim, evicted, key(0).String())
			}
			if got := c.Len(); got != n {
				t.Errorf("Len() = %d; want %d", got, n)
			}
			if got, want := c.Hits(), uint64(n); got != want {
				t.Errorf("Hits() = %d; want %d", got, want)
			}
			c.Purge()
			if got := c.Len(); got != 0 {
				t.Errorf("Len() after Purge = %d; want 0", got)
			}
		})
	}
}

// TestCacheEvictsTheLeastRecentlyUsed runs random operations on caches of
// one, two, four and eight parts and on a model of the documented order: the
// model keeps, for each key, the count of the last use the cache records
// (every Add, and every Get but one of the newest entry of its part), and
// evicts the key with the lowest, as one least-recently-used list of the
// cache's size would but for those Gets. The cache must evict what the model
// does, every time.
func TestCacheEvictsTheLeastRecentlyUsed(t *testing.T) {
	for _, size := range []int{10, 100, 300, 1000} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			c := New[int](size, nil)
			m := newModel(c)
			r := rand.New(rand.NewPCG(uint64(size), 1))
			for op := range 200_000 {
				k := key(r.IntN(2 * size))
				switch x := r.IntN(100); {
				case x < 50:
					v, ok := c.Get(k)
					wv, wok := m.get(k)
					if ok != wok || ok && *v != wv {
						t.Fatalf("op %d: Get(%v) = %v, %v; want %d, %v", op, k, v, ok, wv, wok)
					}
				case x < 95:
					victim, evicted := c.Add(k, val(op))
					wvictim, wevicted := m.add(k, op)
					if victim != wvictim || evicted != wevicted {
						t.Fatalf("op %d: Add(%v) evicted %q, %v; want %q, %v", op, k, victim, evicted, wvictim, wevicted)
					}
				case x < 99:
					if ok, wok := c.Remove(k), m.remove(k); ok != wok {
						t.Fatalf("op %d: Remove(%v) = %v; want %v", op, k, ok, wok)
					}
				default:
					c.Purge()
					m.purge()
				}
				if c.Len() != len(m.stamps) {
					t.Fatalf("op %d: Len() = %d; want %d", op, c.Len(), len(m.stamps))
				}
			}
		})
	}
}

// model is the order Cache documents, kept the slow way.
type model struct {
	c      *Cache[int]
	clock  int
	stamps map[Key]int // the count of each key's last recorded use
	values map[Key]int
}

func newModel(c *Cache[int]) *model {
	return &model{c: c, stamps: make(map[Key]int), values: make(map[Key]int)}
}

// newest reports whether k is the newest key of its part.
func (m *model) newest(k Key) bool {
	for o, s := range m.stamps {
		if o != k && m.c.Part(o) == m.c.Part(k) && s > m.stamps[k] {
			return false
		}
	}
	return true
}

func (m *model) get(k Key) (int, bool) {
	v, ok := m.values[k]
	if ok && !m.newest(k) {
		m.clock++
		m.stamps[k] = m.clock
	}
	return v, ok
}

func (m *model) add(k Key, v int) (string, bool) {
	_, replaced := m.values[k]
	m.clock++
	m.stamps[k], m.values[k] = m.clock, v
	if replaced || len(m.values) <= m.c.Size() {
		return "", false
	}
	victim := k
	for o, s := range m.stamps {
		if s < m.stamps[victim] {
			victim = o
		}
	}
	m.remove(victim)
	return victim.String(), true
}

func (m *model) remove(k Key) bool {
	_, ok := m.values[k]
	delete(m.values, k)
	delete(m.stamps, k)
	return ok
}

func (m *model) purge() {
	clear(m.values)
	clear(m.stamps)
}

// TestCacheNewestHits checks that Gets of a part's newest entry, which take
// no lock, leave the order as documented and never outlive a removal.
func TestCacheNewestHits(t *testing.T) {
	tests := []struct {
		name  string
		steps func(c *Cache[int])
		want  map[string]bool // whether Get finds each key afterwards
		wantA int             // the value of a afterwards, when not 0
	}{
		{"a hit moves an entry to the front", func(c *Cache[int]) {
			c.Add(KeyOf("a"), val(1))
			c.Add(KeyOf("b"), val(2))
			c.Get(KeyOf("a")) // a to the front
			c.Get(KeyOf("a")) // a front hit
			c.Add(KeyOf("c"), val(3))
		}, map[string]bool{"a": true, "b": false, "c": true}, 0},
		{"front hits of an entry that another hit left behind", func(c *Cache[int]) {
			c.Add(KeyOf("a"), val(1))
			c.Get(KeyOf("a"))
			c.Add(KeyOf("b"), val(2)) // b is the front
			c.Get(KeyOf("a"))         // a again
			c.Get(KeyOf("b"))         // b again, a is behind it
			c.Add(KeyOf("c"), val(3))
		}, map[string]bool{"a": false, "b": true, "c": true}, 0},
		{"removed front", func(c *Cache[int]) {
			c.Add(KeyOf("a"), val(1))
			c.Get(KeyOf("a"))
			c.Remove(KeyOf("a"))
		}, map[string]bool{"a": false}, 0},
		{"purged front", func(c *Cache[int]) {
			c.Add(KeyOf("a"), val(1))
			c.Get(KeyOf("a"))
			c.Purge()
		}, map[string]bool{"a": false}, 0},
		{"replaced front", func(c *Cache[int]) {
			c.Add(KeyOf("a"), val(1))
			c.Get(KeyOf("a"))
			c.Add(KeyOf("a"), val(9))
		}, map[string]bool{"a": true}, 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New[int](2, nil)
			tt.steps(c)
			p := &c.parts[0]
			if n := p.newest.Load(); n != nil && (n.newer != nil || p.items[n.hash] == nil) {
				t.Errorf("newest is %q, not the front of the list", n.key)
			}
			for k, want := range tt.want {
				if _, ok := c.Get(KeyOf(k)); ok != want {
					t.Errorf("after the steps Get(%q) finds it: %v; want %v", k, ok, want)
				}
			}
			if v, ok := c.Get(KeyOf("a")); tt.wantA != 0 && (!ok || *v != tt.wantA) {
				t.Errorf("Get(a) = %v, %v; want %d", v, ok, tt.wantA)
			}
		})
	}
}

// TestCacheHandles checks that a Handle gets its key's value while the
// cache holds the key, values set since included, records the use as Get
// does, gets nothing once the cache let go of the key, and follows the key
// when the cache holds it again.
func TestCacheHandles(t *testing.T) {
	a := KeyOf("a")
	tests := []struct {
		name  string
		then  func(c *Cache[int])
		want  int // the value through the Handle, 0 for none
		wantB bool
	}{
		{"held", func(*Cache[int]) {}, 1, true},
		{"replaced", func(c *Cache[int]) { c.Add(a, val(9)) }, 9, true},
		{"evicted", func(c *Cache[int]) { c.Add(KeyOf("c"), val(3)) }, 0, true},
		{"removed", func(c *Cache[int]) { c.Remove(a) }, 0, true},
		{"removed and back", func(c *Cache[int]) { c.Remove(a); c.Add(a, val(5)) }, 5, true},
		{"evicted and back", func(c *Cache[int]) { c.Add(KeyOf("c"), val(3)); c.Add(a, val(6)) }, 6, false},
		{"purged", func(c *Cache[int]) { c.Purge() }, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New[int](2, nil)
			c.Add(a, val(1))
			h := c.Handle(a)
			if v, ok := h.Get(); !ok || *v != 1 {
				t.Fatal("Get through a new Handle found nothing")
			}
			c.Add(KeyOf("b"), val(2))
			tt.then(c)
			got := 0
			if v, ok := h.Get(); ok {
				got = *v
			}
			if got != tt.want {
				t.Errorf("Get through the Handle gets %d; want %d (0 for nothing)", got, tt.want)
			}
			if _, ok := c.Peek(KeyOf("b")); ok != tt.wantB {
				t.Errorf("after the steps Peek(b) finds it: %v; want %v", ok, tt.wantB)
			}
		})
	}
	t.Run("a Get through a Handle is a use", func(t *testing.T) {
		c := New[int](2, nil)
		c.Add(a, val(1))
		h := c.Handle(a)
		h.Get()
		c.Add(KeyOf("b"), val(2))
		h.Get()
		if victim, _ := c.Add(KeyOf("c"), val(3)); victim != "b" {
			t.Errorf("Add(c) evicted %q; want b, used before a's Get through its Handle", victim)
		}
		if c.Hits() != 2 {
			t.Errorf("Hits() = %d; want 2", c.Hits())
		}
	})
	if _, ok := New[int](1, nil).Handle(a).Get(); ok {
		t.Error("Get through a Handle of an empty cache found a value")
	}
}

// TestCacheDropsEveryValueOnce checks that drop sees every value the cache
// lets go, once, however it goes.
func TestCacheDropsEveryValueOnce(t *testing.T) {
	tests := []struct {
		name string
		let  func(c *Cache[int])
		want []int // the values dropped, in order
	}{
		{"evicted", func(c *Cache[int]) { c.Add(KeyOf("c"), val(3)) }, []int{1}},
		{"removed", func(c *Cache[int]) { c.Remove(KeyOf("b")) }, []int{2}},
		{"removed twice", func(c *Cache[int]) { c.Remove(KeyOf("b")); c.Remove(KeyOf("b")) }, []int{2}},
		{"replaced", func(c *Cache[int]) { c.Add(KeyOf("a"), val(9)) }, []int{1}},
		{"purged", func(c *Cache[int]) { c.Purge() }, []int{2, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var dropped []int
			c := New(2, func(_ string, v *int) { dropped = append(dropped, *v) })
			c.Add(KeyOf("a"), val(1))
			c.Add(KeyOf("b"), val(2))
			tt.let(c)
			if len(dropped) != len(tt.want) {
				t.Fatalf("dropped %v; want %v", dropped, tt.want)
			}
			for i := range dropped {
				if dropped[i] != tt.want[i] {
					t.Fatalf("dropped %v; want %v", dropped, tt.want)
				}
			}
		})
	}
}

// TestCacheKeysOfOneHash checks the rare keys whose hashes are equal, which
// share a slot of the part's map.
func TestCacheKeysOfOneHash(t *testing.T) {
	c := New[int](10, nil)
	p := &c.parts[0]
	for i, k := range []string{"a", "b", "c"} {
		n := &node[int]{key: k, hash: 7}
		n.value.Store(val(i))
		p.insert(n)
	}
	for i, k := range []string{"a", "b", "c"} {
		if n := p.find(Key{k, 7}); n == nil || *n.value.Load() != i {
			t.Fatalf("find(%q) = %v; want the node of %d", k, n, i)
		}
	}
	for _, k := range []string{"b", "c", "a"} {
		p.remove(p.find(Key{k, 7}))
		if p.find(Key{k, 7}) != nil {
			t.Fatalf("find(%q) after its removal found it", k)
		}
	}
	if len(p.items) != 0 || p.count != 0 || p.newest.Load() != nil || p.oldest != nil {
		t.Errorf("a part emptied of its keys holds %d slots, %d nodes", len(p.items), p.count)
	}
}

// TestCacheParts checks the split: one list below 64 entries, up to 8 above,
// each on a cache line of its own.
func TestCacheParts(t *testing.T) {
	tests := []struct {
		size, parts int
	}{
		{1, 1}, {2, 1}, {63, 1}, {64, 2}, {127, 2}, {128, 4}, {255, 4}, {256, 8}, {1000, 8},
	}
	for _, tt := range tests {
		if got := New[int](tt.size, nil).Parts(); got != tt.parts {
			t.Errorf("New(%d) has %d parts; want %d", tt.size, got, tt.parts)
		}
	}
	if size := unsafe.Sizeof(part[int]{}); size != cacheLine {
		t.Errorf("a part takes %d bytes; want %d", size, cacheLine)
	}
}

// TestCacheConcurrentUse runs every operation from several goroutines at
// once, for the race detector, and checks that the cache holds no more
// than its size and counts what it holds.
func TestCacheConcurrentUse(t *testing.T) {
	const size = 256
	c := New[int](size, nil)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 2))
			for op := range 20_000 {
				k := key(r.IntN(4 * size))
				switch x := r.IntN(1000); {
				case x < 600:
					if v, ok := c.Get(k); ok && *v < 0 {
						t.Errorf("Get(%v) = %d", k, v)
					}
				case x < 990:
					c.Add(k, val(op))
				case x < 999:
					c.Remove(k)
				default:
					c.Purge()
				}
			}
		})
	}
	wg.Wait()
	n := 0
	for i := range c.parts {
		n += c.parts[i].count
	}
	if n != c.Len() || n > size {
		t.Errorf("the parts hold %d entries, Len() = %d; want equal and at most %d", n, c.Len(), size)
	}
}
