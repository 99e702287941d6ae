package cachetta_test

import (
	"context"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
)

// TestZeroFieldsAreDefaults: a Files or Refresh with zero fields configures
// the defaults, as the options' docs promise: a cache with them reads a
// file of a few bytes and refreshes as one without them.
func TestZeroFieldsAreDefaults(t *testing.T) {
	ctx := t.Context()
	c := newCache[int](t, "n.json", cachetta.WithFiles(cachetta.Files{}), cachetta.WithRefresh(cachetta.Refresh{}))
	if err := c.Write(ctx, 7); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := c.Read(ctx); v != 7 || !ok || err != nil {
		t.Errorf("Read with Files{} = %v, %v, %v; want 7 (the default read limit, not 0)", v, ok, err)
	}
	backdate(t, c.Path(), 8*24*time.Hour)
	calls := 0
	get := cachetta.Wrap(c, func(context.Context) (int, error) { calls++; return 8, nil })
	if v, err := get(ctx); v != 8 || err != nil || calls != 1 {
		t.Errorf("expired call with Refresh{} = %v, %v after %d runs; want 8 from one run, no stale window", v, err, calls)
	}
}
