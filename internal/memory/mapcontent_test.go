package memory

import (
	"math/rand/v2"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func noOpaque(reflect.Type) bool { return false }

type attackVal struct {
	S string
	F float32
}

// attackMaps returns two maps of equal content filled in different orders
// and a third that differs in one entry, of n entries.
func attackMaps[V any](r *rand.Rand, n int, val func(int) V, other V) (a, b, c map[string]V) {
	a, b, c = map[string]V{}, map[string]V{}, map[string]V{}
	keys := make([]string, n)
	for i := range keys {
		keys[i] = strings.Repeat("k", r.IntN(40)) + strconv.Itoa(i)
	}
	for i, k := range keys {
		a[k] = val(i)
		c[k] = val(i)
	}
	for _, i := range r.Perm(n) {
		b[keys[i]] = val(i)
	}
	if n > 0 {
		c[keys[r.IntN(n)]] = other
	}
	return
}

// TestMapContent: the content of a map does not hang on its order
// (native and reflect paths, around smallMap, the insertion sort's 12 and
// the in-place sort's capacity), one entry changed is another key, and a
// map nested in another's values is written in place too; keys past
// shortKey switch to the long buffer and are still found.
func TestMapContent(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 60 {
		for round := range 4 {
			check := func(name string, a, b, c any) {
				m := NewAnyArgs[int](1000, noOpaque)
				if k, _ := m.appendKey(nil, []any{"x", a}); len(k) > maxKey {
					return // not remembered
				}
				ka, _ := m.appendKey(nil, []any{"x", a})
				kb, _ := m.appendKey(make([]byte, 0, 4), []any{"x", b})
				if string(ka) != string(kb) {
					t.Fatalf("%s n=%d: contents differ:\n%x\n%x", name, n, ka, kb)
				}
				m.Set([]any{"x", a}, 1)
				if v, ok := m.Get([]any{"x", b}); !ok || v != 1 {
					t.Fatalf("%s n=%d round %d: an equal map in another order is not found", name, n, round)
				}
				if n > 0 {
					if _, ok := m.Get([]any{"x", c}); ok {
						t.Fatalf("%s n=%d round %d: a changed map is found", name, n, round)
					}
				}
				runtime.Gosched()
			}
			a, b, c := attackMaps(r, n, func(i int) string { return strconv.Itoa(i * 7) }, "zz")
			check("map[string]string", a, b, c)
			a2, b2, c2 := attackMaps(r, n, func(i int) float32 { return float32(i) / 3 }, 1e9)
			check("map[string]float32", a2, b2, c2)
			a3, b3, c3 := attackMaps(r, n, func(i int) attackVal { return attackVal{strconv.Itoa(i), float32(i)} }, attackVal{"q", 1})
			check("map[string]attackVal", a3, b3, c3)
			// nested: outer map of inner maps, each of which is order-shuffled
			na, nb, nc := map[int]map[string]float32{}, map[int]map[string]float32{}, map[int]map[string]float32{}
			for i := range n%12 + 1 {
				x, y, z := attackMaps(r, n, func(j int) float32 { return float32(i*j) + 0.5 }, -1)
				na[i], nb[i], nc[i] = x, y, x
				if i == 0 {
					nc[i] = z
				}
			}
			check("nested", na, nb, nc)
		}
	}
}
