package cachetta

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cachetta-go/cachetta/internal/disk"
	"github.com/cachetta-go/cachetta/internal/flight"
	"github.com/cachetta-go/cachetta/internal/fsx"
	"github.com/cachetta-go/cachetta/internal/storage"
)

// shared is the state a cache has in common with its copies (Join, With): the
// memories, the coordination of operations on one path, the runs of wrapped
// functions, background refreshes among them, and the storages copies
// opened. Two families, made by two calls of New, share nothing: to each
// other they are as two processes.
type shared[T any] struct {
	mu       sync.Mutex            // guards paths, memories, disks, stores and runLocks
	paths    map[string]*pathState // only paths some operation is using now
	memories []*lruCache[T]        // every memory of the family, one per size and storage, for writes to clear
	disks    map[string]*disk.Disk // the local storages copies opened, by absolute root ("" for none), each once
	stores   []*storeHome          // the stores copies named, each once
	runLocks map[string]heldRun    // the run locks the family holds, by path (see handOver)

	runs  flight.Tracker
	stats counters     // see Stats; memory hits are counted in the parts of memory
	reads fileReads[T] // the reads in flight, for readers of one entry to share

	// What the freshness and failure policies know of paths.
	backoff pathMap[backoffState]    // refresh backoff
	timings pathMap[time.Duration]   // last computation times, for early refresh
	errors  pathMap[rememberedError] // errors remembered by WithErrorCaching
}

// openStorage returns the storage of a copy configured by cfg, and its
// identity: the family's Disk of cfg's root, or of the plain file system,
// or the store's. This is the one place that looks at which kind of
// storage a cache has; every operation goes through the backend it
// returns. Copies keep the Disk of their original's root, so that all of
// them see the same directory whatever happens to its name.
func (c *Cachetta[T]) openStorage(cfg config) (any, backend, error) {
	if cfg.store != nil {
		return c.shared.storeHome(cfg.store), storeBackend{s: cfg.store, keep: cfg.keep(), lockTimeout: cfg.lockTimeout, logger: cfg.logger}, nil
	}
	d, ok := c.home.(*disk.Disk)
	if !ok || cfg.root != c.cfg.root {
		var err error
		if d, err = c.shared.disk(cfg.root, cfg.dirMode); err != nil {
			return nil, nil, err
		}
	}
	return d, d.With(diskOptions(cfg)), nil
}

// diskOptions returns the settings of local files that cfg makes.
func diskOptions(cfg config) disk.Options {
	var fsync func(*os.File) error
	if cfg.sync {
		fsync = (*os.File).Sync
	}
	return disk.Options{FileMode: cfg.fileMode, DirMode: cfg.dirMode, ProcessLock: cfg.processLock,
		LockTimeout: cfg.lockTimeout, Logger: cfg.logger, Fsync: fsync}
}

// disk returns the family's Disk confined to root, opening root the first
// time a copy names it, or the plain one for "". Copies that name one root
// share its handle and their memory: a copy per request or tenant costs no
// descriptor and no memory of its own.
func (s *shared[T]) disk(root string, perm fs.FileMode) (*disk.Disk, error) {
	abs := ""
	if root != "" {
		var err error
		if abs, err = filepath.Abs(root); err != nil {
			return nil, fmt.Errorf("cachetta: root %s: %w", root, err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if d, ok := s.disks[abs]; ok {
		return d, nil
	}
	fsys, err := fsx.New(abs, perm)
	if err != nil {
		return nil, fmt.Errorf("cachetta: %w", err)
	}
	if s.disks == nil {
		s.disks = make(map[string]*disk.Disk)
	}
	d := disk.New(fsys)
	s.disks[abs] = d
	return d, nil
}

// storeHome is the identity of a store among a family's copies: copies on
// one store share their memory.
type storeHome struct {
	s Store
}

// storeHome returns the storeHome of st, the same for every copy that names
// the same store.
func (s *shared[T]) storeHome(st Store) *storeHome {
	s.mu.Lock()
	defer s.mu.Unlock()
	// A store that == cannot compare, a struct holding a slice say, or a
	// comparable struct holding such a store in an interface, cannot be
	// found again: each copy naming it gets a memory of its own. Only the
	// value tells the second case, where == panics.
	if !reflect.ValueOf(st).Comparable() {
		return &storeHome{s: st}
	}
	for _, h := range s.stores {
		if h.s == st {
			return h
		}
	}
	h := &storeHome{s: st}
	s.stores = append(s.stores, h)
	return h
}

func newShared[T any]() *shared[T] {
	return &shared[T]{paths: make(map[string]*pathState)}
}

// pathState orders the operations on one file so that memory never outlives
// the disk: a rename or removal of the file and the matching memory update
// happen together under mu.
type pathState struct {
	refs int // guarded by shared.mu

	mu sync.Mutex // held across a rename or removal of the file and the memory update after it
	// changes counts writes and invalidations: a disk read that began under an
	// older count must not fill memory with what it read, nor a write that
	// committed under an older count with what it wrote.
	changes atomic.Uint64
	// invalidations counts invalidations: a computation that began under an
	// older count must not write its result.
	invalidations atomic.Uint64
}

// acquire returns the state of path, creating it when no operation uses the
// path now. Every acquire is paired with a release.
func (s *shared[T]) acquire(path string) *pathState {
	s.mu.Lock()
	defer s.mu.Unlock()
	ps := s.paths[path]
	if ps == nil {
		ps = new(pathState)
		s.paths[path] = ps
	}
	ps.refs++
	return ps
}

func (s *shared[T]) release(path string, ps *pathState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ps.refs--
	if ps.refs == 0 {
		delete(s.paths, path)
	}
}

// memory returns the family's memory of the given size for copies on the
// storage home, creating it when no copy has one yet, or nil for size 0.
// Copies confined to different roots never share a memory: one must not
// answer a path that the other's root refuses. Writes and invalidations
// through any copy clear every memory of the family.
func (s *shared[T]) memory(size int, home any) *lruCache[T] {
	if size == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.memories {
		if m.size == size && m.home == home {
			return m
		}
	}
	m := newLRUCache[T](size, home)
	s.memories = append(s.memories, m)
	return m
}

// forget removes path from every memory of the family.
func (s *shared[T]) forget(path string) {
	for _, m := range s.allMemories() {
		m.remove(path)
	}
}

// allMemories returns every memory of the family.
func (s *shared[T]) allMemories() []*lruCache[T] {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.memories
}

// heldRun is a run lock the family holds, and the invalidations of its
// entry that came before its run began.
type heldRun struct {
	lock  storage.RunLock
	owner uint64
}

// holdRun records that the family holds l for a run of path that began
// after owner invalidations, until the returned func is called.
func (s *shared[T]) holdRun(path string, l storage.RunLock, owner uint64) (end func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.runLocks == nil {
		s.runLocks = make(map[string]heldRun)
	}
	s.runLocks[path] = heldRun{l, owner}
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if h, ok := s.runLocks[path]; ok && h.lock == l {
			delete(s.runLocks, path)
		}
	}
}

// handOver frees the run lock of the entry at path when the family holds it
// for a run that began before the Invalidate that made the entry's count of
// invalidations invalidations. That run will not write, so a run that
// began after the Invalidate need not wait for it.
func (s *shared[T]) handOver(path string, invalidations uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h, ok := s.runLocks[path]; ok && h.owner < invalidations {
		h.lock.Release()
		delete(s.runLocks, path)
	}
}

// maxPaths bounds each memory that the freshness and failure policies keep
// per path: refresh backoff, computation times for early refresh, and
// remembered errors. A policy that forgets a path loses little: one more
// refresh attempt, no early refresh until the next computation, or one more
// run of the function.
const maxPaths = 10_000

// pathMap maps file paths to values of V for the policies of a cache family.
// It is safe for concurrent use and holds at most maxPaths paths: to make
// room for a new one it forgets an arbitrary other, which map iteration
// picks at random. The zero value is empty and ready to use.
type pathMap[V any] struct {
	mu sync.Mutex // guards m
	m  map[string]V
}

func (p *pathMap[V]) get(path string) (V, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	v, ok := p.m[path]
	return v, ok
}

func (p *pathMap[V]) set(path string, v V) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.setLocked(path, v)
}

func (p *pathMap[V]) setLocked(path string, v V) {
	if p.m == nil {
		p.m = make(map[string]V)
	}
	if _, ok := p.m[path]; !ok && len(p.m) >= maxPaths {
		for other := range p.m {
			delete(p.m, other)
			break
		}
	}
	p.m[path] = v
}

func (p *pathMap[V]) delete(path string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.m, path)
}

// update replaces the value of path by what f makes of it, or forgets path
// when f says not to keep it, in one step. f runs with the lock held, so it
// must be this package's code, never the user's.
func (p *pathMap[V]) update(path string, f func(v V, ok bool) (V, bool)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	old, ok := p.m[path]
	v, keep := f(old, ok)
	switch {
	case keep:
		p.setLocked(path, v)
	case ok:
		delete(p.m, path)
	}
}

func (p *pathMap[V]) len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.m)
}

// written makes the family forget what its policies knew of the failures of
// path, after a successful write of it: a remembered error, and the refresh
// backoff unless a refresh of the path is still running.
func (s *shared[T]) written(path string) {
	s.errors.delete(path)
	s.backoff.update(path, keepRunning)
}

// invalidated makes the family forget everything its policies knew of path,
// after an Invalidate: its remembered error, its computation time and its
// refresh backoff, unless a refresh of the path is still running.
func (s *shared[T]) invalidated(path string) {
	s.errors.delete(path)
	s.timings.delete(path)
	s.backoff.update(path, keepRunning)
}
