package pyjson_test

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta/internal/pyjson"
)

// pyOrdered has its MarshalJSON write names out of order, repeated, and
// spaced, with a float and a lone surrogate.
type pyOrdered struct{}

func (pyOrdered) MarshalJSON() ([]byte, error) {
	return []byte(` { "z" : 1.0 , "a" : [ 2 , "\ud800é" ] , "z" : null } `), nil
}

type pyText struct{ s string }

func (t pyText) MarshalText() ([]byte, error) { return []byte(t.s), nil }

type pyEmbedded struct {
	E float64 `json:"e"`
}

type pyRecord struct {
	Zeta  float64           `json:"zeta"`
	Alpha int               `json:"alpha"`
	Name  string            `json:"name"`
	Skip  string            `json:"-"`
	Empty string            `json:"empty,omitempty"`
	Quote int               `json:"quote,string"`
	Tags  []string          `json:"tags"`
	Bytes []byte            `json:"bytes"`
	Map   map[string]any    `json:"map"`
	Ptr   *float64          `json:"ptr"`
	Text  pyText            `json:"text"`
	Raw   pyOrdered         `json:"raw"`
	Nums  map[int]float32   `json:"nums"`
	Nil   map[string]string `json:"nil"`
	pyEmbedded
}

// pythonDumps returns what Python's json.dumps, with default arguments,
// writes for each of the Python expressions exprs, skipping t when there is
// no python3.
func pythonDumps(t *testing.T, program string, input string) []string {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed: cannot compute Python's json.dump output")
	}
	cmd := exec.Command(python, "-c", program)
	cmd.Stdin = strings.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v: %s", err, stderr.Bytes())
	}
	var dumps []string
	if err := json.Unmarshal(out, &dumps); err != nil {
		t.Fatalf("python3 wrote %q: %v", out, err)
	}
	return dumps
}

// TestPythonJSONWritesWhatPythonWrites marshals Go values and has python3
// dump the equal Python values: the bytes must be the same.
func TestPythonJSONWritesWhatPythonWrites(t *testing.T) {
	half, tenth, fifth := 0.5, 0.1, 0.2
	tests := []struct {
		name   string
		value  any
		python string // an expression Python evaluates to the value
	}{
		{"int", 3, `3`},
		{"float with no fraction", 3.0, `3.0`},
		{"negative zero", math.Copysign(0, -1), `-0.0`},
		{"large float", 1e16, `1e16`},
		{"largest positional float", 1e15, `1e15`},
		{"small float", 0.0001, `0.0001`},
		{"smaller float", 0.00001, `0.00001`},
		{"shortest digits", tenth + fifth, `0.1 + 0.2`},
		{"denormal", 5e-324, `5e-324`},
		{"largest float", math.MaxFloat64, `1.7976931348623157e308`},
		{"big ints", []any{uint64(math.MaxUint64), int64(math.MinInt64)}, `[18446744073709551615, -9223372036854775808]`},
		{"bools and null", []any{true, false, nil}, `[True, False, None]`},
		{"ASCII escapes", "\"\\/\b\f\n\r\t\x00\x1f\x7f ~", `"\"\\/\b\f\n\r\t\x00\x1f\x7f ~"`},
		{"HTML characters", "<a&b>", `"<a&b>"`},
		{"non-ASCII", "é日本\u2028", `"é日本\u2028"`},
		{"beyond the BMP", "😀𝄞", `"😀𝄞"`},
		{"not UTF-8", "a\xffb", `"a\ufffdb"`},
		{"empty containers", []any{[]any{}, map[string]any{}, []int{}}, `[[], {}, []]`},
		{"nil slice and map", []any{[]int(nil), map[string]int(nil)}, `[None, None]`},
		{"map keys sorted", map[string]any{"b": 1, "a": 2.0, "B": "x", "é": nil, "": []any{}}, `{"": [], "B": "x", "a": 2.0, "b": 1, "é": None}`},
		{"int map keys sorted as text", map[int]bool{10: true, 9: false, -1: true}, `{"-1": True, "10": True, "9": False}`},
		{"nested", map[string]any{"list": []any{1, 2.5, "x", []any{map[string]any{"k": 1e-7}}}}, `{"list": [1, 2.5, "x", [{"k": 1e-07}]]}`},
		{"struct in field order", pyRecord{
			Zeta: 1, Alpha: 2, Name: "Ada é", Skip: "s", Quote: 7, Tags: []string{"x"}, Bytes: []byte("hi"),
			Map: map[string]any{"y": 1.5, "x": 2}, Ptr: &half, Text: pyText{"t\u00e9"}, Nums: map[int]float32{10: 0.1, 2: 3},
			pyEmbedded: pyEmbedded{E: 1e100},
		}, `{"zeta": 1.0, "alpha": 2, "name": "Ada é", "quote": "7", "tags": ["x"], "bytes": "aGk=", ` +
			`"map": {"x": 2, "y": 1.5}, "ptr": 0.5, "text": "té", "raw": {"z": 1.0, "a": [2, "\ud800é"], "z": None}, ` +
			`"nums": {"10": 0.1, "2": 3.0}, "nil": None, "e": 1e100}`},
		{"time", time.Date(2000, 1, 2, 3, 4, 5, 0, time.UTC), `"2000-01-02T03:04:05Z"`},
		{"json.Number", []json.Number{"1.50", "2", "1E2", "-0"}, `[1.5, 2, 100.0, 0]`},
	}
	var exprs []string
	for _, tt := range tests {
		exprs = append(exprs, tt.python)
	}
	// The raw field's repeated "z" is spelled as a list of pairs, which
	// Python's json writes like the object encoding/json keeps.
	program := `import json, sys
class Pairs(dict):
    def __init__(self, pairs):
        super().__init__(pairs)
        self.pairs = pairs
    def items(self):
        return self.pairs
exprs = json.load(sys.stdin)
out = []
for e in exprs:
    v = eval(e.replace('"raw": {"z": 1.0, "a": [2, "\\ud800é"], "z": None}', '"raw": Pairs([("z", 1.0), ("a", [2, "\\ud800é"]), ("z", None)])'))
    out.append(json.dumps(v))
json.dump(out, sys.stdout)
`
	input, err := json.Marshal(exprs)
	if err != nil {
		t.Fatal(err)
	}
	want := pythonDumps(t, program, string(input))
	if len(want) != len(tests) {
		t.Fatalf("python3 wrote %d dumps for %d values", len(want), len(tests))
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := pyjson.Marshal(tt.value)
			if err != nil || string(got) != want[i] {
				t.Errorf("Marshal(%#v) = %s, %v;\nPython json.dumps(%s) = %s", tt.value, got, err, tt.python, want[i])
			}
		})
	}
}

// TestPythonJSONFloatsAsPython marshals floats of every magnitude and has
// python3 dump them: each must be Python's repr of the same float.
func TestPythonJSONFloatsAsPython(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var floats []float64
	for e := -330; e <= 308; e++ {
		floats = append(floats, math.Pow(10, float64(e)), -1.5*math.Pow(10, float64(e)))
	}
	for range 2000 {
		f := math.Float64frombits(rng.Uint64())
		if !math.IsNaN(f) && !math.IsInf(f, 0) {
			floats = append(floats, f)
		}
	}
	var hexes []string
	for _, f := range floats {
		hexes = append(hexes, strconv.FormatFloat(f, 'x', -1, 64))
	}
	input, err := json.Marshal(hexes)
	if err != nil {
		t.Fatal(err)
	}
	want := pythonDumps(t, `import json, sys
json.dump([json.dumps(float.fromhex(h)) for h in json.load(sys.stdin)], sys.stdout)`, string(input))
	for i, f := range floats {
		got, err := pyjson.Marshal(f)
		if err != nil || string(got) != want[i] {
			t.Errorf("Marshal(%v) = %s, %v; Python writes %s", f, got, err, want[i])
		}
	}
}

// TestPythonJSONKeyVectors marshals the argument lists of the Python key
// vectors, read as Python reads them (a number with '.', 'e' or 'E' is a
// float), inside the object Python hashes: the text must be the vector's
// canonical text, which Python wrote with sorted keys, as Go sorts a map's.
func TestPythonJSONKeyVectors(t *testing.T) {
	data, err := os.ReadFile(pythonVectorsPath)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Vectors []struct {
			ArgsJSON  string `json:"args_json"`
			Canonical string `json:"canonical"`
		}
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Vectors) == 0 {
		t.Fatalf("%s holds no vectors", pythonVectorsPath)
	}
	for _, v := range file.Vectors {
		dec := json.NewDecoder(strings.NewReader(v.ArgsJSON))
		dec.UseNumber()
		var args any
		if err := dec.Decode(&args); err != nil {
			t.Fatalf("args_json %s: %v", v.ArgsJSON, err)
		}
		value := map[string]any{"args": pythonValue(t, args), "kwargs": map[string]any{}}
		got, err := pyjson.Marshal(value)
		if err != nil || string(got) != v.Canonical {
			t.Errorf("Marshal(args %s) = %s, %v; want %s", v.ArgsJSON, got, err, v.Canonical)
		}
	}
}

// TestPythonJSONRefuses marshals what neither JSON nor Python's json can
// write as JSON.
func TestPythonJSONRefuses(t *testing.T) {
	for _, v := range []any{math.NaN(), math.Inf(1), []any{math.Inf(-1)}, make(chan int), func() {}, complex(1, 2), map[[2]int]int{{1, 2}: 3}} {
		if got, err := pyjson.Marshal(v); err == nil {
			t.Errorf("Marshal(%#v) = %s, nil; want an error", v, got)
		}
	}
}
