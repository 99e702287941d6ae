package cachetta

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/cachetta-go/cachetta/internal/flight"
	"github.com/cachetta-go/cachetta/internal/storage"
)

// EventKind tells what an Event reports. Each kind is counted by the field
// of Stats of the same name in the plural; EventRun as Runs, though Runs
// counts a run when it starts. A counter may count an operation a moment
// before its event is emitted: the events of a read wait until the read has
// let go of its locks.
type EventKind uint8

// The kinds of events. See the fields of Stats for what each counts.
const (
	EventMemoryHit      EventKind = iota + 1 // an entry answered from memory
	EventDiskHit                             // a fresh entry read from its file; Duration is the read's
	EventStaleHit                            // an entry answered past its duration
	EventMiss                                // a call that found no entry it may answer with
	EventRun                                 // a wrapped function returned; Duration is its run's, Err its error
	EventJoin                                // a caller waits for a run another started
	EventRefresh                             // a background refresh ended with a value; Duration is the refresh's
	EventRefreshFailure                      // a background refresh failed; Duration is the refresh's, Err why
	EventWrite                               // an entry was written; Duration is the write's
	EventWriteFailure                        // a write failed; Duration is the write's, Err why
	EventInvalidation                        // Invalidate succeeded
	EventCorruptFile                         // a file did not decode; Duration is the read's, Err why
	EventEviction                            // memory dropped the entry at Path to make room
)

var eventKindNames = [...]string{
	EventMemoryHit:      "memory hit",
	EventDiskHit:        "disk hit",
	EventStaleHit:       "stale hit",
	EventMiss:           "miss",
	EventRun:            "run",
	EventJoin:           "join",
	EventRefresh:        "refresh",
	EventRefreshFailure: "refresh failure",
	EventWrite:          "write",
	EventWriteFailure:   "write failure",
	EventInvalidation:   "invalidation",
	EventCorruptFile:    "corrupt file",
	EventEviction:       "eviction",
}

// String returns the kind in lower-case words, such as "memory hit", or
// "EventKind(N)" for a value that is no kind.
func (k EventKind) String() string {
	if int(k) < len(eventKindNames) && eventKindNames[k] != "" {
		return eventKindNames[k]
	}
	return "EventKind(" + strconv.Itoa(int(k)) + ")"
}

// Event is what a hook set by WithEvents receives: one operation of a
// cache.
type Event struct {
	Kind EventKind
	// Path is the file of the entry.
	Path string
	// Duration is how long the operation took, for the kinds whose
	// documentation names it (reads, runs, refreshes, writes); zero for the
	// others.
	Duration time.Duration
	// Err is the error of a failure and of a run that returned one; nil for
	// the others.
	Err error
}

// emit calls the hook, if any, with e.
func (c *Cachetta[T]) emit(e Event) {
	if c.cfg.events != nil {
		c.cfg.events(e)
	}
}

// emitLater emits e now when later is nil, and otherwise appends it to
// later, for a caller that others wait for to emit once they no longer do:
// a hook that reads the same path would otherwise wait for itself.
func (c *Cachetta[T]) emitLater(later *[]Event, e Event) {
	switch {
	case c.cfg.events == nil:
	case later != nil:
		*later = append(*later, e)
	default:
		c.cfg.events(e)
	}
}

// elapsed returns the time since began for an event's Duration, reading the
// clock only when there is a hook to give it to.
func (c *Cachetta[T]) elapsed(began time.Time) time.Duration {
	if c.cfg.events == nil {
		return 0
	}
	return time.Since(began)
}

// diskHitCounted counts the fresh entry read from path in a read that began
// at began. Its event goes to later (see emitLater).
func (c *Cachetta[T]) diskHitCounted(path string, began time.Time, later *[]Event) {
	c.shared.stats.diskHits.Add(1)
	c.emitLater(later, Event{Kind: EventDiskHit, Path: path, Duration: c.elapsed(began)})
}

// corruptCounted logs and counts the file at path, read from began, that
// failed to decode with err, which makes the read a miss. Its event goes to
// later (see emitLater).
func (c *Cachetta[T]) corruptCounted(ctx context.Context, path string, began time.Time, err error, later *[]Event) {
	c.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "cache miss: corrupt file",
		slog.String("path", path), slog.Any("err", err))
	c.shared.stats.corruptFiles.Add(1)
	c.emitLater(later, Event{Kind: EventCorruptFile, Path: path, Duration: c.elapsed(began), Err: err})
}

// evictedCounted counts an eviction, of the entry at victim, when there was
// one. Callers hold no lock: memory reports the victim once it let go. Its
// event goes to later (see emitLater).
func (c *Cachetta[T]) evictedCounted(victim string, evicted bool, later *[]Event) {
	if !evicted {
		return
	}
	c.shared.stats.evictions.Add(1)
	c.emitLater(later, Event{Kind: EventEviction, Path: victim})
}

// invoked calls the wrapped function with args for path and counts the run.
func (w *wrapper[T]) invoked(ctx context.Context, path string, args []any) (T, error) {
	c := w.c
	c.shared.stats.runs.Add(1)
	var began time.Time
	if c.cfg.events != nil {
		began = time.Now()
	}
	v, err := w.fn(ctx, args)
	c.emit(Event{Kind: EventRun, Path: path, Duration: c.elapsed(began), Err: err})
	return v, err
}

// joinCounted counts a caller that waits for a run of path it did not start.
func (c *Cachetta[T]) joinCounted(path string) {
	c.shared.stats.joins.Add(1)
	c.emit(Event{Kind: EventJoin, Path: path})
}

// refreshCounted counts how a background refresh of path, begun at began,
// ended. One that found the run lock held elsewhere ran nothing.
func (c *Cachetta[T]) refreshCounted(path string, began time.Time, r *flight.Run[T]) {
	switch {
	case errors.Is(r.Err, storage.ErrBusy):
	case r.Err != nil || r.Panic != nil:
		err := r.Err
		if r.Panic != nil {
			err = fmt.Errorf("cachetta: refresh %s: panic: %v", path, r.Panic.Value)
		}
		c.shared.stats.refreshFailures.Add(1)
		c.emit(Event{Kind: EventRefreshFailure, Path: path, Duration: c.elapsed(began), Err: err})
	default:
		c.shared.stats.refreshes.Add(1)
		c.emit(Event{Kind: EventRefresh, Path: path, Duration: c.elapsed(began)})
	}
}

// wroteCounted counts the n bytes written to path by a write begun at began.
func (c *Cachetta[T]) wroteCounted(path string, began time.Time, n int) {
	c.shared.stats.writes.Add(1)
	c.shared.stats.written.Add(uint64(n))
	c.emit(Event{Kind: EventWrite, Path: path, Duration: c.elapsed(began)})
}

// writeFailed counts the failure err of a write of path begun at began, and
// returns err.
func (c *Cachetta[T]) writeFailed(path string, began time.Time, err error) error {
	c.shared.stats.writeFailures.Add(1)
	c.emit(Event{Kind: EventWriteFailure, Path: path, Duration: c.elapsed(began), Err: err})
	return err
}

// invalidationCounted counts an Invalidate of path that succeeded.
func (c *Cachetta[T]) invalidationCounted(path string) {
	c.shared.stats.invalidations.Add(1)
	c.emit(Event{Kind: EventInvalidation, Path: path})
}
