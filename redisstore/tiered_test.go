package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
	"github.com/cachetta-go/cachetta/redisstore"
	"github.com/cachetta-go/cachetta/storetest"
)

// countingRedis counts the Loads and Stats that reach one machine's Redis
// store, and is a Locker as the store is.
type countingRedis struct {
	*redisstore.Store
	loads, stats atomic.Int64
}

func (s *countingRedis) Load(ctx context.Context, name string, maxSize int64) ([]byte, cachetta.StoreEntry, error) {
	s.loads.Add(1)
	return s.Store.Load(ctx, name, maxSize)
}

func (s *countingRedis) Stat(ctx context.Context, name string) (cachetta.StoreEntry, error) {
	s.stats.Add(1)
	return s.Store.Stat(ctx, name)
}

// A redisMachine is one machine sharing a Redis: a client and a store of
// its own, with the shared prefix, behind a local directory.
type redisMachine struct {
	dir    string
	remote *countingRedis
	store  cachetta.Store
}

func newRedisMachine(t *testing.T, srv *server, prefix string, recheck time.Duration) *redisMachine {
	t.Helper()
	st, err := redisstore.New(srv.client(t), redisstore.WithPrefix(prefix), redisstore.WithLogger(testLogger(t)))
	if err != nil {
		t.Fatal(err)
	}
	local, err := cachetta.NewFileStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { local.Close() })
	remote := &countingRedis{Store: st}
	tier, err := cachetta.NewTiered(local, remote, recheck)
	if err != nil {
		t.Fatal(err)
	}
	return &redisMachine{dir: local.Dir(), remote: remote, store: tier}
}

// calls returns the Loads and Stats the machine sent to Redis.
func (m *redisMachine) calls() [2]int64 {
	return [2]int64{m.remote.loads.Load(), m.remote.stats.Load()}
}

// missSignal is a slog handler that closes missed at the first cache miss
// it sees.
type missSignal struct {
	slog.Handler
	once   *sync.Once
	missed chan struct{}
}

func (h missSignal) Enabled(context.Context, slog.Level) bool { return true }

func (h missSignal) Handle(ctx context.Context, r slog.Record) error {
	if strings.HasPrefix(r.Message, "cache miss") {
		h.once.Do(func() { close(h.missed) })
	}
	return h.Handler.Handle(ctx, r)
}

// Two machines, each a local directory in front of one Redis: a miss on
// both runs the function once (the Redis lock, taken through the tiered
// store), each machine then answers from its own disk without asking Redis
// for bytes, and an Invalidate on one is seen by the other within recheck
// (here at once, or by hits that ask Redis nothing for an hour).
func TestTieredTwoMachinesShareOneRedis(t *testing.T) {
	srv := startServer(t)
	for _, recheck := range []time.Duration{0, time.Hour} {
		t.Run("recheck="+recheck.String(), func(t *testing.T) {
			ctx := t.Context()
			prefix := fmt.Sprintf("tier%d:", prefixes.Add(1))
			a, b := newRedisMachine(t, srv, prefix, recheck), newRedisMachine(t, srv, prefix, recheck)
			var runs atomic.Int64
			started, release := make(chan struct{}), make(chan struct{})
			fn := func(_ context.Context, id int) (string, error) {
				if runs.Add(1) == 1 {
					close(started)
					<-release
				}
				return fmt.Sprint("user ", id), nil
			}
			newCache := func(m *redisMachine, h slog.Handler) *cachetta.Cachetta[string] {
				c, err := cachetta.New[string]("users/user.json", cachetta.WithStore(m.store),
					cachetta.WithDuration(time.Hour), cachetta.WithLogger(slog.New(h)))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(c.Wait)
				return c
			}
			text := slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug})
			missed := make(chan struct{})
			ca := newCache(a, text)
			cb := newCache(b, missSignal{text, &sync.Once{}, missed})
			getA, getB := cachetta.Wrap1(ca, fn), cachetta.Wrap1(cb, fn)

			type result struct {
				v   string
				err error
			}
			doneA, doneB := make(chan result, 1), make(chan result, 1)
			go func() { v, err := getA(ctx, 42); doneA <- result{v, err} }()
			<-started
			go func() { v, err := getB(ctx, 42); doneB <- result{v, err} }()
			// B has missed: without the lock it would run the function.
			select {
			case <-missed:
			case <-ctx.Done():
				t.Fatal("B never missed")
			}
			close(release)
			for _, done := range []chan result{doneA, doneB} {
				if r := <-done; r.v != "user 42" || r.err != nil {
					t.Fatalf("get(42) = %q, %v; want user 42", r.v, r.err)
				}
			}
			if runs.Load() != 1 {
				t.Errorf("two machines missing at once ran the function %d times; want 1", runs.Load())
			}

			name, _ := ca.PathFor(42)
			beforeA, beforeB := a.calls(), b.calls()
			const hits = 5
			for range hits {
				for _, get := range []func(context.Context, int) (string, error){getA, getB} {
					if v, err := get(ctx, 42); v != "user 42" || err != nil {
						t.Fatalf("get(42) = %q, %v", v, err)
					}
				}
			}
			wantStats := int64(0)
			if recheck == 0 {
				wantStats = hits
			}
			for _, m := range []struct {
				name   string
				before [2]int64
				now    [2]int64
			}{{"A", beforeA, a.calls()}, {"B", beforeB, b.calls()}} {
				if got := [2]int64{m.now[0] - m.before[0], m.now[1] - m.before[1]}; got != [2]int64{0, wantStats} {
					t.Errorf("%d hits on %s sent %d Loads and %d Stats to Redis; want 0 and %d", hits, m.name, got[0], got[1], wantStats)
				}
			}
			if data, err := os.ReadFile(filepath.Join(b.dir, filepath.FromSlash(name))); string(data) != `"user 42"` || err != nil {
				t.Errorf("B's local copy = %q, %v; want the entry", data, err)
			}

			if err := ca.Invalidate(ctx, 42); err != nil {
				t.Fatal(err)
			}
			v, ok, err := cb.Read(ctx, 42)
			switch {
			case err != nil:
				t.Fatalf("B's Read after A's Invalidate = %v", err)
			case recheck == 0 && ok:
				t.Errorf("B's Read after A's Invalidate = %q; want a miss at recheck 0", v)
			case recheck > 0 && !ok:
				t.Errorf("B's Read within recheck of A's Invalidate missed; want its copy")
			}
			if _, err := os.Stat(filepath.Join(a.dir, filepath.FromSlash(name))); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("A's local copy after its Invalidate: %v; want none", err)
			}
		})
	}
}

// A tiered store in front of Redis keeps the Store contract, its lock
// included.
func TestTieredContract(t *testing.T) {
	c := startServer(t).client(t)
	opts := options(c)
	type parts struct {
		dir    string
		remote *redisstore.Store
	}
	var mu sync.Mutex
	tiers := map[cachetta.Store]parts{}
	of := func(s cachetta.Store) parts {
		mu.Lock()
		defer mu.Unlock()
		return tiers[s]
	}
	storetest.Run(t, func(t *testing.T) cachetta.Store {
		remote := newStore(t, c)
		local, err := cachetta.NewFileStore(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { local.Close() })
		st, err := cachetta.NewTiered(local, remote, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		tiers[st] = parts{local.Dir(), remote}
		mu.Unlock()
		return st
	}, storetest.Options{
		// An entry is backdated everywhere at once: its copy carries
		// the shared entry's time.
		SetModTime: func(ctx context.Context, s cachetta.Store, name string, mt time.Time) error {
			p := of(s)
			if err := opts.SetModTime(ctx, p.remote, name, mt); err != nil {
				return err
			}
			err := os.Chtimes(filepath.Join(p.dir, filepath.FromSlash(name)), time.Time{}, mt)
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		},
		ExpireLock: func(ctx context.Context, s cachetta.Store, name string) error {
			return opts.ExpireLock(ctx, of(s).remote, name)
		},
	})
}
