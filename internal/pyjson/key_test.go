package pyjson_test

import (
	"bytes"
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/big"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta/internal/pyjson"
)

// keyText returns the text AppendKey writes for args.
func keyText(args ...any) (string, error) {
	text, err := pyjson.AppendKey(nil, args)
	return string(text), err
}

// pythonKey returns the key Python's cachetta derives from text: the first
// 16 hex digits of its SHA-256.
func pythonKey(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:8])
}

// isArgError reports whether err is AppendKey's error for argument i.
func isArgError(err error, i int) bool {
	return err != nil && strings.HasPrefix(err.Error(), fmt.Sprintf("argument %d: ", i))
}

// pythonVectorsPath holds keys computed by Python cachetta 0.6, a copy of
// the vectors the root package checks Key against, committed here so that
// these tests never skip.
const pythonVectorsPath = "testdata/python-keys.json"

// TestPythonVectorsCopyIsCurrent checks, where the repository sits beside
// the shared directory, that the copy of the vectors is the shared file.
func TestPythonVectorsCopyIsCurrent(t *testing.T) {
	const shared = "../../../shared/vectors/python-keys.json"
	want, err := os.ReadFile(shared)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("no shared vectors at %s to compare the copy with", shared)
	}
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(pythonVectorsPath)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s (%v): copy the shared file again", pythonVectorsPath, shared, err)
	}
}

// TestKeyPythonVectors checks that AppendKey writes the text Python hashed
// for each vector, and that the vector's key is the hash of that text.
func TestKeyPythonVectors(t *testing.T) {
	data, err := os.ReadFile(pythonVectorsPath)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Vectors []struct {
			ArgsJSON  string `json:"args_json"`
			Canonical string `json:"canonical"`
			Key       string `json:"key"`
		} `json:"vectors"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatalf("%s: %v", pythonVectorsPath, err)
	}
	if len(file.Vectors) == 0 {
		t.Fatalf("%s has no vectors", pythonVectorsPath)
	}
	for _, v := range file.Vectors {
		t.Run(v.ArgsJSON, func(t *testing.T) {
			args := pythonArgs(t, v.ArgsJSON)
			text, err := keyText(args...)
			if err != nil || text != v.Canonical {
				t.Errorf("AppendKey(%#v) = %q, %v; want %q", args, text, err, v.Canonical)
			}
			if got := pythonKey(text); got != v.Key {
				t.Errorf("hash of AppendKey(%#v) = %q; want %q", args, got, v.Key)
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

type keyUserID string

type keyTagged struct {
	Name    string    `json:"name"`
	Age     int       `json:"age,omitempty"`
	Email   string    `json:",omitempty"`
	Secret  string    `json:"-"`
	Zero    time.Time `json:"zero,omitzero"`
	Count   int       `json:"count,string"`
	Plain   float64
	Iface   any
	private int
	//lint:ignore SA5008 "-," names a field "-" in encoding/json, which Key follows
	Dash string `json:"-,"`
}

type keyBase struct {
	ID   int `json:"id"`
	Name string
	Tag  string
}

// keyDerived embeds keyBase, an unexported type whose exported fields are
// promoted; its own Name is shallower and hides keyBase.Name.
type keyDerived struct {
	keyBase
	Name  string
	Extra bool `json:"extra"`
}

type keyWithPointer struct {
	*keyBase
	N int
}

// keyPoint writes itself with unsorted keys, Go spacing, and numbers in
// spellings Python reads as floats (2.5, 1E2, -0.0) and ints (1, 3, -0).
type keyPoint struct{ X, Y int }

func (p keyPoint) MarshalJSON() ([]byte, error) {
	return fmt.Appendf(nil, `{"y":%d.5,"x":%d,"list":[1E2,3,-0.0,-0],"s":"é"}`, p.Y, p.X), nil
}

// keyPtrPoint has MarshalJSON only on its pointer, which encoding/json (and
// so Key) calls only for an addressable value.
type keyPtrPoint struct{ X, Y int }

func (p *keyPtrPoint) MarshalJSON() ([]byte, error) { return keyPoint(*p).MarshalJSON() }

type keyColor int

func (c keyColor) MarshalText() ([]byte, error) {
	return []byte([...]string{"red", "green", "blue"}[c]), nil
}

func TestKeyGoValues(t *testing.T) {
	n, s := 5, "s"
	pn := &n
	// The canonical texts and keys are what Python's json.dumps and
	// cachetta 0.6 make of the Python equivalent of each argument list.
	tests := []struct {
		name      string
		args      []any
		canonical string
		key       string
	}{
		{
			name:      "signed integers",
			args:      []any{int8(-8), int16(-16), int32(-32), int64(-64), 7, int64(math.MinInt64), int64(math.MaxInt64)},
			canonical: `{"args": [-8, -16, -32, -64, 7, -9223372036854775808, 9223372036854775807], "kwargs": {}}`,
			key:       "798c1d950a3ca610",
		},
		{
			name:      "unsigned integers",
			args:      []any{uint8(8), uint16(16), uint32(32), uint64(math.MaxUint64), uint(7), uintptr(9)},
			canonical: `{"args": [8, 16, 32, 18446744073709551615, 7, 9], "kwargs": {}}`,
			key:       "e4d21852eb56c5b3",
		},
		{
			// A float32 keys as the Python float with its shortest digits.
			name: "float32",
			args: []any{float32(0.1), float32(1.5), float32(16777216), float32(math.MaxFloat32),
				float32(math.SmallestNonzeroFloat32), float32(math.Copysign(0, -1))},
			canonical: `{"args": [0.1, 1.5, 16777216.0, 3.4028235e+38, 1e-45, -0.0], "kwargs": {}}`,
			key:       "864407ad940733e8",
		},
		{
			name:      "float64 stays float",
			args:      []any{float64(1), math.Copysign(0, -1), 0.0, 100.0, 1e16, 1e-7, 0.1},
			canonical: `{"args": [1.0, -0.0, 0.0, 100.0, 1e+16, 1e-07, 0.1], "kwargs": {}}`,
			key:       "e0ea3ac16ec0ccc8",
		},
		{
			name:      "named string",
			args:      []any{keyUserID("u-1")},
			canonical: `{"args": ["u-1"], "kwargs": {}}`,
			key:       "999597a53b3890ce",
		},
		{
			name:      "bool and nil",
			args:      []any{true, false, nil},
			canonical: `{"args": [true, false, null], "kwargs": {}}`,
			key:       "be927baa7a52f8fe",
		},
		{
			name:      "string slice",
			args:      []any{[]string{"a", "b"}},
			canonical: `{"args": [["a", "b"]], "kwargs": {}}`,
			key:       "f69dc7b1c221aa48",
		},
		{
			name:      "int array",
			args:      []any{[3]int{1, 2, 3}},
			canonical: `{"args": [[1, 2, 3]], "kwargs": {}}`,
			key:       "d76956f3574bbf88",
		},
		{
			name:      "byte array is a list",
			args:      []any{[2]byte{'h', 'i'}},
			canonical: `{"args": [[104, 105]], "kwargs": {}}`,
			key:       "2f608db666bc0256",
		},
		{
			name:      "map string int",
			args:      []any{map[string]int{"b": 2, "a": 1}},
			canonical: `{"args": [{"a": 1, "b": 2}], "kwargs": {}}`,
			key:       "71a2556ce4261a5e",
		},
		{
			// Python sorts int keys as numbers, before writing them as text.
			name:      "map int string",
			args:      []any{map[int]string{10: "ten", 9: "nine", -1: "minus one", 100: "hundred"}},
			canonical: `{"args": [{"-1": "minus one", "9": "nine", "10": "ten", "100": "hundred"}], "kwargs": {}}`,
			key:       "3e489873454cc25d",
		},
		{
			name:      "map uint8 bool",
			args:      []any{map[uint8]bool{200: true, 3: false}},
			canonical: `{"args": [{"3": false, "200": true}], "kwargs": {}}`,
			key:       "6b443818c4a3a15f",
		},
		{
			name:      "nil slice, map and pointers",
			args:      []any{[]int(nil), map[string]int(nil), (*int)(nil), nil},
			canonical: `{"args": [null, null, null, null], "kwargs": {}}`,
			key:       "1a22d38831f3b564",
		},
		{
			name:      "empty slice and map",
			args:      []any{[]int{}, map[string]int{}},
			canonical: `{"args": [[], {}], "kwargs": {}}`,
			key:       "63e12f0191ba7c92",
		},
		{
			name:      "bytes are base64",
			args:      []any{[]byte("hi"), []byte{}, []byte{0, 255}},
			canonical: `{"args": ["aGk=", "", "AP8="], "kwargs": {}}`,
			key:       "830e074aeea79d68",
		},
		{
			name:      "pointers",
			args:      []any{&n, &s, &pn},
			canonical: `{"args": [5, "s", 5], "kwargs": {}}`,
			key:       "7711e1057cdb89e5",
		},
		{
			name:      "interfaces",
			args:      []any{[]any{1, "a", nil, 2.5, []any{true}}},
			canonical: `{"args": [[1, "a", null, 2.5, [true]]], "kwargs": {}}`,
			key:       "83d74ff8738f520f",
		},
		{
			name:      "nested any",
			args:      []any{map[string]any{"z": []any{map[string]any{"y": 1}, 2.0}, "a": map[string]any{"k": nil}}},
			canonical: `{"args": [{"a": {"k": null}, "z": [{"y": 1}, 2.0]}], "kwargs": {}}`,
			key:       "4d730943826dc833",
		},
		{
			name:      "unicode",
			args:      []any{"é", "😀", "\x7f", "\u2028", "\ufffd", "\ud7ff\ue000\uffff", "\U0010ffff"},
			canonical: `{"args": ["\u00e9", "\ud83d\ude00", "\u007f", "\u2028", "\ufffd", "\ud7ff\ue000\uffff", "\udbff\udfff"], "kwargs": {}}`,
			key:       "4fed30309f6e0310",
		},
		{
			name:      "struct tags",
			args:      []any{keyTagged{Name: "Ada", Secret: "s", Dash: "dash", Count: 3, Plain: 2, private: 1}},
			canonical: `{"args": [{"-": "dash", "Iface": null, "Plain": 2.0, "count": "3", "name": "Ada"}], "kwargs": {}}`,
			key:       "b6b88c8b391b37d9",
		},
		{
			name: "struct omitempty and omitzero fields set",
			args: []any{keyTagged{Name: "Bo", Age: 7, Email: "b@x", Iface: 1,
				Zero: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}},
			canonical: `{"args": [{"-": "", "Email": "b@x", "Iface": 1, "Plain": 0.0, "age": 7, "count": "0", "name": "Bo", "zero": "2024-01-02T03:04:05Z"}], "kwargs": {}}`,
			key:       "e93478e21d67a27f",
		},
		{
			name:      "embedded struct",
			args:      []any{keyDerived{keyBase: keyBase{ID: 1, Name: "inner", Tag: "base"}, Name: "outer", Extra: true}},
			canonical: `{"args": [{"Name": "outer", "Tag": "base", "extra": true, "id": 1}], "kwargs": {}}`,
			key:       "3257039f3d551f01",
		},
		{
			name:      "embedded nil pointer",
			args:      []any{keyWithPointer{N: 3}},
			canonical: `{"args": [{"N": 3}], "kwargs": {}}`,
			key:       "5ae38f04b6b762d0",
		},
		{
			name:      "embedded pointer",
			args:      []any{keyWithPointer{keyBase: &keyBase{ID: 4, Name: "b"}, N: 3}},
			canonical: `{"args": [{"N": 3, "Name": "b", "Tag": "", "id": 4}], "kwargs": {}}`,
			key:       "c4c9a38636873212",
		},
		{
			name:      "json marshaler",
			args:      []any{keyPoint{X: 1, Y: 2}},
			canonical: `{"args": [{"list": [100.0, 3, -0.0, 0], "s": "\u00e9", "x": 1, "y": 2.5}], "kwargs": {}}`,
			key:       "46235a4c0ba01ffb",
		},
		{
			name:      "json marshaler on the pointer",
			args:      []any{&keyPtrPoint{X: 1, Y: 2}, keyPtrPoint{X: 1, Y: 2}},
			canonical: `{"args": [{"list": [100.0, 3, -0.0, 0], "s": "\u00e9", "x": 1, "y": 2.5}, {"X": 1, "Y": 2}], "kwargs": {}}`,
			key:       "af48b5b856e097d4",
		},
		{
			name:      "text marshaler",
			args:      []any{keyColor(0), []keyColor{1, 0}},
			canonical: `{"args": ["red", ["green", "red"]], "kwargs": {}}`,
			key:       "09203b0ed40411c7",
		},
		{
			name:      "text marshaler map keys",
			args:      []any{map[keyColor]int{0: 1, 1: 2, 2: 3}},
			canonical: `{"args": [{"blue": 3, "green": 2, "red": 1}], "kwargs": {}}`,
			key:       "65ed0a0bdf6d4641",
		},
		{
			name: "time",
			args: []any{time.Date(2024, 1, 2, 3, 4, 5, 600, time.UTC),
				time.Date(2024, 1, 2, 3, 4, 5, 0, time.FixedZone("", 3600))},
			canonical: `{"args": ["2024-01-02T03:04:05.0000006Z", "2024-01-02T03:04:05+01:00"], "kwargs": {}}`,
			key:       "7f43501c97e4120e",
		},
		{
			name:      "json number",
			args:      []any{json.Number("12"), json.Number("1.50"), json.Number("1e20"), json.Number("123456789012345678901234567890")},
			canonical: `{"args": [12, 1.5, 1e+20, 123456789012345678901234567890], "kwargs": {}}`,
			key:       "dc3716ba12b57f5e",
		},
		{
			// A struct without data has one value, so {} is its exact key.
			name:      "structs without data",
			args:      []any{struct{}{}, keyEmpty{}, keyMarker{}, keyHasEmpty{}},
			canonical: `{"args": [{}, {}, {}, {}], "kwargs": {}}`,
			key:       "214abeaf4a0883aa",
		},
		{
			// Only the values of a struct that writes no field are refused.
			name:      "no value of a struct without written fields",
			args:      []any{(*keyQuery)(nil), []keyQuery{}, map[string]keyQuery{}},
			canonical: `{"args": [null, [], {}], "kwargs": {}}`,
			key:       "290ba0390b50d268",
		},
		{
			name:      "marshalers of unexported fields",
			args:      []any{keyOpaqueQuery{"Lisbon"}, keyTextQuery{"Porto"}},
			canonical: `{"args": ["Lisbon", "Porto"], "kwargs": {}}`,
			key:       "d9380c763184ea1e",
		},
		{
			name:      "raw message",
			args:      []any{json.RawMessage(`{"b":[true,null],"a":"\u00e9","c":1E-7}`)},
			canonical: `{"args": [{"a": "\u00e9", "b": [true, null], "c": 1e-07}], "kwargs": {}}`,
			key:       "a9b95e4975ab586d",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, err := keyText(tt.args...)
			if err != nil || text != tt.canonical {
				t.Errorf("AppendKey(%v) = %q, %v; want %q", tt.args, text, err, tt.canonical)
			}
			if key := pythonKey(text); key != tt.key {
				t.Errorf("hash of AppendKey(%v) = %q; want %q", tt.args, key, tt.key)
			}
		})
	}
}

type keyLeaf struct{ X int }
type keyLeft struct{ keyLeaf }
type keyRight struct{ keyLeaf }

// keyDiamond reaches keyLeaf.X twice at one depth: ambiguous, so left out.
type keyDiamond struct {
	keyLeft
	keyRight
	Y int
}

type keyBadTag struct {
	//lint:ignore SA5008 the bad name is the point: encoding/json uses the field name A
	A int `json:"a\\b"`
	B int `json:"ok,omitempty"`
}

// keyZeroer is zero by its method, not by its fields.
type keyZeroer struct{ N int }

func (z *keyZeroer) IsZero() bool { return z.N < 0 }

type keyOmitZero struct {
	T time.Time  `json:",omitzero"`
	P *time.Time `json:",omitzero"`
	Z keyZeroer  `json:",omitzero"`
	I interface {
		IsZero() bool
	} `json:",omitzero"`
}

type keyQuoted struct {
	P *int      `json:",string"`
	Q *int      `json:",string"`
	C keyColor  `json:",string"`
	B bool      `json:",string"`
	S string    `json:",string"`
	N uint64    `json:",string"`
	J keyNumber `json:",string"`
}

type keyNumber int

func (n keyNumber) MarshalJSON() ([]byte, error) { return fmt.Appendf(nil, "[%d]", int(n)), nil }

// keyBoth has MarshalText on the value and MarshalJSON on the pointer: an
// addressable keyBoth is encoded by MarshalJSON, another by MarshalText.
type keyBoth struct{ V int }

func (keyBoth) MarshalText() ([]byte, error)  { return []byte("text"), nil }
func (*keyBoth) MarshalJSON() ([]byte, error) { return []byte(`{"json":true}`), nil }

type keyHasBoth struct{ M keyBoth }

// keyByte is a byte with MarshalJSON on its pointer: a slice of them is a
// list, not base64.
type keyByte byte

func (b *keyByte) MarshalJSON() ([]byte, error) { return fmt.Appendf(nil, `"b%d"`, *b), nil }

type keyNilMarshalers struct {
	M json.Marshaler
	T encoding.TextMarshaler
}

type keyTaggedEmbed struct {
	keyBase `json:"base"`
}

// TestKeyFollowsEncodingJSON checks that AppendKey encodes Go values as
// encoding/json does, by comparing the text of a value with the text of its
// encoding/json text. This holds for values without Go floats (encoding/json
// writes 1.0 as 1, an int to Python) and maps with integer keys (which Python
// sorts as numbers, encoding/json as text).
func TestKeyFollowsEncodingJSON(t *testing.T) {
	one := 1
	tests := []struct {
		name string
		v    any
	}{
		{"embedded struct", keyDerived{keyBase: keyBase{ID: 1, Name: "inner"}, Name: "outer"}},
		{"embedded pointer", keyWithPointer{keyBase: &keyBase{ID: 2}, N: 3}},
		{"embedded nil pointer", keyWithPointer{N: 3}},
		{"ambiguous embedded field", keyDiamond{Y: 1}},
		{"invalid tag name", keyBadTag{A: 1, B: 2}},
		{"tagged embedded struct", keyTaggedEmbed{keyBase{ID: 5, Name: "n"}}},
		{"omitzero zero", keyOmitZero{T: time.Time{}.In(time.FixedZone("", 3600)), Z: keyZeroer{N: -1}}},
		{"omitzero pointer", &keyOmitZero{Z: keyZeroer{N: -1}, I: &time.Time{}}},
		{"omitzero set", keyOmitZero{T: time.Unix(0, 0).UTC(), P: &time.Time{}, I: time.Unix(1, 0).UTC()}},
		{"string option", keyQuoted{Q: &one, C: 2, B: true, S: `<"é">`, N: math.MaxUint64, J: 7}},
		{"marshaler by value", keyHasBoth{}},
		{"marshaler by pointer", &keyHasBoth{}},
		{"marshalers in a slice", []keyBoth{{}, {}}},
		{"byte marshalers", []keyByte{1, 2}},
		{"nil marshaler interfaces", keyNilMarshalers{}},
		{"text map keys", map[keyColor][]keyColor{0: {1}, 2: nil}},
		{"big integers", []any{uint64(math.MaxUint64), int64(math.MinInt64), json.Number("-0"), json.Number(""), new(big.Int).Lsh(big.NewInt(1), 100)}},
		{"strings", []string{"", "\x00\x1f\x7f", `"\/`, "<&>", "é\u2028😀"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, err := json.Marshal(tt.v)
			if err != nil {
				t.Fatalf("json.Marshal(%v) = %v", tt.v, err)
			}
			if encodingJSONOnV2 && tt.name == "invalid tag name" {
				// encoding/json on the v2 engine (Go 1.27 by default, 1.26
				// with GOEXPERIMENT=jsonv2) takes the tag name a\b as it is,
				// where v1 ignores it and uses the field's name A. Key keeps
				// v1's spelling, so that a key never changes with the Go
				// release that computes it: files written before stay hits.
				text = []byte(`{"A":1,"ok":2}`)
			}
			want, err := keyText(json.RawMessage(text))
			if err != nil {
				t.Fatalf("AppendKey(%s) = %v", text, err)
			}
			if got, err := keyText(tt.v); err != nil || got != want {
				t.Errorf("AppendKey(%+v) = %s, %v; want %s, the text of its JSON %s", tt.v, got, err, want, text)
			}
		})
	}
}

// keyQuery has only an unexported field: encoding/json writes every keyQuery
// as {}, so one key for all of them would serve Lisbon's result for Porto.
type keyQuery struct{ city string }

// keyIgnored has only fields tagged "-".
type keyIgnored struct {
	City    string `json:"-"`
	Country string `json:"-"`
}

// keyHidesQuery promotes the fields of keyQuery, none of which is written.
type keyHidesQuery struct{ keyQuery }

// keyOnlyAmbiguous reaches keyLeaf.X twice at one depth, its only field.
type keyOnlyAmbiguous struct {
	keyLeft
	keyRight
}

type keyHasQuery struct{ Q keyQuery }

// keyOpaqueQuery and keyTextQuery have only unexported fields, but are keyed
// by their marshalers.
type keyOpaqueQuery struct{ city string }

func (q keyOpaqueQuery) MarshalJSON() ([]byte, error) { return json.Marshal(q.city) }

type keyTextQuery struct{ city string }

func (q keyTextQuery) MarshalText() ([]byte, error) { return []byte(q.city), nil }

type keyEmpty struct{}

// keyMarker has a field but no data.
type keyMarker struct{ _ [0]func() }

// keyHasEmpty embeds a struct without data, so it has none either.
type keyHasEmpty struct {
	//lint:ignore U1000 only here to give keyHasEmpty a field without data
	keyEmpty
}

// TestKeyStructWithoutWrittenFieldsIsError checks that a struct with data but
// no field encoding/json writes is refused wherever it appears, rather than
// keyed as {} like every other value of its type.
func TestKeyStructWithoutWrittenFieldsIsError(t *testing.T) {
	tests := []struct {
		name string
		arg  any
	}{
		{"unexported field", keyQuery{"Porto"}},
		{"zero value", keyQuery{}},
		{"fields tagged -", keyIgnored{City: "Porto"}},
		{"embedded struct of unexported fields", keyHidesQuery{keyQuery{"Porto"}}},
		{"only ambiguous fields", keyOnlyAmbiguous{}},
		{"pointer", &keyQuery{"Porto"}},
		{"field", keyHasQuery{Q: keyQuery{"Porto"}}},
		{"slice element", []keyQuery{{"Porto"}}},
		{"array element", [1]keyQuery{}},
		{"map value", map[string]keyQuery{"p": {"Porto"}}},
		{"in an interface", []any{1, keyQuery{"Porto"}}},
		{"standard library type", &sync.Mutex{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if text, err := keyText(tt.arg); !isArgError(err, 0) {
				t.Errorf("AppendKey(%#v) = %q, %v; want an error naming argument 0", tt.arg, text, err)
			}
		})
	}
}

// TestKeyMarshalJSONStringsAsPython checks that strings in a MarshalJSON
// result key as Python's json.loads reads the same text: a lone surrogate
// escape stays a lone surrogate (Python writes it back as \udXXX), escapes
// that form a pair are one character, and invalid UTF-8 is an error, so that
// none of them collapses into U+FFFD. The keys are Python's for
// json.dumps({"args": [json.loads(text)], "kwargs": {}}, sort_keys=True); an
// empty key wants an error.
func TestKeyMarshalJSONStringsAsPython(t *testing.T) {
	tests := []struct {
		name      string
		text      string
		canonical string
		key       string
	}{
		{"lone high surrogate", `"\ud800"`, `{"args": ["\ud800"], "kwargs": {}}`, "216da77100df526c"},
		{"lone low surrogate", `"\udc00"`, `{"args": ["\udc00"], "kwargs": {}}`, "3b5d751aa805fac7"},
		{"reversed pair", `"\udc00\ud800"`, `{"args": ["\udc00\ud800"], "kwargs": {}}`, "4af8ffd1e024741b"},
		{"valid pair", `"\ud83d\ude00"`, `{"args": ["\ud83d\ude00"], "kwargs": {}}`, "7c8d0703446b73c0"},
		{"upper-case lone surrogate", `"\uDBFF"`, `{"args": ["\udbff"], "kwargs": {}}`, "d2a6d1ecb73ef078"},
		{"high surrogate before other escapes", `"\ud800\u0041\ud800\ud83d\ude00"`, `{"args": ["\ud800A\ud800\ud83d\ude00"], "kwargs": {}}`, "089f2f6f6f6f95b7"},
		{"lone surrogates among text", `"a\udfffb\ud800"`, `{"args": ["a\udfffb\ud800"], "kwargs": {}}`, "231325e7be30d4e7"},
		{"lone surrogates nested", `[" \udd1e", {"k": "\udd1e"}]`, `{"args": [[" \udd1e", {"k": "\udd1e"}]], "kwargs": {}}`, "221508986d989462"},
		{
			"surrogate keys sort by code point",
			`{"\ue000":4,"\ud83d\ude00":5,"\udc00":3,"\ud7ff":1,"\ud800":2}`,
			`{"args": [{"\ud7ff": 1, "\ud800": 2, "\udc00": 3, "\ue000": 4, "\ud83d\ude00": 5}], "kwargs": {}}`,
			"c14277ba6c938904",
		},
		{"replacement character", `"\ufffd"`, `{"args": ["\ufffd"], "kwargs": {}}`, "ff43774f6b4505e2"},
		{"invalid UTF-8", "\"\xff\"", "", ""},
		{"truncated UTF-8", "\"\xc3\"", "", ""},
		{"UTF-8 surrogate", "\"\xed\xa0\x80\"", "", ""},
		{"invalid UTF-8 object key", "{\"\xfe\": 1}", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, err := keyText(json.RawMessage(tt.text))
			if tt.key == "" {
				if !isArgError(err, 0) {
					t.Errorf("AppendKey(%#q) = %#q, %v; want an error naming argument 0", tt.text, text, err)
				}
				return
			}
			if err != nil || text != tt.canonical {
				t.Errorf("AppendKey(%#q) = %#q, %v; want %#q", tt.text, text, err, tt.canonical)
			}
			if key := pythonKey(text); key != tt.key {
				t.Errorf("hash of AppendKey(%#q) = %q; want %q", tt.text, key, tt.key)
			}
		})
	}
}

type keyNode struct{ Next *keyNode }

type keyFailing struct{}

func (keyFailing) MarshalJSON() ([]byte, error) { return nil, errors.New("cannot") }

type keyFailingText struct{}

func (keyFailingText) MarshalText() ([]byte, error) { return nil, errors.New("cannot") }

// keyAmbiguousMarshalers promotes neither MarshalJSON, so it is encoded as a
// struct whose fields are marshalers of unexported types, which reflection
// cannot call (encoding/json panics).
type keyAmbiguousMarshalers struct {
	keyPoint `json:"a"`
	//lint:ignore U1000 only here to keep keyPoint's MarshalJSON from being promoted
	keyFailing `json:"b"`
}

type keyNaNField struct{ F float64 }

func TestKeyErrors(t *testing.T) {
	cyclic := &keyNode{}
	cyclic.Next = cyclic
	cyclicMap := map[string]any{}
	cyclicMap["self"] = cyclicMap
	cyclicSlice := []any{nil}
	cyclicSlice[0] = cyclicSlice
	tests := []struct {
		name string
		args []any
	}{
		{"func", []any{func() {}}},
		{"chan", []any{make(chan int)}},
		{"complex", []any{complex(1, 2)}},
		{"NaN", []any{math.NaN()}},
		{"infinity", []any{math.Inf(1)}},
		{"minus infinity", []any{math.Inf(-1)}},
		{"float32 infinity", []any{float32(math.Inf(1))}},
		{"NaN in a field", []any{keyNaNField{F: math.NaN()}}},
		{"NaN in a nested map", []any{map[string]any{"x": []any{1, math.NaN()}}}},
		{"invalid UTF-8", []any{"\xff"}},
		{"truncated UTF-8", []any{"é"[:1]}},
		{"UTF-8 surrogate", []any{"\xed\xa0\x80"}},
		{"invalid UTF-8 map key", []any{map[string]int{"ok\xfe": 1}}},
		{"cyclic pointer", []any{cyclic}},
		{"cyclic map", []any{cyclicMap}},
		{"cyclic slice", []any{cyclicSlice}},
		{"float map key", []any{map[float64]int{1: 1}}},
		{"invalid json.Number", []any{json.Number("0x10")}},
		{"json.Number in Go syntax", []any{json.Number("0x1.8p1")}},
		{"json.Number without a leading digit", []any{json.Number(".5")}},
		{"json.Number with space", []any{json.Number(" 1")}},
		{"json.Number holding a string", []any{json.Number(`"é"`)}},
		{"out of range json.Number", []any{json.Number("1e400")}},
		{"invalid MarshalJSON output", []any{json.RawMessage(`{"a":`)}},
		{"MarshalJSON output with trailing data", []any{json.RawMessage(`1 2`)}},
		{"MarshalJSON error", []any{keyFailing{}}},
		{"MarshalText error", []any{keyFailingText{}}},
		{"marshaler in an unexported field", []any{keyAmbiguousMarshalers{}}},
		{"bad second argument", []any{"fine", func() {}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The last argument is the bad one.
			if text, err := keyText(tt.args...); !isArgError(err, len(tt.args)-1) {
				t.Errorf("AppendKey(%s) = %q, %v; want an error naming argument %d", tt.name, text, err, len(tt.args)-1)
			}
		})
	}
}
