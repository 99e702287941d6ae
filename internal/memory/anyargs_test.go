package memory

import (
	"reflect"
	"strings"
	"testing"
	"unsafe"
)

// TestAnyArgs checks that AnyArgs finds a list of arguments again only
// while every argument has the same type and the same data.
func TestAnyArgs(t *testing.T) {
	type wrapped struct{ N int64 }
	type onePtr struct{ P *request }
	m := NewAnyArgs[string](100, opaque)
	req := &request{User: "ana", Page: 1}
	tags := tagged{User: "ana", Tags: []string{"a", "b"}}
	filters := filtered{User: "ana", Filters: map[string]string{"x": "1"}}
	lists := [][]any{
		{int64(1)}, {uint64(1)}, {wrapped{1}}, {1.0},
		{req}, {onePtr{req}}, {tags}, {filters}, {filters.Filters},
		{nil}, {nil, nil}, {"a", 1}, {1, "a"}, {},
	}
	for i, args := range lists {
		m.Set(args, string(rune('A'+i)))
	}
	check := func(when string) {
		t.Helper()
		for i, args := range lists {
			if v, ok := m.Get(args); !ok || v != string(rune('A'+i)) {
				t.Errorf("%s: Get(%#v) = %q, %v; want %q", when, args, v, ok, string(rune('A'+i)))
			}
		}
	}
	check("as set")
	check("again") // published
	// Changed data is a new list, never the old one's.
	req.Page = 2
	tags.Tags[1] = "c"
	filters.Filters["x"] = "2"
	for _, args := range [][]any{{req}, {onePtr{req}}, {tags}, {filters}, {filters.Filters}} {
		if v, ok := m.Get(args); ok {
			t.Errorf("Get(%#v) after its data changed = %q; want nothing", args, v)
		}
	}
	// A type content cannot key is never remembered.
	m.Set([]any{spelled(1)}, "S")
	m.Set([]any{1, func() {}}, "F")
	if n := m.Len(); n != len(lists) {
		t.Errorf("Len() = %d after lists content cannot key; want %d", n, len(lists))
	}
}

// TestAnyArgsGetDoesNotAllocate checks a Get of a published list of a
// struct holding a slice, a pointer and an int.
func TestAnyArgsGetDoesNotAllocate(t *testing.T) {
	tags := tagged{User: "ana", Tags: []string{"a", "b"}}
	req := &request{User: "ana"}
	for _, args := range [][]any{
		{tags, req, 1234567},
		{strings.Repeat("x", 3*shortKey)}, // content longer than shortKey
	} {
		m := NewAnyArgs[string](8, opaque)
		m.Set(args, "v")
		get := func() { m.Get(args) }
		if n := testing.AllocsPerRun(100, get); n != 0 {
			t.Errorf("Get(%.20v) allocates %v times; want 0", args, n)
		}
		if v, ok := m.Get(args); !ok || v != "v" {
			t.Errorf("Get(%.20v) = %q, %v; want v", args, v, ok)
		}
	}
}

// TestAnyArgsStayBounded sets a million distinct lists.
func TestAnyArgsStayBounded(t *testing.T) {
	const bound = 1000
	m := NewAnyArgs[int](bound, opaque)
	for i := range 1_000_000 {
		m.Set([]any{tagged{IDs: []int32{int32(i)}}}, i)
		if i%9973 == 0 && m.Len() > bound {
			t.Fatalf("after %d lists Len() = %d; want at most %d", i+1, m.Len(), bound)
		}
	}
}

// TestDirectIfaceAgreesWithTheRuntime stores values whose first word is a
// known pointer in an interface: for a type directIface calls direct, the
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
		if got := directIface(typ); got != tt.direct {
			t.Errorf("directIface(%v) = %v; want %v", typ, got, tt.direct)
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
