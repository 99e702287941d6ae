// Package argstack lets a function that takes its arguments as ...any look
// them up without moving them to the heap, and keep what it needs of them
// as a copy of its own.
//
// Go boxes each argument of a call of f(args ...any) into an interface.
// The box lives on the caller's stack only when escape analysis proves that
// f keeps no reference to it; otherwise every call allocates it, lookups
// that find what they look for included. A cache's Read must keep its
// arguments on a miss (a path function may keep what it is given, a memo
// remembers a string argument), so the analysis would put the boxes on the
// heap for every call. With this package, f hides its arguments from the
// analysis (Borrow) and uses them as they are only for what keeps nothing,
// and makes a deep copy (Own) before anything that may keep them. The
// contract: a function that borrows its arguments passes the borrowed
// slice only to code that keeps no reference to it, or to any value it
// reaches, after the call.
package argstack

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unsafe"
)

// Borrow returns args, hidden from escape analysis: the caller's slice and
// the boxes of its arguments may stay on the caller's stack. The result is
// valid until the borrowing function returns, and must not be kept (see
// the package doc).
func Borrow(args []any) []any {
	return unsafe.Slice((*any)(NoEscape(unsafe.Pointer(unsafe.SliceData(args)))), len(args))
}

// NoEscape hides p from escape analysis, as the runtime's function of that
// name does, for a caller that reads through p during a call and keeps
// nothing. p stays alive through the caller's own reference, and is a
// uintptr only inside this function, which cannot grow the stack
// (nosplit), so a stack copy adjusts it as any other pointer.
//
//go:nosplit
func NoEscape(p unsafe.Pointer) unsafe.Pointer {
	u := uintptr(p)
	return *(*unsafe.Pointer)(unsafe.Pointer(&u))
}

// ErrUncopyable is what Own returns for an argument that holds a function
// or an unsafe.Pointer other than nil: what it points to may be on the
// caller's stack, and cannot be copied.
var ErrUncopyable = errors.New("argument cannot be copied")

// Own returns a deep copy of args that shares no memory with them but
// their channels' (never on a stack): every value they reach through
// pointers, slices, maps, interfaces and strings is copied, once, so that
// what two pointers of one type share, and cycles, stay so in the copy.
// Copies of slices have their length for capacity. A copy may be kept as
// long as needed.
func Own(args []any) ([]any, error) {
	c := copier{seen: make(map[visit]unsafe.Pointer)}
	owned := make([]any, len(args))
	for i, a := range args {
		if a == nil {
			continue
		}
		t := reflect.TypeOf(a)
		// A shallow copy first, which gives the value an address whatever
		// the interface holds it as.
		from := reflect.New(t)
		from.Elem().Set(reflect.ValueOf(a))
		to := reflect.New(t)
		if err := c.copy(t, to.UnsafePointer(), from.UnsafePointer()); err != nil {
			return nil, fmt.Errorf("argument %d (%v): %w", i+1, t, err)
		}
		owned[i] = to.Elem().Interface()
	}
	return owned, nil
}

// copier copies values deeply, remembering the copies of what pointers,
// maps and slices point to.
type copier struct {
	seen map[visit]unsafe.Pointer
}

// visit is a pointer, map or slice met: what it points to, its type and,
// for a slice, its length.
type visit struct {
	p unsafe.Pointer
	t reflect.Type
	n int
}

// copy copies the value of type t at from into the zero value at to,
// which is on the heap.
func (c *copier) copy(t reflect.Type, to, from unsafe.Pointer) error {
	if pointerFree(t) {
		reflect.NewAt(t, to).Elem().Set(reflect.NewAt(t, from).Elem())
		return nil
	}
	switch t.Kind() {
	case reflect.String:
		*(*string)(to) = strings.Clone(*(*string)(from))
	case reflect.Array:
		size := t.Elem().Size()
		for i := range t.Len() {
			off := uintptr(i) * size
			if err := c.copy(t.Elem(), unsafe.Add(to, off), unsafe.Add(from, off)); err != nil {
				return err
			}
		}
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if err := c.copy(f.Type, unsafe.Add(to, f.Offset), unsafe.Add(from, f.Offset)); err != nil {
				return err
			}
		}
	case reflect.Pointer:
		p, err := c.pointee(t, *(*unsafe.Pointer)(from))
		*(*unsafe.Pointer)(to) = p
		return err
	case reflect.Slice:
		return c.slice(t, to, from)
	case reflect.Map:
		return c.mapping(t, to, from)
	case reflect.Interface:
		return c.iface(t, to, from)
	case reflect.Chan:
		// Channels are made on the heap, always.
		*(*unsafe.Pointer)(to) = *(*unsafe.Pointer)(from)
	case reflect.Func, reflect.UnsafePointer:
		if *(*unsafe.Pointer)(from) != nil {
			return fmt.Errorf("%w: it holds a %v", ErrUncopyable, t.Kind())
		}
	default:
		return fmt.Errorf("%w: it holds a %v", ErrUncopyable, t)
	}
	return nil
}

// pointee returns a copy of what p, a pointer of type t, points to.
func (c *copier) pointee(t reflect.Type, p unsafe.Pointer) (unsafe.Pointer, error) {
	if p == nil {
		return nil, nil
	}
	v := visit{p: p, t: t}
	if q, ok := c.seen[v]; ok {
		return q, nil
	}
	q := reflect.New(t.Elem()).UnsafePointer()
	c.seen[v] = q
	return q, c.copy(t.Elem(), q, p)
}

// slice copies the slice of type t at from to to.
func (c *copier) slice(t reflect.Type, to, from unsafe.Pointer) error {
	s := reflect.NewAt(t, from).Elem()
	if s.IsNil() {
		return nil
	}
	v := visit{p: s.UnsafePointer(), t: t, n: s.Len()}
	if q, ok := c.seen[v]; ok {
		reflect.NewAt(t, to).Elem().Set(reflect.NewAt(t, q).Elem())
		return nil
	}
	// The copy's header lives in a variable of its own, which the copies
	// of slices met again point to.
	d := reflect.New(t)
	d.Elem().Set(reflect.MakeSlice(t, s.Len(), s.Len()))
	c.seen[v] = d.UnsafePointer()
	size := t.Elem().Size()
	dst, src := d.Elem().UnsafePointer(), s.UnsafePointer()
	for i := range s.Len() {
		off := uintptr(i) * size
		if err := c.copy(t.Elem(), unsafe.Add(dst, off), unsafe.Add(src, off)); err != nil {
			return err
		}
	}
	reflect.NewAt(t, to).Elem().Set(d.Elem())
	return nil
}

// mapping copies the map of type t at from to to.
func (c *copier) mapping(t reflect.Type, to, from unsafe.Pointer) error {
	m := reflect.NewAt(t, from).Elem()
	if m.IsNil() {
		return nil
	}
	v := visit{p: m.UnsafePointer(), t: t}
	if q, ok := c.seen[v]; ok {
		*(*unsafe.Pointer)(to) = q
		return nil
	}
	d := reflect.MakeMapWithSize(t, m.Len())
	c.seen[v] = d.UnsafePointer()
	key, elem := reflect.New(t.Key()), reflect.New(t.Elem())
	for it := m.MapRange(); it.Next(); {
		k, e := reflect.New(t.Key()), reflect.New(t.Elem())
		key.Elem().SetIterKey(it)
		elem.Elem().SetIterValue(it)
		if err := c.copy(t.Key(), k.UnsafePointer(), key.UnsafePointer()); err != nil {
			return err
		}
		if err := c.copy(t.Elem(), e.UnsafePointer(), elem.UnsafePointer()); err != nil {
			return err
		}
		d.SetMapIndex(k.Elem(), e.Elem())
	}
	*(*unsafe.Pointer)(to) = d.UnsafePointer()
	return nil
}

// iface copies the interface of type t at from, and the value it holds,
// to to.
func (c *copier) iface(t reflect.Type, to, from unsafe.Pointer) error {
	i := reflect.NewAt(t, from).Elem()
	if i.IsNil() {
		return nil
	}
	dt := i.Elem().Type()
	held := reflect.New(dt)
	held.Elem().Set(i.Elem())
	d := reflect.New(dt)
	if err := c.copy(dt, d.UnsafePointer(), held.UnsafePointer()); err != nil {
		return err
	}
	reflect.NewAt(t, to).Elem().Set(d.Elem())
	return nil
}

// pointerFree reports whether values of type t hold no pointers, so that
// copying their bytes copies them deeply.
func pointerFree(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return true
	case reflect.Array:
		return t.Len() == 0 || pointerFree(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if !pointerFree(t.Field(i).Type) {
				return false
			}
		}
		return true
	}
	return false
}
