package redisstore_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta/redisstore"
	"github.com/redis/go-redis/v9"
)

// TestSaveExpiry checks that keep becomes the key's Redis expiry, so that
// Redis drops an entry no cache can use, and that a Save without keep
// clears an earlier expiry: with the lock of the entry held, when the Save
// is the fenced script, as without it, when it is a SET.
func TestSaveExpiry(t *testing.T) {
	forEachTopology(t, func(t *testing.T, tp topology) {
		c := tp.client(t)
		for _, locked := range []bool{false, true} {
			t.Run(fmt.Sprintf("locked=%t", locked), func(t *testing.T) {
				st := newStore(t, c)
				if locked {
					unlock, err := st.Lock(t.Context(), "e.json", time.Minute)
					if err != nil {
						t.Fatal(err)
					}
					defer unlock()
				}
				testSaveExpiry(t, c, st)
			})
		}
	})
}

func testSaveExpiry(t *testing.T, c redis.UniversalClient, st *redisstore.Store) {
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
