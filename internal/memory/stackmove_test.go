package memory

import (
	"os"
	"runtime"
	"sync/atomic"
	"testing"
)

// getWithStackMap looks up a map built on this frame's stack (AnyArgs.Get
// keeps no reference to it), of a type read through reflect.
//
//go:noinline
func getWithStackMap(m *AnyArgs[int], i int) (int, bool) {
	mp := map[string]float32{"a": 1, "b": float32(i)}
	return m.Get([]any{mp})
}

// TestMapEntriesAcrossStackShrink: the reflect path of a map's entries
// keeps the map's pointer in its frame; kept in a pooled heap entry, as it
// once was, and read back when the iteration starts, a stack moved in
// between (a GC shrinking it at a call) left it reading the old stack. It
// takes a while, so it runs only with MEMORY_MAPSHRINK=1, and with
// GODEBUG=efence=1 such a read faults.
func TestMapEntriesAcrossStackShrink(t *testing.T) {
	if os.Getenv("MEMORY_MAPSHRINK") == "" {
		t.Skip("set MEMORY_MAPSHRINK=1 (and GODEBUG=efence=1)")
	}
	m := NewAnyArgs[int](8, noOpaque)
	m.Set([]any{map[string]float32{"a": 1, "b": 2}}, 2)
	var stop atomic.Bool
	gcDone := make(chan struct{})
	go func() {
		defer close(gcDone)
		for !stop.Load() {
			runtime.GC()
		}
	}()
	bad := 0
	for range 300 {
		done := make(chan struct{})
		go func() {
			defer close(done)
			for range 50 {
				grow(2000)
				if v, ok := getWithStackMap(m, 2); !ok || v != 2 {
					bad++
				}
			}
		}()
		<-done
	}
	stop.Store(true)
	<-gcDone
	if bad > 0 {
		t.Fatalf("%d lookups of a remembered map missed", bad)
	}
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

// atDepth calls f below d frames of about 200 bytes each.
//
//go:noinline
func atDepth(d int, f func()) byte {
	var pad [160]byte
	pad[d%160] = byte(d)
	if d == 0 {
		f()
		return pad[0]
	}
	return atDepth(d-1, f) + pad[(d+1)%160]
}

// TestMapContentAcrossStackGrowth: the content of a map argument read
// through reflect, computed at every depth of a fresh goroutine's stack, so
// that at some depth the stack grows while the map's entries are written.
// appendContent reads its encoder back through the pointer noescape
// returns; were noescape inlined, the compiler could load it again from
// noescape's uintptr variable, which a move of the stack does not update,
// and take the old frame's encoder (a truncated buffer on the freed stack)
// for the key. A memo that remembered one map under such a key then
// answered another map of the same length with the first one's value.
func TestMapContentAcrossStackGrowth(t *testing.T) {
	a := map[string]float32{"alpha": 1, "beta": 2, "gamma": 3, "delta": 4, "eps": 5}
	b := map[string]float32{"alpha": 9, "beta": 8, "gamma": 7, "delta": 6, "eps": 5}
	m := NewAnyArgs[int](1000, noOpaque)
	want, _ := m.appendKey(nil, []any{a})
	run := func(d int, f func()) {
		done := make(chan struct{})
		go func() { defer close(done); atDepth(d, f) }()
		<-done
	}
	bad := 0
	for d := range 400 {
		var got []byte
		run(d, func() {
			var buf [512]byte
			k, _ := m.appendKey(buf[:0], []any{a})
			got = append([]byte(nil), k...)
		})
		if string(got) != string(want) {
			bad++
			if bad == 1 {
				t.Errorf("depth %d: content of a is\n%x; want\n%x", d, got, want)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of 400 depths gave a wrong content", bad)
	}
	// A memo that remembers a at a depth where Set's content is wrong...
	var memo *AnyArgs[int]
	for d := range 400 {
		m2 := NewAnyArgs[int](1000, noOpaque)
		m2.Get([]any{a}) // compiles a's type, as a first Read's miss does
		run(d, func() { m2.Set([]any{a}, 1) })
		if _, ok := m2.Get([]any{a}); !ok {
			memo = m2
			break
		}
	}
	if memo == nil {
		t.Log("no depth made Set remember a wrong content")
		return
	}
	// ... answers b, which it never saw, at a depth where Get's is wrong.
	for d := range 400 {
		var v int
		var ok bool
		run(d, func() { v, ok = memo.Get([]any{b}) })
		if ok {
			t.Fatalf("depth %d: Get(b) = %d, true: a's value for a map never set", d, v)
		}
	}
}
