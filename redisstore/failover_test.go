package redisstore_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cachetta-go/cachetta"
	"github.com/cachetta-go/cachetta/redisstore"
	"github.com/redis/go-redis/v9"
)

// TestFencedSaveAcrossFailover fails the master of an entry's slot over to
// its replica in the middle of a wrapped function's run, on a cluster of
// its own (three masters with a replica each, since it changes who is
// master), and shows what the run's fenced save then does:
//
//   - When the replica has everything the master acknowledged (CLUSTER
//     FAILOVER, which waits for it), the lock survives on the new master:
//     the save lands there, nothing is logged, and the function ran once.
//   - When the replica missed the lock (it was cut off from its master
//     before the run took the lock, as asynchronous replication can leave
//     it, and CLUSTER FAILOVER TAKEOVER promoted it), the new master has no
//     lock: the fenced save is refused with ErrLockLost, logged as a failed
//     write, the caller still gets the run's result, and the entry stays
//     missing, so the next call runs the function a second time.
func TestFencedSaveAcrossFailover(t *testing.T) {
	cl := startCluster(t, 3, 1)
	c := cl.topology().client(t)
	for i, tt := range []struct {
		name     string
		cut      bool   // cut the replica off before the run takes the lock
		failover string // the option of CLUSTER FAILOVER, if any
		kept     bool   // whether the lock and so the save survive
	}{
		{"replica in sync: the lock survives and the save lands", false, "", true},
		{"replica missed the lock: the save is refused and the caller keeps its result", true, "TAKEOVER", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			name := fmt.Sprintf("failover%d.json", i)
			warns, log := newWarnLog(t)
			st, err := redisstore.New(c, redisstore.WithPrefix(processPrefix("failover")), redisstore.WithLogger(log))
			if err != nil {
				t.Fatal(err)
			}
			lockKey := redisstore.LockKey(st, name)
			master, replica := shardOf(t, cl, lockKey)
			if tt.cut {
				cutReplica(t, master, replica)
			}
			cache, err := cachetta.New[string](name, cachetta.WithStore(st), cachetta.WithLogger(log))
			if err != nil {
				t.Fatal(err)
			}
			var runs atomic.Int64
			started, proceed := make(chan struct{}), make(chan struct{})
			get := cachetta.Wrap(cache, func(ctx context.Context) (string, error) {
				n := runs.Add(1)
				if n == 1 {
					close(started)
				}
				select {
				case <-proceed:
					return "run " + strconv.FormatInt(n, 10), nil
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
			if n, err := master.Exists(ctx, lockKey).Result(); err != nil || n != 1 {
				t.Fatalf("EXISTS lock on the master during the run = %d, %v; want the run to hold it", n, err)
			}

			failOver(t, master, replica, tt.failover)
			n, err := replica.Exists(ctx, lockKey).Result()
			if err != nil || (n == 1) != tt.kept {
				t.Fatalf("EXISTS lock on the new master = %d, %v; want it kept: %t", n, err, tt.kept)
			}
			close(proceed)
			r := <-done
			cache.Wait()
			if r.v != "run 1" || r.err != nil {
				t.Errorf("get() = %q, %v; want the run's result %q", r.v, r.err, "run 1")
			}

			if tt.kept {
				if got, ok, err := cache.Read(ctx); err != nil || !ok || got != "run 1" {
					t.Errorf("Read() after the failover = %q, %t, %v; want the run's result saved", got, ok, err)
				}
				if w := warns.all(); len(w) != 0 {
					t.Errorf("warnings = %q; want none", w)
				}
			} else {
				if !warns.has("cache write failed", errAttr(redisstore.ErrLockLost)) {
					t.Errorf("warnings = %q; want a failed write wrapping ErrLockLost", warns.all())
				}
				if got, ok, err := cache.Read(ctx); err != nil || ok {
					t.Errorf("Read() after the refused save = %q, %t, %v; want a miss", got, ok, err)
				}
				// What the lost lock costs: the next call runs again.
				if v, err := get(ctx); v != "run 2" || err != nil {
					t.Errorf("get() after the refused save = %q, %v; want a second run", v, err)
				}
				if got, ok, err := cache.Read(ctx); err != nil || !ok || got != "run 2" {
					t.Errorf("Read() after the second run = %q, %t, %v; want its result saved", got, ok, err)
				}
			}
			if want := map[bool]int64{true: 1, false: 2}[tt.kept]; runs.Load() != want {
				t.Errorf("runs = %d; want %d", runs.Load(), want)
			}
		})
	}
}

// shardOf returns clients of the master that serves key's slot and of its
// replica, once the replica is in sync with it: the node that answers a
// read of key without a redirection, and the node whose ROLE names it.
func shardOf(t *testing.T, cl *cluster, key string) (master, replica *redis.Client) {
	t.Helper()
	clients := make([]*redis.Client, len(cl.nodes))
	for i, s := range cl.nodes {
		clients[i] = s.client(t)
	}
	ctx, cancel := context.WithTimeout(t.Context(), serverWait)
	defer cancel()
	err := poll(ctx, func() (string, bool) {
		master, replica = nil, nil
		for _, nc := range clients {
			// A node that does not serve the slot answers MOVED.
			if nc.Exists(ctx, key).Err() == nil {
				master = nc
			}
		}
		if master == nil {
			return "no node serves " + key, false
		}
		_, port, _ := strings.Cut(master.Options().Addr, ":")
		for _, nc := range clients {
			role, err := nc.Do(ctx, "ROLE").Slice()
			if err == nil && len(role) >= 4 && role[0] == "slave" && fmt.Sprint(role[2]) == port {
				replica = nc
			}
		}
		if replica == nil || !linkUp(ctx, replica) {
			return "the replica of " + master.Options().Addr + " is not in sync", false
		}
		return "", true
	})
	if err != nil {
		t.Fatal(err)
	}
	return master, replica
}

// cutReplica cuts replica off master as a partition would, so that it
// receives nothing master writes from now on, as asynchronous replication
// can leave a replica behind: the replica's password for its master
// becomes wrong and its connection is closed, so it cannot sync again
// until t's end, which restores the password.
func cutReplica(t *testing.T, master, replica *redis.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), serverWait)
	defer cancel()
	if err := replica.ConfigSet(ctx, "masterauth", "wrong").Err(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = replica.ConfigSet(context.WithoutCancel(ctx), "masterauth", replPassword).Err()
	})
	if err := master.ClientKillByFilter(ctx, "TYPE", "replica").Err(); err != nil {
		t.Fatal(err)
	}
	err := poll(ctx, func() (string, bool) {
		return "the replica's link is still up", !linkUp(ctx, replica)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// failOver runs CLUSTER FAILOVER with option ("" or "TAKEOVER") on
// replica and waits until replica is master and master its replica.
func failOver(t *testing.T, master, replica *redis.Client, option string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), serverWait)
	defer cancel()
	args := []any{"CLUSTER", "FAILOVER"}
	if option != "" {
		args = append(args, option)
	}
	if err := replica.Do(ctx, args...).Err(); err != nil {
		t.Fatalf("CLUSTER FAILOVER %s = %v", option, err)
	}
	err := poll(ctx, func() (string, bool) {
		r, err := roleOf(ctx, replica)
		m, err2 := roleOf(ctx, master)
		return fmt.Sprintf("roles: replica %q (%v), master %q (%v)", r, err, m, err2), r == "master" && m == "slave"
	})
	if err != nil {
		t.Fatal(err)
	}
}
