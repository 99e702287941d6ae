package flight

import "sync"

// Tracker counts goroutines that run work, as a sync.WaitGroup does, except
// that it may gain work while Wait is waiting, which a cache serving traffic
// needs: Wait returns at a moment when no work runs. The zero value is ready
// to use.
type Tracker struct {
	mu      sync.Mutex    // guards running and idle
	running int           // goroutines started by Go that have not returned
	idle    chan struct{} // closed when running drops to zero
}

// Go runs f in a new goroutine that Wait waits for.
func (t *Tracker) Go(f func()) {
	t.add()
	go func() {
		defer t.done()
		f()
	}()
}

func (t *Tracker) add() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.running == 0 {
		t.idle = make(chan struct{})
	}
	t.running++
}

func (t *Tracker) done() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.running--
	if t.running == 0 {
		close(t.idle)
	}
}

// Wait blocks until no goroutine started by Go runs.
func (t *Tracker) Wait() {
	t.mu.Lock()
	if t.running == 0 {
		t.mu.Unlock()
		return
	}
	idle := t.idle
	t.mu.Unlock()
	<-idle
}
