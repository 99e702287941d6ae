// Package redisstore keeps a cachetta cache's entries in Redis, so that the
// processes of many machines share one cache: it implements cachetta.Store
// and cachetta.Locker on github.com/redis/go-redis/v9.
//
// An entry is one Redis string under the key prefix+"e:"+name: a 17-byte
// header (a format byte, the modification time in nanoseconds and a random
// version, both big-endian) followed by the entry's JSON bytes. A Save is
// one command, so a reader sees the old value or the new one, never a mix,
// and sets the key's expiry to the keep it is given so that Redis drops dead
// entries itself. A Load is one round trip: a GETRANGE of the header and
// at most the limit and one byte, so an entry larger than the limit costs
// one byte more than the limit to refuse, never its whole length.
//
// The lock of an entry is the key prefix+"l:"+name, taken with SET NX PX
// and renewed while held; List never yields it. Saves are fenced by it:
// while a Store holds the lock of an entry, its Save of that entry is a Lua
// script that sets the value only if the lock key still holds this holder's
// token, and otherwise writes nothing and returns an error wrapping
// ErrLockLost. So a run that lost its lock (its lease ran out, the server
// restarted without persistence or failed over) never puts its older result
// over the newer one of the run that took the lock after it. A Save of an
// entry whose lock the Store does not hold is one SET.
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

// Store is a cachetta.Locker whose entries and locks live in one Redis
// server (or a failover group). It is safe for use by any number of
// goroutines; the client stays the caller's to close.
type Store struct {
	client redis.UniversalClient
	prefix string
	logger *slog.Logger
	fences fences // the tokens of the locks this Store holds
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
	cfg := config{prefix: DefaultPrefix, logger: slog.Default()}
	for _, o := range opts {
		o.apply(&cfg)
	}
	if cfg.logger == nil {
		return nil, errors.New("redisstore: nil logger")
	}
	return &Store{client: client, prefix: cfg.prefix, logger: cfg.logger}, nil
}

// The keys of an entry are derived from its name here and nowhere else.
// A script is given the keys of one entry only, its value and its lock
// (entryKeys), so that one hash tag added to both here puts them in one
// Redis Cluster slot.

// entryKey is the Redis key of the entry name.
func (s *Store) entryKey(name string) string { return s.prefix + "e:" + name }

// lockKey is the Redis key of the lock of name, in a namespace of its own
// so that no entry name can collide with it and List never meets it.
func (s *Store) lockKey(name string) string { return s.prefix + "l:" + name }

// entryKeys returns the KEYS of a script on the entry name: its value's key,
// then its lock's.
func (s *Store) entryKeys(name string) []string {
	return []string{s.entryKey(name), s.lockKey(name)}
}

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
