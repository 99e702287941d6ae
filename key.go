package cachetta

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"

	"github.com/cachetta-go/cachetta/internal/pyjson"
)

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
	text, err := pyjson.AppendKey((*buf)[:0], args)
	if err == nil {
		sum := sha256.Sum256(text)
		hex.Encode(key[:], sum[:8])
	} else {
		err = fmt.Errorf("%w: %w", ErrArgs, err)
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
