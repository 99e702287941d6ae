package cachetta

import (
	"fmt"
	"io"

	"github.com/cachetta-go/cachetta/internal/fsx"
	"github.com/cachetta-go/cachetta/internal/pyjson"
	"github.com/cachetta-go/cachetta/internal/stdjson"
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

// jsonCodec holds the engine in a type of this package, which isJSONCodec
// recognises and a user sees as before (fmt's %T prints cachetta.jsonCodec).
// Embedding keeps the engine's methods: UnmarshalRead exactly when the build
// has encoding/json/v2.
type jsonCodec struct{ stdjson.Codec }

// PythonJSON is a Codec whose files hold exactly what Python's
// json.dump(value, f) writes, with its default arguments, for the value
// stored: the separators ", " and ": ", every character beyond printable
// ASCII as a \u escape (characters beyond the BMP as surrogate pairs), and
// floats as Python's repr writes them, always with a fraction or an
// exponent (float64(3) as 3.0, 1e16 as 1e+16), so that Python reads a Go
// float back as a float and not as an int.
//
// Values are encoded as encoding/json encodes them otherwise: struct tags,
// MarshalJSON (whose result is re-spelled, in its own order), MarshalText,
// []byte as base64, nil slices and maps as null, and a string that is not
// UTF-8 with U+FFFD for each bad byte. Struct fields come in encoding/json's
// order, the order of the fields, and map keys sorted as encoding/json
// sorts them, by their text. Python writes a dict in its insertion order,
// so a dict built in that order is written alike. NaN and the infinities
// are errors, as they are for JSON: Python would write NaN, Infinity and
// -Infinity, which are not JSON and which encoding/json cannot read back.
// A float32 is written with the fewest digits that read back to it, as
// encoding/json writes it.
//
// PythonJSON decodes as JSON does, from a reader too under
// GOEXPERIMENT=jsonv2.
var PythonJSON Codec = pythonJSONCodec{}

// pythonJSONCodec decodes with the methods of jsonCodec.
type pythonJSONCodec struct{ jsonCodec }

func (pythonJSONCodec) Marshal(v any) ([]byte, error) {
	data, err := pyjson.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("python json: %w", err)
	}
	return data, nil
}
