//go:build !race

package cachetta_test

// raceEnabled reports whether the tests run under the race detector, which
// makes allocation counts meaningless.
const raceEnabled = false
