package cachetta

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"log/slog"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/cachetta-go/cachetta/internal/storage"
)

// ErrTooLarge reports an entry larger than the limit a Store was asked to
// read. A cache treats it as a miss, as it does a local file larger than
// Files.ReadLimit allows.
var ErrTooLarge = storage.ErrTooLarge

// backend is the seam between the cache's policy and its bytes: every
// operation of a cache reaches storage through it and never asks which
// backend it has. internal/disk implements it over local files; storeBackend
// below adapts any Store to it. Names are the resolved paths of entries.
// The vocabulary (Meta, Commit, RunLock, Found) is internal/storage's.
type backend interface {
	// Resolve returns the entry that the configured path name stands for.
	Resolve(name string) string
	// Confine returns an error wrapping ErrOutsideRoot, for op, when path
	// is not one of the backend's entries.
	Confine(op, path string) error
	// Load decodes the entry at path into v and describes it; see
	// disk.Backend.Load for the errors that tell a miss from a failure.
	Load(ctx context.Context, path string, dec storage.Decoding, v any, opened func(storage.Meta)) (storage.Meta, error)
	// Stat describes the entry at path; a missing one wraps fs.ErrNotExist.
	Stat(ctx context.Context, path string) (storage.Meta, error)
	// Save replaces the entry at path by data atomically, under commit;
	// with stat, the Meta returned identifies what it wrote.
	Save(ctx context.Context, path string, data []byte, commit storage.Commit, stat bool) (storage.Meta, error)
	// Remove removes the entry at path under commit, telling runs in every
	// process that it was invalidated; a missing entry is not an error.
	Remove(ctx context.Context, path string, commit storage.Commit) error
	// LockRun takes the run lock of the entry at path across processes,
	// waiting at most the lock timeout; nil when the run must go on
	// without one. TryLockRun does not wait: it fails with an error
	// wrapping storage.ErrBusy when another process holds the lock.
	LockRun(ctx context.Context, path string) (storage.RunLock, error)
	TryLockRun(ctx context.Context, path string) (storage.RunLock, error)
	// Walk visits the entries in scope, and with Prune or Clear removes
	// the leftovers of writers there, telling removed of each.
	Walk(ctx context.Context, scope storage.Scope, mode storage.WalkMode, visit func(storage.Found) error, removed func(path string)) error
}

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

// storeBackend adapts a Store to the seam. What a Store cannot do is
// absent, not emulated: no generation counters (a run is kept off the
// store by an Invalidate of its own family only), no leftovers to tidy,
// and a lock only when the store is a Locker.
type storeBackend struct {
	s           Store
	keep        time.Duration // see Store.Save
	lockTimeout time.Duration
	logger      *slog.Logger
}

// storeLease is how long a run's lock in a Locker outlives a holder that
// died: the store renews it while the run goes on, so it bounds only how
// long others wait for a crashed process.
const storeLease = 10 * time.Second

// Resolve returns the entry name of name: slash-separated and clean.
func (storeBackend) Resolve(name string) string {
	return path.Clean(filepath.ToSlash(name))
}

// Confine refuses a name that is not an entry name: absolute, or leading
// above the store's top.
func (storeBackend) Confine(op, name string) error {
	if name == "." || !fs.ValidPath(name) {
		return &fs.PathError{Op: op, Path: name, Err: ErrOutsideRoot}
	}
	return nil
}

// metaOf returns the Meta of the store entry se; its Version is its
// identity.
func metaOf(se StoreEntry) storage.Meta {
	return storage.Meta{Name: se.Name, Size: se.Size, ModTime: se.ModTime, ID: se.Version}
}

func (b storeBackend) Load(ctx context.Context, name string, dec storage.Decoding, v any, opened func(storage.Meta)) (storage.Meta, error) {
	data, se, err := b.s.Load(ctx, name, dec.Limit)
	if err != nil {
		return storage.Meta{Name: name}, err
	}
	m := metaOf(se)
	m.Name = name
	if opened != nil {
		opened(m)
	}
	if !dec.Expired.IsZero() && !m.ModTime.After(dec.Expired) {
		return m, storage.ErrDeclined
	}
	if err := dec.Codec.Unmarshal(data, v); err != nil {
		return m, storage.Corrupt(err)
	}
	return m, nil
}

func (b storeBackend) Stat(ctx context.Context, name string) (storage.Meta, error) {
	se, err := b.s.Stat(ctx, name)
	if err != nil {
		return storage.Meta{Name: name}, err
	}
	m := metaOf(se)
	m.Name = name
	return m, nil
}

// Save saves data under commit. A Save tells neither the version nor the
// time of the entry it saved, so the Meta it returns has no identity and
// memory is filled by the next read.
func (b storeBackend) Save(ctx context.Context, name string, data []byte, commit storage.Commit, _ bool) (storage.Meta, error) {
	done, err := commit()
	if err != nil {
		return storage.Meta{}, err
	}
	err = b.s.Save(ctx, name, data, b.keep)
	done(err == nil)
	return storage.Meta{Name: name}, err
}

func (b storeBackend) Remove(ctx context.Context, name string, commit storage.Commit) error {
	done, err := commit()
	if err != nil {
		return err
	}
	err = b.s.Delete(ctx, name)
	done(err == nil)
	return err
}

// LockRun takes the entry's lock when the store is a Locker, waiting at
// most the lock timeout. As with files, a run goes on without the lock
// when the wait times out or the lock fails, and only a done ctx stops it.
func (b storeBackend) LockRun(ctx context.Context, name string) (storage.RunLock, error) {
	l, ok := b.s.(Locker)
	if !ok {
		return nil, nil
	}
	lctx, cancel := context.WithTimeout(ctx, b.lockTimeout)
	defer cancel()
	unlock, err := l.Lock(lctx, name, storeLease)
	switch {
	case err == nil:
		return &storeLock{unlock}, nil
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case lctx.Err() != nil:
		b.logger.LogAttrs(ctx, slog.LevelWarn, "cache lock wait timed out, computing",
			slog.String("path", name), slog.Any("err", err))
		return nil, nil
	}
	b.logger.LogAttrs(ctx, slog.LevelWarn, "cache lock failed, computing",
		slog.String("path", name), slog.Any("err", err))
	return nil, nil
}

// TryLockRun is LockRun: a Locker has no way to try once.
func (b storeBackend) TryLockRun(ctx context.Context, name string) (storage.RunLock, error) {
	return b.LockRun(ctx, name)
}

// storeLock is the release of a Locker's lock as a storage.RunLock. A
// Locker's lock carries no generation: only the family's own counts tell
// a run that an Invalidate came.
type storeLock struct{ unlock func() }

func (l *storeLock) Unlock()                  { l.unlock() }
func (l *storeLock) Release()                 { l.unlock() }
func (*storeLock) Invalidated() (bool, error) { return false, nil }

// A listing is what Entries, Prune and Clear use of a store: its entries
// and the removal of one. Every Store is one.
type listing interface {
	Stat(ctx context.Context, name string) (StoreEntry, error)
	Delete(ctx context.Context, name string) error
	List(ctx context.Context, prefix string) iter.Seq2[StoreEntry, error]
}

// A tier is a Store that keeps copies of another store's entries (see
// NewTiered). Its copies are what Entries, Prune and Clear act on, so that
// they bound and empty the local disk and never remove a shared entry,
// while reads, writes and Invalidate go through the tier itself.
type tier interface {
	copies() listing
}

// listing returns the listing of the store: a tier's copies, or the store
// itself.
func (b storeBackend) listing() listing {
	if t, ok := b.s.(tier); ok {
		return t.copies()
	}
	return b.s
}

// Walk visits the entries in scope, as on disk: for a path with an
// extension, the entries named as PathFor names them beside it; for a path
// without one, a directory cache, every entry below it when there is one,
// as on disk a directory is there, and otherwise the entries named beside
// it. A store has no leftovers: Prune and Clear remove only entries.
func (b storeBackend) Walk(ctx context.Context, scope storage.Scope, _ storage.WalkMode, visit func(storage.Found) error, _ func(string)) error {
	dir, base := path.Split(scope.Path)
	prefix, entryName := dir, base
	l := b.listing()
	if path.Ext(scope.Path) == "" {
		below := scope.Path + "/"
		for _, err := range l.List(ctx, below) {
			if err != nil {
				return fmt.Errorf("list %q: %w", below, err)
			}
			prefix, entryName = below, ""
			break
		}
	}
	for se, err := range l.List(ctx, prefix) {
		if err != nil {
			return fmt.Errorf("list %q: %w", prefix, err)
		}
		rest, ok := strings.CutPrefix(se.Name, prefix)
		if !ok || entryName != "" && (strings.Contains(rest, "/") || !storage.IsEntryName(rest, entryName)) {
			continue
		}
		if err := visit(&storeFound{ctx: ctx, l: l, meta: metaOf(se)}); err != nil {
			return err
		}
	}
	return nil
}

// storeFound is an entry of a store's walk.
type storeFound struct {
	ctx  context.Context
	l    listing
	meta storage.Meta
}

func (f *storeFound) Meta() storage.Meta { return f.meta }

// RemoveIf deletes the entry if, looked at again, due still judges it
// removable. An entry another process rewrote since the walk is kept,
// except in the moment between that look and the deletion, which no Store
// method closes.
func (f *storeFound) RemoveIf(due func(storage.Meta) bool, commit storage.Commit) (bool, error) {
	se, err := f.l.Stat(f.ctx, f.meta.Name)
	if errors.Is(err, fs.ErrNotExist) || err == nil && !due(metaOf(se)) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	done, err := commit()
	if err != nil {
		return false, err
	}
	err = f.l.Delete(f.ctx, f.meta.Name)
	done(err == nil)
	return err == nil, err
}
