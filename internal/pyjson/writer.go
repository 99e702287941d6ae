package pyjson

import (
	"encoding"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// maxDepth bounds the nesting of a value, which also stops cycles.
const maxDepth = 1000

// writer writes values in the spelling of Python's json module: the
// separators ", " and ": ", ensure_ascii and the repr of floats. For a key
// (keyWriter) it writes as json.dumps(sort_keys=True) does, struct fields
// and the objects of a MarshalJSON by name and integer map keys by number,
// and refuses strings that are not UTF-8 and structs that would all share
// one key. Otherwise (dumpWriter, for Marshal) it keeps the order
// encoding/json writes and replaces what is not UTF-8 with U+FFFD, as
// encoding/json does.
type writer struct {
	key bool // keyWriter's rules, else dumpWriter's
}

var (
	keyWriter  = writer{key: true}
	dumpWriter = writer{}
)

// appendValue appends v as Python's json.dumps would write its equivalent.
// Common types skip reflection.
func (w writer) appendValue(dst []byte, v any, depth int) ([]byte, error) {
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

func (w writer) appendReflect(dst []byte, v reflect.Value, depth int) ([]byte, error) {
	if depth > maxDepth {
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

func (w writer) appendList(dst []byte, v reflect.Value, depth int) ([]byte, error) {
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

func (w writer) appendMap(dst []byte, v reflect.Value, depth int) ([]byte, error) {
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
func (w writer) appendStruct(dst []byte, v reflect.Value, depth int) ([]byte, error) {
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
func (w writer) appendQuoted(dst []byte, v reflect.Value, depth int) ([]byte, error) {
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

// appendMarshaler appends what the json.Marshaler or encoding.TextMarshaler v
// makes of itself, re-spelled the Python way.
func (w writer) appendMarshaler(dst []byte, v reflect.Value, depth int) ([]byte, error) {
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
func (w writer) appendGeneric(dst []byte, v any, depth int) ([]byte, error) {
	if depth > maxDepth {
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
