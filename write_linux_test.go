//go:build linux

package cachetta_test

import (
	"context"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/cachetta-go/cachetta"
)

// The environment of TestWriteOverTheFileSizeLimit's child. Without
// envFileSizePath the child test returns at once.
const (
	envFileSizePath  = "CACHETTA_FSIZE_PATH"  // the cache file the child writes under a lowered RLIMIT_FSIZE
	envFileSizeStore = "CACHETTA_FSIZE_STORE" // when set, the cache keeps it in a FileStore of its directory
)

// The lines the child prints for its parent: the outcome of its Write.
const (
	fsizeSkip  = "fsize-skip: "  // followed by why the limit could not be set
	fsizeError = "fsize-error: " // followed by the error of Write
	fsizeOK    = "fsize-ok"      // Write returned nil
)

// TestWriteOverTheFileSizeLimit makes the temporary file's write fail with
// EFBIG, for a cache of local files and one on a FileStore: Write must report
// it, naming the file it failed on once, keep the previous file and leave no
// temporary file behind. RLIMIT_FSIZE is a limit of the whole process, so the
// limited write runs in a child process, where it cannot make a file write of
// a test running in parallel fail.
func TestWriteOverTheFileSizeLimit(t *testing.T) {
	if path := os.Getenv(envFileSizePath); path != "" {
		writeUnderFileSizeLimit(path, os.Getenv(envFileSizeStore) != "")
		return
	}
	t.Parallel()
	for _, store := range []bool{false, true} {
		name := map[bool]string{false: "files", true: "FileStore"}[store]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testWriteOverTheFileSizeLimit(t, store)
		})
	}
}

func testWriteOverTheFileSizeLimit(t *testing.T, store bool) {
	c := newCache[string](t, "s.json")
	if err := c.Write(t.Context(), "before"); err != nil {
		t.Fatal(err)
	}
	env := []string{envFileSizePath + "=" + c.Path()}
	if store {
		env = append(env, envFileSizeStore+"=1")
	}
	out, err := helperProcess(t, "TestWriteOverTheFileSizeLimit", env...).Output()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	var outcome string
	for line := range strings.Lines(string(out)) {
		if strings.HasPrefix(line, "fsize-") {
			outcome = strings.TrimSuffix(line, "\n")
		}
	}
	switch {
	case strings.HasPrefix(outcome, fsizeSkip):
		t.Skip(strings.TrimPrefix(outcome, fsizeSkip))
	case outcome == fsizeOK:
		t.Errorf("Write over the file-size limit = nil; want an error naming %s", c.Path())
	case strings.HasPrefix(outcome, fsizeError):
		msg := strings.TrimPrefix(outcome, fsizeError)
		// The error names the temporary file it failed on, beside the
		// entry, or the entry itself.
		dir := filepath.Dir(c.Path())
		if !strings.Contains(msg, filepath.Join(dir, ".s.json.")) && !strings.Contains(msg, c.Path()) ||
			strings.Contains(msg, filepath.Join(dir, dir)) || !strings.Contains(msg, "file too large") {
			t.Errorf("Write over the file-size limit = %q; want an error naming a file of %s, once, and EFBIG", msg, dir)
		}
	default:
		t.Fatalf("child printed no outcome:\n%s", out)
	}
	if got := readFile(t, c.Path()); got != `"before"` {
		t.Errorf("file holds %q after the failed write; want the previous value", got)
	}
	if names := dirNames(t, filepath.Dir(c.Path())); !slices.Equal(names, []string{"s.json"}) {
		t.Errorf("directory holds %v after the failed write; want only s.json", names)
	}
}

// writeUnderFileSizeLimit is the child of TestWriteOverTheFileSizeLimit: it
// lowers RLIMIT_FSIZE below the size of the value, writes it to the cache at
// path, or with store to the entry of path's name in a FileStore of path's
// directory, raises the limit again and prints the outcome on stdout. A pipe is
// not subject to the limit, so the outcome reaches the parent.
func writeUnderFileSizeLimit(path string, store bool) {
	// Go ignores SIGXFSZ unless told otherwise; say so, so that the write
	// fails with EFBIG rather than killing the child.
	signal.Ignore(syscall.SIGXFSZ)
	var opts []cachetta.Option
	if store {
		s, err := cachetta.NewFileStore(filepath.Dir(path))
		if err != nil {
			os.Stdout.WriteString(fsizeError + err.Error() + "\n")
			return
		}
		defer s.Close()
		path = filepath.Base(path)
		opts = append(opts, cachetta.WithStore(s))
	}
	c, err := cachetta.New[string](path, opts...)
	if err != nil {
		os.Stdout.WriteString(fsizeError + err.Error() + "\n")
		return
	}
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		os.Stdout.WriteString(fsizeSkip + "Getrlimit: " + err.Error() + "\n")
		return
	}
	limited := syscall.Rlimit{Cur: 1024, Max: old.Max}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &limited); err != nil {
		os.Stdout.WriteString(fsizeSkip + "Setrlimit: " + err.Error() + "\n")
		return
	}
	err = c.Write(context.Background(), strings.Repeat("x", 4096))
	// Raised again before anything else writes a file, such as a coverage
	// profile at exit.
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		os.Stdout.WriteString(fsizeSkip + "Setrlimit: " + err.Error() + "\n")
		return
	}
	if err != nil {
		os.Stdout.WriteString(fsizeError + strings.ReplaceAll(err.Error(), "\n", " ") + "\n")
		return
	}
	os.Stdout.WriteString(fsizeOK + "\n")
}
