package cachetta

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cachetta-go/cachetta/internal/flight"
)

// shared is the state a cache has in common with its copies (Join, With): the
// memories, the coordination of operations on one path, the runs of wrapped
// functions, background refreshes among them, and the holds on lock files
// (see lock.go). Two families, made by two calls of New, share nothing: to
// each other they are as two processes.
type shared[T any] struct {
	mu       sync.Mutex            // guards paths, memories, roots and stores
	paths    map[string]*pathState // only paths some operation is using now
	memories []*lruCache[T]        // every memory of the family, one per size and file system, for writes to clear
	roots    map[string]fileSystem // the roots copies opened, by absolute path, each opened once
	stores   []*storeFS            // the stores copies named, each once

	runs  flight.Tracker
	stats counters     // see Stats; memory hits are counted in memory's shards
	reads fileReads[T] // the file reads in flight, for readers of one file to share

	// What the freshness and failure policies know of paths.
	backoff pathMap[backoffState]    // refresh backoff
	timings pathMap[time.Duration]   // last computation times, for early refresh
	errors  pathMap[rememberedError] // errors remembered by WithErrorCaching

	lockWarned atomic.Bool // that file locks are unavailable was logged
}

// fileSystem returns the family's file system confined to root, opening it
// the first time a copy names that root, or the plain one for "". Copies
// that name one root share its handle and their memory: a copy per request
// or tenant costs no descriptor and no memory of its own.
func (s *shared[T]) fileSystem(root string, perm fs.FileMode) (fileSystem, error) {
	if root == "" {
		return osFS{}, nil
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("cachetta: root %s: %w", root, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if fsys, ok := s.roots[abs]; ok {
		return fsys, nil
	}
	fsys, err := newFileSystem(abs, perm)
	if err != nil {
		return nil, err
	}
	if s.roots == nil {
		s.roots = make(map[string]fileSystem)
	}
	s.roots[abs] = fsys
	return fsys, nil
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

	// lock is the family's hold on the lock file at this path, guarded by
	// mu. Only the states of lock files use it.
	lock procLock
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

// memory returns the family's memory of the given size for copies on fsys,
// creating it when no copy has one yet, or nil for size 0. Copies confined
// to different roots never share a memory: one must not answer a path that
// the other's root refuses. Writes and invalidations through any copy clear
// every memory of the family.
func (s *shared[T]) memory(size int, fsys fileSystem) *lruCache[T] {
	if size == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.memories {
		if m.size == size && m.fsys == fsys {
			return m
		}
	}
	m := newLRUCache[T](size, fsys)
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
