// Package pyjson writes Go values in the spelling of Python's json module,
// so that a Go program and a Python one agree on bytes: the text whose hash
// is a cache key, shared with Python's cachetta, and the files of the
// PythonJSON codec, which Python's json.dump would write.
//
// Values are read as encoding/json reads them: struct fields by its rules
// (tags, omitempty, omitzero, ",string", embedding and its ambiguities),
// MarshalJSON before MarshalText, []byte as base64. They are written as
// json.dumps writes the Python value they stand for: ", " and ": " between
// items, non-ASCII as \u escapes, floats as repr writes them (1.0, 1e+16),
// Go floats always as floats. The output of a MarshalJSON is read back, by a
// small reader that keeps what Python's json.loads keeps (lone surrogate
// escapes among them), and re-spelled.
//
// The two entry points differ where a key must be exact:
//
//	// {"args": [1.0, "\u00e9", {"a": 1, "b": 2}], "kwargs": {}}
//	text, err := pyjson.AppendKey(nil, []any{1.0, "é", T{B: 2, A: 1}})
//	// {"b": 2, "a": 1}
//	data, err := pyjson.Marshal(T{B: 2, A: 1})
//
// AppendKey sorts object members and struct fields by name and integer map
// keys by number, as sort_keys=True does, and refuses what would make two
// arguments share a key (invalid UTF-8, a struct written as {} whatever it
// holds). Marshal keeps encoding/json's order and writes invalid UTF-8 as
// U+FFFD, as encoding/json does.
//
// The package never imports cachetta: the root hashes the key text and
// wraps the errors in cachetta.ErrArgs.
package pyjson
