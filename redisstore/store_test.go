package redisstore_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
	"github.com/cachetta-go/cachetta/redisstore"
	"github.com/cachetta-go/cachetta/storetest"
	"github.com/redis/go-redis/v9"
)

// prefixes tells the stores of one server apart, so that each subtest of
// the suite starts empty.
var prefixes atomic.Int64

func newStore(t *testing.T, c redis.UniversalClient) *redisstore.Store {
	t.Helper()
	st, err := redisstore.New(c, redisstore.WithPrefix(fmt.Sprintf("test%d:", prefixes.Add(1))),
		redisstore.WithLogger(testLogger(t)))
	if err != nil {
		t.Fatalf("New = %v", err)
	}
	return st
}

// options reach behind the store: the modification time is bytes 1 to 8
// of the value, and a lease runs out when its key goes.
func options(c redis.UniversalClient) storetest.Options {
	return storetest.Options{
		SetModTime: func(ctx context.Context, s cachetta.Store, name string, t time.Time) error {
			b := make([]byte, 8)
			binary.BigEndian.PutUint64(b, uint64(t.UnixNano()))
			return c.SetRange(ctx, redisstore.EntryKey(s.(*redisstore.Store), name), 1, string(b)).Err()
		},
		ExpireLock: func(ctx context.Context, s cachetta.Store, name string) error {
			return c.Del(ctx, redisstore.LockKey(s.(*redisstore.Store), name)).Err()
		},
	}
}

// TestContract runs the contract suite on one server and on a cluster.
func TestContract(t *testing.T) {
	forEachTopology(t, func(t *testing.T, tp topology) {
		c := tp.client(t)
		storetest.Run(t, func(t *testing.T) cachetta.Store { return newStore(t, c) }, options(c))
	})
}
