package memory

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"slices"
	"sync"
	"unsafe"
)

// The content of a value is a byte string that two values of one type
// share only when they hold the same data at every depth: the same scalar
// bits, the same strings, the same nil-ness and lengths of slices, maps and
// pointers, and the same elements, fields, map entries and pointees. It is
// what a memo keyed by an argument compares, so a caller that changes the
// slice, map or pointee inside an argument it passes again gets a new key,
// where == would see the same value (or cannot compare at all).
//
// Each part spells itself so that the concatenation is never ambiguous:
// scalars take their size, strings, slices and maps give their length
// first, slices, maps and pointers give one byte for nil or not first, and
// a map's entries come sorted by their own content, so that its iteration
// order does not show. The bytes are in the machine's own order: content is
// compared within one process only and never stored.

// encodeFunc appends the content of the value of its type at p to e.
type encodeFunc func(e *encoder, p unsafe.Pointer)

// encoder is the buffer a content is written into, with the spans of the
// map entries being sorted, a stack shared by nested maps.
type encoder struct {
	buf   []byte
	spans []span
}

// span is the content of one map entry: buf[from:to].
type span struct{ from, to int }

// compile returns the function that writes the content of a value of type
// t, or false when no content may stand for it: a type opaque reports
// (one whose meaning may hang on more than its data, such as a type with
// its own JSON spelling), an interface, a func, a channel, an unsafe
// pointer, a complex number, a map keyed by other than strings and
// integers, and a type that contains itself, whose values may be cycles.
func compile(t reflect.Type, opaque func(reflect.Type) bool) (encodeFunc, bool) {
	c := compiler{opaque: opaque, open: make(map[reflect.Type]bool)}
	return c.compile(t)
}

// compiler holds the types being compiled, to refuse a type that contains
// itself.
type compiler struct {
	opaque func(reflect.Type) bool
	open   map[reflect.Type]bool
}

func (c *compiler) compile(t reflect.Type) (encodeFunc, bool) {
	if c.open[t] || c.opaque(t) {
		return nil, false
	}
	c.open[t] = true
	defer delete(c.open, t)
	if c.dense(t) {
		return copier(t.Size()), true
	}
	switch t.Kind() {
	case reflect.String:
		return encodeString, true
	case reflect.Array:
		return c.array(t)
	case reflect.Struct:
		return c.structure(t)
	case reflect.Pointer:
		elem, ok := c.compile(t.Elem())
		if !ok {
			return nil, false
		}
		return func(e *encoder, p unsafe.Pointer) {
			q := *(*unsafe.Pointer)(p)
			if q == nil {
				e.buf = append(e.buf, 0)
				return
			}
			e.buf = append(e.buf, 1)
			elem(e, q)
		}, true
	case reflect.Slice:
		return c.slice(t)
	case reflect.Map:
		return c.mapping(t)
	}
	return nil, false
}

// dense reports whether the bytes of a value of type t are its content:
// booleans, integers and floats (by their bits, so that 0.0 and -0.0 differ,
// as their JSON does), and arrays and structs of those without padding, none
// of them opaque.
func (c *compiler) dense(t reflect.Type) bool {
	if c.opaque(t) {
		return false
	}
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return true
	case reflect.Array:
		return c.dense(t.Elem())
	case reflect.Struct:
		var end uintptr
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Offset != end || !c.dense(f.Type) {
				return false
			}
			end += f.Type.Size()
		}
		return end == t.Size()
	}
	return false
}

// copier returns the encodeFunc of a dense type of the given size.
func copier(size uintptr) encodeFunc {
	return func(e *encoder, p unsafe.Pointer) {
		e.buf = append(e.buf, unsafe.Slice((*byte)(p), size)...)
	}
}

func encodeString(e *encoder, p unsafe.Pointer) {
	e.buf = appendString(e.buf, *(*string)(p))
}

func (c *compiler) array(t reflect.Type) (encodeFunc, bool) {
	elem, ok := c.compile(t.Elem())
	if !ok {
		return nil, false
	}
	n, size := t.Len(), t.Elem().Size()
	return func(e *encoder, p unsafe.Pointer) {
		for i := range n {
			elem(e, unsafe.Add(p, uintptr(i)*size))
		}
	}, true
}

// structure compiles a struct field by field, every field, exported or not,
// named by encoding/json or not: content that a key ignores only costs a
// miss when it changes. Runs of dense fields with no padding between them
// are copied at once.
func (c *compiler) structure(t reflect.Type) (encodeFunc, bool) {
	type part struct {
		offset uintptr
		encode encodeFunc
	}
	var (
		parts     []part
		run, size uintptr // a run of dense fields not yet in parts
	)
	flush := func() {
		if size > 0 {
			parts = append(parts, part{run, copier(size)})
		}
		size = 0
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if c.dense(f.Type) {
			if size > 0 && run+size == f.Offset {
				size += f.Type.Size()
				continue
			}
			flush()
			run, size = f.Offset, f.Type.Size()
			continue
		}
		flush()
		encode, ok := c.compile(f.Type)
		if !ok {
			return nil, false
		}
		parts = append(parts, part{f.Offset, encode})
	}
	flush()
	if len(parts) == 1 {
		offset, encode := parts[0].offset, parts[0].encode
		return func(e *encoder, p unsafe.Pointer) { encode(e, unsafe.Add(p, offset)) }, true
	}
	return func(e *encoder, p unsafe.Pointer) {
		for _, f := range parts {
			f.encode(e, unsafe.Add(p, f.offset))
		}
	}, true
}

// sliceHeader is the layout of a slice.
type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

func (c *compiler) slice(t reflect.Type) (encodeFunc, bool) {
	elem, ok := c.compile(t.Elem())
	if !ok {
		return nil, false
	}
	size := t.Elem().Size()
	bulk := c.dense(t.Elem())
	return func(e *encoder, p unsafe.Pointer) {
		s := (*sliceHeader)(p)
		if s.data == nil {
			e.buf = append(e.buf, 0)
			return
		}
		e.buf = append(e.buf, 1)
		e.buf = binary.AppendUvarint(e.buf, uint64(s.len))
		if bulk {
			e.buf = append(e.buf, unsafe.Slice((*byte)(s.data), uintptr(s.len)*size)...)
			return
		}
		for i := range s.len {
			elem(e, unsafe.Add(s.data, uintptr(i)*size))
		}
	}, true
}

// mapping compiles a map, whose entries are read through reflect into a
// pooled pair of variables, so that reading them allocates nothing.
func (c *compiler) mapping(t reflect.Type) (encodeFunc, bool) {
	switch t.Key().Kind() {
	case reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
	default:
		return nil, false
	}
	key, ok := c.compile(t.Key())
	if !ok {
		return nil, false
	}
	value, ok := c.compile(t.Elem())
	if !ok {
		return nil, false
	}
	if native, ok := nativeMaps[[2]reflect.Type{t.Key(), t.Elem()}]; ok {
		return native, true
	}
	type entry struct {
		key, value reflect.Value // settable variables
		k, v       unsafe.Pointer
	}
	entries := sync.Pool{New: func() any {
		k, v := reflect.New(t.Key()), reflect.New(t.Elem())
		return &entry{key: k.Elem(), value: v.Elem(), k: k.UnsafePointer(), v: v.UnsafePointer()}
	}}
	return func(e *encoder, p unsafe.Pointer) {
		m := reflect.NewAt(t, p).Elem()
		if m.IsNil() {
			e.buf = append(e.buf, 0)
			return
		}
		e.buf = append(e.buf, 1)
		e.buf = binary.AppendUvarint(e.buf, uint64(m.Len()))
		x := entries.Get().(*entry)
		start, base := len(e.buf), len(e.spans)
		var it reflect.MapIter
		it.Reset(m)
		for it.Next() {
			x.key.SetIterKey(&it)
			x.value.SetIterValue(&it)
			from := len(e.buf)
			key(e, x.k)
			value(e, x.v)
			e.spans = append(e.spans, span{from, len(e.buf)})
		}
		it.Reset(reflect.Value{})
		// The variables must not keep the caller's data alive in the pool.
		x.key.SetZero()
		x.value.SetZero()
		entries.Put(x)
		e.sortEntries(start, base)
	}, true
}

// sortEntries puts the map entries written from buf[start:], whose spans are
// spans[base:], in the order of their content, and drops their spans. Keys
// are distinct and spell their own length, so no entry's content is a
// prefix of another's and the order is total.
func (e *encoder) sortEntries(start, base int) {
	spans := e.spans[base:]
	if len(spans) > 1 {
		less := func(a, b span) bool { return bytes.Compare(e.buf[a.from:a.to], e.buf[b.from:b.to]) < 0 }
		if len(spans) <= 12 {
			// Most maps passed as arguments are small, where an
			// insertion sort beats slices.SortFunc by its set-up.
			for i := 1; i < len(spans); i++ {
				for j := i; j > 0 && less(spans[j], spans[j-1]); j-- {
					spans[j], spans[j-1] = spans[j-1], spans[j]
				}
			}
		} else {
			slices.SortFunc(spans, func(a, b span) int {
				return bytes.Compare(e.buf[a.from:a.to], e.buf[b.from:b.to])
			})
		}
		end := len(e.buf)
		for _, s := range spans {
			e.buf = append(e.buf, e.buf[s.from:s.to]...)
		}
		n := copy(e.buf[start:], e.buf[end:])
		e.buf = e.buf[:start+n]
	}
	e.spans = e.spans[:base]
}

// nativeMaps are the encodeFuncs of the common maps, by key and element
// type, which range over the map as Go code does: reading an entry through
// reflect costs several times more. A map type of any name with these key
// and element types has the same layout and is ranged over as the unnamed
// one.
var nativeMaps = map[[2]reflect.Type]encodeFunc{}

func init() {
	addNativeMaps(appendString)
	addNativeMaps(appendBits[int])
	addNativeMaps(appendBits[int64])
}

// addNativeMaps adds the maps keyed by K of strings, numbers and booleans,
// and of slices of strings, to nativeMaps.
func addNativeMaps[K comparable](key func([]byte, K) []byte) {
	addNativeMap(key, appendString)
	addNativeMap(key, appendBits[int])
	addNativeMap(key, appendBits[int64])
	addNativeMap(key, appendBits[float64])
	addNativeMap(key, appendBits[bool])
	addNativeMap(key, appendStrings)
}

func addNativeMap[K comparable, V any](key func([]byte, K) []byte, value func([]byte, V) []byte) {
	nativeMaps[[2]reflect.Type{reflect.TypeFor[K](), reflect.TypeFor[V]()}] = func(e *encoder, p unsafe.Pointer) {
		m := *(*map[K]V)(p)
		if m == nil {
			e.buf = append(e.buf, 0)
			return
		}
		e.buf = append(e.buf, 1)
		e.buf = binary.AppendUvarint(e.buf, uint64(len(m)))
		start, base := len(e.buf), len(e.spans)
		for k, v := range m {
			from := len(e.buf)
			e.buf = value(key(e.buf, k), v)
			e.spans = append(e.spans, span{from, len(e.buf)})
		}
		e.sortEntries(start, base)
	}
}

// appendString, appendBits and appendStrings append the content of a
// string, a value of a dense type (see dense) and a slice of strings, as
// their encodeFuncs do.
func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendBits[V any](b []byte, v V) []byte {
	return append(b, unsafe.Slice((*byte)(unsafe.Pointer(&v)), unsafe.Sizeof(v))...)
}

func appendStrings(b []byte, s []string) []byte {
	if s == nil {
		return append(b, 0)
	}
	b = append(b, 1)
	b = binary.AppendUvarint(b, uint64(len(s)))
	for _, x := range s {
		b = appendString(b, x)
	}
	return b
}
