package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
	"github.com/cachetta-go/cachetta/redisstore"
	"github.com/redis/go-redis/v9"
)

// lockLosses are the ways a holder loses its lock while it runs, each
// followed by another process's run that takes the lock and saves a newer
// value: held says whether that other run still holds the lock when the
// first one saves.
var lockLosses = []struct {
	name string
	lose func(t *testing.T, srv *server, c *redis.Client, lockKey string)
	held bool
}{
	{
		name: "lock key deleted",
		lose: func(t *testing.T, _ *server, c *redis.Client, lockKey string) {
			if n, err := c.Del(t.Context(), lockKey).Result(); err != nil || n != 1 {
				t.Fatalf("DEL lock = %d, %v; want 1", n, err)
			}
		},
	},
	{
		// PEXPIREAT in the past makes the lease run out now, as for a
		// holder paused past its lease; no waiting on the clock.
		name: "lease ran out and another holds the lock",
		lose: func(t *testing.T, _ *server, c *redis.Client, lockKey string) {
			if ok, err := c.PExpireAt(t.Context(), lockKey, time.UnixMilli(1)).Result(); err != nil || !ok {
				t.Fatalf("PEXPIREAT lock = %t, %v; want true", ok, err)
			}
		},
		held: true,
	},
	{
		name: "FLUSHALL, as a restart without persistence",
		lose: func(t *testing.T, _ *server, c *redis.Client, _ string) {
			if err := c.FlushAll(t.Context()).Err(); err != nil {
				t.Fatalf("FLUSHALL = %v", err)
			}
		},
		held: true,
	},
	{
		name: "server restarted without persistence",
		lose: func(t *testing.T, srv *server, _ *redis.Client, _ string) {
			srv.stop()
			srv.restart(t)
		},
	},
}

// twoStores returns two Store values on one prefix, as two processes
// sharing a cache have; the first logs to log.
func twoStores(t *testing.T, c redis.UniversalClient, log *slog.Logger) (st, other *redisstore.Store) {
	t.Helper()
	prefix := fmt.Sprintf("fence%d:", prefixes.Add(1))
	st, err := redisstore.New(c, redisstore.WithPrefix(prefix), redisstore.WithLogger(log))
	if err != nil {
		t.Fatal(err)
	}
	other, err = redisstore.New(c, redisstore.WithPrefix(prefix), redisstore.WithLogger(testLogger(t)))
	if err != nil {
		t.Fatal(err)
	}
	return st, other
}

// saveNewer is the other process's run: it takes the lock of name, saves
// data and, unless held, releases the lock. It returns the release.
func saveNewer(t *testing.T, other *redisstore.Store, name, data string, held bool) (unlock func()) {
	t.Helper()
	ctx := t.Context()
	unlock, err := other.Lock(ctx, name, time.Minute)
	if err != nil {
		t.Fatalf("Lock by the other process = %v", err)
	}
	t.Cleanup(unlock)
	if err := other.Save(ctx, name, []byte(data), time.Hour); err != nil {
		t.Fatalf("Save by the other process, under its lock = %v", err)
	}
	if !held {
		unlock()
	}
	return unlock
}

// wantEntry fails t unless the entry name holds want.
func wantEntry(t *testing.T, st *redisstore.Store, name, want string) {
	t.Helper()
	if got, _, err := st.Load(t.Context(), name, 1<<10); err != nil || string(got) != want {
		t.Errorf("Load(%q) = %q, %v; want %q", name, got, err, want)
	}
}

// TestSaveThatLostItsLockWritesNothing takes a lock, loses it, and lets
// another process take it and save a newer value: the first holder's Save
// is refused with ErrLockLost and the newer value stays.
func TestSaveThatLostItsLockWritesNothing(t *testing.T) {
	const name = "lost.json"
	for _, tt := range lockLosses {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t)
			c := srv.client(t)
			st, other := twoStores(t, c, testLogger(t))
			ctx := t.Context()
			unlock, err := st.Lock(ctx, name, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			defer unlock()
			if err := st.Save(ctx, name, []byte(`"old"`), time.Hour); err != nil {
				t.Fatalf("Save under a held lock = %v", err)
			}
			tt.lose(t, srv, c, redisstore.LockKey(st, name))
			saveNewer(t, other, name, `"newer"`, tt.held)
			err = st.Save(ctx, name, []byte(`"stale"`), time.Hour)
			if !errors.Is(err, redisstore.ErrLockLost) {
				t.Errorf("Save after the lock was lost = %v; want ErrLockLost", err)
			}
			wantEntry(t, other, name, `"newer"`)
		})
	}
}

// TestWrappedRunThatLostItsLockKeepsTheNewerValue runs a wrapped function
// through a cache on the store and makes its lock lost mid-run, while
// another process's run saves a newer value: the call still returns the
// run's result, its Save writes nothing, the newer value stays, and the
// cache logs a warning whose error wraps ErrLockLost.
func TestWrappedRunThatLostItsLockKeepsTheNewerValue(t *testing.T) {
	const name = "lost.json"
	for _, tt := range lockLosses {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t)
			c := srv.client(t)
			warns, log := newWarnLog(t)
			st, other := twoStores(t, c, log)
			cache, err := cachetta.New[string](name, cachetta.WithStore(st), cachetta.WithLogger(log))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), processWait)
			defer cancel()
			started, proceed := make(chan struct{}), make(chan struct{})
			get := cachetta.Wrap(cache, func(ctx context.Context) (string, error) {
				close(started)
				select {
				case <-proceed:
					return "older", nil
				case <-ctx.Done():
					return "", ctx.Err()
				}
			})
			type result struct {
				v   string
				err error
			}
			done := make(chan result, 1)
			go func() {
				v, err := get(ctx)
				done <- result{v, err}
			}()
			select {
			case <-started:
			case <-ctx.Done():
				t.Fatal("the wrapped function did not start")
			}
			lockKey := redisstore.LockKey(st, name)
			if n, err := c.Exists(ctx, lockKey).Result(); err != nil || n != 1 {
				t.Fatalf("EXISTS lock during the run = %d, %v; want the run to hold it", n, err)
			}
			tt.lose(t, srv, c, lockKey)
			saveNewer(t, other, name, `"newer"`, tt.held)
			close(proceed)
			r := <-done
			cache.Wait()
			if r.v != "older" || r.err != nil {
				t.Errorf("get() = %q, %v; want the run's result %q", r.v, r.err, "older")
			}
			wantEntry(t, other, name, `"newer"`)
			if !warns.has("cache write failed", errAttr(redisstore.ErrLockLost)) {
				t.Errorf("warnings = %v; want a failed write wrapping ErrLockLost", warns.all())
			}
		})
	}
}

// TestSaveFencedOnlyWhileThisStoreHoldsTheLock checks where the fence
// stops: a Save is refused only while this Store value holds a lock of the
// same name; after the unlock, for another name, or under a lock held by
// another Store value, it is a plain SET. Every case saves with the lock
// key missing or someone else's, which a fenced Save would refuse.
func TestSaveFencedOnlyWhileThisStoreHoldsTheLock(t *testing.T) {
	forEachTopology(t, testSaveFencedOnlyWhileThisStoreHoldsTheLock)
}

func testSaveFencedOnlyWhileThisStoreHoldsTheLock(t *testing.T, tp topology) {
	c := tp.client(t)
	for _, tt := range []struct {
		name    string
		hold    func(t *testing.T, st, other *redisstore.Store) (unlock func())
		wantErr error
	}{
		{"lock of the name held and lost", func(t *testing.T, st, _ *redisstore.Store) func() {
			unlock, err := st.Lock(t.Context(), "x.json", time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			return unlock
		}, redisstore.ErrLockLost},
		{"lock released", func(t *testing.T, st, _ *redisstore.Store) func() {
			unlock, err := st.Lock(t.Context(), "x.json", time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			unlock()
			return unlock
		}, nil},
		{"lock of another name held and lost", func(t *testing.T, st, _ *redisstore.Store) func() {
			unlock, err := st.Lock(t.Context(), "y.json", time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			return unlock
		}, nil},
		{"lock of the name held by another Store value", func(t *testing.T, _, other *redisstore.Store) func() {
			unlock, err := other.Lock(t.Context(), "x.json", time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			return unlock
		}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st, other := twoStores(t, c, testLogger(t))
			ctx := t.Context()
			unlock := tt.hold(t, st, other)
			defer unlock()
			// Whatever lock there is now holds a token st does not have.
			for _, name := range []string{"x.json", "y.json"} {
				if err := c.Set(ctx, redisstore.LockKey(st, name), "someone else", time.Minute).Err(); err != nil {
					t.Fatal(err)
				}
			}
			err := st.Save(ctx, "x.json", []byte(`"saved"`), time.Hour)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("Save = %v; want %v", err, tt.wantErr)
			}
			if tt.wantErr == nil {
				wantEntry(t, st, "x.json", `"saved"`)
			}
		})
	}
}

// TestSaveRefusedWhileLostHolderRemains has one Store hold the lock of a
// name twice: the first holder lost it and a second took it. The Store
// cannot tell which of them saves, so it refuses Saves of the name until
// the lost holder lets go, and then fences them with the second's token.
func TestSaveRefusedWhileLostHolderRemains(t *testing.T) {
	c := startServer(t).client(t)
	st := newStore(t, c)
	ctx := t.Context()
	const name = "twice.json"
	first, err := st.Lock(ctx, name, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer first()
	if err := c.Del(ctx, redisstore.LockKey(st, name)).Err(); err != nil {
		t.Fatal(err)
	}
	second, err := st.Lock(ctx, name, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer second()
	if err := st.Save(ctx, name, []byte(`1`), 0); !errors.Is(err, redisstore.ErrLockLost) {
		t.Errorf("Save while the lost holder remains = %v; want ErrLockLost", err)
	}
	first()
	if err := st.Save(ctx, name, []byte(`2`), 0); err != nil {
		t.Errorf("Save once only the second holder remains = %v", err)
	}
	wantEntry(t, st, name, "2")
	// Still fenced by the second holder's lock.
	if err := c.Del(ctx, redisstore.LockKey(st, name)).Err(); err != nil {
		t.Fatal(err)
	}
	if err := st.Save(ctx, name, []byte(`3`), 0); !errors.Is(err, redisstore.ErrLockLost) {
		t.Errorf("Save after the second holder lost its lock = %v; want ErrLockLost", err)
	}
	wantEntry(t, st, name, "2")
}

// TestRenewalWarnsWhenLockLost takes a lock with a short lease, so that its
// renewal runs often, and loses it: the renewal logs a warning naming the
// entry instead of stopping silently.
func TestRenewalWarnsWhenLockLost(t *testing.T) {
	c := startServer(t).client(t)
	for _, tt := range []struct {
		name string
		lose func(ctx context.Context, key string) error
	}{
		{"lock key deleted", func(ctx context.Context, key string) error {
			return c.Del(ctx, key).Err()
		}},
		{"lock taken by another holder", func(ctx context.Context, key string) error {
			return c.Set(ctx, key, "someone else", time.Minute).Err()
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			warns, log := newWarnLog(t)
			st, _ := twoStores(t, c, log)
			ctx, cancel := context.WithTimeout(t.Context(), processWait)
			defer cancel()
			const name = "renewed.json"
			unlock, err := st.Lock(ctx, name, 30*time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			defer unlock()
			if err := tt.lose(ctx, redisstore.LockKey(st, name)); err != nil {
				t.Fatal(err)
			}
			if err := warns.wait(ctx, "cache lock lost, the holder's save will be refused", stringAttr("path", name)); err != nil {
				t.Errorf("no warning of the lost lock: %v; warnings = %v", err, warns.all())
			}
		})
	}
}

// testLogger logs to the test's output, shown only when it fails.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), nil))
}

// warnLog keeps the records at warn level and above that its handler
// passes on, for a test to look for.
type warnLog struct {
	mu    sync.Mutex // guards warns, added
	warns []slog.Record
	added chan struct{} // closed and replaced when a record is kept
}

// newWarnLog returns a warnLog and a logger that logs to the test's output
// and keeps its warnings there.
func newWarnLog(t *testing.T) (*warnLog, *slog.Logger) {
	w := &warnLog{added: make(chan struct{})}
	return w, slog.New(warnHandler{slog.NewTextHandler(t.Output(), nil), w})
}

// has reports whether a warning with msg was kept whose attributes match.
func (w *warnLog) has(msg string, match func(slog.Attr) bool) bool {
	found, _ := w.find(msg, match)
	return found
}

// find is has, and also returns a channel closed at the next record kept.
func (w *warnLog) find(msg string, match func(slog.Attr) bool) (bool, <-chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, r := range w.warns {
		if r.Message != msg {
			continue
		}
		found := false
		r.Attrs(func(a slog.Attr) bool {
			found = match(a)
			return !found
		})
		if found {
			return true, nil
		}
	}
	return false, w.added
}

// wait waits for a warning that has finds, or for ctx to be done.
func (w *warnLog) wait(ctx context.Context, msg string, match func(slog.Attr) bool) error {
	for {
		found, added := w.find(msg, match)
		if found {
			return nil
		}
		select {
		case <-added:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// all returns the messages of the warnings kept, for failure messages.
func (w *warnLog) all() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, r := range w.warns {
		out = append(out, r.Message)
	}
	return out
}

// errAttr matches an "err" attribute wrapping target.
func errAttr(target error) func(slog.Attr) bool {
	return func(a slog.Attr) bool {
		err, ok := a.Value.Any().(error)
		return a.Key == "err" && ok && errors.Is(err, target)
	}
}

// stringAttr matches the attribute key=value.
func stringAttr(key, value string) func(slog.Attr) bool {
	return func(a slog.Attr) bool { return a.Key == key && a.Value.String() == value }
}

// warnHandler passes every record on and keeps those at warn level and
// above in its warnLog.
type warnHandler struct {
	slog.Handler
	w *warnLog
}

func (h warnHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelWarn {
		h.w.mu.Lock()
		h.w.warns = append(h.w.warns, r.Clone())
		close(h.w.added)
		h.w.added = make(chan struct{})
		h.w.mu.Unlock()
	}
	return h.Handler.Handle(ctx, r)
}

func (h warnHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return warnHandler{h.Handler.WithAttrs(as), h.w}
}

func (h warnHandler) WithGroup(name string) slog.Handler {
	return warnHandler{h.Handler.WithGroup(name), h.w}
}
