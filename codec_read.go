package cachetta

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
)

// streamThreshold is the file size from which a StreamUnmarshaler decodes
// as it reads. Below it the file is read into one buffer, which costs
// under a MiB and lets Unmarshal work on bytes it has whole, the faster
// way. From it on, the buffer saved grows with the file: with
// encoding/json/v2 a 100 MiB read peaks at 0.57x the heap of a whole read,
// for decoding 1.0-1.3x as slow (BenchmarkStreamThreshold,
// BenchmarkRead100MiB). A cache that must not hold a file twice in memory
// is worth that.
const streamThreshold = 1 << 20

// decodeContents decodes into v the size bytes f held at its stat, as
// readContents reads them: decodeErr is the codec's refusal of them (a
// corrupt file), err what readContents would return. A StreamUnmarshaler
// decodes files of streamThreshold bytes or more from a reader bounded
// like readContents, with no buffer for the whole file.
func decodeContents(ctx context.Context, f *os.File, size int64, codec Codec, v any) (decodeErr, err error) {
	probe := isJSONCodec(codec)
	if s, ok := codec.(StreamUnmarshaler); ok && size >= streamThreshold {
		return decodeStream(ctx, f, size, probe, s, v)
	}
	data, err := readContents(ctx, f, size, probe)
	if err != nil {
		return nil, err
	}
	return codec.Unmarshal(data, v), nil
}

// isJSONCodec reports whether codec decodes with encoding/json, whose
// refusal of a first byte can be foreseen by checkJSONStart.
func isJSONCodec(codec Codec) bool {
	switch codec.(type) {
	case jsonCodec, pythonJSONCodec:
		return true
	}
	return false
}

// decodeStream is decodeContents from r through s. The reader it gives s
// stops after size+1 bytes, so growth is seen without reading on, and what
// s leaves unread is read to the end too, so that a change of size is told
// apart from a corrupt file whether s stopped early or not. With probe the
// first probeSize bytes are checked before s sees any.
func decodeStream(ctx context.Context, r io.Reader, size int64, probe bool, s StreamUnmarshaler, v any) (decodeErr, err error) {
	if size < 0 { // no regular file has one; read it as one that changed
		return nil, errSizeChanged
	}
	sr := &sizedReader{ctx: ctx, r: r, left: size + 1}
	var src io.Reader = sr
	if probe && size >= probeSize {
		head := make([]byte, probeSize)
		if _, err := io.ReadFull(sr, head); err != nil {
			if sr.err != nil {
				return nil, sr.err
			}
			return nil, errSizeChanged
		}
		if err := checkJSONStart(head); err != nil {
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
		return nil, errSizeChanged
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
		r.err = fmt.Errorf("cachetta: read: %w", err)
		return m, r.err
	}
	return m, err
}
