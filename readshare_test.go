package cachetta_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cachetta-go/cachetta"
)

// gatedCodec is JSON whose first Unmarshal waits for release, counting the
// calls, so that a test holds one read in flight while others begin. With
// panicFirst the first call panics once released.
type gatedCodec struct {
	decodes    atomic.Int64
	release    chan struct{}
	panicFirst bool
}

func newGatedCodec() *gatedCodec { return &gatedCodec{release: make(chan struct{})} }

func (g *gatedCodec) Marshal(v any) ([]byte, error) { return cachetta.JSON.Marshal(v) }

func (g *gatedCodec) Unmarshal(data []byte, v any) error {
	if g.decodes.Add(1) == 1 {
		<-g.release
		if g.panicFirst {
			panic("decoder broke")
		}
	}
	return cachetta.JSON.Unmarshal(data, v)
}

// pin sets the modification time of c's file to the bubble's now, whose
// clock starts in 2000.
func pin(t *testing.T, c *cachetta.Cachetta[string]) {
	t.Helper()
	now := time.Now()
	if err := os.Chtimes(c.Path(), now, now); err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentReadsDecodeOnce checks that a burst of readers of one fresh
// file, without memory, shares one read: the first reader's decode is held
// until every other reader waits, and the file is decoded once in all.
func TestConcurrentReadsDecodeOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		codec := newGatedCodec()
		c := newCache[string](t, "hot.json", cachetta.WithCodec(codec))
		if err := c.Write(ctx, "hot"); err != nil {
			t.Fatal(err)
		}
		pin(t, c)
		const readers = 1000
		var wg sync.WaitGroup
		var hits atomic.Int64
		for range readers {
			wg.Go(func() {
				if v, ok, err := c.Read(ctx); v == "hot" && ok && err == nil {
					hits.Add(1)
				} else {
					t.Errorf("Read() = %q, %v, %v; want hot", v, ok, err)
				}
			})
		}
		synctest.Wait() // every reader waits: one in the decode, the others for it
		close(codec.release)
		wg.Wait()
		if n := codec.decodes.Load(); n != 1 || hits.Load() != readers {
			t.Errorf("%d readers decoded the file %d times and %d hit; want 1 decode and %d hits", readers, n, hits.Load(), readers)
		}
	})
}

// TestReadAfterWriteJoinsNoOlderRead checks that a Read that begins after a
// Write returned never receives the value of a read that began before it.
func TestReadAfterWriteJoinsNoOlderRead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		codec := newGatedCodec()
		c := newCache[string](t, "s.json", cachetta.WithCodec(codec))
		if err := c.Write(ctx, "old"); err != nil {
			t.Fatal(err)
		}
		pin(t, c)
		oldRead := make(chan string)
		go func() {
			v, _, _ := c.Read(ctx)
			oldRead <- v
		}()
		synctest.Wait() // the first read holds "old" in its decode
		if err := c.Write(ctx, "new"); err != nil {
			t.Fatal(err)
		}
		pin(t, c)
		if v, ok, err := c.Read(ctx); v != "new" || !ok || err != nil {
			t.Errorf("Read() after Write(new) = %q, %v, %v; want new", v, ok, err)
		}
		close(codec.release)
		if v := <-oldRead; v != "old" {
			t.Errorf("the read that began before the write = %q; want old", v)
		}
	})
}

// TestSharedReadSurvivesItsLeader checks that a reader waiting for another's
// read gets the value when the read ends without one for it: the first
// reader gave up (its context ended the read between two chunks) or its
// decoder panicked. Only the first reader sees its failure.
func TestSharedReadSurvivesItsLeader(t *testing.T) {
	big := strings.Repeat("x", 3<<20) // read in more than one chunk
	tests := []struct {
		name       string
		panicFirst bool
	}{
		{"leader cancelled", false},
		{"leader's decoder panicked", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := t.Context()
				codec := newGatedCodec()
				codec.panicFirst = tt.panicFirst
				c := newCache[string](t, "big.json", cachetta.WithCodec(codec))
				if err := c.Write(ctx, big); err != nil {
					t.Fatal(err)
				}
				pin(t, c)
				leaderCtx := context.Context(ctx)
				var gate *errGate
				if !tt.panicFirst {
					// The codec must not hold the joiner's own read.
					close(codec.release)
					codec.decodes.Store(1)
					gate = &errGate{Context: ctx, release: make(chan struct{})}
					leaderCtx = gate
				}
				leaderErr := make(chan any, 1)
				go func() {
					defer func() {
						if p := recover(); p != nil {
							leaderErr <- p
						}
					}()
					_, _, err := c.Read(leaderCtx)
					leaderErr <- err
				}()
				synctest.Wait() // the leader is inside its read
				joined := make(chan error, 1)
				go func() {
					v, ok, err := c.Read(ctx)
					if v != big || !ok {
						err = errors.Join(err, errors.New("no hit of the stored value"))
					}
					joined <- err
				}()
				synctest.Wait() // the joiner waits for the leader's read
				if gate != nil {
					close(gate.release)
				} else {
					close(codec.release)
				}
				if err := <-joined; err != nil {
					t.Errorf("the joiner's Read: %v; want a hit", err)
				}
				got := <-leaderErr
				if err, ok := got.(error); tt.panicFirst && got != "decoder broke" ||
					!tt.panicFirst && (!ok || !errors.Is(err, context.Canceled)) {
					t.Errorf("the leader's Read ended with %v; want its own failure", got)
				}
			})
		})
	}
}

// errGate is a context whose Err, from its second call, which a read makes
// between two chunks of a file, waits for release and then reports
// context.Canceled: a caller that gives up in the middle of its read.
type errGate struct {
	context.Context
	calls   atomic.Int64
	release chan struct{}
}

func (g *errGate) Err() error {
	if g.calls.Add(1) == 1 {
		return nil
	}
	<-g.release
	return context.Canceled
}
