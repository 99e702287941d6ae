package pyjson

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzKey checks on arguments built from strings, numbers and nested maps
// and slices that AppendKey never panics, is deterministic, fails exactly
// on NaN, infinities and invalid UTF-8, and otherwise writes printable-ASCII
// JSON that reads back as the arguments. When s is JSON text, it also checks
// readJSON against encoding/json (see checkReadJSON).
func FuzzKey(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string, n int64, x float64, depth uint8) {
		// Each argument list holds s about a hundred times: long strings
		// would cost time and find nothing short ones do not.
		s = s[:min(len(s), 256)]
		checkReadJSON(t, s)
		args := fuzzArgs(s, n, x, depth)
		text, err := AppendKey(nil, args)
		again, errAgain := AppendKey(nil, fuzzArgs(s, n, x, depth))
		if (err == nil) != (errAgain == nil) || err == nil && !bytes.Equal(text, again) {
			t.Fatalf("AppendKey(%v) = %s, %v, then %s, %v", args, text, err, again, errAgain)
		}
		if math.IsNaN(x) || math.IsInf(x, 0) || !utf8.ValidString(s) {
			if err == nil {
				t.Fatalf("AppendKey(%v) = %s, nil; want an error", args, text)
			}
			return
		}
		if err != nil {
			t.Fatalf("AppendKey(%v) = %v", args, err)
		}
		for i, c := range text {
			if c < 0x20 || c > 0x7e {
				t.Fatalf("AppendKey(%v) has byte %#x at %d, not printable ASCII: %s", args, c, i, text)
			}
		}
		var decoded struct {
			Args   []any
			Kwargs map[string]any
		}
		if !json.Valid(text) {
			t.Fatalf("AppendKey(%v) is not JSON: %s", args, text)
		}
		if err := json.Unmarshal(text, &decoded); err != nil {
			t.Fatalf("json.Unmarshal(%s) = %v", text, err)
		}
		if got, want := normalized(decoded.Args), normalized(args); !reflect.DeepEqual(got, want) || len(decoded.Kwargs) != 0 {
			t.Fatalf("AppendKey(%v) = %s, which reads back as %v, kwargs %v; want %v, kwargs {}", args, text, got, decoded.Kwargs, want)
		}
	})
}

// checkReadJSON checks, when s is JSON text, that readJSON fails exactly
// when s is not UTF-8 and otherwise reads what encoding/json reads, but for
// the lone surrogates it keeps where encoding/json has U+FFFD; and that
// AppendKey of s as a MarshalJSON result fails, if at all, naming the
// argument.
func checkReadJSON(t *testing.T, s string) {
	t.Helper()
	if !json.Valid([]byte(s)) {
		return
	}
	if _, err := AppendKey(nil, []any{json.RawMessage(s)}); err != nil && !strings.HasPrefix(err.Error(), "argument 0: ") {
		t.Fatalf("AppendKey(json.RawMessage(%q)) = %v; want nil or an error naming argument 0", s, err)
	}
	got, err := readJSON([]byte(s), 0)
	if (err != nil) != !utf8.ValidString(s) {
		t.Fatalf("readJSON(%q) = %v, %v; want an error exactly for invalid UTF-8", s, got, err)
	}
	if err != nil {
		return
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var want any
	if err := dec.Decode(&want); err != nil {
		t.Fatalf("json.Decoder.Decode(%q) = %v", s, err)
	}
	if replaced, ok := replaceSurrogates(got); ok && !reflect.DeepEqual(replaced, want) {
		t.Fatalf("readJSON(%q) = %#v, which is %#v with U+FFFD for surrogates; want %#v as encoding/json reads it", s, got, replaced, want)
	}
}

// replaceSurrogates returns v, read by readJSON, with U+FFFD for each lone
// surrogate as encoding/json reads them; ok is false when that merges two
// keys of an object, whose values encoding/json would have kept one of.
func replaceSurrogates(v any) (_ any, ok bool) {
	switch x := v.(type) {
	case string:
		var b strings.Builder
		for i := 0; i < len(x); {
			if _, size := surrogateAt(x, i); size > 0 {
				b.WriteRune(utf8.RuneError)
				i += size
				continue
			}
			b.WriteByte(x[i])
			i++
		}
		return b.String(), true
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			if out[i], ok = replaceSurrogates(e); !ok {
				return nil, false
			}
		}
		return out, true
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			rk, _ := replaceSurrogates(k)
			if _, dup := out[rk.(string)]; dup {
				return nil, false
			}
			if out[rk.(string)], ok = replaceSurrogates(e); !ok {
				return nil, false
			}
		}
		return out, true
	}
	return v, true
}

// fuzzArgs builds arguments from the fuzzer's inputs: s, n and x and values
// made from them, nested depth%6 levels deep in maps and slices.
func fuzzArgs(s string, n int64, x float64, depth uint8) []any {
	leaves := []any{s, n, x, -x, uint64(n), int32(n), n%2 == 0, nil, []byte(s), strings.ToUpper(s)}
	if g := float32(x); !math.IsInf(float64(g), 0) {
		leaves = append(leaves, g)
	}
	return []any{fuzzNest(leaves, s, n, int(depth%6)), s, n, x}
}

func fuzzNest(leaves []any, s string, n int64, depth int) any {
	if depth == 0 {
		return leaves[int(uint64(n)%uint64(len(leaves)))]
	}
	inner := fuzzNest(leaves, s, n/3, depth-1)
	switch depth % 3 {
	case 0:
		return map[string]any{s: inner, "d" + strconv.Itoa(depth): leaves, strings.ToLower(s): []any{inner}}
	case 1:
		return []any{inner, leaves, map[int64]any{n: inner, int64(depth): s, -n: nil}}
	}
	return map[int64]any{n: []any{inner, leaves}, n / 2: inner}
}

// normalized returns v as encoding/json reads its JSON back into an any:
// numbers as float64, bytes as base64 and map keys as text.
func normalized(v any) any {
	switch x := v.(type) {
	case int32:
		return float64(x)
	case int64:
		return float64(x)
	case uint64:
		return float64(x)
	case float32:
		// AppendKey writes a float32 with the shortest digits that read back as it.
		f, _ := strconv.ParseFloat(strconv.FormatFloat(float64(x), 'g', -1, 32), 64)
		return f
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalized(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalized(e)
		}
		return out
	case map[int64]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[strconv.FormatInt(k, 10)] = normalized(e)
		}
		return out
	}
	return v
}

// TestSurrogateBytesRoundTrip checks that surrogateAt reads back each
// surrogate appendSurrogate writes, and finds none in valid UTF-8.
func TestSurrogateBytesRoundTrip(t *testing.T) {
	for u := rune(0xd800); u < 0xe000; u++ {
		s := string(appendSurrogate(nil, u))
		if got, size := surrogateAt(s, 0); got != u || size != 3 {
			t.Fatalf("surrogateAt(%q, 0) = %#x, %d; want %#x, 3", s, got, size, u)
		}
	}
	for _, s := range []string{"\ud7ff", "\ue000", "\U00010000", "\xed", "\xed\xa0"} {
		if got, size := surrogateAt(s, 0); size != 0 {
			t.Errorf("surrogateAt(%q, 0) = %#x, %d; want 0, 0", s, got, size)
		}
	}
}
