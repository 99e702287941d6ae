//go:build !go1.27 || !goexperiment.jsonv2

package cachetta

import (
	"bytes"
	"encoding/json"
)

// v1's json.Decoder would not save the whole-file buffer (it gathers a value
// whole before decoding it) and takes trailing data for a next value, so
// this jsonCodec has no UnmarshalRead.

func (jsonCodec) Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func (jsonCodec) Unmarshal(data []byte, v any) error {
	return json.Unmarshal(data, v)
}
