package cachetta

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// A memory hit needs none of a path's making: the key, its hash and the
// joining of names are only needed to read or write a file. A copy with
// memory therefore remembers what its plain arguments resolve to, and a call
// that finds its path there and its entry fresh in memory returns without
// making one.

// knownPaths maps plain arguments to the files they resolve to, for the
// calls of one copy (New, Join, With) without a path function, which may not
// be a pure function of its argument. It holds about max arguments: one
// that would pass the bound empties it, and the paths come back as the
// calls that need them make them again. The zero value is not usable.
type knownPaths struct {
	max  int64
	n    atomic.Int64 // how many arguments m holds, about
	args sync.Map     // a plain argument -> its path, a string
}

// plainArg reports whether a's key is a pure function of a value that ==
// compares, so that a can be looked up in a map: a string, a bool or an
// integer of a predeclared type. Floats are not (0.0 == -0.0 keys apart),
// nor named types (they may have a MarshalJSON).
func plainArg(a any) bool {
	switch a.(type) {
	case string, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, uintptr:
		return true
	}
	return false
}

// get returns the path of the plain argument a, when it is known.
func (k *knownPaths) get(a any) (string, bool) {
	p, ok := k.args.Load(a)
	if !ok {
		return "", false
	}
	return p.(string), true
}

// put remembers that the plain argument a resolves to path.
func (k *knownPaths) put(a any, path string) {
	if _, loaded := k.args.LoadOrStore(a, path); loaded {
		return
	}
	if k.n.Add(1) > k.max {
		k.args.Clear()
		k.n.Store(0)
	}
}

// pathOf is PathFor, remembering the path of a plain argument for the next
// call.
func (c *Cachetta[T]) pathOf(args []any) (string, error) {
	path, err := c.PathFor(args...)
	if err == nil && c.known != nil && len(args) == 1 && plainArg(args[0]) {
		c.known.put(args[0], path)
	}
	return path, err
}

// knownPath returns the path of args when the copy knows it without making
// it: no arguments, or one plain argument seen before.
func (c *Cachetta[T]) knownPath(args []any) (string, bool) {
	switch {
	case len(args) == 0:
		return c.unkeyed, c.unkeyed != ""
	case len(args) == 1 && c.known != nil && plainArg(args[0]):
		return c.known.get(args[0])
	}
	return "", false
}

// memoryHit returns the entry memory holds for path when a call with ctx
// may take it from there without a look at the disk: reading is on, ctx
// carries no override but MaxAge, and the entry is fresh by the cache's
// duration, cut by MaxAge. Anything else is for the full lookup, which logs
// why it misses.
func (c *Cachetta[T]) memoryHit(ctx context.Context, path string) (*entry[T], bool) {
	if c.memory == nil || !c.cfg.read {
		return nil, false
	}
	d := c.cfg.duration
	if o := overridesOf(ctx); o != nil {
		if o.force || o.bypass || !o.bounded {
			return nil, false
		}
		d = min(d, o.maxAge)
	}
	return c.remembered(ctx, path, d)
}

// remembered returns the entry memory holds for path when it is younger
// than d and, with WithFileCheck, its file has not changed since it was
// read.
func (c *Cachetta[T]) remembered(ctx context.Context, path string, d time.Duration) (*entry[T], bool) {
	e, s, ok := c.memory.get(path)
	if !ok || !e.youngerThan(d) {
		return nil, c.memoryRefused(s, ok)
	}
	if c.cfg.memoryCheck && !c.unchanged(ctx, path, e) {
		return nil, c.memoryRefused(s, true)
	}
	c.memoryHitEmitted(path)
	return e, true
}

// unchanged reports whether the entry at path is still the one e was read
// from: the same file by os.SameFile, or the same store version, with the
// same modification time and size.
func (c *Cachetta[T]) unchanged(ctx context.Context, path string, e *entry[T]) bool {
	m, err := c.storage.Stat(ctx, path)
	return err == nil && e.meta.Same(m)
}

// preparePaths sets what a copy knows of its paths before any call: the
// path of a call without arguments, when it is confined, and an empty map
// of plain arguments. A copy without memory or with a path function has
// neither.
func (c *Cachetta[T]) preparePaths() {
	c.unkeyed, c.known = "", nil
	if c.memory == nil || c.cfg.pathFunc != nil {
		return
	}
	if path, err := c.confine(c.path); err == nil {
		c.unkeyed = path
	}
	c.known = &knownPaths{max: int64(c.cfg.lruSize)}
}
