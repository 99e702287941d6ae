package cachetta_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/cachetta-go/cachetta"
)

// TestReadSparseFileAllocatesLittle reads a 256 MiB sparse file, all NUL
// bytes, that cannot be JSON from its first byte: it is a corrupt file,
// found without allocating a buffer for the whole of it.
func TestReadSparseFileAllocatesLittle(t *testing.T) {
	const size, budget = 256 << 20, 64 << 20
	logger, logs := captureLogs(slog.LevelWarn)
	c := newCache[int](t, "n.json", cachetta.WithLogger(logger))
	writeFile(t, c.Path(), "")
	if err := os.Truncate(c.Path(), size); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v, ok, err := c.Read(t.Context())
	runtime.ReadMemStats(&after)
	if ok || err != nil {
		t.Fatalf("Read(%q) = %v, %v, %v; want a miss", c.Path(), v, ok, err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got >= budget {
		t.Errorf("Read(%q) of a %d-byte sparse file allocated %d bytes; want under %d", c.Path(), size, got, budget)
	}
	if got := logs.String(); !strings.Contains(got, "cache miss: corrupt file") || !strings.Contains(got, c.Path()) {
		t.Errorf("logs %q lack the corrupt file warning with the path", got)
	}
}

// TestReadMaxFileSize reads files at and one byte over the limit set by
// Files.ReadLimit: the first is read, the second is a miss, logged at warn
// level with the path and the size.
func TestReadMaxFileSize(t *testing.T) {
	const limit = 16
	atLimit := `"` + strings.Repeat("x", limit-2) + `"`
	tests := []struct {
		name    string
		content string
		wantOK  bool
	}{
		{"at the limit", atLimit, true},
		{"one byte over", atLimit + " ", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logger, logs := captureLogs(slog.LevelWarn)
			c := newCache[string](t, "s.json", cachetta.WithLogger(logger), cachetta.WithFiles(cachetta.Files{ReadLimit: limit}))
			writeFile(t, c.Path(), tt.content)
			v, ok, err := c.Read(t.Context())
			if err != nil || ok != tt.wantOK || ok && v != strings.Repeat("x", limit-2) {
				t.Fatalf("Read(%q) of %d bytes = %q, %v, %v; want ok=%v", c.Path(), len(tt.content), v, ok, err, tt.wantOK)
			}
			got := logs.String()
			wantLog := !tt.wantOK
			hasLog := strings.Contains(got, "cache miss: file too large") && strings.Contains(got, c.Path()) &&
				strings.Contains(got, "size="+strconv.Itoa(len(tt.content)))
			if hasLog != wantLog {
				t.Errorf("logs %q; want a too-large warning with path and size: %v", got, wantLog)
			}
		})
	}
}

func TestNewRejectsNegativeReadLimit(t *testing.T) {
	for _, n := range []int64{-1, -1 << 40} {
		_, err := cachetta.New[int]("n.json", cachetta.WithFiles(cachetta.Files{ReadLimit: n}))
		if err == nil || !strings.HasPrefix(err.Error(), "cachetta: ") {
			t.Errorf("New(WithFiles(Files{ReadLimit: %d})) = %v; want a cachetta: error", n, err)
		}
	}
	if cachetta.DefaultReadLimit != 1<<30 {
		t.Errorf("DefaultReadLimit = %d; want 1 GiB", cachetta.DefaultReadLimit)
	}
}

// cancelledOnCheck is a context that its first Err call cancels: Read's check
// on entry passes, and only a check made while reading sees it done.
type cancelledOnCheck struct {
	context.Context
	cancel context.CancelFunc
}

func (c cancelledOnCheck) Err() error {
	err := c.Context.Err()
	c.cancel()
	return err
}

// TestReadChecksContextWhileReading reads a file of several MiB with a
// context that is done once Read has begun: Read stops with the context's
// error instead of reading the file to its end.
func TestReadChecksContextWhileReading(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	c := newCache[string](t, "s.json")
	writeFile(t, c.Path(), `"`+strings.Repeat("x", 3<<20)+`"`)
	v, ok, err := c.Read(cancelledOnCheck{ctx, cancel})
	if ok || !errors.Is(err, context.Canceled) {
		t.Errorf("Read(%q) = %.10q, %v, %v; want context.Canceled", c.Path(), v, ok, err)
	}
}

// bytesCodec stores a []byte as the file's bytes, whatever they are.
type bytesCodec struct{}

func (bytesCodec) Marshal(v any) ([]byte, error) { return v.([]byte), nil }
func (bytesCodec) Unmarshal(data []byte, v any) error {
	*v.(*[]byte) = bytes.Clone(data)
	return nil
}

// TestReadLargeFiles reads files larger than the part looked at before the
// buffer is allocated: JSON after whitespace is read whole, and bytes that
// cannot begin JSON are refused only by the JSON codec.
func TestReadLargeFiles(t *testing.T) {
	// A JSON string holds a []byte in base64.
	padded := strings.Repeat(" \t\r\n", 2<<10) + `"` + strings.Repeat("AAAA", 1<<20) + `"`
	binary := strings.Repeat("\x00", 64<<10)
	tests := []struct {
		name    string
		content string
		codec   cachetta.Codec
		wantOK  bool
	}{
		{"JSON after 8 KiB of whitespace", padded, cachetta.JSON, true},
		{"NUL bytes with the JSON codec", binary, cachetta.JSON, false},
		{"NUL bytes with another codec", binary, bytesCodec{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCache[[]byte](t, "b.json", cachetta.WithCodec(tt.codec))
			writeFile(t, c.Path(), tt.content)
			v, ok, err := c.Read(t.Context())
			if err != nil || ok != tt.wantOK {
				t.Fatalf("Read(%q) = %.10q, %v, %v; want ok=%v", c.Path(), v, ok, err, tt.wantOK)
			}
			if tt.codec == (bytesCodec{}) && string(v) != tt.content {
				t.Errorf("Read(%q) = %d bytes; want the file's %d", c.Path(), len(v), len(tt.content))
			}
		})
	}
}
