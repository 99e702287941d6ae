package cachetta_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
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
