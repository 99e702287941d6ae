package cachetta

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/cachetta-go/cachetta/internal/fsx"
	"github.com/cachetta-go/cachetta/internal/memory"
)

// ErrOutsideRoot reports a path that resolves outside the directory set by
// WithRoot, through "..", an absolute path or a symbolic link, or, with
// WithStore, a path that is not an entry name. Nothing is read, written or
// removed for it. Like fs.ErrNotExist it comes inside an *fs.PathError
// naming the path, so its text has no prefix of its own.
var ErrOutsideRoot = fsx.ErrOutsideRoot

// ErrArgs reports arguments that cannot be turned into a cache path: values
// Key cannot encode, or arguments that do not fit the path function.
var ErrArgs = errors.New("cachetta: bad arguments")

// Cachetta is a cache of values of type T stored as JSON files. Create one with
// New; the zero value is not usable.
type Cachetta[T any] struct {
	name      string // the path as configured, cleaned
	path      string // the real file: name resolved by the backend
	cfg       config
	condition func(T) bool // nil keeps every result
	memory    *lruCache[T] // nil when the LRU is off
	shared    *shared[T]   // common to a cache and all its copies
	unkeyed   *handle[T]   // the handle of PathFor() when memory is on and it succeeds, else nil
	// known remembers the handles of the paths of plain arguments (see
	// plainArg), for the calls of a copy without a path function, which
	// may not be a pure function of its argument; nil without memory or
	// with a path function.
	known *plainMemo[T]
	// args remembers, for Read and ReadStale, the handles of the paths of
	// other arguments, by their types and content (see spellsItself); nil
	// when known is.
	args    *memory.AnyArgs[*handle[T]]
	storage backend // where the entries live: local files, or a Store
	home    any     // the storage's identity, shared by copies on the same storage: a *disk.Disk or a *storeHome
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
	home, storage, err := c.openStorage(cfg)
	if err != nil {
		return err
	}
	path := storage.Resolve(c.name)
	if err := storage.Confine("new", path); err != nil {
		return fmt.Errorf("cachetta: %w", err)
	}
	c.memory = c.shared.memory(cfg.lruSize, home)
	c.cfg, c.condition, c.storage, c.home, c.path = cfg, keep, storage, home, path
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
	cp.path = cp.storage.Resolve(cp.name)
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
