package cachetta

import (
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// entry is a decoded value with the modification time of the file it came
// from or went to, so memory judges freshness exactly as the disk does.
type entry[T any] struct {
	value   T
	modTime time.Time
}

// lruCache is the in-memory layer in front of the files, keyed by resolved
// file path.
type lruCache[T any] struct {
	size    int
	fsys    fileSystem // the file system of the copies that read into it
	entries *lru.Cache[string, entry[T]]
}

func newLRUCache[T any](size int, fsys fileSystem) *lruCache[T] {
	// lru.New fails only for a size <= 0, which config.validate and
	// shared.newMemory rule out.
	entries, err := lru.New[string, entry[T]](size)
	if err != nil {
		panic("cachetta: " + err.Error())
	}
	return &lruCache[T]{size: size, fsys: fsys, entries: entries}
}

func (m *lruCache[T]) get(path string) (entry[T], bool) {
	return m.entries.Get(path)
}

func (m *lruCache[T]) add(path string, e entry[T]) {
	m.entries.Add(path, e)
}

func (m *lruCache[T]) remove(path string) {
	m.entries.Remove(path)
}
