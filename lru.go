package cachetta

import (
	"context"
	"slices"
	"sync/atomic"
	"time"

	"github.com/cachetta-go/cachetta/internal/memory"
	"github.com/cachetta-go/cachetta/internal/storage"
)

// entry is a decoded value with the modification time of the file it came
// from, so memory judges freshness as the disk does.
type entry[T any] struct {
	// The fields a memory hit reads come first, so that for a small value
	// they share its first cache line: young and ttl, then the value.

	// young is true while the entry is surely younger than ttl: a timer on
	// the monotonic clock turns it false clockMargin before the entry's age
	// reaches ttl, so that a hit in the long early part of an entry's life
	// reads no clock. It is false for an entry whose timer was never armed
	// (timer nil). It lives in the entry, not apart, so that a hit reads
	// it from the cache line of the value: the timer's func then holds the
	// entry, which memory lets go of only after stopping it (disarm).
	young atomic.Bool
	ttl   time.Duration
	value T
	// born is modTime carrying a monotonic clock reading: the moment, on the
	// monotonic clock, when the wall clock read modTime, as seen at the disk
	// read or the write that filled the entry. time.Since(born) is then the
	// entry's age at one monotonic clock read, half the cost of time.Now.
	born    time.Time
	modTime time.Time
	// meta describes the entry the value was read from, or that a write
	// put in place, which WithFileCheck compares with a new Stat.
	meta  storage.Meta
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
	e.young.Store(true)
	e.ttl = ttl
	e.timer = time.AfterFunc(left, func() { e.young.Store(false) })
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
	if d >= e.ttl && e.young.Load() {
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

// lruCache is the in-memory layer in front of the files, keyed by resolved
// path: a memory.Cache of entries, which holds exactly size of them and
// evicts the least recently used of the whole memory (see memory.Cache for
// the tolerance), and stops the timer of each entry it lets go.
type lruCache[T any] struct {
	size    int
	home    any // the storage of the copies that read into it (see Cachetta.home)
	entries *memory.Cache[entry[T]]
	// refused counts entries found that their callers did not take (see
	// memoryRefused): rare, so one counter serves every core.
	refused atomic.Uint64
}

func newLRUCache[T any](size int, home any) *lruCache[T] {
	return &lruCache[T]{size: size, home: home, entries: memory.New(size, func(_ string, e *entry[T]) { e.disarm() })}
}

// get returns the entry memory holds for path, and makes it the most
// recently used. It counts the entry as a hit, which a caller that does not
// take it refuses (see memoryRefused).
func (m *lruCache[T]) get(path string) (*entry[T], bool) {
	return m.entries.Get(memory.KeyOf(path))
}

// handle is where a copy's memo of its arguments keeps the entry of a path
// in the copy's memory: a hit through it needs no hash of the path and no
// lookup by it.
type handle[T any] = memory.Handle[entry[T]]

// handle returns a new handle of path in m.
func (m *lruCache[T]) handle(path string) *handle[T] {
	return m.entries.Handle(memory.KeyOf(path))
}

// peek returns the entry memory holds for path, counting no hit and
// changing no order.
func (m *lruCache[T]) peek(path string) (*entry[T], bool) {
	return m.entries.Peek(memory.KeyOf(path))
}

// add remembers e for path, arming its timer for ttl, the duration of the
// copy that read it, and returns the path it evicted to make room, if any.
func (m *lruCache[T]) add(path string, e *entry[T], ttl time.Duration) (victim string, evicted bool) {
	e.arm(ttl)
	return m.entries.Add(memory.KeyOf(path), e)
}

// remove forgets path.
func (m *lruCache[T]) remove(path string) {
	m.entries.Remove(memory.KeyOf(path))
}

// purge empties the memory.
func (m *lruCache[T]) purge() {
	m.entries.Purge()
}

// hits returns the memory hits of m. The refusals are read first: each
// follows its find, so the difference never goes below zero.
func (m *lruCache[T]) hits() uint64 {
	refused := m.refused.Load()
	return m.entries.Hits() - refused
}

// A memory hit needs none of a path's making: the key, its hash and the
// joining of names are only needed to read or write a file. A copy with
// memory therefore remembers what its plain arguments resolve to, and a call
// that finds its path there and its entry fresh in memory returns without
// making one.

// plainArg reports whether a's key is a pure function of a value that ==
// compares, so that a can be looked up in a map: a string, a bool or an
// integer of a predeclared type. Floats are not (0.0 == -0.0 keys apart),
// nor named types (they may have a MarshalJSON).
func plainArg(a any) bool {
	_, ok := plainKeyOf(a)
	return ok
}

// plainKey is a plain argument as the key of a copy's memo: its value held
// inline, where an integer in an interface is a pointer to it, one more
// access to memory per lookup. Integers of every size key as their
// number, as Key writes them, so int8(5) and int(5), which resolve to one
// path, share a key.
type plainKey struct {
	s    string
	n    uint64
	kind plainKind
}

type plainKind uint8

const (
	plainString plainKind = iota + 1
	plainBool
	plainSigned
	plainUnsigned
)

// plainMemo is a copy's memo of the paths of plain arguments, in three
// maps, each keyed by what Go hashes fastest for its arguments: integers
// from 0 to 1<<63-1 of any size and sign, whose keys are their digits, as
// a uint64; strings as themselves; and the rest (booleans, negative
// integers, larger unsigned ones) as their plainKey. Each holds at most
// the memory's size of arguments.
type plainMemo[T any] struct {
	ints    *memory.Values[uint64, *handle[T]]
	strings *memory.Values[string, *handle[T]]
	others  *memory.Values[plainKey, *handle[T]]
}

func newPlainMemo[T any](bound int) *plainMemo[T] {
	return &plainMemo[T]{
		ints:    memory.NewValues[uint64, *handle[T]](bound),
		strings: memory.NewValues[string, *handle[T]](bound),
		others:  memory.NewValues[plainKey, *handle[T]](bound),
	}
}

// get returns the handle remembered for the plain argument a.
func (m *plainMemo[T]) get(a any) (*handle[T], bool) {
	switch v := a.(type) {
	case int:
		if v >= 0 {
			return m.ints.Get(uint64(v))
		}
	case string:
		return m.strings.Get(v)
	}
	if k, ok := plainKeyOf(a); ok {
		if k.small() {
			return m.ints.Get(k.n)
		}
		return m.others.Get(k)
	}
	return nil, false
}

// set remembers that the plain argument a resolves to path in memory m,
// unless it knows that already: a Set of a key already published
// publishes at once.
func (m *plainMemo[T]) set(a any, path string, mem *lruCache[T]) {
	if h, ok := m.get(a); ok && h.Key().String() == path {
		return
	}
	k, _ := plainKeyOf(a)
	switch {
	case k.kind == plainString:
		m.strings.Set(k.s, mem.handle(path))
	case k.small():
		m.ints.Set(k.n, mem.handle(path))
	default:
		m.others.Set(k, mem.handle(path))
	}
}

// small reports whether k is an integer from 0 to 1<<63-1, whose key is its
// digits whatever its type and sign: plainMemo keeps those as a uint64.
func (k plainKey) small() bool {
	return k.kind == plainSigned && int64(k.n) >= 0 || k.kind == plainUnsigned && k.n < 1<<63
}

// plainKeyOf returns the plainKey of a, when a is plain.
func plainKeyOf(a any) (plainKey, bool) {
	switch v := a.(type) {
	case string:
		return plainKey{s: v, kind: plainString}, true
	case bool:
		k := plainKey{kind: plainBool}
		if v {
			k.n = 1
		}
		return k, true
	case int:
		return plainKey{n: uint64(v), kind: plainSigned}, true
	case int8:
		return plainKey{n: uint64(v), kind: plainSigned}, true
	case int16:
		return plainKey{n: uint64(v), kind: plainSigned}, true
	case int32:
		return plainKey{n: uint64(v), kind: plainSigned}, true
	case int64:
		return plainKey{n: uint64(v), kind: plainSigned}, true
	case uint:
		return plainKey{n: uint64(v), kind: plainUnsigned}, true
	case uint8:
		return plainKey{n: uint64(v), kind: plainUnsigned}, true
	case uint16:
		return plainKey{n: uint64(v), kind: plainUnsigned}, true
	case uint32:
		return plainKey{n: uint64(v), kind: plainUnsigned}, true
	case uint64:
		return plainKey{n: v, kind: plainUnsigned}, true
	case uintptr:
		return plainKey{n: uint64(v), kind: plainUnsigned}, true
	}
	return plainKey{}, false
}

// pathOf is PathFor, remembering the path of a plain argument for the
// next call.
func (c *Cachetta[T]) pathOf(args []any) (string, error) {
	path, err := c.PathFor(args...)
	if err == nil && c.known != nil && len(args) == 1 {
		if plainArg(args[0]) {
			c.known.set(args[0], path, c.memory)
		}
	}
	return path, err
}

// pathOfArgs returns the path of args: the one memory knows, or else one
// made from them, which is then remembered.
func (c *Cachetta[T]) pathOfArgs(args []any) (string, error) {
	if h, ok := c.knownPath(args); ok {
		return h.Key().String(), nil
	}
	// The making of a path keeps its arguments (an error names them, a
	// path function is called through a func value), which would move the
	// caller's slice of them to the heap on every call, hits included: it
	// gets a copy, made only here.
	path, err := c.pathOf(slices.Clone(args))
	if err != nil {
		return "", err
	}
	c.rememberArgs(args, path)
	return path, nil
}

// knownPath returns the handle of args' entry in memory when the copy
// knows it without making the path: no arguments, or one plain argument
// seen before.
func (c *Cachetta[T]) knownPath(args []any) (*handle[T], bool) {
	switch {
	case len(args) == 0:
		return c.unkeyed, c.unkeyed != nil
	case len(args) == 1 && c.known != nil:
		if plainArg(args[0]) {
			return c.known.get(args[0])
		}
	}
	if c.args != nil {
		return c.args.Get(args)
	}
	return nil, false
}

// rememberArgs remembers that args, which are not one plain argument,
// resolve to path, for the next Read.
func (c *Cachetta[T]) rememberArgs(args []any, path string) {
	if c.args == nil || len(args) == 0 || len(args) == 1 && plainArg(args[0]) {
		return
	}
	// A Set of a key already published publishes at once: set only what is
	// new.
	if h, ok := c.args.Get(args); !ok || h.Key().String() != path {
		c.args.Set(args, c.memory.handle(path))
	}
}

// memoryHit returns the entry of h when a call with ctx may take it from
// memory without a look at the disk: reading is on, ctx carries no
// override but MaxAge, and the entry is fresh by the cache's duration, cut
// by MaxAge. Anything else is for the full lookup, which logs why it
// misses.
func (c *Cachetta[T]) memoryHit(ctx context.Context, h *handle[T]) (*entry[T], bool) {
	if !c.cfg.read {
		return nil, false
	}
	d := c.cfg.duration
	if o := overridesOf(ctx); o != nil {
		if o.force || o.bypass || !o.bounded {
			return nil, false
		}
		d = min(d, o.maxAge)
	}
	e, found := h.Get()
	return c.taken(ctx, h.Key().String(), e, found, d)
}

// remembered returns the entry memory holds for path when it is younger
// than d and, with WithFileCheck, its file has not changed since it was
// read.
func (c *Cachetta[T]) remembered(ctx context.Context, path string, d time.Duration) (*entry[T], bool) {
	e, found := c.memory.get(path)
	return c.taken(ctx, path, e, found, d)
}

// taken returns e, which memory found for path when found, when a call may
// take it: it is younger than d and, with WithFileCheck, its file has not
// changed since it was read.
func (c *Cachetta[T]) taken(ctx context.Context, path string, e *entry[T], found bool, d time.Duration) (*entry[T], bool) {
	if !found || !e.youngerThan(d) {
		return nil, c.memoryRefused(found)
	}
	if c.cfg.memoryCheck && !c.unchanged(ctx, path, e) {
		return nil, c.memoryRefused(true)
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
// handle of the call without arguments, when its path is confined, and an
// empty memo of plain arguments. A copy without memory or with a path
// function has neither.
func (c *Cachetta[T]) preparePaths() {
	c.unkeyed, c.known, c.args = nil, nil, nil
	if c.memory == nil || c.cfg.pathFunc != nil {
		return
	}
	if path, err := c.confine(c.path); err == nil {
		c.unkeyed = c.memory.handle(path)
	}
	c.known = newPlainMemo[T](c.cfg.lruSize)
	c.args = memory.NewAnyArgs[*handle[T]](c.cfg.lruSize, spellsItself)
}
