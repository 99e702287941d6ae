package cachetta

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/cachetta-go/cachetta/internal/storage"
)

// Write stores value in the file that args resolve to (see PathFor),
// atomically: it encodes first, writes a temporary file in the same directory
// and renames it over the target, creating missing directories. A failed
// Write leaves the previous file intact and no temporary file behind. With
// writing off, or with Bypass in ctx, it does nothing.
func (c *Cachetta[T]) Write(ctx context.Context, value T, args ...any) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	path, err := c.PathFor(args...)
	if err != nil {
		return err
	}
	if o := overridesOf(ctx); o != nil && o.bypass {
		c.debug(ctx, "write skipped: bypassed", path)
		return nil
	}
	return c.write(ctx, path, value, nil)
}

// writeGuard lets a computation write only when no Invalidate of its path came
// after it began: in this family, as told by ps, or in any process, as told
// by its run lock (on disk, the entry's generation counter).
type writeGuard struct {
	ps  *pathState
	gen uint64          // ps.invalidations when the computation began
	run storage.RunLock // the run lock of the computation, nil without one
}

// invalidated reports whether an Invalidate of the guarded path came after
// the computation began. ps is the path's state now.
func (g *writeGuard) invalidated(ps *pathState) (bool, error) {
	if g.ps != ps || ps.invalidations.Load() != g.gen {
		return true, nil
	}
	if g.run == nil {
		return false, nil
	}
	return g.run.Invalidated()
}

// write stores value at path. With a guard it writes nothing, and returns
// nil, when the guard no longer holds.
func (c *Cachetta[T]) write(ctx context.Context, path string, value T, guard *writeGuard) error {
	if !c.cfg.write {
		c.debug(ctx, "write skipped: writing disabled", path)
		return nil
	}
	// The clock is read only for a hook, the one reader of a write's
	// duration (see elapsed).
	var began time.Time
	if c.cfg.events != nil {
		began = time.Now()
	}
	data, err := c.cfg.codec.Marshal(value)
	if err != nil {
		return c.writeFailed(path, began, fmt.Errorf("cachetta: write %s: encode: %w", path, err))
	}
	// The path's state is held to the end, so that the count of changes the
	// commit leaves in mem is compared with the count that later writes and
	// invalidations bump, not with that of a state made after a release.
	var mem *committed
	if c.fillsMemory(len(data)) {
		ps := c.shared.acquire(path)
		defer c.shared.release(path, ps)
		mem = &committed{ps: ps}
	}
	m, err := c.storage.Save(ctx, path, data, c.commitWrite(path, guard, mem), mem != nil)
	switch {
	case err == nil:
		c.debug(ctx, "cache write", path)
		c.shared.written(path)
		c.rememberWritten(path, data, mem, m)
		c.wroteCounted(path, began, len(data))
		return nil
	case errors.Is(err, errInvalidated):
		c.debug(ctx, "write skipped: invalidated while computing", path)
		return nil
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return c.writeFailed(path, began, err)
	}
	return c.writeFailed(path, began, fmt.Errorf("cachetta: write %s: %w", path, err))
}

// commitWrite returns the policy's part of the replacement of the entry at
// path: as one step with respect to other writes and invalidations of path,
// in this process under the path's state (and, below the seam, in others
// under the directory's lock), it checks guard and, once the entry is
// replaced, clears path from every memory of the family. With mem, it
// leaves there the path's count of changes after the replacement, for the
// write to fill memory with once it has succeeded (see rememberWritten).
func (c *Cachetta[T]) commitWrite(path string, guard *writeGuard, mem *committed) storage.Commit {
	return func() (func(bool), error) {
		ps := c.shared.acquire(path)
		ps.mu.Lock()
		if guard != nil {
			invalidated, err := guard.invalidated(ps)
			if err != nil || invalidated {
				ps.mu.Unlock()
				c.shared.release(path, ps)
				return nil, cmp.Or(err, errInvalidated)
			}
		}
		return func(replaced bool) {
			if replaced {
				changes := ps.changes.Add(1)
				if mem != nil {
					mem.changes = changes
				}
				// Under the state, so a memory a copy made during the
				// write is cleared too.
				c.shared.forget(path)
			}
			ps.mu.Unlock()
			c.shared.release(path, ps)
		}, nil
	}
}

// committed is what a write that fills memory learns of the entry it
// commits: the count of changes of its path just after the replacement
// (see pathState), under the state ps, which the write holds.
type committed struct {
	ps      *pathState
	changes uint64
}

// fillsMemory reports whether a write of n bytes puts its value in memory:
// when the copy has a memory it reads from, and a read of the file would
// not refuse it as too large.
func (c *Cachetta[T]) fillsMemory(n int) bool {
	return c.memory != nil && c.cfg.read && int64(n) <= c.cfg.maxFileSize
}

// rememberWritten puts in memory the value that data, just committed to
// path as m describes it, encodes, as a read of the entry would, unless the
// family wrote or invalidated path since the commit (see remember). It
// decodes data rather than keep the value written: a value that does not
// survive its encoding (an int in a map[string]any, a field tagged "-")
// must come back from memory exactly as it comes back from the file. An
// entry without an identity (a store's Save tells none) is left to the
// next read.
func (c *Cachetta[T]) rememberWritten(path string, data []byte, mem *committed, m storage.Meta) {
	if mem == nil || !m.Known() {
		return
	}
	var v T
	// Data the codec cannot decode is found corrupt, and logged, by the next
	// read of the file.
	if err := c.cfg.codec.Unmarshal(data, &v); err != nil {
		return
	}
	e := newEntry(v, m.ModTime, time.Now())
	e.meta = m
	c.remember(mem.ps, mem.changes, path, e, nil)
}

// errInvalidated reports a guarded write dropped because of an Invalidate.
var errInvalidated = errors.New("invalidated")

// Invalidate removes the entry that args resolve to (see PathFor) from disk
// and memory. A missing file is not an error. A wrapped computation of the
// same path that is running, in this process or, with WithProcessLock, in
// any other, does not write its result.
func (c *Cachetta[T]) Invalidate(ctx context.Context, args ...any) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	path, err := c.PathFor(args...)
	if err != nil {
		return err
	}
	var invalidations uint64
	err = c.storage.Remove(ctx, path, func() (func(bool), error) {
		ps := c.shared.acquire(path)
		ps.mu.Lock()
		return func(bool) {
			invalidations = ps.invalidations.Add(1)
			ps.changes.Add(1)
			c.shared.forget(path)
			c.shared.invalidated(path)
			ps.mu.Unlock()
			c.shared.release(path, ps)
		}, nil
	})
	if invalidations > 0 && c.cfg.processLock {
		c.shared.handOver(path, invalidations)
	}
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return ctxErr
		}
		// Errors of the file system name the file; a store's need not.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return fmt.Errorf("cachetta: invalidate: %w", err)
		}
		return fmt.Errorf("cachetta: invalidate %s: %w", path, err)
	}
	c.debug(ctx, "cache invalidated", path)
	c.invalidationCounted(path)
	return nil
}
