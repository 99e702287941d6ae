package cachetta_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
)

// The environment variables that turn a helper test function into a child
// process's work. Without them the helpers return at once.
const (
	envWriterPath = "CACHETTA_WRITER_PATH" // TestHelperWriterProcess: the file to rewrite
	envSharedDir  = "CACHETTA_SHARED_DIR"  // TestHelperSharedKeyProcess: the directory of the shared keys
	envSharedID   = "CACHETTA_SHARED_ID"   // TestHelperSharedKeyProcess: the process's letter, which fills its values
	envSharedOps  = "CACHETTA_SHARED_OPS"  // TestHelperSharedKeyProcess: how many operations it makes
)

// payload is a value that proves its own integrity: Fill is Size copies of
// one letter, so a torn value, or one mixing two writes, fails check.
type payload struct {
	Size int    `json:"size"`
	Fill string `json:"fill"`
}

func newPayload(size int, letter byte) payload {
	return payload{Size: size, Fill: strings.Repeat(string(letter), size)}
}

// check reports how p differs from a value newPayload makes.
func (p payload) check() error {
	switch {
	case p.Size <= 0 || len(p.Fill) != p.Size:
		return fmt.Errorf("size %d, fill of %d bytes", p.Size, len(p.Fill))
	case strings.Count(p.Fill, p.Fill[:1]) != p.Size:
		return fmt.Errorf("fill of %d bytes mixes letters", p.Size)
	}
	return nil
}

// encodePayload returns the JSON of newPayload(size, letter), built in one
// buffer without encoding/json: under -race, encoding 4 MiB takes longer than
// writing it, and every fresh page costs its shadow too.
func encodePayload(size int, letter byte) json.RawMessage {
	head := fmt.Sprintf(`{"size":%d,"fill":"`, size)
	data := make([]byte, len(head)+size+len(`"}`))
	copy(data, head)
	fill := data[len(head) : len(head)+size]
	fill[0] = letter
	for n := 1; n < size; n *= 2 { // doubling copies, as bytes.Repeat makes them
		copy(fill[n:], fill[:n])
	}
	copy(data[len(head)+size:], `"}`)
	return data
}

// rawCodec writes a json.RawMessage as it is, where encoding/json would scan
// it, so that the writer of TestKillDuringWrite spends its time in the file
// operations where the kills should land.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error)      { return v.(json.RawMessage), nil }
func (rawCodec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

// payloadCodec reads a payload from the JSON encodePayload writes, and
// refuses everything else, a torn file above all, as a corrupt entry. It
// does so without encoding/json, which under -race takes seconds to decode
// a 4 MiB value: most of TestKillDuringWrite's time went to the checks after
// the kills that found one.
type payloadCodec struct{}

func (payloadCodec) Marshal(v any) ([]byte, error) { return json.Marshal(v) }

func (payloadCodec) Unmarshal(data []byte, v any) error {
	rest, okHead := bytes.CutPrefix(data, []byte(`{"size":`))
	digits, rest, okFill := bytes.Cut(rest, []byte(`,"fill":"`))
	fill, okTail := bytes.CutSuffix(rest, []byte(`"}`))
	size, err := strconv.Atoi(string(digits))
	if !okHead || !okFill || !okTail || err != nil || bytes.ContainsAny(fill, `"\`) {
		return fmt.Errorf("not a payload as encodePayload writes it: %.40q", data)
	}
	*v.(*payload) = payload{Size: size, Fill: string(fill)}
	return nil
}

// helperProcess returns a command that runs the test function name, and no
// other, in a copy of this test binary with env added to its environment. The
// command is killed when the test ends.
func helperProcess(t *testing.T, name string, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^"+name+"$", "-test.count=1", "-test.timeout=2m")
	// A child built with -race otherwise sleeps a second before exiting.
	gorace := "GORACE=" + strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0")
	cmd.Env = append(append(os.Environ(), gorace), env...)
	return cmd
}

// isTemp reports whether name is a temporary file the cache makes beside base.
func isTemp(name, base string) bool {
	return strings.HasPrefix(name, "."+base+".") && strings.HasSuffix(name, ".cachetta-tmp")
}

// removeTemps removes the temporary files beside base in dir, as Prune would,
// and returns how many there were.
func removeTemps(t *testing.T, dir, base string) int {
	t.Helper()
	n := 0
	for _, name := range dirNames(t, dir) {
		if isTemp(name, base) {
			n++
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				t.Fatal(err)
			}
		}
	}
	return n
}

// writerSizes are the sizes of the values TestHelperWriterProcess writes in
// turn, from 1 KiB to 4 MiB. Rising sizes make the long 4 MiB write, where
// most kills land mid-write, follow a smaller value, which a reader decodes
// faster after the kill.
var writerSizes = []int{1 << 10, 16 << 10, 256 << 10, 4 << 20}

// TestHelperWriterProcess is the child of TestKillDuringWrite: it rewrites
// the file named by $CACHETTA_WRITER_PATH in a loop, printing "ready" after
// its first write, until it is killed or a minute has passed.
func TestHelperWriterProcess(t *testing.T) {
	path := os.Getenv(envWriterPath)
	if path == "" {
		return
	}
	// The deadline only ends a child whose parent died without killing it.
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	values := make([]json.RawMessage, len(writerSizes))
	for i, size := range writerSizes {
		values[i] = encodePayload(size, byte('a'+i))
	}
	c, err := cachetta.New[json.RawMessage](path, cachetta.WithCodec(rawCodec{}),
		cachetta.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; ctx.Err() == nil; i++ {
		if err := c.Write(ctx, values[i%len(values)]); err != nil && ctx.Err() == nil {
			t.Fatalf("write %d: %v", i, err)
		}
		if i == 0 {
			fmt.Println("ready")
		}
	}
}

// TestKillDuringWrite kills processes that are rewriting a cache file, at
// random moments, and checks after every kill that the file holds a complete
// value some write produced: SIGKILL may leave a temporary file behind, never
// a torn entry. Two lanes, each with its own file, run side by side, each
// killing 100 processes with -long (see long), 20 by default and 5 with
// -short: a child built with -race takes a while to start, and the kills
// are most of the race run's time.
func TestKillDuringWrite(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL and rename over an open file are Unix semantics")
	}
	const lanes = 2
	killsPerLane := stressLength(100, 20, 5)
	var kills, midWrite atomic.Int64
	var mu sync.Mutex
	found := make(map[int]int) // sizes of the values found after kills, guarded by mu
	t.Run("lanes", func(t *testing.T) {
		for lane := range lanes {
			t.Run(fmt.Sprint(lane), func(t *testing.T) {
				t.Parallel()
				path := filepath.Join(t.TempDir(), "v.json")
				for kill := range killsPerLane {
					size, torn := killWriter(t, path, kill)
					if torn {
						midWrite.Add(1)
					}
					kills.Add(1)
					mu.Lock()
					found[size]++
					mu.Unlock()
				}
			})
		}
	})
	t.Logf("%d kills, %d of them mid-write (a temporary file left behind); sizes found after them: %v",
		kills.Load(), midWrite.Load(), found)
}

// killWriter starts a TestHelperWriterProcess on path, kills it at a random
// moment and checks that path holds a complete value. It returns the value's
// size and whether the kill landed mid-write, leaving a temporary file, which
// it removes.
func killWriter(t *testing.T, path string, kill int) (size int, midWrite bool) {
	t.Helper()
	// Kills land up to this long after the child's first write: long enough
	// to reach writes of every size, short enough to keep the test quick.
	const killWindow = 10 * time.Millisecond
	cmd := helperProcess(t, "TestHelperWriterProcess", envWriterPath+"="+path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if line != "ready\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("kill %d: child printed %q, %v before its first write; want ready\nstderr: %s", kill, line, err, &stderr)
	}
	// The random delay picks the moment of the kill; it waits for nothing.
	time.Sleep(rand.N(killWindow))
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if cmd.ProcessState.Exited() {
		t.Fatalf("kill %d: child exited by itself (%v) before the kill\nstderr: %s", kill, cmd.ProcessState, &stderr)
	}

	midWrite = removeTemps(t, filepath.Dir(path), filepath.Base(path)) > 0
	logger, logs := captureLogs(slog.LevelWarn)
	c := cachetta.Must(cachetta.New[payload](path, cachetta.WithCodec(payloadCodec{}), cachetta.WithLogger(logger)))
	v, ok, err := c.Read(t.Context())
	if !ok || err != nil {
		t.Fatalf("kill %d: Read(%q) = %d bytes, %v, %v; want a complete value\nlogs: %s", kill, path, v.Size, ok, err, logs)
	}
	if err := v.check(); err != nil {
		t.Fatalf("kill %d: Read(%q) = a torn value: %v", kill, path, err)
	}
	if got := logs.String(); strings.Contains(got, "corrupt") {
		t.Fatalf("kill %d: Read(%q) logged %q; want no corrupt entry", kill, path, got)
	}
	return v.Size, midWrite
}

// The shape of TestManyProcessesOneKey.
const (
	sharedProcs = 4
	sharedKeys  = 3
)

// sharedSizes are the sizes of the values each child writes in turn.
var sharedSizes = []int{16, 1 << 10, 64 << 10, 4 << 10}

// sharedPath returns the file of shared key k in dir.
func sharedPath(dir string, k int) string {
	return filepath.Join(dir, fmt.Sprintf("k%d.json", k))
}

// TestHelperSharedKeyProcess is a child of TestManyProcessesOneKey: it
// writes and reads the shared keys in $CACHETTA_SHARED_DIR, failing on any
// error, any miss after its own first write of a key, any incomplete value and
// any corrupt entry logged. It ends by printing a summary line.
func TestHelperSharedKeyProcess(t *testing.T) {
	dir := os.Getenv(envSharedDir)
	if dir == "" {
		return
	}
	ctx := t.Context()
	id := os.Getenv(envSharedID)
	ops, err := strconv.Atoi(os.Getenv(envSharedOps))
	if err != nil {
		t.Fatalf("$%s: %v", envSharedOps, err)
	}
	logger, logs := captureLogs(slog.LevelWarn)
	caches := make([]*cachetta.Cachetta[payload], sharedKeys)
	for k := range caches {
		caches[k] = cachetta.Must(cachetta.New[payload](sharedPath(dir, k), cachetta.WithLogger(logger)))
	}
	written := make([]bool, sharedKeys)
	writes, reads, hits := 0, 0, 0
	for i := range ops {
		k := i % sharedKeys
		c := caches[k]
		if (i/sharedKeys)%2 == 0 {
			v := newPayload(sharedSizes[(i/sharedKeys/2)%len(sharedSizes)], id[0])
			if err := c.Write(ctx, v); err != nil {
				t.Fatalf("process %s, op %d: Write(%q) = %v", id, i, c.Path(), err)
			}
			written[k] = true
			writes++
			continue
		}
		v, ok, err := c.Read(ctx)
		reads++
		switch {
		case err != nil:
			t.Fatalf("process %s, op %d: Read(%q) = %v, %v, %v; want no error", id, i, c.Path(), v.Size, ok, err)
		case !ok && written[k]:
			t.Fatalf("process %s, op %d: Read(%q) = %v, %v, %v; want a hit after a write", id, i, c.Path(), v.Size, ok, err)
		case ok:
			hits++
			if err := v.check(); err != nil {
				t.Fatalf("process %s, op %d: Read(%q) = a torn value: %v", id, i, c.Path(), err)
			}
		}
	}
	if got := logs.String(); got != "" {
		t.Fatalf("process %s logged %q; want no warnings", id, got)
	}
	fmt.Printf("summary writes=%d reads=%d hits=%d\n", writes, reads, hits)
}

// TestManyProcessesOneKey runs processes that write and read the same keys
// at once: none may see an error, a torn value or a corrupt entry, and every
// file must end as one complete value. Each process makes 2,000 operations,
// half writes and half reads, with -long (see long), 500 by default and 100
// with -short.
func TestManyProcessesOneKey(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("rename over a file another process has open is Unix semantics")
	}
	ops := stressLength(2000, 500, 100)
	dir := t.TempDir()
	outputs := make([]bytes.Buffer, sharedProcs)
	cmds := make([]*exec.Cmd, sharedProcs)
	for i := range cmds {
		cmds[i] = helperProcess(t, "TestHelperSharedKeyProcess", envSharedDir+"="+dir,
			fmt.Sprintf("%s=%c", envSharedID, 'a'+i), envSharedOps+"="+strconv.Itoa(ops))
		cmds[i].Stdout = &outputs[i]
		cmds[i].Stderr = &outputs[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	var writes, reads, hits int
	for i, cmd := range cmds {
		err := cmd.Wait()
		out := outputs[i].String()
		// A child that ran no helper, or stopped early, prints no summary.
		var w, r, h int
		_, scanErr := fmt.Sscanf(out[max(strings.Index(out, "summary "), 0):], "summary writes=%d reads=%d hits=%d", &w, &r, &h)
		if err != nil || scanErr != nil {
			t.Errorf("process %c: %v\n%s", 'a'+i, err, out)
			continue
		}
		writes, reads, hits = writes+w, reads+r, hits+h
	}
	for k := range sharedKeys {
		path := sharedPath(dir, k)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var v payload
		if !json.Valid(data) || json.Unmarshal(data, &v) != nil || v.check() != nil {
			t.Errorf("%s holds %.80q (%d bytes); want one complete value", path, data, len(data))
		}
	}
	if names := dirNames(t, dir); len(names) != sharedKeys {
		t.Errorf("directory holds %v; want only the %d keys", names, sharedKeys)
	}
	t.Logf("%d processes on %d keys: %d writes, %d reads, %d hits", sharedProcs, sharedKeys, writes, reads, hits)
}

// TestDirectoryRemovedUnderRunningCache removes the cache's directory again
// and again while a goroutine writes into it: every write must succeed.
func TestDirectoryRemovedUnderRunningCache(t *testing.T) {
	const writes = 300
	ctx := t.Context()
	sub := filepath.Join(t.TempDir(), "sub")
	c := cachetta.Must(cachetta.New[int](filepath.Join(sub, "x.json"), cachetta.WithLogger(testLogger(t))))
	done := make(chan struct{})
	var removals, removeErrs atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			if err := os.RemoveAll(sub); err != nil {
				// RemoveAll racing with a file's creation may fail; the
				// next round removes it.
				removeErrs.Add(1)
				continue
			}
			removals.Add(1)
		}
	})
	var failed []string
	for i := range writes {
		if err := c.Write(ctx, i); err != nil {
			failed = append(failed, fmt.Sprintf("write %d: %v", i, err))
		}
	}
	close(done)
	wg.Wait()
	if len(failed) > 0 {
		t.Errorf("%d of %d Writes(%q) failed while the directory was being removed; want none; the first:\n%s",
			len(failed), writes, c.Path(), strings.Join(failed[:min(len(failed), 5)], "\n"))
	}
	t.Logf("%d writes, %d removals (%d failed RemoveAll)", writes, removals.Load(), removeErrs.Load())
}

// TestDiskErrors checks what a cache does on a disk that refuses it: Write
// returns an error naming the path, Read an error for a file it cannot read,
// and a wrapper returns the value it computed whatever the disk does, logging
// a failed write at warn level.
func TestDiskErrors(t *testing.T) {
	tests := []struct {
		name       string
		asRoot     bool                                  // the case holds for root, who ignores permission bits
		setup      func(t *testing.T, dir string) string // returns the cache's path in dir
		writeFails bool
		readFails  bool // otherwise Read is a miss without error
	}{
		{
			name:   "parent is a file",
			asRoot: true,
			setup: func(t *testing.T, dir string) string {
				writeFile(t, filepath.Join(dir, "file"), "x")
				return filepath.Join(dir, "file", "n.json")
			},
			writeFails: true,
			readFails:  true,
		},
		{
			name:   "directory in place of the file",
			asRoot: true,
			setup: func(t *testing.T, dir string) string {
				path := filepath.Join(dir, "n.json")
				if err := os.Mkdir(path, 0o700); err != nil {
					t.Fatal(err)
				}
				return path
			},
			writeFails: true,
			readFails:  true,
		},
		{
			name: "unreadable file",
			setup: func(t *testing.T, dir string) string {
				path := filepath.Join(dir, "n.json")
				writeFile(t, path, "1")
				if err := os.Chmod(path, 0); err != nil {
					t.Fatal(err)
				}
				return path
			},
			readFails: true,
		},
		{
			name: "read-only directory",
			setup: func(t *testing.T, dir string) string {
				ro := filepath.Join(dir, "ro")
				if err := os.Mkdir(ro, 0o500); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { os.Chmod(ro, 0o700) })
				return filepath.Join(ro, "n.json")
			},
			writeFails: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.asRoot && (os.Geteuid() == 0 || runtime.GOOS == "windows") {
				t.Skip("permission bits stop neither root nor Windows")
			}
			ctx := t.Context()

			t.Run("Write", func(t *testing.T) {
				path := tt.setup(t, t.TempDir())
				c := cachetta.Must(cachetta.New[int](path, cachetta.WithLogger(testLogger(t))))
				err := c.Write(ctx, 42)
				switch {
				case tt.writeFails && (err == nil || !strings.Contains(err.Error(), path)):
					t.Errorf("Write(%q) = %v; want an error naming the path", path, err)
				case !tt.writeFails && err != nil:
					t.Errorf("Write(%q) = %v; want nil", path, err)
				}
			})

			t.Run("Read", func(t *testing.T) {
				path := tt.setup(t, t.TempDir())
				c := cachetta.Must(cachetta.New[int](path, cachetta.WithLogger(testLogger(t))))
				v, ok, err := c.Read(ctx)
				switch {
				case tt.readFails && (ok || err == nil || !strings.Contains(err.Error(), path)):
					t.Errorf("Read(%q) = %v, %v, %v; want an error naming the path", path, v, ok, err)
				case !tt.readFails && (ok || err != nil):
					t.Errorf("Read(%q) = %v, %v, %v; want a miss without error", path, v, ok, err)
				}
			})

			t.Run("Wrap", func(t *testing.T) {
				path := tt.setup(t, t.TempDir())
				logger, logs := captureLogs(slog.LevelWarn)
				c := cachetta.Must(cachetta.New[int](path, cachetta.WithLogger(logger)))
				calls := 0
				get := cachetta.Wrap(c, func(context.Context) (int, error) { calls++; return 42, nil })
				if v, err := get(ctx); v != 42 || err != nil || calls != 1 {
					t.Fatalf("wrapper over %q = %v, %v after %d calls; want 42, nil after 1", path, v, err, calls)
				}
				if tt.readFails && !hasWarning(logs.String(), "cache read failed, computing", path) {
					t.Errorf("logs %q lack a warning of the failed read of %s", logs, path)
				}
				if tt.writeFails != hasWarning(logs.String(), "cache write failed", path) {
					t.Errorf("logs %q: warning of a failed write of %s is %v; want %v",
						logs, path, !tt.writeFails, tt.writeFails)
				}
				if !tt.writeFails {
					if v, ok, err := c.Read(ctx); v != 42 || !ok || err != nil {
						t.Errorf("after the wrapper, Read(%q) = %v, %v, %v; want 42, true, nil", path, v, ok, err)
					}
				}
			})
		})
	}
}

// hasWarning reports whether logs hold a warn-level line with msg and path.
func hasWarning(logs, msg, path string) bool {
	for line := range strings.Lines(logs) {
		if strings.Contains(line, "level=WARN") && strings.Contains(line, `msg="`+msg+`"`) &&
			strings.Contains(line, "path="+path) {
			return true
		}
	}
	return false
}
