//go:build !goexperiment.jsonv2

package stdjson_test

// encodingJSONOnV2 tells the tests that encoding/json runs on the v2
// engine: Go 1.27 by default, or Go 1.26 with GOEXPERIMENT=jsonv2.
const encodingJSONOnV2 = false
