package cachetta

import (
	"context"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/cachetta-go/cachetta/internal/storage"
	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// entry is a decoded value with the modification time of the file it came
// from, so memory judges freshness as the disk does.
type entry[T any] struct {
	value   T
	path    string // the key memory holds it under, set by add
	modTime time.Time
	// born is modTime carrying a monotonic clock reading: the moment, on the
	// monotonic clock, when the wall clock read modTime, as seen at the disk
	// read or the write that filled the entry. time.Since(born) is then the
	// entry's age at one monotonic clock read, half the cost of time.Now.
	born time.Time
	// meta describes the entry the value was read from, or that a write
	// put in place, which WithFileCheck compares with a new Stat.
	meta storage.Meta
	// young is true while the entry is surely younger than ttl: a timer on
	// the monotonic clock turns it false clockMargin before the entry's age
	// reaches ttl, so that a hit in the long early part of an entry's life
	// reads no clock. It is nil for an entry whose timer was never armed,
	// and lives apart from the entry so that a timer never keeps a value
	// alive.
	young *atomic.Bool
	ttl   time.Duration
	timer *time.Timer // stopped when memory drops the entry
}

// newEntry returns the entry of value read or written at now, a time.Now
// reading, from or to a file last modified at modTime. An entry's value and times never change
// once memory holds it (only memory's own bookkeeping is set when it adds
// the entry), so memory holds pointers to entries and a hit copies the
// value once, to its caller.
func newEntry[T any](value T, modTime, now time.Time) *entry[T] {
	// Add keeps now's monotonic reading, shifted by the entry's age; Sub of
	// a time without one uses the wall clock, as the disk rule does.
	return &entry[T]{value: value, modTime: modTime, born: now.Add(modTime.Sub(now))}
}

// clockMargin is how long before an entry expires its timer fires. From
// then on each hit reads the clock, so only a timer late by more than
// clockMargin, a stall of the whole program at that moment, lets a hit see
// an entry past its duration, and by no more than the stall lasts.
const clockMargin = time.Second

// arm starts the timer that lets hits find e younger than ttl without a
// clock read, when e is young enough for it to matter. An entry read inside
// a testing/synctest bubble, whose clock has no monotonic reading, is not
// armed: a timer made in a bubble must never be stopped from outside it,
// and its hits read the bubble's clock.
func (e *entry[T]) arm(ttl time.Duration) {
	if e.born == e.born.Round(0) {
		return
	}
	left := ttl - e.age() - clockMargin
	if left <= 0 {
		return
	}
	young := new(atomic.Bool)
	young.Store(true)
	e.young, e.ttl = young, ttl
	e.timer = time.AfterFunc(left, func() { young.Store(false) })
}

// disarm stops e's timer, which memory no longer needs.
func (e *entry[T]) disarm() {
	if e.timer != nil {
		e.timer.Stop()
	}
}

// youngerThan reports whether e's age is less than d, reading the clock only
// when e's timer cannot tell.
func (e *entry[T]) youngerThan(d time.Duration) bool {
	if e.young != nil && d >= e.ttl && e.young.Load() {
		return true
	}
	return e.age() < d
}

// age returns how old e is now. It reads the monotonic clock only, so a
// step of the wall clock after the fill does not change it: memory measures
// the time elapsed since the read or write, which the disk rule only sees
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
// to maxShards lists, chosen by a hash of the path, so that hits of
// different paths on different cores do not wait on one lock. The bound is
// the memory's, not a part's: any size entries fit, however the hash spreads
// them, and only an entry beyond size evicts, the least recently used of
// its own part (of another part when its own holds nothing else). Eviction
// is thus least recently used among about size/maxShards entries.
type lruCache[T any] struct {
	size   int
	home   any // the storage of the copies that read into it (see Cachetta.home)
	seed   maphash.Seed
	shards []shard[T]    // a power of two of them
	total  atomic.Int64  // the entries of all shards
	next   atomic.Uint32 // the shard to evict from when a part holds only the new entry
}

// shard is one LRU list of a memory, as golang-lru's Cache is one: a
// simplelru.LRU under a mutex. Each sits on a cache line of its own, so
// that a core taking one shard's lock does not slow the hits on another's.
type shard[T any] struct {
	mu      sync.Mutex // guards entries, victim, and the stores to front
	entries *simplelru.LRU[string, *entry[T]]
	// front is the entry at the front of entries, or nil when unknown. A
	// hit of the front entry changes no order, so it takes no lock: it is
	// the hit of a hot key, the common case, at the cost of one atomic load.
	front   atomic.Pointer[entry[T]]
	found   atomic.Uint64 // gets that found their path; hits are found - refused (stats.go)
	refused atomic.Uint64 // entries found that their callers did not take
	victim  string        // the path the last eviction, removal or purge dropped
	_       [cacheLine - unsafe.Sizeof(sync.Mutex{}) - 2*unsafe.Sizeof((*int)(nil)) - 16 - unsafe.Sizeof("")]byte
}

// cacheLine is the size of a cache line on common CPUs.
const cacheLine = 64

func newLRUCache[T any](size int, home any) *lruCache[T] {
	n := 1
	for n < maxShards && size/(2*n) >= minShardSize {
		n *= 2
	}
	m := &lruCache[T]{size: size, home: home, seed: maphash.MakeSeed(), shards: make([]shard[T], n)}
	for i := range m.shards {
		// NewLRU fails only for a size <= 0, which config.validate and
		// shared.memory rule out.
		s := &m.shards[i]
		// Each part may hold the whole memory and, for a moment, the entry
		// that add then evicts: the list never evicts on its own, the total
		// is bounded in add.
		entries, err := simplelru.NewLRU(size+1, func(path string, e *entry[T]) {
			e.disarm()
			s.victim = path
		})
		if err != nil {
			panic("cachetta: " + err.Error())
		}
		s.entries = entries
	}
	return m
}

// shard returns the list that holds path.
func (m *lruCache[T]) shard(path string) *shard[T] {
	if len(m.shards) == 1 {
		return &m.shards[0]
	}
	return &m.shards[maphash.String(m.seed, path)&uint64(len(m.shards)-1)]
}

// get returns the entry memory holds for path and the shard of path. It
// counts the entry as a hit, which a caller that does not take it refuses
// (see memoryRefused).
func (m *lruCache[T]) get(path string) (*entry[T], *shard[T], bool) {
	s := m.shard(path)
	if e := s.front.Load(); e != nil && e.path == path {
		s.found.Add(1)
		return e, s, true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries.Get(path)
	if ok {
		s.front.Store(e) // Get moved it to the front
		s.found.Add(1)
	}
	return e, s, ok
}

// add remembers e for path, arming its timer for ttl, the duration of the
// copy that read it, and returns the path it evicted to make room, if any.
func (m *lruCache[T]) add(path string, e *entry[T], ttl time.Duration) (victim string, evicted bool) {
	e.arm(ttl)
	s := m.shard(path)
	s.mu.Lock()
	// Add replaces an entry without reporting it as evicted.
	old, replaced := s.entries.Peek(path)
	if replaced {
		old.disarm()
	}
	e.path = path
	s.entries.Add(path, e)
	s.front.Store(e)
	if replaced || m.total.Add(1) <= int64(m.size) {
		s.mu.Unlock()
		return "", false
	}
	if s.entries.Len() > 1 {
		victim, evicted = s.evictOldest()
		s.mu.Unlock()
		m.total.Add(-1)
		return victim, evicted
	}
	s.mu.Unlock()
	// Only the new entry is in its part: another part gives one up, taken
	// in turn so that no part is drained first.
	for range len(m.shards) {
		o := &m.shards[m.next.Add(1)&uint32(len(m.shards)-1)]
		if o == s {
			continue
		}
		o.mu.Lock()
		if o.entries.Len() > 0 {
			victim, evicted = o.evictOldest()
		}
		o.mu.Unlock()
		if evicted {
			m.total.Add(-1)
			return victim, true
		}
	}
	return "", false
}

// evictOldest drops the least recently used entry of s, whose mu the caller
// holds, and returns its path.
func (s *shard[T]) evictOldest() (string, bool) {
	if _, _, ok := s.entries.RemoveOldest(); !ok {
		return "", false
	}
	if f := s.front.Load(); f != nil && f.path == s.victim {
		s.front.Store(nil)
	}
	return s.victim, true
}

func (m *lruCache[T]) remove(path string) {
	s := m.shard(path)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.entries.Remove(path) {
		m.total.Add(-1)
	}
	s.front.Store(nil)
}

// purge empties the memory.
func (m *lruCache[T]) purge() {
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.Lock()
		m.total.Add(-int64(s.entries.Len()))
		s.entries.Purge()
		s.front.Store(nil)
		s.mu.Unlock()
	}
}

// A memory hit needs none of a path's making: the key, its hash and the
// joining of names are only needed to read or write a file. A copy with
// memory therefore remembers what its plain arguments resolve to, and a call
// that finds its path there and its entry fresh in memory returns without
// making one.

// knownPaths maps plain arguments to the files they resolve to, for the
// calls of one copy (New, Join, With) without a path function, which may not
// be a pure function of its argument. It holds about max arguments: one
// that would pass the bound empties it, and the paths come back as the
// calls that need them make them again. The zero value is not usable.
type knownPaths struct {
	max  int64
	n    atomic.Int64 // how many arguments m holds, about
	args sync.Map     // a plain argument -> its path, a string
}

// plainArg reports whether a's key is a pure function of a value that ==
// compares, so that a can be looked up in a map: a string, a bool or an
// integer of a predeclared type. Floats are not (0.0 == -0.0 keys apart),
// nor named types (they may have a MarshalJSON).
func plainArg(a any) bool {
	switch a.(type) {
	case string, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, uintptr:
		return true
	}
	return false
}

// get returns the path of the plain argument a, when it is known.
func (k *knownPaths) get(a any) (string, bool) {
	p, ok := k.args.Load(a)
	if !ok {
		return "", false
	}
	return p.(string), true
}

// put remembers that the plain argument a resolves to path.
func (k *knownPaths) put(a any, path string) {
	if _, loaded := k.args.LoadOrStore(a, path); loaded {
		return
	}
	if k.n.Add(1) > k.max {
		k.args.Clear()
		k.n.Store(0)
	}
}

// pathOf is PathFor, remembering the path of a plain argument for the next
// call.
func (c *Cachetta[T]) pathOf(args []any) (string, error) {
	path, err := c.PathFor(args...)
	if err == nil && c.known != nil && len(args) == 1 && plainArg(args[0]) {
		c.known.put(args[0], path)
	}
	return path, err
}

// knownPath returns the path of args when the copy knows it without making
// it: no arguments, or one plain argument seen before.
func (c *Cachetta[T]) knownPath(args []any) (string, bool) {
	switch {
	case len(args) == 0:
		return c.unkeyed, c.unkeyed != ""
	case len(args) == 1 && c.known != nil && plainArg(args[0]):
		return c.known.get(args[0])
	}
	return "", false
}

// memoryHit returns the entry memory holds for path when a call with ctx
// may take it from there without a look at the disk: reading is on, ctx
// carries no override but MaxAge, and the entry is fresh by the cache's
// duration, cut by MaxAge. Anything else is for the full lookup, which logs
// why it misses.
func (c *Cachetta[T]) memoryHit(ctx context.Context, path string) (*entry[T], bool) {
	if c.memory == nil || !c.cfg.read {
		return nil, false
	}
	d := c.cfg.duration
	if o := overridesOf(ctx); o != nil {
		if o.force || o.bypass || !o.bounded {
			return nil, false
		}
		d = min(d, o.maxAge)
	}
	return c.remembered(ctx, path, d)
}

// remembered returns the entry memory holds for path when it is younger
// than d and, with WithFileCheck, its file has not changed since it was
// read.
func (c *Cachetta[T]) remembered(ctx context.Context, path string, d time.Duration) (*entry[T], bool) {
	e, s, ok := c.memory.get(path)
	if !ok || !e.youngerThan(d) {
		return nil, c.memoryRefused(s, ok)
	}
	if c.cfg.memoryCheck && !c.unchanged(ctx, path, e) {
		return nil, c.memoryRefused(s, true)
	}
	c.memoryHitEmitted(path)
	return e, true
}

// unchanged reports whether the entry at path is still the one e was read
// from: the same file by os.SameFile, or the same store version, with the
// same modification time and size.
func (c *Cachetta[T]) unchanged(ctx context.Context, path string, e *entry[T]) bool {
	m, err := c.storage.Stat(ctx, path)
	return err == nil && e.meta.Same(m)
}

// preparePaths sets what a copy knows of its paths before any call: the
// path of a call without arguments, when it is confined, and an empty map
// of plain arguments. A copy without memory or with a path function has
// neither.
func (c *Cachetta[T]) preparePaths() {
	c.unkeyed, c.known = "", nil
	if c.memory == nil || c.cfg.pathFunc != nil {
		return
	}
	if path, err := c.confine(c.path); err == nil {
		c.unkeyed = path
	}
	c.known = &knownPaths{max: int64(c.cfg.lruSize)}
}
