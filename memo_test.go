package cachetta_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cachetta-go/cachetta"
)

// TestArgumentMemoNeverServesAChangedValue calls wrapped functions whose
// arguments a wrapper remembers paths for (a struct of plain fields, a
// pair) or cannot (a struct holding a slice, a pointer), changing the
// argument between calls: a changed argument is a new entry every time,
// the same one a memory hit, and every file is the one PathFor names.
func TestArgumentMemoNeverServesAChangedValue(t *testing.T) {
	type page struct {
		User string
		Page int
	}
	type tagged struct {
		User string
		Tags []string
	}
	ctx := t.Context()
	c := cachetta.Must(cachetta.New[string](filepath.Join(t.TempDir(), "v.json"), cachetta.WithLRU(64)))
	var runs atomic.Int64
	byPage := cachetta.Wrap1(c, func(_ context.Context, p page) (string, error) {
		runs.Add(1)
		return p.User + "/" + string(rune('0'+p.Page)), nil
	})
	byTags := cachetta.Wrap1(c, func(_ context.Context, tg tagged) (string, error) {
		runs.Add(1)
		return strings.Join(tg.Tags, ","), nil
	})
	byPointer := cachetta.Wrap1(c, func(_ context.Context, p *page) (string, error) {
		runs.Add(1)
		return p.User + "/" + string(rune('0'+p.Page)), nil
	})
	byPair := cachetta.Wrap2(c, func(_ context.Context, p page, n int) (string, error) {
		runs.Add(1)
		return p.User + "/" + string(rune('0'+p.Page+n)), nil
	})
	check := func(what, got string, err error, want string, wantRuns int64, args ...any) {
		t.Helper()
		if err != nil || got != want {
			t.Fatalf("%s = %q, %v; want %q", what, got, err, want)
		}
		if n := runs.Load(); n != wantRuns {
			t.Fatalf("%s: %d runs in all; want %d", what, n, wantRuns)
		}
		if info, err := c.Info(ctx, args...); err != nil || !info.Exists {
			t.Errorf("%s: no file at PathFor(%v): %v", what, args, err)
		}
	}

	p := page{"ann", 1}
	v, err := byPage(ctx, p)
	check("byPage(ann 1)", v, err, "ann/1", 1, p)
	v, err = byPage(ctx, p)
	check("byPage(ann 1) again", v, err, "ann/1", 1, p)
	p.Page = 2
	v, err = byPage(ctx, p)
	check("byPage(ann 2)", v, err, "ann/2", 2, p)

	tg := tagged{"ann", []string{"a", "b"}}
	v, err = byTags(ctx, tg)
	check("byTags(a,b)", v, err, "a,b", 3, tg)
	tg.Tags[1] = "c" // the slice changes, the struct's fields do not
	v, err = byTags(ctx, tg)
	check("byTags(a,c)", v, err, "a,c", 4, tg)
	v, err = byTags(ctx, tg)
	check("byTags(a,c) again", v, err, "a,c", 4, tg)

	pp := &page{"bob", 1}
	v, err = byPointer(ctx, pp)
	check("byPointer(bob 1)", v, err, "bob/1", 5, pp)
	pp.Page = 3 // the pointer stays, what it points to changes
	v, err = byPointer(ctx, pp)
	check("byPointer(bob 3)", v, err, "bob/3", 6, pp)

	v, err = byPair(ctx, page{"cy", 1}, 1)
	check("byPair(cy 1, 1)", v, err, "cy/2", 7, page{"cy", 1}, 1)
	v, err = byPair(ctx, page{"cy", 1}, 2)
	check("byPair(cy 1, 2)", v, err, "cy/3", 8, page{"cy", 1}, 2)
	v, err = byPair(ctx, page{"cy", 1}, 1)
	check("byPair(cy 1, 1) again", v, err, "cy/2", 8, page{"cy", 1}, 1)
}

// TestPathFunctionMemoFollowsTheFunction: a wrapper remembers what a path
// function's results resolve to, never the function's result for an
// argument, so a path function whose answer changes is followed.
func TestPathFunctionMemoFollowsTheFunction(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	var prefix atomic.Value
	prefix.Store("a")
	c := cachetta.Must(cachetta.New[string](filepath.Join(dir, "x.json"), cachetta.WithLRU(8),
		cachetta.WithPathFunc(func(id int) string {
			return filepath.Join(dir, prefix.Load().(string)+string(rune('0'+id))+".json")
		})))
	get := cachetta.Wrap1(c, func(_ context.Context, id int) (string, error) {
		return prefix.Load().(string) + string(rune('0'+id)), nil
	})
	for _, step := range []struct{ prefix, want string }{{"a", "a1"}, {"a", "a1"}, {"b", "b1"}, {"a", "a1"}} {
		prefix.Store(step.prefix)
		if v, err := get(ctx, 1); v != step.want || err != nil {
			t.Fatalf("with prefix %s: get(1) = %q, %v; want %q", step.prefix, v, err, step.want)
		}
	}
}
