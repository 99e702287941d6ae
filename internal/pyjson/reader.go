package pyjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// readJSON reads text, which json.Valid accepts, as Python's json.loads
// reads it, into nil, bool, json.Number, string, []any and map[string]any
// values; depth is the nesting the value starts at. It differs from
// encoding/json in its strings, which encoding/json would read with U+FFFD
// for invalid UTF-8 and for lone surrogate escapes, so that all of them
// share one key. Invalid UTF-8 is an error here, as in a Go string argument.
// A lone surrogate escape, which Python keeps, is kept as the three bytes
// UTF-8 would give the surrogate (as WTF-8 does); no valid UTF-8 holds
// them, and they sort among other characters in code point order, as Python
// sorts keys. Escapes that form a pair are one character.
func readJSON(text []byte, depth int) (any, error) {
	r := jsonReader{text: text}
	v, err := r.value(depth)
	if err != nil {
		return nil, err
	}
	if r.skipSpace(); r.pos != len(r.text) {
		return nil, r.errorf("trailing data")
	}
	return v, nil
}

// jsonReader reads JSON text from pos on.
type jsonReader struct {
	text []byte
	pos  int
}

func (r *jsonReader) errorf(format string, args ...any) error {
	return fmt.Errorf("JSON at offset %d: %s", r.pos, fmt.Sprintf(format, args...))
}

func (r *jsonReader) skipSpace() {
	for r.pos < len(r.text) {
		switch r.text[r.pos] {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return
		}
	}
}

// next skips white space and returns the byte it stops at, 0 at the end.
func (r *jsonReader) next() byte {
	if r.skipSpace(); r.pos < len(r.text) {
		return r.text[r.pos]
	}
	return 0
}

func (r *jsonReader) value(depth int) (any, error) {
	if depth > maxDepth {
		return nil, errors.New("nested too deeply")
	}
	switch c := r.next(); {
	case c == '{':
		return r.object(depth)
	case c == '[':
		return r.array(depth)
	case c == '"':
		return r.string()
	case c == '-' || isDigit(c):
		// appendNumberText checks the number's syntax.
		start := r.pos
		for r.pos < len(r.text) && (isDigit(r.text[r.pos]) || strings.IndexByte("+-.eE", r.text[r.pos]) >= 0) {
			r.pos++
		}
		return json.Number(r.text[start:r.pos]), nil
	}
	for _, lit := range []struct {
		text  string
		value any
	}{{"true", true}, {"false", false}, {"null", nil}} {
		if len(r.text)-r.pos >= len(lit.text) && string(r.text[r.pos:r.pos+len(lit.text)]) == lit.text {
			r.pos += len(lit.text)
			return lit.value, nil
		}
	}
	return nil, r.errorf("no value")
}

func (r *jsonReader) array(depth int) (any, error) {
	r.pos++ // '['
	list := []any{}
	if r.next() == ']' {
		r.pos++
		return list, nil
	}
	for {
		v, err := r.value(depth + 1)
		if err != nil {
			return nil, err
		}
		list = append(list, v)
		switch r.next() {
		case ',':
			r.pos++
		case ']':
			r.pos++
			return list, nil
		default:
			return nil, r.errorf("want , or ]")
		}
	}
}

// object reads an object; of repeated keys the last wins, as in Python.
func (r *jsonReader) object(depth int) (any, error) {
	r.pos++ // '{'
	obj := map[string]any{}
	if r.next() == '}' {
		r.pos++
		return obj, nil
	}
	for {
		if r.next() != '"' {
			return nil, r.errorf("want a key")
		}
		k, err := r.string()
		if err != nil {
			return nil, err
		}
		if r.next() != ':' {
			return nil, r.errorf("want :")
		}
		r.pos++
		v, err := r.value(depth + 1)
		if err != nil {
			return nil, err
		}
		obj[k] = v
		switch r.next() {
		case ',':
			r.pos++
		case '}':
			r.pos++
			return obj, nil
		default:
			return nil, r.errorf("want , or }")
		}
	}
}

// string reads a string, its lone surrogates as readJSON describes.
func (r *jsonReader) string() (string, error) {
	r.pos++ // '"'
	var s []byte
	start := r.pos // of the bytes not yet copied to s
	for r.pos < len(r.text) {
		c := r.text[r.pos]
		switch {
		case c == '"':
			s = append(s, r.text[start:r.pos]...)
			r.pos++
			return string(s), nil
		case c < 0x20:
			return "", r.errorf("control character %#x in a string", c)
		case c < utf8.RuneSelf && c != '\\':
			r.pos++
		case c >= utf8.RuneSelf:
			ch, size := utf8.DecodeRune(r.text[r.pos:])
			if ch == utf8.RuneError && size <= 1 {
				return "", r.errorf("string is not valid UTF-8")
			}
			r.pos += size
		default:
			s = append(s, r.text[start:r.pos]...)
			var err error
			if s, err = r.escape(s); err != nil {
				return "", err
			}
			start = r.pos
		}
	}
	return "", r.errorf("unterminated string")
}

// escape appends to s the character of the escape at pos, or the pair of
// surrogate escapes there.
func (r *jsonReader) escape(s []byte) ([]byte, error) {
	if r.pos+1 >= len(r.text) {
		return s, r.errorf("unterminated escape")
	}
	c := r.text[r.pos+1]
	r.pos += 2
	switch c {
	case '"', '\\', '/':
		return append(s, c), nil
	case 'b':
		return append(s, '\b'), nil
	case 'f':
		return append(s, '\f'), nil
	case 'n':
		return append(s, '\n'), nil
	case 'r':
		return append(s, '\r'), nil
	case 't':
		return append(s, '\t'), nil
	case 'u':
	default:
		return s, r.errorf("invalid escape \\%c", c)
	}
	u, ok := r.hex4(r.pos)
	if !ok {
		return s, r.errorf("invalid \\u escape")
	}
	r.pos += 4
	if 0xd800 <= u && u < 0xdc00 && len(r.text)-r.pos >= 6 && r.text[r.pos] == '\\' && r.text[r.pos+1] == 'u' {
		// As Python, pair a high surrogate with a low one that follows it,
		// and leave any other escape to be read on its own.
		if low, ok := r.hex4(r.pos + 2); ok && 0xdc00 <= low && low < 0xe000 {
			r.pos += 6
			return utf8.AppendRune(s, 0x10000+(u-0xd800)<<10+(low-0xdc00)), nil
		}
	}
	if 0xd800 <= u && u < 0xe000 {
		return appendSurrogate(s, u), nil
	}
	return utf8.AppendRune(s, u), nil
}

// hex4 reads the four hex digits at i.
func (r *jsonReader) hex4(i int) (rune, bool) {
	if len(r.text)-i < 4 {
		return 0, false
	}
	var u rune
	for _, c := range r.text[i : i+4] {
		switch {
		case isDigit(c):
			u = u<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			u = u<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			u = u<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return u, true
}

// appendSurrogate appends the surrogate u as UTF-8 would write it, were it a
// character.
func appendSurrogate(s []byte, u rune) []byte {
	return append(s, 0xe0|byte(u>>12), 0x80|byte(u>>6)&0x3f, 0x80|byte(u)&0x3f)
}

// surrogateAt returns the surrogate that appendSurrogate wrote at s[i:], and
// its length 3; or 0, 0 when there is none.
func surrogateAt(s string, i int) (rune, int) {
	if len(s)-i < 3 || s[i] != 0xed || s[i+1] < 0xa0 || s[i+1] > 0xbf || s[i+2] < 0x80 || s[i+2] > 0xbf {
		return 0, 0
	}
	return 0xd000 | rune(s[i+1]&0x3f)<<6 | rune(s[i+2]&0x3f), 3
}
