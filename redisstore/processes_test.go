package redisstore_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
	"github.com/cachetta-go/cachetta/redisstore"
)

// The cache-level tests across processes, each on one server and on a
// cluster: two caches in two processes on one topology share one run of a wrapped function through the store's lock,
// and a process killed in the middle of its run holds the others up only
// until its lease runs out.

// idEnv names a child among the children of one test.
const idEnv = "REDISSTORE_CHILD_ID"

// processWait bounds every wait of these tests, in the parent and in the
// children, so that a broken lock fails a test instead of hanging it.
const processWait = 30 * time.Second

// leased is a store whose lock is always asked for with lease, whatever the
// cache asks: the cache's own lease is ten seconds, longer than a test
// should wait for a killed holder's to run out.
type leased struct {
	*redisstore.Store
	lease time.Duration
}

func (l leased) Lock(ctx context.Context, name string, _ time.Duration) (func(), error) {
	return l.Store.Lock(ctx, name, l.lease)
}

// TestCacheCoalescesAcrossProcesses runs two child processes whose caches
// on one server call the same wrapped function for the same entry. Each
// child pushes its name to Redis when its call misses; the function, in
// whichever child runs it, returns only once the other child has missed
// too. So both calls are in flight together, and only the lock keeps the
// second from running the function as well: exactly one run, one value.
func TestCacheCoalescesAcrossProcesses(t *testing.T) {
	if st := childStore(t, "coalesce"); st != nil {
		coalesceChild(t, st)
		return
	}
	forEachTopology(t, testCacheCoalescesAcrossProcesses)
}

func testCacheCoalescesAcrossProcesses(t *testing.T, tp topology) {
	c := tp.client(t)
	prefix := processPrefix("coalesce")
	ctx, cancel := context.WithTimeout(t.Context(), processWait)
	defer cancel()
	type proc struct {
		id  string
		out strings.Builder
		err error
	}
	procs := []*proc{{id: "a"}, {id: "b"}}
	done := make(chan *proc)
	for _, p := range procs {
		cmd := child(t, "TestCacheCoalescesAcrossProcesses", "coalesce", tp, prefix)
		cmd.Env = append(cmd.Env, idEnv+"="+p.id)
		cmd.Stdout, cmd.Stderr = &p.out, &p.out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() {
			p.err = cmd.Wait()
			done <- p
		}()
	}
	for range procs {
		p := <-done
		if p.err != nil {
			t.Errorf("child %s: %v\n%s", p.id, p.err, p.out.String())
		}
	}
	if t.Failed() {
		return
	}
	runs, err := c.Get(ctx, prefix+"runs").Int()
	if err != nil || runs != 1 {
		t.Errorf("runs of the function in both processes = %d, %v; want 1", runs, err)
	}
	got, err := c.LRange(ctx, prefix+"results", 0, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if len(got) != 2 || got[0] != got[1] {
		t.Errorf("results of the two processes = %q; want one value twice", got)
	}
}

// coalesceChild is one process of TestCacheCoalescesAcrossProcesses.
func coalesceChild(t *testing.T, st *redisstore.Store) {
	id, prefix := os.Getenv(idEnv), os.Getenv(prefixEnv)
	other := map[string]string{"a": "b", "b": "a"}[id]
	if other == "" {
		t.Fatalf("%s = %q; want a or b", idEnv, id)
	}
	r := childClient(t)
	ctx, cancel := context.WithTimeout(t.Context(), processWait)
	defer cancel()
	// The lock wait outlasts the other process's run, so that a call gets
	// through only by the lock's release, never by giving up on it.
	c, err := cachetta.New[string]("shared.json",
		cachetta.WithStore(st),
		cachetta.WithLockTimeout(2*processWait),
		cachetta.WithLogger(slog.New(slog.NewTextHandler(t.Output(), nil))),
		cachetta.WithEvents(func(e cachetta.Event) {
			if e.Kind == cachetta.EventMiss {
				if err := r.RPush(ctx, prefix+"missed:"+id, "1").Err(); err != nil {
					t.Errorf("RPUSH missed:%s = %v", id, err)
				}
			}
		}))
	if err != nil {
		t.Fatal(err)
	}
	get := cachetta.Wrap(c, func(ctx context.Context) (string, error) {
		if err := r.Incr(ctx, prefix+"runs").Err(); err != nil {
			return "", err
		}
		// The other process has missed when its name arrives: its call is
		// in flight, and waits for this run's lock.
		if err := r.BLPop(ctx, processWait, prefix+"missed:"+other).Err(); err != nil {
			return "", fmt.Errorf("waiting for process %s to miss: %w", other, err)
		}
		return "computed by " + id, nil
	})
	v, err := get(ctx)
	if err != nil {
		t.Fatalf("get() = %q, %v", v, err)
	}
	if err := r.RPush(ctx, prefix+"results", v).Err(); err != nil {
		t.Fatal(err)
	}
}

// TestCacheRunHolderKilled starts a child whose wrapped function begins,
// says so, and blocks; while it blocks, a call in the parent waits for the
// run's lock instead of running the function. The parent kills the child
// with SIGKILL, so nothing releases the lock: the parent's next call gets
// through once the child's lease runs out, and computes the value itself.
func TestCacheRunHolderKilled(t *testing.T) {
	const lease = time.Second
	if st := childStore(t, "killedrun"); st != nil {
		killedRunChild(t, leased{st, lease})
		return
	}
	forEachTopology(t, func(t *testing.T, tp topology) { testCacheRunHolderKilled(t, tp, lease) })
}

func testCacheRunHolderKilled(t *testing.T, tp topology, lease time.Duration) {
	r := tp.client(t)
	prefix := processPrefix("killedrun")
	st, err := redisstore.New(r, redisstore.WithPrefix(prefix))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), processWait)
	defer cancel()
	cmd := child(t, "TestCacheRunHolderKilled", "killedrun", tp, prefix)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	if err := r.BLPop(ctx, processWait, prefix+"started").Err(); err != nil {
		t.Fatalf("the child's run did not start: %v\n%s", err, out.String())
	}

	// Any warning (a lock wait given up, a lock failed) means the call got
	// through some other way than the lease's end.
	warnings := new(atomic.Int64)
	logger := slog.New(countWarnings{slog.NewTextHandler(t.Output(), nil), warnings})
	c, err := cachetta.New[string]("held.json",
		cachetta.WithStore(leased{st, lease}),
		cachetta.WithLockTimeout(2*processWait),
		cachetta.WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	var runs atomic.Int64
	get := cachetta.Wrap(c, func(context.Context) (string, error) {
		runs.Add(1)
		return "computed by the parent", nil
	})
	// The child renews its lease while alive: a call given several leases
	// must still be waiting when its context ends.
	held, cancelHeld := context.WithTimeout(ctx, 3*lease)
	v, err := get(held)
	cancelHeld()
	if err == nil {
		t.Fatalf("get() while the child runs = %q, nil; want it to wait for the child's lock", v)
	}
	c.Wait()
	if n := runs.Load(); n != 0 {
		t.Fatalf("runs in the parent while the child runs = %d; want 0", n)
	}

	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	v, err = get(ctx)
	if err != nil || v != "computed by the parent" {
		t.Fatalf("get() after the holder was killed = %q, %v; want the parent's value once the lease ran out", v, err)
	}
	if n := runs.Load(); n != 1 {
		t.Errorf("runs in the parent = %d; want 1", n)
	}
	if n := warnings.Load(); n != 0 {
		t.Errorf("%d warnings logged; want the call to get the lock, not to give up on it", n)
	}
	if got, ok, err := c.Read(ctx); err != nil || !ok || got != v {
		t.Errorf("Read() = %q, %t, %v; want %q written by the parent's run", got, ok, err, v)
	}
}

// killedRunChild is the child of TestCacheRunHolderKilled: its run says it
// started and blocks until the process is killed.
func killedRunChild(t *testing.T, st cachetta.Store) {
	prefix := os.Getenv(prefixEnv)
	r := childClient(t)
	c, err := cachetta.New[string]("held.json", cachetta.WithStore(st),
		cachetta.WithLogger(slog.New(slog.NewTextHandler(t.Output(), nil))))
	if err != nil {
		t.Fatal(err)
	}
	get := cachetta.Wrap(c, func(ctx context.Context) (string, error) {
		if err := r.RPush(ctx, prefix+"started", "1").Err(); err != nil {
			return "", err
		}
		// Until killed; bounded, should the parent die first.
		<-time.After(time.Minute)
		return "", fmt.Errorf("not killed within a minute")
	})
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	v, err := get(ctx)
	t.Fatalf("get() in the child returned %q, %v; want the process killed first", v, err)
}

// countWarnings is a slog handler that counts the records at warn level
// and above it passes on.
type countWarnings struct {
	slog.Handler
	n *atomic.Int64
}

func (h countWarnings) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelWarn {
		h.n.Add(1)
	}
	return h.Handler.Handle(ctx, r)
}

func (h countWarnings) WithAttrs(as []slog.Attr) slog.Handler {
	return countWarnings{h.Handler.WithAttrs(as), h.n}
}

func (h countWarnings) WithGroup(name string) slog.Handler {
	return countWarnings{h.Handler.WithGroup(name), h.n}
}
