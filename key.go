package cachetta

import (
	"bytes"
	"crypto/sha256"
	"encoding"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// maxKeyDepth bounds the nesting of key arguments, which also stops cycles.
const maxKeyDepth = 1000

// Key returns the automatic key of args: the first 16 lowercase hex digits
// of the SHA-256 of the text Python's json.dumps({"args": [args...],
// "kwargs": {}}, sort_keys=True) writes. A Go and a Python program that cache
// a call with equal arguments under one path therefore share one file.
//
// Arguments are encoded as encoding/json encodes them (struct tags,
// json.Marshaler and encoding.TextMarshaler are honoured), with the spelling
// of Python: floats as Python's repr writes them (1.0, 1e+16), non-ASCII as
// \u escapes, map keys sorted. Go floats stay floats, so float64(1) keys as
// 1.0, as in Python; numbers inside a MarshalJSON result are floats only when
// written with '.', 'e' or 'E', and its strings are read as Python reads
// them, a lone surrogate escape staying one (written back as \udXXX). Maps
// with integer keys sort numerically, as Python sorts int keys.
//
// Funcs, channels, complex numbers, NaN, infinities, strings that are not
// UTF-8 (in a MarshalJSON result too) and cycles are errors wrapping ErrArgs.
// So is a value, at any depth, of a struct type that has data but no field
// encoding/json writes (all unexported, tagged "-" or ambiguous), which
// encoding/json writes as {} whatever it holds; embedded structs count by the
// fields they promote, and a struct without data, such as struct{}, keys as
// {}.
func Key(args ...any) (string, error) {
	key, err := hexKey(args)
	if err != nil {
		return "", err
	}
	return string(key[:]), nil
}

// hexKey is Key with its digits in an array, so that PathFor allocates only
// the path.
func hexKey(args []any) (key [16]byte, err error) {
	buf := keyBuffers.Get().(*[]byte)
	text, err := appendCanonical((*buf)[:0], args)
	if err == nil {
		sum := sha256.Sum256(text)
		hex.Encode(key[:], sum[:8])
	}
	// A buffer grown by one huge argument is left to the collector.
	if cap(text) <= maxPooledKeyBuffer {
		*buf = text
		keyBuffers.Put(buf)
	}
	return key, err
}

const maxPooledKeyBuffer = 64 << 10

var keyBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

// pyWriter writes values in the spelling of Python's json module: the
// separators ", " and ": ", ensure_ascii and the repr of floats. For a key
// (keyWriter) it writes as json.dumps(sort_keys=True) does, struct fields
// and the objects of a MarshalJSON by name and integer map keys by number,
// and refuses strings that are not UTF-8 and structs that would all share
// one key. Otherwise (dumpWriter, for PythonJSON) it keeps the order
// encoding/json writes and replaces what is not UTF-8 with U+FFFD, as
// encoding/json does.
type pyWriter struct {
	key bool
}

var keyWriter = pyWriter{key: true}

// appendCanonical appends the text whose hash is the key of args.
func appendCanonical(dst []byte, args []any) ([]byte, error) {
	w := keyWriter
	dst = append(dst, `{"args": [`...)
	for i, a := range args {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		var err error
		if dst, err = w.appendValue(dst, a, 0); err != nil {
			return dst, fmt.Errorf("%w: argument %d: %w", ErrArgs, i, err)
		}
	}
	return append(dst, `], "kwargs": {}}`...), nil
}

// appendValue appends v as Python's json.dumps would write its equivalent.
// Common types skip reflection.
func (w pyWriter) appendValue(dst []byte, v any, depth int) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		return w.appendPyString(dst, x)
	case int:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case bool:
		return strconv.AppendBool(dst, x), nil
	case float64:
		return appendPyFloat(dst, x, 64)
	}
	return w.appendReflect(dst, reflect.ValueOf(v), depth)
}

func (w pyWriter) appendReflect(dst []byte, v reflect.Value, depth int) ([]byte, error) {
	if depth > maxKeyDepth {
		return dst, errors.New("nested too deeply, or cyclic")
	}
	if !v.IsValid() {
		return append(dst, "null"...), nil
	}
	// An interface is encoded as the value it holds, which has the same
	// MarshalJSON; a nil one has none to call.
	if v.Kind() == reflect.Interface {
		if v.IsNil() {
			return append(dst, "null"...), nil
		}
		return w.appendReflect(dst, v.Elem(), depth+1)
	}
	if m, ok := marshalerOf(v); ok {
		return w.appendMarshaler(dst, m, depth)
	}
	t := v.Type()
	if t == numberType {
		s := v.String()
		if s == "" {
			s = "0" // encoding/json writes the zero Number as 0
		}
		return appendNumberText(dst, s)
	}
	switch v.Kind() {
	case reflect.Bool:
		return strconv.AppendBool(dst, v.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(dst, v.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.AppendUint(dst, v.Uint(), 10), nil
	case reflect.Float32:
		return appendPyFloat(dst, v.Float(), 32)
	case reflect.Float64:
		return appendPyFloat(dst, v.Float(), 64)
	case reflect.String:
		return w.appendPyString(dst, v.String())
	case reflect.Pointer:
		if v.IsNil() {
			return append(dst, "null"...), nil
		}
		return w.appendReflect(dst, v.Elem(), depth+1)
	case reflect.Slice:
		if v.IsNil() {
			return append(dst, "null"...), nil
		}
		if p := reflect.PointerTo(t.Elem()); t.Elem().Kind() == reflect.Uint8 && !p.Implements(jsonMarshalerType) && !p.Implements(textMarshalerType) {
			return w.appendPyString(dst, base64.StdEncoding.EncodeToString(v.Bytes()))
		}
		return w.appendList(dst, v, depth)
	case reflect.Array:
		return w.appendList(dst, v, depth)
	case reflect.Map:
		if v.IsNil() {
			return append(dst, "null"...), nil
		}
		return w.appendMap(dst, v, depth)
	case reflect.Struct:
		return w.appendStruct(dst, v, depth)
	}
	return dst, fmt.Errorf("unsupported type %v", t)
}

func (w pyWriter) appendList(dst []byte, v reflect.Value, depth int) ([]byte, error) {
	dst = append(dst, '[')
	for i := range v.Len() {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		var err error
		if dst, err = w.appendReflect(dst, v.Index(i), depth+1); err != nil {
			return dst, err
		}
	}
	return append(dst, ']'), nil
}

// mapKey is a map key as JSON writes it, with the number Python would sort an
// integer key by.
type mapKey struct {
	text  string
	num   int64  // signed integer keys
	unum  uint64 // unsigned integer keys
	value reflect.Value
}

func (w pyWriter) appendMap(dst []byte, v reflect.Value, depth int) ([]byte, error) {
	keyType := v.Type().Key()
	var byText bool
	switch {
	case keyType.Kind() == reflect.String || keyType.Implements(textMarshalerType):
		byText = true
	case keyType.Kind() >= reflect.Int && keyType.Kind() <= reflect.Uintptr:
	default:
		return dst, fmt.Errorf("unsupported map key type %v", keyType)
	}
	keys := make([]mapKey, 0, v.Len())
	iter := v.MapRange()
	for iter.Next() {
		k, err := newMapKey(iter.Key())
		if err != nil {
			return dst, err
		}
		k.value = iter.Value()
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b mapKey) int {
		if byText || !w.key {
			return strings.Compare(a.text, b.text)
		}
		if c := cmpInt(a.num, b.num); c != 0 {
			return c
		}
		return cmpInt(a.unum, b.unum)
	})
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		var err error
		if dst, err = w.appendPyString(dst, k.text); err != nil {
			return dst, err
		}
		dst = append(dst, ": "...)
		if dst, err = w.appendReflect(dst, k.value, depth+1); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

// newMapKey resolves a map key as encoding/json does: strings as they are,
// then text marshalers, then integers.
func newMapKey(k reflect.Value) (mapKey, error) {
	switch {
	case k.Kind() == reflect.String:
		return mapKey{text: k.String()}, nil
	case k.Type().Implements(textMarshalerType):
		if k.Kind() == reflect.Pointer && k.IsNil() {
			return mapKey{}, nil
		}
		text, err := k.Interface().(encoding.TextMarshaler).MarshalText()
		return mapKey{text: string(text)}, err
	case k.CanInt():
		return mapKey{num: k.Int(), text: strconv.FormatInt(k.Int(), 10)}, nil
	}
	return mapKey{unum: k.Uint(), text: strconv.FormatUint(k.Uint(), 10)}, nil
}

func cmpInt[N int64 | uint64](a, b N) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// appendStruct appends the fields encoding/json writes for v. For a key, a
// struct type with data but none of those fields (all unexported, tagged "-"
// or ambiguous) is an error, wherever its value appears: encoding/json
// writes each of its values as {}, so all of them would share one key.
func (w pyWriter) appendStruct(dst []byte, v reflect.Value, depth int) ([]byte, error) {
	fields := fieldsOf(v.Type())
	if !w.key {
		fields = fieldsInOrder(v.Type())
	} else if len(fields) == 0 && v.Type().Size() > 0 {
		return dst, fmt.Errorf("%v has no field encoding/json writes, so all its values would share one key", v.Type())
	}
	dst = append(dst, '{')
	first := true
	for _, f := range fields {
		fv, ok := fieldByIndex(v, f.index)
		if !ok || f.omitEmpty && isEmptyValue(fv) || f.omitZero && isZero(fv) {
			continue
		}
		if !first {
			dst = append(dst, ", "...)
		}
		first = false
		var err error
		if dst, err = w.appendPyString(dst, f.name); err != nil {
			return dst, err
		}
		dst = append(dst, ": "...)
		if f.quoted {
			dst, err = w.appendQuoted(dst, fv, depth+1)
		} else {
			dst, err = w.appendReflect(dst, fv, depth+1)
		}
		if err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

// appendQuoted appends a field with the ",string" option: the text
// encoding/json writes for v, as a string. Like encoding/json it leaves a nil
// pointer null and the output of a marshaler as it is.
func (w pyWriter) appendQuoted(dst []byte, v reflect.Value, depth int) ([]byte, error) {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return append(dst, "null"...), nil
		}
		v = v.Elem()
	}
	if _, ok := marshalerOf(v); ok {
		return w.appendReflect(dst, v, depth)
	}
	text, err := json.Marshal(v.Interface())
	if err != nil {
		return dst, err
	}
	return w.appendPyString(dst, string(text))
}

// makes of itself, re-spelled the Python way.
func (w pyWriter) appendMarshaler(dst []byte, v reflect.Value, depth int) ([]byte, error) {
	if v.Kind() == reflect.Pointer && v.IsNil() {
		return append(dst, "null"...), nil
	}
	if !v.CanInterface() {
		// A marshaler in an unexported field: encoding/json panics on it.
		return dst, fmt.Errorf("%v in an unexported field", v.Type())
	}
	if m, ok := v.Interface().(json.Marshaler); ok {
		text, err := m.MarshalJSON()
		if err != nil {
			return dst, err
		}
		if !json.Valid(text) {
			return dst, fmt.Errorf("%v.MarshalJSON returned invalid JSON %q", v.Type(), text)
		}
		if !w.key {
			return w.appendRespelled(dst, text, depth+1)
		}
		generic, err := readJSON(text, depth+1)
		if err != nil {
			return dst, fmt.Errorf("%v.MarshalJSON: %w", v.Type(), err)
		}
		return w.appendGeneric(dst, generic, depth+1)
	}
	text, err := v.Interface().(encoding.TextMarshaler).MarshalText()
	if err != nil {
		return dst, err
	}
	return w.appendPyString(dst, string(text))
}

// appendGeneric appends a value read by readJSON, whose strings may hold
// lone surrogates.
func (w pyWriter) appendGeneric(dst []byte, v any, depth int) ([]byte, error) {
	if depth > maxKeyDepth {
		return dst, errors.New("nested too deeply")
	}
	switch x := v.(type) {
	case string:
		return w.appendPyText(dst, x, true)
	case json.Number:
		return appendNumberText(dst, string(x))
	case []any:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			var err error
			if dst, err = w.appendGeneric(dst, e, depth+1); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		dst = append(dst, '{')
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			var err error
			if dst, err = w.appendPyText(dst, k, true); err != nil {
				return dst, err
			}
			dst = append(dst, ": "...)
			if dst, err = w.appendGeneric(dst, x[k], depth+1); err != nil {
				return dst, err
			}
		}
		return append(dst, '}'), nil
	}
	return w.appendValue(dst, v, depth)
}

// appendNumberText appends a JSON number as Python reads and rewrites it: a
// float when it has '.', 'e' or 'E', an int otherwise.
func appendNumberText(dst []byte, s string) ([]byte, error) {
	// A JSON value that starts with '-' or a digit is a number, and one that
	// ends in a digit has no trailing space.
	if s == "" || !json.Valid([]byte(s)) || s[0] != '-' && !isDigit(s[0]) || !isDigit(s[len(s)-1]) {
		return dst, fmt.Errorf("invalid number %q", s)
	}
	if strings.ContainsAny(s, ".eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return dst, fmt.Errorf("number %q: %w", s, err)
		}
		return appendPyFloat(dst, f, 64)
	}
	if s == "-0" {
		s = "0"
	}
	return append(dst, s...), nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// appendPyFloat appends f as Python's repr writes it: the shortest digits that
// read back to f, in positional notation for exponents -4 to 15 with at least
// one digit after the point, in scientific notation with a two-digit
// exponent otherwise.
func appendPyFloat(dst []byte, f float64, bits int) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return dst, fmt.Errorf("unsupported float %v", f)
	}
	var scratch [32]byte
	sci := strconv.AppendFloat(scratch[:0], f, 'e', -1, bits)
	exp, _ := strconv.Atoi(string(sci[bytes.IndexByte(sci, 'e')+1:]))
	if exp < -4 || exp >= 16 {
		return append(dst, sci...), nil
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, 'f', -1, bits)
	if bytes.IndexByte(dst[start:], '.') < 0 {
		dst = append(dst, ".0"...)
	}
	return dst, nil
}

// appendPyString appends s quoted as Python's json.dumps writes it with
// ensure_ascii: printable ASCII as is, everything else escaped, characters
// beyond the BMP as surrogate pairs.
func (w pyWriter) appendPyString(dst []byte, s string) ([]byte, error) {
	return w.appendPyText(dst, s, false)
}

// appendPyText is appendPyString for a string that may hold lone
// surrogates, as readJSON keeps them, when surrogates is set; Python writes
// one as a \u escape of its own. Outside a key, a byte that is not UTF-8 is
// written as U+FFFD.
func (w pyWriter) appendPyText(dst []byte, s string, surrogates bool) ([]byte, error) {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				if c < 0x20 || c == 0x7f {
					dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
				} else {
					dst = append(dst, c)
				}
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			if r, size = surrogateAt(s, i); !surrogates || size == 0 {
				if w.key {
					return dst, fmt.Errorf("string %q is not valid UTF-8", s)
				}
				r, size = utf8.RuneError, 1
			}
		}
		i += size
		units := [2]rune{r}
		n := 1
		if r > 0xffff {
			units[0], units[1] = utf16.EncodeRune(r)
			n = 2
		}
		for _, u := range units[:n] {
			dst = append(dst, '\\', 'u', hexDigits[u>>12&0xf], hexDigits[u>>8&0xf], hexDigits[u>>4&0xf], hexDigits[u&0xf])
		}
	}
	return append(dst, '"'), nil
}
