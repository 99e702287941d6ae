package memory

import (
	"reflect"
	"sync"
	"unsafe"
)

// Args remembers a value, such as the path a wrapper's arguments resolve
// to, for each value of the argument type P, by the value's content (see
// content.go): structs, arrays, slices, maps and pointers of strings,
// booleans and numbers, at any depth. Two arguments share a value only when
// they hold the same data, so an argument whose slice, map or pointee
// changed between two calls is a new key, never the old one's.
//
// A Get writes the content into a pooled buffer and looks it up in a
// Values, with no lock and no allocation. An argument whose content passes
// maxKey bytes is not remembered, so that Args holds at most its bound of
// keys of at most maxKey bytes each. Make one with NewArgs.
type Args[P, V any] struct {
	encode  encodeFunc
	values  *Values[string, V]
	scratch sync.Pool // of *argScratch[P]
}

// maxKey is the largest content Args remembers.
const maxKey = 4 << 10

// maxScratch is the largest buffer the pool keeps: one grown by a huge
// argument is left to the collector.
const maxScratch = 64 << 10

// argScratch is where a Get writes the content of its argument: a copy of
// the argument, so that the caller's stays on its stack, and the buffer.
type argScratch[P any] struct {
	args P
	enc  encoder
}

// NewArgs returns an empty Args that holds at most bound keys, or nil when
// the content of a P cannot stand for it: see compile. opaque reports the
// types whose meaning may hang on more than their data.
func NewArgs[P, V any](bound int, opaque func(reflect.Type) bool) *Args[P, V] {
	encode, ok := compile(reflect.TypeFor[P](), opaque)
	if !ok {
		return nil
	}
	m := &Args[P, V]{encode: encode, values: NewValues[string, V](bound)}
	m.scratch.New = func() any { return new(argScratch[P]) }
	return m
}

// Get returns the value remembered for args, when there is one.
func (m *Args[P, V]) Get(args P) (V, bool) {
	s := m.content(args)
	var (
		v  V
		ok bool
	)
	if b := s.enc.buf; len(b) <= maxKey {
		// Values.Get keeps no reference to its key, so the key may borrow
		// the buffer for the lookup, which then allocates nothing.
		v, ok = m.values.Get(unsafe.String(unsafe.SliceData(b), len(b)))
	}
	m.release(s)
	return v, ok
}

// Set remembers v for args.
func (m *Args[P, V]) Set(args P, v V) {
	s := m.content(args)
	if b := s.enc.buf; len(b) <= maxKey {
		m.values.Set(string(b), v)
	}
	m.release(s)
}

// Len returns how many arguments m remembers.
func (m *Args[P, V]) Len() int {
	return m.values.Len()
}

// content returns a scratch holding the content of args.
func (m *Args[P, V]) content(args P) *argScratch[P] {
	s := m.scratch.Get().(*argScratch[P])
	s.args = args
	s.enc.buf = s.enc.buf[:0]
	m.encode(&s.enc, unsafe.Pointer(&s.args))
	return s
}

// release returns s to the pool without the caller's data, which the pool
// must not keep alive.
func (m *Args[P, V]) release(s *argScratch[P]) {
	var zero P
	s.args = zero
	if cap(s.enc.buf) > maxScratch {
		s.enc.buf = nil
	}
	if cap(s.enc.spans) > maxScratch {
		s.enc.spans = nil
	}
	m.scratch.Put(s)
}
