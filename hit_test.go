package cachetta_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
)

// TestMemoryHitsKeepToTheirCopy checks that a copy answers from memory only
// what its own paths hold: a Join under another name with the same argument,
// and one led outside the root, never see the original's entries.
func TestMemoryHitsKeepToTheirCopy(t *testing.T) {
	ctx := t.Context()
	root := t.TempDir()
	c := cachetta.Must(cachetta.New[string]("s.json", cachetta.WithRoot(root), cachetta.WithLRU(8),
		cachetta.WithLogger(testLogger(t))))
	other := c.Join("..", "t.json")
	outside := c.Join("..", "..", "s.json")
	for _, w := range []struct {
		c    *cachetta.Cachetta[string]
		args []any
		v    string
	}{
		{c, nil, "c"}, {c, []any{7}, "c7"}, {c, []any{"x"}, "cx"},
		{other, nil, "o"}, {other, []any{7}, "o7"}, {other, []any{"x"}, "ox"},
	} {
		if err := w.c.Write(ctx, w.v, w.args...); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		c    *cachetta.Cachetta[string]
		args []any
		want string
	}{
		{"original", c, nil, "c"},
		{"original, int", c, []any{7}, "c7"},
		{"original, string", c, []any{"x"}, "cx"},
		{"join", other, nil, "o"},
		{"join, int", other, []any{7}, "o7"},
		{"join, string", other, []any{"x"}, "ox"},
	}
	// Twice: the second round is answered from memory.
	for range 2 {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if v, ok, err := tt.c.Read(ctx, tt.args...); v != tt.want || !ok || err != nil {
					t.Errorf("Read(%v) = %q, %v, %v; want %q", tt.args, v, ok, err, tt.want)
				}
			})
		}
		get := cachetta.Wrap1(other, func(context.Context, int) (string, error) { return "", errHitCalled })
		if v, err := get(ctx, 7); v != "o7" || err != nil {
			t.Errorf("Wrap1 of the join (7) = %q, %v; want o7", v, err)
		}
		for _, args := range [][]any{nil, {7}, {"x"}} {
			if _, _, err := outside.Read(ctx, args...); !errors.Is(err, cachetta.ErrOutsideRoot) {
				t.Errorf("Read(%v) outside the root = %v; want ErrOutsideRoot", args, err)
			}
		}
		if _, err := cachetta.Wrap(outside, func(context.Context) (string, error) { return "", errHitCalled })(ctx); !errors.Is(err, cachetta.ErrOutsideRoot) {
			t.Errorf("Wrap outside the root = %v; want ErrOutsideRoot", err)
		}
	}
}

// TestMemoryHitsOfArgumentsThatAreNoMapKeys checks that wrapping a function
// of an interface argument works for values that cannot be map keys, and
// that arguments that look alike but key apart are kept apart.
func TestMemoryHitsOfArgumentsThatAreNoMapKeys(t *testing.T) {
	ctx := t.Context()
	c := newCache[string](t, "s.json", cachetta.WithLRU(8))
	get := cachetta.Wrap1(c, func(_ context.Context, a any) (string, error) {
		k, err := cachetta.Key(a)
		return k, err
	})
	for _, a := range []any{[]int{1}, map[string]int{"a": 1}, 1, 1.0, math.Copysign(0, -1), 0.0, "1", int64(1), uint8(1)} {
		for range 2 {
			want, err := cachetta.Key(a)
			if err != nil {
				t.Fatal(err)
			}
			if v, err := get(ctx, a); v != want || err != nil {
				t.Errorf("get(%#v) = %q, %v; want %q", a, v, err, want)
			}
			if v, ok, err := c.Read(ctx, a); v != want || !ok || err != nil {
				t.Errorf("Read(%#v) = %q, %v, %v; want %q", a, v, ok, err, want)
			}
		}
	}
}

// TestMemoryHitsHonourOverrides checks that a call whose path is known still
// obeys the overrides in its context.
func TestMemoryHitsHonourOverrides(t *testing.T) {
	ctx := t.Context()
	c := newCache[string](t, "s.json", cachetta.WithLRU(8))
	var calls int
	get := cachetta.Wrap1(c, func(context.Context, int) (string, error) { calls++; return "run", nil })
	// Written through a copy without memory, which clears the entry from
	// memory, so that the read of the backdated file fills it.
	nomem := cachetta.Must(c.With(cachetta.WithLRU(0)))
	if err := nomem.Write(ctx, "stored", 1); err != nil {
		t.Fatal(err)
	}
	path, err := c.PathFor(1)
	if err != nil {
		t.Fatal(err)
	}
	backdate(t, path, 10*time.Minute)
	for range 2 { // fill memory, then hit it
		if v, err := get(ctx, 1); v != "stored" || err != nil {
			t.Fatalf("get(1) = %q, %v; want stored", v, err)
		}
	}
	tests := []struct {
		name  string
		ctx   context.Context
		want  string
		calls int
	}{
		{"MaxAge longer than the age", cachetta.MaxAge(ctx, 20*time.Minute), "stored", 0},
		{"MaxAge shorter than the age", cachetta.MaxAge(ctx, time.Minute), "run", 1},
		{"Bypass", cachetta.Bypass(ctx), "run", 1},
		{"ForceRefresh", cachetta.ForceRefresh(ctx), "run", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls = 0
			if err := nomem.Write(ctx, "stored", 1); err != nil {
				t.Fatal(err)
			}
			backdate(t, path, 10*time.Minute)
			for range 2 {
				if _, err := get(ctx, 1); err != nil { // fill memory again
					t.Fatal(err)
				}
			}
			if v, err := get(tt.ctx, 1); v != tt.want || err != nil || calls != tt.calls {
				t.Errorf("get(1) = %q, %v after %d calls; want %q after %d", v, err, calls, tt.want, tt.calls)
			}
			if _, ok, err := c.Read(cachetta.Bypass(ctx), 1); ok || err != nil {
				t.Errorf("Read(Bypass, 1) = %v, %v; want a miss", ok, err)
			}
		})
	}
}
