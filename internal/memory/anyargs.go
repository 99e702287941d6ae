package memory

import (
	"reflect"
	"unsafe"
)

// AnyArgs is Args for a list of arguments of any types, as a variadic
// function such as a cache's Read takes them: it remembers a value for each
// list by the dynamic type and the content of every argument, so two lists
// share a value only when their arguments have the same types and hold the
// same data. A list holding an argument whose type content cannot key (see
// NewArgs) is never remembered. Make one with NewAnyArgs.
type AnyArgs[V any] struct {
	opaque func(reflect.Type) bool
	ops    *Values[reflect.Type, *anyOp] // what each type seen compiles to
	keys[V]
}

// anyOp is the content of one dynamic type: nil when content cannot key
// it. direct is whether an interface holds a value of the type in its data
// word itself, as it holds a pointer, a map or a struct of one pointer,
// rather than a pointer to the value.
type anyOp struct {
	op     *op
	direct bool
}

// maxTypes bounds the types an AnyArgs compiles: a program has few, and
// past the bound they are compiled again as calls need them.
const maxTypes = 1 << 10

// NewAnyArgs returns an empty AnyArgs that holds at most bound lists;
// opaque is as for NewArgs.
func NewAnyArgs[V any](bound int, opaque func(reflect.Type) bool) *AnyArgs[V] {
	return &AnyArgs[V]{opaque: opaque, ops: NewValues[reflect.Type, *anyOp](maxTypes), keys: keys[V]{values: NewValues[string, V](bound)}}
}

// Get returns the value remembered for args, when there is one.
func (m *AnyArgs[V]) Get(args []any) (V, bool) {
	if m.long.Load() {
		return m.getLong(args)
	}
	var buf [shortKey]byte
	return m.find(buf[:0], args)
}

// getLong is Get with a buffer of stackKey bytes.
func (m *AnyArgs[V]) getLong(args []any) (V, bool) {
	var buf [stackKey]byte
	return m.find(buf[:0], args)
}

// find is Get, writing the key into b.
func (m *AnyArgs[V]) find(b []byte, args []any) (V, bool) {
	key, ok := m.appendKey(b, args)
	if !ok {
		var zero V
		return zero, false
	}
	return m.lookup(key)
}

// Set remembers v for args, unless an argument's type cannot be keyed by
// its content.
func (m *AnyArgs[V]) Set(args []any, v V) {
	var buf [stackKey]byte
	if key, ok := m.appendKey(buf[:0], args); ok {
		m.set(key, v)
	}
}

// eface is the layout of an interface value without methods.
type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

// appendKey appends to b, for each argument, its type's identity and its
// content, or returns false when an argument's type cannot be keyed.
func (m *AnyArgs[V]) appendKey(b []byte, args []any) ([]byte, bool) {
	for i := range args {
		e := (*eface)(unsafe.Pointer(&args[i]))
		// A type's descriptor is one per type in a process: its address
		// tells types apart. A nil interface has none.
		b = appendBits(b, uintptr(e.typ))
		if e.typ == nil {
			continue
		}
		o := m.opOf(reflect.TypeOf(args[i]))
		if o.op == nil {
			return b, false
		}
		// appendContent reads through p and keeps nothing, which the
		// analysis cannot follow through a value read out of an
		// interface: without NoEscape, the caller's boxes would move to
		// the heap.
		p := noescape(e.data)
		if o.direct {
			p = noescape(unsafe.Pointer(&e.data))
		}
		if b = appendContent(b, o.op, p); len(b) > maxKey {
			return b, true
		}
	}
	return b, true
}

// opOf returns what t compiles to, compiling it the first time.
func (m *AnyArgs[V]) opOf(t reflect.Type) *anyOp {
	if o, ok := m.ops.Get(t); ok {
		return o
	}
	o := &anyOp{direct: directIface(t)}
	if op, ok := compile(t, m.opaque); ok {
		o.op = op
	}
	m.ops.Set(t, o)
	return o
}

// noescape hides p from escape analysis, as the runtime's function of that
// name does, for a caller that reads through p during a call and keeps
// nothing. p stays alive through the caller's own reference, and is a
// uintptr only inside this function, which cannot grow the stack
// (nosplit). It is never inlined: inlined, the compiler may keep the
// result in the uintptr's stack slot and load it again after a call, and
// a move of the stack during that call would not update it, where it
// updates the pointer that a call returns.
//
//go:nosplit
//go:noinline
func noescape(p unsafe.Pointer) unsafe.Pointer {
	u := uintptr(p)
	return *(*unsafe.Pointer)(unsafe.Pointer(&u))
}

// directIface reports whether an interface holds a value of type t in its
// data word, as Go's compiler decides: a pointer, a channel, a map, a func
// or an unsafe.Pointer, or an array of one or a struct of one field of
// such a type.
func directIface(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Chan, reflect.Map, reflect.Func, reflect.UnsafePointer:
		return true
	case reflect.Array:
		return t.Len() == 1 && directIface(t.Elem())
	case reflect.Struct:
		return t.NumField() == 1 && directIface(t.Field(0).Type)
	}
	return false
}
