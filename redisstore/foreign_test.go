package redisstore_test

import (
	"errors"
	"testing"

	"github.com/cachetta-go/cachetta/redisstore"
	"github.com/redis/go-redis/v9"
)

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
