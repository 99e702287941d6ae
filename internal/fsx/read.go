package fsx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

const (
	// probeSize is how much of a large file is read, when its contents
	// must be JSON, to look at its first byte before a buffer is allocated
	// for all of it.
	probeSize = 4 << 10
	// chunkSize is how much is read between checks of the context.
	chunkSize = 1 << 20
	// StreamThreshold is the file size from which a StreamCodec decodes as
	// it reads. Below it the file is read into one buffer, which costs
	// under a MiB and lets Unmarshal work on bytes it has whole, the
	// faster way. From it on, the buffer saved grows with the file: with
	// encoding/json/v2 a 100 MiB read peaks at 0.57x the heap of a whole
	// read, for decoding 1.0-1.3x as slow (BenchmarkStreamThreshold,
	// BenchmarkRead100MiB in the root package).
	StreamThreshold = 1 << 20
)

// ErrSizeChanged is the cause of a failed read of a file that grew or
// shrank since its stat: a writer appending to it or rewriting it in place,
// whose partial content may be valid JSON (a prefix of a number is).
var ErrSizeChanged = errors.New("size changed while reading")

// ErrNotJSON is the cause of a failed read of a file whose first byte after
// white space cannot begin a JSON value.
var ErrNotJSON = errors.New("not JSON")

// A Codec decodes bytes into a value, as the root package's Codec does.
type Codec interface {
	Unmarshal(data []byte, v any) error
}

// A StreamCodec decodes straight from a reader (see the root package's
// StreamUnmarshaler).
type StreamCodec interface {
	UnmarshalRead(r io.Reader, v any) error
}

// Decode decodes into v the size bytes f held at its stat: decodeErr is the
// codec's refusal of them (a corrupt file), err a failure to read them as
// ReadAll reports it. A codec that is a StreamCodec decodes files of
// StreamThreshold bytes or more from a reader bounded as ReadAll bounds its
// reads, with no buffer for the whole file. With probe, a large file that
// cannot be JSON from its first bytes is refused with ErrNotJSON before
// any buffer for it is allocated.
func Decode(ctx context.Context, f *os.File, size int64, codec Codec, probe bool, v any) (decodeErr, err error) {
	if s, ok := codec.(StreamCodec); ok && size >= StreamThreshold {
		return decodeStream(ctx, f, size, probe, s, v)
	}
	data, err := ReadAll(ctx, f, size, probe)
	if err != nil {
		return nil, err
	}
	return codec.Unmarshal(data, v), nil
}

// ReadAll returns the size bytes that f held at its stat, in a buffer
// allocated once, reading one byte more to see growth. A file that grew or
// shrank since is ErrSizeChanged. A done ctx stops the read between chunks
// of a MiB with ctx.Err(). With probe, a file of 4 KiB or more that cannot
// be JSON from its first bytes is refused with ErrNotJSON before its buffer
// is allocated. I/O errors are wrapped.
func ReadAll(ctx context.Context, f *os.File, size int64, probe bool) ([]byte, error) {
	if size < 0 { // no regular file has one; read it as one that changed
		return nil, ErrSizeChanged
	}
	var data []byte
	n := 0
	if probe && size >= probeSize {
		var err error
		if data, n, err = readJSONHead(f, size); err != nil {
			return nil, err
		}
	} else {
		data = make([]byte, size+1)
	}
	for n < len(data) {
		if n > 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		m, err := f.Read(data[n:min(n+chunkSize, len(data))])
		n += m
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read: %w", err)
		}
	}
	if int64(n) != size {
		return nil, ErrSizeChanged
	}
	return data[:n], nil
}

// readJSONHead reads the first probeSize bytes of f, whose stat gave size,
// and returns a buffer for all of f that starts with them, and their number,
// unless they cannot begin JSON. Only then is the buffer allocated.
func readJSONHead(f *os.File, size int64) ([]byte, int, error) {
	var head [probeSize]byte
	n := 0
	for n < len(head) {
		m, err := f.Read(head[n:])
		n += m
		if err == io.EOF {
			return nil, 0, ErrSizeChanged
		}
		if err != nil {
			return nil, 0, fmt.Errorf("read: %w", err)
		}
	}
	if err := CheckJSONStart(head[:]); err != nil {
		return nil, 0, err
	}
	data := make([]byte, size+1)
	return data, copy(data, head[:]), nil
}

// CheckJSONStart returns an ErrNotJSON error when the first byte of head
// after JSON white space cannot begin a JSON value, as encoding/json would
// find on decoding. White space to the end of head is not an error.
func CheckJSONStart(head []byte) error {
	for i, b := range head {
		switch b {
		case ' ', '\t', '\n', '\r':
			continue
		case '{', '[', '"', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 't', 'f', 'n':
			return nil
		}
		return fmt.Errorf("%w: %q at offset %d", ErrNotJSON, b, i)
	}
	return nil
}

// decodeStream is Decode from r through s. The reader it gives s stops
// after size+1 bytes, so growth is seen without reading on, and what s
// leaves unread is read to the end too, so that a change of size is told
// apart from a corrupt file whether s stopped early or not. With probe the
// first probeSize bytes are checked before s sees any.
func decodeStream(ctx context.Context, r io.Reader, size int64, probe bool, s StreamCodec, v any) (decodeErr, err error) {
	if size < 0 { // no regular file has one; read it as one that changed
		return nil, ErrSizeChanged
	}
	sr := &sizedReader{ctx: ctx, r: r, left: size + 1}
	var src io.Reader = sr
	if probe && size >= probeSize {
		head := make([]byte, probeSize)
		if _, err := io.ReadFull(sr, head); err != nil {
			if sr.err != nil {
				return nil, sr.err
			}
			return nil, ErrSizeChanged
		}
		if err := CheckJSONStart(head); err != nil {
			return nil, err
		}
		src = io.MultiReader(bytes.NewReader(head), sr)
	}
	decodeErr = s.UnmarshalRead(src, v)
	if sr.err == nil && !sr.eof && sr.left > 0 {
		_, _ = io.Copy(io.Discard, sr)
	}
	switch {
	case sr.err != nil:
		return nil, sr.err
	case sr.n != size:
		return nil, ErrSizeChanged
	}
	return decodeErr, nil
}

// sizedReader reads from r at most left bytes, in reads of at most
// chunkSize bytes with a check of ctx after each chunkSize bytes. Its first
// error other than io.EOF is kept in err, which it returns from then on.
type sizedReader struct {
	ctx     context.Context
	r       io.Reader
	left    int64 // bytes it may still read
	n       int64 // bytes read
	checked int64 // n at the last check of ctx
	eof     bool  // r reported io.EOF
	err     error
}

func (r *sizedReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if r.eof || r.left == 0 {
		return 0, io.EOF
	}
	if r.n-r.checked >= chunkSize {
		if err := r.ctx.Err(); err != nil {
			r.err = err
			return 0, err
		}
		r.checked = r.n
	}
	p = p[:min(int64(len(p)), r.left, chunkSize)]
	m, err := r.r.Read(p)
	r.n += int64(m)
	r.left -= int64(m)
	switch {
	case err == io.EOF:
		r.eof = true
	case err != nil:
		r.err = fmt.Errorf("read: %w", err)
		return m, r.err
	}
	return m, err
}
