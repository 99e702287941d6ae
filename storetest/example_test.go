package storetest_test

import (
	"testing"

	"github.com/cachetta-go/cachetta"
	"github.com/cachetta-go/cachetta/storetest"
)

// newMyStore stands for the constructor of the store under test.
func newMyStore(t *testing.T) cachetta.Store {
	return newMemory("")
}

// A store's test calls Run with a constructor that returns an empty store
// each time, and the hooks it can offer: here none, so the subtests that
// backdate entries or expire leases are skipped.
func ExampleRun() {
	testMyStore := func(t *testing.T) {
		storetest.Run(t, newMyStore, storetest.Options{})
	}
	_ = testMyStore
}
