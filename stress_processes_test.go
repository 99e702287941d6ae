package cachetta_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
)

// The environment of TestHelperStressProcess. Without envStressMode it
// returns at once.
const (
	envStressMode  = "CACHETTA_STRESS_MODE"  // mixed or churn
	envStressDir   = "CACHETTA_STRESS_DIR"   // the cache's directory
	envStressMarks = "CACHETTA_STRESS_MARKS" // where runs leave a file while they run, outside the cache
	envStressID    = "CACHETTA_STRESS_ID"    // the child's number
	envStressOps   = "CACHETTA_STRESS_OPS"   // how many operations it makes
)

// stressKeys is the number of keys the children share.
const stressKeys = 10

// TestHelperStressProcess is the child of the stress tests below. It waits
// for a line on stdin, so that every child starts at one instant, makes its
// operations, and prints one line: "stats runs=R overlaps=O errors=E
// lost=L", followed by a line per error.
//
// In mode mixed it makes wrapped calls (whose function lasts 5 or 20 ms),
// Writes, Invalidates, Reads, Prunes and Clears on stressKeys shared keys,
// and, in another cache of the same directory, Writes of a key of its own,
// each followed by a Read that must return what was written. A run creates the
// file <marks>/<key> exclusively while it runs: finding it there means that
// another process runs the same key at the same time, an overlap. Every
// error returned and every warning logged counts as an error.
//
// In mode churn it makes as many Writes as Invalidates of 100 keys.
func TestHelperStressProcess(t *testing.T) {
	mode := os.Getenv(envStressMode)
	if mode == "" {
		return
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	id, _ := strconv.Atoi(os.Getenv(envStressID))
	ops, _ := strconv.Atoi(os.Getenv(envStressOps))
	dir, marks := os.Getenv(envStressDir), os.Getenv(envStressMarks)
	var errs []string
	var warnings atomic.Int64
	logger := slog.New(countingHandler{slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}), &warnings})
	c := cachetta.Must(cachetta.New[string](filepath.Join(dir, "v.json"),
		cachetta.WithDuration(2*time.Second), cachetta.WithLogger(logger)))
	own := cachetta.Must(cachetta.New[string](filepath.Join(dir, "own.json"), cachetta.WithLogger(logger)))
	rng := rand.New(rand.NewPCG(uint64(id), uint64(time.Now().UnixNano())))
	var runs, overlaps, lost int
	get := cachetta.Wrap2(c, func(_ context.Context, key int, work time.Duration) (string, error) {
		runs++ // calls of one child come one at a time
		mark := filepath.Join(marks, strconv.Itoa(key))
		f, err := os.OpenFile(mark, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		switch {
		case errors.Is(err, fs.ErrExist):
			overlaps++
		case err != nil:
			return "", err
		default:
			f.Close()
			defer os.Remove(mark)
		}
		time.Sleep(work) // the function's own work, not a wait for an event
		return fmt.Sprintf("run %d by %d", key, id), nil
	})
	// The work is an argument of the function, so a function of the key:
	// one key stays one entry.
	work := func(key int) time.Duration {
		if key%2 == 0 {
			return 5 * time.Millisecond
		}
		return 20 * time.Millisecond
	}
	fail := func(op string, err error) {
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", op, err))
		}
	}
	bufio.NewReader(os.Stdin).ReadString('\n')
	for i := range ops {
		key := rng.IntN(stressKeys)
		if mode == "churn" {
			key = rng.IntN(100)
			if i%2 == 0 {
				fail("write", c.Write(ctx, "churn", key))
			} else {
				fail("invalidate", c.Invalidate(ctx, key))
			}
			continue
		}
		switch p := rng.IntN(100); {
		case p < 50:
			_, err := get(ctx, key, work(key))
			fail("get", err)
		case p < 62:
			fail("write", c.Write(ctx, fmt.Sprintf("written %d by %d", i, id), key, work(key)))
		case p < 72:
			fail("invalidate", c.Invalidate(ctx, key, work(key)))
		case p < 77:
			_, err := c.Prune(ctx)
			fail("prune", err)
		case p < 80:
			_, err := c.Clear(ctx)
			fail("clear", err)
		case p < 92:
			// Only this child writes its own key, in a cache of the same
			// directory that nobody clears, prunes or invalidates.
			want := fmt.Sprintf("own %d by %d", i, id)
			if err := own.Write(ctx, want, id); err != nil {
				fail("write own", err)
				continue
			}
			got, ok, err := own.Read(ctx, id)
			fail("read own", err)
			if got != want || !ok {
				lost++
				errs = append(errs, fmt.Sprintf("lost write: Read = %q, %v; want %q", got, ok, want))
			}
		default:
			_, _, err := c.Read(ctx, key, work(key))
			fail("read", err)
		}
	}
	c.Wait()
	fmt.Printf("stats runs=%d overlaps=%d errors=%d lost=%d\n", runs, overlaps, len(errs)+int(warnings.Load()), lost)
	for _, e := range errs {
		fmt.Println("error", e)
	}
}

// countingHandler counts the records it handles.
type countingHandler struct {
	slog.Handler
	n *atomic.Int64
}

func (h countingHandler) Handle(ctx context.Context, r slog.Record) error {
	h.n.Add(1)
	return h.Handler.Handle(ctx, r)
}

// stressStats are the counts of the children of one stress test.
type stressStats struct {
	runs, overlaps, errors, lost int
}

// runStress starts n children in mode, each making ops operations on a cache
// in dir, at one instant, and returns the sum of their counts.
func runStress(t *testing.T, mode, dir string, n, ops int) stressStats {
	t.Helper()
	marks := t.TempDir()
	var children []*exec.Cmd
	var outs []*bufio.Reader
	var starts []*os.File
	for id := range n {
		// helperProcess keeps a child built with -race from sleeping a
		// second before it exits.
		cmd := helperProcess(t, "TestHelperStressProcess", envStressMode+"="+mode, envStressDir+"="+dir,
			envStressMarks+"="+marks, envStressID+"="+strconv.Itoa(id), envStressOps+"="+strconv.Itoa(ops))
		cmd.Stderr = t.Output()
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		children = append(children, cmd)
		outs = append(outs, bufio.NewReader(stdout))
		starts = append(starts, stdin.(*os.File))
	}
	for _, s := range starts {
		s.WriteString("go\n")
	}
	var sum stressStats
	for i, out := range outs {
		for {
			line, err := out.ReadString('\n')
			if err != nil {
				break
			}
			line = strings.TrimSpace(line)
			var s stressStats
			if _, err := fmt.Sscanf(line, "stats runs=%d overlaps=%d errors=%d lost=%d", &s.runs, &s.overlaps, &s.errors, &s.lost); err == nil {
				sum.runs += s.runs
				sum.overlaps += s.overlaps
				sum.errors += s.errors
				sum.lost += s.lost
			} else if strings.HasPrefix(line, "error") {
				t.Logf("child %d: %s", i, line)
			}
		}
		if err := children[i].Wait(); err != nil {
			t.Errorf("child %d: %v", i, err)
		}
	}
	return sum
}

// TestProcessesNeverRunOneKeyAtOnce is the attack that found two processes
// running one key at once: 6 processes, 1,500 mixed operations each, on 10
// shared keys whose functions last 5 or 20 ms, among Writes, Invalidates,
// Prunes and Clears of the same directory. No key may run in two processes
// at once, no operation may fail, and no Write may be lost. The old code
// showed about one overlap per run at 1,500 operations a process, the
// length -long (see long) gives; by default each process makes 400, and
// 150 with -short.
func TestProcessesNeverRunOneKeyAtOnce(t *testing.T) {
	ops := stressLength(1500, 400, 150)
	dir := t.TempDir()
	s := runStress(t, "mixed", dir, 6, ops)
	t.Logf("6 processes x %d operations: %d runs, %d overlaps, %d errors, %d lost writes", ops, s.runs, s.overlaps, s.errors, s.lost)
	if s.runs == 0 {
		t.Errorf("no run at all; the test proves nothing")
	}
	if s.overlaps != 0 || s.errors != 0 || s.lost != 0 {
		t.Errorf("%d overlapping runs, %d errors, %d lost writes; want 0 of each", s.overlaps, s.errors, s.lost)
	}
	assertOneHiddenItem(t, dir)
}

// TestChurnLeavesOnlyEntries: after 1,000 Writes and 1,000 Invalidates of
// 100 keys from 4 processes, the directory holds at most 100 entries and
// its one lock file.
func TestChurnLeavesOnlyEntries(t *testing.T) {
	dir := t.TempDir()
	s := runStress(t, "churn", dir, 4, 500)
	if s.errors != 0 {
		t.Errorf("%d errors; want none", s.errors)
	}
	entries := assertOneHiddenItem(t, dir)
	t.Logf("after 1,000 writes and 1,000 invalidates of 100 keys from 4 processes: %d entries", entries)
	if entries > 100 {
		t.Errorf("%d entries; want at most 100", entries)
	}
}

// assertOneHiddenItem checks that dir holds entries and at most one hidden
// item, the lock file, and returns the number of entries.
func assertOneHiddenItem(t *testing.T, dir string) int {
	t.Helper()
	listing, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	entries, hidden := 0, 0
	for _, e := range listing {
		switch name := e.Name(); {
		case name == ".cachetta-lock" && e.Type().IsRegular():
			hidden++
		case strings.HasSuffix(name, ".json") && !strings.HasPrefix(name, ".") && e.Type().IsRegular():
			entries++
		default:
			t.Errorf("the cache's directory holds %s, neither an entry nor its lock file", name)
		}
	}
	if hidden > 1 {
		t.Errorf("%d hidden items; want at most 1", hidden)
	}
	return entries
}
