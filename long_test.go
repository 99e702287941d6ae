package cachetta_test

import (
	"flag"
	"os"
	"strconv"
	"testing"
)

// long makes the stress tests (processes killed mid-write, processes sharing
// keys, races of Prune against writes and against directories swapped for
// links, directories moved under writes) run at full length, the rounds they
// were written with, one of which found two processes running one key at
// once; by default they make a fraction of them, enough to fail on a bug
// that shows often, so that `go test -race .` stays quick. Set it with the
// flag, after the package (go test hands a flag it does not know, and every
// argument after it, to the test binary),
//
//	go test -race . -long
//
// or, for `go test ./...`, whose other packages know no -long flag, with the
// environment:
//
//	CACHETTA_LONG=1 go test -race ./...
//
// -short makes the stress tests shorter still; -long wins over -short.
var long = flag.Bool("long", longFromEnv(), "run the stress tests at full length (also CACHETTA_LONG=1)")

// longFromEnv reports whether $CACHETTA_LONG asks for the long mode: 1, true
// and the other values strconv.ParseBool reads as true.
func longFromEnv() bool {
	on, _ := strconv.ParseBool(os.Getenv("CACHETTA_LONG"))
	return on
}

// stressLength returns how many rounds, operations or kills a stress test
// makes: full with -long, short with -short and def otherwise.
func stressLength(full, def, short int) int {
	switch {
	case *long:
		return full
	case testing.Short():
		return short
	}
	return def
}
