package storetest

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cachetta-go/cachetta"
)

func (s suite) lock(t *testing.T) {
	st := s.newStore(t)
	if _, ok := st.(cachetta.Locker); !ok {
		t.Skipf("%T is not a cachetta.Locker", st)
	}
	t.Run("Exclusion", s.lockExclusion)
	t.Run("Independent", s.lockIndependent)
	t.Run("UnlockTwice", s.unlockTwice)
	t.Run("Expired", s.lockExpired)
	t.Run("Cancelled", s.lockCancelled)
}

func (s suite) locker(t *testing.T) cachetta.Locker {
	return s.newStore(t).(cachetta.Locker)
}

// mustLock takes the lock of name or fails the test.
func (s suite) mustLock(t *testing.T, l cachetta.Locker, name string) func() {
	t.Helper()
	unlock, err := l.Lock(s.ctx(t), name, s.opts.Lease)
	if err != nil {
		t.Fatalf("Lock(%q) = %v", name, err)
	}
	if unlock == nil {
		t.Fatalf("Lock(%q) returned a nil unlock", name)
	}
	return unlock
}

// held reports whether someone holds the lock of name: a Lock that does not
// succeed within blockedFor.
func (s suite) held(t *testing.T, l cachetta.Locker, name string) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), blockedFor)
	defer cancel()
	unlock, err := l.Lock(ctx, name, s.opts.Lease)
	if err == nil {
		unlock()
		return false
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Lock(%q) while held = %v; want an error wrapping context.DeadlineExceeded", name, err)
	}
	return true
}

func (s suite) lockExclusion(t *testing.T) {
	l := s.locker(t)
	ctx := s.ctx(t)
	unlock := s.mustLock(t, l, "x.json")
	if !s.held(t, l, "x.json") {
		t.Error("a second Lock took a held lock")
	}
	unlock()
	const workers, rounds = 4, 3
	var inside, entered atomic.Int32
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range rounds {
				unlock, err := l.Lock(ctx, "x.json", s.opts.Lease)
				if err != nil {
					t.Errorf("Lock = %v", err)
					return
				}
				if n := inside.Add(1); n != 1 {
					t.Errorf("%d holders of one lock at once", n)
				}
				entered.Add(1)
				// Yielding and a store round trip while holding give the
				// others their chance to get in if the lock lets them.
				for range 100 {
					runtime.Gosched()
				}
				if err := l.Save(ctx, "x.json", []byte(`1`), 0); err != nil {
					t.Errorf("Save under the lock = %v", err)
				}
				inside.Add(-1)
				unlock()
			}
		})
	}
	wg.Wait()
	if n := entered.Load(); n != workers*rounds {
		t.Errorf("%d turns taken; want %d", n, workers*rounds)
	}
}

func (s suite) lockIndependent(t *testing.T) {
	l := s.locker(t)
	unlockA := s.mustLock(t, l, "a.json")
	defer unlockA()
	// Names that a store might confuse with a.json's lock.
	for _, name := range []string{"b.json", "a.json/x", "a", "dir/a.json"} {
		unlock := s.mustLock(t, l, name)
		unlock()
	}
	if !s.held(t, l, "a.json") {
		t.Error("a.json's lock was released by locking other names")
	}
}

func (s suite) unlockTwice(t *testing.T) {
	l := s.locker(t)
	first := s.mustLock(t, l, "u.json")
	first()
	first()
	second := s.mustLock(t, l, "u.json")
	defer second()
	// The first holder's release, called again after another took the
	// lock, must not release it.
	first()
	if !s.held(t, l, "u.json") {
		t.Error("a stale unlock released the next holder's lock")
	}
	second()
	if s.held(t, l, "u.json") {
		t.Error("the lock is still held after its holder's unlock")
	}
}

// lockExpired lets the first holder's lease run out (as when it stops
// renewing): another takes the lock, and the first holder's unlock must not
// release the lock it no longer owns.
func (s suite) lockExpired(t *testing.T) {
	if s.opts.ExpireLock == nil {
		t.Skip("Options.ExpireLock is nil: cannot make a lease run out")
	}
	l := s.locker(t)
	ctx := s.ctx(t)
	first := s.mustLock(t, l, "e.json")
	defer first()
	if err := s.opts.ExpireLock(ctx, l, "e.json"); err != nil {
		t.Fatalf("ExpireLock = %v", err)
	}
	second := s.mustLock(t, l, "e.json")
	defer second()
	first()
	if !s.held(t, l, "e.json") {
		t.Error("the expired holder's unlock released the new holder's lock")
	}
	second()
	if s.held(t, l, "e.json") {
		t.Error("the lock is still held after the new holder's unlock")
	}
}

func (s suite) lockCancelled(t *testing.T) {
	l := s.locker(t)
	unlock := s.mustLock(t, l, "c.json")
	defer unlock()
	done, cancel := context.WithCancel(t.Context())
	cancel()
	if u, err := l.Lock(done, "c.json", s.opts.Lease); !errors.Is(err, context.Canceled) {
		if u != nil {
			u()
		}
		t.Errorf("Lock(cancelled) of a held lock = %v; want context.Canceled", err)
	}
	if u, err := l.Lock(done, "free.json", s.opts.Lease); err == nil {
		u()
		t.Error("Lock(cancelled) of a free lock = nil error; want the context's")
	}
	// Waiting ends with the context.
	if !s.held(t, l, "c.json") {
		t.Error("c.json's lock is free while held")
	}
}
