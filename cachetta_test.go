package cachetta_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
)

// testLogger sends logs to the test's output, so they show only when it
// fails.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// newCache returns a cache of T at name inside a new temporary directory.
func newCache[T any](t *testing.T, name string, opts ...cachetta.Option) *cachetta.Cachetta[T] {
	t.Helper()
	opts = append([]cachetta.Option{cachetta.WithLogger(testLogger(t))}, opts...)
	c, err := cachetta.New[T](filepath.Join(t.TempDir(), name), opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// backdate sets the modification time of path to age ago.
func backdate(t *testing.T, path string, age time.Duration) {
	t.Helper()
	when := time.Now().Add(-age)
	if err := os.Chtimes(path, when, when); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// keyedName returns the file name PathFor gives c for arg.
func keyedName[T any](t *testing.T, c *cachetta.Cachetta[T], arg any) string {
	t.Helper()
	path, err := c.PathFor(arg)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Base(path)
}

// dirNames lists the names in dir but those of lock files, which writes and
// runs leave beside the entries (.cachetta-lock, .<name>.cachetta-lock) for
// Prune to remove; processes_test.go checks them.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if name := e.Name(); !isLockFile(name) {
			names = append(names, name)
		}
	}
	return names
}

// isLockFile reports whether name is that of a lock file of the cache.
func isLockFile(name string) bool {
	return strings.HasPrefix(name, ".") && strings.HasSuffix(name, ".cachetta-lock")
}

// logBuffer is a concurrency-safe buffer for captured logs.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// captureLogs returns a logger at level and the buffer it writes to.
func captureLogs(level slog.Level) (*slog.Logger, *logBuffer) {
	buf := new(logBuffer)
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: level})), buf
}

func TestNewRejectsBadInput(t *testing.T) {
	tests := []struct {
		name string
		path string
		opts []cachetta.Option
	}{
		{"empty path", "", nil},
		{"zero duration", "x.json", []cachetta.Option{cachetta.WithDuration(0)}},
		{"negative duration", "x.json", []cachetta.Option{cachetta.WithDuration(-time.Second)}},
		{"negative LRU size", "x.json", []cachetta.Option{cachetta.WithLRU(-1)}},
		{"negative stale duration", "x.json", []cachetta.Option{cachetta.WithRefresh(cachetta.Refresh{StaleWhileRevalidate: -time.Second})}},
		{"negative refresh timeout", "x.json", []cachetta.Option{cachetta.WithRefresh(cachetta.Refresh{Timeout: -time.Second})}},
		{"negative read limit", "x.json", []cachetta.Option{cachetta.WithFiles(cachetta.Files{ReadLimit: -1})}},
		{"zero lock timeout", "x.json", []cachetta.Option{cachetta.WithLockTimeout(0)}},
		{"nil logger", "x.json", []cachetta.Option{cachetta.WithLogger(nil)}},
		{"nil codec", "x.json", []cachetta.Option{cachetta.WithCodec(nil)}},
		{"condition of another type", "x.json", []cachetta.Option{cachetta.WithCondition(func(string) bool { return true })}},
		{"nil condition", "x.json", []cachetta.Option{cachetta.WithCondition[int](nil)}},
		{"nil path function", "x.json", []cachetta.Option{cachetta.WithPathFunc[int](nil)}},
		{"file mode beyond permissions", "x.json", []cachetta.Option{cachetta.WithFiles(cachetta.Files{Mode: os.ModeDir | 0o600})}},
		{"file mode without owner access", "x.json", []cachetta.Option{cachetta.WithFiles(cachetta.Files{Mode: 0o400})}},
		{"dir mode without owner access", "x.json", []cachetta.Option{cachetta.WithFiles(cachetta.Files{DirMode: 0o600})}},
		{"duration plus stale duration overflows", "x.json", []cachetta.Option{cachetta.WithDuration(math.MaxInt64), cachetta.WithRefresh(cachetta.Refresh{StaleWhileRevalidate: time.Hour})}},
		{"dir mode beyond permissions", "x.json", []cachetta.Option{cachetta.WithFiles(cachetta.Files{DirMode: os.ModeDir | 0o700})}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := cachetta.New[int](tt.path, tt.opts...)
			if err == nil || c != nil {
				t.Fatalf("New(%q) = %v, %v; want an error", tt.path, c, err)
			}
			if !strings.HasPrefix(err.Error(), "cachetta: ") {
				t.Errorf("New(%q) error %q lacks the cachetta: prefix", tt.path, err)
			}
		})
	}
}

func TestNilOptionsAreSkipped(t *testing.T) {
	var none cachetta.Option
	c, err := cachetta.New[int]("x.json", none, cachetta.WithLRU(2), nil)
	if err != nil {
		t.Fatalf("New with nil options = %v", err)
	}
	if _, err := c.With(nil); err != nil {
		t.Errorf("With(nil) = %v", err)
	}
}

func TestNewAcceptsMatchingCondition(t *testing.T) {
	if _, err := cachetta.New[int]("x.json", cachetta.WithCondition(func(n int) bool { return n > 0 })); err != nil {
		t.Fatalf("New with func(int) bool condition: %v", err)
	}
}

func TestMust(t *testing.T) {
	c := cachetta.Must(cachetta.New[int]("x.json"))
	if c.Path() != "x.json" {
		t.Errorf("Path() = %q; want x.json", c.Path())
	}
	defer func() {
		if recover() == nil {
			t.Error("Must with an error did not panic")
		}
	}()
	cachetta.Must(cachetta.New[int](""))
}

func TestJoinAndWithLeaveOriginalUnchanged(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	base := cachetta.Must(cachetta.New[string](dir, cachetta.WithLogger(testLogger(t))))

	joined := base.Join("a", "b.json")
	if want := filepath.Join(dir, "a", "b.json"); joined.Path() != want {
		t.Errorf("Join = %q; want %q", joined.Path(), want)
	}
	if base.Path() != dir {
		t.Errorf("after Join, base.Path() = %q; want %q", base.Path(), dir)
	}

	readOff, err := joined.With(cachetta.WithRead(false))
	if err != nil {
		t.Fatal(err)
	}
	if err := joined.Write(ctx, "v"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := readOff.Read(ctx); ok {
		t.Error("copy With(WithRead(false)) read a value")
	}
	if v, ok, err := joined.Read(ctx); !ok || v != "v" {
		t.Errorf("original after With: Read = %q, %v, %v; want v, true", v, ok, err)
	}
	if _, err := joined.With(cachetta.WithDuration(-1)); err == nil {
		t.Error("With(WithDuration(-1)) gave no error")
	}
}

func TestConcurrentUse(t *testing.T) {
	ctx := t.Context()
	c := newCache[[]int](t, "c.json", cachetta.WithLRU(4))
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			cp := c.Join()
			for j := range 50 {
				if err := cp.Write(ctx, []int{i, j}, i%3); err != nil {
					t.Error(err)
					return
				}
				if _, _, err := cp.Read(ctx, (i+1)%3); err != nil {
					t.Error(err)
					return
				}
				if j%10 == 0 {
					if err := cp.Invalidate(ctx, i%3); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
}

func TestCancelledContext(t *testing.T) {
	c := newCache[int](t, "c.json")
	if err := c.Write(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	gone := cachetta.Must(cachetta.New[int](filepath.Join(t.TempDir(), "gone", "c.json")))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	calls := map[string]func() error{
		"Prune":                        func() error { _, err := c.Prune(ctx); return err },
		"Prune of a missing directory": func() error { _, err := gone.Prune(ctx); return err },
		"Read":                         func() error { _, _, err := c.Read(ctx); return err },
		"ReadStale":                    func() error { _, _, err := c.ReadStale(ctx); return err },
		"Write":                        func() error { return c.Write(ctx, 2) },
		"Invalidate":                   func() error { return c.Invalidate(ctx) },
		"Exists":                       func() error { _, err := c.Exists(ctx); return err },
		"Age":                          func() error { _, _, err := c.Age(ctx); return err },
		"Info":                         func() error { _, err := c.Info(ctx); return err },
		"Wrap": func() error {
			_, err := cachetta.Wrap(c, func(context.Context) (int, error) { return 3, nil })(ctx)
			return err
		},
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context = %v; want context.Canceled", name, err)
		}
	}
	if v, ok, err := c.Read(t.Context()); v != 1 || !ok || err != nil {
		t.Errorf("after cancelled calls, Read = %v, %v, %v; want 1, true, nil", v, ok, err)
	}
}
