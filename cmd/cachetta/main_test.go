package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
)

// TestMain runs the command instead of the tests when the test binary is
// started by cachetta, below, so that the tests run it as a subprocess.
func TestMain(m *testing.M) {
	if os.Getenv("CACHETTA_TEST_MAIN") == "1" {
		main()
	}
	os.Exit(m.Run())
}

// result is what one run of the command did.
type result struct {
	code           int
	stdout, stderr string
}

// command runs the command with args and stdin, which it reads from a
// pipe: never a terminal.
func command(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return commandReading(t, strings.NewReader(stdin), args...)
}

// commandReading runs the command with args; an *os.File for stdin is
// passed to it as it is, anything else through a pipe.
func commandReading(t *testing.T, stdin io.Reader, args ...string) result {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), exe, args...)
	// Under -race each exit would otherwise sleep a second (GORACE's
	// atexit_sleep_ms), for reports from goroutines still running.
	cmd.Env = append(os.Environ(), "CACHETTA_TEST_MAIN=1", "GORACE="+os.Getenv("GORACE")+" atexit_sleep_ms=0")
	cmd.Stdin = stdin
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	return result{cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()}
}

// tree makes a cache directory: two entries, one two hours old, a temporary
// file and two per-entry lock files of an earlier release two hours old, a
// fresh temporary file and a fresh such lock file, and an unrelated file. It
// returns the directory.
func tree(t *testing.T) string {
	dir := t.TempDir()
	files := []struct {
		name, content string
		age           time.Duration
	}{
		{"users/1.json", `{"name":"ada","langs":["go"]}`, 0},
		{"users/.1.json.cachetta-lock", "", 2 * time.Hour},
		{"n.json", "42", 2 * time.Hour},
		{".n.json.cachetta-lock", "", 0},
		{"users/.1.json.3kf8a1.cachetta-tmp", "{", 2 * time.Hour},
		{"users/.2.json.cachetta-lock", "", 2 * time.Hour},
		{".n.json.9zz.cachetta-tmp", "4", 0},
		{"notes.txt", "not an entry", 3 * time.Hour},
	}
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(f.content), 0o600); err != nil {
			t.Fatal(err)
		}
		when := time.Now().Add(-f.age)
		if err := os.Chtimes(path, when, when); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestCommands(t *testing.T) {
	dir := tree(t)
	key, err := cachetta.Key(42, "x")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		stdout   []string // each must appear in stdout
		stderr   []string // each must appear in stderr
	}{
		{"help", []string{"--help"}, 0, []string{"usage: cachetta <command>", "clear [--yes] DIR"}, nil},
		{"no command", nil, 2, nil, []string{"usage: cachetta <command>"}},
		{"unknown command", []string{"rm", dir}, 2, nil, []string{`unknown command "rm"`}},
		{"ls", []string{"ls", "--duration", "1h", dir}, 0,
			[]string{"STATE    SIZE  AGE     PATH\n", "expired  2 B   2h0m0s  n.json\n", "fresh    29 B  ", "  users/1.json\n", "total: 2 entries, 31 B\n"}, nil},
		{"ls flags after the directory", []string{"ls", dir, "--duration=3h"}, 0, []string{"fresh  2 B   2h0m0s  n.json"}, nil},
		{"ls help", []string{"ls", "--help"}, 0, []string{"usage: cachetta ls [flags] DIR", "-json"}, nil},
		{"ls without a directory", []string{"ls"}, 2, nil, []string{"wrong number of arguments", "usage: cachetta ls"}},
		{"ls of a file", []string{"ls", filepath.Join(dir, "n.json")}, 1, nil, []string{"cachetta: ls " + filepath.Join(dir, "n.json") + ": is a file, not a directory; ls takes a cache directory"}},
		{"ls of nothing", []string{"ls", filepath.Join(dir, "gone")}, 1, nil, []string{"cachetta: ls " + filepath.Join(dir, "gone") + ": no such file or directory"}},
		{"ls bad flag", []string{"ls", "--colour", dir}, 2, nil, []string{"flag provided but not defined: -colour", "usage: cachetta ls"}},
		{"stat", []string{"stat", filepath.Join(dir, "users", "1.json")}, 0,
			[]string{"size:     29 B\n", "value:\n{\n  \"name\": \"ada\",\n  \"langs\": [\n    \"go\"\n  ]\n}\n"}, nil},
		{"stat fresh", []string{"stat", "--duration", "1h", filepath.Join(dir, "users", "1.json")}, 0, []string{"state:    fresh"}, nil},
		{"stat expired", []string{"stat", "--duration", "1h", filepath.Join(dir, "n.json")}, 0, []string{"state:    expired", "value:\n42\n"}, nil},
		{"stat stale", []string{"stat", "--duration", "1h", "--stale", "2h", filepath.Join(dir, "n.json")}, 0, []string{"state:    stale"}, nil},
		{"stat missing", []string{"stat", filepath.Join(dir, "gone.json")}, 1, nil, []string{"gone.json: no such file"}},
		{"stat help", []string{"stat", "-h"}, 0, []string{"usage: cachetta stat [flags] FILE"}, nil},
		{"key", []string{"key", "user.json", "42"}, 0, []string{"user-08f5e39ca06e5b2b.json\n"}, nil},
		{"key of two", []string{"key", "cache/user.json", "--", "42", `"x"`}, 0, []string{filepath.Join("cache", "user-"+key+".json") + "\n"}, nil},
		{"key without arguments", []string{"key", "user.json"}, 0, []string{"user.json\n"}, nil},
		{"key of bad JSON", []string{"key", "user.json", "{"}, 1, nil, []string{"cachetta: key: argument '{' is not valid JSON: it ends too early"}},
		{"key of two values", []string{"key", "user.json", "1 2"}, 1, nil, []string{"not one JSON value"}},
		{"key help", []string{"key", "--help"}, 0, []string{"usage: cachetta key [flags] NAME.json [ARG...]"}, nil},
		{"prune help", []string{"prune", "--help"}, 0, []string{"usage: cachetta prune [flags] DIR", "-dry-run", "-max-bytes", "-max-entries", "-duration"}, nil},
		{"clear help", []string{"clear", "--help"}, 0, []string{"usage: cachetta clear [flags] DIR", "-yes"}, nil},
		{"clear without --yes", []string{"clear", dir}, 1, nil, []string{"stdin is not a terminal; pass --yes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := command(t, "y\n", tt.args...)
			if r.code != tt.wantCode {
				t.Errorf("cachetta %q exited %d; want %d\nstdout: %s\nstderr: %s", tt.args, r.code, tt.wantCode, r.stdout, r.stderr)
			}
			for _, s := range tt.stdout {
				if !strings.Contains(r.stdout, s) {
					t.Errorf("cachetta %q printed %q; want it to contain %q", tt.args, r.stdout, s)
				}
			}
			for _, s := range tt.stderr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("cachetta %q printed %q on stderr; want it to contain %q", tt.args, r.stderr, s)
				}
			}
			if tt.wantCode != 0 && r.stderr == "" {
				t.Errorf("cachetta %q failed silently", tt.args)
			}
		})
	}
	// Nothing above removed anything.
	if r := command(t, "", "ls", "--json", dir); !strings.Contains(r.stdout, "n.json") {
		t.Errorf("after the commands, ls = %q; want n.json still there", r.stdout)
	}
}

func TestLsJSON(t *testing.T) {
	dir := tree(t)
	r := command(t, "", "ls", "--json", "--duration=1h", "--stale=30m", dir)
	var got []lsEntry
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || r.code != 0 {
		t.Fatalf("ls --json = %d, %q: %v", r.code, r.stdout, err)
	}
	want := []struct {
		path, state string
		size        int64
	}{
		{filepath.Join(dir, "n.json"), "expired", 2},
		{filepath.Join(dir, "users", "1.json"), "fresh", 29},
	}
	if len(got) != len(want) {
		t.Fatalf("ls --json = %+v; want %d entries", got, len(want))
	}
	for i, w := range want {
		if g := got[i]; g.Path != w.path || g.State != w.state || g.Size != w.size || g.AgeSeconds < 0 || g.ModTime.IsZero() {
			t.Errorf("ls --json [%d] = %+v; want %s, %s, %d bytes", i, g, w.path, w.state, w.size)
		}
	}
}

func TestPruneAndClear(t *testing.T) {
	dir := tree(t)
	old := []string{filepath.Join(dir, "users", ".1.json.3kf8a1.cachetta-tmp"), filepath.Join(dir, "users", ".1.json.cachetta-lock"), filepath.Join(dir, "users", ".2.json.cachetta-lock")}
	wantOld := strings.Join(old, "\n") + "\n"

	wantDry := "would remove " + strings.Join(old, "\nwould remove ") + "\n" + keepHint + "\n"
	if r := command(t, "", "prune", "--dry-run", dir); r.code != 0 || r.stdout != wantDry {
		t.Errorf("prune --dry-run = %d, %q, %q; want %q", r.code, r.stdout, r.stderr, wantDry)
	}
	for _, path := range old {
		if _, err := os.Stat(path); err != nil {
			t.Errorf("prune --dry-run removed %s: %v", path, err)
		}
	}
	if r := command(t, "", "prune", dir); r.code != 0 || r.stdout != wantOld {
		t.Errorf("prune = %d, %q, %q; want %q", r.code, r.stdout, r.stderr, wantOld)
	}
	for _, path := range old {
		if _, err := os.Stat(path); err == nil {
			t.Errorf("prune left %s", path)
		}
	}

	want := strings.Join([]string{
		filepath.Join(dir, ".n.json.9zz.cachetta-tmp"),
		filepath.Join(dir, ".n.json.cachetta-lock"), // of an earlier release, however young
		filepath.Join(dir, "n.json"),
		filepath.Join(dir, "users", "1.json"),
	}, "\n") + "\n"
	if r := command(t, "", "clear", "--yes", dir); r.code != 0 || r.stdout != want {
		t.Errorf("clear --yes = %d, %q, %q; want %q", r.code, r.stdout, r.stderr, want)
	}
	if r := command(t, "", "ls", dir); r.code != 0 || r.stdout != "total: 0 entries, 0 B\n" {
		t.Errorf("ls after clear = %d, %q; want the total of nothing", r.code, r.stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "users")); err != nil {
		t.Errorf("clear removed a directory: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "notes.txt")); err != nil {
		t.Errorf("clear removed a file that is not an entry: %v", err)
	}
}

// TestPruneBudget runs prune with each bound, first with --dry-run, which
// must print what the real run then removes.
func TestPruneBudget(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string // below the directory, besides the leftovers
	}{
		{"entries", []string{"--max-entries", "1"}, []string{"n.json"}},
		{"bytes", []string{"--max-bytes", "28"}, []string{"n.json", "users/1.json"}},
		{"bytes, room for the newest", []string{"--max-bytes", "29"}, []string{"n.json"}},
		{"bytes with a unit", []string{"--max-bytes", "0.029kB"}, []string{"n.json"}},
		{"bytes with a binary unit", []string{"--max-bytes=0.02KiB"}, []string{"n.json", "users/1.json"}},
		{"duration", []string{"--duration", "1h"}, []string{"n.json"}},
		{"duration and stale", []string{"--duration", "1h", "--stale", "2h"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tree(t)
			want := []string{filepath.Join(dir, "users", ".1.json.3kf8a1.cachetta-tmp"), filepath.Join(dir, "users", ".1.json.cachetta-lock"), filepath.Join(dir, "users", ".2.json.cachetta-lock")}
			for _, name := range tt.want {
				want = append(want, filepath.Join(dir, name))
			}
			slices.Sort(want)
			for _, dry := range []bool{true, false} {
				args := append([]string{"prune"}, tt.args...)
				prefix := ""
				if dry {
					args = append(args, "--dry-run")
					prefix = "would remove "
				}
				wantOut := prefix + strings.Join(want, "\n"+prefix) + "\n"
				if r := command(t, "", append(args, dir)...); r.code != 0 || r.stdout != wantOut {
					t.Errorf("%q = %d, %q, %q; want %q", args, r.code, r.stdout, r.stderr, wantOut)
				}
			}
			for _, path := range want {
				if _, err := os.Lstat(path); err == nil {
					t.Errorf("prune left %s", path)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "notes.txt")); err != nil {
				t.Errorf("prune removed a file that is not an entry: %v", err)
			}
		})
	}
	if r := command(t, "", "prune", "--max-entries", "-1", t.TempDir()); r.code != 1 || !strings.Contains(r.stderr, "negative") {
		t.Errorf("prune --max-entries -1 = %d, %q; want a failure naming the negative bound", r.code, r.stderr)
	}
}

// TestDirectoryGivenAsALinkIsRefused: the library reads a link where a
// directory cache should be as a file pattern in the link's own directory,
// so every command that takes DIR refuses a link and touches nothing beside
// it.
func TestDirectoryGivenAsALinkIsRefused(t *testing.T) {
	base := t.TempDir()
	real := tree(t)
	link := filepath.Join(base, "link")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	beside := filepath.Join(base, "link-0123456789abcdef")
	if err := os.WriteFile(beside, []byte("1"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"clear", "--yes", link}, {"prune", link}, {"ls", link}} {
		if r := command(t, "", args...); r.code == 0 || !strings.Contains(r.stderr, "symbolic link") {
			t.Errorf("%v = %d, %q, %q; want a refusal naming the link", args, r.code, r.stdout, r.stderr)
		}
	}
	if _, err := os.Stat(beside); err != nil {
		t.Errorf("a file beside the link is gone: %v", err)
	}
	if _, err := os.Stat(filepath.Join(real, "n.json")); err != nil {
		t.Errorf("an entry behind the link is gone: %v", err)
	}
}

// TestDirectoryPythonWrote runs the commands on a directory that Python's
// cachetta wrote, with no file of this package in it: its entries are
// listed, pruned and cleared, and its temporary files an hour old pruned.
func TestDirectoryPythonWrote(t *testing.T) {
	dir := t.TempDir()
	files := []struct {
		name, content string
		age           time.Duration
	}{
		{"user-08f5e39ca06e5b2b.json", `{"id": 42, "name": "Zo\u00eb"}`, 3 * time.Hour},
		{"user-26ef2ff7e8542a0b.json", `{"id": 7, "name": "Ada"}`, 0},
		{"tmpk3j_9x2a.tmp", `{"id": `, 2 * time.Hour},
	}
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		if err := os.WriteFile(path, []byte(f.content), 0o600); err != nil {
			t.Fatal(err)
		}
		when := time.Now().Add(-f.age)
		if err := os.Chtimes(path, when, when); err != nil {
			t.Fatal(err)
		}
	}
	if r := command(t, "", "ls", dir); r.code != 0 || !strings.Contains(r.stdout, files[0].name) || !strings.Contains(r.stdout, files[1].name) || !strings.Contains(r.stdout, "total: 2 entries") {
		t.Errorf("ls = %d, %q, %q; want both of Python's entries", r.code, r.stdout, r.stderr)
	}
	want := filepath.Join(dir, files[2].name) + "\n" + filepath.Join(dir, files[0].name) + "\n"
	if r := command(t, "", "prune", "--duration", "1h", dir); r.code != 0 || r.stdout != want {
		t.Errorf("prune --duration 1h = %d, %q, %q; want %q", r.code, r.stdout, r.stderr, want)
	}
	want = filepath.Join(dir, files[1].name) + "\n"
	if r := command(t, "", "clear", "--yes", dir); r.code != 0 || r.stdout != want {
		t.Errorf("clear --yes = %d, %q, %q; want %q", r.code, r.stdout, r.stderr, want)
	}
}

func TestIsLeftover(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{".user.json.3kf8a1.cachetta-tmp", true},
		{".user.json.cachetta-lock", true},
		{".cachetta-lock", false},
		{"tmpk3j_9x2a.tmp", true},
		{"tmpshort.tmp", false}, // tempfile draws 8 characters
		{"tmpabc.tmp", false},
		{"abcdefgh.tmp", false},
		{"tmpk3j-9x2a.tmp", false},
		{"user.json", false},
	}
	for _, tt := range tests {
		if got := isLeftover(tt.name); got != tt.want {
			t.Errorf("isLeftover(%q) = %v; want %v", tt.name, got, tt.want)
		}
	}
}
