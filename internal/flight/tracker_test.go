package flight

import (
	"sync/atomic"
	"testing"
	"testing/synctest"
)

// TestTrackerWait starts work in several shapes and checks that Wait returns
// only once none of it runs, including work started while Wait waited.
func TestTrackerWait(t *testing.T) {
	tests := []struct {
		name string
		// start starts work on tr that ends once release is closed, and
		// returns how many goroutines it will have run.
		start func(tr *Tracker, release <-chan struct{}, ran *atomic.Int64) int64
	}{
		{"no work", func(*Tracker, <-chan struct{}, *atomic.Int64) int64 { return 0 }},
		{"one goroutine", func(tr *Tracker, release <-chan struct{}, ran *atomic.Int64) int64 {
			tr.Go(func() { <-release; ran.Add(1) })
			return 1
		}},
		{"three goroutines", func(tr *Tracker, release <-chan struct{}, ran *atomic.Int64) int64 {
			for range 3 {
				tr.Go(func() { <-release; ran.Add(1) })
			}
			return 3
		}},
		{"work that starts more work while waited on", func(tr *Tracker, release <-chan struct{}, ran *atomic.Int64) int64 {
			tr.Go(func() {
				<-release
				tr.Go(func() { ran.Add(1) })
				ran.Add(1)
			})
			return 2
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var tr Tracker
				var ran atomic.Int64
				release := make(chan struct{})
				want := tt.start(&tr, release, &ran)
				var returned atomic.Bool
				waited := make(chan struct{})
				go func() {
					defer close(waited)
					tr.Wait()
					returned.Store(true)
					if n := ran.Load(); n != want {
						t.Errorf("Wait returned after %d of %d goroutines ended", n, want)
					}
				}()
				synctest.Wait()
				if returned.Load() != (want == 0) {
					t.Errorf("before the work was released, Wait returned = %v; want %v", returned.Load(), want == 0)
				}
				close(release)
				<-waited
			})
		})
	}
}

// TestTrackerIsReusable waits for two rounds of work on one tracker.
func TestTrackerIsReusable(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var tr Tracker
		for round := range 2 {
			var ran atomic.Bool
			tr.Go(func() { ran.Store(true) })
			tr.Wait()
			if !ran.Load() {
				t.Errorf("round %d: Wait returned before the work ran", round)
			}
		}
	})
}
