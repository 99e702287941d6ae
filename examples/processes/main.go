// Command processes shows processes sharing the runs of a wrapped function
// through the cache's file locks. It starts copies of itself (os.Executable)
// as child processes on one temporary cache directory, in two scenes:
//
//   - Sharing: 4 children, released at one instant, call a slow function
//     (200ms) on one key. One of them runs it; the other 3 wait for its lock
//     and read the file it wrote. The function runs once.
//   - Taking over: a child starts the run and is killed (SIGKILL on Unix,
//     TerminateProcess on Windows) in the middle of it, while 2 others wait
//     for its lock. The kernel releases a dead process's locks, so one
//     waiter takes the lock and runs the function itself, and the other
//     reads what it wrote.
//
// Every run appends its process ID to a file opened with O_APPEND, which is
// how the parent counts runs across processes. The parent exits non-zero
// when the counts are not what the scene shows. Run it with
//
//	go run ./examples/processes
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cachetta-go/cachetta"
)

// The environment of a child: its role (share, hold or wait) and the
// directory of the scene. A process without envRole is the parent.
const (
	envRole = "CACHETTA_EXAMPLE_ROLE"
	envDir  = "CACHETTA_EXAMPLE_DIR"
)

// waitingMsg is what the cache logs, at debug level, when a call starts to
// wait for another process's lock.
const waitingMsg = `msg="waiting for a lock"`

func main() {
	run := parent
	if role := os.Getenv(envRole); role != "" {
		run = func() error { return child(role, os.Getenv(envDir)) }
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "processes:", err)
		os.Exit(1)
	}
}

// child calls the wrapped function once, as its role says, and prints what
// the parent waits for: "ready" before it waits for the start signal (the
// end of its stdin), "running" when its own run of the function starts, and
// "result <ran> <value>" when the call returns, where ran tells whether this
// process ran the function. The cache's logs, at debug level, go to stdout
// too: the parent looks there for the line saying that a call waits for a
// lock.
func child(role, dir string) error {
	// The deadline only ends a child whose parent died without killing it.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelDebug}))
	reports, err := cachetta.New[string](filepath.Join(dir, "cache", "report.json"), cachetta.WithLogger(logger))
	if err != nil {
		return err
	}
	runs, err := os.OpenFile(filepath.Join(dir, "runs.txt"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer runs.Close()

	var ran atomic.Bool
	report := cachetta.Wrap1(reports, func(ctx context.Context, month string) (string, error) {
		ran.Store(true)
		// One short write to a file opened with O_APPEND is never
		// interleaved with another process's.
		if _, err := fmt.Fprintln(runs, os.Getpid()); err != nil {
			return "", err
		}
		fmt.Println("running")
		wait := 200 * time.Millisecond // the slow part
		if role == "hold" {
			wait = time.Minute // killed long before
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return "", ctx.Err()
		}
		return fmt.Sprintf("report for %s by process %d", month, os.Getpid()), nil
	})

	fmt.Println("ready")
	if _, err := io.Copy(io.Discard, os.Stdin); err != nil {
		return err
	}
	v, err := report(ctx, "2026-06")
	if err != nil {
		return err
	}
	fmt.Println("result", ran.Load(), v)
	return nil
}

// parent plays the two scenes, each in a directory of its own below a
// temporary one.
func parent() error {
	// Bounds the whole demonstration: a scene that hangs fails instead.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "cachetta-processes-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := share(ctx, exe, filepath.Join(dir, "share")); err != nil {
		return fmt.Errorf("sharing: %w", err)
	}
	if err := takeOver(ctx, exe, filepath.Join(dir, "take-over")); err != nil {
		return fmt.Errorf("taking over: %w", err)
	}
	return nil
}

// share starts 4 children on one cold key and releases them together: the
// function runs once, and every child gets that run's value.
func share(ctx context.Context, exe, dir string) error {
	const procs = 4
	g, err := newGroup(ctx, exe, dir)
	if err != nil {
		return err
	}
	defer g.stop()
	// The start signal is the end of one pipe that every child has as its
	// stdin: closing the write end ends them all at the same instant.
	start, release, err := os.Pipe()
	if err != nil {
		return err
	}
	defer release.Close()
	for range procs {
		if _, err := g.start("share", start); err != nil {
			start.Close()
			return err
		}
	}
	start.Close() // the children have their own copies
	if err := g.await("every child ready", func() bool { return g.count("ready") == procs }); err != nil {
		return err
	}
	release.Close()
	if err := g.await("every child's result", g.exited); err != nil {
		return err
	}
	runs, err := g.runs()
	if err != nil {
		return err
	}
	calls, ran, values := g.results()
	fmt.Printf("sharing: %d processes called report(ctx, \"2026-06\") at one instant: %d run; "+
		"%d process ran it, %d read its result from the file; %d distinct value\n",
		calls, len(runs), ran, calls-ran, len(values))
	if calls != procs || len(runs) != 1 || ran != 1 || len(values) != 1 {
		return fmt.Errorf("want %d calls, 1 run, by 1 process, and 1 value; runs by %v, values %q",
			procs, runs, values)
	}
	return nil
}

// takeOver starts a child that begins the run and holds on, then 2 that wait
// for its lock, and kills the first: one waiter runs the function, and both
// get its value.
func takeOver(ctx context.Context, exe, dir string) error {
	const waiters = 2
	g, err := newGroup(ctx, exe, dir)
	if err != nil {
		return err
	}
	defer g.stop()
	// With no stdin (the null device) a child starts at once.
	holder, err := g.start("hold", nil)
	if err != nil {
		return err
	}
	if err := g.await("the holder's run", func() bool { return g.count("running") == 1 }); err != nil {
		return err
	}
	for range waiters {
		if _, err := g.start("wait", nil); err != nil {
			return err
		}
	}
	// Only a waiter logs this; the holder took the lock at once.
	err = g.await("both waiters waiting for the lock", func() bool { return g.count(waitingMsg) == waiters })
	if err != nil {
		return err
	}
	if err := g.kill(holder); err != nil {
		return err
	}
	killed := time.Now()
	if err := g.await("the waiters' results", g.exited); err != nil {
		return err
	}
	took := time.Since(killed)
	runs, err := g.runs()
	if err != nil {
		return err
	}
	calls, ran, values := g.results()
	fmt.Printf("taking over: the holder was killed mid-run while %d processes waited for its lock; "+
		"%d took over and ran the function, %d read its result; %d runs in all (1 killed, 1 completed); "+
		"done %v after the kill\n", calls, ran, calls-ran, len(runs), took.Round(10*time.Millisecond))
	holderPID := strconv.Itoa(g.pid(holder))
	if calls != waiters || len(runs) != 2 || runs[0] != holderPID || ran != 1 || len(values) != 1 {
		return fmt.Errorf("want %d results, the holder's run, then 1 waiter's, and 1 value; "+
			"runs by %v (holder %s), values %q", waiters, runs, holderPID, values)
	}
	return nil
}

// group runs the children of one scene and gathers what they print.
type group struct {
	ctx      context.Context // cancelling it kills the children still running
	cancel   context.CancelFunc
	exe, dir string
	changed  chan struct{} // receives after a child printed a line or exited

	mu    sync.Mutex // guards procs and the fields of each
	procs []*proc
}

// proc is one child process.
type proc struct {
	cmd    *exec.Cmd
	lines  []string      // printed so far
	done   chan struct{} // closed when the child has exited
	err    error         // its exit, once done
	killed bool          // killed by the parent
}

// newGroup returns a group whose children work in dir, which it creates.
func newGroup(ctx context.Context, exe, dir string) (*group, error) {
	if err := os.Mkdir(dir, 0o700); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	return &group{ctx: ctx, cancel: cancel, exe: exe, dir: dir, changed: make(chan struct{}, 1)}, nil
}

// start starts a child in role with stdin as its standard input, and returns
// its number in the group.
func (g *group) start(role string, stdin *os.File) (int, error) {
	cmd := exec.CommandContext(g.ctx, g.exe)
	cmd.Env = append(os.Environ(), envRole+"="+role, envDir+"="+g.dir)
	if stdin != nil {
		cmd.Stdin = stdin
	}
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	g.mu.Lock()
	i := len(g.procs)
	g.procs = append(g.procs, p)
	g.mu.Unlock()
	// The reader owns the child: it reads its output to the end, then
	// waits for it to exit.
	go func() {
		defer close(p.done)
		scanner := bufio.NewScanner(stdout)
		for scanner.Scan() {
			g.mu.Lock()
			p.lines = append(p.lines, scanner.Text())
			g.mu.Unlock()
			g.notify()
		}
		err := cmd.Wait()
		g.mu.Lock()
		p.err = err
		g.mu.Unlock()
		g.notify()
	}()
	return i, nil
}

func (g *group) notify() {
	select {
	case g.changed <- struct{}{}:
	default:
	}
}

// await waits until done reports true. It fails, showing what each child
// printed, when a child that was not killed fails or when the scene's
// context ends first.
func (g *group) await(what string, done func() bool) error {
	for !done() {
		if g.failed() {
			return fmt.Errorf("a child failed while the parent waited for %s%s", what, g.output())
		}
		select {
		case <-g.changed:
		case <-g.ctx.Done():
			return fmt.Errorf("gave up waiting for %s: %w%s", what, g.ctx.Err(), g.output())
		}
	}
	return nil
}

// exited reports whether every child has exited.
func (g *group) exited() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, p := range g.procs {
		select {
		case <-p.done:
		default:
			return false
		}
	}
	return true
}

// failed reports whether a child that was not killed exited with an error.
func (g *group) failed() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.ContainsFunc(g.procs, func(p *proc) bool { return !p.killed && p.err != nil })
}

// output returns what the children printed, for an error message.
func (g *group) output() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out strings.Builder
	for i, p := range g.procs {
		if len(p.lines) == 0 {
			fmt.Fprintf(&out, "\nchild %d printed nothing", i)
			continue
		}
		fmt.Fprintf(&out, "\nchild %d printed:\n\t%s", i, strings.Join(p.lines, "\n\t"))
	}
	return out.String()
}

// count returns how many lines starting with prefix the children printed,
// or, for waitingMsg, how many of the cache's log lines hold it.
func (g *group) count(prefix string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for _, p := range g.procs {
		for _, line := range p.lines {
			if strings.HasPrefix(line, prefix) || prefix == waitingMsg && strings.Contains(line, waitingMsg) {
				n++
			}
		}
	}
	return n
}

// results returns how many calls returned, how many of them ran the
// function in their own process, and the distinct values they returned.
func (g *group) results() (calls, ran int, values []string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, p := range g.procs {
		for _, line := range p.lines {
			rest, ok := strings.CutPrefix(line, "result ")
			if !ok {
				continue
			}
			calls++
			self, value, _ := strings.Cut(rest, " ")
			if self == "true" {
				ran++
			}
			if !slices.Contains(values, value) {
				values = append(values, value)
			}
		}
	}
	return calls, ran, values
}

// runs returns the process IDs that the runs of the function recorded, in
// the order they started.
func (g *group) runs() ([]string, error) {
	data, err := os.ReadFile(filepath.Join(g.dir, "runs.txt"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	return strings.Fields(string(data)), nil
}

// pid returns the process ID of child i.
func (g *group) pid(i int) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.procs[i].cmd.Process.Pid
}

// kill kills child i (SIGKILL on Unix) and waits until it has exited.
func (g *group) kill(i int) error {
	g.mu.Lock()
	p := g.procs[i]
	p.killed = true
	g.mu.Unlock()
	if err := p.cmd.Process.Kill(); err != nil {
		return err
	}
	<-p.done
	return nil
}

// stop kills the children still running, which only a failed scene leaves,
// and waits until every child has exited.
func (g *group) stop() {
	g.cancel()
	g.mu.Lock()
	procs := slices.Clone(g.procs)
	g.mu.Unlock()
	for _, p := range procs {
		<-p.done
	}
}
