//go:build !goexperiment.jsonv2 || go1.27

package main

// offsetBeforeBadByte is 1 where a json.SyntaxError's Offset stops before
// the byte it refuses, 0 where it counts that byte: encoding/json's v1
// engine counts it, and so does Go 1.27's.
const offsetBeforeBadByte = 0
