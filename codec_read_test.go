package cachetta_test

import (
	"encoding/json"
	"io"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cachetta-go/cachetta"
)

// streamCodec is JSON that counts how it decodes.
type streamCodec struct {
	whole, streamed *atomic.Int32
}

func (streamCodec) Marshal(v any) ([]byte, error) { return json.Marshal(v) }
func (c streamCodec) Unmarshal(data []byte, v any) error {
	c.whole.Add(1)
	return json.Unmarshal(data, v)
}

func (c streamCodec) UnmarshalRead(r io.Reader, v any) error {
	c.streamed.Add(1)
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

// TestReadDecodesLargeFilesFromAReader reads files below and at the size
// from which a StreamUnmarshaler decodes from a reader: small files are
// decoded whole, large ones as read, and both give the stored value.
func TestReadDecodesLargeFilesFromAReader(t *testing.T) {
	tests := []struct {
		name         string
		size         int
		wantStreamed bool
	}{
		{"small", 1 << 10, false},
		{"just under 1 MiB", 1<<20 - 1, false},
		{"1 MiB", 1 << 20, true},
		{"3 MiB", 3 << 20, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var whole, streamed atomic.Int32
			c := newCache[string](t, "s.json", cachetta.WithCodec(streamCodec{&whole, &streamed}))
			want := strings.Repeat("x", tt.size-2)
			writeFile(t, c.Path(), `"`+want+`"`)
			v, ok, err := c.Read(t.Context())
			if !ok || err != nil || v != want {
				t.Fatalf("Read(%q) of %d bytes = %.10q, %v, %v; want the stored string", c.Path(), tt.size, v, ok, err)
			}
			if got := streamed.Load() == 1 && whole.Load() == 0; got != tt.wantStreamed {
				t.Errorf("Read of %d bytes: UnmarshalRead %d times, Unmarshal %d times; want from a reader: %v", tt.size, streamed.Load(), whole.Load(), tt.wantStreamed)
			}
		})
	}
}
