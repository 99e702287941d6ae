package cachetta

import (
	"errors"
	"fmt"
	"path/filepath"
)

// ErrArgs reports arguments that cannot be turned into a cache path: values
// Key cannot encode, or arguments that do not fit the path function.
var ErrArgs = errors.New("cachetta: bad arguments")

// Cachetta is a cache of values of type T stored as JSON files. Create one with
// New; the zero value is not usable.
type Cachetta[T any] struct {
	name      string // the path as configured, cleaned
	path      string // the real file: name resolved by fsys
	cfg       config
	condition func(T) bool // nil keeps every result
	memory    *lruCache[T] // nil when the LRU is off
	shared    *shared[T]   // common to a cache and all its copies
	unkeyed   string       // PathFor() when memory is on and it succeeds, else ""
	known     *knownPaths  // the paths of plain arguments, nil without memory or with a path function
	fsys      fileSystem   // the plain file system, or one confined by WithRoot
}

// New returns a cache of values of type T at path, configured by opts. The
// path is the file of a cache without arguments and the pattern of the files
// of a cache with arguments (see PathFor). New reports an error for an empty
// path or invalid options; it never panics on input.
func New[T any](path string, opts ...Option) (*Cachetta[T], error) {
	if path == "" {
		return nil, errors.New("cachetta: empty path")
	}
	c := &Cachetta[T]{name: filepath.Clean(path), shared: newShared[T]()}
	if err := c.configure(applyOptions(defaultConfig(), opts)); err != nil {
		return nil, err
	}
	return c, nil
}

// configure validates cfg and sets everything derived from it.
func (c *Cachetta[T]) configure(cfg config) error {
	if err := cfg.validate(); err != nil {
		return fmt.Errorf("cachetta: %w", err)
	}
	keep, err := checkCondition[T](&cfg)
	if err != nil {
		return fmt.Errorf("cachetta: %w", err)
	}
	// Copies keep the handle of their original's root, so that all of them
	// see the same directory whatever happens to its name.
	fsys := c.fsys
	switch {
	case cfg.store != nil:
		fsys = c.shared.storeSystem(cfg.store)
	case fsys == nil || cfg.root != c.cfg.root || c.cfg.store != nil:
		if fsys, err = c.shared.fileSystem(cfg.root, cfg.dirMode); err != nil {
			return err
		}
	}
	path := fsys.resolve(c.name)
	switch fsys := fsys.(type) {
	case *rootFS:
		if _, err := fsys.rel("new", path); err != nil {
			return fmt.Errorf("cachetta: %w", err)
		}
	case *storeFS:
		if _, err := confineToStore(path); err != nil {
			return err
		}
	}
	c.memory = c.shared.memory(cfg.lruSize, fsys)
	c.cfg, c.condition, c.fsys, c.path = cfg, keep, fsys, path
	c.preparePaths()
	return nil
}

// Must returns c, or panics with err when it is not nil. It is meant for
// package-level variables:
//
//	var users = cachetta.Must(cachetta.New[[]User]("cache/users.json"))
func Must[T any](c *Cachetta[T], err error) *Cachetta[T] {
	if err != nil {
		panic(err)
	}
	return c
}

// Path returns the file of the cache: the path it was configured with,
// cleaned by filepath.Clean and, with WithRoot, joined to the root when
// relative.
func (c *Cachetta[T]) Path() string {
	return c.path
}

// Join returns a copy of c whose path is filepath.Join(c.Path(), elem...), as
// Python's cache / "name.json". The copy shares c's memory and runs.
func (c *Cachetta[T]) Join(elem ...string) *Cachetta[T] {
	cp := *c
	cp.name = filepath.Join(append([]string{c.name}, elem...)...)
	cp.path = cp.fsys.resolve(cp.name)
	cp.preparePaths()
	return &cp
}

// With returns a copy of c with opts applied over c's settings, as Python's
// cache.copy(...). Copies share one memory of each LRU size and root, so the
// copy shares c's unless opts change its size or its root. c itself is
// unchanged.
func (c *Cachetta[T]) With(opts ...Option) (*Cachetta[T], error) {
	cp := *c
	if err := cp.configure(applyOptions(c.cfg, opts)); err != nil {
		return nil, err
	}
	return &cp, nil
}
