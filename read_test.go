package cachetta_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
)

type user struct {
	Name string   `json:"name"`
	Tags []string `json:"tags"`
}

func TestReadFreshness(t *testing.T) {
	tests := []struct {
		name   string
		age    time.Duration // negative: in the future
		wantOK bool
	}{
		{"just written", 0, true},
		{"younger than the duration", 59 * time.Minute, true},
		{"as old as the duration", time.Hour, false},
		{"older than the duration", 2 * time.Hour, false},
		{"in the future", -time.Hour, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			c := newCache[int](t, "n.json", cachetta.WithDuration(time.Hour))
			if err := c.Write(ctx, 7); err != nil {
				t.Fatal(err)
			}
			backdate(t, c.Path(), tt.age)
			v, ok, err := c.Read(ctx)
			if err != nil || ok != tt.wantOK || ok && v != 7 {
				t.Errorf("Read = %v, %v, %v; want ok=%v", v, ok, err, tt.wantOK)
			}
		})
	}
}

func TestReadMisses(t *testing.T) {
	tests := []struct {
		name    string
		content string // "" with missing: no file
		missing bool
		opts    []cachetta.Option
		wantLog string
	}{
		{name: "missing file", missing: true, wantLog: "cache miss: no file"},
		{name: "empty file", content: "", wantLog: "cache miss: corrupt file"},
		{name: "truncated", content: `{"name": "Ad`, wantLog: "cache miss: corrupt file"},
		{name: "binary", content: "\x00\xff\xfe\x01", wantLog: "cache miss: corrupt file"},
		{name: "wrong type", content: `[1, 2]`, wantLog: "cache miss: corrupt file"},
		{name: "trailing garbage", content: `{"name": "x"} }`, wantLog: "cache miss: corrupt file"},
		{name: "reading disabled", content: `{"name": "x"}`, opts: []cachetta.Option{cachetta.WithRead(false)}, wantLog: "cache miss: reading disabled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logger, logs := captureLogs(slog.LevelDebug)
			c := newCache[user](t, "u.json", append(tt.opts, cachetta.WithLogger(logger))...)
			if !tt.missing {
				writeFile(t, c.Path(), tt.content)
			}
			v, ok, err := c.Read(t.Context())
			if ok || err != nil {
				t.Fatalf("Read = %v, %v, %v; want a miss without error", v, ok, err)
			}
			if !strings.Contains(logs.String(), tt.wantLog) || !strings.Contains(logs.String(), c.Path()) {
				t.Errorf("logs %q lack %q with the path", logs, tt.wantLog)
			}
		})
	}
}

func TestReadExpiredLogsItsOwnMessage(t *testing.T) {
	logger, logs := captureLogs(slog.LevelDebug)
	c := newCache[int](t, "n.json", cachetta.WithLogger(logger), cachetta.WithDuration(time.Minute))
	writeFile(t, c.Path(), "1")
	backdate(t, c.Path(), time.Hour)
	if _, ok, err := c.Read(t.Context()); ok || err != nil {
		t.Fatalf("Read of an expired file = %v, %v; want a miss", ok, err)
	}
	if !strings.Contains(logs.String(), "cache miss: expired") {
		t.Errorf("logs %q lack the expired message", logs)
	}
}

func TestCorruptFileWarns(t *testing.T) {
	logger, logs := captureLogs(slog.LevelInfo)
	c := newCache[int](t, "n.json", cachetta.WithLogger(logger))
	writeFile(t, c.Path(), "{not json")
	if _, ok, err := c.Read(t.Context()); ok || err != nil {
		t.Fatalf("Read = %v, %v; want a miss", ok, err)
	}
	if got := logs.String(); !strings.Contains(got, "level=WARN") || !strings.Contains(got, c.Path()) {
		t.Errorf("logs %q; want a warning naming %s", got, c.Path())
	}
}

func TestReadHitsOnStoredZeroValues(t *testing.T) {
	tests := []struct {
		name    string
		content string
	}{
		{"null", "null"},
		{"zero", "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCache[*int](t, "n.json")
			writeFile(t, c.Path(), tt.content)
			if _, ok, err := c.Read(t.Context()); !ok || err != nil {
				t.Errorf("Read of %s = %v, %v; want a hit", tt.content, ok, err)
			}
		})
	}
}

func TestReadsFilesOfOtherPrograms(t *testing.T) {
	c := newCache[user](t, "u.json")
	writeFile(t, c.Path(), "{\n  \"tags\": [\"a\"],\n  \"name\": \"\\u00e9\",\n  \"extra\": 1\n}\n")
	v, ok, err := c.Read(t.Context())
	if !ok || err != nil || v.Name != "é" || len(v.Tags) != 1 {
		t.Errorf("Read = %+v, %v, %v; want {é [a]}", v, ok, err)
	}
}

func TestReadIOErrors(t *testing.T) {
	t.Run("parent is a file", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "file"), "x")
		c := cachetta.Must(cachetta.New[int](filepath.Join(dir, "file", "n.json"), cachetta.WithLogger(testLogger(t))))
		_, ok, err := c.Read(t.Context())
		if ok || err == nil || !strings.Contains(err.Error(), c.Path()) {
			t.Errorf("Read = %v, %v; want an error naming %s", ok, err, c.Path())
		}
	})
	t.Run("directory in place of the file", func(t *testing.T) {
		c := newCache[int](t, "n.json")
		if err := os.Mkdir(c.Path(), 0o700); err != nil {
			t.Fatal(err)
		}
		_, ok, err := c.Read(t.Context())
		if ok || err == nil || !strings.Contains(err.Error(), c.Path()) {
			t.Errorf("Read = %v, %v; want an error naming %s", ok, err, c.Path())
		}
	})
	t.Run("permission denied", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("running as root: permission bits stop nothing")
		}
		c := newCache[int](t, "n.json")
		writeFile(t, c.Path(), "1")
		if err := os.Chmod(c.Path(), 0); err != nil {
			t.Fatal(err)
		}
		_, ok, err := c.Read(t.Context())
		if ok || !errors.Is(err, os.ErrPermission) {
			t.Errorf("Read = %v, %v; want a permission error", ok, err)
		}
	})
}

func TestNormalPathIsSilentAtInfo(t *testing.T) {
	ctx := t.Context()
	logger, logs := captureLogs(slog.LevelInfo)
	c := newCache[int](t, "n.json", cachetta.WithLogger(logger), cachetta.WithLRU(2))
	c.Read(ctx)
	c.Write(ctx, 1)
	c.Read(ctx)
	c.Info(ctx)
	c.Invalidate(ctx)
	cachetta.Wrap(c, func(context.Context) (int, error) { return 2, nil })(ctx)
	cachetta.Wrap(c, func(context.Context) (int, error) { return 2, nil })(ctx)
	if logs.String() != "" {
		t.Errorf("logs at info level: %q; want none", logs)
	}
}

func TestDebugLogsNameHitsMissesAndWrites(t *testing.T) {
	ctx := t.Context()
	logger, logs := captureLogs(slog.LevelDebug)
	c := newCache[int](t, "n.json", cachetta.WithLogger(logger))
	c.Read(ctx)
	c.Write(ctx, 1)
	c.Read(ctx)
	for _, msg := range []string{"cache miss: no file", "cache write", "cache hit"} {
		if !strings.Contains(logs.String(), `msg="`+msg+`" path=`+c.Path()) {
			t.Errorf("logs %q lack %q with the path", logs, msg)
		}
	}
}

// TestReadRefusesDevices reads a cache file that is a link to /dev/null: a
// device is never read as an entry, whatever it yields, but reported as an
// error naming the path.
func TestReadRefusesDevices(t *testing.T) {
	if _, err := os.Stat(os.DevNull); err != nil || os.DevNull != "/dev/null" {
		t.Skip("no /dev/null")
	}
	c := newCache[*int](t, "n.json")
	if err := os.Symlink(os.DevNull, c.Path()); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := c.Read(t.Context()); ok || err == nil || !strings.Contains(err.Error(), c.Path()) {
		t.Errorf("Read(%q) = %v, %v, %v; want an error naming the path", c.Path(), v, ok, err)
	}
}

// TestReadExpiredCorruptFileIsNotDecoded: an expired file is a miss before
// its content is looked at, so a corrupt one raises no warning.
func TestReadExpiredCorruptFileIsNotDecoded(t *testing.T) {
	logger, logs := captureLogs(slog.LevelInfo)
	c := newCache[int](t, "n.json", cachetta.WithLogger(logger), cachetta.WithDuration(time.Minute))
	writeFile(t, c.Path(), "{not json")
	backdate(t, c.Path(), time.Hour)
	if v, ok, err := c.Read(t.Context()); ok || err != nil {
		t.Fatalf("Read(%q) = %v, %v, %v; want a miss", c.Path(), v, ok, err)
	}
	if logs.String() != "" {
		t.Errorf("logs at info level: %q; want none", logs)
	}
}

func TestPathFunctionEdgeCases(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	type node struct{ ID int }
	c := cachetta.Must(cachetta.New[string](dir, cachetta.WithLogger(testLogger(t)),
		cachetta.WithPathFunc(func(n *node) string {
			switch {
			case n == nil:
				return filepath.Join(dir, "nil.json")
			case n.ID == 0:
				return ""
			}
			return filepath.Join(dir, "node.json")
		})))
	if err := c.Write(ctx, "root", nil); err != nil {
		t.Errorf("Write(%q, nil) = %v; want nil for a pointer parameter", "root", err)
	}
	if v, ok, err := c.Read(ctx, nil); v != "root" || !ok || err != nil {
		t.Errorf("Read(nil) = %q, %v, %v; want root", v, ok, err)
	}
	if _, _, err := c.Read(ctx, &node{}); !errors.Is(err, cachetta.ErrArgs) {
		t.Errorf("Read with a path function returning \"\" = %v; want ErrArgs", err)
	}
}

// TestReadKeepsNoReferenceToItsArguments: Read lets its callers keep their
// arguments' boxes, and what a pointer argument points to, on their stacks,
// so what a miss keeps of them (a path function may keep its argument, a
// memo keeps a string) must be a copy. The array here is a local of the
// caller, which later calls overwrite: a path function that kept the
// caller's pointer would see it change.
func TestReadKeepsNoReferenceToItsArguments(t *testing.T) {
	ctx := t.Context()
	var kept []*[4]int
	c, err := cachetta.New[int](t.TempDir(), cachetta.WithLRU(8), cachetta.WithPathFunc(func(p *[4]int) string {
		kept = append(kept, p)
		return "v.json"
	}))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		readOnStack(ctx, t, c, i)
		scribble(64)
	}
	for i, p := range kept {
		if want := [4]int{i, i + 1, i + 2, i + 3}; *p != want {
			t.Errorf("the path function kept %v; want %v", *p, want)
		}
	}
	// A struct holding a pointer to a local: the box is copied, and what
	// it points to must have been moved to the heap by the compiler.
	var held []holder
	h, err := cachetta.New[int](t.TempDir(), cachetta.WithLRU(8), cachetta.WithPathFunc(func(a holder) string {
		held = append(held, a)
		return "v.json"
	}))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		readHolderOnStack(ctx, t, h, i)
		scribble(64)
	}
	for i, a := range held {
		if want := [4]int{i, i + 1, i + 2, i + 3}; *a.P != want {
			t.Errorf("the path function kept a struct pointing to %v; want %v", *a.P, want)
		}
	}
}

// holder is an argument holding a pointer.
type holder struct {
	P *[4]int
	N int
}

// readHolderOnStack is readOnStack with a holder of a pointer to the
// local array.
//
//go:noinline
func readHolderOnStack(ctx context.Context, t *testing.T, c *cachetta.Cachetta[int], i int) {
	a := [4]int{i, i + 1, i + 2, i + 3}
	if _, _, err := c.Read(ctx, holder{P: &a, N: i}); err != nil {
		t.Fatal(err)
	}
}

// readOnStack reads c with a pointer to a local array, which the compiler
// leaves on this frame's stack, since Read keeps no reference to it.
//
//go:noinline
func readOnStack(ctx context.Context, t *testing.T, c *cachetta.Cachetta[int], i int) {
	a := [4]int{i, i + 1, i + 2, i + 3}
	if _, _, err := c.Read(ctx, &a); err != nil {
		t.Fatal(err)
	}
}

// scribble overwrites n frames of the stack below its caller.
//
//go:noinline
func scribble(n int) byte {
	var buf [64]byte
	for i := range buf {
		buf[i] = byte(n + i)
	}
	if n == 0 {
		return buf[0]
	}
	return scribble(n-1) + buf[n%64]
}

// TestReadRefusesAnArgumentItCannotCopy: a function argument may point to
// its caller's stack, and Read, which lets callers keep their arguments
// there, cannot keep a copy of it: a miss fails with ErrArgs, even with a
// path function that would take it.
func TestReadRefusesAnArgumentItCannotCopy(t *testing.T) {
	c, err := cachetta.New[int](t.TempDir(), cachetta.WithPathFunc(func(f func() string) string { return f() }))
	if err != nil {
		t.Fatal(err)
	}
	suffix := strconv.Itoa(7)
	_, _, err = c.Read(t.Context(), func() string { return "v" + suffix + ".json" })
	if !errors.Is(err, cachetta.ErrArgs) {
		t.Fatalf("Read(func) = %v; want ErrArgs", err)
	}
}
