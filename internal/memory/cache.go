package memory

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

// minPart is the fewest entries a part of a cache holds on average, and
// maxParts the most parts a cache is split into.
const (
	minPart  = 32
	maxParts = 8
)

// Cache holds pointers to up to a fixed number of values by key and, when
// full, drops the least recently used to make room for a new one. Its zero
// value is not usable; make one with [New].
//
// A cache of fewer than 2*32 entries is one list under one lock. A larger
// one is split into up to 8 parts, chosen by the hash of the key, each a
// list under a lock of its own, so that hits of keys in different parts do
// not wait on one another. The bound is the cache's, not a part's: any size
// keys fit, however the hash spreads them.
//
// Every use of an entry (an Add, or a Get that moves it, by key or Handle)
// takes a number from one clock shared by the parts, so that a full cache
// evicts the entry used least recently in the whole cache: the oldest of
// the parts' oldest entries. The tolerance: a get of the newest entry of
// its part, the hit of a hot key, takes no lock and records no use, so for
// eviction that entry counts as used when it last became its part's
// newest. A get of it once another entry of its part is newer records the
// use again. Eviction is thus in exact least-recently-used order but for
// the gets that found their entry at the front of its part; and while
// calls overlap, in any order they could have run in.
type Cache[E any] struct {
	size  int
	drop  func(key string, e *E) // called for each value the cache lets go
	parts []part[E]              // a power of two of them
	len   atomic.Int64           // the entries of all parts
	clock atomic.Uint64          // uses so far: each Add and each Get that moves its entry takes the next
}

// part is one list of a cache. Each sits on a cache line of its own, so that
// a core taking one part's lock does not slow the hits on another's.
type part[E any] struct {
	mu sync.Mutex // guards items, oldest, count, the nodes' links, stamps and values, and stores to newest
	// items holds the nodes by the hash of their keys, each the first of
	// the nodes whose keys share that hash: a map keyed by a number, whose
	// lookup compares no key bytes but the found node's.
	items map[uint64]*node[E]
	// newest is the node at the front of the list, nil when it is empty.
	// A Get of the newest node changes no order, so it takes no lock but
	// one atomic load: the hit of a hot key, the common case.
	newest atomic.Pointer[node[E]]
	oldest *node[E]
	count  int           // the nodes in the list
	hits   atomic.Uint64 // Gets that found their key
	_      [cacheLine - unsafe.Sizeof(sync.Mutex{}) - 4*unsafe.Sizeof((*int)(nil)) - 8]byte
}

// cacheLine is the size of a cache line on common CPUs.
const cacheLine = 64

// node is the entry of a key in a part's list, for as long as the part
// holds the key: an Add of the key replaces its value, not the node. Its
// key and hash never change; its value is nil once the node left the list.
type node[E any] struct {
	key          string
	hash         uint64
	value        atomic.Pointer[E] // stored with the part's lock held, loaded without it by Gets of the newest node
	same         *node[E]          // the next node whose key has the same hash, almost always nil
	newer, older *node[E]
	stamp        uint64 // the clock's count at the node's last recorded use
}

// A Handle is a caller's lasting hold on one key of one Cache, for a caller
// that gets that key again and again, such as the entry that a wrapper's
// argument resolves to: a Get through it finds the key's value with no hash
// and no lookup by key while the cache holds the key, and looks the key up
// again, once, when the cache let go of it and holds it anew. Make one with
// [Cache.Handle]; it is safe for concurrent use.
type Handle[E any] struct {
	c   *Cache[E]
	key Key
	n   atomic.Pointer[node[E]] // the key's node when last found, nil before
}

// Handle returns a new Handle of key in c, which c need not hold yet.
func (c *Cache[E]) Handle(key Key) *Handle[E] {
	return &Handle[E]{c: c, key: key}
}

// Key returns the key of h.
func (h *Handle[E]) Key() Key { return h.key }

// Get is the Cache's Get of h's key.
func (h *Handle[E]) Get() (*E, bool) {
	// The newest node of its part, the hit of a hot key, in a function
	// small enough for its callers to take in.
	if n := h.n.Load(); n != nil {
		p := h.c.part(n.hash)
		if p.newest.Load() == n {
			if e := n.value.Load(); e != nil {
				p.hits.Add(1)
				return e, true
			}
		}
	}
	return h.get()
}

// get is Get of a node that was not the newest of its part, or that left
// the cache.
func (h *Handle[E]) get() (*E, bool) {
	// A node that left its list never comes back to it: a key added again
	// has a new node, which a lookup finds.
	if n := h.n.Load(); n != nil && n.value.Load() != nil {
		p := h.c.part(n.hash)
		p.mu.Lock()
		if n.value.Load() != nil {
			e := h.c.use(p, n)
			p.mu.Unlock()
			p.hits.Add(1)
			return e, true
		}
		p.mu.Unlock()
	}
	e, n, ok := h.c.lookup(h.key)
	if ok {
		h.n.Store(n)
	}
	return e, ok
}

// New returns a cache of at most size values, size > 0, which calls drop,
// when not nil, with each value it lets go: evicted, removed, replaced by an
// Add of its key, or purged. drop runs after the cache let go, with no lock
// held.
func New[E any](size int, drop func(key string, e *E)) *Cache[E] {
	if size <= 0 {
		panic("memory: New with size <= 0")
	}
	n := 1
	for n < maxParts && size/(2*n) >= minPart {
		n *= 2
	}
	if drop == nil {
		drop = func(string, *E) {}
	}
	c := &Cache[E]{size: size, drop: drop, parts: make([]part[E], n)}
	for i := range c.parts {
		c.parts[i].items = make(map[uint64]*node[E])
	}
	return c
}

// Size returns the most values c holds.
func (c *Cache[E]) Size() int { return c.size }

// Len returns how many values c holds.
func (c *Cache[E]) Len() int { return int(c.len.Load()) }

// Hits returns how many Gets found their key.
func (c *Cache[E]) Hits() uint64 {
	var n uint64
	for i := range c.parts {
		n += c.parts[i].hits.Load()
	}
	return n
}

// Parts returns how many parts c is split into: keys of different parts
// never wait on each other's lock.
func (c *Cache[E]) Parts() int { return len(c.parts) }

// Part returns the index of the part that holds key, below Parts.
func (c *Cache[E]) Part(key Key) int {
	return int(key.hash & uint64(len(c.parts)-1))
}

// part returns the part that holds the key of hash h.
func (c *Cache[E]) part(h uint64) *part[E] {
	return &c.parts[h&uint64(len(c.parts)-1)]
}

// Get returns the value of key and makes it the most recently used, and
// counts a hit when it is there.
func (c *Cache[E]) Get(key Key) (*E, bool) {
	e, _, ok := c.lookup(key)
	return e, ok
}

// lookup is Get, which also returns the node of key.
func (c *Cache[E]) lookup(key Key) (*E, *node[E], bool) {
	p := c.part(key.hash)
	// The hash first: the newest node's key, unlike its hash, usually
	// differs from key only in its last bytes.
	if n := p.newest.Load(); n != nil && n.hash == key.hash && n.key == key.s {
		if e := n.value.Load(); e != nil {
			p.hits.Add(1)
			return e, n, true
		}
	}
	p.mu.Lock()
	n := p.find(key)
	if n == nil {
		p.mu.Unlock()
		return nil, nil, false
	}
	e := c.use(p, n)
	p.mu.Unlock()
	p.hits.Add(1)
	return e, n, true
}

// use records a use of n, in p's list, and returns its value. The caller
// holds p's lock.
func (c *Cache[E]) use(p *part[E], n *node[E]) *E {
	n.stamp = c.clock.Add(1)
	front := p.newest.Load()
	if front == n {
		return n.value.Load()
	}
	// n is the newest first: the atomic store waits for the stores before
	// it, and the ones to n's neighbours, which a Get of a cold key misses
	// in the cache, come after it. Gets of the newest node read no links.
	p.newest.Store(n)
	n.newer.older = n.older // n.newer is not nil: n was not the newest
	if n.older != nil {
		n.older.newer = n.newer
	} else {
		p.oldest = n.newer
	}
	n.newer, n.older = nil, front
	front.newer = n
	return n.value.Load()
}

// Peek returns the value of key without counting a hit or changing its
// place.
func (c *Cache[E]) Peek(key Key) (*E, bool) {
	p := c.part(key.hash)
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := p.find(key); n != nil {
		return n.value.Load(), true
	}
	return nil, false
}

// Add makes e, not nil, the value of key, the most recently used, and
// returns the key it evicted to make room, if any: the least recently used
// of the cache (see Cache). Replacing the value of a key evicts nothing.
func (c *Cache[E]) Add(key Key, e *E) (victim string, evicted bool) {
	p := c.part(key.hash)
	p.mu.Lock()
	if n := p.find(key); n != nil {
		old := n.value.Load()
		n.value.Store(e)
		c.use(p, n)
		p.mu.Unlock()
		c.drop(key.s, old)
		return "", false
	}
	n := &node[E]{key: key.s, hash: key.hash, stamp: c.clock.Add(1)}
	n.value.Store(e)
	p.insert(n)
	full := c.len.Add(1) > int64(c.size)
	p.mu.Unlock()
	if !full {
		return "", false
	}
	return c.evict()
}

// evict drops the least recently used entry of c, the oldest of its parts'
// oldest entries, and returns its key.
func (c *Cache[E]) evict() (string, bool) {
	for {
		var oldest *part[E]
		var stamp uint64
		for i := range c.parts {
			p := &c.parts[i]
			p.mu.Lock()
			if o := p.oldest; o != nil && (oldest == nil || o.stamp < stamp) {
				oldest, stamp = p, o.stamp
			}
			p.mu.Unlock()
		}
		if oldest == nil {
			return "", false // others emptied the cache meanwhile
		}
		p := oldest
		p.mu.Lock()
		// A call since the look may have used or removed that entry: the
		// part's oldest now is the one to go, unless the part is empty.
		o := p.oldest
		if o == nil {
			p.mu.Unlock()
			continue
		}
		e := p.remove(o)
		c.len.Add(-1)
		p.mu.Unlock()
		c.drop(o.key, e)
		return o.key, true
	}
}

// Remove drops the value of key and reports whether c held one.
func (c *Cache[E]) Remove(key Key) bool {
	p := c.part(key.hash)
	p.mu.Lock()
	n := p.find(key)
	if n == nil {
		p.mu.Unlock()
		return false
	}
	e := p.remove(n)
	c.len.Add(-1)
	p.mu.Unlock()
	c.drop(key.s, e)
	return true
}

// Purge drops every value of c.
func (c *Cache[E]) Purge() {
	type dropped struct {
		key string
		e   *E
	}
	var all []dropped
	for i := range c.parts {
		p := &c.parts[i]
		p.mu.Lock()
		for n := p.newest.Load(); n != nil; {
			all = append(all, dropped{n.key, n.value.Load()})
			n.value.Store(nil)
			n.newer, n.older, n.same, n = nil, nil, nil, n.older
		}
		c.len.Add(-int64(p.count))
		p.items = make(map[uint64]*node[E])
		p.newest.Store(nil)
		p.oldest, p.count = nil, 0
		p.mu.Unlock()
	}
	for _, d := range all {
		c.drop(d.key, d.e)
	}
}

// find returns the node of key, or nil.
func (p *part[E]) find(key Key) *node[E] {
	n := p.items[key.hash]
	for n != nil && n.key != key.s {
		n = n.same
	}
	return n
}

// insert adds n, whose key p does not hold, at the front of p's list.
func (p *part[E]) insert(n *node[E]) {
	n.same = p.items[n.hash]
	p.items[n.hash] = n
	p.count++
	p.pushFront(n)
}

// remove takes n out of p and returns its value.
func (p *part[E]) remove(n *node[E]) *E {
	p.unlink(n)
	p.count--
	first := p.items[n.hash]
	switch {
	case first == n && n.same == nil:
		delete(p.items, n.hash)
	case first == n:
		p.items[n.hash] = n.same
	default:
		for first.same != n {
			first = first.same
		}
		first.same = n.same
	}
	n.same = nil
	e := n.value.Load()
	n.value.Store(nil)
	return e
}

// pushFront puts n, in no list, at the front of p's list.
func (p *part[E]) pushFront(n *node[E]) {
	front := p.newest.Load()
	n.newer, n.older = nil, front
	if front != nil {
		front.newer = n
	} else {
		p.oldest = n
	}
	p.newest.Store(n)
}

// unlink takes n out of p's list.
func (p *part[E]) unlink(n *node[E]) {
	if n.newer != nil {
		n.newer.older = n.older
	} else {
		p.newest.Store(n.older)
	}
	if n.older != nil {
		n.older.newer = n.newer
	} else {
		p.oldest = n.newer
	}
	n.newer, n.older = nil, nil
}
