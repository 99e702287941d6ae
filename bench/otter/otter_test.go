package otter_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
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

// The argument types of BenchmarkWrap1HitVsOtterByKey. Otter keys by ==, so
// it cannot take a type holding a slice or a map: its key for those is the
// comparable form of the same data (see otterForm), made once before the
// timed loop, so that otter's side measures its lookup and no key making,
// while cachetta derives its key from the argument on every call.
type (
	// request is a comparable struct, a common argument in real code.
	request struct {
		User string `json:"user"`
		Page int    `json:"page"`
	}
	// tagged holds a slice, which may change under an unchanged struct.
	tagged struct {
		User string   `json:"user"`
		Tags []string `json:"tags"`
	}
	// filtered holds a map.
	filtered struct {
		User    string            `json:"user"`
		Filters map[string]string `json:"filters"`
	}
	// flat is the comparable form otter keys tagged and filtered by: the
	// slice, or the map's sorted entries, joined into one string.
	flat struct {
		User string
		Rest string
	}
)

// keyCase is one row of BenchmarkWrap1HitVsOtterByKey: a Wrap1 hit with
// arg, and an otter Get with key, the same data in a form otter can key by.
type keyCase struct {
	name   string
	cached func(tb testing.TB, want []string) func(context.Context) ([]string, error)
	otter  func(tb testing.TB, want []string) func(context.Context) ([]string, error)
}

// keyCases are the argument kinds the speed issue names: a comparable
// struct, a struct holding a slice, one holding a map, a pointer (otter
// keys the pointer itself, cachetta what it points to), and an int through
// a path function (otter keys the int).
func keyCases() []keyCase {
	req := request{User: "user@example.com", Page: 7}
	tg := tagged{User: "user@example.com", Tags: []string{"a", "b", "c"}}
	fl := filtered{User: "user@example.com", Filters: map[string]string{"lang": "en", "sort": "new"}}
	return []keyCase{
		{"struct", cachettaCase(req), otterCase(req)},
		{"slicestruct", cachettaCase(tg), otterCase(flat{tg.User, strings.Join(tg.Tags, "\x00")})},
		{"mapstruct", cachettaCase(fl), otterCase(otterForm(fl))},
		// The same, with otter's key made from the argument on each call,
		// as a caller of otter holding a map must: shown, not a target.
		{"mapstructpercall", cachettaCase(fl), otterCaseOf(func() flat { return otterForm(fl) })},
		{"pointer", cachettaCase(&req), otterCase(&req)},
		{"pathfunc", func(tb testing.TB, want []string) func(context.Context) ([]string, error) {
			// A path function as cheap as it gets, so that the row
			// measures cachetta: a name made once.
			name := filepath.Join(tb.TempDir(), fmt.Sprint(42)+".json")
			return cachettaGetWith(tb, want, 42, cachetta.WithPathFunc(func(int) string { return name }))
		}, otterCase(42)},
	}
}

// otterForm is the comparable form of f: its map's entries, sorted, joined.
func otterForm(f filtered) flat {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(f.Filters)) {
		b.WriteString(k + "\x00" + f.Filters[k] + "\x00")
	}
	return flat{f.User, b.String()}
}

func cachettaCase[K any](arg K) func(testing.TB, []string) func(context.Context) ([]string, error) {
	return func(tb testing.TB, want []string) func(context.Context) ([]string, error) {
		return cachettaGetWith(tb, want, arg)
	}
}

func otterCase[K comparable](key K) func(testing.TB, []string) func(context.Context) ([]string, error) {
	return otterCaseOf(func() K { return key })
}

// otterCaseOf is otterCase with the key that key returns on each call.
func otterCaseOf[K comparable](key func() K) func(testing.TB, []string) func(context.Context) ([]string, error) {
	return func(tb testing.TB, want []string) func(context.Context) ([]string, error) {
		m := otter.Must(&otter.Options[K, []string]{
			MaximumSize:      16,
			ExpiryCalculator: otter.ExpiryWriting[K, []string](ttl),
		})
		m.Set(key(), want)
		load := otter.LoaderFunc[K, []string](func(context.Context, K) ([]string, error) {
			return nil, errCalled
		})
		return func(ctx context.Context) ([]string, error) { return m.Get(ctx, key(), load) }
	}
}

// cachettaGetWith returns a call of a Wrap1 with arg over a function that
// only fails, after filling memory with want for arg.
func cachettaGetWith[K any](tb testing.TB, want []string, arg K, opts ...cachetta.Option) func(context.Context) ([]string, error) {
	tb.Helper()
	opts = append([]cachetta.Option{cachetta.WithLRU(16), cachetta.WithDuration(ttl)}, opts...)
	c, err := cachetta.New[[]string](filepath.Join(tb.TempDir(), "v.json"), opts...)
	if err != nil {
		tb.Fatal(err)
	}
	if err := c.Write(tb.Context(), want, arg); err != nil {
		tb.Fatal(err)
	}
	get := cachetta.Wrap1(c, func(context.Context, K) ([]string, error) { return nil, errCalled })
	if _, err := get(tb.Context(), arg); err != nil { // fills memory
		tb.Fatal(err)
	}
	return func(ctx context.Context) ([]string, error) { return get(ctx, arg) }
}

// TestBothSidesHitByKey checks that each row of
// BenchmarkWrap1HitVsOtterByKey answers the stored value on both sides.
func TestBothSidesHitByKey(t *testing.T) {
	want := sliceValue()
	for _, kc := range keyCases() {
		for side, get := range map[string]func(context.Context) ([]string, error){
			"cachetta": kc.cached(t, want),
			"otter":    kc.otter(t, want),
		} {
			if v, err := get(t.Context()); err != nil || !slices.Equal(v, want) {
				t.Errorf("%s, %s: get = %q, %v; want %q", kc.name, side, v, err, want)
			}
		}
	}
}

// BenchmarkWrap1HitVsOtterByKey compares memory hits through Wrap1 with
// each argument kind of keyCases with otter's Get(ctx, key, loader) of the
// same value, the key being the same data in a form otter can key by.
func BenchmarkWrap1HitVsOtterByKey(b *testing.B) {
	want := sliceValue()
	run := func(b *testing.B, get func(context.Context) ([]string, error)) {
		ctx := b.Context()
		var (
			v   []string
			err error
		)
		b.ReportAllocs()
		for b.Loop() {
			v, err = get(ctx)
		}
		if err != nil || !slices.Equal(v, want) {
			b.Fatalf("get = %q, %v; want %q", v, err, want)
		}
	}
	for _, kc := range keyCases() {
		b.Run("key="+kc.name+"/impl=cachetta", func(b *testing.B) { run(b, kc.cached(b, want)) })
		b.Run("key="+kc.name+"/impl=floor", func(b *testing.B) { run(b, kc.otter(b, want)) })
	}
}
