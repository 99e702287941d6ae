//go:build !go1.27 || !goexperiment.jsonv2

package stdjson

import (
	"bytes"
	"encoding/json"
	"sync"
)

// v1's json.Decoder would not save the whole-file buffer (it gathers a value
// whole before decoding it) and takes trailing data for a next value, so
// this Codec has no UnmarshalRead.

// maxPooled is the capacity of the largest buffer Marshal keeps for the
// next call. The encoding in a larger one is returned as it is, which saves
// a copy of a large value and keeps the pool from holding on to memory.
const maxPooled = 64 << 10

// buffers are Marshal's spare buffers, each a *bytes.Buffer.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Marshal returns the JSON encoding of v as json.Marshal writes it, less
// the escaping of <, > and &. It encodes into a buffer of its pool and
// returns a copy of the right size, as json.Marshal does, rather than a
// bytes.Buffer grown for each call.
func (Codec) Marshal(v any) ([]byte, error) {
	buf := buffers.Get().(*bytes.Buffer)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	var data []byte
	switch {
	case err == nil && buf.Cap() > maxPooled:
		return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
	case err == nil:
		data = bytes.Clone(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	}
	if buf.Cap() <= maxPooled {
		buf.Reset()
		buffers.Put(buf)
	}
	return data, err
}

// Unmarshal decodes data into v with json.Unmarshal.
func (Codec) Unmarshal(data []byte, v any) error {
	return json.Unmarshal(data, v)
}
