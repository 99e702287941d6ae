package storetest_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
	"github.com/cachetta-go/cachetta/storetest"
)

// options gives the suite the memory store's hooks.
var options = storetest.Options{
	SetModTime: func(_ context.Context, s cachetta.Store, name string, t time.Time) error {
		return s.(*memory).setModTime(name, t)
	},
	ExpireLock: func(_ context.Context, s cachetta.Store, name string) error {
		return s.(*memory).expire(name)
	},
}

func TestRunMemory(t *testing.T) {
	brk := os.Getenv(breakEnv)
	storetest.Run(t, func(*testing.T) cachetta.Store { return newMemory(brk) }, options)
}
