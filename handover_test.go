package cachetta_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
)

// signalHandler closes waiting the first time the cache logs that it waits
// for a lock.
type signalHandler struct {
	slog.Handler
	waiting chan struct{}
}

func (h signalHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h signalHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "waiting for a lock" {
		select {
		case <-h.waiting:
		default:
			close(h.waiting)
		}
	}
	return nil
}

// TestHandoverAcrossProcesses makes this process wait for another's run of
// one key, round after round, and logs how long after the holder was told
// to return the waiter had its result: the median and the 90th percentile.
// The waiter wakes when the entry's file is written (a watch of the file,
// where the system has one) rather than at its next poll. What it asserts is
// that the waiter gets the holder's value without running the function;
// the times are reported, not asserted.
func TestHandoverAcrossProcesses(t *testing.T) {
	const rounds = 15
	var took []time.Duration
	for range rounds {
		cs := newChildren(t)
		holder := cs.start("cold")
		cs.await("the holder running", func() bool { return cs.count("running") == 1 })
		waiting := make(chan struct{})
		c := cachetta.Must(cachetta.New[string](filepath.Join(cs.dir, "cache", "v.json"),
			cachetta.WithLogger(slog.New(signalHandler{waiting: waiting}))))
		get := cachetta.Wrap1(c, func(context.Context, int) (string, error) { return "the waiter ran", nil })
		type result struct {
			v   string
			err error
			at  time.Time
		}
		got := make(chan result)
		go func() {
			v, err := get(t.Context(), 0)
			got <- result{v, err, time.Now()}
		}()
		<-waiting
		// The holder's function runs a while, as real ones do, long enough
		// for the waiter's polls to reach their longest pause.
		time.Sleep(120 * time.Millisecond)
		told := time.Now()
		if _, err := io.WriteString(cs.procs[holder].stdin, "go\n"); err != nil {
			t.Fatal(err)
		}
		r := <-got
		if r.err != nil || !strings.HasPrefix(r.v, "value of ") {
			t.Fatalf("waiter got %q, %v; want the holder's value", r.v, r.err)
		}
		took = append(took, r.at.Sub(told))
		cs.await("the holder's result", func() bool { return cs.count("result ") == 1 })
		cs.finish()
	}
	slices.Sort(took)
	t.Logf("handover over %d rounds: median %v, 90th percentile %v (from telling the holder to return to the waiter's result)",
		rounds, took[rounds/2], took[rounds*9/10])
}
