package cachetta_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
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
	type filtered struct {
		User    string
		Filters map[string]string
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
	byFilters := cachetta.Wrap1(c, func(_ context.Context, f filtered) (string, error) {
		runs.Add(1)
		return f.User + "?" + f.Filters["lang"] + f.Filters["sort"], nil
	})
	byTriple := cachetta.Wrap3(c, func(_ context.Context, p page, tg tagged, n int) (string, error) {
		runs.Add(1)
		return p.User + "/" + strings.Join(tg.Tags, ",") + "/" + string(rune('0'+n)), nil
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

	f := filtered{"dee", map[string]string{"lang": "en"}}
	v, err = byFilters(ctx, f)
	check("byFilters(en)", v, err, "dee?en", 9, f)
	f.Filters["lang"] = "fr" // the map changes, the struct's fields do not
	v, err = byFilters(ctx, f)
	check("byFilters(fr)", v, err, "dee?fr", 10, f)
	f.Filters["sort"] = "new"
	v, err = byFilters(ctx, f)
	check("byFilters(fr, new)", v, err, "dee?frnew", 11, f)
	v, err = byFilters(ctx, f)
	check("byFilters(fr, new) again", v, err, "dee?frnew", 11, f)

	tg = tagged{"eve", []string{"x"}}
	v, err = byTriple(ctx, p, tg, 1)
	check("byTriple(x)", v, err, "ann/x/1", 12, p, tg, 1)
	tg.Tags[0] = "y"
	v, err = byTriple(ctx, p, tg, 1)
	check("byTriple(y)", v, err, "ann/y/1", 13, p, tg, 1)
	v, err = byTriple(ctx, p, tg, 1)
	check("byTriple(y) again", v, err, "ann/y/1", 13, p, tg, 1)
}

// TestReadMemoNeverServesAChangedValue is
// TestArgumentMemoNeverServesAChangedValue for Read, whose copy remembers
// the paths of arguments of any type by their types and content: a changed
// slice, map or pointee, or another type with the same bits, reads the
// entry of the new value.
func TestReadMemoNeverServesAChangedValue(t *testing.T) {
	type tagged struct {
		User string
		Tags []string
	}
	type page struct {
		User string
		Page int
	}
	ctx := t.Context()
	c := cachetta.Must(cachetta.New[string](filepath.Join(t.TempDir(), "v.json"), cachetta.WithLRU(64)))
	tg := tagged{"ann", []string{"a", "b"}}
	pp := &page{"bob", 1}
	f := map[string]string{"lang": "en"}
	steps := []struct {
		what   string
		change func()
		args   []any
	}{
		{"slice", func() { tg.Tags[1] = "c" }, []any{tg}},
		{"pointee", func() { pp.Page = 2 }, []any{pp}},
		{"map", func() { f["lang"] = "fr" }, []any{f}},
		{"slice beside a pointer", func() { tg.Tags[0] = "z" }, []any{pp, tg}},
	}
	for _, st := range steps {
		t.Run(st.what, func(t *testing.T) {
			before, err := cachetta.Key(st.args...)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Write(ctx, before, st.args...); err != nil {
				t.Fatal(err)
			}
			for range 2 { // the second read goes through the memo
				if v, ok, err := c.Read(ctx, st.args...); v != before || !ok || err != nil {
					t.Fatalf("Read = %q, %v, %v; want %q", v, ok, err, before)
				}
			}
			st.change()
			after, err := cachetta.Key(st.args...)
			if err != nil {
				t.Fatal(err)
			}
			if v, ok, err := c.Read(ctx, st.args...); ok || err != nil {
				t.Fatalf("Read after the %s changed = %q, %v, %v; want a miss (key %s, was %s)", st.what, v, ok, err, after, before)
			}
			if err := c.Write(ctx, after, st.args...); err != nil {
				t.Fatal(err)
			}
			if v, ok, err := c.Read(ctx, st.args...); v != after || !ok || err != nil {
				t.Fatalf("Read = %q, %v, %v; want %q", v, ok, err, after)
			}
		})
	}
	// int64(1) and a struct of one int64 1 have one bit pattern and two
	// keys.
	type one struct{ N int64 }
	for _, a := range []any{int64(1), one{1}, int64(1), one{1}} {
		want, _ := cachetta.Key(a)
		if err := c.Write(ctx, want, a); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		for _, a := range []any{[]any{int64(1), 2}, []any{one{1}, 2}} {
			args := a.([]any)
			want, _ := cachetta.Key(args...)
			if err := c.Write(ctx, want, args...); err != nil {
				t.Fatal(err)
			}
			if v, ok, err := c.Read(ctx, args...); v != want || !ok || err != nil {
				t.Errorf("Read(%#v) = %q, %v, %v; want %q", args, v, ok, err, want)
			}
		}
	}
}

// TestPathFunction2MemoFollowsTheFunction is
// TestPathFunctionMemoFollowsTheFunction for Wrap2.
func TestPathFunction2MemoFollowsTheFunction(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	var prefix atomic.Value
	prefix.Store("a")
	c := cachetta.Must(cachetta.New[string](filepath.Join(dir, "x.json"), cachetta.WithLRU(8),
		cachetta.WithPathFunc2(func(id int, tags []string) string {
			return filepath.Join(dir, prefix.Load().(string)+string(rune('0'+id))+strings.Join(tags, "")+".json")
		})))
	get := cachetta.Wrap2(c, func(_ context.Context, id int, tags []string) (string, error) {
		return prefix.Load().(string) + string(rune('0'+id)) + strings.Join(tags, ""), nil
	})
	tags := []string{"t"}
	for _, step := range []struct{ prefix, tag, want string }{
		{"a", "t", "a1t"}, {"a", "t", "a1t"}, {"b", "t", "b1t"}, {"b", "u", "b1u"}, {"a", "u", "a1u"}, {"a", "t", "a1t"},
	} {
		prefix.Store(step.prefix)
		tags[0] = step.tag
		if v, err := get(ctx, 1, tags); v != step.want || err != nil {
			t.Fatalf("with prefix %s: get(1, [%s]) = %q, %v; want %q", step.prefix, step.tag, v, err, step.want)
		}
	}
}

// TestArgumentMemoFollowsInvalidate: the memo maps an argument to its path
// and nothing more, so an entry invalidated or dropped from memory after a
// memo hit is computed again, not served from the memo.
func TestArgumentMemoFollowsInvalidate(t *testing.T) {
	type tagged struct {
		User string
		Tags []string
	}
	ctx := t.Context()
	c := cachetta.Must(cachetta.New[int](filepath.Join(t.TempDir(), "v.json"), cachetta.WithLRU(1)))
	var runs atomic.Int64
	get := cachetta.Wrap1(c, func(_ context.Context, tg tagged) (int, error) {
		return int(runs.Add(1)), nil
	})
	a, b := tagged{"ann", []string{"a"}}, tagged{"bob", []string{"b"}}
	steps := []struct {
		name string
		do   func() error
		arg  tagged
		want int
	}{
		{"first call", nil, a, 1},
		{"memory hit", nil, a, 1},
		{"after Invalidate", func() error { return c.Invalidate(ctx, a) }, a, 2},
		{"another argument, which evicts the first from memory", nil, b, 3},
		{"the first again, from its file", nil, a, 2},
	}
	for _, st := range steps {
		if st.do != nil {
			if err := st.do(); err != nil {
				t.Fatal(err)
			}
		}
		if v, err := get(ctx, st.arg); v != st.want || err != nil {
			t.Fatalf("%s: get(%v) = %d, %v; want %d", st.name, st.arg, v, err, st.want)
		}
	}
}

// TestArgumentMemoHitsAreCounted: a memory hit found through an argument
// memo counts in Stats and emits its event as any memory hit does.
func TestArgumentMemoHitsAreCounted(t *testing.T) {
	type tagged struct {
		User string
		Tags []string
	}
	ctx := t.Context()
	var hits atomic.Int64
	c := cachetta.Must(cachetta.New[string](filepath.Join(t.TempDir(), "v.json"), cachetta.WithLRU(8),
		cachetta.WithEvents(func(e cachetta.Event) {
			if e.Kind == cachetta.EventMemoryHit {
				hits.Add(1)
			}
		})))
	get := cachetta.Wrap1(c, func(_ context.Context, tg tagged) (string, error) {
		return strings.Join(tg.Tags, ","), nil
	})
	tg := tagged{"ann", []string{"a", "b"}}
	for range 3 {
		if v, err := get(ctx, tg); v != "a,b" || err != nil {
			t.Fatalf("get = %q, %v; want a,b", v, err)
		}
	}
	// The first call runs and writes, which fills memory; the two after it
	// are memory hits.
	if st := c.Stats(); st.MemoryHits != 2 || st.Runs != 1 {
		t.Errorf("Stats() = %d memory hits, %d runs; want 2, 1", st.MemoryHits, st.Runs)
	}
	if n := hits.Load(); n != 2 {
		t.Errorf("%d memory hit events; want 2", n)
	}
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

// pythonKeys returns the keys Python computed, by the JSON of their
// arguments (see TestKeyPythonVectors).
func pythonKeys(t *testing.T) map[string]string {
	t.Helper()
	keys := make(map[string]string)
	for _, v := range pythonVectors(t) {
		keys[v.ArgsJSON] = v.Key
	}
	return keys
}

// TestArgumentMemoKeepsPythonFileNames: the files that wrappers with a
// struct holding a slice, a pointer to it and a map write and then answer
// from memory are those Python names for the same data, before and after
// the caller changes the slice.
func TestArgumentMemoKeepsPythonFileNames(t *testing.T) {
	type record struct {
		ID   int      `json:"id"`
		Name string   `json:"name"`
		Tags []string `json:"tags"`
	}
	keys := pythonKeys(t)
	ctx := t.Context()
	dir := t.TempDir()
	c := cachetta.Must(cachetta.New[string](filepath.Join(dir, "user.json"), cachetta.WithLRU(8)))
	byRecord := cachetta.Wrap1(c, func(_ context.Context, r record) (string, error) {
		return r.Name + ":" + strings.Join(r.Tags, ","), nil
	})
	byPointer := cachetta.Wrap1(c, func(_ context.Context, r *record) (string, error) {
		return r.Name + ":" + strings.Join(r.Tags, ","), nil
	})
	byMap := cachetta.Wrap1(c, func(_ context.Context, m map[string]int) (string, error) {
		return fmt.Sprint(m["a"], m["b"]), nil
	})
	file := func(key string) string { return filepath.Join(dir, "user-"+key+".json") }
	r := record{ID: 7, Name: "Ada", Tags: []string{"x", "y"}}
	steps := []struct {
		name string
		get  func() (string, error)
		want string
		key  string // the key of the file that must hold want
	}{
		{"struct, run", func() (string, error) { return byRecord(ctx, r) }, "Ada:x,y", keys[`[{"id": 7, "name": "Ada", "tags": ["x", "y"]}]`]},
		{"struct, memory hit", func() (string, error) { return byRecord(ctx, r) }, "Ada:x,y", keys[`[{"id": 7, "name": "Ada", "tags": ["x", "y"]}]`]},
		{"pointer, memory hit", func() (string, error) { return byPointer(ctx, &r) }, "Ada:x,y", keys[`[{"id": 7, "name": "Ada", "tags": ["x", "y"]}]`]},
		{"map, run", func() (string, error) { return byMap(ctx, map[string]int{"b": 2, "a": 1}) }, "1 2", keys[`[{"b": 2, "a": 1}]`]},
		{"map, memory hit", func() (string, error) { return byMap(ctx, map[string]int{"a": 1, "b": 2}) }, "1 2", keys[`[{"b": 2, "a": 1}]`]},
	}
	for _, st := range steps {
		if st.key == "" {
			t.Fatalf("%s: no Python vector", st.name)
		}
		if v, err := st.get(); v != st.want || err != nil {
			t.Fatalf("%s = %q, %v; want %q", st.name, v, err, st.want)
		}
		data, err := os.ReadFile(file(st.key))
		if err != nil || string(data) != strconv.Quote(st.want) {
			t.Errorf("%s: %s holds %s, %v; want %q", st.name, file(st.key), data, err, st.want)
		}
	}
	r.Tags[1] = "z"
	if v, err := byRecord(ctx, r); v != "Ada:x,z" || err != nil {
		t.Fatalf("after the slice changed: byRecord = %q, %v; want Ada:x,z", v, err)
	}
	key, err := cachetta.Key(r)
	if err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(file(key)); err != nil || string(data) != `"Ada:x,z"` {
		t.Errorf("after the slice changed: %s holds %s, %v; want \"Ada:x,z\"", file(key), data, err)
	}
	if st := c.Stats(); st.MemoryHits != 3 {
		t.Errorf("Stats().MemoryHits = %d; want 3", st.MemoryHits)
	}
}
