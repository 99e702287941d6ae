package memory

import (
	"reflect"
	"strconv"
	"testing"
	"unsafe"

	lru "github.com/hashicorp/golang-lru/v2"
)

// BenchmarkCacheGet measures Gets of a full cache of n entries, each of
// another key than the last: by key, and as a wrapper makes them, through
// a Values memo of Handles keyed by the argument. The floor is golang-lru's
// Get of the same keys from a cache holding as many.
func BenchmarkCacheGet(b *testing.B) {
	const n = 100_000
	keys := make([]Key, n)
	for i := range keys {
		keys[i] = KeyOf("/tmp/BenchmarkCacheGet/001/v-" + strconv.FormatUint(uint64(i)*0x9e3779b97f4a7c15, 16) + ".json")
	}
	b.Run("impl=memory", func(b *testing.B) {
		c := New[int](n, nil)
		for i, k := range keys {
			c.Add(k, &i)
		}
		inTurn(b, n, func(i int) bool {
			_, ok := c.Get(keys[i])
			return ok
		})
	})
	b.Run("impl=handles", func(b *testing.B) {
		c := New[int](n, nil)
		memo := NewValues[int, *Handle[int]](n)
		for i, k := range keys {
			c.Add(k, &i)
			memo.Set(i, c.Handle(k))
		}
		for i := range keys {
			memo.Get(i) // publishes
		}
		inTurn(b, n, func(i int) bool {
			h, _ := memo.Get(i)
			_, ok := h.Get()
			return ok
		})
	})
	b.Run("impl=floor", func(b *testing.B) {
		c, err := lru.New[string, *int](n)
		if err != nil {
			b.Fatal(err)
		}
		for i, k := range keys {
			c.Add(k.String(), &i)
		}
		inTurn(b, n, func(i int) bool {
			_, ok := c.Get(keys[i].String())
			return ok
		})
	})
}

// inTurn times get of 0, 1, ... n-1, then 0 again, and fails the benchmark
// when one missed.
func inTurn(b *testing.B, n int, get func(i int) bool) {
	ok, i := true, 0
	b.ReportAllocs()
	for b.Loop() {
		ok = get(i) && ok
		if i++; i == n {
			i = 0
		}
	}
	if !ok {
		b.Fatal("a Get missed")
	}
}

// BenchmarkArgsGet measures a memo's Get by the argument's content, for a
// struct, a struct holding a slice and one holding a map, beside the floor:
// the Get of a Values keyed by that content built beforehand, which is all
// the lookup a memo makes once its key is written.
func BenchmarkArgsGet(b *testing.B) {
	type plain struct {
		User string
		Page int
	}
	type sliced struct {
		User string
		Tags []string
	}
	type mapped struct {
		User    string
		Filters map[string]string
	}
	b.Run("arg=struct", func(b *testing.B) {
		argsGet(b, plain{User: "user@example.com", Page: 2})
	})
	b.Run("arg=slice", func(b *testing.B) {
		argsGet(b, sliced{User: "user@example.com", Tags: []string{"go", "cache"}})
	})
	b.Run("arg=map", func(b *testing.B) {
		argsGet(b, mapped{User: "user@example.com", Filters: map[string]string{"lang": "en", "sort": "new"}})
	})
}

func argsGet[P any](b *testing.B, arg P) {
	m := NewArgs[P, int](16, func(reflect.Type) bool { return false })
	m.Set(arg, 1)
	m.Get(arg) // publishes
	b.Run("impl=memo", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := m.Get(arg); !ok {
				b.Fatal("missed")
			}
		}
	})
	b.Run("impl=floor", func(b *testing.B) {
		key := string(appendContent(nil, m.content, unsafe.Pointer(&arg)))
		v := NewValues[string, int](16)
		v.Set(key, 1)
		v.Get(key)
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := v.Get(key); !ok {
				b.Fatal("missed")
			}
		}
	})
}
