package redisstore_test

import (
	"context"
	"errors"
	"io/fs"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta/redisstore"
	"github.com/redis/go-redis/v9"
)

// TestKeyLayout pins the keys of an entry, which the README documents and
// other programs may read: a change is a change of layout, which makes
// every entry saved before it a miss.
func TestKeyLayout(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}) // never dialled
	defer c.Close()
	st, err := redisstore.New(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, entry, lock string
	}{
		{"users/42.json", "cachetta:{5805b12a}e:users/42.json", "cachetta:{5805b12a}l:users/42.json"},
		{"report.json", "cachetta:{c4eb139d}e:report.json", "cachetta:{c4eb139d}l:report.json"},
		{"}x.json", "cachetta:{035893a4}e:}x.json", "cachetta:{035893a4}l:}x.json"},
	} {
		if got := redisstore.EntryKey(st, tt.name); got != tt.entry {
			t.Errorf("EntryKey(%q) = %q; want %q", tt.name, got, tt.entry)
		}
		if got := redisstore.LockKey(st, tt.name); got != tt.lock {
			t.Errorf("LockKey(%q) = %q; want %q", tt.name, got, tt.lock)
		}
	}
}

// slotNames are entry names that would split an entry's keys over two
// slots under a naive hash tag: braces in every position, an empty tag,
// and "}e:", which ends the tag and the kind of a key.
var slotNames = []string{
	"users/42.json",
	"}x.json",
	"{}.json",
	"{a}.json",
	"a{b}c.json",
	"a}b{c.json",
	"x}e:a/b.json",
	"a*b?[c]/é.json",
}

// TestEntryKeysShareASlot checks on the cluster that the value and the
// lock of each of slotNames hash to one slot, and that the fenced Save,
// a script over both keys, runs for each (Redis refuses a script over two
// slots with CROSSSLOT) and is then listed under its name.
func TestEntryKeysShareASlot(t *testing.T) {
	c := sharedCluster(t).topology().client(t)
	st := newStore(t, c)
	ctx := t.Context()
	for _, name := range slotNames {
		t.Run(name, func(t *testing.T) {
			entry, lock := redisstore.EntryKey(st, name), redisstore.LockKey(st, name)
			es, err := c.ClusterKeySlot(ctx, entry).Result()
			if err != nil {
				t.Fatal(err)
			}
			ls, err := c.ClusterKeySlot(ctx, lock).Result()
			if err != nil {
				t.Fatal(err)
			}
			if es != ls {
				t.Errorf("CLUSTER KEYSLOT of %q = %d, of %q = %d; want one slot", entry, es, lock, ls)
			}
			unlock, err := st.Lock(ctx, name, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			defer unlock()
			if err := st.Save(ctx, name, []byte(`"fenced"`), time.Hour); err != nil {
				t.Fatalf("Save(%q) under its lock = %v", name, err)
			}
			wantEntry(t, st, name, `"fenced"`)
			got := slices.Collect(listedNames(t, st, name))
			if !slices.Equal(got, []string{name}) {
				t.Errorf("List(%q) = %q; want the entry alone", name, got)
			}
		})
	}
}

// listedNames yields the names List yields for prefix, failing t on an
// error.
func listedNames(t *testing.T, st *redisstore.Store, prefix string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for e, err := range st.List(t.Context(), prefix) {
			if err != nil {
				t.Errorf("List(%q) = %v", prefix, err)
				return
			}
			if !yield(e.Name) {
				return
			}
		}
	}
}

// TestEntriesSpreadOverMasters saves entries of names that share a
// directory, as a cache's entries do, and finds keys of them on every
// master of the cluster: the tag spreads them rather than pinning a
// store, or a directory, to one slot.
func TestEntriesSpreadOverMasters(t *testing.T) {
	c := sharedCluster(t).topology().client(t)
	st := newStore(t, c)
	ctx := t.Context()
	for _, name := range []string{"users/1.json", "users/2.json", "users/3.json", "users/4.json",
		"users/5.json", "users/6.json", "users/7.json", "users/8.json", "users/9.json", "users/10.json"} {
		if err := st.Save(ctx, name, []byte(`1`), time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex // guards perMaster
	perMaster := map[string]int{}
	err := c.(*redis.ClusterClient).ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
		keys, err := scanAll(ctx, m, redisstore.Prefix(st)+"*")
		mu.Lock()
		defer mu.Unlock()
		perMaster[m.Options().Addr] = len(keys)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(perMaster) != 3 || slices.Contains(slices.Collect(maps.Values(perMaster)), 0) {
		t.Errorf("entries per master = %v; want some on each of 3", perMaster)
	}
}

// scanAll returns the keys of one server that match pattern.
func scanAll(ctx context.Context, c *redis.Client, pattern string) ([]string, error) {
	var all []string
	var cursor uint64
	for {
		keys, next, err := c.Scan(ctx, cursor, pattern, 500).Result()
		if err != nil {
			return all, err
		}
		all = append(all, keys...)
		if next == 0 {
			return all, nil
		}
		cursor = next
	}
}

// TestKeysNotOfTheLayoutIgnored checks what the store does with keys under
// its prefix that its layout did not make: an entry saved by an earlier
// release (prefix + "e:" + name) is a miss and is not listed, nor is a key
// whose tag is not its name's, nor a name that only looks like it starts
// with a listed prefix once "}e:" in it is taken for the end of the tag.
func TestKeysNotOfTheLayoutIgnored(t *testing.T) {
	c := startServer(t).client(t)
	st := newStore(t, c)
	ctx := t.Context()
	// A value as a Save writes it, to copy under other keys.
	if err := st.Save(ctx, "model.json", []byte(`"v"`), 0); err != nil {
		t.Fatal(err)
	}
	v, err := c.Get(ctx, redisstore.EntryKey(st, "model.json")).Result()
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Delete(ctx, "model.json"); err != nil {
		t.Fatal(err)
	}
	prefix := redisstore.Prefix(st)
	for _, key := range []string{
		prefix + "e:old/a.json",                   // the layout before hash tags
		prefix + "{00000000}e:old/b.json",         // a tag that is not the name's
		redisstore.EntryKey(st, "x}e:old/c.json"), // an entry, but not below old/
	} {
		if err := c.Set(ctx, key, v, 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"old/a.json", "old/b.json", "old/c.json"} {
		if data, _, err := st.Load(ctx, name, 100); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Load(%q) = %q, %v; want fs.ErrNotExist", name, data, err)
		}
	}
	if got := slices.Collect(listedNames(t, st, "old/")); len(got) != 0 {
		t.Errorf("List(%q) = %q; want nothing", "old/", got)
	}
	if got := slices.Collect(listedNames(t, st, "")); !slices.Equal(got, []string{"x}e:old/c.json"}) {
		t.Errorf("List(%q) = %q; want only the entry the store saved", "", got)
	}
}
