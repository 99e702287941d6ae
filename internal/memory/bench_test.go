package memory

import (
	"strconv"
	"testing"

	lru "github.com/hashicorp/golang-lru/v2"
)

// BenchmarkCacheGet measures Gets of a full cache of n entries, each of
// another key than the last, beside
// golang-lru's Get of the same keys, the floor of the first, and Gets of
// Values of as many keys, which a wrapper's argument memo is.
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
		var (
			v  *int
			ok bool
			i  int
		)
		b.ReportAllocs()
		for b.Loop() {
			v, ok = c.Get(keys[i])
			if i++; i == n {
				i = 0
			}
		}
		if !ok || v == nil {
			b.Fatal("a Get missed")
		}
	})
	b.Run("impl=values", func(b *testing.B) {
		p := NewValues[int, Key](n)
		for i, k := range keys {
			p.Set(i, k)
		}
		for i := range keys {
			p.Get(i) // publishes
		}
		var (
			k  Key
			ok bool
			i  int
		)
		b.ReportAllocs()
		for b.Loop() {
			k, ok = p.Get(i)
			if i++; i == n {
				i = 0
			}
		}
		if !ok || k.String() == "" {
			b.Fatal("a Get missed")
		}
	})
	b.Run("impl=handles", func(b *testing.B) {
		c := New[int](n, nil)
		p := NewValues[any, *Handle[int]](n)
		for i, k := range keys {
			c.Add(k, &i)
			p.Set(i, c.Handle(k))
		}
		for i := range keys {
			h, _ := p.Get(i) // publishes
			h.Get()
		}
		var (
			v  *int
			ok bool
			i  int
		)
		b.ReportAllocs()
		for b.Loop() {
			h, _ := p.Get(i)
			v, ok = h.Get()
			if i++; i == n {
				i = 0
			}
		}
		if !ok || v == nil {
			b.Fatal("a Get missed")
		}
	})
	b.Run("impl=handleonly", func(b *testing.B) {
		c := New[int](n, nil)
		hs := make([]*Handle[int], n)
		for i, k := range keys {
			c.Add(k, &i)
			hs[i] = c.Handle(k)
			hs[i].Get()
		}
		var (
			v  *int
			ok bool
			i  int
		)
		b.ReportAllocs()
		for b.Loop() {
			v, ok = hs[i].Get()
			if i++; i == n {
				i = 0
			}
		}
		if !ok || v == nil {
			b.Fatal("a Get missed")
		}
	})
	b.Run("impl=floor", func(b *testing.B) {
		c, err := lru.New[string, *int](n)
		if err != nil {
			b.Fatal(err)
		}
		for i, k := range keys {
			c.Add(k.String(), &i)
		}
		var (
			v  *int
			ok bool
			i  int
		)
		b.ReportAllocs()
		for b.Loop() {
			v, ok = c.Get(keys[i].String())
			if i++; i == n {
				i = 0
			}
		}
		if !ok || v == nil {
			b.Fatal("a Get missed")
		}
	})
}
