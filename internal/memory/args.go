package memory

import (
	"reflect"
	"sync/atomic"
	"unsafe"
)

// Args remembers a value, such as the path a wrapper's arguments resolve
// to, for each value of the argument type P, by the value's content (see
// content.go): structs, arrays, slices, maps and pointers of strings,
// booleans and numbers, at any depth. Two arguments share a value only when
// they hold the same data, so an argument whose slice, map or pointee
// changed between two calls is a new key, never the old one's.
//
// A Get writes the content into a buffer on its stack and looks it up in a
// Values, with no lock and no allocation while the content fits the buffer:
// shortKey bytes, or stackKey once a Set or a Get met a longer content (a
// Get that meets one first allocates, once). An argument whose content passes
// maxKey bytes is not remembered, so that Args holds at most its bound of
// keys of at most maxKey bytes each. Make one with NewArgs.
type Args[P, V any] struct {
	content *op
	keys[V]
}

// keys are the values of an Args or an AnyArgs by their keys' contents.
type keys[V any] struct {
	values *Values[string, V]
	long   atomic.Bool // some key passed shortKey
}

// shortKey and stackKey are the contents a Get writes without allocating,
// the first while no content passed it: Go zeroes a buffer on the stack on
// every call, and most arguments' contents are short. Args remembers
// content up to maxKey.
const (
	shortKey = 128
	stackKey = 512
)

// NewArgs returns an empty Args that holds at most bound keys, or nil when
// the content of a P cannot stand for it: see compile. opaque reports the
// types whose meaning may hang on more than their data.
func NewArgs[P, V any](bound int, opaque func(reflect.Type) bool) *Args[P, V] {
	content, ok := compile(reflect.TypeFor[P](), opaque)
	if !ok {
		return nil
	}
	return &Args[P, V]{content: content, keys: keys[V]{values: NewValues[string, V](bound)}}
}

// Get returns the value remembered for args, when there is one.
func (m *Args[P, V]) Get(args P) (V, bool) {
	if m.long.Load() {
		return m.getLong(args)
	}
	var buf [shortKey]byte
	return m.lookup(appendContent(buf[:0], m.content, unsafe.Pointer(&args)))
}

// getLong is Get with a buffer of stackKey bytes.
func (m *Args[P, V]) getLong(args P) (V, bool) {
	var buf [stackKey]byte
	return m.lookup(appendContent(buf[:0], m.content, unsafe.Pointer(&args)))
}

// lookup returns the value remembered for the content key, which Get
// wrote into a buffer on its stack.
func (m *keys[V]) lookup(key []byte) (V, bool) {
	if len(key) > shortKey && !m.long.Load() {
		// That key outgrew the buffer, and allocated: later Gets start
		// with a longer one.
		m.long.Store(true)
	}
	if len(key) > maxKey {
		var zero V
		return zero, false
	}
	// Values.Get keeps no reference to its key, so the key may borrow the
	// buffer for the lookup.
	return m.values.Get(unsafe.String(unsafe.SliceData(key), len(key)))
}

// Set remembers v for args.
func (m *Args[P, V]) Set(args P, v V) {
	var buf [stackKey]byte
	m.set(appendContent(buf[:0], m.content, unsafe.Pointer(&args)), v)
}

// set remembers v for the content key.
func (m *keys[V]) set(key []byte, v V) {
	if len(key) > shortKey {
		// The Gets of key will need the longer buffer.
		m.long.Store(true)
	}
	if len(key) <= maxKey {
		m.values.Set(string(key), v)
	}
}

// Len returns how many keys m remembers: arguments of an Args, lists of
// an AnyArgs.
func (m *keys[V]) Len() int {
	return m.values.Len()
}
