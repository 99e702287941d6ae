package redisstore_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta/redisstore"
	"github.com/redis/go-redis/v9"
)

// A child process of the test binary reads what to do from these.
const (
	childEnv   = "REDISSTORE_CHILD"   // the test's mode: "hold", "turns"...
	addrsEnv   = "REDISSTORE_ADDRS"   // the topology's addresses, comma-separated
	clusterEnv = "REDISSTORE_CLUSTER" // "1" when the addresses are a cluster's
	prefixEnv  = "REDISSTORE_PREFIX"
)

// child runs the test binary again as a second process on the same
// topology, running only the test named run (not its subtests, which the
// child never reaches).
func child(t *testing.T, run, mode string, tp topology, prefix string) *exec.Cmd {
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^"+run+"$", "-test.v")
	cluster := "0"
	if tp.cluster {
		cluster = "1"
	}
	cmd.Env = append(os.Environ(), childEnv+"="+mode, addrsEnv+"="+strings.Join(tp.addrs, ","),
		clusterEnv+"="+cluster, prefixEnv+"="+prefix)
	return cmd
}

// childClient is a client of the topology a child process was given,
// closed at t's end.
func childClient(t *testing.T) redis.UniversalClient {
	tp := topology{addrs: strings.Split(os.Getenv(addrsEnv), ","), cluster: os.Getenv(clusterEnv) == "1"}
	return tp.client(t)
}

// childStore is the store of a child process, or nil in the parent.
func childStore(t *testing.T, mode string) *redisstore.Store {
	if os.Getenv(childEnv) != mode {
		if os.Getenv(childEnv) != "" {
			t.Skip("a child of another test")
		}
		return nil
	}
	st, err := redisstore.New(childClient(t), redisstore.WithPrefix(os.Getenv(prefixEnv)))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// processPrefix returns a prefix that no other test of this binary uses,
// nor an earlier run of the same test (-count), on the shared cluster.
func processPrefix(name string) string {
	return fmt.Sprintf("%s%d:", name, prefixes.Add(1))
}

// TestLockRenewed holds a lock for several leases: the renewal keeps it,
// and its unlock frees it.
func TestLockRenewed(t *testing.T) {
	c := startServer(t).client(t)
	st := newStore(t, c)
	ctx := t.Context()
	const lease = 500 * time.Millisecond
	unlock, err := st.Lock(ctx, "r.json", lease)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	key := redisstore.LockKey(st, "r.json")
	// Time itself is what this test waits for: three leases, which only a
	// renewal survives.
	<-time.After(3 * lease)
	if ttl, err := c.PTTL(ctx, key).Result(); err != nil || ttl <= 0 {
		t.Fatalf("PTTL of a held lock after 3 leases = %v, %v; want it still held", ttl, err)
	}
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if u, err := st.Lock(short, "r.json", lease); !errors.Is(err, context.DeadlineExceeded) {
		if u != nil {
			u()
		}
		t.Errorf("Lock of a renewed lock = %v; want the deadline", err)
	}
	unlock()
	if n, err := c.Exists(ctx, key).Result(); err != nil || n != 0 {
		t.Errorf("EXISTS lock after unlock = %d, %v; want 0", n, err)
	}
}

func TestLockBadLease(t *testing.T) {
	c := startServer(t).client(t)
	st := newStore(t, c)
	for _, lease := range []time.Duration{0, -time.Second} {
		if u, err := st.Lock(t.Context(), "b.json", lease); err == nil {
			u()
			t.Errorf("Lock(lease %v) = nil error", lease)
		}
	}
}

// TestLockHolderKilled kills (SIGKILL, no unlock) a child process that
// holds a lock: its lease runs out and the parent takes the lock.
func TestLockHolderKilled(t *testing.T) {
	const lease = 500 * time.Millisecond
	if st := childStore(t, "hold"); st != nil {
		if _, err := st.Lock(t.Context(), "k.json", lease); err != nil {
			t.Fatal(err)
		}
		fmt.Println("locked")
		// Until killed; bounded, should the parent die first.
		<-time.After(time.Minute)
		t.Fatal("not killed within a minute")
	}
	forEachTopology(t, func(t *testing.T, tp topology) { testLockHolderKilled(t, tp, lease) })
}

func testLockHolderKilled(t *testing.T, tp topology, lease time.Duration) {
	prefix := processPrefix("killed")
	st, err := redisstore.New(tp.client(t), redisstore.WithPrefix(prefix))
	if err != nil {
		t.Fatal(err)
	}
	cmd := child(t, "TestLockHolderKilled", "hold", tp, prefix)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	lines := bufio.NewScanner(out)
	for lines.Scan() && lines.Text() != "locked" {
	}
	if lines.Text() != "locked" {
		t.Fatal("the child ended without taking the lock")
	}
	short, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	if u, err := st.Lock(short, "k.json", lease); err == nil {
		u()
		t.Fatal("Lock succeeded while the child holds it")
	}
	cancel()
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	unlock, err := st.Lock(ctx, "k.json", lease)
	if err != nil {
		t.Fatalf("Lock after the holder died = %v; want its lease to run out", err)
	}
	unlock()
}

// lockTurns is how many times each process of TestLockTwoProcesses holds
// the lock.
const lockTurns = 10

// TestLockTwoProcesses has the parent and a child take turns on one lock:
// each holds it lockTurns times, never both at once.
func TestLockTwoProcesses(t *testing.T) {
	if st := childStore(t, "turns"); st != nil {
		c := childClient(t)
		c.RPush(t.Context(), os.Getenv(prefixEnv)+"ready", "child")
		takeTurns(t, st, c, os.Getenv(prefixEnv), "child")
		return
	}
	forEachTopology(t, testLockTwoProcesses)
}

func testLockTwoProcesses(t *testing.T, tp topology) {
	c := tp.client(t)
	prefix := processPrefix("two")
	st, err := redisstore.New(c, redisstore.WithPrefix(prefix))
	if err != nil {
		t.Fatal(err)
	}
	cmd := child(t, "TestLockTwoProcesses", "turns", tp, prefix)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Start together, or the parent may be done before the child runs.
	if err := c.BLPop(t.Context(), 30*time.Second, prefix+"ready").Err(); err != nil {
		t.Fatalf("the child did not get ready: %v", err)
	}
	takeTurns(t, st, c, prefix, "parent")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v\n%s", err, out.String())
	}
	if overlaps, _ := c.LRange(t.Context(), prefix+"overlaps", 0, -1).Result(); len(overlaps) > 0 {
		t.Errorf("two holders at once, seen by %q", overlaps)
	}
	all, err := c.LRange(t.Context(), prefix+"turns", 0, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, who := range all {
		count[who]++
	}
	if count["parent"] != lockTurns || count["child"] != lockTurns {
		t.Errorf("turns = %v; want %d each", count, lockTurns)
	}
}

// takeTurns is one process of TestLockTwoProcesses: it takes the lock
// lockTurns times and, holding it, counts itself in and out, so that a
// second holder at once shows as a count above one.
func takeTurns(t *testing.T, st *redisstore.Store, c redis.UniversalClient, prefix, who string) {
	ctx := t.Context()
	for range lockTurns {
		unlock, err := st.Lock(ctx, "t.json", 10*time.Second)
		if err != nil {
			t.Errorf("%s: Lock = %v", who, err)
			return
		}
		if n, err := c.Incr(ctx, prefix+"inside").Result(); err != nil || n != 1 {
			c.RPush(ctx, prefix+"overlaps", who)
		}
		c.RPush(ctx, prefix+"turns", who)
		c.Decr(ctx, prefix+"inside")
		unlock()
	}
}

// TestRenewOnlyOwn lets a holder's lease run out and another take the key:
// the first holder's renewal, still running, must not extend the lease it
// no longer owns, so the second holder's lease runs out on time.
func TestRenewOnlyOwn(t *testing.T) {
	c := startServer(t).client(t)
	st := newStore(t, c)
	ctx := t.Context()
	const lease = 300 * time.Millisecond
	unlock, err := st.Lock(ctx, "o.json", lease)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	key := redisstore.LockKey(st, "o.json")
	if err := c.Set(ctx, key, "someone else", lease).Err(); err != nil {
		t.Fatal(err)
	}
	// Time is what this test waits for: three of the first holder's
	// renewal ticks, and the other's lease.
	<-time.After(3 * lease)
	if n, err := c.Exists(ctx, key).Result(); err != nil || n != 0 {
		v, _ := c.Get(ctx, key).Result()
		t.Errorf("EXISTS of another's lock after its lease = %d (%q), %v; want it expired", n, v, err)
	}
}
