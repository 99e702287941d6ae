package cachetta

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// tempSuffix ends the name of every temporary file the cache writes, so that
// Prune can tell its own leftovers from other files.
const tempSuffix = ".cachetta-tmp"

// Write stores value in the file that args resolve to (see PathFor),
// atomically: it encodes first, writes a temporary file in the same directory
// and renames it over the target, creating missing directories. A failed
// Write leaves the previous file intact and no temporary file behind. With
// writing off it does nothing.
func (c *Cachetta[T]) Write(ctx context.Context, value T, args ...any) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	path, err := c.PathFor(args...)
	if err != nil {
		return err
	}
	return c.write(ctx, path, value, nil)
}

// writeGuard lets a computation write only when no Invalidate of its path came
// after it began: in this family, as told by ps, or in any process, as told
// by the generation stamp of the run lock (see lock.go).
type writeGuard struct {
	ps  *pathState
	gen uint64    // ps.invalidations when the computation began
	run *lockFile // the run lock of the computation, nil without one
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
	gen, err := readGeneration(g.run.f)
	if err != nil {
		return false, &fs.PathError{Op: "read", Path: g.run.path, Err: err}
	}
	return gen != g.run.gen, nil
}

// write stores value at path. With a guard it writes nothing, and returns
// nil, when the guard no longer holds.
func (c *Cachetta[T]) write(ctx context.Context, path string, value T, guard *writeGuard) error {
	if !c.cfg.write {
		c.debug(ctx, "write skipped: writing disabled", path)
		return nil
	}
	data, err := c.cfg.codec.Marshal(value)
	if err != nil {
		return fmt.Errorf("cachetta: write %s: encode: %w", path, err)
	}
	// A directory removed by someone else between the creation of the
	// temporary file and the rename makes a round fail; the next one creates
	// the directory again.
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := c.writeOnce(ctx, path, data, guard)
		switch {
		case err == nil:
			c.debug(ctx, "cache write", path)
			return nil
		case errors.Is(err, errInvalidated):
			c.debug(ctx, "write skipped: invalidated while computing", path)
			return nil
		case attempt < maxWriteAttempts && errors.Is(err, fs.ErrNotExist):
			continue
		}
		return fmt.Errorf("cachetta: write %s: %w", path, err)
	}
}

// maxWriteAttempts bounds the rounds of a write whose directory keeps
// vanishing. A round is a few system calls, and a remover running flat out
// on another core was seen to win 200 rounds in a row under the race
// detector; only a directory that cannot stay exhausts the bound.
const maxWriteAttempts = 1000

// writeOnce writes data to a temporary file and commits it to path.
func (c *Cachetta[T]) writeOnce(ctx context.Context, path string, data []byte, guard *writeGuard) error {
	tmp, _, err := c.writeTemp(path, data, false)
	if err != nil {
		return err
	}
	return c.commit(ctx, path, tmp, guard)
}

// errInvalidated reports a guarded write dropped because of an Invalidate.
var errInvalidated = errors.New("invalidated")

// commit renames tmp over path and clears path from every memory of the
// family, as one step with respect to other writes and invalidations of path,
// in this process under the path's state and in others under the directory's
// lock. It removes tmp when it fails.
//
// Memory is filled by the next read of the file, never with the value
// written: a value that does not survive its encoding (an int in a
// map[string]any, a field tagged "-") must come back from memory exactly as
// it comes back from the file.
func (c *Cachetta[T]) commit(ctx context.Context, path, tmp string, guard *writeGuard) error {
	dl, err := c.lockDir(ctx, c.fsTarget(dirLockPath(path), false))
	if err != nil {
		c.fsys.remove(tmp)
		return err
	}
	defer c.unlock(dl)
	ps := c.shared.acquire(path)
	defer c.shared.release(path, ps)
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if guard != nil {
		invalidated, err := guard.invalidated(ps)
		if err != nil || invalidated {
			c.fsys.remove(tmp)
			return cmp.Or(err, errInvalidated)
		}
	}
	if err := c.fsys.rename(tmp, path); err != nil {
		c.fsys.remove(tmp)
		return err
	}
	ps.changes.Add(1)
	// Read under the lock, so a memory a copy made during the write is
	// cleared too.
	c.shared.forget(path)
	return nil
}

// writeTemp writes data to a new temporary file beside path and returns its
// name and, when withModTime is set, its modification time. It creates the
// directory when it is missing.
func (c *Cachetta[T]) writeTemp(path string, data []byte, withModTime bool) (string, time.Time, error) {
	f, err := c.createTemp(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := c.fsys.mkdirAll(filepath.Dir(path), c.cfg.dirMode); err != nil {
			return "", time.Time{}, err
		}
		f, err = c.createTemp(path)
	}
	if err != nil {
		return "", time.Time{}, err
	}
	modTime, err := fill(f, data, withModTime)
	if err != nil {
		c.fsys.remove(f.Name())
		return "", time.Time{}, err
	}
	return f.Name(), modTime, nil
}

// fill writes data to f and closes it, returning its modification time when
// withModTime is set. f is closed whatever happens.
func fill(f *os.File, data []byte, withModTime bool) (modTime time.Time, err error) {
	if _, err := f.Write(data); err != nil {
		f.Close()
		return time.Time{}, err
	}
	if withModTime {
		info, err := f.Stat()
		if err != nil {
			f.Close()
			return time.Time{}, err
		}
		modTime = info.ModTime()
	}
	return modTime, f.Close()
}

// createTemp creates a file named .<base>.<random>.cachetta-tmp beside path,
// exclusively, so that no two writers share one.
func (c *Cachetta[T]) createTemp(path string) (*os.File, error) {
	dir, base := filepath.Split(path)
	for range 10 {
		name := dir + "." + base + "." + strconv.FormatUint(rand.Uint64(), 36) + tempSuffix
		f, err := c.fsys.openFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, c.cfg.fileMode)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, errors.New("no free temporary file name")
}

// isTempName reports whether a file name is one createTemp makes:
// .<base>.<base-36 random>.cachetta-tmp.
func isTempName(name string) bool {
	rest, ok := strings.CutSuffix(name, tempSuffix)
	if !ok || !strings.HasPrefix(rest, ".") {
		return false
	}
	i := strings.LastIndexByte(rest, '.')
	random := rest[i+1:]
	if i < 1 || random == "" {
		return false
	}
	for _, r := range random {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'z') {
			return false
		}
	}
	return true
}

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
	// os.Remove would delete an empty directory standing where the file
	// should be.
	if info, err := c.fsys.lstat(path); err == nil && info.IsDir() {
		return fmt.Errorf("cachetta: invalidate %s: %w", path, errNotRegular)
	}
	// Without a directory there is no file to remove and no run lock whose
	// stamp to change.
	dl, err := c.lockDir(ctx, c.fsTarget(dirLockPath(path), false))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cachetta: invalidate %s: %w", path, err)
	}
	ps := c.shared.acquire(path)
	defer c.shared.release(path, ps)
	ps.mu.Lock()
	err = c.fsys.remove(path)
	var stampErr error
	if dl != nil {
		stampErr = c.bumpGeneration(runLockPath(path))
	}
	invalidations := ps.invalidations.Add(1)
	ps.changes.Add(1)
	c.shared.forget(path)
	ps.mu.Unlock()
	c.unlock(dl)
	if c.cfg.processLock {
		c.handOver(runLockPath(path), invalidations)
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cachetta: invalidate: %w", err)
	}
	if stampErr != nil {
		return fmt.Errorf("cachetta: invalidate %s: %w", path, stampErr)
	}
	c.debug(ctx, "cache invalidated", path)
	return nil
}
