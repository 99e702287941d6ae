package cachetta

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
)

// pathFunc is a path function set by WithPathFunc or WithPathFunc2, with the
// parameter types that wrappers check at wrap time.
type pathFunc struct {
	params []reflect.Type
	call   func(args []any) (string, error)
}

// WithPathFunc makes the file of each entry the result of path applied to the
// argument of the wrapped function (or of Read, Write and the others); A is
// inferred from path. A relative result is relative to the working
// directory, or to the root set by WithRoot. Wrapping a function whose argument type path cannot take panics
// at wrap time; calling a primitive with arguments that do not fit is an error
// wrapping ErrArgs.
func WithPathFunc[A any](path func(A) string) Option {
	pf := &pathFunc{
		params: []reflect.Type{reflect.TypeFor[A]()},
		call: func(args []any) (string, error) {
			if err := checkArgCount(args, 1); err != nil {
				return "", err
			}
			a, err := argAs[A](args, 0)
			if err != nil {
				return "", err
			}
			return path(a), nil
		},
	}
	return optionFunc(func(c *config) {
		c.pathFunc = pf
		if path == nil {
			c.pathFunc = &pathFunc{}
		}
	})
}

// WithPathFunc2 is WithPathFunc for functions of two arguments.
func WithPathFunc2[A, B any](path func(A, B) string) Option {
	pf := &pathFunc{
		params: []reflect.Type{reflect.TypeFor[A](), reflect.TypeFor[B]()},
		call: func(args []any) (string, error) {
			if err := checkArgCount(args, 2); err != nil {
				return "", err
			}
			a, err := argAs[A](args, 0)
			if err != nil {
				return "", err
			}
			b, err := argAs[B](args, 1)
			if err != nil {
				return "", err
			}
			return path(a, b), nil
		},
	}
	return optionFunc(func(c *config) {
		c.pathFunc = pf
		if path == nil {
			c.pathFunc = &pathFunc{}
		}
	})
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
		return c.confine(c.fsys.resolve(path))
	}
	if len(args) == 0 {
		return c.confine(c.path)
	}
	key, err := hexKey(args)
	if err != nil {
		return "", err
	}
	return c.confine(keyedPath(c.path, string(key[:])))
}

// confine returns path, or an error wrapping ErrOutsideRoot when WithRoot is
// set and path lies outside the root. Symbolic links are checked later, by
// os.Root, when the file is opened.
func (c *Cachetta[T]) confine(path string) (string, error) {
	switch fsys := c.fsys.(type) {
	case *rootFS:
		if _, err := fsys.rel("resolve", path); err != nil {
			return "", fmt.Errorf("cachetta: %w", err)
		}
	case *storeFS:
		return confineToStore(path)
	}
	return path, nil
}

// keyedPath inserts "-key" before the extension of path's last element, which
// is found as Python's pathlib finds a suffix: after the last dot, unless the
// dot starts or ends the name.
func keyedPath(path, key string) string {
	dir, name := filepath.Split(filepath.Clean(path))
	stem, suffix := name, ""
	if i := strings.LastIndexByte(name, '.'); i > 0 && i < len(name)-1 {
		stem, suffix = name[:i], name[i:]
	}
	return dir + stem + "-" + key + suffix
}
