package cachetta_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"sync"
	"time"

	"github.com/cachetta-go/cachetta"
)

// tempStore returns a FileStore in a new temporary directory and a func
// that closes it and removes the directory.
func tempStore() (*cachetta.FileStore, func()) {
	dir, cleanup := tempDir()
	s, err := cachetta.NewFileStore(dir)
	if err != nil {
		cleanup()
		log.Fatal(err)
	}
	return s, func() { s.Close(); cleanup() }
}

// A Store is five methods on entry names; a cache calls them, and so can a
// program that moves entries between stores.
func ExampleStore() {
	fs, cleanup := tempStore()
	defer cleanup()
	var s cachetta.Store = fs

	ctx := context.Background()
	if err := s.Save(ctx, "cache/greeting.json", []byte(`"hello"`), time.Hour); err != nil {
		panic(err)
	}
	data, _, err := s.Load(ctx, "cache/greeting.json", cachetta.DefaultReadLimit)
	fmt.Println(string(data), err)
	for e, err := range s.List(ctx, "cache/") {
		if err != nil {
			panic(err)
		}
		fmt.Println(e.Name, e.Size)
	}
	// Output:
	// "hello" <nil>
	// cache/greeting.json 7
}

// Stat tells an entry's age without reading it; a missing entry is
// fs.ErrNotExist.
func ExampleStoreEntry() {
	s, cleanup := tempStore()
	defer cleanup()

	ctx := context.Background()
	if err := s.Save(ctx, "n.json", []byte("42"), 0); err != nil {
		panic(err)
	}
	e, err := s.Stat(ctx, "n.json")
	if err != nil {
		panic(err)
	}
	fmt.Println(e.Name, e.Size, time.Since(e.ModTime) < time.Minute)
	_, err = s.Stat(ctx, "gone.json")
	fmt.Println(os.IsNotExist(err))
	// Output:
	// n.json 2 true
	// true
}

// NewFileStore keeps entries below a directory, as a cache without a store
// does, but through the Store seam: the reference for new back ends.
func ExampleNewFileStore() {
	dir, cleanup := tempDir()
	defer cleanup()
	s, err := cachetta.NewFileStore(dir)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	fmt.Println(s.Dir() == dir)
	_, canLock := cachetta.Store(s).(cachetta.Locker)
	fmt.Println("locks across processes:", canLock)
	// Output:
	// true
	// locks across processes: false
}

// onlyHere is a Locker whose locks hold within one process, the least a
// Locker can be; redisstore's hold across machines.
type onlyHere struct {
	cachetta.Store
	mu    sync.Mutex
	names map[string]chan struct{}
}

func (l *onlyHere) Lock(ctx context.Context, name string, lease time.Duration) (func(), error) {
	for {
		l.mu.Lock()
		held, busy := l.names[name]
		if !busy {
			mine := make(chan struct{})
			l.names[name] = mine
			l.mu.Unlock()
			var once sync.Once
			return func() {
				once.Do(func() {
					l.mu.Lock()
					delete(l.names, name)
					l.mu.Unlock()
					close(mine)
				})
			}, nil
		}
		l.mu.Unlock()
		select {
		case <-held:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// A Store that is also a Locker lets caches share one run of a wrapped
// function per entry: the cache takes the entry's lock before it runs.
func ExampleLocker() {
	fs, cleanup := tempStore()
	defer cleanup()
	store := &onlyHere{Store: fs, names: map[string]chan struct{}{}}

	ctx := context.Background()
	unlock, err := store.Lock(ctx, "report.json", 10*time.Second)
	if err != nil {
		panic(err)
	}
	busy, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	_, err = store.Lock(busy, "report.json", 10*time.Second)
	fmt.Println("second lock:", err)
	unlock()

	reports := cachetta.Must(cachetta.New[string]("report.json", cachetta.WithStore(store)))
	report := cachetta.Wrap(reports, func(context.Context) (string, error) { return "all well", nil })
	fmt.Println(report(ctx))
	// Output:
	// second lock: context deadline exceeded
	// all well <nil>
}
