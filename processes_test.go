package cachetta_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cachetta-go/cachetta"
)

// The environment of TestHelperLockProcess. Without envLockRole it returns
// at once.
const (
	envLockRole    = "CACHETTA_LOCK_ROLE"    // what the child does: cold, keys, holder or waiter
	envLockDir     = "CACHETTA_LOCK_DIR"     // the cache's directory
	envLockRuns    = "CACHETTA_LOCK_RUNS"    // the file every run of the function appends a line to
	envLockKeys    = "CACHETTA_LOCK_KEYS"    // keys: the comma-separated keys to get
	envLockTimeout = "CACHETTA_LOCK_TIMEOUT" // the child's WithLockTimeout, when set
)

// TestHelperLockProcess is the child of the tests below. It wraps a function
// that appends "<key> <pid>" to $CACHETTA_LOCK_RUNS, over a cache in
// $CACHETTA_LOCK_DIR, and prints to stdout what the parent waits for:
// "waiting" whenever the cache logs that it waits for a lock, "running" when
// its function starts, "result <value>" for a call that returned. Its role
// says what the function does after "running":
//
//   - cold: reads a line from stdin, then returns; the child makes one call;
//   - holder: reads stdin until it is killed; the child makes one call;
//   - waiter: returns at once; the child makes one call;
//   - keys: returns at once; the child prints "ready", reads a line from
//     stdin, gets every key of $CACHETTA_LOCK_KEYS from 4 goroutines and
//     prints "done <calls>".
//
// Warnings and errors of the cache go to stderr.
func TestHelperLockProcess(t *testing.T) {
	role := os.Getenv(envLockRole)
	if role == "" {
		return
	}
	// The deadline only ends a child whose parent died without killing it.
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	runs, err := os.OpenFile(os.Getenv(envLockRuns), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer runs.Close()
	opts := []cachetta.Option{cachetta.WithLogger(slog.New(childHandler{slog.NewTextHandler(os.Stderr, nil)}))}
	if d, err := time.ParseDuration(os.Getenv(envLockTimeout)); err == nil {
		opts = append(opts, cachetta.WithLockTimeout(d))
	}
	c := cachetta.Must(cachetta.New[string](filepath.Join(os.Getenv(envLockDir), "v.json"), opts...))
	stdin := bufio.NewReader(os.Stdin)
	get := cachetta.Wrap1(c, func(_ context.Context, key int) (string, error) {
		// One write of a short line to a file opened O_APPEND is never
		// interleaved with another's.
		if _, err := fmt.Fprintf(runs, "%d %d\n", key, os.Getpid()); err != nil {
			return "", err
		}
		if role == "keys" {
			return fmt.Sprint("value ", key), nil
		}
		fmt.Println("running")
		switch role {
		case "cold":
			if _, err := stdin.ReadString('\n'); err != nil {
				return "", err
			}
		case "holder":
			io.Copy(io.Discard, stdin)
			return "", errors.New("stdin closed before the kill")
		}
		return fmt.Sprint("value of ", os.Getpid()), nil
	})
	if role != "keys" {
		v, err := get(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println("result", v)
		return
	}

	keys := make(chan int)
	go func() {
		defer close(keys)
		for field := range strings.SplitSeq(os.Getenv(envLockKeys), ",") {
			k, err := strconv.Atoi(field)
			if err != nil {
				panic(err)
			}
			keys <- k
		}
	}()
	fmt.Println("ready")
	if _, err := stdin.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	calls := 0
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for k := range keys {
				if v, err := get(ctx, k); v != fmt.Sprint("value ", k) || err != nil {
					t.Errorf("get(%d) = %q, %v; want value %d", k, v, err, k)
				}
				mu.Lock()
				calls++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	fmt.Println("done", calls)
}

// childHandler prints "waiting" to stdout for each record saying that the
// cache waits for a lock, and hands warnings and errors to its Handler.
type childHandler struct{ slog.Handler }

func (h childHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h childHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "waiting for a lock" {
		fmt.Println("waiting")
	}
	if r.Level < slog.LevelWarn {
		return nil
	}
	return h.Handler.Handle(ctx, r)
}

func (h childHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return childHandler{h.Handler.WithAttrs(attrs)}
}

func (h childHandler) WithGroup(name string) slog.Handler {
	return childHandler{h.Handler.WithGroup(name)}
}

// children runs TestHelperLockProcess children on one cache directory and
// gathers what they print, in the order the parent reads it.
type children struct {
	t      *testing.T
	dir    string // the cache's directory
	runs   string // the file of runs
	events chan childEvent
	procs  []*child
}

type child struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr logBuffer
	lines  []string // read so far
	ended  bool     // stdout is closed
	killed bool     // killed by the parent, so its output may end early
}

// childEvent is a line a child printed, or, with eof set, the end of its
// output.
type childEvent struct {
	child int
	line  string
	eof   bool
}

func newChildren(t *testing.T) *children {
	if runtime.GOOS == "windows" {
		t.Skip("the children rename over files other processes have open, which is Unix semantics")
	}
	dir := t.TempDir()
	return &children{t: t, dir: dir, runs: filepath.Join(dir, "runs.txt"), events: make(chan childEvent)}
}

// start starts a child in role with env added, and returns its number.
func (cs *children) start(role string, env ...string) int {
	cs.t.Helper()
	cmd := helperProcess(cs.t, "TestHelperLockProcess", append([]string{
		envLockRole + "=" + role, envLockDir + "=" + filepath.Join(cs.dir, "cache"), envLockRuns + "=" + cs.runs,
	}, env...)...)
	ch := &child{cmd: cmd}
	cmd.Stderr = &ch.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cs.t.Fatal(err)
	}
	if ch.stdin, err = cmd.StdinPipe(); err != nil {
		cs.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cs.t.Fatal(err)
	}
	i := len(cs.procs)
	cs.procs = append(cs.procs, ch)
	// The reader ends with the child's output, or with the test when the
	// parent stopped reading.
	go func() {
		scanner := bufio.NewScanner(stdout)
		for more := true; more; {
			e := childEvent{child: i, eof: true}
			if more = scanner.Scan(); more {
				e = childEvent{child: i, line: scanner.Text()}
			}
			select {
			case cs.events <- e:
			case <-cs.t.Context().Done():
				return
			}
		}
	}()
	return i
}

// await reads what the children print until done reports true. When every
// child has ended first, the test fails.
func (cs *children) await(what string, done func() bool) {
	cs.t.Helper()
	for !done() {
		if !slices.ContainsFunc(cs.procs, func(ch *child) bool { return !ch.ended }) {
			var out strings.Builder
			for i, ch := range cs.procs {
				fmt.Fprintf(&out, "child %d printed %q\nstderr:\n%s", i, ch.lines, &ch.stderr)
			}
			cs.t.Fatalf("the children ended while the parent waited for %s\n%s", what, &out)
		}
		e := <-cs.events
		if e.eof {
			cs.procs[e.child].ended = true
			continue
		}
		cs.procs[e.child].lines = append(cs.procs[e.child].lines, e.line)
	}
}

// count returns how many of the children in set, all of them for a nil set,
// printed a line starting with prefix.
func (cs *children) count(prefix string, set ...int) int {
	n := 0
	for i, ch := range cs.procs {
		if (set == nil || slices.Contains(set, i)) && slices.ContainsFunc(ch.lines, func(line string) bool {
			return strings.HasPrefix(line, prefix)
		}) {
			n++
		}
	}
	return n
}

// total returns how many lines starting with prefix the children printed.
func (cs *children) total(prefix string) int {
	n := 0
	for _, ch := range cs.procs {
		for _, line := range ch.lines {
			if strings.HasPrefix(line, prefix) {
				n++
			}
		}
	}
	return n
}

// kill kills child i.
func (cs *children) kill(i int) {
	cs.t.Helper()
	cs.procs[i].killed = true
	if err := cs.procs[i].cmd.Process.Kill(); err != nil {
		cs.t.Fatal(err)
	}
}

// printed returns the first line of child i starting with prefix, without
// the prefix.
func (cs *children) printed(i int, prefix string) (string, bool) {
	for _, line := range cs.procs[i].lines {
		if rest, ok := strings.CutPrefix(line, prefix); ok {
			return rest, true
		}
	}
	return "", false
}

// finish reads every child's output to its end, waits for the children to
// exit, successfully and without warnings unless they were killed, and
// returns the runs recorded, as "<key> <pid>" lines.
func (cs *children) finish() []string {
	cs.t.Helper()
	open := 0
	for _, ch := range cs.procs {
		ch.stdin.Close()
		if !ch.ended {
			open++
		}
	}
	for open > 0 {
		e := <-cs.events
		if e.eof {
			cs.procs[e.child].ended = true
			open--
			continue
		}
		cs.procs[e.child].lines = append(cs.procs[e.child].lines, e.line)
	}
	for i, ch := range cs.procs {
		err := ch.cmd.Wait()
		switch {
		case ch.killed:
		case err != nil:
			cs.t.Errorf("child %d: %v; it printed %q\nstderr:\n%s", i, err, ch.lines, &ch.stderr)
		case ch.stderr.String() != "":
			cs.t.Errorf("child %d logged warnings:\n%s", i, &ch.stderr)
		}
	}
	data, err := os.ReadFile(cs.runs)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		cs.t.Fatal(err)
	}
	return slices.DeleteFunc(strings.Split(string(data), "\n"), func(s string) bool { return s == "" })
}

// pid returns the process ID of child i.
func (cs *children) pid(i int) int { return cs.procs[i].cmd.Process.Pid }

// TestProcessesOneColdKey starts 8 processes on one cold key. The one that
// takes the lock runs the function, which holds on until the 7 others have
// said that they wait for the lock: then it returns, and every process gets
// its value, read from the file by the 7.
func TestProcessesOneColdKey(t *testing.T) {
	const procs = 8
	cs := newChildren(t)
	for range procs {
		cs.start("cold")
	}
	cs.await("1 run and 7 waiting", func() bool {
		if n := cs.count("running"); n > 1 {
			t.Fatalf("%d processes are running the function at once; want 1", n)
		}
		return cs.count("running") == 1 && cs.count("waiting") == procs-1
	})
	runner := slices.IndexFunc(cs.procs, func(ch *child) bool { return slices.Contains(ch.lines, "running") })
	if _, err := io.WriteString(cs.procs[runner].stdin, "go\n"); err != nil {
		t.Fatal(err)
	}
	cs.await("every result", func() bool { return cs.count("result ") == procs })
	runs := cs.finish()
	want := fmt.Sprint("value of ", cs.pid(runner))
	for i := range cs.procs {
		if v, _ := cs.printed(i, "result "); v != want {
			t.Errorf("process %d got %q; want the run's %q", i, v, want)
		}
	}
	if wantRuns := []string{fmt.Sprint("0 ", cs.pid(runner))}; !slices.Equal(runs, wantRuns) {
		t.Errorf("runs = %q; want %q", runs, wantRuns)
	}
	t.Logf("%d processes on one cold key: %d run, %d waited for the lock", procs, len(runs), cs.count("waiting"))
}

// TestProcessesManyKeys starts 4 processes that each get a random selection
// of 200 keys, in a random order, from 4 goroutines each, all at once: each
// key that any process asked for ran exactly once.
func TestProcessesManyKeys(t *testing.T) {
	const procs, keys = 4, 200
	seed := rand.Uint64()
	rng := rand.New(rand.NewPCG(seed, 0))
	cs := newChildren(t)
	asked := make(map[string]int) // by how many processes each key was asked for
	for range procs {
		var list []string
		for _, k := range rng.Perm(keys) {
			if rng.IntN(4) < 3 {
				list = append(list, strconv.Itoa(k))
				asked[strconv.Itoa(k)]++
			}
		}
		cs.start("keys", envLockKeys+"="+strings.Join(list, ","))
	}
	cs.await("every process ready", func() bool { return cs.count("ready") == procs })
	for _, ch := range cs.procs {
		if _, err := io.WriteString(ch.stdin, "go\n"); err != nil {
			t.Fatal(err)
		}
	}
	cs.await("every process done", func() bool { return cs.count("done ") == procs })
	runs := cs.finish()
	ran := make(map[string]int)
	for _, run := range runs {
		key, _, _ := strings.Cut(run, " ")
		ran[key]++
	}
	shared := 0
	for key, n := range asked {
		if ran[key] != 1 {
			t.Errorf("key %s, asked for by %d processes, ran %d times; want 1 (seed %d)", key, n, ran[key], seed)
		}
		if n > 1 {
			shared++
		}
	}
	for key := range ran {
		if asked[key] == 0 {
			t.Errorf("key %s ran, but no process asked for it", key)
		}
	}
	t.Logf("%d processes, %d keys asked for (%d by more than one process): %d runs, %d lock waits; seed %d",
		procs, len(asked), shared, len(runs), cs.total("waiting"), seed)
}

// TestProcessesKilledHolder kills a process in the middle of its run while
// 3 others wait for its lock: the kernel releases the lock, one of the 3
// takes it over and runs the function, and all 3 get its value. The waiters'
// lock timeout is far longer than the test's usual run: had the lock
// outlived its holder, each would have run the function after it.
func TestProcessesKilledHolder(t *testing.T) {
	const waiters = 3
	cs := newChildren(t)
	holder := cs.start("holder")
	cs.await("the holder's run", func() bool { return cs.count("running") == 1 })
	var set []int
	for range waiters {
		set = append(set, cs.start("waiter", envLockTimeout+"=30s"))
	}
	cs.await("3 waiting", func() bool {
		if n := cs.count("running", set...); n > 0 {
			t.Fatalf("%d waiters ran the function while the holder ran it; want none", n)
		}
		return cs.count("waiting", set...) == waiters
	})
	cs.kill(holder)
	killed := time.Now()
	cs.await("the waiters' results", func() bool {
		if n := cs.count("running", set...); n > 1 {
			t.Fatalf("%d waiters ran the function after the kill; want 1", n)
		}
		return cs.count("result ", set...) == waiters
	})
	took := time.Since(killed)
	runs := cs.finish()
	var runner []int
	for _, i := range set {
		if slices.Contains(cs.procs[i].lines, "running") {
			runner = append(runner, i)
		}
	}
	if len(runner) != 1 {
		t.Fatalf("%d waiters ran the function after the kill; want 1; runs %q", len(runner), runs)
	}
	want := fmt.Sprint("value of ", cs.pid(runner[0]))
	for _, i := range set {
		if v, _ := cs.printed(i, "result "); v != want {
			t.Errorf("waiter %d got %q; want the run's %q", i, v, want)
		}
	}
	wantRuns := []string{fmt.Sprint("0 ", cs.pid(holder)), fmt.Sprint("0 ", cs.pid(runner[0]))}
	if !slices.Equal(runs, wantRuns) {
		t.Errorf("runs = %q; want the holder's and one waiter's, %q", runs, wantRuns)
	}
	t.Logf("holder killed with %d waiters: 1 took over and ran, all had its value %v after the kill", waiters, took)
}

// Two families, made by two calls of New on one path, share no state: to
// each other they are as two processes, whose flocks on their own open files
// exclude each other as any two processes' do. The tests below use them
// where a child process would add nothing but start-up time.

// TestLockWaitEnds holds an entry's run lock in one family while another
// waits for it: the waiter's caller returns its context's error as soon as
// the context ends, without running the function; past the lock timeout the
// waiter runs the function itself and logs a warning naming the path.
func TestLockWaitEnds(t *testing.T) {
	tests := []struct {
		name    string
		ctx     func(context.Context) (context.Context, context.CancelFunc)
		cancel  bool // cancel the waiter's context once it waits
		wantErr error
		wantRun bool
	}{
		{name: "cancelled", ctx: context.WithCancel, cancel: true, wantErr: context.Canceled},
		{name: "deadline", ctx: func(ctx context.Context) (context.Context, context.CancelFunc) {
			return context.WithTimeout(ctx, 5*time.Second)
		}, wantErr: context.DeadlineExceeded},
		{name: "lock timeout", ctx: context.WithCancel, wantRun: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "v.json")
				holder := cachetta.Must(cachetta.New[string](path, cachetta.WithLogger(testLogger(t))))
				logger, logs := captureLogs(slog.LevelWarn)
				waiter := cachetta.Must(cachetta.New[string](path, cachetta.WithLogger(logger),
					cachetta.WithLockTimeout(10*time.Second)))
				release := make(chan struct{})
				held := make(chan string)
				go func() {
					v, _ := cachetta.Wrap(holder, func(context.Context) (string, error) { <-release; return "holder", nil })(t.Context())
					held <- v
				}()
				synctest.Wait() // the holder's run holds the lock

				var calls counter
				get := cachetta.Wrap(waiter, constant(&calls, "waiter"))
				ctx, cancel := tt.ctx(t.Context())
				defer cancel()
				type result struct {
					v   string
					err error
				}
				got := make(chan result)
				go func() {
					v, err := get(ctx)
					got <- result{v, err}
				}()
				synctest.Wait() // the waiter's run polls the lock
				start := time.Now()
				if tt.cancel {
					cancel()
				}
				r := <-got
				// The bubble's clock moves only when every goroutine waits:
				// none of its time passing means the caller waited for no
				// timer once its context ended.
				if elapsed := time.Since(start); tt.cancel && elapsed != 0 {
					t.Errorf("the cancelled caller returned after %v of the bubble's time; want at once", elapsed)
				}
				waiter.Wait()
				switch {
				case !errors.Is(r.err, tt.wantErr) || tt.wantErr != nil && r.v != "":
					t.Errorf("waiting caller = %q, %v; want %v", r.v, r.err, tt.wantErr)
				case tt.wantRun && (r.v != "waiter" || calls.count() != 1):
					t.Errorf("waiting caller = %q, %v after %d calls; want its own run's waiter after 1", r.v, r.err, calls.count())
				case !tt.wantRun && calls.count() != 0:
					t.Errorf("the waiter ran its function %d times; want 0", calls.count())
				}
				if warned := hasWarning(logs.String(), "cache lock wait timed out, computing", path); warned != tt.wantRun {
					t.Errorf("logs %q: a warning of the timed-out wait naming %s is %v; want %v", logs, path, warned, tt.wantRun)
				}
				close(release)
				if v := <-held; v != "holder" {
					t.Errorf("the holder's caller got %q; want holder", v)
				}
			})
		})
	}
}

// TestLockWaitIsSharedByJoiners sends 10 callers of one family to an entry
// whose run lock another family holds: they join one run, which alone waits
// for the lock and then finds the other family's file.
func TestLockWaitIsSharedByJoiners(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const callers = 10
		path := filepath.Join(t.TempDir(), "v.json")
		holder := cachetta.Must(cachetta.New[string](path, cachetta.WithLogger(testLogger(t))))
		waits := newCountHandler("waiting for a lock")
		waiter := cachetta.Must(cachetta.New[string](path, cachetta.WithLogger(slog.New(waits))))
		release := make(chan struct{})
		go cachetta.Wrap(holder, func(context.Context) (string, error) { <-release; return "holder", nil })(t.Context())
		synctest.Wait()
		var calls counter
		get := cachetta.Wrap(waiter, constant(&calls, "waiter"))
		var wg sync.WaitGroup
		results := make([]string, callers)
		for i := range callers {
			wg.Go(func() { results[i], _ = get(t.Context()) })
		}
		synctest.Wait()
		if n := waits.count(); n != 1 {
			t.Errorf("with %d callers waiting, the family waited for the lock %d times; want 1", callers, n)
		}
		close(release)
		wg.Wait()
		for i, v := range results {
			if v != "holder" {
				t.Errorf("caller %d got %q; want the holder's", i, v)
			}
		}
		if calls.count() != 0 {
			t.Errorf("the waiting family ran its function %d times; want 0", calls.count())
		}
		holder.Wait()
	})
}

// countHandler is a slog.Handler that counts the records with one message.
type countHandler struct {
	msg string
	mu  sync.Mutex
	n   *int // guarded by mu
}

func newCountHandler(msg string) *countHandler { return &countHandler{msg: msg, n: new(int)} }

func (h *countHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *countHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *countHandler) WithGroup(string) slog.Handler            { return h }

func (h *countHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.msg {
		h.mu.Lock()
		*h.n++
		h.mu.Unlock()
	}
	return nil
}

func (h *countHandler) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return *h.n
}

// TestInvalidateInOneProcessDropsARunInAnother invalidates, through one
// family, an entry that another family is computing: with process locks the
// run learns of it from the entry's generation stamp and writes nothing;
// without them the families do not know of each other.
func TestInvalidateInOneProcessDropsARunInAnother(t *testing.T) {
	for _, lock := range []bool{true, false} {
		t.Run(fmt.Sprint("lock=", lock), func(t *testing.T) {
			ctx := t.Context()
			path := filepath.Join(t.TempDir(), "v.json")
			runner := cachetta.Must(cachetta.New[string](path, cachetta.WithLogger(testLogger(t)), cachetta.WithProcessLock(lock)))
			other := cachetta.Must(cachetta.New[string](path, cachetta.WithLogger(testLogger(t)), cachetta.WithProcessLock(lock)))
			entered := make(chan struct{})
			release := make(chan struct{})
			done := make(chan string)
			go func() {
				v, _ := cachetta.Wrap(runner, func(context.Context) (string, error) {
					close(entered)
					<-release
					return "computed before the Invalidate", nil
				})(ctx)
				done <- v
			}()
			<-entered
			if err := other.Invalidate(ctx); err != nil {
				t.Fatal(err)
			}
			close(release)
			if v := <-done; v != "computed before the Invalidate" {
				t.Errorf("the run's caller got %q; want its result", v)
			}
			if ok, err := other.Exists(ctx); ok != !lock || err != nil {
				t.Errorf("after the run, Exists = %v, %v; want %v", ok, err, !lock)
			}
		})
	}
}

// TestPruneInOneProcessNeverRemovesAFreshEntry races, round after round,
// Prune through one family against a write of an expired entry through
// another, which then reads what it wrote at once: Prune judges the old file
// and removes it under the directory's lock, which the write's rename waits
// for, so the reader never misses, not even while Prune runs. It makes
// 2,000 rounds with -long (see long), 500 by default and 100 with -short.
func TestPruneInOneProcessNeverRemovesAFreshEntry(t *testing.T) {
	rounds := stressLength(2000, 500, 100)
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "n.json")
	pruner := cachetta.Must(cachetta.New[int](path, cachetta.WithDuration(time.Hour)))
	writer := cachetta.Must(cachetta.New[int](path, cachetta.WithDuration(time.Hour)))
	pruned := 0
	for round := range rounds {
		writeFile(t, path, "-1")
		backdate(t, path, 2*time.Hour)
		var wg sync.WaitGroup
		wg.Go(func() {
			removed, err := pruner.Prune(ctx)
			if err != nil {
				t.Errorf("Prune = %v", err)
			}
			pruned += len(removed)
		})
		if err := writer.Write(ctx, round); err != nil {
			t.Fatal(err)
		}
		v, ok, err := writer.Read(ctx)
		wg.Wait()
		if v != round || !ok || err != nil {
			t.Fatalf("round %d: Read right after Write = %v, %v, %v; want the written value", round, v, ok, err)
		}
	}
	t.Logf("%d rounds; Prune removed the expired entry before the write in %d", rounds, pruned)
}

// TestOneHiddenItemPerDirectory runs, writes and invalidates entries, one
// of a name too long for any file beside it: the directory then holds the
// entries and the one lock file of the directory, nothing else.
func TestOneHiddenItemPerDirectory(t *testing.T) {
	ctx := t.Context()
	logger, logs := captureLogs(slog.LevelWarn)
	dir := t.TempDir()
	long := cachetta.Must(cachetta.New[int](filepath.Join(dir, strings.Repeat("n", 245)+".json"), cachetta.WithLogger(logger)))
	var calls counter
	if v, err := cachetta.Wrap(long, constant(&calls, 1))(ctx); v != 1 || err != nil {
		t.Fatalf("wrapped call = %v, %v; want 1", v, err)
	}
	c := cachetta.Must(cachetta.New[int](filepath.Join(dir, "n.json"), cachetta.WithLogger(logger)))
	get := cachetta.Wrap1(c, func(_ context.Context, k int) (int, error) { return k, nil })
	for k := range 3 {
		if _, err := get(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Invalidate(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if err := c.Write(ctx, 9, 9); err != nil {
		t.Fatal(err)
	}
	want := []string{".cachetta-lock", filepath.Base(long.Path())}
	for _, k := range []int{0, 2, 9} {
		want = append(want, filepath.Base(keyedPath(t, c, k)))
	}
	slices.Sort(want)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, want) {
		t.Errorf("the directory holds %q; want %q", names, want)
	}
	if strings.Contains(logs.String(), "cache lock failed") {
		t.Errorf("logs %q; want no failed lock", logs)
	}
}

// TestPruneRemovesOldLockFilesOfEarlierReleases gives Prune the per-entry
// lock files of earlier releases: it removes those an hour old, keeps the
// young ones and never the directory's own, whatever its age, nor other
// files; a run in progress meanwhile writes its result.
func TestPruneRemovesOldLockFilesOfEarlierReleases(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	c := cachetta.Must(cachetta.New[int](filepath.Join(dir, "n.json"), cachetta.WithLogger(testLogger(t))))
	lockOf := func(k int) string {
		return "." + filepath.Base(keyedPath(t, c, k)) + ".cachetta-lock"
	}
	entered, release := make(chan struct{}), make(chan struct{})
	get := cachetta.Wrap1(c, func(_ context.Context, k int) (int, error) {
		if k == 1 {
			close(entered)
			<-release
		}
		return k, nil
	})
	if _, err := get(ctx, 3); err != nil {
		t.Fatal(err)
	}
	held := make(chan error)
	go func() {
		_, err := get(ctx, 1)
		held <- err
	}()
	<-entered
	files := []struct {
		name        string
		age         time.Duration
		wantRemoved bool
	}{
		{lockOf(1), 2 * time.Hour, true},         // old, beside a run in progress
		{lockOf(2), 2 * time.Hour, true},         // old, without its entry
		{lockOf(3), time.Minute, false},          // young
		{".cachetta-lock", 2 * time.Hour, false}, // the directory's, through which the run holds its lock
		{"cachetta-lock", 2 * time.Hour, false},  // not a lock name: no dot
		{".n.json.cachetta-lock.bak", 2 * time.Hour, false},
	}
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		if _, err := os.Stat(path); err != nil {
			writeFile(t, path, "")
		}
		backdate(t, path, f.age)
	}
	removed, err := c.Prune(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range files {
		if f.wantRemoved {
			want = append(want, filepath.Join(dir, f.name))
		}
		_, err := os.Lstat(filepath.Join(dir, f.name))
		if exists := err == nil; exists == f.wantRemoved {
			t.Errorf("after Prune, %s exists = %v; want %v", f.name, exists, !f.wantRemoved)
		}
	}
	slices.Sort(want)
	if !slices.Equal(removed, want) {
		t.Errorf("Prune removed\n%q\nwant\n%q", removed, want)
	}
	close(release)
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	for _, k := range []int{1, 3} {
		if v, ok, err := c.Read(ctx, k); v != k || !ok || err != nil {
			t.Errorf("Read(%d) after Prune = %v, %v, %v; want %d", k, v, ok, err, k)
		}
	}
}

// TestLockFilesStayInsideTheRoot runs, writes and invalidates under WithRoot
// through a link that leads outside: the lock files are made inside the
// root, and nothing at all outside it.
func TestLockFilesStayInsideTheRoot(t *testing.T) {
	ctx := t.Context()
	root, outside := t.TempDir(), t.TempDir()
	if err := os.Symlink(outside, filepath.Join(root, "link")); err != nil {
		t.Skipf("symbolic links: %v", err)
	}
	c := cachetta.Must(cachetta.New[int](filepath.Join(root, "sub", "n.json"), cachetta.WithRoot(root), cachetta.WithLogger(testLogger(t))))
	var calls counter
	if v, err := cachetta.Wrap(c, constant(&calls, 1))(ctx); v != 1 || err != nil {
		t.Fatalf("wrapped call = %v, %v; want 1", v, err)
	}
	if err := c.Invalidate(ctx); err != nil {
		t.Fatal(err)
	}
	linked := c.Join("..", "..", "link", "n.json")
	if _, err := cachetta.Wrap(linked, constant(&calls, 2))(ctx); !errors.Is(err, cachetta.ErrOutsideRoot) {
		t.Errorf("wrapped call through the link = %v; want ErrOutsideRoot", err)
	}
	if err := linked.Write(ctx, 2); !errors.Is(err, cachetta.ErrOutsideRoot) {
		t.Errorf("Write through the link = %v; want ErrOutsideRoot", err)
	}
	if err := linked.Invalidate(ctx); !errors.Is(err, cachetta.ErrOutsideRoot) {
		t.Errorf("Invalidate through the link = %v; want ErrOutsideRoot", err)
	}
	if entries, err := os.ReadDir(outside); err != nil || len(entries) != 0 {
		t.Errorf("outside the root: %v, %v; want nothing", entries, err)
	}
	entries, err := os.ReadDir(filepath.Join(root, "sub"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{".cachetta-lock"}; !slices.Equal(names, want) {
		t.Errorf("inside the root: %q; want the directory's lock file %q", names, want)
	}
}

// TestRefreshLeavesABusyEntryToItsHolder makes a stale call in one family
// while another family's refresh of the entry holds its run lock: the call
// returns the stale value, and its own refresh ends at once without running
// the function, and without an error to log.
func TestRefreshLeavesABusyEntryToItsHolder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		holder := staleCache(t)
		logger, logs := captureLogs(slog.LevelInfo)
		other := cachetta.Must(cachetta.New[string](holder.Path(), cachetta.WithDuration(time.Hour),
			cachetta.WithRefresh(cachetta.Refresh{StaleWhileRevalidate: time.Hour}), cachetta.WithLogger(logger)))
		release := make(chan struct{})
		refreshing := cachetta.Wrap(holder, func(context.Context) (string, error) { <-release; return "holder's", nil })
		if v, err := refreshing(ctx); v != "stale" || err != nil {
			t.Fatalf("stale call = %q, %v; want stale", v, err)
		}
		synctest.Wait() // the holder's refresh holds the lock
		var calls counter
		if v, err := cachetta.Wrap(other, constant(&calls, "other's"))(ctx); v != "stale" || err != nil {
			t.Errorf("stale call in the other family = %q, %v; want stale", v, err)
		}
		other.Wait() // returns while the holder still refreshes
		if calls.count() != 0 {
			t.Errorf("the other family's refresh ran its function %d times; want 0", calls.count())
		}
		if logs.String() != "" {
			t.Errorf("logs at info level: %q; want none", logs)
		}
		close(release)
		holder.Wait()
		if v, ok, err := other.Read(ctx); v != "holder's" || !ok || err != nil {
			t.Errorf("Read after the holder's refresh = %q, %v, %v; want holder's", v, ok, err)
		}
	})
}
