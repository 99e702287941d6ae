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

// A Watcher watches one name in one directory. Its goroutine, if any, ends
// in Close.
type Watcher struct {
	// C receives a value after a change of the watched name.
	C <-chan struct{}
	w *watcher
}

// New watches the file name in the directory dir. Every Watcher returned
// must be closed.
func New(dir, name string) (*Watcher, error) {
	c := make(chan struct{}, 1)
	w, err := start(dir, name, c)
	if err != nil {
		return nil, err
	}
	return &Watcher{C: c, w: w}, nil
}

// Close stops the watch and waits for its goroutine to end.
func (w *Watcher) Close() {
	w.w.close()
}
