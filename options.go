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
	return c.validateFreshness()
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
// holds any size entries, and once full evicts the least recently used
// entry of the whole memory. A memory of 64 entries or more is split into
// up to 8 parts by a hash of the path, so that hits of different entries
// do not wait for each other; the order of uses is one clock for all
// parts, with one tolerance: a hit of the entry a part used last, the hit
// of a hot key, records no new use. Values are returned as stored: callers
// must not mutate a returned map, slice or pointer target.
//
// A memory hit of a wrapped function makes no key: each wrapper remembers
// the files of up to size arguments it has seen, by the arguments' data
// (strings, numbers and booleans in structs, arrays, slices, maps and
// behind pointers, at any depth), or by what its path function returned.
// An argument whose slice, map or pointee has changed since is a new
// argument, so callers may reuse and change their arguments freely. An
// argument of a type that writes its own JSON, or holding an interface, is
// keyed on every call.
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
		fn: path,
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
		fn: path,
	}
	return optionFunc(func(c *config) {
		c.pathFunc = pf
		if path == nil {
			c.pathFunc = &pathFunc{}
		}
	})
}

// WithProcessLock turns on or off the coordination of the processes that
// share the cache's files. With it on, a wrapped function that misses runs
// under an exclusive lock of its entry, so that processes missing one entry
// at once run the function once: the others wait for the lock and then find
// the new file. Write, Invalidate and Prune hold the lock of their directory
// for the moment they replace or remove a file, so that a Prune never
// removes what another process has just written and an Invalidate wins over
// a run in any process. All these locks are byte-range locks in one hidden
// file per cache directory, .cachetta-lock, which is never removed; they
// die with the process that holds them (see internal/lockfile). Hits take no
// lock. On a file system that refuses locks, or when something other than a
// regular file with one link sits at .cachetta-lock, the cache coordinates
// within its process only and logs a warning once. With it off, runs,
// Invalidate and Prune are coordinated within a process only. The default is
// true.
func WithProcessLock(on bool) Option {
	return optionFunc(func(c *config) { c.processLock = on })
}

// WithLockTimeout bounds how long a wrapped call waits for another process's
// run of the same entry; past it the call runs the function itself and logs
// a warning. It also bounds the wait of Write, Invalidate and Prune for the
// lock of a directory, which is held for a rename at a time: past it Write
// and Prune fail, and Invalidate removes the entry all the same, with a
// warning that other processes were not told. The default is
// DefaultLockTimeout; it must be positive.
func WithLockTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.lockTimeout = d })
}

// WithRoot confines the cache to dir, as os.Root does: relative paths, the
// cache's own, joined, keyed or from a path function, are relative to dir
// wherever the program runs, and an absolute path must lie inside dir. A
// path that leads outside, through "..", an absolute path or a symbolic
// link, is refused with an error wrapping ErrOutsideRoot. Path, Info.Path,
// logs and errors name the real file, dir joined with the path.
//
// New opens dir once, creating it when it is missing, and the cache keeps
// that handle: replacing dir by a symbolic link later redirects nothing, and
// a dir removed while the cache runs is not created again. Copies made by
// With that name the same dir share that handle and one memory, so a copy
// per request or tenant costs no descriptor of its own; each distinct root
// costs one for the life of the cache. Use WithRoot
// whenever any part of a path comes from user input. The default is no
// confinement.
func WithRoot(dir string) Option {
	return optionFunc(func(c *config) { c.root = dir })
}

// Refresh says how a wrapped function refreshes its entries and when it
// serves an entry past its duration (see WithRefresh). The zero value of
// each field is its default. Two windows follow HTTP's Cache-Control
// extensions of the same names (RFC 5861):
//
//	|-- duration --|-- StaleWhileRevalidate --|-- StaleIfError --|
//	 fresh: served   stale: served while one    only when the
//	                 background refresh runs    function fails
type Refresh struct {
	// StaleWhileRevalidate lets a wrapped function serve an entry for this
	// long past its expiry while one background refresh replaces it. Zero,
	// the default, turns it off; it must not be negative.
	StaleWhileRevalidate time.Duration

	// StaleIfError lets a wrapped function answer with an entry up to this
	// long past the end of StaleWhileRevalidate, instead of the error, when
	// its computation fails; a warning names the path and the error. It
	// serves callers that compute synchronously and callers that wait for
	// a refresh that fails, but not a caller whose context is done, nor
	// ForceRefresh or Bypass calls, nor errors that WithErrorCaching
	// remembers (those are answers, not failures), nor a runtime.Goexit.
	// ReadStale also returns such entries, for callers that run their own
	// refresh; Info tells them apart (Expired without Stale). Zero, the
	// default, turns it off; it must not be negative.
	StaleIfError time.Duration

	// Timeout cancels the context of a background refresh. It bounds the
	// refresh only if the wrapped function honours its context. Zero means
	// DefaultRefreshTimeout; it must not be negative.
	Timeout time.Duration

	// Early makes a fresh hit of a wrapped function start a background
	// refresh early, with a probability that rises as the entry nears its
	// expiry, so that a hot entry is replaced before it expires and its
	// callers never stampede at the deadline: probabilistic early
	// expiration (XFetch; Vattani, Chierichetti and Lowenstein, VLDB 2015).
	// A hit at time now refreshes when
	//
	//	now - delta * Early * ln(rand) >= expiry
	//
	// where rand is uniform in [0, 1) and delta is how long the last
	// successful computation of the path took in this process, so that slow
	// computations start earlier; a path this process has not computed has
	// no delta and is not refreshed early. 1 is the paper's choice; larger
	// values refresh earlier. The durations live in memory, for at most
	// 10,000 paths. A fresh hit read from the disk costs one more stat of
	// the file. Zero, the default, turns it off; it must be finite and not
	// negative.
	Early float64
}

// WithRefresh sets how a wrapped function refreshes entries and serves
// stale ones (see Refresh). The default is Refresh{}: no stale window, no
// early refresh, DefaultRefreshTimeout.
//
// After a background refresh of a path fails, stale hits on that path start
// no new refresh until a delay has passed: one second after the first
// failure, doubling with each consecutive failure, at most the refresh
// timeout. A successful refresh or write of the path resets it. The state
// lives in memory, for at most 10,000 paths.
func WithRefresh(r Refresh) Option {
	return optionFunc(func(c *config) {
		c.stale, c.staleIfError, c.earlyRefresh = r.StaleWhileRevalidate, r.StaleIfError, r.Early
		c.refreshTimeout = cmp.Or(r.Timeout, DefaultRefreshTimeout)
	})
}

// WithErrorCaching remembers the errors of a wrapped function for which
// match returns true, per path, for d: until then a call that finds no
// usable entry returns the remembered error without running the function,
// as a negative cache remembers "not found" answers. Errors of background
// refreshes are remembered too, but not the error of a run whose context was
// cancelled. Remembered errors live in memory only, never in a file, for at
// most 10,000 paths; Invalidate and a successful write of the path forget
// them. match is called with no lock held. Error caching is off by default;
// d must be positive and match not nil.
func WithErrorCaching(d time.Duration, match func(error) bool) Option {
	ec := &errorCaching{ttl: d, match: match}
	return optionFunc(func(c *config) { c.errorCaching = ec })
}

// WithPruneBudget bounds the entries of the cache on disk, as Prune
// enforces it, and nothing else does: after removing what has expired,
// Prune removes the oldest entries, by modification time, until the sizes
// of the rest add up to at most maxBytes and they number at most
// maxEntries. Sizes are those the files report; temporary and lock files do
// not count. Zero, the default for each, is no bound; neither may be
// negative. Call Prune from a ticker of your own for the budget to hold.
func WithPruneBudget(maxBytes int64, maxEntries int) Option {
	return optionFunc(func(c *config) { c.maxBytes, c.maxEntries = maxBytes, maxEntries })
}

// WithEvents sets a hook that the cache, and copies made from it, call for
// every operation that Stats counts, and for each eviction with the path
// evicted: to feed metrics or traces to Prometheus, OpenTelemetry or a log
// without this module depending on them. The default, nil, calls nothing.
//
// The hook is called synchronously, outside every lock of the cache, by the
// goroutine doing the work: the caller's for hits, misses, joins, Write and
// Invalidate, the run's for runs, refreshes and the reads and writes of a
// run. It may call the cache (Stats, Read, ...), except the wrapper of the
// key being computed from an event of that key's run (EventRun, or
// EventWrite inside it): such a call joins the run that waits for the hook,
// and both wait for ever. It must be quick, since the operation waits for
// it, and safe for concurrent use.
//
// A panic in the hook is not recovered for it: it reaches the caller of the
// operation. Inside a run it is the run's panic, which reaches the run's
// callers as a panic of the wrapped function does (and fails a background
// refresh); in EventRefresh and EventRefreshFailure, emitted once a
// background refresh has ended, it ends the program, as a panic in any
// goroutine does.
func WithEvents(hook func(Event)) Option {
	return optionFunc(func(c *config) { c.events = hook })
}

// WithStore keeps the cache's entries in s instead of local files: every
// read, write, invalidation, listing and prune goes to s (for a store of
// NewTiered, Entries, Prune and Clear act on its local copies), and with
// WithProcessLock (the default) a miss of a wrapped function runs under s's
// lock when s is a Locker, so that one process among those sharing s runs
// it. The cache's path and the paths of its entries become entry names:
// they must be relative and stay below the store's top, as fs.ValidPath
// says after filepath.ToSlash, and New refuses a path that does not. Keys
// and names are the same as on disk, so a file written by any member of the
// family keeps its name when uploaded.
//
// WithStore cannot be combined with WithRoot; Files.Sync, Files.Mode and
// Files.DirMode have no effect on a store. The in-memory LRU, WithFileCheck
// (which compares StoreEntry.Version, or the time and size when a store has
// no version), the freshness rules and the coalescing of runs inside the
// process work as with files, except that a write clears its entry from
// memory rather than fill it: Save does not report the StoreEntry it made.
// The default is nil: local files.
func WithStore(s Store) Option {
	return optionFunc(func(c *config) { c.store = s })
}

// errorCaching is the setting of WithErrorCaching; it is never changed.
type errorCaching struct {
	ttl   time.Duration
	match func(error) bool
}

// validateFreshness reports the first setting of WithRefresh and
// WithErrorCaching that no cache can work with. It runs after the checks of
// the duration and the stale window.
// keep is how long an entry can be of use to a read: past it a store may
// drop the entry by itself (see Store.Save); 0 when no bound fits in a
// Duration.
func (c *config) keep() time.Duration {
	k := c.duration + c.stale
	if k < c.duration || c.staleIfError > 0 && k+c.staleIfError < k {
		return 0
	}
	return k + c.staleIfError
}

// expiredBefore returns the time at or before which an entry read at now
// is expired, past its duration and stale window, or the zero time when
// the windows are too long to tell one.
func (c *config) expiredBefore(now time.Time) time.Time {
	age := c.duration
	if c.read {
		age += c.stale
	}
	const century = 100 * 365 * 24 * time.Hour
	if age < c.duration || age > century {
		return time.Time{}
	}
	return now.Add(-age)
}

func (c *config) validateFreshness() error {
	switch {
	case c.staleIfError < 0:
		return fmt.Errorf("stale-if-error duration must not be negative, got %v", c.staleIfError)
	case c.staleIfError > math.MaxInt64-c.duration-c.stale:
		return fmt.Errorf("duration %v plus stale duration %v plus stale-if-error duration %v overflows",
			c.duration, c.stale, c.staleIfError)
	case math.IsNaN(c.earlyRefresh) || math.IsInf(c.earlyRefresh, 0) || c.earlyRefresh < 0:
		return fmt.Errorf("early refresh beta must be finite and not negative, got %v", c.earlyRefresh)
	case c.errorCaching != nil && c.errorCaching.ttl <= 0:
		return fmt.Errorf("error caching duration must be positive, got %v", c.errorCaching.ttl)
	case c.errorCaching != nil && c.errorCaching.match == nil:
		return errors.New("error caching match function must not be nil")
	}
	return nil
}
