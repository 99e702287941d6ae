package storetest_test

import (
	"context"
	"fmt"
	"io/fs"
	"iter"
	"strings"
	"sync"
	"time"

	"github.com/cachetta-go/cachetta"
)

// memory is the smallest correct cachetta.Locker: the suite must pass it,
// and each of its breaks (see broken_test.go) must make the suite fail.
type memory struct {
	brk string // a break of broken_test.go, or ""

	mu      sync.Mutex // guards entries, locks, next
	entries map[string]memEntry
	locks   map[string]*memLock
	next    int
}

type memEntry struct {
	data    []byte
	modTime time.Time
	version string
}

type memLock struct {
	token int
	freed chan struct{} // closed when the lock is released
}

func newMemory(brk string) *memory {
	return &memory{brk: brk, entries: map[string]memEntry{}, locks: map[string]*memLock{}}
}

func (m *memory) entry(name string, e memEntry) cachetta.StoreEntry {
	return cachetta.StoreEntry{Name: name, Size: int64(len(e.data)), ModTime: e.modTime, Version: e.version}
}

func (m *memory) Load(ctx context.Context, name string, maxSize int64) ([]byte, cachetta.StoreEntry, error) {
	if err := ctx.Err(); err != nil && m.brk != "ignore ctx" {
		return nil, cachetta.StoreEntry{}, fmt.Errorf("memory: load %s: %w", name, err)
	}
	m.mu.Lock()
	e, ok := m.entries[name]
	m.mu.Unlock()
	if !ok {
		return nil, cachetta.StoreEntry{}, fmt.Errorf("memory: load %s: %w", name, fs.ErrNotExist)
	}
	if int64(len(e.data)) > maxSize && m.brk != "no limit" {
		return nil, cachetta.StoreEntry{}, fmt.Errorf("memory: load %s: %w", name, cachetta.ErrTooLarge)
	}
	data := e.data
	if m.brk == "torn" && len(data) > 1 {
		data = data[:len(data)-1]
	}
	return append([]byte{}, data...), m.entry(name, e), nil
}

func (m *memory) Stat(ctx context.Context, name string) (cachetta.StoreEntry, error) {
	if err := ctx.Err(); err != nil && m.brk != "ignore ctx" {
		return cachetta.StoreEntry{}, fmt.Errorf("memory: stat %s: %w", name, err)
	}
	m.mu.Lock()
	e, ok := m.entries[name]
	m.mu.Unlock()
	if !ok {
		return cachetta.StoreEntry{}, fmt.Errorf("memory: stat %s: %w", name, fs.ErrNotExist)
	}
	return m.entry(name, e), nil
}

func (m *memory) Save(ctx context.Context, name string, data []byte, keep time.Duration) error {
	if err := ctx.Err(); err != nil && m.brk != "ignore ctx" {
		return fmt.Errorf("memory: save %s: %w", name, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.brk != "same version" {
		m.next++
	}
	if m.brk != "shared buffer" {
		data = append([]byte{}, data...)
	}
	m.entries[name] = memEntry{data: data, modTime: time.Now(), version: fmt.Sprint(m.next)}
	return nil
}

func (m *memory) setModTime(name string, t time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[name]
	if !ok {
		return fs.ErrNotExist
	}
	if m.brk != "ignore modtime" {
		e.modTime = t
	}
	m.entries[name] = e
	return nil
}

func (m *memory) Delete(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil && m.brk != "ignore ctx" {
		return fmt.Errorf("memory: delete %s: %w", name, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.entries[name]; !ok && m.brk == "delete missing" {
		return fmt.Errorf("memory: delete %s: %w", name, fs.ErrNotExist)
	}
	delete(m.entries, name)
	return nil
}

func (m *memory) List(ctx context.Context, prefix string) iter.Seq2[cachetta.StoreEntry, error] {
	return func(yield func(cachetta.StoreEntry, error) bool) {
		if err := ctx.Err(); err != nil {
			yield(cachetta.StoreEntry{}, fmt.Errorf("memory: list %s: %w", prefix, err))
			return
		}
		m.mu.Lock()
		var found []cachetta.StoreEntry
		for name, e := range m.entries {
			match := strings.HasPrefix(name, prefix)
			if m.brk == "glob" {
				// A prefix matched as a pattern, the way SCAN MATCH does
				// when the prefix is not escaped.
				match = globPrefix(prefix, name)
			}
			if match {
				found = append(found, m.entry(name, e))
			}
		}
		m.mu.Unlock()
		for _, e := range found {
			if !yield(e, nil) && m.brk != "yield after stop" {
				return
			}
		}
	}
}

// globPrefix reports whether name starts with something pattern matches,
// treating only * as special: enough to show a store that forgets to
// escape its prefix.
func globPrefix(pattern, name string) bool {
	if i := strings.IndexByte(pattern, '*'); i >= 0 {
		return strings.HasPrefix(name, pattern[:i])
	}
	return strings.HasPrefix(name, pattern)
}

func (m *memory) Lock(ctx context.Context, name string, lease time.Duration) (func(), error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("memory: lock %s: %w", name, err)
		}
		m.mu.Lock()
		l, held := m.locks[name]
		if !held || m.brk == "no exclusion" {
			m.next++
			mine := &memLock{token: m.next, freed: make(chan struct{})}
			m.locks[name] = mine
			m.mu.Unlock()
			return func() { m.unlock(name, mine) }, nil
		}
		m.mu.Unlock()
		select {
		case <-l.freed:
		case <-ctx.Done():
		}
	}
}

func (m *memory) unlock(name string, mine *memLock) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, held := m.locks[name]
	if !held || (l != mine && m.brk != "unlock any") {
		return
	}
	delete(m.locks, name)
	close(l.freed)
}

// expire drops the lock of name as a lease running out does.
func (m *memory) expire(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, held := m.locks[name]
	if !held {
		return fmt.Errorf("memory: expire %s: not held", name)
	}
	delete(m.locks, name)
	close(l.freed)
	return nil
}
