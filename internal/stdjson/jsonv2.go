//go:build go1.27 && goexperiment.jsonv2

package stdjson

import (
	jsonv1 "encoding/json"
	"encoding/json/jsontext"
	"encoding/json/v2"
	"errors"
	"io"
	"reflect"
	"unicode/utf8"
)

// jsonOptions are encoding/json's own behaviour, as the Go team defines it
// for v2 (duplicate names allowed, names matched without case, nil slices
// and maps as null, legacy ",string", omitempty and method calls), less the
// HTML escaping that the v1 codec turns off. U+2028 and U+2029 stay escaped,
// as v1 escapes them. Invalid UTF-8 is refused on writing, to be written by
// jsonInvalidUTF8Options instead; on reading it is replaced, as v1 does.
var jsonOptions = json.JoinOptions(jsonv1.DefaultOptionsV1(), jsontext.EscapeForHTML(false), jsontext.AllowInvalidUTF8(false))

// jsonReadOptions decode without v1's way of reporting errors, which checks
// the whole value before decoding any of it: that costs a second pass, and
// UnmarshalRead a buffer for the whole file. Which inputs fail is the same;
// only which error is reported for an input with several differs, and for
// the cache every error is a miss.
var jsonReadOptions = json.JoinOptions(jsonOptions, jsontext.AllowInvalidUTF8(true), jsonv1.ReportErrorsWithLegacySemantics(false))

// jsonInvalidUTF8Options write a string that is not UTF-8 as v1 writes it,
// each invalid byte as the escape \ufffd, where v2 would write U+FFFD
// itself. The hook is looked up for every value, so it is kept off the
// common path. Errors keep v1's semantics here: without them the released
// v2 refuses a ",string" tag on a list, which v1 ignores.
var jsonInvalidUTF8Options = json.JoinOptions(jsonOptions, jsontext.AllowInvalidUTF8(true),
	json.WithMarshalers(json.MarshalToFunc(func(enc *jsontext.Encoder, v any) error {
		// v points to the value, or is a pointer value: either way v1
		// writes the string pointed to.
		s := reflect.ValueOf(v)
		if s.Kind() == reflect.Pointer && !s.IsNil() {
			s = s.Elem()
		}
		if s.Kind() != reflect.String || utf8.ValidString(s.String()) {
			return errors.ErrUnsupported
		}
		quoted := appendInvalidUTF8String(nil, s.String())
		// A field tagged ",string" holds a string's JSON text as a string.
		if stringified, _ := json.GetOption(enc.Options(), json.StringifyNumbers); stringified {
			quoted = appendInvalidUTF8String(nil, string(quoted))
		}
		return enc.WriteValue(quoted)
	})))

// Marshal returns the JSON encoding of v as encoding/json writes it, less
// the escaping of <, > and &. It encodes into a buffer of the encoder's pool
// and returns a copy of the right size: no bytes.Buffer to grow and no
// newline to trim.
func (Codec) Marshal(v any) ([]byte, error) {
	data, err := json.Marshal(v, jsonOptions)
	if err != nil {
		// Most likely a string that is not UTF-8; any other error comes
		// again.
		return json.Marshal(v, jsonInvalidUTF8Options)
	}
	return data, nil
}

// Unmarshal decodes data into v as encoding/json does.
func (Codec) Unmarshal(data []byte, v any) error {
	return json.Unmarshal(data, v, jsonReadOptions)
}

// UnmarshalRead decodes from r as it reads, consuming r to its end.
// Unmarshal decodes data into v as encoding/json does.
func (Codec) UnmarshalRead(r io.Reader, v any) error {
	return json.UnmarshalRead(r, v, jsonReadOptions)
}

// appendInvalidUTF8String appends s quoted as v1 quotes it without HTML
// escaping, for a string that is not UTF-8.
func appendInvalidUTF8String(dst []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c == '\b':
				dst = append(dst, '\\', 'b')
			case c == '\f':
				dst = append(dst, '\\', 'f')
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c == '\t':
				dst = append(dst, '\\', 't')
			case c < 0x20:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				dst = append(dst, c)
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}
