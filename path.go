package cachetta

import (
	"fmt"
	"reflect"

	"github.com/cachetta-go/cachetta/internal/storage"
)

// pathFunc is a path function set by WithPathFunc or WithPathFunc2, with the
// parameter types that wrappers check at wrap time.
type pathFunc struct {
	params []reflect.Type
	call   func(args []any) (string, error)
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
