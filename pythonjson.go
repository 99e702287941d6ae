package cachetta

import (
	"fmt"
	"reflect"
	"slices"
	"sync"
)

// PythonJSON is a Codec whose files hold exactly what Python's
// json.dump(value, f) writes, with its default arguments, for the value
// stored: the separators ", " and ": ", every character beyond printable
// ASCII as a \u escape (characters beyond the BMP as surrogate pairs), and
// floats as Python's repr writes them, always with a fraction or an
// exponent (float64(3) as 3.0, 1e16 as 1e+16), so that Python reads a Go
// float back as a float and not as an int.
//
// Values are encoded as encoding/json encodes them otherwise: struct tags,
// MarshalJSON (whose result is re-spelled, in its own order), MarshalText,
// []byte as base64, nil slices and maps as null, and a string that is not
// UTF-8 with U+FFFD for each bad byte. Struct fields come in encoding/json's
// order, the order of the fields, and map keys sorted as encoding/json
// sorts them, by their text. Python writes a dict in its insertion order,
// so a dict built in that order is written alike. NaN and the infinities
// are errors, as they are for JSON: Python would write NaN, Infinity and
// -Infinity, which are not JSON and which encoding/json cannot read back.
// A float32 is written with the fewest digits that read back to it, as
// encoding/json writes it.
//
// PythonJSON decodes as JSON does, from a reader too under
// GOEXPERIMENT=jsonv2.
var PythonJSON Codec = pythonJSONCodec{}

// pythonJSONCodec decodes with the methods of jsonCodec.
type pythonJSONCodec struct{ jsonCodec }

var dumpWriter = pyWriter{}

func (pythonJSONCodec) Marshal(v any) ([]byte, error) {
	data, err := dumpWriter.appendValue(nil, v, 0)
	if err != nil {
		return nil, fmt.Errorf("python json: %w", err)
	}
	return data, nil
}

var fieldOrders sync.Map // reflect.Type -> []field

// fieldsInOrder returns the fields encoding/json writes for struct type t,
// in the order it writes them: by their index sequence.
func fieldsInOrder(t reflect.Type) []field {
	if f, ok := fieldOrders.Load(t); ok {
		return f.([]field)
	}
	fields := slices.Clone(fieldsOf(t))
	slices.SortFunc(fields, func(a, b field) int { return slices.Compare(a.index, b.index) })
	fieldOrders.Store(t, fields)
	return fields
}

// appendRespelled appends text, which json.Valid accepts, in Python's
// spelling, keeping its order and any repeated names, as encoding/json
// keeps the text of a MarshalJSON; depth is the nesting it starts at.
func (w pyWriter) appendRespelled(dst, text []byte, depth int) ([]byte, error) {
	r := jsonReader{text: text}
	dst, err := w.respellValue(dst, &r, depth)
	if err != nil {
		return dst, err
	}
	if r.skipSpace(); r.pos != len(r.text) {
		return dst, r.errorf("trailing data")
	}
	return dst, nil
}

func (w pyWriter) respellValue(dst []byte, r *jsonReader, depth int) ([]byte, error) {
	if depth > maxKeyDepth {
		return dst, fmt.Errorf("nested too deeply")
	}
	var open, end byte
	switch r.next() {
	case '{':
		open, end = '{', '}'
	case '[':
		open, end = '[', ']'
	default:
		v, err := r.value(depth)
		if err != nil {
			return dst, err
		}
		return w.appendGeneric(dst, v, depth)
	}
	r.pos++
	dst = append(dst, open)
	if r.next() == end {
		r.pos++
		return append(dst, end), nil
	}
	for {
		var err error
		if open == '{' {
			if r.next() != '"' {
				return dst, r.errorf("want a key")
			}
			name, err := r.string()
			if err != nil {
				return dst, err
			}
			if dst, err = w.appendPyText(dst, name, true); err != nil {
				return dst, err
			}
			if r.next() != ':' {
				return dst, r.errorf("want :")
			}
			r.pos++
			dst = append(dst, ": "...)
		}
		if dst, err = w.respellValue(dst, r, depth+1); err != nil {
			return dst, err
		}
		switch r.next() {
		case ',':
			r.pos++
			dst = append(dst, ", "...)
		case end:
			r.pos++
			return append(dst, end), nil
		default:
			return dst, r.errorf("want , or %c", end)
		}
	}
}
