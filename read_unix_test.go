//go:build unix

package cachetta_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/cachetta-go/cachetta"
)

// TestReadNamedPipeReturns puts a named pipe with no writer at the cache
// path. Opening it for reading waits for a writer, which never comes: Read
// must not wait but report the path as not a regular file, and a wrapped
// function, after warning, computes as it does for other read errors. A
// regression hangs here until the test binary's -timeout, whose stack dump
// shows the call blocked in open.
func TestReadNamedPipeReturns(t *testing.T) {
	tests := []struct {
		name   string
		inRoot bool
	}{
		{"plain", false},
		{"in a root", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			dir := t.TempDir()
			path := filepath.Join(dir, "n.json")
			logger, logs := captureLogs(slog.LevelWarn)
			opts := []cachetta.Option{cachetta.WithLogger(logger)}
			if tt.inRoot {
				opts = append(opts, cachetta.WithRoot(dir))
			}
			c := cachetta.Must(cachetta.New[int](path, opts...))
			if err := syscall.Mkfifo(path, 0o600); err != nil {
				t.Skipf("Mkfifo: %v", err)
			}
			if v, ok, err := c.Read(ctx); ok || err == nil || !strings.Contains(err.Error(), path) {
				t.Errorf("Read(%q) of a named pipe = %v, %v, %v; want an error naming the path", path, v, ok, err)
			}
			get := cachetta.Wrap(c, func(context.Context) (int, error) { return 7, nil })
			if v, err := get(ctx); v != 7 || err != nil {
				t.Errorf("wrapped call on a named pipe = %v, %v; want 7, nil", v, err)
			}
			if got := logs.String(); !strings.Contains(got, "cache read failed, computing") || !strings.Contains(got, path) {
				t.Errorf("logs %q lack the failed read warning with the path", got)
			}
		})
	}
}
