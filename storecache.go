package cachetta

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"
)

// This file is the cache's side of the Store seam: what each operation does
// when WithStore replaced local files. Local files keep their own code,
// which has what only a file system offers: os.Root confinement, rename
// aside in Prune, lock files with generation stamps, and identity by inode.

// errStoreOnly is the cause of an error from a local file operation that a
// cache with a store tried. No code path should reach one; if one does, the
// error says so instead of touching the local disk.
var errStoreOnly = errors.New("cache keeps its entries in a store, not in local files")

// storeFS stands in the place of the file system of a cache with a store:
// it resolves names, and refuses every file operation. Memories are kept
// per storeFS, so that copies on different stores never share one.
type storeFS struct {
	s Store
}

func (*storeFS) resolve(name string) string {
	return path.Clean(filepath.ToSlash(name))
}

func (*storeFS) refuse(op, name string) error {
	return &fs.PathError{Op: op, Path: name, Err: errStoreOnly}
}

func (s *storeFS) open(name string) (*os.File, error) { return nil, s.refuse("open", name) }
func (s *storeFS) openFile(name string, _ int, _ fs.FileMode) (*os.File, error) {
	return nil, s.refuse("open", name)
}
func (s *storeFS) stat(name string) (fs.FileInfo, error)  { return nil, s.refuse("stat", name) }
func (s *storeFS) lstat(name string) (fs.FileInfo, error) { return nil, s.refuse("lstat", name) }
func (s *storeFS) rename(oldname, _ string) error         { return s.refuse("rename", oldname) }
func (s *storeFS) remove(name string) error               { return s.refuse("remove", name) }
func (s *storeFS) mkdirAll(name string, _ fs.FileMode) error {
	return s.refuse("mkdir", name)
}
func (s *storeFS) openDir(name string) (*os.Root, error) { return nil, s.refuse("open", name) }

// storeSystem returns the storeFS of st, the same for every copy that names
// the same store, so that they share their memory.
func (s *shared[T]) storeSystem(st Store) *storeFS {
	s.mu.Lock()
	defer s.mu.Unlock()
	// A store that == cannot compare, a struct holding a slice say, or a
	// comparable struct holding such a store in an interface, cannot be
	// found again: each copy naming it gets a memory of its own. Only the
	// value tells the second case, where == panics.
	if !reflect.ValueOf(st).Comparable() {
		return &storeFS{s: st}
	}
	for _, fsys := range s.stores {
		if fsys.s == st {
			return fsys
		}
	}
	fsys := &storeFS{s: st}
	s.stores = append(s.stores, fsys)
	return fsys
}

// confineToStore returns name, or an error wrapping ErrOutsideRoot when it
// is not an entry name: absolute, or leading above the store's top.
func confineToStore(name string) (string, error) {
	if name == "." || !fs.ValidPath(name) {
		return "", fmt.Errorf("cachetta: %w", &fs.PathError{Op: "resolve", Path: name, Err: ErrOutsideRoot})
	}
	return name, nil
}

// storeInfo is what a memory entry remembers of the store entry it was read
// from, for WithFileCheck: the same fields of a new Stat mean the same
// entry.
type storeInfo struct {
	modTime time.Time
	size    int64
	version string
}

func newStoreInfo(e StoreEntry) *storeInfo {
	return &storeInfo{modTime: e.ModTime, size: e.Size, version: e.Version}
}

// same reports whether e is the entry i was made of.
func (i *storeInfo) same(e StoreEntry) bool {
	return i.version == e.Version && i.modTime.Equal(e.ModTime) && i.size == e.Size
}

// storeUnchanged reports whether the entry at name is still the one e was
// read from, as WithFileCheck wants.
func (c *Cachetta[T]) storeUnchanged(ctx context.Context, name string, e *entry[T]) bool {
	if e.stored == nil {
		return false
	}
	se, err := c.cfg.store.Stat(ctx, name)
	return err == nil && e.stored.same(se)
}

// loadEntry is readFile for a cache with a store. It leaves its events in
// later (see emitLater).
func (c *Cachetta[T]) loadEntry(ctx context.Context, name string, now time.Time, later *[]Event) (T, freshness, error) {
	var zero T
	var ps *pathState
	var changes uint64
	if c.memory != nil {
		ps = c.shared.acquire(name)
		defer c.shared.release(name, ps)
		changes = ps.changes.Load()
	}
	data, se, err := c.cfg.store.Load(ctx, name, c.cfg.maxFileSize)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		c.debug(ctx, "cache miss: no entry", name)
		return zero, missing, nil
	case errors.Is(err, ErrTooLarge):
		c.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "cache miss: file too large",
			slog.String("path", name), slog.Int64("limit", c.cfg.maxFileSize))
		return zero, missing, nil
	case err != nil:
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return zero, missing, ctxErr
		}
		return zero, missing, fmt.Errorf("cachetta: read %s: %w", name, err)
	}
	fr := c.freshnessAt(se.ModTime, now)
	if fr == expired {
		c.debug(ctx, "cache miss: expired", name)
		return zero, missing, nil
	}
	c.shared.stats.bytesRead.Add(uint64(len(data)))
	var v T
	if err := c.cfg.codec.Unmarshal(data, &v); err != nil {
		c.corruptCounted(ctx, name, now, err, later)
		return zero, missing, nil
	}
	if ps != nil {
		e := newEntry(v, se.ModTime, now)
		e.stored = newStoreInfo(se)
		c.remember(ps, changes, name, e, later)
	}
	if fr == fresh {
		c.diskHitCounted(name, now, later)
	}
	return v, fr, nil
}

// keep is how long an entry can be of use to a read: past it a store may
// drop the entry by itself.
func (c *Cachetta[T]) keep() time.Duration {
	k := c.cfg.duration + c.cfg.stale
	if k < c.cfg.duration || c.cfg.staleIfError > 0 && k+c.cfg.staleIfError < k {
		return 0 // no bound fits in a Duration
	}
	return k + c.cfg.staleIfError
}

// saveEntry is writeOnce for a cache with a store: the guard is judged and
// the entry replaced under the path's state, so that an Invalidate in this
// family comes wholly before or after it.
func (c *Cachetta[T]) saveEntry(ctx context.Context, name string, data []byte, guard *writeGuard) error {
	ps := c.shared.acquire(name)
	defer c.shared.release(name, ps)
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if guard != nil {
		if invalidated, err := guard.invalidated(ps); err != nil || invalidated {
			return cmp.Or(err, errInvalidated)
		}
	}
	if err := c.cfg.store.Save(ctx, name, data, c.keep()); err != nil {
		return err
	}
	ps.changes.Add(1)
	c.shared.forget(name)
	return nil
}

// deleteEntry is Invalidate for a cache with a store. A run of the same
// name in this family that began before it does not write; one in another
// process may.
func (c *Cachetta[T]) deleteEntry(ctx context.Context, name string) error {
	ps := c.shared.acquire(name)
	defer c.shared.release(name, ps)
	ps.mu.Lock()
	err := c.cfg.store.Delete(ctx, name)
	ps.invalidations.Add(1)
	ps.changes.Add(1)
	c.shared.forget(name)
	c.shared.invalidated(name)
	ps.mu.Unlock()
	if err != nil {
		return fmt.Errorf("cachetta: invalidate %s: %w", name, err)
	}
	c.debug(ctx, "cache invalidated", name)
	c.invalidationCounted(name)
	return nil
}

// statEntry is Info for a cache with a store.
func (c *Cachetta[T]) statEntry(ctx context.Context, name string) (Info, error) {
	info := Info{Path: name}
	se, err := c.cfg.store.Stat(ctx, name)
	if errors.Is(err, fs.ErrNotExist) {
		return info, nil
	}
	if err != nil {
		return info, fmt.Errorf("cachetta: info %s: %w", name, err)
	}
	return c.describeStored(se, time.Now()), nil
}

// describeStored returns the Info of the store entry se at now.
func (c *Cachetta[T]) describeStored(se StoreEntry, now time.Time) Info {
	info := Info{Path: se.Name, Exists: true, ModTime: se.ModTime, Size: se.Size}
	info.Age = max(now.Sub(info.ModTime), 0)
	f := c.freshnessAt(info.ModTime, now)
	info.Expired = f != fresh
	info.Stale = f == stale
	return info
}

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

// listing returns the listing of the cache's store: a tier's copies, or
// the store itself.
func (c *Cachetta[T]) listing() listing {
	if t, ok := c.cfg.store.(tier); ok {
		return t.copies()
	}
	return c.cfg.store
}

// storeScope is the scope of Prune, Clear and Entries in a store, as on
// disk: for a path with an extension, the entries named as PathFor names
// them beside it; for a path without one, a directory cache, every entry
// below it when there is one, as on disk a directory is there, and
// otherwise the entries named beside it, as for a path with an extension.
type storeScope struct {
	prefix    string // what every name in scope starts with
	entryName string // the base name of entries; empty for a directory cache
}

func (c *Cachetta[T]) storeScope(ctx context.Context) (storeScope, error) {
	dir, base := path.Split(c.path)
	file := storeScope{prefix: dir, entryName: base}
	if path.Ext(c.path) != "" {
		return file, nil
	}
	below := c.path + "/"
	for _, err := range c.listing().List(ctx, below) {
		if err != nil {
			return storeScope{}, fmt.Errorf("list %q: %w", below, err)
		}
		return storeScope{prefix: below}, nil
	}
	return file, nil
}

// holds reports whether the entry name is in the scope.
func (s storeScope) holds(name string) bool {
	rest, ok := strings.CutPrefix(name, s.prefix)
	if !ok {
		return false
	}
	return s.entryName == "" || !strings.Contains(rest, "/") && isEntryName(rest, s.entryName)
}

// storedEntries yields the entries of the store in the cache's scope. Its
// errors name the listing, for the caller to prefix with its operation.
func (c *Cachetta[T]) storedEntries(ctx context.Context) iter.Seq2[StoreEntry, error] {
	return func(yield func(StoreEntry, error) bool) {
		scope, err := c.storeScope(ctx)
		if err != nil {
			yield(StoreEntry{}, err)
			return
		}
		for se, err := range c.listing().List(ctx, scope.prefix) {
			if err != nil {
				yield(StoreEntry{}, fmt.Errorf("list %q: %w", scope.prefix, err))
				return
			}
			if scope.holds(se.Name) && !yield(se, nil) {
				return
			}
		}
	}
}

// listStored is Entries for a cache with a store.
func (c *Cachetta[T]) listStored(ctx context.Context) iter.Seq2[Info, error] {
	return func(yield func(Info, error) bool) {
		now := time.Now()
		for se, err := range c.storedEntries(ctx) {
			if err != nil {
				if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
					err = ctxErr
				} else {
					err = fmt.Errorf("cachetta: entries: %w", err)
				}
				yield(Info{}, err)
				return
			}
			if !yield(c.describeStored(se, now), nil) {
				return
			}
		}
	}
}

// removeStoredEntry deletes the entry name if, looked at again, due still
// judges it removable, and reports whether it did. Like deleteEntry, it
// holds the name's state meanwhile and counts a change, so that a read of
// the entry in flight does not put the deleted value back in memory.
func (c *Cachetta[T]) removeStoredEntry(ctx context.Context, name string, due func(StoreEntry) bool) (bool, error) {
	ps := c.shared.acquire(name)
	defer c.shared.release(name, ps)
	ps.mu.Lock()
	defer ps.mu.Unlock()
	l := c.listing()
	now, err := l.Stat(ctx, name)
	if errors.Is(err, fs.ErrNotExist) || err == nil && !due(now) {
		return false, nil
	}
	if err == nil {
		err = l.Delete(ctx, name)
	}
	if err != nil {
		return false, err
	}
	ps.changes.Add(1)
	c.shared.forget(name)
	c.shared.invalidated(name)
	return true, nil
}

// removeStored deletes the entries in scope that due judges removable, and
// returns their names, sorted. Before each deletion it looks at the entry
// again, so that one another process rewrote since the listing is kept,
// except in the moment between that look and the deletion, which no Store
// method closes.
func (c *Cachetta[T]) removeStored(ctx context.Context, op string, due func(StoreEntry) bool) ([]string, error) {
	var removed []string
	var failed error
	for se, err := range c.storedEntries(ctx) {
		if err != nil {
			failed = err
			break
		}
		if !due(se) {
			continue
		}
		deleted, err := c.removeStoredEntry(ctx, se.Name, due)
		if !deleted && err == nil {
			continue
		}
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				failed = ctxErr
				break
			}
			c.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "cannot remove cache entry",
				slog.String("path", se.Name), slog.Any("err", err))
			continue
		}
		removed = append(removed, se.Name)
	}
	slices.Sort(removed)
	if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(failed, ctxErr) {
		return removed, ctxErr
	}
	if failed != nil {
		return removed, fmt.Errorf("cachetta: %s: %w", op, failed)
	}
	return removed, nil
}

// pruneStored is Prune for a cache with a store.
func (c *Cachetta[T]) pruneStored(ctx context.Context) ([]string, error) {
	now := time.Now()
	maxAge := c.cfg.duration + c.cfg.stale
	expired := func(se StoreEntry) bool { return now.Sub(se.ModTime) >= maxAge }
	if c.cfg.maxBytes == 0 && c.cfg.maxEntries == 0 {
		return c.removeStored(ctx, "prune", expired)
	}
	var kept []StoreEntry
	for se, err := range c.storedEntries(ctx) {
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return nil, ctxErr
			}
			return nil, fmt.Errorf("cachetta: prune: %w", err)
		}
		if !expired(se) {
			kept = append(kept, se)
		}
	}
	chosen := c.overBudget(kept)
	// An entry chosen for the budget and saved again since is no longer the
	// oldest: it stays.
	return c.removeStored(ctx, "prune", func(se StoreEntry) bool {
		old, ok := chosen[se.Name]
		return expired(se) || ok && old.ModTime.Equal(se.ModTime) && old.Size == se.Size && old.Version == se.Version
	})
}

// overBudget returns the oldest of entries, by modification time, whose
// removal brings the rest within WithPruneBudget.
func (c *Cachetta[T]) overBudget(entries []StoreEntry) map[string]StoreEntry {
	slices.SortFunc(entries, func(a, b StoreEntry) int {
		return cmp.Or(a.ModTime.Compare(b.ModTime), strings.Compare(a.Name, b.Name))
	})
	var bytes int64
	for _, se := range entries {
		bytes += se.Size
	}
	n := len(entries)
	chosen := make(map[string]StoreEntry)
	for _, se := range entries {
		if (c.cfg.maxBytes == 0 || bytes <= c.cfg.maxBytes) && (c.cfg.maxEntries == 0 || n <= c.cfg.maxEntries) {
			break
		}
		chosen[se.Name] = se
		bytes -= se.Size
		n--
	}
	return chosen
}

// clearStored is Clear for a cache with a store.
func (c *Cachetta[T]) clearStored(ctx context.Context) ([]string, error) {
	removed, err := c.removeStored(ctx, "clear", func(StoreEntry) bool { return true })
	for _, m := range c.shared.allMemories() {
		m.purge()
	}
	return removed, err
}

// storeLease is how long a run's lock in a Locker outlives a holder that
// died: the store renews it while the run goes on, so it bounds only how
// long others wait for a crashed process.
const storeLease = 10 * time.Second

// lockStored is lockRun for a cache with a store: it takes the entry's lock
// when the store is a Locker, waiting at most the lock timeout. As with
// files, a run goes on without the lock when the wait times out or the lock
// fails, and only a done ctx stops it.
func (c *Cachetta[T]) lockStored(ctx context.Context, name string) (*lockFile, error) {
	l, ok := c.cfg.store.(Locker)
	if !ok {
		return nil, nil
	}
	lctx, cancel := context.WithTimeout(ctx, c.cfg.lockTimeout)
	defer cancel()
	unlock, err := l.Lock(lctx, name, storeLease)
	switch {
	case err == nil:
		return &lockFile{key: name, unlockStored: unlock}, nil
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case lctx.Err() != nil:
		c.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "cache lock wait timed out, computing",
			slog.String("path", name), slog.Any("err", err))
		return nil, nil
	}
	c.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "cache lock failed, computing",
		slog.String("path", name), slog.Any("err", err))
	return nil, nil
}
