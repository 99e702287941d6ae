// Package storetest checks that a cachetta.Store keeps the contract the
// cache relies on, so that a new back end is one call away from being
// verified:
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) cachetta.Store {
//			return newEmptyStore(t)
//		}, storetest.Options{})
//	}
//
// Run covers missing entries, round trips of any bytes, modification times,
// versions, the size limit of Load, atomic replacement under concurrent
// readers, List by prefix (glob characters included), long names, cancelled
// contexts and, when the store is a cachetta.Locker, the lock's exclusion,
// ownership and idempotent release. What a suite run in one process cannot
// show (a holder that dies, a server that restarts) belongs in the store's
// own tests.
package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
)

// Options tells Run what the store under test can do beyond the contract.
// The zero value runs every subtest that needs nothing more.
type Options struct {
	// SetModTime sets the modification time of the saved entry name, as a
	// test backdates a file with os.Chtimes. Nil skips the subtests that
	// need it, with a message saying so.
	SetModTime func(ctx context.Context, s cachetta.Store, name string, t time.Time) error

	// ExpireLock makes the lease of the lock held on name run out now, as
	// if its holder had stopped renewing it. Nil skips the subtests that
	// need it. Only used when the store is a cachetta.Locker.
	ExpireLock func(ctx context.Context, s cachetta.Store, name string) error

	// TimePrecision is how far a modification time the store reports may be
	// from the time it was given or the time of the Save, for stores that
	// keep seconds or whose clock is another machine's. The default is one
	// second.
	TimePrecision time.Duration

	// Lease is the lease the lock subtests ask for. The default is ten
	// seconds: the store renews a held lock, so a long lease costs nothing
	// and keeps a loaded machine from losing a lock mid-test.
	Lease time.Duration
}

// Run runs the contract suite as subtests of t. newStore is called once per
// subtest and must return a store that holds no entry and shares none with
// the stores of other calls (a fresh directory, a fresh key prefix); it
// registers its own cleanup with t.Cleanup.
//
// Beyond the letter of cachetta.Store, the suite asks what the cache relies
// on: Load returns a non-nil slice for an empty entry; a name that only
// begins other entries' names ("dir" for "dir/x.json") is no entry, and
// deleting it is nil and leaves them; every method with a context already
// done returns an error; a Lock whose context ends returns an error wrapping
// the context's. Its names hold * ? [ ] \ and spaces, which Windows file
// names cannot.
func Run(t *testing.T, newStore func(t *testing.T) cachetta.Store, opts Options) {
	t.Helper()
	if opts.TimePrecision <= 0 {
		opts.TimePrecision = time.Second
	}
	if opts.Lease <= 0 {
		opts.Lease = 10 * time.Second
	}
	s := suite{newStore: newStore, opts: opts}
	t.Run("Missing", s.missing)
	t.Run("MissingParent", s.missingParent)
	t.Run("RoundTrip", s.roundTrip)
	t.Run("ModTime", s.modTime)
	t.Run("SetModTime", s.setModTime)
	t.Run("Version", s.version)
	t.Run("MaxSize", s.maxSize)
	t.Run("Replace", s.replace)
	t.Run("Delete", s.delete)
	t.Run("ConcurrentReplace", s.concurrentReplace)
	t.Run("List", s.list)
	t.Run("ListAfterDelete", s.listAfterDelete)
	t.Run("ListStop", s.listStop)
	t.Run("LongNames", s.longNames)
	t.Run("Cancelled", s.cancelled)
	t.Run("Lock", s.lock)
	t.Run("Cache", s.cache)
}

// suite carries Run's arguments to the subtests.
type suite struct {
	newStore func(t *testing.T) cachetta.Store
	opts     Options
}

// timeout bounds every wait of the suite so that a store that hangs fails
// the subtest instead of the whole test binary.
const timeout = 30 * time.Second

// blockedFor is how long a Lock that must not succeed is given to show it
// does: long enough for a store's first poll, short enough to run often.
const blockedFor = 200 * time.Millisecond

func (s suite) ctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	t.Cleanup(cancel)
	return ctx
}
