package memory

import (
	"fmt"
	"math"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// The argument kinds of the tests: a comparable struct, structs holding a
// slice, a map the package ranges over natively and one it reads through
// reflect, and a pointer.
type (
	request struct {
		User string
		Page int
		Rate float64
	}
	tagged struct {
		User string
		Tags []string
		IDs  []int32
	}
	filtered struct {
		User    string
		Filters map[string]string
	}
	nested struct {
		Groups map[string]map[int]bool
		Pairs  map[uint8][2]string
	}
)

// spelled stands for a type with its own JSON spelling: the opaque
// predicate of the tests refuses it.
type spelled int

func opaque(t reflect.Type) bool { return t == reflect.TypeFor[spelled]() }

// contentOf returns the content of v, as an Args of its type keys it.
func contentOf[P any](t *testing.T, v P) string {
	t.Helper()
	o, ok := compile(reflect.TypeFor[P](), opaque)
	if !ok {
		t.Fatalf("compile(%v) refused", reflect.TypeFor[P]())
	}
	return string(appendContent(nil, o, unsafe.Pointer(&v)))
}

// manyFilters returns a map of n entries, inserted in the order given.
func manyFilters(n int, reverse bool) map[string]string {
	m := make(map[string]string)
	for i := range n {
		if reverse {
			i = n - 1 - i
		}
		m["k"+strconv.Itoa(i)] = "v" + strconv.Itoa(i*7)
	}
	return m
}

// TestContentIsEqualOnlyForEqualData: two values have one content when and
// only when they hold the same data, whatever the order a map was filled
// in, and a nil slice, map or pointer differs from an empty or zero one, as
// their JSON does.
func TestContentIsEqualOnlyForEqualData(t *testing.T) {
	tests := []struct {
		name  string
		a, b  string
		equal bool
	}{
		{"equal structs", contentOf(t, request{"ann", 1, 0.5}), contentOf(t, request{"ann", 1, 0.5}), true},
		{"another page", contentOf(t, request{"ann", 1, 0.5}), contentOf(t, request{"ann", 2, 0.5}), false},
		{"0.0 and -0.0", contentOf(t, request{"ann", 1, 0}), contentOf(t, request{"ann", 1, math.Copysign(0, -1)}), false},
		{"strings that meet differently", contentOf(t, [2]string{"ab", "c"}), contentOf(t, [2]string{"a", "bc"}), false},
		{"equal slices", contentOf(t, tagged{"ann", []string{"a", "b"}, []int32{1}}), contentOf(t, tagged{"ann", []string{"a", "b"}, []int32{1}}), true},
		{"a changed element", contentOf(t, tagged{"ann", []string{"a", "b"}, nil}), contentOf(t, tagged{"ann", []string{"a", "c"}, nil}), false},
		{"an element moved between slices", contentOf(t, tagged{"ann", []string{"a"}, []int32{}}), contentOf(t, tagged{"ann", []string{}, []int32{}}), false},
		{"nil and empty slice", contentOf(t, tagged{"ann", nil, nil}), contentOf(t, tagged{"ann", []string{}, nil}), false},
		{"maps filled in two orders", contentOf(t, filtered{"ann", manyFilters(5, false)}), contentOf(t, filtered{"ann", manyFilters(5, true)}), true},
		{"large maps filled in two orders", contentOf(t, filtered{"ann", manyFilters(100, false)}), contentOf(t, filtered{"ann", manyFilters(100, true)}), true},
		{"maps that differ in one value", contentOf(t, filtered{"ann", map[string]string{"a": "1", "b": "2"}}), contentOf(t, filtered{"ann", map[string]string{"a": "1", "b": "3"}}), false},
		{"a key's text moved into its value", contentOf(t, filtered{"ann", map[string]string{"ab": ""}}), contentOf(t, filtered{"ann", map[string]string{"a": "b"}}), false},
		{"nil and empty map", contentOf(t, filtered{"ann", nil}), contentOf(t, filtered{"ann", map[string]string{}}), false},
		{"maps read through reflect", contentOf(t, nested{map[string]map[int]bool{"x": {1: true, 2: false}, "y": nil}, map[uint8][2]string{3: {"a", "b"}, 1: {"c", ""}}}),
			contentOf(t, nested{map[string]map[int]bool{"y": nil, "x": {2: false, 1: true}}, map[uint8][2]string{1: {"c", ""}, 3: {"a", "b"}}}), true},
		{"inner maps that differ", contentOf(t, nested{Groups: map[string]map[int]bool{"x": {1: true}}}), contentOf(t, nested{Groups: map[string]map[int]bool{"x": {1: false}}}), false},
		{"equal pointees", contentOf(t, &request{"ann", 1, 0}), contentOf(t, &request{"ann", 1, 0}), true},
		{"other pointees", contentOf(t, &request{"ann", 1, 0}), contentOf(t, &request{"ann", 3, 0}), false},
		{"nil and zero pointee", contentOf(t, (*request)(nil)), contentOf(t, &request{}), false},
	}
	for _, tt := range tests {
		if got := tt.a == tt.b; got != tt.equal {
			t.Errorf("%s: contents equal = %v; want %v\n%q\n%q", tt.name, got, tt.equal, tt.a, tt.b)
		}
	}
}

// TestCompileRefusesWhatContentCannotKey: types whose values content cannot
// stand for are refused, at any depth.
func TestCompileRefusesWhatContentCannotKey(t *testing.T) {
	type node struct {
		Name string
		Next *node
	}
	type tree struct {
		Kids []tree
	}
	tests := []struct {
		t    reflect.Type
		want bool
	}{
		{reflect.TypeFor[request](), true},
		{reflect.TypeFor[tagged](), true},
		{reflect.TypeFor[filtered](), true},
		{reflect.TypeFor[nested](), true},
		{reflect.TypeFor[*request](), true},
		{reflect.TypeFor[struct{}](), true},
		{reflect.TypeFor[[0]int](), true},
		{reflect.TypeFor[spelled](), false},
		{reflect.TypeFor[[]spelled](), false},
		{reflect.TypeFor[map[string]spelled](), false},
		{reflect.TypeFor[struct{ A, B spelled }](), false},
		{reflect.TypeFor[any](), false},
		{reflect.TypeFor[struct{ F func() }](), false},
		{reflect.TypeFor[chan int](), false},
		{reflect.TypeFor[complex64](), false},
		{reflect.TypeFor[unsafe.Pointer](), false},
		{reflect.TypeFor[map[request]int](), false},
		{reflect.TypeFor[map[float64]int](), false},
		{reflect.TypeFor[node](), false},
		{reflect.TypeFor[tree](), false},
	}
	for _, tt := range tests {
		if _, got := compile(tt.t, opaque); got != tt.want {
			t.Errorf("compile(%v) = %v; want %v", tt.t, got, tt.want)
		}
	}
}

// TestArgsNeverServeAChangedValue changes the slice, the map and the
// pointee of arguments after their value was set: the changed argument is
// not found, and the unchanged one still is.
func TestArgsNeverServeAChangedValue(t *testing.T) {
	t.Run("slice", func(t *testing.T) {
		m := NewArgs[tagged, string](8, opaque)
		a := tagged{"ann", []string{"a", "b"}, nil}
		m.Set(a, "p")
		a.Tags[1] = "c"
		if v, ok := m.Get(a); ok {
			t.Errorf("Get after the slice changed = %q; want none", v)
		}
		a.Tags[1] = "b"
		if v, ok := m.Get(a); !ok || v != "p" {
			t.Errorf("Get after the slice changed back = %q, %v; want p", v, ok)
		}
	})
	t.Run("map", func(t *testing.T) {
		m := NewArgs[filtered, string](8, opaque)
		a := filtered{"ann", map[string]string{"lang": "en"}}
		m.Set(a, "p")
		a.Filters["sort"] = "new"
		if v, ok := m.Get(a); ok {
			t.Errorf("Get after an entry was added = %q; want none", v)
		}
		delete(a.Filters, "sort")
		a.Filters["lang"] = "fr"
		if v, ok := m.Get(a); ok {
			t.Errorf("Get after a value changed = %q; want none", v)
		}
	})
	t.Run("pointer", func(t *testing.T) {
		m := NewArgs[*request, string](8, opaque)
		a := &request{"ann", 1, 0}
		m.Set(a, "p")
		a.Page = 2
		if v, ok := m.Get(a); ok {
			t.Errorf("Get after the pointee changed = %q; want none", v)
		}
		if v, ok := m.Get(&request{"ann", 1, 0}); !ok || v != "p" {
			t.Errorf("Get of another pointer to equal data = %q, %v; want p", v, ok)
		}
	})
}

// TestArgsGetDoesNotAllocate: a lookup of each argument kind that finds its
// key takes no allocation.
func TestArgsGetDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	allocs := func(t *testing.T, get func() bool) {
		t.Helper()
		found := true
		if n := testing.AllocsPerRun(100, func() { found = found && get() }); n != 0 {
			t.Errorf("Get allocates %v times; want 0", n)
		}
		if !found {
			t.Error("Get found nothing; want the value set")
		}
	}
	t.Run("struct", func(t *testing.T) {
		m := NewArgs[request, string](8, opaque)
		a := request{"ann", 1, 0.5}
		m.Set(a, "p")
		allocs(t, func() bool { _, ok := m.Get(a); return ok })
	})
	t.Run("slice", func(t *testing.T) {
		m := NewArgs[tagged, string](8, opaque)
		a := tagged{"ann", []string{"a", "b", "c"}, []int32{1, 2}}
		m.Set(a, "p")
		allocs(t, func() bool { _, ok := m.Get(a); return ok })
	})
	t.Run("map", func(t *testing.T) {
		m := NewArgs[filtered, string](8, opaque)
		a := filtered{"ann", manyFilters(20, false)}
		m.Set(a, "p")
		allocs(t, func() bool { _, ok := m.Get(a); return ok })
	})
	t.Run("map through reflect", func(t *testing.T) {
		m := NewArgs[nested, string](8, opaque)
		a := nested{map[string]map[int]bool{"x": {1: true}}, map[uint8][2]string{1: {"a", "b"}}}
		m.Set(a, "p")
		allocs(t, func() bool { _, ok := m.Get(a); return ok })
	})
	t.Run("content longer than shortKey", func(t *testing.T) {
		m := NewArgs[request, string](8, opaque)
		a := request{strings.Repeat("x", 3*shortKey), 1, 0}
		m.Set(a, "p")
		// The first Get too: Set found the content long.
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		m.Get(a)
		runtime.ReadMemStats(&after)
		if n := after.Mallocs - before.Mallocs; n != 0 {
			t.Errorf("the first Get allocates %d times; want 0", n)
		}
		allocs(t, func() bool { _, ok := m.Get(a); return ok })
	})
	t.Run("pointer", func(t *testing.T) {
		m := NewArgs[*request, string](8, opaque)
		a := &request{"ann", 1, 0}
		m.Set(a, "p")
		allocs(t, func() bool { _, ok := m.Get(a); return ok })
	})
}

// TestArgsStayBounded sets a million distinct arguments of each kind: the
// memo never holds more than its bound.
func TestArgsStayBounded(t *testing.T) {
	const bound = 1000
	bounded := func(t *testing.T, set func(i int), size func() int) {
		t.Helper()
		for i := range 1_000_000 {
			set(i)
			if i%1000 == 0 && size() > bound {
				t.Fatalf("after %d keys the memo holds %d; want at most %d", i+1, size(), bound)
			}
		}
		if n := size(); n > bound {
			t.Errorf("the memo holds %d keys; want at most %d", n, bound)
		}
	}
	t.Run("slice", func(t *testing.T) {
		m := NewArgs[tagged, int](bound, opaque)
		tags := []string{"a", ""}
		bounded(t, func(i int) { tags[1] = strconv.Itoa(i); m.Set(tagged{"ann", tags, nil}, i) }, m.Len)
	})
	t.Run("map", func(t *testing.T) {
		m := NewArgs[filtered, int](bound, opaque)
		f := map[string]string{"lang": "en"}
		bounded(t, func(i int) { f["page"] = strconv.Itoa(i); m.Set(filtered{"ann", f}, i) }, m.Len)
	})
	t.Run("pointer", func(t *testing.T) {
		m := NewArgs[*request, int](bound, opaque)
		r := &request{User: "ann"}
		bounded(t, func(i int) { r.Page = i; m.Set(r, i) }, m.Len)
	})
}

// TestArgsKeepNoHugeKey: an argument whose content passes maxKey is not
// remembered, so that the memo's memory stays bounded by its bound times
// maxKey.
func TestArgsKeepNoHugeKey(t *testing.T) {
	m := NewArgs[tagged, string](8, opaque)
	big := tagged{Tags: []string{fmt.Sprintf("%0*d", maxKey, 1)}}
	m.Set(big, "p")
	if _, ok := m.Get(big); ok || m.Len() != 0 {
		t.Errorf("an argument of %d bytes was remembered; want none past %d", maxKey+10, maxKey)
	}
}

// TestArgsStopAtMaxKey: the content of a huge argument is written no
// further than maxKey, whatever holds the data: a slice of bytes, of
// strings, a long string, or a map, so that a lookup costs kilobytes, not
// the argument's size.
func TestArgsStopAtMaxKey(t *testing.T) {
	type huge struct {
		Bytes   []byte
		Strings []string
		Text    string
		Map     map[string]string
		Nested  map[string]map[int]bool
	}
	const size = 16 << 20
	many := make([]string, size/8)
	for i := range many {
		many[i] = "12345678"
	}
	bigMap := make(map[string]string, 1<<16)
	nestedMap := make(map[string]map[int]bool, 1<<10)
	for i := range 1 << 16 {
		bigMap[strconv.Itoa(i)] = "v"
		if i < 1<<10 {
			nestedMap[strconv.Itoa(i)] = map[int]bool{i: true, -i: false}
		}
	}
	for _, tt := range []struct {
		name string
		arg  huge
		most uint64 // bytes a lookup may allocate, on average
	}{
		{"bytes", huge{Bytes: make([]byte, size)}, 64 << 10},
		{"strings", huge{Strings: many}, 64 << 10},
		{"text", huge{Text: string(make([]byte, size))}, 64 << 10},
		{"map", huge{Map: bigMap}, 64 << 10},
		{"nested map", huge{Nested: nestedMap}, 64 << 10},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := NewArgs[huge, string](8, opaque)
			m.Set(tt.arg, "p")
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for range 10 {
				if _, ok := m.Get(tt.arg); ok {
					t.Fatal("Get found a huge argument; want none remembered")
				}
			}
			runtime.ReadMemStats(&after)
			if n := (after.TotalAlloc - before.TotalAlloc) / 10; n > tt.most {
				t.Errorf("a lookup allocates %d bytes; want at most %d", n, tt.most)
			}
			if n := m.Len(); n != 0 {
				t.Errorf("Len = %d; want 0", n)
			}
		})
	}
}

// TestMapContentIsOneWhateverTheBuffer: a map's content is the same for
// every iteration order Go picks, whether its entries are put in order
// within the buffer's spare capacity or through a scratch buffer, and
// whether their spans fit on the stack (smallMap) or not.
func TestMapContentIsOneWhateverTheBuffer(t *testing.T) {
	o, ok := compile(reflect.TypeFor[filtered](), opaque)
	if !ok {
		t.Fatal("compile refused filtered")
	}
	for _, n := range []int{2, smallMap, smallMap + 1, 100} {
		f := filtered{"ann", manyFilters(n, false)}
		want := string(appendContent(make([]byte, 0, 2*maxKey), o, unsafe.Pointer(&f)))
		for range 20 {
			// No spare capacity: the scratch buffer.
			tight := string(appendContent(nil, o, unsafe.Pointer(&f)))
			roomy := string(appendContent(make([]byte, 0, 2*maxKey), o, unsafe.Pointer(&f)))
			if tight != want || roomy != want {
				t.Fatalf("%d entries: contents %q and %q; want %q", n, tight, roomy, want)
			}
		}
	}
}
