package redisstore

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Waiters poll for a held lock, first after minPoll, doubling to maxPoll.
const (
	minPoll = 2 * time.Millisecond
	maxPoll = 100 * time.Millisecond
)

// unlockTimeout bounds the release of a lock, which has no context of its
// own: a release that cannot reach the server leaves the lease to run out.
const unlockTimeout = 5 * time.Second

// renewScript extends the lease of KEYS[1] to ARGV[2] milliseconds if its
// holder is still ARGV[1].
var renewScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
	return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`)

// releaseScript deletes KEYS[1] if its holder is still ARGV[1], so that a
// holder whose lease ran out cannot release its successor's lock.
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
	return redis.call('DEL', KEYS[1])
end
return 0
`)

// Lock waits until it holds the lock of name: a key set with SET NX PX to a
// random token, whose lease a goroutine owned by the lock renews every
// lease/3 until unlock. A waiter polls with a backoff from 2ms to 100ms
// (jittered, so waiters do not step together) and gives up when ctx is
// done. lease is rounded up to a millisecond. A renewal that finds the key
// no longer holding the token logs a warning and ends: the lock is lost,
// and until unlock this Store's Saves of name are refused (see Save). unlock
// stops the renewal, waits for it to end, and deletes the key only if it
// still holds this holder's token; calling it again does nothing.
func (s *Store) Lock(ctx context.Context, name string, lease time.Duration) (unlock func(), err error) {
	if lease <= 0 {
		return nil, fmt.Errorf("redisstore: lock %s: lease %v is not positive", name, lease)
	}
	lease = (lease + time.Millisecond - 1).Truncate(time.Millisecond)
	key := s.lockKey(name)
	token := rand.Text()
	poll := minPoll
	var timer *time.Timer
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("redisstore: lock %s: %w", name, err)
		}
		ok, err := s.client.SetNX(ctx, key, token, lease).Result()
		if err != nil {
			return nil, fmt.Errorf("redisstore: lock %s: %w", name, err)
		}
		if ok {
			return s.hold(name, token, lease), nil
		}
		wait := poll/2 + mrand.N(poll/2+1)
		poll = min(2*poll, maxPoll)
		if timer == nil {
			timer = time.NewTimer(wait)
			defer timer.Stop()
		} else {
			timer.Reset(wait)
		}
		select {
		case <-ctx.Done():
		case <-timer.C:
		}
	}
}

// hold starts the renewal of the lock of name just taken with token, and
// fences the Store's Saves of name with it, and returns its unlock.
func (s *Store) hold(name, token string, lease time.Duration) func() {
	key := s.lockKey(name)
	s.fences.add(name, token)
	ctx, stop := context.WithCancel(context.Background())
	var renewer sync.WaitGroup
	renewer.Go(func() {
		tick := time.NewTicker(max(lease/3, time.Millisecond))
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			rctx, cancel := context.WithTimeout(ctx, lease)
			n, err := renewScript.Run(rctx, s.client, []string{key}, token, lease.Milliseconds()).Int64()
			cancel()
			if err == nil && n == 0 {
				// The lease ran out, or the server lost the key, and
				// another may hold it now: nothing left to renew. Saves
				// of name are refused from here on by their fence; this
				// says why, where no caller would hear it.
				s.logger.LogAttrs(ctx, slog.LevelWarn, "cache lock lost, the holder's save will be refused",
					slog.String("path", name), slog.String("key", key), slog.Duration("lease", lease))
				return
			}
			// An error (a server away for a moment) is retried at the next
			// tick: the lease may still be running.
		}
	})
	var once sync.Once
	return func() {
		once.Do(func() {
			stop()
			renewer.Wait()
			// Forgotten before the release, so that a holder in this
			// process that takes the lock after it never finds this token
			// still fencing its Saves.
			s.fences.remove(name, token)
			rctx, cancel := context.WithTimeout(context.Background(), unlockTimeout)
			defer cancel()
			// An error leaves the lease to run out, which the Locker
			// contract allows.
			_ = releaseScript.Run(rctx, s.client, []string{key}, token).Err()
		})
	}
}
