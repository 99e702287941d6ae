package cachetta_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
)

// mapStore is a Store and Locker in a map, to see what a cache asks of a
// store that is not local files. Its locks have no lease: tests release
// them.
type mapStore struct {
	mu      sync.Mutex
	entries map[string]cachetta.StoreEntry
	data    map[string][]byte
	saves   int
	failing error // when set, every method returns it
	locks   map[string]chan struct{}
	waiting chan string // when set, receives the name of each Lock that must wait
}

func newMapStore() *mapStore {
	return &mapStore{entries: map[string]cachetta.StoreEntry{}, data: map[string][]byte{},
		locks: map[string]chan struct{}{}}
}

func (s *mapStore) Load(ctx context.Context, name string, maxSize int64) ([]byte, cachetta.StoreEntry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failing != nil {
		return nil, cachetta.StoreEntry{}, s.failing
	}
	e, ok := s.entries[name]
	if !ok {
		return nil, e, fmt.Errorf("load %s: %w", name, fs.ErrNotExist)
	}
	if e.Size > maxSize {
		return nil, e, fmt.Errorf("load %s: %w", name, cachetta.ErrTooLarge)
	}
	return slices.Clone(s.data[name]), e, nil
}

func (s *mapStore) Stat(ctx context.Context, name string) (cachetta.StoreEntry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failing != nil {
		return cachetta.StoreEntry{}, s.failing
	}
	e, ok := s.entries[name]
	if !ok {
		return e, fmt.Errorf("stat %s: %w", name, fs.ErrNotExist)
	}
	return e, nil
}

func (s *mapStore) Save(ctx context.Context, name string, data []byte, keep time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failing != nil {
		return s.failing
	}
	s.saves++
	s.data[name] = slices.Clone(data)
	s.entries[name] = cachetta.StoreEntry{Name: name, Size: int64(len(data)), ModTime: time.Now(),
		Version: fmt.Sprint(s.saves)}
	return nil
}

func (s *mapStore) Delete(ctx context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failing != nil {
		return s.failing
	}
	delete(s.entries, name)
	delete(s.data, name)
	return nil
}

func (s *mapStore) List(ctx context.Context, prefix string) iter.Seq2[cachetta.StoreEntry, error] {
	s.mu.Lock()
	defer s.mu.Unlock()
	var list []cachetta.StoreEntry
	for _, name := range slices.Sorted(maps.Keys(s.entries)) {
		if strings.HasPrefix(name, prefix) {
			list = append(list, s.entries[name])
		}
	}
	failing := s.failing
	return func(yield func(cachetta.StoreEntry, error) bool) {
		if failing != nil {
			yield(cachetta.StoreEntry{}, failing)
			return
		}
		for _, e := range list {
			if !yield(e, nil) {
				return
			}
		}
	}
}

func (s *mapStore) Lock(ctx context.Context, name string, lease time.Duration) (func(), error) {
	for {
		s.mu.Lock()
		held, busy := s.locks[name]
		if !busy {
			freed := make(chan struct{})
			s.locks[name] = freed
			s.mu.Unlock()
			var once sync.Once
			return func() {
				once.Do(func() {
					s.mu.Lock()
					delete(s.locks, name)
					s.mu.Unlock()
					close(freed)
				})
			}, nil
		}
		waiting := s.waiting
		s.mu.Unlock()
		if waiting != nil {
			waiting <- name
		}
		select {
		case <-held:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// backdate makes the entry name age old.
func (s *mapStore) backdate(name string, age time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.entries[name]
	e.ModTime = time.Now().Add(-age)
	s.entries[name] = e
}

func (s *mapStore) names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.entries))
}

func storeCache[T any](t *testing.T, s cachetta.Store, path string, opts ...cachetta.Option) *cachetta.Cachetta[T] {
	t.Helper()
	opts = append([]cachetta.Option{cachetta.WithStore(s), cachetta.WithLogger(testLogger(t)),
		cachetta.WithDuration(time.Hour)}, opts...)
	c, err := cachetta.New[T](path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestStoreWrapHitsMissesAndExpires(t *testing.T) {
	ctx := t.Context()
	s := newMapStore()
	c := storeCache[string](t, s, "cache/users.json")
	var calls counter
	get := cachetta.Wrap1(c, func(_ context.Context, id int) (string, error) {
		calls.n.Add(1)
		return fmt.Sprint("user ", id), nil
	})
	for range 2 {
		if got, err := get(ctx, 7); got != "user 7" || err != nil {
			t.Fatalf("get(7) = %q, %v", got, err)
		}
	}
	if calls.count() != 1 {
		t.Fatalf("two calls ran the function %d times; want 1", calls.count())
	}
	name, _ := c.PathFor(7)
	if want := []string{name}; !slices.Equal(s.names(), want) {
		t.Fatalf("store holds %q; want %q", s.names(), want)
	}
	s.backdate(name, 2*time.Hour)
	if _, err := get(ctx, 7); err != nil || calls.count() != 2 {
		t.Errorf("expired entry: %d runs, %v; want 2 runs", calls.count(), err)
	}
}

func TestStoreNamesAreTheFileNames(t *testing.T) {
	s := newMapStore()
	c := storeCache[int](t, s, "cache/user.json")
	local, err := cachetta.New[int]("cache/user.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]any{nil, {42}, {"a", 1.5}} {
		got, err1 := c.PathFor(args...)
		want, err2 := local.PathFor(args...)
		if got != filepath.ToSlash(want) || err1 != nil || err2 != nil {
			t.Errorf("PathFor(%v) = %q, %v in a store; %q, %v on disk", args, got, err1, want, err2)
		}
	}
}

func TestStoreRefusesNamesOutsideIt(t *testing.T) {
	s := newMapStore()
	for _, path := range []string{"/abs/users.json", "../users.json", "."} {
		if _, err := cachetta.New[int](path, cachetta.WithStore(s)); !errors.Is(err, cachetta.ErrOutsideRoot) {
			t.Errorf("New(%q, WithStore) = %v; want ErrOutsideRoot", path, err)
		}
	}
	if _, err := cachetta.New[int]("u.json", cachetta.WithStore(s), cachetta.WithRoot(t.TempDir())); err == nil {
		t.Error("New with WithStore and WithRoot succeeded")
	}
	c := storeCache[int](t, s, "u.json", cachetta.WithPathFunc(func(name string) string { return name }))
	for _, name := range []string{"../x.json", "/etc/x.json"} {
		if err := c.Write(t.Context(), 1, name); !errors.Is(err, cachetta.ErrOutsideRoot) {
			t.Errorf("Write(%q) = %v; want ErrOutsideRoot", name, err)
		}
	}
	if names := s.names(); len(names) != 0 {
		t.Errorf("store holds %q after refused writes", names)
	}
}

// Every operation through a store leaves the local disk alone.
func TestStoreTouchesNoLocalFile(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	ctx := t.Context()
	s := newMapStore()
	c := storeCache[int](t, s, "cache/n.json", cachetta.WithLRU(8), cachetta.WithFileCheck(true),
		cachetta.WithRefresh(cachetta.Refresh{StaleWhileRevalidate: time.Hour, Early: 1}))
	get := cachetta.Wrap1(c, func(_ context.Context, n int) (int, error) { return n * 2, nil })
	for i := range 3 {
		if _, err := get(ctx, i); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Write(ctx, 5); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Read(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Info(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if err := c.Invalidate(ctx, 1); err != nil {
		t.Fatal(err)
	}
	for _, err := range c.Entries(ctx) {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Prune(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	c.Wait()
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("a cache with a store left %v in the working directory", left)
	}
}

func TestStoreInvalidateAndMemory(t *testing.T) {
	ctx := t.Context()
	s := newMapStore()
	c := storeCache[string](t, s, "v.json", cachetta.WithLRU(8))
	if err := c.Write(ctx, "one"); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := c.Read(ctx); v != "one" || !ok || err != nil {
		t.Fatalf("Read = %q, %v, %v; want one", v, ok, err)
	}
	if err := c.Invalidate(ctx); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := c.Read(ctx); ok || err != nil {
		t.Errorf("Read after Invalidate = %q, %v, %v; want a miss", v, ok, err)
	}
	if names := s.names(); len(names) != 0 {
		t.Errorf("store holds %q after Invalidate", names)
	}
}

// With WithFileCheck, memory sees a replacement made through another
// client of the store; without it, memory answers until the entry expires.
func TestStoreMemoryCheckSeesOtherWriters(t *testing.T) {
	for _, check := range []bool{false, true} {
		t.Run(fmt.Sprint("check=", check), func(t *testing.T) {
			ctx := t.Context()
			s := newMapStore()
			c := storeCache[string](t, s, "v.json", cachetta.WithLRU(8), cachetta.WithFileCheck(check))
			if err := c.Write(ctx, "old"); err != nil {
				t.Fatal(err)
			}
			if v, _, _ := c.Read(ctx); v != "old" {
				t.Fatalf("Read = %q; want old", v)
			}
			if err := s.Save(ctx, "v.json", []byte(`"new"`), 0); err != nil {
				t.Fatal(err)
			}
			want := "old"
			if check {
				want = "new"
			}
			if v, _, err := c.Read(ctx); v != want || err != nil {
				t.Errorf("Read after another writer = %q, %v; want %q", v, err, want)
			}
		})
	}
}

func TestStoreTooLargeAndCorruptAreMisses(t *testing.T) {
	ctx := t.Context()
	s := newMapStore()
	c := storeCache[string](t, s, "v.json", cachetta.WithFiles(cachetta.Files{ReadLimit: 8}))
	for _, data := range []string{`"far too long for eight bytes"`, `{"x":`} {
		if err := s.Save(ctx, "v.json", []byte(data), 0); err != nil {
			t.Fatal(err)
		}
		if v, ok, err := c.Read(ctx); ok || err != nil {
			t.Errorf("Read of %s = %q, %v, %v; want a miss", data, v, ok, err)
		}
	}
}

func TestStoreFailuresAreErrors(t *testing.T) {
	ctx := t.Context()
	s := newMapStore()
	c := storeCache[string](t, s, "v.json")
	broken := errors.New("connection refused")
	s.failing = broken
	if _, _, err := c.Read(ctx); !errors.Is(err, broken) || !strings.Contains(err.Error(), "v.json") {
		t.Errorf("Read = %v; want an error naming v.json wrapping %v", err, broken)
	}
	if err := c.Write(ctx, "x"); !errors.Is(err, broken) {
		t.Errorf("Write = %v; want %v", err, broken)
	}
	if err := c.Invalidate(ctx); !errors.Is(err, broken) {
		t.Errorf("Invalidate = %v; want %v", err, broken)
	}
	if _, err := c.Prune(ctx); !errors.Is(err, broken) || strings.Count(err.Error(), "cachetta:") != 1 {
		t.Errorf("Prune = %v; want %v, with the prefix cachetta: once", err, broken)
	}
	if _, err := c.Clear(ctx); !errors.Is(err, broken) || strings.Count(err.Error(), "cachetta:") != 1 {
		t.Errorf("Clear = %v; want %v, with the prefix cachetta: once", err, broken)
	}
	for _, err := range c.Entries(ctx) {
		if !errors.Is(err, broken) || strings.Count(err.Error(), "cachetta:") != 1 {
			t.Errorf("Entries yielded %v; want %v, with the prefix cachetta: once", err, broken)
		}
	}
	// The wrapper computes when the store fails, as it does when a file
	// cannot be read.
	get := cachetta.Wrap(c, func(context.Context) (string, error) { return "computed", nil })
	if v, err := get(ctx); v != "computed" || err != nil {
		t.Errorf("Wrap with a failing store = %q, %v; want computed", v, err)
	}
	s.failing = nil
	if v, err := get(ctx); v != "computed" || err != nil {
		t.Errorf("Wrap after the store recovered = %q, %v", v, err)
	}
	if v, ok, err := c.Read(ctx); v != "computed" || !ok || err != nil {
		t.Errorf("Read after the store recovered = %q, %v, %v", v, ok, err)
	}
}

func TestStorePruneClearAndEntriesKeepToTheirScope(t *testing.T) {
	ctx := t.Context()
	s := newMapStore()
	c := storeCache[int](t, s, "cache/user.json")
	dirCache := storeCache[int](t, s, "tree")
	k1, _ := c.PathFor(1)
	k2, _ := c.PathFor(2)
	others := []string{"cache/other.json", "cache/sub/user.json", "cachex/user.json", "tree.json"}
	for _, name := range append([]string{"cache/user.json", k1, k2, "tree/a.json", "tree/b/c.json"}, others...) {
		if err := s.Save(ctx, name, []byte("1"), 0); err != nil {
			t.Fatal(err)
		}
	}
	s.backdate(k1, 2*time.Hour)
	s.backdate("cache/other.json", 2*time.Hour)
	var listed []string
	for info, err := range c.Entries(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		listed = append(listed, info.Path)
		if info.Path == k1 && !info.Expired {
			t.Errorf("Entries: %s not expired", k1)
		}
	}
	slices.Sort(listed)
	if want := []string{"cache/user.json", k1, k2}; !slices.Equal(listed, sorted(want)) {
		t.Errorf("Entries = %q; want %q", listed, sorted(want))
	}
	if removed, err := c.Prune(ctx); !slices.Equal(removed, []string{k1}) || err != nil {
		t.Errorf("Prune = %q, %v; want [%s]", removed, err, k1)
	}
	if removed, err := c.Clear(ctx); !slices.Equal(removed, sorted([]string{"cache/user.json", k2})) || err != nil {
		t.Errorf("Clear = %q, %v", removed, err)
	}
	if removed, err := dirCache.Clear(ctx); !slices.Equal(removed, []string{"tree/a.json", "tree/b/c.json"}) || err != nil {
		t.Errorf("Clear of a directory cache = %q, %v", removed, err)
	}
	if left := s.names(); !slices.Equal(left, sorted(others)) {
		t.Errorf("store holds %q; want %q", left, sorted(others))
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// Two families on one Locker are as two processes: while one runs a miss
// under the store's lock, the other waits for it and reads its result.
func TestStoreLockCoalescesRunsAcrossFamilies(t *testing.T) {
	ctx := t.Context()
	s := newMapStore()
	s.waiting = make(chan string, 1)
	var calls counter
	release := make(chan struct{})
	started := make(chan struct{})
	fn := func(context.Context) (string, error) {
		if calls.n.Add(1) == 1 {
			close(started)
			<-release
		}
		return "computed", nil
	}
	first := cachetta.Wrap(storeCache[string](t, s, "v.json"), fn)
	second := cachetta.Wrap(storeCache[string](t, s, "v.json"), fn)
	done := make(chan error, 1)
	go func() {
		_, err := first(ctx)
		done <- err
	}()
	<-started
	got := make(chan string, 1)
	go func() {
		v, _ := second(ctx)
		got <- v
	}()
	if name := <-s.waiting; name != "v.json" {
		t.Fatalf("waited for the lock of %q", name)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if v := <-got; v != "computed" || calls.count() != 1 {
		t.Errorf("second family got %q after %d runs; want computed after 1", v, calls.count())
	}
}

func TestFileStoreServesACache(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	s, err := cachetta.NewFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := storeCache[string](t, s, "cache/v.json")
	if err := c.Write(ctx, "stored", 3); err != nil {
		t.Fatal(err)
	}
	name, _ := c.PathFor(3)
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
	if string(data) != `"stored"` || err != nil {
		t.Fatalf("file holds %q, %v", data, err)
	}
	if err := os.Chtimes(filepath.Join(dir, filepath.FromSlash(name)), time.Time{}, time.Now().Add(-2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := c.Read(ctx, 3); ok || err != nil {
		t.Errorf("Read of a backdated file = %q, %v, %v; want a miss", v, ok, err)
	}
	if removed, err := c.Prune(ctx); !slices.Equal(removed, []string{name}) || err != nil {
		t.Errorf("Prune = %q, %v; want [%s]", removed, err, name)
	}
}

func TestStorePruneKeepsToTheBudgetOldestFirst(t *testing.T) {
	tests := []struct {
		name string
		opts []cachetta.Option
		want []int // the arguments whose entries go
	}{
		{"entries", []cachetta.Option{cachetta.WithPruneBudget(0, 2)}, []int{0, 1}},
		{"bytes", []cachetta.Option{cachetta.WithPruneBudget(5, 0)}, []int{0, 1, 2}},
		{"both", []cachetta.Option{cachetta.WithPruneBudget(100, 3)}, []int{0}},
		{"within", []cachetta.Option{cachetta.WithPruneBudget(0, 4)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			s := newMapStore()
			c := storeCache[string](t, s, "b.json", tt.opts...)
			// Four entries of 3 bytes, argument 0 the oldest.
			for n := range 4 {
				if err := c.Write(ctx, "x", n); err != nil {
					t.Fatal(err)
				}
				name, _ := c.PathFor(n)
				s.backdate(name, time.Duration(10-n)*time.Minute)
			}
			var want []string
			for _, n := range tt.want {
				name, _ := c.PathFor(n)
				want = append(want, name)
			}
			if removed, err := c.Prune(ctx); !slices.Equal(removed, sorted(want)) || err != nil {
				t.Errorf("Prune = %q, %v; want %q", removed, err, sorted(want))
			}
		})
	}
}

// taggedStore is a Store of a type that == compares, holding one that it
// cannot compare: == of two taggedStores panics.
type taggedStore struct{ cachetta.Store }

// sliceStore is a Store that == cannot compare.
type sliceStore struct {
	*mapStore
	tags []string
}

// TestStoreThatCannotBeComparedDoesNotPanic checks that copies naming a
// store whose comparison panics, a comparable type holding one that is not,
// are made: each gets a memory of its own, as the doc of storeSystem says.
func TestStoreThatCannotBeComparedDoesNotPanic(t *testing.T) {
	st := taggedStore{sliceStore{mapStore: newMapStore(), tags: []string{"a"}}}
	c, err := cachetta.New[string]("v.json", cachetta.WithStore(st), cachetta.WithLRU(8))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.With(cachetta.WithStore(st), cachetta.WithDuration(time.Minute)); err != nil {
		t.Fatalf("With(WithStore(same store)) = %v; want a copy", err)
	}
	if _, err := c.With(cachetta.WithStore(taggedStore{sliceStore{mapStore: newMapStore(), tags: []string{"a"}}})); err != nil {
		t.Fatalf("With(WithStore(another store)) = %v; want a copy", err)
	}
}

// TestStoreScopeOfAPathWithoutExtension checks that a cache whose path has
// no extension and names no "directory" of the store keeps its entries in
// scope, as on disk, where such a path is a file pattern unless a directory
// is there: Entries, Prune and Clear see the entry at the path and its keyed
// siblings, not only what lies below the path.
func TestStoreScopeOfAPathWithoutExtension(t *testing.T) {
	ctx := t.Context()
	s := newMapStore()
	c := storeCache[int](t, s, "data/latest")
	if err := c.Write(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if err := c.Write(ctx, 2, "k"); err != nil {
		t.Fatal(err)
	}
	keyed, _ := c.PathFor("k")
	if err := s.Save(ctx, "data/other", []byte("3"), 0); err != nil {
		t.Fatal(err)
	}
	want := sorted([]string{"data/latest", keyed})
	var listed []string
	for info, err := range c.Entries(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		listed = append(listed, info.Path)
	}
	if slices.Sort(listed); !slices.Equal(listed, want) {
		t.Errorf("Entries = %q; want %q", listed, want)
	}
	if removed, err := c.Clear(ctx); !slices.Equal(removed, want) || err != nil {
		t.Errorf("Clear = %q, %v; want %q", removed, err, want)
	}
	if left := s.names(); !slices.Equal(left, []string{"data/other"}) {
		t.Errorf("store holds %q; want [data/other]", left)
	}
}

// pausedLoadStore holds its first Load, once it has the bytes, until
// resume is closed, so that a test can act between a read and its end.
type pausedLoadStore struct {
	*mapStore
	paused chan struct{} // closed when the first Load has its bytes
	resume chan struct{}
	first  sync.Once
}

func (s *pausedLoadStore) Load(ctx context.Context, name string, maxSize int64) ([]byte, cachetta.StoreEntry, error) {
	data, se, err := s.mapStore.Load(ctx, name, maxSize)
	s.first.Do(func() {
		close(s.paused)
		<-s.resume
	})
	return data, se, err
}

// A Clear or Prune that deletes an entry while a read of it is in flight
// keeps that read's value out of memory, as Invalidate does.
func TestStoreRemovalDuringAReadKeepsMemoryClear(t *testing.T) {
	for _, remove := range []struct {
		name string
		do   func(*cachetta.Cachetta[string], context.Context) ([]string, error)
	}{
		{"Clear", (*cachetta.Cachetta[string]).Clear},
		{"Prune", (*cachetta.Cachetta[string]).Prune},
	} {
		t.Run(remove.name, func(t *testing.T) {
			ctx := t.Context()
			s := &pausedLoadStore{mapStore: newMapStore(), paused: make(chan struct{}), resume: make(chan struct{})}
			c := storeCache[string](t, s, "v.json", cachetta.WithLRU(8))
			if err := c.Write(ctx, "old"); err != nil {
				t.Fatal(err)
			}
			// Two hours old: fresh for the reader, expired for the copy
			// that prunes.
			s.backdate("v.json", 2*time.Hour)
			reader, err := c.With(cachetta.WithDuration(3 * time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			read := make(chan error, 1)
			go func() {
				_, _, err := reader.Read(ctx)
				read <- err
			}()
			<-s.paused
			removed, err := remove.do(c, ctx)
			if err != nil || len(removed) != 1 {
				t.Fatalf("%s = %q, %v; want v.json removed", remove.name, removed, err)
			}
			close(s.resume)
			if err := <-read; err != nil {
				t.Fatal(err)
			}
			if v, ok, err := reader.Read(ctx); ok || err != nil {
				t.Errorf("Read after %s = %q, %t, %v; want a miss", remove.name, v, ok, err)
			}
		})
	}
}
