package cachetta_test

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/cachetta-go/cachetta"
)

// TestThousandGoroutinesOneColdKey starts 1,000 callers of one argument on
// an empty cache: once all of them wait, the function has run once; every
// caller gets its result, which is then on disk for the next call.
func TestThousandGoroutinesOneColdKey(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const callers = 1000
		ctx := t.Context()
		c := newCache[int](t, "n.json")
		var calls counter
		release := make(chan struct{})
		get := cachetta.Wrap1(c, func(_ context.Context, id int) (int, error) {
			calls.n.Add(1)
			<-release
			return id * 2, nil
		})
		var wg sync.WaitGroup
		results := make([]int, callers)
		errs := make([]error, callers)
		for i := range callers {
			wg.Go(func() { results[i], errs[i] = get(ctx, 21) })
		}
		synctest.Wait() // every caller is waiting on the one run
		if calls.count() != 1 {
			t.Errorf("with %d callers waiting the function ran %d times; want 1", callers, calls.count())
		}
		close(release)
		wg.Wait()
		if calls.count() != 1 {
			t.Errorf("function ran %d times; want 1", calls.count())
		}
		for i := range callers {
			if results[i] != 42 || errs[i] != nil {
				t.Fatalf("caller %d: get(ctx, 21) = %v, %v; want 42, nil", i, results[i], errs[i])
			}
		}
		if v, ok, err := c.Read(ctx, 21); v != 42 || !ok || err != nil {
			t.Errorf("Read(ctx, 21) after the stampede = %v, %v, %v; want 42, true, nil", v, ok, err)
		}
	})
}
