package cachetta

import (
	"context"
	"errors"
	"sync/atomic"
)

// Stats are the counters of a cache and all its copies (Join, With), since
// New. Each counts from zero and only grows. A call of Read, ReadStale or a
// wrapped function counts one of MemoryHits, DiskHits, StaleHits and
// Misses, unless it returns an error without an answer (bad arguments, a done
// context, a failed read of Read); what happens after a miss shows in Runs,
// Joins and Writes, and a call that Refresh.StaleIfError answers after its run
// failed counts a StaleHit after its Miss. A run looks at the disk once more before it calls its
// function, in case another process wrote the entry meanwhile: that look
// counts its bytes, and a disk or memory hit when it finds the entry fresh,
// in which case the function is not called and Runs does not grow.
type Stats struct {
	// MemoryHits counts entries answered from memory (WithLRU) without a look
	// at the disk: fresh hits of Read, ReadStale and wrapped functions.
	MemoryHits uint64
	// DiskHits counts fresh entries read and decoded from their files. The
	// disk read that fills memory is a disk hit; the memory hits after it
	// are not, nor are those after a write, which fills memory too.
	DiskHits uint64
	// StaleHits counts entries answered past their duration: by a wrapped
	// function inside the stale-while-revalidate window while it refreshes, by
	// ReadStale, and by Refresh.StaleIfError after a failed run. Read never
	// answers one: a Read that finds a stale entry is a miss.
	StaleHits uint64
	// Misses counts calls that found no entry they may answer with: none on
	// disk, an expired, corrupt or too large one, one that changed while
	// it was read, reading off, and every
	// call that Bypass or ForceRefresh sends past the cache. A wrapped
	// function whose read fails with an I/O error runs it, so that is a miss
	// too.
	Misses uint64
	// Runs counts executions of wrapped functions, background refreshes
	// included: each time one is called, whatever it returns.
	Runs uint64
	// Joins counts callers of wrapped functions that waited for a run
	// another caller started, a background refresh among them, instead of
	// starting one.
	Joins uint64
	// Refreshes counts background refreshes, for Refresh.StaleWhileRevalidate or
	// Refresh.Early, that ended with a value.
	Refreshes uint64
	// RefreshFailures counts background refreshes that ended with an error,
	// a panic or a runtime.Goexit, or past Refresh.Timeout. A refresh
	// skipped because another process holds the entry's run lock, and so
	// is refreshing it, counts in neither.
	RefreshFailures uint64
	// Writes counts entries written: by Write and by wrapped functions.
	// Writes skipped (writing off, Bypass, a condition that rejects the
	// result, an Invalidate during the run) count nowhere.
	Writes uint64
	// WriteFailures counts writes that returned an error: the value did
	// not encode, the file system refused, or the context ended.
	WriteFailures uint64
	// Invalidations counts calls of Invalidate that succeeded, whether or
	// not a file was there.
	Invalidations uint64
	// CorruptFiles counts files read in full that did not decode, and large
	// files whose first bytes cannot begin JSON. Each is also a miss.
	CorruptFiles uint64
	// Evictions counts entries that memory dropped to make room for another.
	// Entries cleared by writes, invalidations and Clear are not evictions.
	Evictions uint64
	// BytesRead counts the bytes of entry files read in full, whether they
	// decoded or not.
	BytesRead uint64
	// BytesWritten counts the bytes of the entries Writes counts.
	BytesWritten uint64
}

// counters are the counts of a family that are not kept by its memories.
// They change on paths that read or write files, run functions or wait for
// runs, which cost far more than an atomic add on a shared cache line; memory
// hits, which cost about as much as one, are counted in the part of memory
// that holds their entry instead (see lruCache.hits).
type counters struct {
	diskHits, staleHits, misses                 atomic.Uint64
	runs, joins, refreshes, refreshFailures     atomic.Uint64
	writes, writeFailures, invalidations        atomic.Uint64
	corruptFiles, evictions, bytesRead, written atomic.Uint64
}

// Stats returns the counters of c and of every copy of it. Each counter is
// read atomically, and they are read one after another: while calls run, a
// counter read later may count an operation that one read earlier does not.
func (c *Cachetta[T]) Stats() Stats {
	s := &c.shared.stats
	st := Stats{
		DiskHits:        s.diskHits.Load(),
		StaleHits:       s.staleHits.Load(),
		Misses:          s.misses.Load(),
		Runs:            s.runs.Load(),
		Joins:           s.joins.Load(),
		Refreshes:       s.refreshes.Load(),
		RefreshFailures: s.refreshFailures.Load(),
		Writes:          s.writes.Load(),
		WriteFailures:   s.writeFailures.Load(),
		Invalidations:   s.invalidations.Load(),
		CorruptFiles:    s.corruptFiles.Load(),
		Evictions:       s.evictions.Load(),
		BytesRead:       s.bytesRead.Load(),
		BytesWritten:    s.written.Load(),
	}
	for _, m := range c.shared.allMemories() {
		st.MemoryHits += m.hits()
	}
	return st
}

// memoryRefused refuses the entry that a get of memory found, when found,
// and returns false, the answer of a lookup that does not take it. A hit is
// counted where memory found it, in the part of memory that the hit has
// just read; the few entries found and not taken (too old for the caller,
// or changed on disk) are refused afterwards, on calls that go on to the
// disk.
func (c *Cachetta[T]) memoryRefused(found bool) bool {
	if found {
		c.memory.refused.Add(1)
	}
	return false
}

// memoryHitEmitted reports the memory hit on path to the hook, if any.
func (c *Cachetta[T]) memoryHitEmitted(path string) {
	if c.cfg.events != nil {
		c.cfg.events(Event{Kind: EventMemoryHit, Path: path})
	}
}

// readCounted counts what a Read or ReadStale that accepts entries as fresh
// as worst found at path, when the lookup of a call ended with f and err.
// Fresh entries were counted where they were found.
func (c *Cachetta[T]) readCounted(path string, f, worst freshness, err error) {
	switch {
	case err != nil:
	case f == missing || f > worst:
		c.missCounted(path)
	case f == stale:
		c.staleHitCounted(path)
	}
}

// callCounted is readCounted for the lookup of a call of a wrapped
// function, which runs the function on any error but a done ctx and a path
// outside the root.
func (c *Cachetta[T]) callCounted(ctx context.Context, path string, f freshness, err error) {
	switch {
	case err != nil && (ctx.Err() != nil || errors.Is(err, ErrOutsideRoot)):
	case err != nil || f == missing:
		c.missCounted(path)
	case f == stale:
		c.staleHitCounted(path)
	}
}

func (c *Cachetta[T]) missCounted(path string) {
	c.shared.stats.misses.Add(1)
	c.emit(Event{Kind: EventMiss, Path: path})
}

func (c *Cachetta[T]) staleHitCounted(path string) {
	c.shared.stats.staleHits.Add(1)
	c.emit(Event{Kind: EventStaleHit, Path: path})
}
