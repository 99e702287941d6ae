package pyjson

import "fmt"

// AppendKey appends to dst the text Python's json.dumps({"args": [args...],
// "kwargs": {}}, sort_keys=True) writes for the Python equivalent of args,
// whose hash is a cache key. Arguments are read as encoding/json reads them
// (struct tags, MarshalJSON, MarshalText) and written in Python's spelling:
// floats as repr writes them, non-ASCII as \u escapes, object members and
// struct fields sorted by name, integer map keys by number, and a
// MarshalJSON's strings as Python's json.loads reads them, lone surrogates
// kept.
//
// An argument that Python could not have passed, or that would share its
// key with other values, is an error naming the argument: funcs, channels,
// complex numbers, NaN, infinities, strings that are not UTF-8, cycles, and
// a struct with data but no field encoding/json writes. On error, dst holds
// a partial text, to be discarded.
func AppendKey(dst []byte, args []any) ([]byte, error) {
	w := keyWriter
	dst = append(dst, `{"args": [`...)
	for i, a := range args {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		var err error
		if dst, err = w.appendValue(dst, a, 0); err != nil {
			return dst, fmt.Errorf("argument %d: %w", i, err)
		}
	}
	return append(dst, `], "kwargs": {}}`...), nil
}
