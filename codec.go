package cachetta

import (
	"io"

	"github.com/cachetta-go/cachetta/internal/fsx"
)

// The reading of entries decodes with a Codec through fsx's interfaces.
var (
	_ fsx.Codec       = Codec(nil)
	_ fsx.StreamCodec = StreamUnmarshaler(nil)
)

// isJSONCodec reports whether codec decodes with encoding/json, whose
// refusal of a first byte can be foreseen before reading a file whole.
func isJSONCodec(codec Codec) bool {
	switch codec.(type) {
	case jsonCodec, pythonJSONCodec:
		return true
	}
	return false
}

// A Codec turns values into file contents and back. Implementations must be
// safe for concurrent use: one codec serves every goroutine using the cache.
type Codec interface {
	Marshal(v any) ([]byte, error)
	Unmarshal(data []byte, v any) error
}

// StreamUnmarshaler is implemented by a Codec that can decode straight from
// a reader, so that reading a large file needs no buffer the size of the
// file. UnmarshalRead must read r to its end and refuse what Unmarshal
// refuses, trailing data included. The cache gives it a reader bounded by
// the file's size, and treats an error of that reader (a done context, an
// I/O failure, a file that changed size) as its own, whatever UnmarshalRead
// makes of it. On Go 1.27 and later, where encoding/json/v2 is standard,
// JSON and PythonJSON implement it (unless built with
// GOEXPERIMENT=nojsonv2).
type StreamUnmarshaler interface {
	UnmarshalRead(r io.Reader, v any) error
}

// JSON is the default Codec: encoding/json without HTML escaping and without
// a trailing newline, so a file holds exactly the JSON text of its value.
// On Go 1.27 and later it encodes and decodes with encoding/json/v2 set to
// encoding/json's behaviour, which writes the same bytes as Go 1.26 does
// (invalid UTF-8 included, as the escape \ufffd) and refuses the same files,
// faster, and decodes large files from a reader. The one difference known
// is a struct tag name that v1 refuses for its characters (json:"a\b"), for
// which v1 writes the field's Go name and v2 a name of its own. Go 1.26 uses
// encoding/json's v1 API, with or without GOEXPERIMENT=jsonv2, whose
// experimental v2 API differs from the released one.
var JSON Codec = jsonCodec{}

type jsonCodec struct{}
