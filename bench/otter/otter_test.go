package otter_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
	"github.com/maypok86/otter/v2"
)

// kib is a 1 KiB struct, a value that a hit copies.
type kib struct {
	Words [128]int64 `json:"words"`
}

// The key both sides look up: 42, which Go boxes in an interface without
// allocating.
const key = 42

// ttl is the duration of both caches.
const ttl = time.Hour

var errCalled = errors.New("a hit called the wrapped function")

// cachettaGet returns a Wrap1 of c over a function that only fails, after
// filling c's memory with want for key.
func cachettaGet[V any](tb testing.TB, want V) func(context.Context, int) (V, error) {
	tb.Helper()
	c, err := cachetta.New[V](filepath.Join(tb.TempDir(), "v.json"), cachetta.WithLRU(16), cachetta.WithDuration(ttl))
	if err != nil {
		tb.Fatal(err)
	}
	if err := c.Write(tb.Context(), want, key); err != nil {
		tb.Fatal(err)
	}
	get := cachetta.Wrap1(c, func(context.Context, int) (V, error) {
		var zero V
		return zero, errCalled
	})
	if _, err := get(tb.Context(), key); err != nil { // fills memory
		tb.Fatal(err)
	}
	return get
}

// otterCache returns an otter cache holding want for key, and a loader that
// only fails.
func otterCache[V any](tb testing.TB, want V) (*otter.Cache[int, V], otter.Loader[int, V]) {
	tb.Helper()
	m := otter.Must(&otter.Options[int, V]{
		MaximumSize:      16,
		ExpiryCalculator: otter.ExpiryWriting[int, V](ttl),
	})
	m.Set(key, want)
	return m, otter.LoaderFunc[int, V](func(context.Context, int) (V, error) {
		var zero V
		return zero, errCalled
	})
}

func kibValue() kib {
	var v kib
	for i := range v.Words {
		v.Words[i] = int64(i) * 1_000_003
	}
	return v
}

func sliceValue() []string {
	return []string{"alpha", "beta", "gamma"}
}

// TestBothSidesHit checks that each side of the benchmark answers the
// stored value without calling its function.
func TestBothSidesHit(t *testing.T) {
	ctx := t.Context()
	want := kibValue()
	get := cachettaGet(t, want)
	if v, err := get(ctx, key); err != nil || v != want {
		t.Errorf("cachetta get(%d) = equal %v, %v; want the stored value", key, v == want, err)
	}
	m, load := otterCache(t, want)
	if v, err := m.Get(ctx, key, load); err != nil || v != want {
		t.Errorf("otter Get(%d) = equal %v, %v; want the stored value", key, v == want, err)
	}
	wantSlice := sliceValue()
	getSlice := cachettaGet(t, wantSlice)
	if v, err := getSlice(ctx, key); err != nil || !slices.Equal(v, wantSlice) {
		t.Errorf("cachetta get(%d) = %q, %v; want %q", key, v, err, wantSlice)
	}
	ms, loadSlice := otterCache(t, wantSlice)
	if v, err := ms.Get(ctx, key, loadSlice); err != nil || !slices.Equal(v, wantSlice) {
		t.Errorf("otter Get(%d) = %q, %v; want %q", key, v, err, wantSlice)
	}
}

// BenchmarkWrap1HitVsOtter compares a memory hit through Wrap1(ctx, 42) with
// otter's Get(ctx, 42, loader) of the same value. Each timed loop holds the
// call and nothing else; results are checked after it.
func BenchmarkWrap1HitVsOtter(b *testing.B) {
	b.Run("value=KiB/impl=cachetta", func(b *testing.B) {
		want := kibValue()
		get := cachettaGet(b, want)
		ctx := b.Context()
		var (
			v   kib
			err error
		)
		b.ReportAllocs()
		for b.Loop() {
			v, err = get(ctx, key)
		}
		if err != nil || v != want {
			b.Fatalf("get(%d) = equal %v, %v; want the stored value", key, v == want, err)
		}
	})
	b.Run("value=KiB/impl=floor", func(b *testing.B) {
		want := kibValue()
		m, load := otterCache(b, want)
		ctx := b.Context()
		var (
			v   kib
			err error
		)
		b.ReportAllocs()
		for b.Loop() {
			v, err = m.Get(ctx, key, load)
		}
		if err != nil || v != want {
			b.Fatalf("Get(%d) = equal %v, %v; want the stored value", key, v == want, err)
		}
	})
	b.Run("value=slice/impl=cachetta", func(b *testing.B) {
		want := sliceValue()
		get := cachettaGet(b, want)
		ctx := b.Context()
		var (
			v   []string
			err error
		)
		b.ReportAllocs()
		for b.Loop() {
			v, err = get(ctx, key)
		}
		if err != nil || !slices.Equal(v, want) {
			b.Fatalf("get(%d) = %q, %v; want %q", key, v, err, want)
		}
	})
	b.Run("value=slice/impl=floor", func(b *testing.B) {
		want := sliceValue()
		m, load := otterCache(b, want)
		ctx := b.Context()
		var (
			v   []string
			err error
		)
		b.ReportAllocs()
		for b.Loop() {
			v, err = m.Get(ctx, key, load)
		}
		if err != nil || !slices.Equal(v, want) {
			b.Fatalf("Get(%d) = %q, %v; want %q", key, v, err, want)
		}
	})
}
