package blobstore_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
	"github.com/cachetta-go/cachetta/blobstore"
	"github.com/cachetta-go/cachetta/storetest"
)

func TestContract(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			// A bucket opened up front starts the backend's server, so that
			// a missing one skips or fails this test once rather than each
			// subtest of the suite.
			b.open(t)
			// Each store's bucket comes with its own way to backdate.
			var backdates sync.Map // *blobstore.Store -> func(testing.TB, string, time.Time)
			var opts storetest.Options
			newStore := func(t *testing.T) cachetta.Store {
				if b.name == "file" && strings.HasSuffix(t.Name(), "/LongNames") {
					t.Skip("fileblob names its temporary file after the object plus a suffix: a name element over 234 bytes overflows the file system's limit of 255")
				}
				s, _, backdate := newStore(t, b, blobstore.WithPrefix("tenant/cache"))
				if backdate != nil {
					backdates.Store(s, backdate)
				}
				return s
			}
			if b.backdates {
				opts.SetModTime = func(_ context.Context, s cachetta.Store, name string, mod time.Time) error {
					backdate, ok := backdates.Load(s)
					if !ok {
						return fmt.Errorf("no backdate for %v", s)
					}
					backdate.(func(testing.TB, string, time.Time))(t, "tenant/cache/"+name, mod)
					return nil
				}
			}
			storetest.Run(t, newStore, opts)
		})
	}
}
