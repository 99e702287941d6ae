// Package fswatch tells a goroutine that a file of a directory changed, so
// that a process waiting for another's result wakes when the result's file
// is written instead of at its next poll.
//
// A Watcher signals on C when the file name in the directory is created,
// renamed into place, written and closed, or removed. It signals at most one
// pending change: a receiver that wakes looks at the file itself. Where the
// system offers no such notice (everywhere but Linux, for now) New returns
// ErrUnsupported and the caller polls.
package fswatch

import "errors"

// ErrUnsupported reports a system or file system without change notices.
var ErrUnsupported = errors.New("file change notices unsupported")

// A Watcher watches one name in one directory. Its goroutines, if any, end
// after Close, when Done is closed.
type Watcher struct {
	// C receives a value after a change of the watched name.
	C    <-chan struct{}
	w    *watcher
	done chan struct{}
}

// New watches the file name in the directory dir. Every Watcher returned
// must be closed.
func New(dir, name string) (*Watcher, error) {
	c := make(chan struct{}, 1)
	w, err := start(dir, name, c)
	if err != nil {
		return nil, err
	}
	return &Watcher{C: c, w: w, done: make(chan struct{})}, nil
}

// Close stops the watch. It returns at once, without waiting for the
// system to let go of the watch: on Linux the close of an inotify
// descriptor waits for a grace period of the kernel, 10 to 20 ms on a
// small machine, which a process that was woken by the watch and now holds
// the lock it waited for must not spend before it reads the result. A
// goroutine of the watch closes it and ends then, closing Done.
func (w *Watcher) Close() {
	go func() {
		defer close(w.done)
		w.w.close()
	}()
}

// Done is closed when the goroutines of a closed watch have ended.
func (w *Watcher) Done() <-chan struct{} {
	return w.done
}
