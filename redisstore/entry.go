package redisstore

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"time"

	"github.com/cachetta-go/cachetta"
	"github.com/redis/go-redis/v9"
)

// The header that starts every value: format, modification time, version.
const (
	formatV1   = 'c'
	headerSize = 1 + 8 + 8
)

// statScript returns the length and the header of KEYS[1], both read in
// one step so that a Save between them cannot pair one value's size with
// another's time, or nil when the key is missing. It reads one key, so that
// it runs in a cluster whatever the key's slot: List reads the entries of a
// page, which lie in many slots, with one call per key in one pipeline.
var statScript = redis.NewScript(`
local h = redis.call('GETRANGE', KEYS[1], 0, 16)
if h == '' then
	return false
end
return {redis.call('STRLEN', KEYS[1]), h}
`)

// value encodes data saved at t: a header, then data. The version is
// random rather than counted so that a Save stays one command.
func value(t time.Time, data []byte) []byte {
	v := make([]byte, headerSize, headerSize+len(data))
	v[0] = formatV1
	binary.BigEndian.PutUint64(v[1:9], uint64(t.UnixNano()))
	binary.BigEndian.PutUint64(v[9:], rand.Uint64())
	return append(v, data...)
}

// parseHeader decodes the header h of the entry name whose value is size
// bytes long. Its error is for the caller to wrap with the operation and
// the name.
func parseHeader[H string | []byte](name string, h H, size int64) (cachetta.StoreEntry, error) {
	if len(h) < headerSize || h[0] != formatV1 || size < headerSize {
		return cachetta.StoreEntry{}, fmt.Errorf("value of %d bytes is not a cachetta entry", size)
	}
	return cachetta.StoreEntry{
		Name:    name,
		Size:    size - headerSize,
		ModTime: time.Unix(0, int64(binary.BigEndian.Uint64([]byte(h[1:9])))),
		Version: hex.EncodeToString([]byte(h[9:headerSize])),
	}, nil
}

// Load returns the bytes of the entry name in one round trip: a GETRANGE
// of the header and at most maxSize+1 bytes, so that an entry over the
// limit costs one byte more than the limit to find, not its length, and a
// hit costs what a GET costs (a Lua script that checked the length first
// took about 1.5 times as long as a GET on loopback). An entry whose value is not one Save
// wrote (another program's key under the prefix) is an error, not a miss.
func (s *Store) Load(ctx context.Context, name string, maxSize int64) ([]byte, cachetta.StoreEntry, error) {
	if err := ctx.Err(); err != nil {
		return nil, cachetta.StoreEntry{}, fmt.Errorf("redisstore: load %s: %w", name, err)
	}
	// The last offset GETRANGE is asked for: header, maxSize bytes, and
	// one more to tell "at the limit" from "over it".
	last := int64(math.MaxInt64)
	if maxSize < math.MaxInt64-headerSize {
		last = headerSize + max(maxSize, 0)
	}
	v, err := s.client.GetRange(ctx, s.entryKey(name), 0, last).Bytes()
	if err != nil {
		return nil, cachetta.StoreEntry{}, fmt.Errorf("redisstore: load %s: %w", name, err)
	}
	if len(v) == 0 {
		// Every value a Save writes has a header; GETRANGE of a missing
		// key is empty.
		return nil, cachetta.StoreEntry{}, fmt.Errorf("redisstore: load %s: %w", name, fs.ErrNotExist)
	}
	if int64(len(v))-headerSize > maxSize { // headerSize+maxSize can overflow
		return nil, cachetta.StoreEntry{}, fmt.Errorf("redisstore: load %s: more than %d bytes: %w", name, maxSize, cachetta.ErrTooLarge)
	}
	e, err := parseHeader(name, v, int64(len(v)))
	if err != nil {
		return nil, cachetta.StoreEntry{}, fmt.Errorf("redisstore: load %s: %w", name, err)
	}
	return v[headerSize:len(v):len(v)], e, nil
}

// Stat returns the StoreEntry of name, reading only the value's header.
func (s *Store) Stat(ctx context.Context, name string) (cachetta.StoreEntry, error) {
	if err := ctx.Err(); err != nil {
		return cachetta.StoreEntry{}, fmt.Errorf("redisstore: stat %s: %w", name, err)
	}
	e, err := statReply(name, statScript.Run(ctx, s.client, []string{s.entryKey(name)}))
	if err != nil {
		return cachetta.StoreEntry{}, fmt.Errorf("redisstore: stat %s: %w", name, err)
	}
	if e == nil {
		return cachetta.StoreEntry{}, fmt.Errorf("redisstore: stat %s: %w", name, fs.ErrNotExist)
	}
	return *e, nil
}

// statPage returns the entries of names, nil for those missing, in one
// round trip per server: one statScript per name, all in one pipeline,
// which a cluster client splits among the masters. An error names the
// entry it is about.
func (s *Store) statPage(ctx context.Context, names []string) ([]*cachetta.StoreEntry, error) {
	keys := make([]string, len(names))
	for i, name := range names {
		keys[i] = s.entryKey(name)
	}
	cmds := s.statPipeline(ctx, keys, statScript.EvalSha)
	for _, cmd := range cmds {
		if redis.HasErrorPrefix(cmd.Err(), "NOSCRIPT") {
			// A server that has not run the script yet (restarted, or a
			// replica promoted since): send it whole this time, which
			// also caches it there.
			cmds = s.statPipeline(ctx, keys, statScript.Eval)
			break
		}
	}
	out := make([]*cachetta.StoreEntry, len(names))
	for i, cmd := range cmds {
		e, err := statReply(names[i], cmd)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", names[i], err)
		}
		out[i] = e
	}
	return out, nil
}

// statPipeline runs statScript on each of keys with eval (EVALSHA or
// EVAL), in one pipeline, and returns the commands in the order of keys.
func (s *Store) statPipeline(ctx context.Context, keys []string,
	eval func(context.Context, redis.Scripter, []string, ...any) *redis.Cmd) []*redis.Cmd {
	pipe := s.client.Pipeline()
	cmds := make([]*redis.Cmd, len(keys))
	for i, key := range keys {
		cmds[i] = eval(ctx, pipe, []string{key})
	}
	// Each command keeps its own error, which statReply reads; Exec's is
	// the first of them.
	_, _ = pipe.Exec(ctx)
	return cmds
}

// statReply decodes the reply of statScript on the entry name: nil when
// the entry is missing. Its error is for the caller to wrap.
func statReply(name string, cmd *redis.Cmd) (*cachetta.StoreEntry, error) {
	res, err := cmd.Slice()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if len(res) != 2 {
		return nil, fmt.Errorf("stat reply of %d elements", len(res))
	}
	size, _ := res[0].(int64)
	h, _ := res[1].(string)
	e, err := parseHeader(name, h, size)
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// Save replaces the entry name by data with one SET or, while this Store
// holds the lock of name, with one script that sets it only if the lock key
// still holds this holder's token; otherwise the Save writes nothing and
// returns an error wrapping ErrLockLost. keep, when positive, becomes the
// key's expiry (rounded up to a millisecond); otherwise the key has none,
// even if an earlier Save gave it one.
//
// The fence is by name: while a lock of name is held, any Save of name
// through this Store value is fenced by it, a Write of the cache beside
// the run as well as the run's own Save.
func (s *Store) Save(ctx context.Context, name string, data []byte, keep time.Duration) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("redisstore: save %s: %w", name, err)
	}
	var expiry time.Duration
	if keep > 0 {
		expiry = (keep + time.Millisecond - 1).Truncate(time.Millisecond)
	}
	v := value(time.Now(), data)
	token, locked := s.fences.token(name)
	if !locked {
		if err := s.client.Set(ctx, s.entryKey(name), v, expiry).Err(); err != nil {
			return fmt.Errorf("redisstore: save %s: %w", name, err)
		}
		return nil
	}
	set, err := fencedSetScript.Run(ctx, s.client, s.entryKeys(name), token, v, expiry.Milliseconds()).Int()
	if err != nil {
		return fmt.Errorf("redisstore: save %s: %w", name, err)
	}
	if set == 0 {
		return fmt.Errorf("%w: save %s refused", ErrLockLost, name)
	}
	return nil
}

// Delete removes the entry name.
func (s *Store) Delete(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("redisstore: delete %s: %w", name, err)
	}
	if err := s.client.Del(ctx, s.entryKey(name)).Err(); err != nil {
		return fmt.Errorf("redisstore: delete %s: %w", name, err)
	}
	return nil
}
