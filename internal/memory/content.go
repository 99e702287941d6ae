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
//
// A type is compiled once into a tree of ops, which appendContent walks by
// direct calls, so that the compiler sees that neither the value nor the
// buffer outlives the call: both stay on the caller's stack. Only a map's
// entries are written through a function value, into the same buffer,
// then put in order there.

// opKind is what an op writes.
type opKind uint8

const (
	opCopy    opKind = iota // the size bytes of a dense type (see dense), as they are
	opString                // the length, then the bytes
	opFields                // each of fields at its offset
	opArray                 // n elements of elem, size bytes apart
	opSlice                 // nil or not, the length, then the elements of elem, size bytes apart
	opPointer               // nil or not, then elem
	opMap                   // nil or not, then what entries writes
)

// op writes the content of a value of one type.
type op struct {
	kind   opKind
	offset uintptr // within the struct, for an op of fields
	size   uintptr // opCopy: the value's; opArray, opSlice: an element's
	n      int     // opArray: the length
	elem   *op     // opArray, opSlice, opPointer
	fields []op    // opFields
	// entries writes the entries of the map m, a map's pointer, to e, in
	// the map's order, and length returns how many m holds, for opMap.
	entries func(e *encoder, m unsafe.Pointer)
	length  func(m unsafe.Pointer) int
}

// appendContent appends the content of the value of o's type at p to b.
// Content longer than maxKey is never used, so it stops writing once b
// passes maxKey, and returns tooLong rather than copy a large string or
// slice: an argument of a hundred megabytes costs no more than its first
// few kilobytes.
func appendContent(b []byte, o *op, p unsafe.Pointer) []byte {
	if len(b) > maxKey {
		return b
	}
	switch o.kind {
	case opCopy:
		return appendDense(b, p, o.size)
	case opString:
		return appendString(b, *(*string)(p))
	case opFields:
		for i := range o.fields {
			if len(b) > maxKey {
				return b
			}
			// Most fields are strings and runs of scalars: they are
			// written here rather than by a call each.
			f := &o.fields[i]
			switch q := unsafe.Add(p, f.offset); f.kind {
			case opCopy:
				b = appendDense(b, q, f.size)
			case opString:
				b = appendString(b, *(*string)(q))
			default:
				b = appendContent(b, f, q)
			}
		}
		return b
	case opArray:
		for i := 0; i < o.n && len(b) <= maxKey; i++ {
			b = appendContent(b, o.elem, unsafe.Add(p, uintptr(i)*o.size))
		}
		return b
	case opSlice:
		s := (*sliceHeader)(p)
		if s.data == nil {
			return append(b, 0)
		}
		b = append(b, 1)
		b = binary.AppendUvarint(b, uint64(s.len))
		switch o.elem.kind {
		case opCopy:
			return appendBytes(b, unsafe.Slice((*byte)(s.data), uintptr(s.len)*o.size))
		case opString:
			for _, x := range unsafe.Slice((*string)(s.data), s.len) {
				if b = appendString(b, x); len(b) > maxKey {
					break
				}
			}
			return b
		}
		for i := 0; i < s.len && len(b) <= maxKey; i++ {
			b = appendContent(b, o.elem, unsafe.Add(s.data, uintptr(i)*o.size))
		}
		return b
	case opPointer:
		q := *(*unsafe.Pointer)(p)
		if q == nil {
			return append(b, 0)
		}
		return appendContent(append(b, 1), o.elem, q)
	case opMap:
		m := *(*unsafe.Pointer)(p)
		if m == nil {
			return append(b, 0)
		}
		n := o.length(m)
		b = append(b, 1)
		b = binary.AppendUvarint(b, uint64(n))
		// The entries go into b, and their spans into an array on this
		// stack, or a pooled one for a large map. The function value
		// hides from escape analysis that neither outlives the call.
		var small [smallMap]span
		start := len(b)
		e := encoder{buf: b, spans: small[:0]}
		var pooled *encoder
		if n > smallMap {
			pooled = encoders.Get().(*encoder)
			e.spans = pooled.spans[:0]
		}
		// What is read back through ep is, to the analysis, no longer
		// e's, so keeping the spans in the pool does not move small or b
		// to the heap.
		ep := (*encoder)(noescape(unsafe.Pointer(&e)))
		o.entries(ep, m)
		if b = ep.buf; len(b) > maxKey {
			b = tooLong
		} else {
			b = sortEntries(b, start, ep.spans)
		}
		if pooled != nil && cap(ep.spans) <= maxScratch {
			pooled.spans = ep.spans[:0]
			encoders.Put(pooled)
		}
		return b
	}
	panic("memory: unknown op")
}

// maxKey is the longest content a memo uses.
const maxKey = 4 << 10

// tooLong is what appendContent returns for content longer than maxKey.
// It is never written to: appendContent appends nothing to a buffer past
// maxKey, and an append elsewhere finds it full and copies it.
var tooLong = make([]byte, maxKey+1)

// appendBytes appends data to b, or returns tooLong when that would pass
// maxKey.
func appendBytes(b, data []byte) []byte {
	if len(b)+len(data) > maxKey {
		return tooLong
	}
	return append(b, data...)
}

// sliceHeader is the layout of a slice.
type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

// encoder is a buffer the entries of a map are written into, in the map's
// order, with their spans, which are then sorted.
type encoder struct {
	buf   []byte
	spans []span
}

// span is the content of one map entry: buf[from:to].
type span struct{ from, to int }

// smallMap is the most entries whose spans stay on the stack.
const smallMap = 8

// encoders are the spans of large maps, and the scratch of sortEntries.
var encoders = sync.Pool{New: func() any { return new(encoder) }}

// maxScratch is the largest buffer a pool keeps: one grown by a huge
// argument is left to the collector.
const maxScratch = 64 << 10

// compile returns the op that writes the content of a value of type t, or
// false when no content may stand for it: a type opaque reports (one whose
// meaning may hang on more than its data, such as a type with its own JSON
// spelling), an interface, a func, a channel, an unsafe pointer, a complex
// number, a map keyed by other than strings and integers, and a type that
// contains itself, whose values may be cycles.
func compile(t reflect.Type, opaque func(reflect.Type) bool) (*op, bool) {
	c := compiler{opaque: opaque, open: make(map[reflect.Type]bool)}
	o, ok := c.compile(t)
	return &o, ok
}

// compiler holds the types being compiled, to refuse a type that contains
// itself.
type compiler struct {
	opaque func(reflect.Type) bool
	open   map[reflect.Type]bool
}

func (c *compiler) compile(t reflect.Type) (op, bool) {
	if c.open[t] || c.opaque(t) {
		return op{}, false
	}
	c.open[t] = true
	defer delete(c.open, t)
	if c.dense(t) {
		return op{kind: opCopy, size: t.Size()}, true
	}
	switch t.Kind() {
	case reflect.String:
		return op{kind: opString}, true
	case reflect.Array:
		elem, ok := c.compile(t.Elem())
		return op{kind: opArray, n: t.Len(), size: t.Elem().Size(), elem: &elem}, ok
	case reflect.Struct:
		return c.structure(t)
	case reflect.Pointer:
		elem, ok := c.compile(t.Elem())
		return op{kind: opPointer, elem: &elem}, ok
	case reflect.Slice:
		elem, ok := c.compile(t.Elem())
		return op{kind: opSlice, size: t.Elem().Size(), elem: &elem}, ok
	case reflect.Map:
		return c.mapping(t)
	}
	return op{}, false
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

// structure compiles a struct field by field, every field, exported or not,
// named by encoding/json or not: content that a key ignores only costs a
// miss when it changes. Runs of dense fields with no padding between them
// are copied at once.
func (c *compiler) structure(t reflect.Type) (op, bool) {
	var (
		fields    []op
		run, size uintptr // a run of dense fields not yet in fields
	)
	flush := func() {
		if size > 0 {
			fields = append(fields, op{kind: opCopy, offset: run, size: size})
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
		o, ok := c.compile(f.Type)
		if !ok {
			return op{}, false
		}
		o.offset = f.Offset
		fields = append(fields, o)
	}
	flush()
	return op{kind: opFields, fields: fields}, true
}

// mapping compiles the entries of a map: natively for the common maps (see
// nativeMaps), else through reflect, reading each entry into a pooled pair
// of variables, so that reading it allocates nothing.
func (c *compiler) mapping(t reflect.Type) (op, bool) {
	switch t.Key().Kind() {
	case reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
	default:
		return op{}, false
	}
	key, ok := c.compile(t.Key())
	if !ok {
		return op{}, false
	}
	value, ok := c.compile(t.Elem())
	if !ok {
		return op{}, false
	}
	if native, ok := nativeMaps[[2]reflect.Type{t.Key(), t.Elem()}]; ok {
		return native, true
	}
	type entry struct {
		key, value reflect.Value  // settable variables
		k, v       unsafe.Pointer // their addresses
	}
	entries := sync.Pool{New: func() any {
		k, v := reflect.New(t.Key()), reflect.New(t.Elem())
		return &entry{key: k.Elem(), value: v.Elem(), k: k.UnsafePointer(), v: v.UnsafePointer()}
	}}
	length := func(m unsafe.Pointer) int {
		return valueOfWord(t, m).Len()
	}
	return op{kind: opMap, length: length, entries: func(e *encoder, m unsafe.Pointer) {
		x := entries.Get().(*entry)
		// The map's pointer stays in this frame, never in the pooled entry,
		// which would keep the map alive.
		mv := valueOfWord(t, m)
		var it reflect.MapIter
		it.Reset(mv)
		for it.Next() {
			x.key.SetIterKey(&it)
			x.value.SetIterValue(&it)
			from := len(e.buf)
			e.buf = appendContent(e.buf, &key, x.k)
			e.buf = appendContent(e.buf, &value, x.v)
			e.spans = append(e.spans, span{from, len(e.buf)})
			if len(e.buf) > maxKey {
				break // see appendContent
			}
		}
		it.Reset(reflect.Value{})
		// The pool must not keep the caller's data alive.
		x.key.SetZero()
		x.value.SetZero()
		entries.Put(x)
	}}, true
}

// sortEntries puts the entries of a map, b[start:] as spans tells them,
// in the order of their content. Keys are distinct and spell their own
// length, so no entry's content is a prefix of another's and the order is
// total. The entries are copied in order past b's end, within its
// capacity, or into a pooled scratch, then back.
func sortEntries(b []byte, start int, spans []span) []byte {
	less := func(x, y span) bool { return bytes.Compare(b[x.from:x.to], b[y.from:y.to]) < 0 }
	inOrder := true
	for i := 1; i < len(spans) && inOrder; i++ {
		inOrder = less(spans[i-1], spans[i])
	}
	if inOrder {
		return b
	}
	if len(spans) <= 12 {
		// Most maps passed as arguments are small, where an insertion
		// sort beats slices.SortFunc by its set-up.
		for i := 1; i < len(spans); i++ {
			for j := i; j > 0 && less(spans[j], spans[j-1]); j-- {
				spans[j], spans[j-1] = spans[j-1], spans[j]
			}
		}
	} else {
		slices.SortFunc(spans, func(x, y span) int { return bytes.Compare(b[x.from:x.to], b[y.from:y.to]) })
	}
	end := len(b)
	if cap(b)-end >= end-start {
		sorted := b[end:end]
		for _, s := range spans {
			sorted = append(sorted, b[s.from:s.to]...)
		}
		copy(b[start:], sorted)
		return b
	}
	scratch := encoders.Get().(*encoder)
	sorted := scratch.buf[:0]
	for _, s := range spans {
		sorted = append(sorted, b[s.from:s.to]...)
	}
	copy(b[start:], sorted)
	if cap(sorted) <= maxScratch {
		scratch.buf = sorted[:0]
		encoders.Put(scratch)
	}
	return b
}

// nativeMaps are the entries functions of the common maps, by key and
// element type, which range over the map as Go code does: reading an entry
// through reflect costs several times more. A map type of any name with
// these key and element types has the same layout and is ranged over as
// the unnamed one. init fills it; it never changes after.
var nativeMaps = map[[2]reflect.Type]op{}

func init() {
	addNativeMaps(appendString)
	addNativeMaps(appendBits[int])
	addNativeMaps(appendBits[int64])
	// The commonest, written without the calls through func values.
	t := [2]reflect.Type{reflect.TypeFor[string](), reflect.TypeFor[string]()}
	nativeMaps[t] = op{kind: opMap, length: nativeMaps[t].length, entries: func(e *encoder, p unsafe.Pointer) {
		for k, v := range *(*map[string]string)(unsafe.Pointer(&p)) {
			from := len(e.buf)
			e.buf = appendString(appendString(e.buf, k), v)
			e.spans = append(e.spans, span{from, len(e.buf)})
			if len(e.buf) > maxKey {
				break // see appendContent
			}
		}
	}}
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
	length := func(p unsafe.Pointer) int { return len(*(*map[K]V)(unsafe.Pointer(&p))) }
	nativeMaps[[2]reflect.Type{reflect.TypeFor[K](), reflect.TypeFor[V]()}] = op{kind: opMap, length: length, entries: func(e *encoder, p unsafe.Pointer) {
		for k, v := range *(*map[K]V)(unsafe.Pointer(&p)) {
			from := len(e.buf)
			e.buf = value(key(e.buf, k), v)
			e.spans = append(e.spans, span{from, len(e.buf)})
			if len(e.buf) > maxKey {
				break // see appendContent
			}
		}
	}}
}

// appendString, appendBits and appendStrings append the content of a
// string, a value of a dense type (see dense) and a slice of strings, as
// appendContent does.
func appendString(b []byte, s string) []byte {
	if len(b)+len(s) > maxKey {
		return tooLong
	}
	// Most strings are shorter than 128 bytes, whose varint is one byte.
	if len(s) < 0x80 {
		b = append(b, byte(len(s)))
	} else {
		b = binary.AppendUvarint(b, uint64(len(s)))
	}
	return append(b, s...)
}

// appendDense appends the size bytes at p, of a dense type (see dense),
// as appendBytes does. The common sizes of a scalar are stored whole
// rather than copied by a call.
func appendDense(b []byte, p unsafe.Pointer, size uintptr) []byte {
	switch size {
	case 8:
		return binary.NativeEndian.AppendUint64(b, *(*uint64)(p))
	case 4:
		return binary.NativeEndian.AppendUint32(b, *(*uint32)(p))
	case 1:
		return append(b, *(*byte)(p))
	}
	return appendBytes(b, unsafe.Slice((*byte)(p), size))
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

// valueOfWord returns the value of the map type t whose pointer is m. It
// builds the interface of that value in its own frame rather than take m's
// address, which would move m to the heap.
func valueOfWord(t reflect.Type, m unsafe.Pointer) reflect.Value {
	i := reflect.Zero(t).Interface() // of type t: its type word is t's
	(*[2]unsafe.Pointer)(unsafe.Pointer(&i))[1] = m
	return reflect.ValueOf(i)
}
