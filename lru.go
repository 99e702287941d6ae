package cachetta

import (
	"hash/maphash"
	"io/fs"
	"sync"
	"time"
	"unsafe"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// entry is a decoded value with the modification time of the file it came
// from, so memory judges freshness as the disk does.
type entry[T any] struct {
	value   T
	modTime time.Time
	// born is modTime carrying a monotonic clock reading: the moment, on the
	// monotonic clock, when the wall clock read modTime, as seen at the disk
	// read that filled the entry. time.Since(born) is then the entry's age
	// at one monotonic clock read, half the cost of time.Now.
	born time.Time
	// file is the stat of the file the value was read from, which
	// WithMemoryCheck compares with a new stat.
	file fs.FileInfo
	// stored is what a cache with a store remembers of the store entry
	// instead, nil without a store.
	stored *storeInfo
}

// newEntry returns the entry of value read at now, a time.Now reading, from
// a file last modified at modTime. Entries are never changed once made, so
// memory holds pointers to them and a hit copies the value once, to its
// caller.
func newEntry[T any](value T, modTime, now time.Time) *entry[T] {
	// Add keeps now's monotonic reading, shifted by the entry's age; Sub of
	// a time without one uses the wall clock, as the disk rule does.
	return &entry[T]{value: value, modTime: modTime, born: now.Add(modTime.Sub(now))}
}

// age returns how old e is now. It reads the monotonic clock only, so a
// step of the wall clock after the fill does not change it: memory measures
// the time elapsed since the disk read, which the disk rule only sees
// through the wall clock. A step forward by s thus lets memory answer an
// entry for up to s past the moment the disk rule expires it; a step back
// makes memory expire it early, and the next read goes to the disk.
func (e *entry[T]) age() time.Duration {
	return time.Since(e.born)
}

// minShardSize is the fewest entries a part of a memory holds, and maxShards
// the most parts a memory is split into.
const (
	minShardSize = 32
	maxShards    = 8
)

// lruCache is the in-memory layer in front of the files, keyed by resolved
// file path. A memory of fewer than 2*minShardSize entries is one LRU list,
// evicting in exact least-recently-used order; a larger one is split into up
// to maxShards lists, chosen by a hash of the path, each evicting its own
// least recently used entry, so that hits of different paths on different
// cores do not wait on one lock. The sizes of the parts add up to size.
type lruCache[T any] struct {
	size   int
	fsys   fileSystem // the file system of the copies that read into it
	seed   maphash.Seed
	shards []shard[T] // a power of two of them
}

// shard is one LRU list of a memory, as golang-lru's Cache is one: a
// simplelru.LRU under a mutex. Each sits on a cache line of its own, so
// that a core taking one shard's lock does not slow the hits on another's.
type shard[T any] struct {
	mu      sync.Mutex // guards entries
	entries *simplelru.LRU[string, *entry[T]]
	_       [cacheLine - unsafe.Sizeof(sync.Mutex{}) - unsafe.Sizeof((*int)(nil))]byte
}

// cacheLine is the size of a cache line on common CPUs.
const cacheLine = 64

func newLRUCache[T any](size int, fsys fileSystem) *lruCache[T] {
	n := 1
	for n < maxShards && size/(2*n) >= minShardSize {
		n *= 2
	}
	m := &lruCache[T]{size: size, fsys: fsys, seed: maphash.MakeSeed(), shards: make([]shard[T], n)}
	for i := range m.shards {
		// NewLRU fails only for a size <= 0, which config.validate and
		// shared.memory rule out.
		entries, err := simplelru.NewLRU[string, *entry[T]](size/n+btoi(i < size%n), nil)
		if err != nil {
			panic("cachetta: " + err.Error())
		}
		m.shards[i].entries = entries
	}
	return m
}

// btoi returns 1 for true and 0 for false.
func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// shard returns the list that holds path.
func (m *lruCache[T]) shard(path string) *shard[T] {
	if len(m.shards) == 1 {
		return &m.shards[0]
	}
	return &m.shards[maphash.String(m.seed, path)&uint64(len(m.shards)-1)]
}

func (m *lruCache[T]) get(path string) (*entry[T], bool) {
	s := m.shard(path)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.entries.Get(path)
}

func (m *lruCache[T]) add(path string, e *entry[T]) {
	s := m.shard(path)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries.Add(path, e)
}

func (m *lruCache[T]) remove(path string) {
	s := m.shard(path)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries.Remove(path)
}

// purge empties the memory.
func (m *lruCache[T]) purge() {
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.Lock()
		s.entries.Purge()
		s.mu.Unlock()
	}
}
