//go:build go1.27 && goexperiment.jsonv2

package cachetta_test

// jsonv2 tells the tests that the build uses encoding/json/v2.
const jsonv2 = true
