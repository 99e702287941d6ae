// Package stdjson is the standard library's JSON as a codec: the bytes
// encoding/json writes, without HTML escaping and without a trailing
// newline, and the values it reads, on whichever engine the build has.
//
// Which engine is chosen at build time. From Go 1.27 on (unless built with
// GOEXPERIMENT=nojsonv2), where encoding/json/v2 is standard, Codec encodes
// and decodes with v2 set to v1's behaviour, which writes the same bytes and
// refuses the same input, faster, and it has an UnmarshalRead method that
// decodes from a reader as it reads. Otherwise, Go 1.26 included with
// GOEXPERIMENT=jsonv2 (whose experimental v2 API differs from the released
// one), it uses encoding/json's v1 API and has no UnmarshalRead. A caller
// that wants to know which it has asks with a type assertion.
//
// The package holds the engine only; cachetta.JSON and cachetta.PythonJSON
// are built on Codec and document what users may rely on.
package stdjson

// Codec is encoding/json without HTML escaping and without a trailing
// newline. Its zero value is ready to use and safe for concurrent use.
type Codec struct{}
