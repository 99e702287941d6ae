// Package argstack lets a function that takes its arguments as ...any look
// them up without moving their boxes to the heap, and keep what it needs
// of them as a copy of its own.
//
// Go boxes each argument of a call of f(args ...any) into an interface.
// The box lives on the caller's stack only when escape analysis proves that
// f keeps no reference to it; otherwise every call allocates it, lookups
// that find what they look for included. A cache's Read must keep its
// arguments on a miss (a path function may keep what it is given, a memo
// remembers a string argument), so the analysis would put the boxes on the
// heap for every call.
//
// Borrow tells the analysis what is true of a function that follows this
// package's contract: the boxes do not outlive the call, but what they
// point to may (it goes to the heap, as before). So only the boxes, and the
// pointee or map that an argument of pointer or map type holds directly,
// may be on the caller's stack. Own copies exactly those to the heap, and
// the copy may be kept as long as needed: the rest it shares with the
// arguments is on the heap.
//
// The contract: a function that borrows its arguments passes the borrowed
// slice only to code that keeps no reference to it, or to a box or a value
// it reaches, after the call, and gives anything that may keep them Own's
// copy. Nothing that holds a borrowed pointer may be stored in the heap,
// even for a moment: a goroutine's stack moves when it grows or shrinks,
// which updates the pointers into it that the stack holds, never those the
// heap holds.
package argstack

import (
	"errors"
	"fmt"
	"reflect"
	"unsafe"
)

// Borrow returns args, hidden from escape analysis, which then lets the
// caller's slice and the boxes of its arguments stay on the caller's stack
// (see the package doc). The result is valid until the borrowing function
// returns, and must not be kept.
func Borrow(args []any) []any {
	for _, a := range args {
		contentsEscape(a)
	}
	return unsafe.Slice((*any)(NoEscape(unsafe.Pointer(unsafe.SliceData(args)))), len(args))
}

// escape is where contentsEscape would hand what a box holds, a function
// the analysis cannot see into; neverTrue is never set. Together they make
// the analysis treat what the boxes point to as outliving the call, at the
// cost of loading a bool.
var (
	escape    = func(unsafe.Pointer) {}
	neverTrue bool
)

// contentsEscape tells escape analysis that a pointer held in a's box (or
// in the value a pointer or map argument points to) outlives the call:
// Own's copy keeps such pointers.
func contentsEscape(a any) {
	if neverTrue {
		escape(*(*unsafe.Pointer)((*[2]unsafe.Pointer)(unsafe.Pointer(&a))[1]))
	}
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

// ErrUncopyable is what Own returns for an argument that is a function or
// an unsafe.Pointer other than nil: what it points to may be on the
// caller's stack, and cannot be copied.
var ErrUncopyable = errors.New("argument cannot be copied")

// Own returns a copy of args, which may be borrowed, that shares nothing
// with the caller's stack: each argument's box is copied to the heap, and
// so are the value that a pointer argument points to and the entries of a
// map argument (into a new map). What those point to in turn was on the
// heap already (see Borrow), and is shared.
func Own(args []any) ([]any, error) {
	owned := make([]any, len(args))
	for i, a := range args {
		if a == nil {
			continue
		}
		t := reflect.TypeOf(a)
		if !DirectIface(t) {
			// The box, copied once to a new variable and once more by
			// Interface: neither copy points to a stack.
			c := reflect.New(t).Elem()
			c.Set(reflect.ValueOf(a))
			owned[i] = c.Interface()
			continue
		}
		// The argument is one pointer word, held in the interface itself:
		// the word is copied to this frame, whose pointers a move of the
		// stack updates.
		word := (*[2]unsafe.Pointer)(unsafe.Pointer(&a))[1]
		w, err := ownWord(leaf(t), word)
		if err != nil {
			return nil, fmt.Errorf("argument %d (%v): %w", i+1, t, err)
		}
		c := reflect.New(t)
		// A struct of one field or an array of one element has it at
		// offset 0.
		*(*unsafe.Pointer)(c.UnsafePointer()) = w
		owned[i] = c.Elem().Interface()
	}
	return owned, nil
}

// leaf returns the pointer type that the direct type t is made of (see
// DirectIface).
func leaf(t reflect.Type) reflect.Type {
	for {
		switch t.Kind() {
		case reflect.Array:
			t = t.Elem()
		case reflect.Struct:
			t = t.Field(0).Type
		default:
			return t
		}
	}
}

// ownWord returns a word of pointer type t pointing to a copy, on the
// heap, of what w points to: the pointee of a pointer, the entries of a
// map. A channel is always on the heap, and is its own copy.
func ownWord(t reflect.Type, w unsafe.Pointer) (unsafe.Pointer, error) {
	if w == nil {
		return nil, nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		c := reflect.New(t.Elem())
		c.Elem().Set(ValueOfWord(t, w).Elem())
		return c.UnsafePointer(), nil
	case reflect.Map:
		m := ValueOfWord(t, w)
		c := reflect.MakeMapWithSize(t, m.Len())
		k, v := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
		// The iterator stays in this frame: it points into the map, which
		// may be on the caller's stack.
		var it reflect.MapIter
		it.Reset(m)
		for it.Next() {
			k.SetIterKey(&it)
			v.SetIterValue(&it)
			c.SetMapIndex(k, v)
		}
		it.Reset(reflect.Value{})
		return c.UnsafePointer(), nil
	case reflect.Chan:
		return w, nil
	}
	return nil, fmt.Errorf("%w: it is a %v", ErrUncopyable, t.Kind())
}

// ValueOfWord returns the value of the pointer type t (a pointer, map,
// channel or func) whose word is w. It builds the interface of that value
// in its own frame rather than take w's address, which would move w to the
// heap, where a move of the stack would leave it pointing to the old one.
func ValueOfWord(t reflect.Type, w unsafe.Pointer) reflect.Value {
	i := reflect.Zero(t).Interface() // of type t: its type word is t's
	(*[2]unsafe.Pointer)(unsafe.Pointer(&i))[1] = w
	return reflect.ValueOf(i)
}

// DirectIface reports whether an interface holds a value of type t in its
// data word, as Go's compiler decides: a pointer, a channel, a map, a func
// or an unsafe.Pointer, or an array of one or a struct of one field of
// such a type.
func DirectIface(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Chan, reflect.Map, reflect.Func, reflect.UnsafePointer:
		return true
	case reflect.Array:
		return t.Len() == 1 && DirectIface(t.Elem())
	case reflect.Struct:
		return t.NumField() == 1 && DirectIface(t.Field(0).Type)
	}
	return false
}
