package cachetta_test

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"context"
	"github.com/cachetta-go/cachetta"
)

func TestWriteStoresExactlyTheJSON(t *testing.T) {
	c := newCache[user](t, "u.json")
	if err := c.Write(t.Context(), user{Name: "<a&b> é", Tags: []string{"x"}}); err != nil {
		t.Fatal(err)
	}
	want := `{"name":"<a&b> é","tags":["x"]}`
	if got := readFile(t, c.Path()); got != want {
		t.Errorf("file holds %q; want %q", got, want)
	}
}

func TestPythonReadsWrittenFile(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	c := newCache[map[string]any](t, "m.json")
	value := map[string]any{"name": "<é>", "n": 1.5, "list": []any{true, nil}}
	if err := c.Write(t.Context(), value); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(python, "-c", "import json,sys; print(json.dumps(json.load(open(sys.argv[1])), sort_keys=True))", c.Path()).CombinedOutput()
	if err != nil {
		t.Fatalf("python json.load: %v: %s", err, out)
	}
	if got, want := strings.TrimSpace(string(out)), `{"list": [true, null], "n": 1.5, "name": "<\u00e9>"}`; got != want {
		t.Errorf("python read %s; want %s", got, want)
	}
}

func TestWriteUnencodableTouchesNothing(t *testing.T) {
	tests := []struct {
		name  string
		value any
	}{
		{"channel", make(chan int)},
		{"NaN", math.NaN()},
		{"function", func() {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCache[any](t, "v.json")
			if err := c.Write(t.Context(), "before"); err != nil {
				t.Fatal(err)
			}
			err := c.Write(t.Context(), tt.value)
			if err == nil || !strings.Contains(err.Error(), c.Path()) {
				t.Fatalf("Write(%s) = %v; want an error naming the path", tt.name, err)
			}
			if got := readFile(t, c.Path()); got != `"before"` {
				t.Errorf("file holds %q after the failed write; want the previous value", got)
			}
			if names := dirNames(t, filepath.Dir(c.Path())); !slices.Equal(names, []string{"v.json"}) {
				t.Errorf("directory holds %v; want only v.json", names)
			}
		})
	}
}

func TestWriteCreatesDirectories(t *testing.T) {
	ctx := t.Context()
	dir := filepath.Join(t.TempDir(), "a")
	c := cachetta.Must(cachetta.New[int](filepath.Join(dir, "b", "c.json"), cachetta.WithLogger(testLogger(t))))
	for round := range 3 {
		if err := c.Write(ctx, round); err != nil {
			t.Fatalf("round %d: Write: %v", round, err)
		}
		if v, ok, err := c.Read(ctx); v != round || !ok || err != nil {
			t.Fatalf("round %d: Read = %v, %v, %v", round, v, ok, err)
		}
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
	}
}

func TestWriteModes(t *testing.T) {
	ctx := t.Context()
	dir := filepath.Join(t.TempDir(), "d")
	c := cachetta.Must(cachetta.New[int](filepath.Join(dir, "n.json")))
	if err := c.Write(ctx, 1); err != nil {
		t.Fatal(err)
	}
	assertPerm(t, c.Path(), 0o600)
	assertPerm(t, dir, 0o700)
}

func assertPerm(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != want {
		t.Errorf("%s has mode %v; want %v", path, got, want)
	}
}

func TestWriteFailureKeepsPreviousFile(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	c := cachetta.Must(cachetta.New[int](filepath.Join(dir, "n.json"), cachetta.WithLogger(testLogger(t))))
	// A non-empty directory at the target makes the rename fail, for root too.
	writeFile(t, filepath.Join(c.Path(), "keep"), "x")
	err := c.Write(ctx, 1)
	if err == nil || !strings.Contains(err.Error(), c.Path()) {
		t.Fatalf("Write over a directory = %v; want an error naming the path", err)
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"n.json"}) {
		t.Errorf("directory holds %v; want no temporary file", names)
	}
	if got := readFile(t, filepath.Join(c.Path(), "keep")); got != "x" {
		t.Errorf("the directory's file holds %q; want it intact", got)
	}
}

func TestWriteParentIsAFile(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "file"), "x")
	c := cachetta.Must(cachetta.New[int](filepath.Join(dir, "file", "n.json"), cachetta.WithLogger(testLogger(t))))
	if err := c.Write(t.Context(), 1); err == nil || !strings.Contains(err.Error(), c.Path()) {
		t.Errorf("Write = %v; want an error naming %s", err, c.Path())
	}
}

func TestWriteDisabledIsANoOp(t *testing.T) {
	c := newCache[int](t, "n.json", cachetta.WithWrite(false))
	if err := c.Write(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(c.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Stat after a disabled write = %v; want no file", err)
	}
}

// TestReadersNeverSeeAPartialFile races readers against writers of two
// values of different sizes: every read after the first write must be a hit
// holding one of them whole.
func TestReadersNeverSeeAPartialFile(t *testing.T) {
	ctx := t.Context()
	small := []string{"s"}
	large := slices.Repeat([]string{strings.Repeat("L", 1000)}, 200)
	c := newCache[[]string](t, "v.json")
	if err := c.Write(ctx, small); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for i := range 100 {
				v := small
				if (i+w)%2 == 0 {
					v = large
				}
				if err := c.Write(ctx, v); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for range 4 {
		wg.Go(func() {
			for range 200 {
				v, ok, err := c.Read(ctx)
				if !ok || err != nil || !slices.Equal(v, small) && !slices.Equal(v, large) {
					t.Errorf("Read = %d items, %v, %v; want one whole value", len(v), ok, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// indentCodec writes indented JSON, to show that WithCodec is used in both
// directions.
type indentCodec struct{}

func (indentCodec) Marshal(v any) ([]byte, error)      { return json.MarshalIndent(v, "", "  ") }
func (indentCodec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

func TestWithCodec(t *testing.T) {
	c := newCache[[]int](t, "v.json", cachetta.WithCodec(indentCodec{}))
	if err := c.Write(t.Context(), []int{1}); err != nil {
		t.Fatal(err)
	}
	if got, want := readFile(t, c.Path()), "[\n  1\n]"; got != want {
		t.Errorf("file holds %q; want %q", got, want)
	}
	if v, ok, err := c.Read(t.Context()); !ok || err != nil || !slices.Equal(v, []int{1}) {
		t.Errorf("Read = %v, %v, %v; want [1]", v, ok, err)
	}
}

func TestInvalidate(t *testing.T) {
	ctx := t.Context()
	c := newCache[int](t, "n.json")
	if err := c.Invalidate(ctx); err != nil {
		t.Errorf("Invalidate of a missing file = %v; want nil", err)
	}
	if err := c.Write(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if err := c.Invalidate(ctx); err != nil {
		t.Fatal(err)
	}
	if ok, err := c.Exists(ctx); ok || err != nil {
		t.Errorf("Exists after Invalidate = %v, %v; want false", ok, err)
	}
	if err := os.Mkdir(c.Path(), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := c.Invalidate(ctx); err == nil {
		t.Error("Invalidate of a directory gave no error")
	}
	if _, err := os.Stat(c.Path()); err != nil {
		t.Errorf("Invalidate removed a directory: %v", err)
	}
}

func TestWrongArgsAreErrors(t *testing.T) {
	ctx := t.Context()
	x := filepath.Join(t.TempDir(), "x")
	c := newCache[int](t, "n.json", cachetta.WithPathFunc(func(id int) string { return x }))
	calls := map[string]func() error{
		"Read wrong type":  func() error { _, _, err := c.Read(ctx, "s"); return err },
		"Read no args":     func() error { _, _, err := c.Read(ctx); return err },
		"Write two args":   func() error { return c.Write(ctx, 1, 1, 2) },
		"Invalidate chan":  func() error { return c.Invalidate(ctx, make(chan int)) },
		"Info nil for int": func() error { _, err := c.Info(ctx, nil); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, cachetta.ErrArgs) {
			t.Errorf("%s = %v; want ErrArgs", name, err)
		}
	}
	auto := newCache[int](t, "n.json")
	if err := auto.Write(ctx, 1, func() {}); !errors.Is(err, cachetta.ErrArgs) {
		t.Errorf("Write with a func argument = %v; want ErrArgs", err)
	}
}

// TestWriteModeOptions checks that Files.Mode and Files.DirMode reach the
// files and directories a write creates. The modes expected are those that
// os.OpenFile and os.Mkdir give under the process's umask.
func TestWriteModeOptions(t *testing.T) {
	tests := []struct {
		name              string
		opts              []cachetta.Option
		fileMode, dirMode os.FileMode
	}{
		{"defaults", nil, 0o600, 0o700},
		{"options", []cachetta.Option{cachetta.WithFiles(cachetta.Files{Mode: 0o640, DirMode: 0o750})}, 0o640, 0o750},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "d")
			c := cachetta.Must(cachetta.New[int](filepath.Join(dir, "n.json"), tt.opts...))
			if err := c.Write(t.Context(), 1); err != nil {
				t.Fatal(err)
			}
			assertPerm(t, c.Path(), createdMode(t, tt.fileMode, false))
			assertPerm(t, dir, createdMode(t, tt.dirMode, true))
		})
	}
}

// createdMode returns the permission bits a file or directory created with
// mode gets under the process's umask.
func createdMode(t *testing.T, mode os.FileMode, dir bool) os.FileMode {
	t.Helper()
	probe := filepath.Join(t.TempDir(), "probe")
	var err error
	if dir {
		err = os.Mkdir(probe, mode)
	} else {
		var f *os.File
		if f, err = os.OpenFile(probe, os.O_CREATE|os.O_EXCL|os.O_WRONLY, mode); err == nil {
			err = f.Close()
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(probe)
	if err != nil {
		t.Fatal(err)
	}
	return info.Mode().Perm()
}

// cancelCodec is JSON whose Marshal cancels a context, as a caller giving up
// while a large value is being encoded.
type cancelCodec struct{ cancel context.CancelFunc }

func (c cancelCodec) Marshal(v any) ([]byte, error) {
	c.cancel()
	return cachetta.JSON.Marshal(v)
}

func (cancelCodec) Unmarshal(data []byte, v any) error { return cachetta.JSON.Unmarshal(data, v) }

func TestWriteCancelledWhileEncodingWritesNothing(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	c := newCache[int](t, "n.json", cachetta.WithCodec(cancelCodec{cancel}))
	if err := c.Write(ctx, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("Write cancelled while encoding = %v; want context.Canceled", err)
	}
	if names := dirNames(t, filepath.Dir(c.Path())); len(names) != 0 {
		t.Errorf("directory holds %v after a cancelled Write; want nothing", names)
	}
}

// TestWriteLongNames writes and replaces entries whose names are as long as
// the file system allows, whose temporary files cannot have the entry's
// whole name in theirs.
func TestWriteLongNames(t *testing.T) {
	tests := []struct{ name, base string }{
		{"228 bytes", strings.Repeat("a", 223) + ".json"},
		{"254 bytes", strings.Repeat("a", 249) + ".json"},
		{"255 bytes", strings.Repeat("a", 250) + ".json"},
		{"255 bytes of 3-byte runes", strings.Repeat("€", 85)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCache[int](t, tt.base)
			for _, v := range []int{1, 2} {
				if err := c.Write(t.Context(), v); err != nil {
					t.Fatalf("Write(%d) = %v", v, err)
				}
				if got, ok, err := c.Read(t.Context()); got != v || !ok || err != nil {
					t.Fatalf("Read = %v, %v, %v; want %d", got, ok, err, v)
				}
			}
			if names := dirNames(t, filepath.Dir(c.Path())); !slices.Equal(names, []string{tt.base}) {
				t.Errorf("directory holds %q; want only the entry", names)
			}
		})
	}
}
