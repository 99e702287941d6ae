//go:build goexperiment.jsonv2 && !go1.27

package main

// offsetBeforeBadByte is 1 where a json.SyntaxError's Offset stops before
// the byte it refuses, 0 where it counts that byte: the experimental v2
// engine of Go 1.26 (GOEXPERIMENT=jsonv2) stops before it; Go 1.27's does
// not.
const offsetBeforeBadByte = 1
