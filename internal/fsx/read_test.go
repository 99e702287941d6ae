package fsx

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// wholeUnmarshaler decodes from a reader by reading all of it, as a
// StreamCodec must, in either build.
type wholeUnmarshaler struct{ calls *int }

func (u wholeUnmarshaler) UnmarshalRead(r io.Reader, v any) error {
	*u.calls++
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

// firstByteUnmarshaler stops after one byte, as a codec that leaves
// trailing data unread would.
type firstByteUnmarshaler struct{}

func (firstByteUnmarshaler) UnmarshalRead(r io.Reader, v any) error {
	var b [1]byte
	_, err := r.Read(b[:])
	*v.(*string) = string(b[:])
	return err
}

// countingReader counts what is read from it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// TestDecodeStreamKeepsReadContentsRules feeds decodeStream contents that
// are not the size a stat gave, broken readers and bytes that cannot be
// JSON: each ends as ReadAll would end it.
func TestDecodeStreamKeepsReadContentsRules(t *testing.T) {
	value := `"` + strings.Repeat("x", 3<<20) + `"`
	size := int64(len(value))
	ioErr := errors.New("disk on fire")
	tests := []struct {
		name      string
		r         io.Reader
		size      int64
		probe     bool
		s         StreamCodec
		wantErr   error // of the read
		wantCalls int
		wantBad   bool // a decodeErr
	}{
		{"exact size", strings.NewReader(value), size, true, nil, nil, 1, false},
		{"grew", strings.NewReader(value + "   "), size, true, nil, ErrSizeChanged, 1, false},
		{"grew into trailing data", strings.NewReader(value + "x"), size, true, nil, ErrSizeChanged, 1, false},
		{"shrank", strings.NewReader(value[:size-1]), size, true, nil, ErrSizeChanged, 1, false},
		{"shrank under the probe", strings.NewReader(value[:10]), size, true, nil, ErrSizeChanged, 0, false},
		{"negative size", strings.NewReader(value), -1, true, nil, ErrSizeChanged, 0, false},
		{"corrupt", strings.NewReader(value[:size-1] + "x"), size, true, nil, nil, 1, true},
		{"not JSON from its first byte", strings.NewReader(strings.Repeat("\x00", 8<<10)), 8 << 10, true, nil, ErrNotJSON, 0, false},
		{"not JSON without the probe", strings.NewReader(strings.Repeat("\x00", 8<<10)), 8 << 10, false, nil, nil, 1, true},
		{"I/O error", iotest.ErrReader(ioErr), size, true, nil, ioErr, 0, false},
		{"I/O error while decoding", io.MultiReader(strings.NewReader(value[:2<<20]), iotest.ErrReader(ioErr)), size, true, nil, ioErr, 1, false},
		{"grew behind a codec that stopped early", strings.NewReader(value + " "), size, false, firstByteUnmarshaler{}, ErrSizeChanged, 0, false},
		{"exact size behind a codec that stopped early", strings.NewReader(value), size, false, firstByteUnmarshaler{}, nil, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			s := tt.s
			if s == nil {
				s = wholeUnmarshaler{&calls}
			}
			cr := &countingReader{r: tt.r}
			var v string
			decodeErr, err := decodeStream(t.Context(), cr, tt.size, tt.probe, s, &v)
			if !errors.Is(err, tt.wantErr) || tt.wantErr == nil && err != nil {
				t.Errorf("decodeStream(%s) err = %v; want %v", tt.name, err, tt.wantErr)
			}
			if (decodeErr != nil) != tt.wantBad {
				t.Errorf("decodeStream(%s) decodeErr = %v; want one: %v", tt.name, decodeErr, tt.wantBad)
			}
			if calls != tt.wantCalls {
				t.Errorf("decodeStream(%s) called UnmarshalRead %d times; want %d", tt.name, calls, tt.wantCalls)
			}
			if cr.n > tt.size+1 {
				t.Errorf("decodeStream(%s) read %d bytes of a file of %d; want at most one more", tt.name, cr.n, tt.size)
			}
			if err == nil && !tt.wantBad && tt.s == nil && v != value[1:size-1] {
				t.Errorf("decodeStream(%s) decoded %d bytes; want the %d of the value", tt.name, len(v), len(value)-2)
			}
		})
	}
}

// TestDecodeStreamReadsAtMostOneByteMore reads from a reader that never
// ends: decodeStream stops one byte past the size.
func TestDecodeStreamReadsAtMostOneByteMore(t *testing.T) {
	const size = 2 << 20
	calls := 0
	cr := &countingReader{r: io.MultiReader(strings.NewReader(`"`), endless{})}
	var v string
	_, err := decodeStream(t.Context(), cr, size, true, wholeUnmarshaler{&calls}, &v)
	if !errors.Is(err, ErrSizeChanged) || cr.n != size+1 {
		t.Errorf("decodeStream of an endless file of stat size %d = %v after %d bytes; want ErrSizeChanged after %d", size, err, cr.n, size+1)
	}
}

// endless is a file that grows without end.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

// TestDecodeStreamChecksContextBetweenChunks reads with a context that is
// done once reading has begun: the read stops with its error, after less
// than the file.
func TestDecodeStreamChecksContextBetweenChunks(t *testing.T) {
	value := `"` + strings.Repeat("x", 4*chunkSize) + `"`
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	calls := 0
	cr := &countingReader{r: strings.NewReader(value)}
	var v string
	_, err := decodeStream(cancelledOnFirstCheck{ctx, cancel}, cr, int64(len(value)), true, wholeUnmarshaler{&calls}, &v)
	if !errors.Is(err, context.Canceled) || cr.n >= int64(len(value)) {
		t.Errorf("decodeStream with a context done while reading = %v after %d of %d bytes; want context.Canceled before the end", err, cr.n, len(value))
	}
}

// cancelledOnFirstCheck is a context that its first Err call cancels.
type cancelledOnFirstCheck struct {
	context.Context
	cancel context.CancelFunc
}

func (c cancelledOnFirstCheck) Err() error {
	err := c.Context.Err()
	c.cancel()
	return err
}
