package cachetta_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cachetta-go/cachetta"
)

// The spelling of keys is internal/pyjson's, and tested there in depth;
// these tests check what Key and PathFor add to it: the hash, the error
// wrapping ErrArgs, the file name, and the buffers Key reuses.

// pythonVectorsPath holds keys computed by Python cachetta 0.6; it lives
// outside the repository, beside it. internal/pyjson commits a copy, which
// its tests keep equal to this file, and which stands in for it elsewhere.
const (
	pythonVectorsPath     = "../shared/vectors/python-keys.json"
	pythonVectorsCopyPath = "internal/pyjson/testdata/python-keys.json"
)

// pythonVector is a key Python computed, and the JSON of its arguments.
type pythonVector struct {
	ArgsJSON string `json:"args_json"`
	Key      string `json:"key"`
}

// pythonVectors returns the keys Python computed, from pythonVectorsPath or,
// without it, from internal/pyjson's copy.
func pythonVectors(t *testing.T) []pythonVector {
	t.Helper()
	path := pythonVectorsPath
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		path = pythonVectorsCopyPath
		data, err = os.ReadFile(path)
	}
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Vectors []pythonVector `json:"vectors"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(file.Vectors) == 0 {
		t.Fatalf("%s has no vectors", path)
	}
	return file.Vectors
}

// TestKeyPythonVectors checks Key and PathFor against the keys Python
// computed.
func TestKeyPythonVectors(t *testing.T) {
	c := newCache[int](t, "user.json")
	for _, v := range pythonVectors(t) {
		t.Run(v.ArgsJSON, func(t *testing.T) {
			args := pythonArgs(t, v.ArgsJSON)
			key, err := cachetta.Key(args...)
			if err != nil || key != v.Key {
				t.Errorf("Key(%#v) = %q, %v; want %q", args, key, err, v.Key)
			}
			if len(args) == 0 {
				return // PathFor() is Path(), without a key
			}
			want := filepath.Join(filepath.Dir(c.Path()), "user-"+v.Key+".json")
			if path, err := c.PathFor(args...); err != nil || path != want {
				t.Errorf("PathFor(%#v) = %q, %v; want %q", args, path, err, want)
			}
		})
	}
}

// pythonArgs decodes an argument list written by Python's json.dumps into the
// Go values Python read: a number with '.', 'e' or 'E' is a float, any other
// an int (int64, else uint64, else its text as a json.Number).
func pythonArgs(t *testing.T, text string) []any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		t.Fatalf("args_json %q: %v", text, err)
	}
	args, ok := pythonValue(t, raw).([]any)
	if !ok {
		t.Fatalf("args_json %q is not a list", text)
	}
	return args
}

func pythonValue(t *testing.T, v any) any {
	switch x := v.(type) {
	case json.Number:
		s := string(x)
		if strings.ContainsAny(s, ".eE") {
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatalf("float %q: %v", s, err)
			}
			return f
		}
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n
		}
		if n, err := strconv.ParseUint(s, 10, 64); err == nil {
			return n
		}
		return x
	case []any:
		for i := range x {
			x[i] = pythonValue(t, x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = pythonValue(t, x[k])
		}
	}
	return v
}

// keyQuery has only an unexported field: encoding/json writes every keyQuery
// as {}, so one key for all of them would serve Lisbon's result for Porto.
type keyQuery struct{ city string }

// TestPrimitivesStructWithoutWrittenFieldsIsError checks that the primitives
// refuse, as Key does, a struct that encoding/json writes as {} for any value.
func TestPrimitivesStructWithoutWrittenFieldsIsError(t *testing.T) {
	ctx := t.Context()
	c := newCache[string](t, "city.json")
	q := keyQuery{"Porto"}
	calls := []struct {
		name string
		call func() error
	}{
		{"PathFor", func() error { _, err := c.PathFor(q); return err }},
		{"Read", func() error { _, _, err := c.Read(ctx, q); return err }},
		{"Write", func() error { return c.Write(ctx, "Porto", q) }},
		{"Invalidate", func() error { return c.Invalidate(ctx, q) }},
		{"Info", func() error { _, err := c.Info(ctx, q); return err }},
	}
	for _, tt := range calls {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, cachetta.ErrArgs) {
				t.Errorf("%s(%#v) = %v; want an error wrapping ErrArgs", tt.name, q, err)
			}
		})
	}
}

// TestWrap1StructWithoutWrittenFieldsDoesNotCall checks that a wrapped
// function of such a struct fails with ErrArgs and never runs, instead of
// caching Lisbon's result in the file it would then serve for Porto.
func TestWrap1StructWithoutWrittenFieldsDoesNotCall(t *testing.T) {
	c := newCache[string](t, "city.json")
	var calls counter
	weather := cachetta.Wrap1(c, func(_ context.Context, q keyQuery) (string, error) {
		calls.n.Add(1)
		return "weather in " + q.city, nil
	})
	for _, q := range []keyQuery{{"Lisbon"}, {"Porto"}} {
		if got, err := weather(t.Context(), q); !errors.Is(err, cachetta.ErrArgs) || calls.count() != 0 {
			t.Errorf("weather(%#v) = %q, %v after %d calls; want an error wrapping ErrArgs after 0", q, got, err, calls.count())
		}
	}
}

type keyNode struct{ Next *keyNode }

type keyFailing struct{}

func (keyFailing) MarshalJSON() ([]byte, error) { return nil, errors.New("cannot") }

// TestKeyErrors checks that Key refuses what internal/pyjson refuses, with
// an error wrapping ErrArgs that names the argument, and no key. One case of
// each kind is enough here; pyjson's TestKeyErrors has them all.
func TestKeyErrors(t *testing.T) {
	cyclic := &keyNode{}
	cyclic.Next = cyclic
	tests := []struct {
		name string
		args []any
		want string // in the error
	}{
		{"func", []any{func() {}}, "argument 0: unsupported type func()"},
		{"NaN", []any{math.NaN()}, "argument 0: unsupported float NaN"},
		{"invalid UTF-8", []any{"\xff"}, "argument 0: string"},
		{"cyclic pointer", []any{cyclic}, "argument 0: nested too deeply, or cyclic"},
		{"MarshalJSON error", []any{keyFailing{}}, "argument 0: cannot"},
		{"struct without written fields", []any{keyQuery{"Porto"}}, "argument 0: cachetta_test.keyQuery has no field"},
		{"bad second argument", []any{"fine", func() {}}, "argument 1: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := cachetta.Key(tt.args...)
			if !errors.Is(err, cachetta.ErrArgs) || key != "" || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Key(%s) = %q, %v; want an error wrapping ErrArgs with %q", tt.name, key, err, tt.want)
			}
		})
	}
}

func TestKeyIsDeterministic(t *testing.T) {
	m := map[string]any{}
	for i := range 1000 {
		m[fmt.Sprintf("key-%d-é", i)] = map[int]any{i: []any{i, float64(i) / 3}, -i: nil}
	}
	first, err := cachetta.Key(m, "tail")
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		if got, err := cachetta.Key(m, "tail"); err != nil || got != first {
			t.Fatalf("Key(m, %q) = %q, %v; want %q as on the first call", "tail", got, err, first)
		}
	}
}

// TestKeyConcurrent runs Key from many goroutines, with failures among the
// calls, for the race detector to check the buffers Key reuses.
func TestKeyConcurrent(t *testing.T) {
	inputs := [][]any{
		{"a"},
		{bytes.Repeat([]byte{'x'}, 4096)},
		{map[string]int{"b": 2, "a": 1}, 1.5},
		{func() {}},
		{strings.Repeat("é", 1000)},
	}
	want := make([]string, len(inputs))
	for i, args := range inputs {
		want[i], _ = cachetta.Key(args...)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				args := inputs[(g+i)%len(inputs)]
				if got, _ := cachetta.Key(args...); got != want[(g+i)%len(inputs)] {
					t.Errorf("Key(%.20v) = %q; want %q", args, got, want[(g+i)%len(inputs)])
					return
				}
			}
		})
	}
	wg.Wait()
}
