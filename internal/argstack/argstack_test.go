package argstack

import (
	"errors"
	"reflect"
	"strconv"
	"testing"
	"unsafe"
)

// record is an argument with a bit of everything Own copies, unexported
// fields included.
type record struct {
	Name   string
	tags   []string
	Scores map[string][]int
	Next   *record
	Any    any
	pair   [2]string
	ch     chan int
	flat   struct{ A, B int64 }
}

func newRecord() *record {
	return &record{
		Name:   "ann-" + strconv.Itoa(7),
		tags:   []string{"a", "b"},
		Scores: map[string][]int{"x": {1, 2}},
		Next:   &record{Name: "bob"},
		Any:    []any{"s", 1, map[string]string{"k": "v"}},
		pair:   [2]string{"p", "q"},
		ch:     make(chan int),
		flat:   struct{ A, B int64 }{1, 2},
	}
}

// TestOwnCopiesDeeply: the copy equals the arguments and shares none of
// their memory but channels, so changing the arguments afterwards leaves
// it as it was.
func TestOwnCopiesDeeply(t *testing.T) {
	r := newRecord()
	args := []any{*r, r, "plain", 42, []int{1, 2}, map[int]bool{1: true}, nil}
	owned, err := Own(args)
	if err != nil {
		t.Fatal(err)
	}
	// A second record, built the same way, is what the copy must equal
	// once the arguments have been changed.
	want := []any{*newRecord(), newRecord(), "plain", 42, []int{1, 2}, map[int]bool{1: true}, nil}
	v := owned[0].(record)
	p := owned[1].(*record)
	if v.ch != r.ch || p.ch != r.ch {
		t.Error("the copy's channel is another; want the same")
	}

	// Change everything the arguments reach.
	r.Name = "changed"
	r.tags[0] = "changed"
	r.Scores["x"][0] = 99
	r.Scores["y"] = nil
	r.Next.Name = "changed"
	r.Any.([]any)[2].(map[string]string)["k"] = "changed"
	r.pair[0] = "changed"
	args[4].([]int)[0] = 99
	args[5].(map[int]bool)[2] = true

	if p == r || p.Next == r.Next {
		t.Fatal("the copy shares a pointer with the arguments")
	}
	if unsafe.StringData(v.Name) == unsafe.StringData(r.Name) {
		t.Error("the copy shares a string's bytes with the arguments")
	}
	for i := range want {
		if i == 0 || i == 1 {
			// Channels differ between two records built alike.
			continue
		}
		if !reflect.DeepEqual(owned[i], want[i]) {
			t.Errorf("argument %d: copy %#v, want %#v", i, owned[i], want[i])
		}
	}
	wr := want[1].(*record)
	wr.ch, v.ch, p.ch = nil, nil, nil
	if !reflect.DeepEqual(p, wr) || !reflect.DeepEqual(&v, wr) {
		t.Errorf("records: copies %+v and %+v, want %+v", v, *p, *wr)
	}
}

// TestOwnKeepsSharingAndCycles: what two pointers share is shared in the
// copy, and cycles through pointers, maps, slices and interfaces end.
func TestOwnKeepsSharingAndCycles(t *testing.T) {
	type node struct {
		Next *node
		Kids []any
		Meta map[string]any
	}
	n := &node{Meta: map[string]any{}}
	n.Next = n
	n.Kids = []any{nil, n}
	n.Kids[0] = n.Kids
	n.Meta["self"] = n.Meta
	owned, err := Own([]any{n, n})
	if err != nil {
		t.Fatal(err)
	}
	c := owned[0].(*node)
	if c == n {
		t.Fatal("the copy is the argument")
	}
	if owned[1].(*node) != c {
		t.Error("two arguments pointing to one node have two copies; want one")
	}
	if c.Next != c {
		t.Error("the copy's cycle through a pointer is broken")
	}
	if c.Kids[1].(*node) != c {
		t.Error("the copy's cycle through a slice of interfaces is broken")
	}
	if kids := c.Kids[0].([]any); unsafe.SliceData(kids) != unsafe.SliceData(c.Kids) {
		t.Error("the slice holding itself is not itself in the copy")
	}
	if self := c.Meta["self"].(map[string]any); reflect.ValueOf(self).UnsafePointer() != reflect.ValueOf(c.Meta).UnsafePointer() {
		t.Error("the map holding itself is not itself in the copy")
	}
}

// TestOwnRefusesWhatItCannotCopy: a function or an unsafe.Pointer may point
// to the caller's stack, and Own cannot copy what it points to. Nil ones
// are copied.
func TestOwnRefusesWhatItCannotCopy(t *testing.T) {
	x := 1
	for _, tc := range []struct {
		name string
		arg  any
		ok   bool
	}{
		{"func", func() int { return x }, false},
		{"func in a struct", struct{ F func() }{func() { x++ }}, false},
		{"unsafe.Pointer", unsafe.Pointer(&x), false},
		{"nil func", (func())(nil), true},
		{"nil func in a struct", struct{ F func() }{}, true},
		{"nil unsafe.Pointer", unsafe.Pointer(nil), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Own([]any{"first", tc.arg})
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
