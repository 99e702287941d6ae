package flight

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
)

// result is what one caller of a run got.
type result struct {
	v   int
	err error
	pan any
}

// call joins the run of key in g, starting it with fn when none runs, and
// waits for it with ctx, catching a panic raised by Wait.
func call(ctx context.Context, g *Group[string, int], t *Tracker, key string, fn func(context.Context) (int, error), ended func(*Run[int], bool)) (res result) {
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r, start := g.Join(key, rctx, cancel)
	if start {
		t.Go(func() { g.Execute(key, r, fn, nil, ended) })
	}
	defer func() { res.pan = recover() }()
	res.v, res.err = g.Wait(ctx, key, r)
	return res
}

// TestEveryCallerGetsTheOutcome starts one run that three callers share and
// that ends each way a function can end: every caller gets the outcome, the
// end is reported as waited for, and nothing stays registered.
func TestEveryCallerGetsTheOutcome(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name string
		end  func() (int, error)
		want result
	}{
		{"value", func() (int, error) { return 7, nil }, result{v: 7}},
		{"error", func() (int, error) { return 0, boom }, result{err: boom}},
		{"panic", func() (int, error) { panic("kaboom") }, result{pan: "kaboom"}},
		{"goexit", func() (int, error) { runtime.Goexit(); return 7, nil }, result{err: ErrGoexit}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var g Group[string, int]
				var tr Tracker
				release := make(chan struct{})
				runs := 0
				fn := func(context.Context) (int, error) {
					runs++ // one run at a time here
					<-release
					return tt.end()
				}
				var ends []bool
				ended := func(r *Run[int], waited bool) { ends = append(ends, waited) }
				const callers = 3
				got := make([]result, callers)
				var wg sync.WaitGroup
				for i := range callers {
					wg.Go(func() { got[i] = call(t.Context(), &g, &tr, "k", fn, ended) })
					synctest.Wait() // the first caller starts the run, the others join it
				}
				close(release)
				wg.Wait()
				tr.Wait()
				for i, res := range got {
					if res.v != tt.want.v || !errors.Is(res.err, tt.want.err) || res.pan != tt.want.pan {
						t.Errorf("caller %d got %+v; want %+v", i, res, tt.want)
					}
				}
				if runs != 1 {
					t.Errorf("the function ran %d times; want 1", runs)
				}
				if fmt.Sprint(ends) != "[true]" {
					t.Errorf("ended was told waited = %v; want [true]", ends)
				}
				if n := g.Len(); n != 0 {
					t.Errorf("Len() = %d after the run; want 0", n)
				}
			})
		})
	}
}

// TestCallersLeave lets callers of one run give up: each one that does gets
// its own context's error and the others still wait; the run is cancelled and
// unregistered only when the last one leaves, and a later caller then starts
// a run of its own.
func TestCallersLeave(t *testing.T) {
	tests := []struct {
		name      string
		leave     int  // how many of the two callers give up
		cancelled bool // whether the run's context ends up cancelled
	}{
		{"none", 0, false},
		{"one", 1, false},
		{"both", 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var g Group[string, int]
				var tr Tracker
				release := make(chan struct{})
				var runCtx context.Context
				fn := func(ctx context.Context) (int, error) {
					runCtx = ctx
					select {
					case <-release:
						return 1, nil
					case <-ctx.Done():
						return 0, ctx.Err()
					}
				}
				got := make([]result, 2)
				cancels := make([]context.CancelFunc, 2)
				var wg sync.WaitGroup
				for i := range got {
					ctx, cancel := context.WithCancel(t.Context())
					cancels[i] = cancel
					wg.Go(func() { got[i] = call(ctx, &g, &tr, "k", fn, nil) })
					synctest.Wait()
				}
				for i := range tt.leave {
					cancels[i]()
				}
				synctest.Wait()
				if err := runCtx.Err(); (err != nil) != tt.cancelled {
					t.Errorf("after %d of 2 callers left, the run's context has error %v; want cancelled %v", tt.leave, err, tt.cancelled)
				}
				if g.Running("k") == tt.cancelled {
					t.Errorf("after %d of 2 callers left, Running = %v; want %v", tt.leave, g.Running("k"), !tt.cancelled)
				}
				if tt.cancelled {
					// A new caller starts a new run rather than join the cancelled one.
					if res := call(t.Context(), &g, &tr, "k", func(context.Context) (int, error) { return 2, nil }, nil); res.v != 2 || res.err != nil {
						t.Errorf("a caller after everyone left got %+v; want a run of its own with 2", res)
					}
				}
				close(release)
				wg.Wait()
				tr.Wait()
				for i, res := range got {
					want := result{v: 1}
					if i < tt.leave {
						want = result{err: context.Canceled}
					}
					if res != want {
						t.Errorf("caller %d got %+v; want %+v", i, res, want)
					}
				}
				for _, cancel := range cancels {
					cancel()
				}
			})
		})
	}
}

// TestRunNobodyWaitsFor executes a run whose only caller left before it
// began: the function is not called, the run ends with the cancellation, and
// ended is told that nobody waited.
func TestRunNobodyWaitsFor(t *testing.T) {
	var g Group[string, int]
	rctx, cancel := context.WithCancel(t.Context())
	r, start := g.Join("k", rctx, cancel)
	if !start {
		t.Fatal("Join on an empty group did not start a run")
	}
	g.Leave("k", r)
	called := false
	var waited *bool
	g.Execute("k", r, func(context.Context) (int, error) { called = true; return 1, nil }, nil,
		func(_ *Run[int], w bool) { waited = &w })
	if called {
		t.Error("the function of a run nobody waits for was called")
	}
	if !errors.Is(r.Err, context.Canceled) {
		t.Errorf("the run's error = %v; want context.Canceled", r.Err)
	}
	if waited == nil || *waited {
		t.Errorf("ended was told waited = %v; want false", waited)
	}
}

// TestRecordRunsWhileTheRunIsRegistered checks the order of Execute's end:
// record sees the run registered and its callers still waiting, ended sees it
// gone, so a caller that finds no run with Running finds what record did.
func TestRecordRunsWhileTheRunIsRegistered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g Group[string, int]
		var tr Tracker
		var steps []string
		rctx, cancel := context.WithCancel(t.Context())
		r, _ := g.Join("k", rctx, cancel)
		tr.Go(func() {
			g.Execute("k", r, func(context.Context) (int, error) { return 1, nil },
				func(r *Run[int]) {
					select {
					case <-r.done:
						steps = append(steps, "record after the callers were released")
					default:
						steps = append(steps, fmt.Sprintf("record: running %v", g.Running("k")))
					}
				},
				func(*Run[int], bool) { steps = append(steps, fmt.Sprintf("ended: running %v", g.Running("k"))) })
		})
		if v, err := g.Wait(t.Context(), "k", r); v != 1 || err != nil {
			t.Errorf("Wait = %v, %v; want 1", v, err)
		}
		tr.Wait()
		if got, want := fmt.Sprint(steps), "[record: running true ended: running false]"; got != want {
			t.Errorf("steps = %s; want %s", got, want)
		}
	})
}

// TestAloneIsNeverJoined runs a run made by Alone under a key that another
// run holds registered: a Join still finds the registered one, and the end of
// the lone run leaves it registered.
func TestAloneIsNeverJoined(t *testing.T) {
	var g Group[string, int]
	ctx := t.Context()
	rctx, cancel := context.WithCancel(ctx)
	shared, _ := g.Join("k", rctx, cancel)
	actx, acancel := context.WithCancel(ctx)
	alone := g.Alone(actx, acancel)
	g.Execute("k", alone, func(context.Context) (int, error) { return 2, nil }, nil, nil)
	if v, err := g.Wait(ctx, "k", alone); v != 2 || err != nil {
		t.Errorf("Wait for the lone run = %v, %v; want 2", v, err)
	}
	jctx, jcancel := context.WithCancel(ctx)
	r, start := g.Join("k", jctx, jcancel)
	if start || r != shared {
		t.Errorf("Join after the lone run = %p, start %v; want the registered run %p", r, start, shared)
	}
	if jctx.Err() == nil {
		t.Error("Join did not cancel the context of the run it did not need")
	}
	g.Leave("k", r)
	g.Leave("k", shared)
	if n := g.Len(); n != 0 {
		t.Errorf("Len() = %d after every caller left; want 0", n)
	}
}
