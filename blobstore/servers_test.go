package blobstore_test

import (
	"errors"
	"os"
	"sync"
	"testing"
)

// requireServersEnv, set to 1 (as .ci/run does), turns an object store
// server the tests cannot find from a skip into a failure.
const requireServersEnv = "CACHETTA_REQUIRE_SERVERS"

// A missingError says what a server the machine lacks needs (a program to
// install, a variable to set), as opposed to the error of a server that was
// found and failed to start: only the first may be skipped.
type missingError struct{ msg string }

func (e *missingError) Error() string { return e.msg }

// A shared is a server the tests of one binary share: the first test that
// asks for it starts it, and TestMain stops it after the last. Starting a
// server per test would cost seconds each for Azurite and SeaweedFS.
type shared[T any] struct {
	start func() (T, func(), error)
	// optional servers are skipped when missing even where requireServersEnv
	// asks for servers: CI runs without them on purpose.
	optional bool

	once sync.Once
	val  T
	err  error
}

// get returns the server's value, starting the server on the first call. A
// server that cannot start fails t, or skips it when the server is missing
// and neither optional nor required.
func (s *shared[T]) get(t testing.TB) T {
	t.Helper()
	s.once.Do(func() {
		var stop func()
		s.val, stop, s.err = s.start()
		if s.err == nil && stop != nil {
			stops.add(stop)
		}
	})
	if s.err != nil {
		_, missing := errors.AsType[*missingError](s.err)
		switch {
		case missing && s.optional:
			t.Skipf("skipped: %v", s.err)
		case missing && os.Getenv(requireServersEnv) != "1":
			t.Skipf("skipped: %v; set %s=1 to fail instead", s.err, requireServersEnv)
		case missing:
			t.Fatalf("%v, and %s=1", s.err, requireServersEnv)
		}
		t.Fatal(s.err)
	}
	return s.val
}

// stops holds the stop functions of the servers started so far; TestMain
// calls them once the tests are done. With the shared servers (each set once
// under its sync.Once) and bucketNames (atomic), it is the mutable state the
// tests of the binary share.
var stops stopList

type stopList struct {
	mu    sync.Mutex // guards funcs
	funcs []func()
}

func (l *stopList) add(f func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.funcs = append(l.funcs, f)
}

func (l *stopList) run() {
	l.mu.Lock()
	funcs := l.funcs
	l.funcs = nil
	l.mu.Unlock()
	for _, f := range funcs {
		f()
	}
}

// TestMain stops the shared servers after the tests; its return hands m.Run's
// result to os.Exit.
func TestMain(m *testing.M) {
	defer stops.run()
	m.Run()
}
