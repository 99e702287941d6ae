package cachetta_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cachetta-go/cachetta"
	"github.com/cachetta-go/cachetta/storetest"
)

// countingStore counts the Loads and Stats that reach a store: what one
// machine's network traffic to a shared store would show.
type countingStore struct {
	cachetta.Store
	loads, stats atomic.Int64
}

func (s *countingStore) Load(ctx context.Context, name string, maxSize int64) ([]byte, cachetta.StoreEntry, error) {
	s.loads.Add(1)
	return s.Store.Load(ctx, name, maxSize)
}

func (s *countingStore) Stat(ctx context.Context, name string) (cachetta.StoreEntry, error) {
	s.stats.Add(1)
	return s.Store.Stat(ctx, name)
}

// countingLocker is a countingStore of a Locker, and a Locker itself.
type countingLocker struct {
	*countingStore
	locker cachetta.Locker
}

func (s countingLocker) Lock(ctx context.Context, name string, lease time.Duration) (func(), error) {
	return s.locker.Lock(ctx, name, lease)
}

// tierRemotes are the shared stores the tiered tests run on: the local
// reference store (no Version, file times, no lock) and a map (a Version
// per Save, the clock's times, a Locker).
var tierRemotes = []struct {
	name string
	new  func(t *testing.T) cachetta.Store
}{
	{"FileStore", func(t *testing.T) cachetta.Store { return newFileStore(t, t.TempDir()) }},
	{"versioned Locker", func(*testing.T) cachetta.Store { return newMapStore() }},
}

func newFileStore(t *testing.T, dir string) *cachetta.FileStore {
	t.Helper()
	s, err := cachetta.NewFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// A machine is a local directory and a tiered store on it in front of a
// shared store, which the machine reaches through a counter of its own.
type machine struct {
	dir    string
	remote *countingStore
	store  cachetta.Store
}

func newMachine(t *testing.T, shared cachetta.Store, recheck time.Duration) *machine {
	t.Helper()
	local := newFileStore(t, t.TempDir())
	counted := &countingStore{Store: shared}
	var remote cachetta.Store = counted
	if l, ok := shared.(cachetta.Locker); ok {
		remote = countingLocker{counted, l}
	}
	st, err := cachetta.NewTiered(local, remote, recheck)
	if err != nil {
		t.Fatalf("NewTiered = %v", err)
	}
	return &machine{dir: local.Dir(), remote: counted, store: st}
}

// copyPath returns the file of the machine's local copy of the entry name.
func (m *machine) copyPath(name string) string {
	return filepath.Join(m.dir, filepath.FromSlash(name))
}

// calls returns the Loads and Stats the machine sent to the shared store.
func (m *machine) calls() [2]int64 {
	return [2]int64{m.remote.loads.Load(), m.remote.stats.Load()}
}

// Two machines share a store: each answers from its local copy after its
// first read, the copy carries the shared entry's time, and a function
// runs once between them.
func TestTieredServesHitsLocally(t *testing.T) {
	for _, r := range tierRemotes {
		t.Run(r.name, func(t *testing.T) {
			ctx := t.Context()
			shared := r.new(t)
			a, b := newMachine(t, shared, time.Hour), newMachine(t, shared, time.Hour)
			var runs atomic.Int64
			fn := func(_ context.Context, n int) (string, error) {
				runs.Add(1)
				return "value", nil
			}
			getA := cachetta.Wrap1(storeCache[string](t, a.store, "cache/v.json"), fn)
			getB := cachetta.Wrap1(storeCache[string](t, b.store, "cache/v.json"), fn)
			if v, err := getA(ctx, 1); v != "value" || err != nil {
				t.Fatalf("getA(1) = %q, %v", v, err)
			}
			before := b.calls()
			if v, err := getB(ctx, 1); v != "value" || err != nil {
				t.Fatalf("getB(1) = %q, %v", v, err)
			}
			if got := b.calls(); got != [2]int64{before[0] + 1, before[1]} {
				t.Errorf("B's first read sent %v Loads and Stats; want one Load", [2]int64{got[0] - before[0], got[1] - before[1]})
			}
			name, _ := storeCache[string](t, a.store, "cache/v.json").PathFor(1)
			se, err := shared.Stat(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range []*machine{a, b} {
				info, err := os.Stat(m.copyPath(name))
				if err != nil || !info.ModTime().Equal(se.ModTime) || info.Size() != se.Size {
					t.Errorf("local copy %s = %v, %v; want the shared entry's time %v and size %d", m.copyPath(name), info, err, se.ModTime, se.Size)
				}
			}
			beforeA, beforeB := a.calls(), b.calls()
			for range 5 {
				if v, err := getA(ctx, 1); v != "value" || err != nil {
					t.Fatalf("getA(1) = %q, %v", v, err)
				}
				if v, err := getB(ctx, 1); v != "value" || err != nil {
					t.Fatalf("getB(1) = %q, %v", v, err)
				}
			}
			if a.calls() != beforeA || b.calls() != beforeB {
				t.Errorf("ten hits sent Loads and Stats %v and %v; want none", a.calls(), b.calls())
			}
			if runs.Load() != 1 {
				t.Errorf("the function ran %d times; want 1", runs.Load())
			}
		})
	}
}

// A write or an Invalidate on one machine is seen at once there and by the
// other machine's reads once its copy is recheck old, not before.
func TestTieredChangeSeenWithinRecheck(t *testing.T) {
	const recheck = time.Minute
	for _, r := range tierRemotes {
		for _, change := range []struct {
			name string
			do   func(context.Context, *cachetta.Cachetta[string]) error
			want string // "" for a miss
		}{
			{"Write", func(ctx context.Context, c *cachetta.Cachetta[string]) error { return c.Write(ctx, "a newer value") }, "a newer value"},
			{"Invalidate", func(ctx context.Context, c *cachetta.Cachetta[string]) error { return c.Invalidate(ctx) }, ""},
		} {
			t.Run(r.name+"/"+change.name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					ctx := t.Context()
					shared := r.new(t)
					a, b := newMachine(t, shared, recheck), newMachine(t, shared, recheck)
					ca := storeCache[string](t, a.store, "v.json")
					cb := storeCache[string](t, b.store, "v.json")
					if err := ca.Write(ctx, "old"); err != nil {
						t.Fatal(err)
					}
					read := func(c *cachetta.Cachetta[string]) string {
						t.Helper()
						v, ok, err := c.Read(ctx)
						if err != nil {
							t.Fatalf("Read = %v", err)
						}
						if !ok {
							return ""
						}
						return v
					}
					if got := read(cb); got != "old" {
						t.Fatalf("B's first Read = %q; want old", got)
					}
					if err := change.do(ctx, ca); err != nil {
						t.Fatal(err)
					}
					if got := read(ca); got != change.want {
						t.Errorf("A's Read after its %s = %q; want %q", change.name, got, change.want)
					}
					time.Sleep(recheck - time.Nanosecond)
					if got := read(cb); got != "old" {
						t.Errorf("B's Read just before recheck = %q; want its copy, old", got)
					}
					time.Sleep(time.Nanosecond)
					if got := read(cb); got != change.want {
						t.Errorf("B's Read at recheck = %q; want %q", got, change.want)
					}
					data, err := os.ReadFile(b.copyPath("v.json"))
					switch {
					case change.want == "" && !errors.Is(err, fs.ErrNotExist):
						t.Errorf("B's copy after the Invalidate was seen = %q, %v; want it removed", data, err)
					case change.want != "" && string(data) != `"`+change.want+`"`:
						t.Errorf("B's copy after the Write was seen = %q, %v; want the new value", data, err)
					}
				})
			})
		}
	}
}

// A recheck of zero asks the shared store on every hit: a Stat, never the
// bytes.
func TestTieredRecheckZeroStatsEveryHit(t *testing.T) {
	ctx := t.Context()
	shared := newFileStore(t, t.TempDir())
	a, b := newMachine(t, shared, 0), newMachine(t, shared, 0)
	ca, cb := storeCache[string](t, a.store, "v.json"), storeCache[string](t, b.store, "v.json")
	if err := ca.Write(ctx, "value"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := cb.Read(ctx); err != nil {
		t.Fatal(err)
	}
	before := b.calls()
	for range 3 {
		if v, ok, err := cb.Read(ctx); v != "value" || !ok || err != nil {
			t.Fatalf("Read = %q, %t, %v", v, ok, err)
		}
	}
	if got := b.calls(); got != [2]int64{before[0], before[1] + 3} {
		t.Errorf("three hits sent %v Loads and Stats; want three Stats", [2]int64{got[0] - before[0], got[1] - before[1]})
	}
	if err := ca.Invalidate(ctx); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := cb.Read(ctx); ok || err != nil {
		t.Errorf("B's Read after A's Invalidate = %q, %t, %v; want a miss", v, ok, err)
	}
}

// A local copy that is missing or damaged in a way its size or time shows
// is read again from the shared store, without running the function, and
// written again.
func TestTieredDamagedCopyFallsBackToRemote(t *testing.T) {
	for _, damage := range []struct {
		name string
		do   func(path string) error
	}{
		{"missing", os.Remove},
		{"truncated", func(path string) error { return os.Truncate(path, 3) }},
		{"emptied", func(path string) error { return os.WriteFile(path, nil, 0o600) }},
		{"other bytes of its size and another time", func(path string) error {
			info, err := os.Stat(path)
			if err != nil {
				return err
			}
			if err := os.WriteFile(path, bytes.Repeat([]byte{0}, int(info.Size())), 0o600); err != nil {
				return err
			}
			old := info.ModTime().Add(-time.Hour)
			return os.Chtimes(path, old, old)
		}},
	} {
		for _, r := range tierRemotes {
			t.Run(damage.name+"/"+r.name, func(t *testing.T) {
				ctx := t.Context()
				shared := r.new(t)
				a, b := newMachine(t, shared, time.Hour), newMachine(t, shared, time.Hour)
				var runs atomic.Int64
				fn := func(context.Context) (string, error) {
					runs.Add(1)
					return "the value", nil
				}
				getA := cachetta.Wrap(storeCache[string](t, a.store, "v.json"), fn)
				getB := cachetta.Wrap(storeCache[string](t, b.store, "v.json"), fn)
				if _, err := getA(ctx); err != nil {
					t.Fatal(err)
				}
				if _, err := getB(ctx); err != nil {
					t.Fatal(err)
				}
				if err := damage.do(b.copyPath("v.json")); err != nil {
					t.Fatal(err)
				}
				before := b.remote.loads.Load()
				if v, err := getB(ctx); v != "the value" || err != nil {
					t.Errorf("getB after its copy was %s = %q, %v; want the value", damage.name, v, err)
				}
				if n := b.remote.loads.Load() - before; n != 1 {
					t.Errorf("getB after its copy was %s sent %d Loads; want 1", damage.name, n)
				}
				if runs.Load() != 1 {
					t.Errorf("the function ran %d times; want 1", runs.Load())
				}
				if data, err := os.ReadFile(b.copyPath("v.json")); string(data) != `"the value"` || err != nil {
					t.Errorf("B's copy after the read = %q, %v; want it written again", data, err)
				}
			})
		}
	}
}

// After a Lock, the next read asks the shared store whatever recheck
// says: a cache that missed takes the lock, and must then see the entry
// another machine saved while it waited.
func TestTieredLockAsksRemote(t *testing.T) {
	ctx := t.Context()
	shared := newMapStore()
	a, b := newMachine(t, shared, time.Hour), newMachine(t, shared, time.Hour)
	load := func(m *machine) string {
		t.Helper()
		data, _, err := m.store.Load(ctx, "x.json", 100)
		if err != nil {
			t.Fatalf("Load = %v", err)
		}
		return string(data)
	}
	if err := a.store.Save(ctx, "x.json", []byte("1"), 0); err != nil {
		t.Fatal(err)
	}
	if got := load(b); got != "1" {
		t.Fatalf("B's Load = %q; want 1", got)
	}
	if err := a.store.Save(ctx, "x.json", []byte("22"), 0); err != nil {
		t.Fatal(err)
	}
	if got := load(b); got != "1" {
		t.Errorf("B's Load within recheck = %q; want its copy, 1", got)
	}
	locker, ok := b.store.(cachetta.Locker)
	if !ok {
		t.Fatal("a tiered store in front of a Locker is not a Locker")
	}
	unlock, err := locker.Lock(ctx, "x.json", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	if got := load(b); got != "22" {
		t.Errorf("B's Load after its Lock = %q; want 22", got)
	}
	if _, ok := newMachine(t, newFileStore(t, t.TempDir()), time.Hour).store.(cachetta.Locker); ok {
		t.Error("a tiered store in front of a FileStore is a Locker")
	}
}

// hookStore calls afterSave after each Save, and afterLoad after each Load
// has its bytes, so that a test can act in the middle of a tiered store's
// call.
type hookStore struct {
	cachetta.Store
	afterSave func()
	afterLoad func()
}

func (s *hookStore) Save(ctx context.Context, name string, data []byte, keep time.Duration) error {
	err := s.Store.Save(ctx, name, data, keep)
	if s.afterSave != nil {
		s.afterSave()
	}
	return err
}

func (s *hookStore) Load(ctx context.Context, name string, maxSize int64) ([]byte, cachetta.StoreEntry, error) {
	data, se, err := s.Store.Load(ctx, name, maxSize)
	if s.afterLoad != nil {
		s.afterLoad()
	}
	return data, se, err
}

// The copy a Save keeps is what the shared store holds after it, and what
// an Invalidate or a Save of this machine overtook is never written.
func TestTieredCopyFollowsTheSharedStore(t *testing.T) {
	for _, tt := range []struct {
		name string
		// hook sets what happens in the middle of call, on the shared
		// store or on st, the tiered store.
		hook func(h *hookStore, shared cachetta.Store, st func() cachetta.Store)
		call func(ctx context.Context, st cachetta.Store) error
		copy string // the local copy after call; "" for none
		want string // what the machine then loads; "" for nothing
	}{
		{
			name: "another machine saves between a Save and its read-back",
			hook: func(h *hookStore, shared cachetta.Store, _ func() cachetta.Store) {
				h.afterSave = func() {
					h.afterSave = nil
					// Shorter: the read-back takes no more bytes than
					// were saved.
					shared.Save(context.Background(), "x.json", []byte(`"theirs"`), 0)
				}
			},
			call: func(ctx context.Context, st cachetta.Store) error {
				return st.Save(ctx, "x.json", []byte(`"mine, longer than theirs"`), 0)
			},
			copy: `"theirs"`,
			want: `"theirs"`,
		},
		{
			name: "a Save here during another Save's read-back",
			hook: func(h *hookStore, _ cachetta.Store, st func() cachetta.Store) {
				h.afterLoad = func() {
					h.afterLoad = nil
					st().Save(context.Background(), "x.json", []byte(`"the second"`), 0)
				}
			},
			call: func(ctx context.Context, st cachetta.Store) error {
				return st.Save(ctx, "x.json", []byte(`"the first"`), 0)
			},
			// The first Save, overtaken, cannot tell which Save remote
			// holds: it removes the copy.
			copy: "",
			want: `"the second"`,
		},
		{
			name: "an Invalidate here during a read of the old entry",
			hook: func(h *hookStore, _ cachetta.Store, st func() cachetta.Store) {
				h.afterLoad = func() {
					h.afterLoad = nil
					st().Delete(context.Background(), "x.json")
				}
			},
			call: func(ctx context.Context, st cachetta.Store) error {
				_, _, err := st.Load(ctx, "x.json", 100)
				return err
			},
			copy: "",
			want: "",
		},
		{
			name: "a Save here during a read of the old entry",
			hook: func(h *hookStore, _ cachetta.Store, st func() cachetta.Store) {
				h.afterLoad = func() {
					h.afterLoad = nil
					st().Save(context.Background(), "x.json", []byte(`"saved here, longer"`), 0)
				}
			},
			call: func(ctx context.Context, st cachetta.Store) error {
				_, _, err := st.Load(ctx, "x.json", 100)
				return err
			},
			// The read, overtaken, leaves the copy to the Save.
			copy: `"saved here, longer"`,
			want: `"saved here, longer"`,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			shared := newFileStore(t, t.TempDir())
			if err := shared.Save(ctx, "x.json", []byte(`"old"`), 0); err != nil {
				t.Fatal(err)
			}
			h := &hookStore{Store: shared}
			local := newFileStore(t, t.TempDir())
			st, err := cachetta.NewTiered(local, h, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			tt.hook(h, shared, func() cachetta.Store { return st })
			if err := tt.call(ctx, st); err != nil {
				t.Fatal(err)
			}
			h.afterSave, h.afterLoad = nil, nil
			data, err := os.ReadFile(filepath.Join(local.Dir(), "x.json"))
			if tt.copy == "" {
				if !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("local copy = %q, %v; want none", data, err)
				}
			} else if string(data) != tt.copy {
				t.Errorf("local copy = %q, %v; want %s", data, err, tt.copy)
			}
			got, _, err := st.Load(ctx, "x.json", 100)
			if tt.want == "" && !errors.Is(err, fs.ErrNotExist) || tt.want != "" && string(got) != tt.want {
				t.Errorf("Load = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// Prune, the budget, Clear and Entries act on the local copies alone;
// Invalidate removes the entry from both tiers.
func TestTieredPruneAndClearKeepToTheLocalTier(t *testing.T) {
	for _, r := range tierRemotes {
		t.Run(r.name, func(t *testing.T) {
			ctx := t.Context()
			shared := r.new(t)
			m := newMachine(t, shared, time.Hour)
			c := storeCache[string](t, m.store, "cache/v.json", cachetta.WithPruneBudget(0, 1))
			var names []string
			for n := range 3 {
				if err := c.Write(ctx, "value", n); err != nil {
					t.Fatal(err)
				}
				name, _ := c.PathFor(n)
				names = append(names, name)
			}
			sharedNames := func() []string {
				var got []string
				for se, err := range shared.List(ctx, "cache/") {
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, se.Name)
				}
				return sorted(got)
			}
			entries := func() []string {
				var got []string
				for info, err := range c.Entries(ctx) {
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, info.Path)
				}
				return sorted(got)
			}
			pruned, err := c.Prune(ctx)
			if err != nil || len(pruned) != 2 {
				t.Fatalf("Prune with a budget of one entry = %q, %v; want two removed", pruned, err)
			}
			if got := entries(); len(got) != 1 || slices.Contains(pruned, got[0]) {
				t.Errorf("Entries after Prune = %q; want the one not pruned", got)
			}
			if got := sharedNames(); !slices.Equal(got, sorted(names)) {
				t.Errorf("shared entries after Prune = %q; want all three", got)
			}
			if _, err := c.Clear(ctx); err != nil {
				t.Fatal(err)
			}
			if got := entries(); len(got) != 0 {
				t.Errorf("Entries after Clear = %q; want none", got)
			}
			if got := sharedNames(); !slices.Equal(got, sorted(names)) {
				t.Errorf("shared entries after Clear = %q; want all three", got)
			}
			if v, ok, err := c.Read(ctx, 0); v != "value" || !ok || err != nil {
				t.Errorf("Read after Clear = %q, %t, %v; want the shared entry", v, ok, err)
			}
			if err := c.Invalidate(ctx, 0); err != nil {
				t.Fatal(err)
			}
			if _, err := shared.Stat(ctx, names[0]); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("shared Stat after Invalidate = %v; want fs.ErrNotExist", err)
			}
			if _, err := os.Stat(m.copyPath(names[0])); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("local copy after Invalidate: %v; want none", err)
			}
		})
	}
}

// The tiered store keeps the Store contract, whether it trusts its copies
// for an hour or asks the shared store on every hit.
func TestTieredContract(t *testing.T) {
	for _, recheck := range []time.Duration{time.Hour, 0} {
		t.Run("recheck="+recheck.String(), func(t *testing.T) {
			var mu sync.Mutex
			dirs := map[cachetta.Store][2]string{} // local and shared directory
			storetest.Run(t, func(t *testing.T) cachetta.Store {
				local, shared := newFileStore(t, t.TempDir()), newFileStore(t, t.TempDir())
				st, err := cachetta.NewTiered(local, shared, recheck)
				if err != nil {
					t.Fatal(err)
				}
				mu.Lock()
				dirs[st] = [2]string{local.Dir(), shared.Dir()}
				mu.Unlock()
				return st
			}, storetest.Options{
				// An entry is backdated on every machine at once: its copy
				// carries the shared entry's time.
				SetModTime: func(_ context.Context, s cachetta.Store, name string, mt time.Time) error {
					mu.Lock()
					d := dirs[s]
					mu.Unlock()
					for _, dir := range d {
						err := os.Chtimes(filepath.Join(dir, filepath.FromSlash(name)), time.Time{}, mt)
						if err != nil && !errors.Is(err, fs.ErrNotExist) {
							return err
						}
					}
					return nil
				},
			})
		})
	}
}

func TestNewTieredRefuses(t *testing.T) {
	local := newFileStore(t, t.TempDir())
	sameDir := newFileStore(t, local.Dir())
	shared := newFileStore(t, t.TempDir())
	for _, tt := range []struct {
		name    string
		local   *cachetta.FileStore
		remote  cachetta.Store
		recheck time.Duration
	}{
		{"nil local", nil, shared, time.Minute},
		{"nil remote", local, nil, time.Minute},
		{"one directory", local, sameDir, time.Minute},
		{"negative recheck", local, shared, -time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if st, err := cachetta.NewTiered(tt.local, tt.remote, tt.recheck); err == nil {
				t.Errorf("NewTiered = %v, nil; want an error", st)
			}
		})
	}
}

// Two processes of one machine share its local directory: a copy one
// wrote costs the other a Stat, not a Load, and an Invalidate in one
// removes the copy for both at once.
func TestTieredProcessesShareTheLocalDirectory(t *testing.T) {
	for _, r := range tierRemotes {
		t.Run(r.name, func(t *testing.T) {
			ctx := t.Context()
			shared := r.new(t)
			dir := t.TempDir()
			process := func() *machine {
				counted := &countingStore{Store: shared}
				st, err := cachetta.NewTiered(newFileStore(t, dir), counted, time.Hour)
				if err != nil {
					t.Fatal(err)
				}
				return &machine{dir: dir, remote: counted, store: st}
			}
			p1, p2 := process(), process()
			if err := p1.store.Save(ctx, "x.json", []byte(`"value"`), 0); err != nil {
				t.Fatal(err)
			}
			before := p2.calls()
			if data, _, err := p2.store.Load(ctx, "x.json", 100); string(data) != `"value"` || err != nil {
				t.Fatalf("p2's Load = %q, %v", data, err)
			}
			if got := p2.calls(); got != [2]int64{before[0], before[1] + 1} {
				t.Errorf("p2's Load of p1's copy sent %v Loads and Stats; want one Stat", [2]int64{got[0] - before[0], got[1] - before[1]})
			}
			if err := p2.store.Delete(ctx, "x.json"); err != nil {
				t.Fatal(err)
			}
			if data, _, err := p1.store.Load(ctx, "x.json", 100); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("p1's Load after p2's Delete = %q, %v; want fs.ErrNotExist", data, err)
			}
		})
	}
}
