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
	go func() {
		scanner := bufio.NewScanner(stdout)
		for scanner.Scan() {
			cs.events <- childEvent{child: i, line: scanner.Text()}
		}
		cs.events <- childEvent{child: i, eof: true}
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
