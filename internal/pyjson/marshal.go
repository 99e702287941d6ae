package pyjson

import "fmt"

// Marshal returns what Python's json.dumps(value), with its default
// arguments, writes for the Python equivalent of v: the separators ", " and
// ": ", every character beyond printable ASCII as a \u escape (beyond the
// BMP as a surrogate pair), and floats as Python's repr writes them. Values
// are read as encoding/json reads them, and keep its order: struct fields
// in the order encoding/json writes them, map keys sorted by their text, and
// the output of a MarshalJSON re-spelled in its own order, repeated names
// kept. A string that is not UTF-8 is written with U+FFFD for each bad
// byte, as encoding/json writes it. NaN, the infinities and what
// encoding/json cannot encode are errors.
func Marshal(v any) ([]byte, error) {
	return dumpWriter.appendValue(nil, v, 0)
}

// appendRespelled appends text, which json.Valid accepts, in Python's
// spelling, keeping its order and any repeated names, as encoding/json
// keeps the text of a MarshalJSON; depth is the nesting it starts at.
func (w writer) appendRespelled(dst, text []byte, depth int) ([]byte, error) {
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

func (w writer) respellValue(dst []byte, r *jsonReader, depth int) ([]byte, error) {
	if depth > maxDepth {
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
