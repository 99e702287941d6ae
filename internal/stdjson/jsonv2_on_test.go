//go:build go1.27 && goexperiment.jsonv2

package stdjson_test

// jsonv2 tells the tests that the JSON codec uses encoding/json/v2, which
// it does from Go 1.27 on, unless GOEXPERIMENT=nojsonv2.
const jsonv2 = true
