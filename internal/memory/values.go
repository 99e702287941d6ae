package memory

import (
	"maps"
	"sync"
	"sync/atomic"
)

// Values remembers a value for each key of a comparable type, such as the
// path a wrapper's argument resolves to, for a caller that looks keys up
// far more often than it sets them. A Get of a key that has been published
// reads one immutable Go map: no lock, and no allocation, since the key is
// hashed as the map's own type, never boxed. Keys set since the last
// publish wait in a second map under a lock, until their number, or the
// lookups that found them there, pay for publishing a new map that holds
// both. It holds at most its bound of keys: a Set of a new key that would
// pass the bound empties it first, and the values come back as the callers
// that need them set them again. Make one with NewValues.
type Values[K comparable, V any] struct {
	max       int
	published atomic.Pointer[map[K]V] // never changed once stored

	mu      sync.Mutex // guards added and pending
	added   map[K]V    // keys set since the last publish
	pending int        // lookups that found their key in added since the last publish
}

// NewValues returns an empty Values that holds at most bound keys, at least
// one.
func NewValues[K comparable, V any](bound int) *Values[K, V] {
	return &Values[K, V]{max: max(bound, 1)}
}

// Get returns the value of key, when it is known. It keeps no reference to
// key once it returns, so a key may borrow memory the caller reuses.
func (m *Values[K, V]) Get(key K) (V, bool) {
	if p := m.published.Load(); p != nil {
		if v, ok := (*p)[key]; ok {
			return v, true
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.added[key]
	if ok {
		m.pending++
		m.publishIfPaid()
	}
	return v, ok
}

// Set makes v the value of key.
func (m *Values[K, V]) Set(key K, v V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var published map[K]V
	if p := m.published.Load(); p != nil {
		published = *p
	}
	_, inPublished := published[key]
	_, inAdded := m.added[key]
	if !inPublished && !inAdded && len(published)+len(m.added) >= m.max {
		m.published.Store(nil)
		m.added, m.pending = nil, 0
	}
	if m.added == nil {
		m.added = make(map[K]V)
	}
	m.added[key] = v
	if inPublished {
		// Gets read the published map first: publish at once, or they
		// would keep the value before.
		m.pending = len(published) + len(m.added)
	}
	m.publishIfPaid()
}

// Len returns how many keys m holds, counting a key set again once.
func (m *Values[K, V]) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := len(m.added)
	if p := m.published.Load(); p != nil {
		for k := range *p {
			if _, ok := m.added[k]; !ok {
				n++
			}
		}
	}
	return n
}

// publishIfPaid publishes added when the work since the last publish pays
// for copying the keys: when added holds as many keys as the published map,
// so that each Set costs the copy of two keys over time, or when as many
// lookups found their key in added as there are keys. The caller holds mu.
func (m *Values[K, V]) publishIfPaid() {
	var old map[K]V
	if p := m.published.Load(); p != nil {
		old = *p
	}
	if len(m.added) < len(old) && m.pending < len(old)+len(m.added) {
		return
	}
	t := make(map[K]V, len(old)+len(m.added))
	maps.Copy(t, old)
	maps.Copy(t, m.added)
	m.published.Store(&t)
	m.added, m.pending = nil, 0
}
