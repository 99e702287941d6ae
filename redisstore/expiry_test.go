package redisstore_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta/redisstore"
	"github.com/redis/go-redis/v9"
)

// TestSaveExpiry checks that keep becomes the key's Redis expiry, so that
// Redis drops an entry no cache can use, and that a Save without keep
// clears an earlier expiry.
func TestSaveExpiry(t *testing.T) {
	c := startServer(t).client(t)
	st := newStore(t, c)
	ctx := t.Context()
	key := redisstore.EntryKey(st, "e.json")
	for _, tt := range []struct {
		keep     time.Duration
		min, max time.Duration // the PTTL Redis reports right after
	}{
		{time.Hour, 59 * time.Minute, time.Hour},
		{1500 * time.Millisecond, time.Millisecond, 1500 * time.Millisecond},
		{time.Microsecond, 0, time.Millisecond}, // rounded up, never "no expiry"
		{0, -1, -1},
		{-time.Second, -1, -1},
	} {
		if err := st.Save(ctx, "e.json", []byte(`1`), tt.keep); err != nil {
			t.Fatalf("Save(keep %v) = %v", tt.keep, err)
		}
		ttl, err := c.PTTL(ctx, key).Result()
		if err != nil {
			t.Fatalf("PTTL = %v", err)
		}
		if tt.min == -1 {
			// go-redis reports "no expiry" as -1 nanosecond.
			if ttl != -1 {
				t.Errorf("PTTL after Save(keep %v) = %v; want no expiry", tt.keep, ttl)
			}
			continue
		}
		if ttl < tt.min || ttl > tt.max {
			t.Errorf("PTTL after Save(keep %v) = %v; want in [%v, %v]", tt.keep, ttl, tt.min, tt.max)
		}
	}
}

// TestForeignValues checks that a key under the prefix that no Save wrote
// is an error naming the entry, from Load, Stat and List alike.
func TestForeignValues(t *testing.T) {
	c := startServer(t).client(t)
	st := newStore(t, c)
	ctx := t.Context()
	for _, tt := range []struct {
		name string
		set  func(key string) error
	}{
		{"short", func(k string) error { return c.Set(ctx, k, "abc", 0).Err() }},
		{"other format", func(k string) error { return c.Set(ctx, k, "x234567890123456789", 0).Err() }},
		{"hash", func(k string) error { return c.HSet(ctx, k, "f", "v").Err() }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			name := tt.name + ".json"
			key := redisstore.EntryKey(st, name)
			if err := tt.set(key); err != nil {
				t.Fatal(err)
			}
			defer c.Del(ctx, key)
			if data, _, err := st.Load(ctx, name, 100); err == nil || errors.Is(err, redis.Nil) {
				t.Errorf("Load(%s) = %q, %v; want an error", tt.name, data, err)
			}
			if e, err := st.Stat(ctx, name); err == nil {
				t.Errorf("Stat(%s) = %+v, nil; want an error", tt.name, e)
			}
			var listErr error
			for _, err := range st.List(ctx, "") {
				if err != nil {
					listErr = err
				}
			}
			if listErr == nil {
				t.Errorf("List with a %s value ended without an error", tt.name)
			}
		})
	}
}

// TestListMany walks more keys than one SCAN page holds, among keys of
// another prefix and locks: every entry once, nothing else.
func TestListMany(t *testing.T) {
	c := startServer(t).client(t)
	st, other := newStore(t, c), newStore(t, c)
	ctx := t.Context()
	const n = 1200
	for i := range n {
		if err := st.Save(ctx, fmt.Sprintf("d/%04d.json", i), []byte(`1`), time.Hour); err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			if err := other.Save(ctx, fmt.Sprintf("d/%04d.json", i), []byte(`1`), time.Hour); err != nil {
				t.Fatal(err)
			}
		}
	}
	unlock, err := st.Lock(ctx, "d/0001.json", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	seen := map[string]bool{}
	for e, err := range st.List(ctx, "d/") {
		if err != nil {
			t.Fatalf("List = %v", err)
		}
		if seen[e.Name] {
			t.Errorf("List yielded %q twice", e.Name)
		}
		seen[e.Name] = true
	}
	if len(seen) != n {
		t.Errorf("List yielded %d entries; want %d", len(seen), n)
	}
}

func TestNewRefuses(t *testing.T) {
	cluster := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}})
	defer cluster.Close()
	for _, tt := range []struct {
		name   string
		client redis.UniversalClient
	}{
		{"nil", nil},
		{"cluster", cluster},
	} {
		if st, err := redisstore.New(tt.client); err == nil {
			t.Errorf("New(%s) = %v, nil; want an error", tt.name, st)
		}
	}
}
