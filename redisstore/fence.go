package redisstore

import (
	"errors"
	"slices"
	"sync"

	"github.com/redis/go-redis/v9"
)

// ErrLockLost reports a Save that wrote nothing because the lock of its
// entry, taken by this Store, no longer holds this holder's token: its lease
// ran out, or the server lost it (a restart without persistence, a
// failover). Another holder may have taken the lock and saved a newer value
// since, which the refused Save leaves in place. In a wrapped function's
// run the cache logs the failed write at warn level and still returns the
// run's result to its callers.
var ErrLockLost = errors.New("redisstore: lock lost")

// fencedSetScript sets KEYS[1], an entry, to ARGV[2] only while KEYS[2],
// the entry's lock, holds the token ARGV[1], checking and setting in one
// step on the server, so that no holder takes the lock in between. The
// value's expiry is ARGV[3] milliseconds when positive and none otherwise,
// as with Save's SET. It returns 1 when it set the entry, 0 when the lock
// was lost.
var fencedSetScript = redis.NewScript(`
if redis.call('GET', KEYS[2]) ~= ARGV[1] then
	return 0
end
local px = tonumber(ARGV[3])
if px > 0 then
	redis.call('SET', KEYS[1], ARGV[2], 'PX', px)
else
	redis.call('SET', KEYS[1], ARGV[2])
end
return 1
`)

// fences are the tokens of the locks a Store holds, by entry name, so that
// its Save of an entry whose lock it holds is fenced by that lock's token.
// The cache takes an entry's lock and saves the entry through the same
// Store, with nothing but the name to tie the two together, so the name is
// what a Save is fenced by. The zero value is ready.
type fences struct {
	mu     sync.Mutex          // guards tokens
	tokens map[string][]string // by entry name, oldest first; never an empty slice
}

// add records the token of a lock of name just taken.
func (f *fences) add(name, token string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.tokens == nil {
		f.tokens = make(map[string][]string)
	}
	f.tokens[name] = append(f.tokens[name], token)
}

// remove forgets the token of a lock of name being released.
func (f *fences) remove(name, token string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	tokens := slices.DeleteFunc(f.tokens[name], func(t string) bool { return t == token })
	if len(tokens) == 0 {
		delete(f.tokens, name)
	} else {
		f.tokens[name] = tokens
	}
}

// token returns the token that fences a Save of name, and false when the
// Store holds no lock of name. The Store holds two locks of one name only
// when the first was lost and a second holder in this process took the
// lock again (the lock key was free, so the first token cannot be in it),
// and it cannot tell which of the two is saving: the oldest token is
// returned, whose Save is refused, because a write dropped costs a
// recomputation while a lost holder's write could put an older result over
// a newer one.
func (f *fences) token(name string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	tokens := f.tokens[name]
	if len(tokens) == 0 {
		return "", false
	}
	return tokens[0], true
}
