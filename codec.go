package cachetta

import "io"

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
// makes of it. Under GOEXPERIMENT=jsonv2, JSON and PythonJSON implement it.
type StreamUnmarshaler interface {
	UnmarshalRead(r io.Reader, v any) error
}

// JSON is the default Codec: encoding/json without HTML escaping and without
// a trailing newline, so a file holds exactly the JSON text of its value.
// A program built with GOEXPERIMENT=jsonv2 encodes and decodes with
// encoding/json/v2 set to encoding/json's behaviour, which writes the same
// bytes and refuses the same files, faster, and decodes large files from a
// reader. The one difference known is a struct tag name that v1 refuses
// for its characters (json:"a\b"), for which v1 writes the field's Go name
// and v2 a name of its own.
var JSON Codec = jsonCodec{}

type jsonCodec struct{}
