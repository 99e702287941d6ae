package cachetta

import (
	"context"
	"errors"
	"iter"
	"time"
)

// ErrTooLarge reports an entry larger than the limit a Store was asked to
// read. A cache treats it as a miss, as it does a local file larger than
// Files.ReadLimit allows.
var ErrTooLarge = errors.New("cachetta: entry too large")

// A Store keeps a cache's entries somewhere other than the local file
// system: Redis, an object store, anything with atomic replacement (see
// WithStore). Names are entry names: slash-separated, relative and clean,
// as fs.ValidPath accepts them, the same names a cache without a store uses
// for its files below the current directory, so that an entry keeps its
// name when its file is uploaded. A Store is safe for use by any number of
// goroutines.
//
// A missing entry is an error wrapping fs.ErrNotExist from Load and Stat,
// and nil from Delete. Every other error is the store's own, wrapped with
// the entry's name.
//
// A Store that is not a Locker leaves a window open between processes:
// runs of a wrapped function are coalesced only within one process, so two
// processes that miss one entry at once may both run the function, and the
// later Save wins, whichever run began first. So may a run that gave up
// waiting for a Locker's lock (WithLockTimeout) and one that holds it.
type Store interface {
	// Load returns the bytes of the entry name and its StoreEntry. An entry
	// larger than maxSize bytes is an error wrapping ErrTooLarge, found
	// without reading all of it.
	Load(ctx context.Context, name string, maxSize int64) ([]byte, StoreEntry, error)

	// Stat returns the StoreEntry of name without its bytes.
	Stat(ctx context.Context, name string) (StoreEntry, error)

	// Save replaces the entry name by data, atomically: a Load running at
	// the same time, here or in another process, returns the old bytes or
	// the new ones, never a mix. The entry's modification time becomes the
	// time of the Save. keep, when positive, is how long the entry can be
	// of any use (the cache's duration and its stale windows): a store may
	// drop the entry after that on its own.
	Save(ctx context.Context, name string, data []byte, keep time.Duration) error

	// Delete removes the entry name. A missing entry is not an error.
	Delete(ctx context.Context, name string) error

	// List yields every entry whose name starts with prefix, in no
	// particular order, including those in "subdirectories" of prefix. It
	// yields only entries, never a store's own bookkeeping. An error ends
	// the sequence.
	List(ctx context.Context, prefix string) iter.Seq2[StoreEntry, error]
}

// A StoreEntry describes one entry of a Store.
type StoreEntry struct {
	Name    string    // the entry's name, as given to Save
	Size    int64     // the length of its bytes
	ModTime time.Time // when it was last saved; its age decides its freshness
	// Version changes whenever the entry is replaced (an ETag, a random
	// token written with it); empty when the store cannot tell.
	Version string
}

// A Locker is a Store that can hold an exclusive lock per entry name across
// processes, so that of the processes sharing the store one runs a wrapped
// function that misses and the others wait and read its result. Without a
// Locker, runs are coalesced only inside one process.
//
// A lease can be lost while its holder runs (a pause longer than the
// lease, a store that forgot it). A Locker may then refuse the holder's
// Save of the entry with an error, so that a run that lost its lock does
// not put its older result over a newer one; the cache logs the failed
// write as a warning and still returns the run's result to its callers.
type Locker interface {
	Store

	// Lock waits until it holds the lock of name, or ctx is done. The lock
	// is a lease: the store keeps it alive while it is held, and a holder
	// that dies loses it when lease runs out, so no crash leaves an entry
	// locked for longer than lease. The returned func releases the lock,
	// only if this holder still owns it; it is safe to call more than once.
	Lock(ctx context.Context, name string, lease time.Duration) (unlock func(), err error)
}
