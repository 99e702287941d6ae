package cachetta

import (
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"sync"

	"github.com/cachetta-go/cachetta/internal/pyjson"
	"github.com/cachetta-go/cachetta/internal/storage"
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

// pathFunc is a path function set by WithPathFunc or WithPathFunc2, with the
// parameter types that wrappers check at wrap time.
type pathFunc struct {
	params []reflect.Type
	call   func(args []any) (string, error)
	fn     any // the function itself: a func(A) string or func(A, B) string, for Wrap1 and Wrap2 to call without boxing
}

// pathFuncOf returns the path function of c as it was given, or nil.
func (c *Cachetta[T]) pathFuncOf() any {
	if c.cfg.pathFunc == nil {
		return nil
	}
	return c.cfg.pathFunc.fn
}

func checkArgCount(args []any, want int) error {
	if len(args) != want {
		return fmt.Errorf("%w: path function takes %d argument(s), got %d", ErrArgs, want, len(args))
	}
	return nil
}

// argAs returns args[i] as an A, accepting nil for types that have nil.
func argAs[A any](args []any, i int) (A, error) {
	if a, ok := args[i].(A); ok {
		return a, nil
	}
	var zero A
	t := reflect.TypeFor[A]()
	if args[i] == nil {
		switch t.Kind() {
		case reflect.Interface, reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan:
			return zero, nil
		}
	}
	return zero, fmt.Errorf("%w: argument %d is %T, path function takes %v", ErrArgs, i, args[i], t)
}

// PathFor returns the file that args resolve to. With a path function it is
// the function's result. With WithRoot, a path outside the root is an error
// wrapping ErrOutsideRoot. Otherwise, with no arguments it is Path(), and with
// arguments it is Path() with "-" and Key(args...) inserted before the
// extension: "cache/user.json" becomes "cache/user-<key>.json".
func (c *Cachetta[T]) PathFor(args ...any) (string, error) {
	if pf := c.cfg.pathFunc; pf != nil {
		path, err := pf.call(args)
		if err != nil {
			return "", err
		}
		if path == "" {
			return "", fmt.Errorf("%w: path function returned an empty path for %v", ErrArgs, args)
		}
		return c.confine(c.storage.Resolve(path))
	}
	if len(args) == 0 {
		return c.confine(c.path)
	}
	key, err := hexKey(args)
	if err != nil {
		return "", err
	}
	return c.confine(storage.KeyedName(c.path, string(key[:])))
}

// confine returns path, or an error wrapping ErrOutsideRoot when WithRoot is
// set and path lies outside the root. Symbolic links are checked later, by
// os.Root, when the file is opened.
func (c *Cachetta[T]) confine(path string) (string, error) {
	if err := c.storage.Confine("resolve", path); err != nil {
		return "", fmt.Errorf("cachetta: %w", err)
	}
	return path, nil
}

// spellsItself reports whether a value of type t, or a pointer to one,
// writes its own JSON (MarshalJSON, MarshalText), which may read anything:
// its key is then no function of its data, and no memo may stand for it.
// The memo of a wrapper's arguments (internal/memory's Args) keys the
// other types by their content, which decides their key: two arguments of
// one type with equal content have one key.
func spellsItself(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return t.Implements(jsonMarshalerType) || t.Implements(textMarshalerType) ||
		p.Implements(jsonMarshalerType) || p.Implements(textMarshalerType)
}

var (
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)
