//go:build !go1.27 || !goexperiment.jsonv2

package stdjson

import (
	"bytes"
	"encoding/json"
)

// v1's json.Decoder would not save the whole-file buffer (it gathers a value
// whole before decoding it) and takes trailing data for a next value, so
// this Codec has no UnmarshalRead.

// Marshal returns the JSON encoding of v as json.Marshal writes it, less
// the escaping of <, > and &.
func (Codec) Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Unmarshal decodes data into v with json.Unmarshal.
func (Codec) Unmarshal(data []byte, v any) error {
	return json.Unmarshal(data, v)
}
