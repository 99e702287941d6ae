package cachetta

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"reflect"
	"time"
)

// DefaultDuration is how long an entry stays fresh unless WithDuration says
// otherwise.
const DefaultDuration = 7 * 24 * time.Hour

// DefaultRefreshTimeout bounds one background refresh unless
// Refresh.Timeout says otherwise (see WithRefresh).
const DefaultRefreshTimeout = time.Minute

// DefaultLockTimeout bounds the wait for another process's lock unless
// WithLockTimeout says otherwise.
const DefaultLockTimeout = time.Minute

// DefaultReadLimit is the size in bytes of the largest file a cache reads
// unless Files.ReadLimit says otherwise (see WithFiles).
const DefaultReadLimit = 1 << 30

// An Option configures a Cachetta. Options are made by the With functions of
// this package; later options override earlier ones.
type Option interface {
	apply(*config)
}

// optionFunc keeps the Option interface sealed: only this package can make
// options.
type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// config holds every setting of a cache. It is copied by value, never shared.
type config struct {
	duration       time.Duration
	read           bool
	write          bool
	logger         *slog.Logger
	condition      any // func(T) bool, checked against T in New
	pathFunc       *pathFunc
	lruSize        int
	memoryCheck    bool
	stale          time.Duration
	refreshTimeout time.Duration
	codec          Codec
	root           string
	fileMode       fs.FileMode
	dirMode        fs.FileMode
	maxFileSize    int64
	sync           bool
	processLock    bool
	lockTimeout    time.Duration
	maxBytes       int64 // budget.go
	maxEntries     int
	store          Store // nil for local files

	// Freshness and failure.
	staleIfError time.Duration
	earlyRefresh float64
	errorCaching *errorCaching // nil when off

	events func(Event) // nil when off
}

// applyOptions returns cfg with opts applied in order; nil options are
// skipped.
func applyOptions(cfg config, opts []Option) config {
	for _, opt := range opts {
		if opt != nil {
			opt.apply(&cfg)
		}
	}
	return cfg
}

func defaultConfig() config {
	return config{
		duration:       DefaultDuration,
		read:           true,
		write:          true,
		logger:         slog.Default(),
		refreshTimeout: DefaultRefreshTimeout,
		codec:          jsonCodec{},
		fileMode:       0o600,
		dirMode:        0o700,
		maxFileSize:    DefaultReadLimit,
		processLock:    true,
		lockTimeout:    DefaultLockTimeout,
	}
}

// validate reports the first setting no cache can work with.
func (c *config) validate() error {
	switch {
	case c.duration <= 0:
		return fmt.Errorf("duration must be positive, got %v", c.duration)
	case c.lruSize < 0:
		return fmt.Errorf("LRU size must not be negative, got %d", c.lruSize)
	case c.stale < 0:
		return fmt.Errorf("stale duration must not be negative, got %v", c.stale)
	case c.stale > math.MaxInt64-c.duration:
		return fmt.Errorf("duration %v plus stale duration %v overflows", c.duration, c.stale)
	case c.refreshTimeout < 0:
		return fmt.Errorf("refresh timeout must not be negative, got %v", c.refreshTimeout)
	case c.lockTimeout <= 0:
		return fmt.Errorf("lock timeout must be positive, got %v", c.lockTimeout)
	case c.logger == nil:
		return errors.New("logger must not be nil")
	case c.codec == nil:
		return errors.New("codec must not be nil")
	case c.pathFunc != nil && c.pathFunc.call == nil:
		return errors.New("path function must not be nil")
	case c.fileMode&^fs.ModePerm != 0 || c.fileMode&0o600 != 0o600:
		return fmt.Errorf("file mode %#o must be permission bits including 0600", c.fileMode)
	case c.dirMode&^fs.ModePerm != 0 || c.dirMode&0o700 != 0o700:
		return fmt.Errorf("directory mode %#o must be permission bits including 0700", c.dirMode)
	case c.maxFileSize < 0:
		return fmt.Errorf("read limit must not be negative, got %d", c.maxFileSize)
	case c.maxBytes < 0:
		return fmt.Errorf("prune budget: bytes must not be negative, got %d", c.maxBytes)
	case c.maxEntries < 0:
		return fmt.Errorf("prune budget: entries must not be negative, got %d", c.maxEntries)
	case c.store != nil && c.root != "":
		return errors.New("WithStore and WithRoot cannot be combined")
	}
	return c.validateFreshness() // freshness_options.go
}

// WithDuration sets how long an entry stays fresh, measured from its file's
// modification time. The default is DefaultDuration; it must be positive.
func WithDuration(d time.Duration) Option {
	return optionFunc(func(c *config) { c.duration = d })
}

// WithRead turns reading on or off. With reading off every read is a miss and
// a wrapped function runs on every call. The default is true.
func WithRead(on bool) Option {
	return optionFunc(func(c *config) { c.read = on })
}

// WithWrite turns writing on or off. With writing off Write does nothing and
// returns nil. The default is true.
func WithWrite(on bool) Option {
	return optionFunc(func(c *config) { c.write = on })
}

// WithLogger sets the logger. Hits, misses and writes are logged at debug
// level; corrupt files, and failed reads and writes inside a wrapper, at warn
// level; failed background refreshes at error level. The default is
// slog.Default().
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) { c.logger = l })
}

// WithCondition sets a predicate that a wrapped function's result must pass to
// be written; a rejected result is still returned to the caller. T is inferred
// from keep, and New reports an error when it is not the cache's type. It does
// not apply to Write. The default keeps every result.
func WithCondition[T any](keep func(T) bool) Option {
	return optionFunc(func(c *config) { c.condition = keep })
}

// WithLRU keeps up to size decoded entries in memory, checked before the disk.
// Zero, the default, turns the memory layer off.
//
// Memory is filled by reads of a file and by writes: Write, the run of a
// wrapped function and a background refresh leave the value they wrote in
// memory, decoded from the bytes written, so that memory answers exactly
// what a read of the file would (a map[string]any holds float64(1), not the
// int written; a field tagged "-" is empty). With WithStore, whose Save
// reports neither the version nor the time of what it saved, a write
// clears the entry from memory instead, and the next read fills it.
//
// Only fresh entries are answered from memory, and such a hit touches no
// file, so a change made by another process becomes visible only when the
// memory entry expires or is invalidated. A memory entry's age is measured
// on the monotonic clock from the read or write that filled it, so a step of
// the wall clock, which the disk rule follows, moves memory's expiry by at
// most the step, and so does time the machine spends suspended, which the
// monotonic clock does not count; WithFileCheck bounds neither. A memory
// holds any size entries. One of fewer than 64 entries evicts in exact
// least-recently-used order; a larger one is split into up to 8 parts by a
// hash of the path, so that hits of different entries do not wait for each
// other, and the entry it evicts once full is the least recently used of
// the part the new entry joins: least recently used among about an eighth
// of the entries. Values are returned as stored: callers must not mutate a
// returned map, slice or pointer target.
func WithLRU(size int) Option {
	return optionFunc(func(c *config) { c.lruSize = size })
}

// WithFileCheck makes a memory hit (see WithLRU) check its file first, at
// the cost of one stat: a fresh entry is answered from memory only while
// the file is the one it was read or written as (the same file by
// os.SameFile, its inode or file ID) with the same modification time and
// size. A file another process replaced, rewrote or removed is then read
// again from the disk. The default, false, answers from memory without
// touching a file, until the entry expires.
func WithFileCheck(on bool) Option {
	return optionFunc(func(c *config) { c.memoryCheck = on })
}

// WithCodec sets how values are encoded to and decoded from files. The default
// is JSON. Files must stay JSON for the Python and JavaScript members of the
// Cachetta family to share them.
func WithCodec(codec Codec) Option {
	return optionFunc(func(c *config) { c.codec = codec })
}

// Files says how a cache writes and reads its files. The zero value of each
// field is its default.
type Files struct {
	// Mode is the permission bits of new cache files; it must include 0600.
	// Zero means 0600.
	Mode fs.FileMode
	// DirMode is the permission bits of directories the cache creates; it
	// must include 0700. Zero means 0700.
	DirMode fs.FileMode
	// Sync makes every write that succeeds, by Write or by a wrapped
	// function, survive power loss on file systems that honour fsync: the
	// temporary file is synced before the rename and the directory after
	// it, as are the directories holding any that the write creates. A
	// failed directory sync is reported though the new value is already in
	// place. Windows cannot sync a directory, so there only the file is
	// synced. Without it a crash of the process still never leaves a torn
	// entry, but a power loss may lose one or leave it empty or short, which
	// a read treats as a miss. A sync costs milliseconds on most disks.
	// False by default.
	Sync bool
	// ReadLimit is the size in bytes of the largest file a read decodes. A
	// larger file is a miss, logged at warn level with its path and size,
	// and is never read. Zero means DefaultReadLimit; it must not be
	// negative. With the default JSON codec a file larger than a few KiB is
	// also refused as corrupt, before its buffer is allocated, when its
	// first byte after white space cannot begin a JSON value; other codecs
	// see every file within the limit. It is not a disk budget: see
	// WithPruneBudget for that.
	ReadLimit int64
}

// WithFiles sets how the cache writes and reads its files (see Files). The
// default is Files{}: modes 0600 and 0700, no sync, DefaultReadLimit.
func WithFiles(f Files) Option {
	return optionFunc(func(c *config) {
		c.fileMode, c.dirMode, c.sync = cmp.Or(f.Mode, 0o600), cmp.Or(f.DirMode, 0o700), f.Sync
		c.maxFileSize = cmp.Or(f.ReadLimit, DefaultReadLimit)
	})
}

// checkCondition returns the condition of cfg as a func(T) bool, or an error
// when it was made for another type.
func checkCondition[T any](cfg *config) (func(T) bool, error) {
	if cfg.condition == nil {
		return nil, nil
	}
	keep, ok := cfg.condition.(func(T) bool)
	if !ok {
		return nil, fmt.Errorf("condition is %T, want func(%v) bool", cfg.condition, reflect.TypeFor[T]())
	}
	if keep == nil {
		return nil, errors.New("condition must not be nil")
	}
	return keep, nil
}
