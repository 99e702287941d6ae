package cachetta

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/cachetta-go/cachetta/internal/fswatch"
	"github.com/cachetta-go/cachetta/internal/lockfile"
)

const (
	// lockSuffix ends the name of every lock file this package ever made:
	// the directory's .cachetta-lock, and the per-entry
	// .<name>.cachetta-lock of earlier releases, which Prune removes.
	lockSuffix = ".cachetta-lock"
	// oldLockMaxAge is the age after which Prune removes a per-entry lock
	// file of an earlier release.
	oldLockMaxAge = time.Hour
	// firstPoll and maxPoll bound the pauses between two tries of a lock
	// that another process holds.
	firstPoll = time.Millisecond
	maxPoll   = 50 * time.Millisecond
	// changedPoll is the pause between tries, changedPolls times, after the
	// entry of a held run lock changed: its holder releases the lock right
	// after the write, in a fraction of a millisecond unless the machine
	// is loaded.
	changedPoll  = 200 * time.Microsecond
	changedPolls = 50
)

var (
	// errLockBusy reports a lock held elsewhere, to a caller that would not
	// wait. A background refresh ends with it, and the callers that joined
	// it run the function themselves.
	errLockBusy = lockfile.ErrBusy
	// errLockUnsupported reports a file system that refuses advisory locks.
	errLockUnsupported = lockfile.ErrUnsupported
	// errLockTimeout reports a lock still held elsewhere after the lock
	// timeout.
	errLockTimeout = errors.New("timed out waiting for the lock")
)

// isLockName reports whether a file name is one of a lock file.
func isLockName(name string) bool {
	return strings.HasPrefix(name, ".") && strings.HasSuffix(name, lockSuffix)
}

// procLock is what a family knows of its own hold on one lock. It lives in
// the pathState of the lock's key, guarded by its mu, so that the goroutines
// of a family wait for one another on freed instead of polling the file.
type procLock struct {
	held  *lockFile     // the family's hold, nil when it has none
	freed chan struct{} // closed when held is released; nil while nobody waits
}

// release unlocks the held range and wakes the family's waiters.
func (l *procLock) release() {
	l.held.file.Unlock(l.held.off)
	l.held = nil
	if l.freed != nil {
		close(l.freed)
		l.freed = nil
	}
}

// lockFile is one lock of a directory's lock file and, while procLock.held
// points to it, the family's hold on it.
type lockFile struct {
	key  string
	ps   *pathState     // of key, acquired until the lock is given up
	file *lockfile.File // nil until opened
	off  int64          // the locked byte
	// For the run lock of an entry: the invalidations of the entry in this
	// family when the run began, its generation counter, and the counter's
	// value when it took the lock.
	run   bool
	owner uint64
	slot  int
	gen   uint64
	// unlockStored releases the lock of a Locker instead, for a cache with
	// a store; file and ps are nil then.
	unlockStored func()
}

// lockTarget names one lock: a byte of the lock file of a directory.
type lockTarget struct {
	path string // the lock file, for errors and logs
	off  int64
	open func() (*lockfile.File, error)
	// watch is the entry whose writing ends the holder's run, for a run
	// lock: a waiter on another process wakes when it changes.
	watch string
}

// key is the name of the lock among the family's path states.
func (t lockTarget) key() string {
	return t.path + "#" + strconv.FormatInt(t.off, 16)
}

// fsTarget returns the byte off of the lock file of the directory dir on the
// cache's file system. With mkdir set, a missing directory is created.
func (c *Cachetta[T]) fsTarget(dir string, off int64, mkdir bool) lockTarget {
	path := filepath.Join(dir, lockfile.Name)
	open := func(flag int) (*os.File, error) {
		f, err := c.fsys.openFile(path, flag, c.cfg.fileMode)
		if mkdir && errors.Is(err, fs.ErrNotExist) {
			if err := c.fsys.mkdirAll(dir, c.cfg.dirMode); err != nil {
				return nil, err
			}
			f, err = c.fsys.openFile(path, flag, c.cfg.fileMode)
		}
		return f, err
	}
	return lockTarget{path: path, off: off, open: func() (*lockfile.File, error) {
		return lockfile.Open(absPath(path), open, func() (fs.FileInfo, error) { return c.fsys.lstat(path) })
	}}
}

// dirTarget returns the lock of the directory d, which is at dir, opened
// through the handle of a walk.
func (c *Cachetta[T]) dirTarget(d *os.Root, dir string) lockTarget {
	path := filepath.Join(dir, lockfile.Name)
	return lockTarget{path: path, off: lockfile.DirOffset, open: func() (*lockfile.File, error) {
		return lockfile.Open(absPath(path),
			func(flag int) (*os.File, error) { return d.OpenFile(lockfile.Name, flag, c.cfg.fileMode) },
			func() (fs.FileInfo, error) { return d.Lstat(lockfile.Name) })
	}}
}

// runTarget returns the run lock of the entry at path.
func (c *Cachetta[T]) runTarget(path string) lockTarget {
	t := c.fsTarget(filepath.Dir(path), lockfile.RunOffset(filepath.Base(path)), true)
	t.watch = path
	return t
}

// dirLock returns the lock of the directory of the entry at path.
func (c *Cachetta[T]) dirLock(path string) lockTarget {
	return c.fsTarget(filepath.Dir(path), lockfile.DirOffset, false)
}

// absPath returns path made absolute, the name of a lock file in the
// process-wide registry of internal/lockfile.
func absPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

// lock takes the lock t for this family. With wait unset it tries once and
// returns errLockBusy when the lock is held elsewhere; otherwise it tries
// again after pauses growing from firstPoll to maxPoll, or as soon as another
// goroutine of the family releases it, until ctx is done (ctx.Err()) or the
// lock timeout has passed (errLockTimeout). No goroutine is left blocked in
// the kernel. A run lock (run set) reads the entry's generation counter; one
// that timed out comes back unheld but open with the counter read, since its
// run goes on without the lock. Every lockFile returned must be passed to
// unlock.
func (c *Cachetta[T]) lock(ctx context.Context, t lockTarget, wait, run bool, owner uint64, slot int) (*lockFile, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	key := t.key()
	lf := &lockFile{key: key, ps: c.shared.acquire(key), off: t.off, run: run, owner: owner, slot: slot}
	var deadline time.Time
	var timer *time.Timer
	var watch *fswatch.Watcher
	var changed <-chan struct{} // watch.C, nil without a watch
	defer func() {
		if watch != nil {
			watch.Close()
		}
	}()
	pause := firstPoll
	quick := 0 // short pauses left after the entry changed
	for {
		freed, err := c.tryLock(lf, t)
		if err == nil && run {
			lf.gen, err = lf.file.Generation(slot)
		}
		switch {
		case err == nil:
			return lf, nil
		case !errors.Is(err, errLockBusy) || !wait:
			c.unlock(lf)
			return nil, err
		}
		now := time.Now()
		if deadline.IsZero() {
			deadline = now.Add(c.cfg.lockTimeout)
			c.debug(ctx, "waiting for a lock", t.path)
		}
		left := deadline.Sub(now)
		if left <= 0 {
			return c.timedOut(lf, t)
		}
		// Another process holds a run lock: its end is the writing of the
		// entry, which a watch of the file tells at once, where the poll
		// below would tell it up to maxPoll late. The poll stays, for a
		// holder that dies without writing.
		if watch == nil && t.watch != "" && freed == nil && !errors.Is(err, lockfile.ErrHeldHere) {
			if w, werr := fswatch.New(filepath.Dir(t.watch), filepath.Base(t.watch)); werr == nil {
				watch, changed = w, w.C
			}
			t.watch = "" // tried once
		}
		d := left
		switch {
		case freed != nil:
		case quick > 0:
			d, quick = min(changedPoll, left), quick-1
		default:
			d, pause = min(pause, left), min(2*pause, maxPoll)
		}
		if timer == nil {
			timer = time.NewTimer(d)
		} else {
			timer.Reset(d)
		}
		select {
		case <-freed:
		case <-timer.C:
		case <-changed:
			// The holder is about to release the lock it wrote under:
			// short pauses for a while, then the poll from the start.
			quick, pause = changedPolls, firstPoll
		case <-ctx.Done():
			timer.Stop()
			c.unlock(lf)
			return nil, ctx.Err()
		}
	}
}

// timedOut ends a wait for lf that reached the lock timeout. A run lock is
// returned open and unheld, with its generation counter, for a run that
// goes on without it.
func (c *Cachetta[T]) timedOut(lf *lockFile, t lockTarget) (*lockFile, error) {
	err := fmt.Errorf("lock %s: %w after %v", t.path, errLockTimeout, c.cfg.lockTimeout)
	if !lf.run {
		c.unlock(lf)
		return nil, err
	}
	var genErr error
	if lf.file == nil {
		lf.file, genErr = t.open()
	}
	if genErr == nil {
		lf.gen, genErr = lf.file.Generation(lf.slot)
	}
	if genErr != nil {
		// The run goes on as one whose lock failed.
		c.unlock(lf)
		return nil, fmt.Errorf("%w; %w", err, genErr)
	}
	return lf, err
}

// tryLock takes the lock for lf without waiting. When the lock is held
// elsewhere it returns errLockBusy and, when the holder is a goroutine of
// this family, a channel closed as it releases it.
func (c *Cachetta[T]) tryLock(lf *lockFile, t lockTarget) (freed <-chan struct{}, err error) {
	ps := lf.ps
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if l := &ps.lock; l.held != nil {
		if l.freed == nil {
			l.freed = make(chan struct{})
		}
		return l.freed, errLockBusy
	}
	if lf.file == nil {
		if lf.file, err = t.open(); err != nil {
			return nil, err
		}
	}
	if err := lf.file.TryLock(t.off); err != nil {
		return nil, err
	}
	ps.lock.held = lf
	return nil, nil
}

// unlock releases lf, if the family still holds the lock through it, and
// closes its lock file. A nil lf is a lock never taken.
func (c *Cachetta[T]) unlock(lf *lockFile) {
	if lf == nil {
		return
	}
	if lf.unlockStored != nil {
		lf.unlockStored()
		return
	}
	ps := lf.ps
	ps.mu.Lock()
	if ps.lock.held == lf {
		ps.lock.release()
	}
	ps.mu.Unlock()
	if lf.file != nil {
		lf.file.Close()
	}
	c.shared.release(lf.key, ps)
}

// handOver releases the run lock of the entry at path when this family
// holds it for a run that began before the Invalidate that made the entry's
// invalidation count invalidations. That run will not write, so a run that
// began after the Invalidate need not wait for it.
func (c *Cachetta[T]) handOver(path string, invalidations uint64) {
	key := c.runTarget(path).key()
	ps := c.shared.acquire(key)
	defer c.shared.release(key, ps)
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if held := ps.lock.held; held != nil && held.run && held.owner < invalidations {
		ps.lock.release()
	}
}

// lockRun takes the run lock of the entry at path for a run that began after
// owner invalidations of it in this family, waiting unless background is
// set. It returns nil, and logs why, when the run must go on without the
// lock; errLockBusy when a background refresh finds it held; and ctx's error.
func (c *Cachetta[T]) lockRun(ctx context.Context, path string, owner uint64, background bool) (*lockFile, error) {
	// A run that reads or writes nothing has nothing to share.
	if !c.cfg.processLock || !c.cfg.read || !c.cfg.write {
		return nil, nil
	}
	if c.cfg.store != nil {
		return c.lockStored(ctx, path)
	}
	lf, err := c.lock(ctx, c.runTarget(path), !background, true, owner, lockfile.GenSlot(filepath.Base(path)))
	switch {
	case err == nil:
		return lf, nil
	case errors.Is(err, errLockBusy) || ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return nil, err
	case errors.Is(err, errLockTimeout) && lf != nil:
		c.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "cache lock wait timed out, computing",
			slog.String("path", path), slog.Any("err", err))
		return lf, nil
	case errors.Is(err, errLockUnsupported), errors.Is(err, lockfile.ErrObstacle):
		c.lockUnsupported(ctx, path, err)
		return nil, nil
	}
	c.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "cache lock failed, computing",
		slog.String("path", path), slog.Any("err", err))
	return nil, nil
}

// lockDir takes the lock t of a directory, for the moment a file in it is
// replaced or removed. It returns nil when process locks are off or
// unsupported, or when the lock file is unusable, which it logs once.
func (c *Cachetta[T]) lockDir(ctx context.Context, t lockTarget) (*lockFile, error) {
	if !c.cfg.processLock {
		return nil, nil
	}
	lf, err := c.lock(ctx, t, true, false, 0, 0)
	if errors.Is(err, errLockUnsupported) || errors.Is(err, lockfile.ErrObstacle) {
		c.lockUnsupported(ctx, t.path, err)
		return nil, nil
	}
	return lf, err
}

// bumpGeneration adds one to the generation counter of the entry at path,
// in the lock file of its directory, whose lock dl the caller holds: a run
// of the entry in any process then drops its result.
func bumpGeneration(dl *lockFile, path string) error {
	return dl.file.Bump(lockfile.GenSlot(filepath.Base(path)))
}

// lockUnsupported logs, once per family, that the cache coordinates within
// its process only: the file system refuses locks, or the lock file is
// unusable.
func (c *Cachetta[T]) lockUnsupported(ctx context.Context, path string, err error) {
	if c.shared.lockWarned.CompareAndSwap(false, true) {
		c.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "file locks unavailable, coordinating within this process only",
			slog.String("path", path), slog.Any("err", err))
	}
}
