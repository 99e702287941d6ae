package argstack

import (
	"errors"
	"os"
	"os/exec"
	"reflect"
	"testing"
	"unsafe"
)

type (
	record struct {
		Name string
		Tags []string
	}
	onePtr struct{ P *record }
	oneMap struct{ m map[string]int }
)

// TestOwnCopiesWhatMayBeOnTheStack: Own copies each box, the pointee of a
// pointer and the entries of a map, alone or wrapped in a struct or array
// of one, into new heap values equal to the arguments; a channel stays
// itself, and nil stays nil.
func TestOwnCopiesWhatMayBeOnTheStack(t *testing.T) {
	r := record{Name: "ann", Tags: []string{"a"}}
	m := map[string]int{"a": 1, "b": 2}
	ch := make(chan int)
	var nilPtr *record
	var nilMap map[string]int
	args := []any{r, "s", 1234567, &r, m, onePtr{&r}, oneMap{m}, [1]*record{&r}, ch, nil, nilPtr, nilMap}
	owned, err := Own(Borrow(args))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(owned, args) {
		t.Fatalf("Own = %#v; want %#v", owned, args)
	}
	// What may be on the caller's stack is another value in the copy.
	if owned[3].(*record) == &r || owned[5].(onePtr).P == &r || owned[7].([1]*record)[0] == &r {
		t.Error("a pointer's copy points to the argument's pointee")
	}
	if reflect.ValueOf(owned[4]).UnsafePointer() == reflect.ValueOf(m).UnsafePointer() ||
		reflect.ValueOf(owned[6].(oneMap).m).UnsafePointer() == reflect.ValueOf(m).UnsafePointer() {
		t.Error("a map's copy is the argument's map")
	}
	m["c"] = 3
	if len(owned[4].(map[string]int)) != 2 {
		t.Error("a change to the argument's map shows in the copy")
	}
	if owned[8].(chan int) != ch {
		t.Error("a channel's copy is another channel")
	}
	if owned[10].(*record) != nil || owned[11].(map[string]int) != nil {
		t.Error("a nil pointer or map is not nil in the copy")
	}
}

// TestOwnRefusesWhatItCannotCopy: a function or an unsafe.Pointer may point
// to the caller's stack, and Own cannot copy what it points to. Nil ones
// are copied, as is a function inside a box, which escape analysis put on
// the heap (see Borrow).
func TestOwnRefusesWhatItCannotCopy(t *testing.T) {
	x := 1
	for _, tc := range []struct {
		name string
		arg  any
		ok   bool
	}{
		{"func", func() int { return x }, false},
		{"func alone in a struct", struct{ F func() }{func() { x++ }}, false},
		{"unsafe.Pointer", unsafe.Pointer(&x), false},
		{"nil func", (func())(nil), true},
		{"nil func alone in a struct", struct{ F func() }{}, true},
		{"nil unsafe.Pointer", unsafe.Pointer(nil), true},
		{"func beside another field", struct {
			F func()
			N int
		}{func() { x++ }, 1}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Own(Borrow([]any{"first", tc.arg}))
			if tc.ok && err != nil {
				t.Fatalf("Own: %v; want a copy", err)
			}
			if !tc.ok && !errors.Is(err, ErrUncopyable) {
				t.Fatalf("Own: %v; want ErrUncopyable", err)
			}
		})
	}
}

// TestBorrowIsTheArguments: a borrowed slice is the caller's, element for
// element.
func TestBorrowIsTheArguments(t *testing.T) {
	args := []any{1, "two", nil}
	b := Borrow(args)
	if len(b) != len(args) || unsafe.SliceData(b) != unsafe.SliceData(args) {
		t.Fatalf("Borrow(%v) = %v; want the same slice", args, b)
	}
	if Borrow(nil) != nil {
		t.Error("Borrow(nil) is not nil")
	}
}

// ownFromThisFrame borrows and owns a pointer to a local of this frame,
// which escape analysis leaves on the stack (see Borrow), then grows the
// stack, which moves it, and returns what the copy points to and what it
// should.
//
//go:noinline
func ownFromThisFrame() (got, want [8]int, err error) {
	var x [8]int
	for i := range x {
		x[i] = 0x5eed0000 + i
	}
	owned, err := Own(Borrow([]any{&x}))
	if err != nil {
		return got, x, err
	}
	grow(2000)
	return *owned[0].(*[8]int), x, nil
}

//go:noinline
func grow(n int) byte {
	var b [128]byte
	b[n%128] = byte(n)
	if n == 0 {
		return b[0]
	}
	return grow(n-1) + b[(n+1)%128]
}

// TestOwnSurvivesAStackMove: a copy made by Own points to nothing on the
// stack, so a move of the stack after it (on a fresh goroutine, whose
// small stack must grow) leaves it intact. The test runs in a child
// process with GODEBUG=efence=1, under which the runtime unmaps a stack
// it moved away from: a copy that still pointed into the caller's old
// frame would crash the child rather than read stale bytes that happen
// to be right.
func TestOwnSurvivesAStackMove(t *testing.T) {
	if os.Getenv("ARGSTACK_EFENCE_CHILD") == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestOwnSurvivesAStackMove$", "-test.count=1")
		cmd.Env = append(os.Environ(), "ARGSTACK_EFENCE_CHILD=1", "GODEBUG=efence=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("child with GODEBUG=efence=1: %v\n%s", err, out)
		}
		return
	}
	done := make(chan struct{})
	var got, want [8]int
	var err error
	go func() {
		defer close(done)
		got, want, err = ownFromThisFrame()
	}()
	<-done
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("the copy points to %x...; want %x...", got[:2], want[:2])
	}
}

// TestDirectIfaceAgreesWithTheRuntime stores values whose first word is a
// known pointer in an interface: for a type DirectIface calls direct, the
// interface's data word is that pointer; for any other, it points to a copy
// of the value, whose first word is the pointer.
func TestDirectIfaceAgreesWithTheRuntime(t *testing.T) {
	x := 42
	q := unsafe.Pointer(&x)
	m := map[string]int{"a": 1}
	type (
		onePtr    struct{ P *int }
		nestedOne struct{ S onePtr }
		twoPtrs   struct{ P, Q *int }
		ptrAndInt struct {
			P *int
			N int
		}
		oneMap struct{ M map[string]int }
	)
	tests := []struct {
		v      any
		first  unsafe.Pointer // the value's first word
		direct bool
	}{
		{&x, q, true},
		{onePtr{&x}, q, true},
		{nestedOne{onePtr{&x}}, q, true},
		{[1]*int{&x}, q, true},
		{[1]onePtr{{&x}}, q, true},
		{m, *(*unsafe.Pointer)(unsafe.Pointer(&m)), true},
		{oneMap{m}, *(*unsafe.Pointer)(unsafe.Pointer(&m)), true},
		{twoPtrs{&x, &x}, q, false},
		{ptrAndInt{&x, 7}, q, false},
		{[2]*int{&x, &x}, q, false},
		{[]*int{&x}, nil, false},
		{"s", nil, false},
		{12345, nil, false},
	}
	for _, tt := range tests {
		typ := reflect.TypeOf(tt.v)
		if got := DirectIface(typ); got != tt.direct {
			t.Errorf("DirectIface(%v) = %v; want %v", typ, got, tt.direct)
			continue
		}
		e := (*[2]unsafe.Pointer)(unsafe.Pointer(&tt.v))
		switch {
		case tt.direct && e[1] != tt.first:
			t.Errorf("%v: the interface's data word is %p; want the value itself, %p", typ, e[1], tt.first)
		case !tt.direct && tt.first != nil && *(*unsafe.Pointer)(e[1]) != tt.first:
			t.Errorf("%v: the interface's data word does not point to the value", typ)
		}
	}
}
