// Package redisstore keeps a cachetta cache's entries in Redis, so that the
// processes of many machines share one cache: it implements cachetta.Store
// and cachetta.Locker on github.com/redis/go-redis/v9.
//
// An entry is one Redis string under the key prefix+"e:"+name: a 17-byte
// header (a format byte, the modification time in nanoseconds and a random
// version, both big-endian) followed by the entry's JSON bytes. A Save is
// one SET, so a reader sees the old value or the new one, never a mix, and
// sets the key's expiry to the keep it is given so that Redis drops dead
// entries itself. A Load is one round trip: a GETRANGE of the header and
// at most the limit and one byte, so an entry larger than the limit costs
// one byte more than the limit to refuse, never its whole length. The lock of an entry is the key prefix+"l:"+name, taken with
// SET NX PX and renewed while held; List never yields it.
//
// The store needs Redis 6.0 or later (or Valkey) and no command newer.
package redisstore

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cachetta-go/cachetta"
	"github.com/redis/go-redis/v9"
)

// Store is a cachetta.Locker whose entries and locks live in one Redis
// server (or a failover group). It is safe for use by any number of
// goroutines; the client stays the caller's to close.
type Store struct {
	client redis.UniversalClient
	prefix string
}

var _ cachetta.Locker = (*Store)(nil)

// New returns a Store on client. A Redis Cluster client and a Ring are
// refused, since an entry prefix's keys would lie on many servers and SCAN
// reaches one.
func New(client redis.UniversalClient, opts ...Option) (*Store, error) {
	if client == nil {
		return nil, errors.New("redisstore: nil client")
	}
	switch client.(type) {
	case *redis.ClusterClient, *redis.Ring:
		return nil, fmt.Errorf("redisstore: a %T is not supported; use one server or a failover client", client)
	}
	cfg := config{prefix: DefaultPrefix}
	for _, o := range opts {
		o.apply(&cfg)
	}
	return &Store{client: client, prefix: cfg.prefix}, nil
}

// entryKey is the Redis key of the entry name.
func (s *Store) entryKey(name string) string { return s.prefix + "e:" + name }

// lockKey is the Redis key of the lock of name, in a namespace of its own
// so that no entry name can collide with it and List never meets it.
func (s *Store) lockKey(name string) string { return s.prefix + "l:" + name }

// escapeGlob makes s match itself literally in a SCAN MATCH pattern, whose
// special characters are * ? [ and the backslash that escapes them.
func escapeGlob(s string) string {
	if !strings.ContainsAny(s, `*?[]\`) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '*', '?', '[', ']', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
