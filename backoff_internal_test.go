package cachetta

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"testing/synctest"
	"time"
)

func TestBackoffDelay(t *testing.T) {
	tests := []struct {
		failures int
		limit    time.Duration
		want     time.Duration
	}{
		{1, time.Minute, time.Second},
		{2, time.Minute, 2 * time.Second},
		{3, time.Minute, 4 * time.Second},
		{6, time.Minute, 32 * time.Second},
		{7, time.Minute, time.Minute},
		{1000, time.Minute, time.Minute},
		{1, 500 * time.Millisecond, 500 * time.Millisecond},
		{100, math.MaxInt64, math.MaxInt64},
	}
	for _, tt := range tests {
		if got := backoffDelay(tt.failures, tt.limit); got != tt.want {
			t.Errorf("backoffDelay(%d, %v) = %v; want %v", tt.failures, tt.limit, got, tt.want)
		}
	}
}

// TestPathMapIsBounded fills a pathMap past maxPaths: it keeps maxPaths
// paths, the newest among them.
func TestPathMapIsBounded(t *testing.T) {
	var m pathMap[int]
	for i := range maxPaths + 100 {
		m.set(strconv.Itoa(i), i)
	}
	if n := m.len(); n != maxPaths {
		t.Errorf("pathMap holds %d paths after %d sets; want %d", n, maxPaths+100, maxPaths)
	}
	if v, ok := m.get(strconv.Itoa(maxPaths + 99)); !ok || v != maxPaths+99 {
		t.Errorf("the newest path = %d, %v; want it kept", v, ok)
	}
}

// TestBackoffForgetsPaths fails a refresh, then does what should make the
// family forget the path's backoff.
func TestBackoffForgetsPaths(t *testing.T) {
	tests := []struct {
		name string
		then func(t *testing.T, c *Cachetta[string], get func(context.Context) (string, error))
		want int // paths in the backoff afterwards
	}{
		{"a failure is kept", func(*testing.T, *Cachetta[string], func(context.Context) (string, error)) {}, 1},
		{"a call past the stale window", func(t *testing.T, c *Cachetta[string], get func(context.Context) (string, error)) {
			backdateFile(t, c.Path(), 3*time.Hour)
			get(t.Context())
		}, 0},
		{"a successful refresh", func(t *testing.T, c *Cachetta[string], get func(context.Context) (string, error)) {
			time.Sleep(time.Second)
			get(t.Context()) // the function succeeds from now on
		}, 0},
		{"a write", func(t *testing.T, c *Cachetta[string], _ func(context.Context) (string, error)) {
			if err := c.Write(t.Context(), "written"); err != nil {
				t.Fatal(err)
			}
		}, 0},
		{"an invalidation", func(t *testing.T, c *Cachetta[string], _ func(context.Context) (string, error)) {
			if err := c.Invalidate(t.Context()); err != nil {
				t.Fatal(err)
			}
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "s.json")
				c := Must(New[string](path, WithDuration(time.Hour), WithRefresh(Refresh{StaleWhileRevalidate: time.Hour}),
					WithLogger(slog.New(slog.NewTextHandler(t.Output(), nil)))))
				if err := os.WriteFile(path, []byte(`"stale"`), 0o600); err != nil {
					t.Fatal(err)
				}
				backdateFile(t, path, 90*time.Minute)
				calls := 0
				get := Wrap(c, func(context.Context) (string, error) {
					calls++ // runs are one at a time here
					if calls == 1 {
						return "", errors.New("boom")
					}
					return "fresh", nil
				})
				get(t.Context())
				c.Wait()
				tt.then(t, c, get)
				c.Wait()
				if n := c.shared.backoff.len(); n != tt.want {
					t.Errorf("backoff holds %d paths; want %d", n, tt.want)
				}
			})
		})
	}
}

// backdateFile sets the modification time of path to age before now.
func backdateFile(t *testing.T, path string, age time.Duration) {
	t.Helper()
	when := time.Now().Add(-age)
	if err := os.Chtimes(path, when, when); err != nil {
		t.Fatal(err)
	}
}
