// Package redisstore keeps a cachetta cache's entries in Redis, so that the
// processes of many machines share one cache: it implements cachetta.Store
// and cachetta.Locker on github.com/redis/go-redis/v9, on one server, a
// Sentinel failover group or a Redis Cluster (Valkey alike).
//
// An entry is one Redis string under the key prefix+"{"+tag+"}e:"+name,
// where tag is 8 hex digits hashed from the name, so that every key of one
// entry lies in one cluster slot while the entries spread over all of them:
// a 17-byte header (a format byte, the modification time in nanoseconds and
// a random version, both big-endian) followed by the entry's JSON bytes. A
// Save is one command, so a reader sees the old value or the new one, never
// a mix, and sets the key's expiry to the keep it is given so that Redis
// drops dead entries itself. A Load is one round trip: a GETRANGE of the
// header and at most the limit and one byte, so an entry larger than the
// limit costs one byte more than the limit to refuse, never its whole
// length.
//
// The lock of an entry is the key prefix+"{"+tag+"}l:"+name, in the
// entry's slot, taken with SET NX PX and renewed while held; List never
// yields it. Saves are fenced by it: while a Store holds the lock of an
// entry, its Save of that entry is a Lua script that sets the value only if
// the lock key still holds this holder's token, and otherwise writes
// nothing and returns an error wrapping ErrLockLost. So a run that lost its
// lock (its lease ran out, the server restarted without persistence or
// failed over to a replica that had not received the lock) never puts its
// older result over the newer one of the run that took the lock after it.
// A Save of an entry whose lock the Store does not hold is one SET.
//
// List walks every master of a cluster in turn, and the one server
// otherwise.
//
// The store needs Redis 6.0 or later (or Valkey) and no command newer.
package redisstore

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/cachetta-go/cachetta"
	"github.com/redis/go-redis/v9"
)

// Store is a cachetta.Locker whose entries and locks live in Redis: one
// server, a failover group or a cluster. It is safe for use by any number
// of goroutines; the client stays the caller's to close.
type Store struct {
	client redis.UniversalClient
	prefix string
	logger *slog.Logger
	fences fences // the tokens of the locks this Store holds
}

var _ cachetta.Locker = (*Store)(nil)

// New returns a Store on client: a *redis.Client of one server or of a
// Sentinel failover group (redis.NewFailoverClient), or a
// *redis.ClusterClient (what redis.NewUniversalClient returns for these).
// Another implementation of redis.UniversalClient is taken for one server,
// unless it has the cluster client's ForEachMaster, which List then uses to
// walk every master.
//
// A *redis.Ring is refused: when a shard is down the ring moves its keys to
// the others and back when it returns, so an entry saved before the move
// would come back older than one saved during it, and a lock could be held
// on two shards at once. A prefix holding a brace is refused too (see
// WithPrefix).
func New(client redis.UniversalClient, opts ...Option) (*Store, error) {
	if client == nil {
		return nil, errors.New("redisstore: nil client")
	}
	if _, ok := client.(*redis.Ring); ok {
		return nil, errors.New("redisstore: a *redis.Ring is not supported (it moves keys between shards); use one server, a failover client or a cluster client")
	}
	cfg := config{prefix: DefaultPrefix, logger: slog.Default()}
	for _, o := range opts {
		o.apply(&cfg)
	}
	if cfg.logger == nil {
		return nil, errors.New("redisstore: nil logger")
	}
	if strings.ContainsAny(cfg.prefix, "{}") {
		return nil, fmt.Errorf("redisstore: prefix %q holds a brace, which would change the cluster slots of the store's keys", cfg.prefix)
	}
	return &Store{client: client, prefix: cfg.prefix, logger: cfg.logger}, nil
}
