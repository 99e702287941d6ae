package disk

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/cachetta-go/cachetta/internal/fswatch"
	"github.com/cachetta-go/cachetta/internal/fsx"
	"github.com/cachetta-go/cachetta/internal/lockfile"
	"github.com/cachetta-go/cachetta/internal/storage"
)

const (
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

// errLockTimeout reports a lock still held elsewhere after the lock
// timeout.
var errLockTimeout = errors.New("timed out waiting for the lock")

// procLock is what a family knows of its own hold on one lock byte, so that
// its goroutines wait for one another on freed instead of polling the file.
// Its fields are guarded by Disk.mu. One with no refs holds nothing and
// nobody waits on it (see releaseLocked).
type procLock struct {
	refs  int
	held  *lock         // the family's hold, nil when it has none
	freed chan struct{} // closed when held is released; nil while nobody waits
}

// lock is one lock byte of a directory's lock file and, while
// procLock.held points to it, the family's hold on it.
type lock struct {
	d     *Disk
	key   lockKey
	pl    *procLock
	file  *lockfile.File // nil until opened
	off   int64
	ended bool // Unlock was called; guarded by Disk.mu
	// For the run lock of an entry: its generation counter, and the
	// counter's value when the lock was taken.
	run  bool
	slot int
	gen  uint64
}

// target names one lock: a byte of the lock file of a directory. It is
// plain data, so that naming a lock for every write allocates nothing but
// the lock file's path.
type target struct {
	path string // the lock file
	off  int64
	// The directory of a lock file opened by name (root nil): dir, created
	// when missing with mkdir set.
	dir   string
	mkdir bool
	// The directory's handle, of a walk, through which the lock file is
	// opened; nil to open it by name.
	root *os.Root
	// watch is the entry whose writing ends the holder's run, for a run
	// lock: a waiter on another process wakes when it changes.
	watch string
}

// lockKey names a lock among the family's locks: the lock file's path and
// the byte.
type lockKey struct {
	path string
	off  int64
}

// key is the name of the lock among the family's locks.
func (t target) key() lockKey {
	return lockKey{t.path, t.off}
}

// fileTarget returns the byte off of the lock file of the directory dir,
// which is clean. With mkdir set, a missing directory is created.
func (b Backend) fileTarget(dir string, off int64, mkdir bool) target {
	return target{path: lockPath(dir), off: off, dir: dir, mkdir: mkdir}
}

// lockPath returns the path of the lock file of the directory dir, which is
// clean, as filepath.Join returns it: for an absolute directory other than
// a root, without cleaning the path again, on every write.
func lockPath(dir string) string {
	if !filepath.IsAbs(dir) || os.IsPathSeparator(dir[len(dir)-1]) {
		return filepath.Join(dir, lockfile.Name)
	}
	return dir + string(filepath.Separator) + lockfile.Name
}

// handleTarget returns the lock of the directory d, which is at dir, opened
// through the handle of a walk.
func (b Backend) handleTarget(d *os.Root, dir string) target {
	return target{path: filepath.Join(dir, lockfile.Name), off: lockfile.DirOffset, root: d}
}

// open opens the lock file of t.
func (b Backend) open(t target) (*lockfile.File, error) {
	if t.root != nil {
		return lockfile.Open(absPath(t.path),
			func(flag int) (*os.File, error) { return t.root.OpenFile(lockfile.Name, flag, b.opts.FileMode) },
			func() (fs.FileInfo, error) { return t.root.Lstat(lockfile.Name) })
	}
	// On the plain file system lockfile looks at the path itself, with no
	// allocation, on every write.
	var lstat func() (fs.FileInfo, error)
	if _, plain := b.fsys.(fsx.OS); !plain {
		lstat = func() (fs.FileInfo, error) { return b.fsys.Lstat(t.path) }
	}
	return lockfile.Open(absPath(t.path), func(flag int) (*os.File, error) {
		f, err := b.fsys.OpenFile(t.path, flag, b.opts.FileMode)
		if t.mkdir && errors.Is(err, fs.ErrNotExist) {
			if err := b.fsys.MkdirAll(t.dir, b.opts.DirMode); err != nil {
				return nil, err
			}
			f, err = b.fsys.OpenFile(t.path, flag, b.opts.FileMode)
		}
		return f, err
	}, lstat)
}

// absPath returns path, which is clean, made absolute: the name of a lock
// file in the process-wide registry of internal/lockfile. An absolute path
// is returned as it is, not cleaned again, on every write.
func absPath(path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

// acquire returns the family's state of the lock key; release must follow.
func (d *Disk) acquire(key lockKey) *procLock {
	d.mu.Lock()
	defer d.mu.Unlock()
	pl := d.locks[key]
	if pl == nil {
		pl = new(procLock)
		d.locks[key] = pl
	}
	pl.refs++
	return pl
}

// keptLocks is how many states of locks nobody uses a family keeps, so
// that the next write to a directory finds its lock's state instead of
// making it again. A state nobody uses holds nothing: no hold, no waiter.
const keptLocks = 64

// releaseLocked drops a reference to the state of key, and forgets it when
// nobody uses it and the family keeps keptLocks others; the caller holds
// d.mu.
func (d *Disk) releaseLocked(key lockKey, pl *procLock) {
	pl.refs--
	if pl.refs == 0 && len(d.locks) > keptLocks {
		delete(d.locks, key)
	}
}

// take locks t for the family. With wait unset it tries once and returns an
// error wrapping storage.ErrBusy when the lock is held elsewhere; otherwise
// it tries again after pauses growing from firstPoll to maxPoll, or as soon
// as another goroutine of the family releases it, or, for a run lock, soon
// after its entry changes, until ctx is done (ctx.Err()) or the lock
// timeout has passed (errLockTimeout). No goroutine is left blocked in the
// kernel. A run lock (run set) reads the entry's generation counter; one
// that timed out comes back unheld but open with the counter read, since
// its run goes on without the lock. Every lock returned must be unlocked.
func (b Backend) take(ctx context.Context, t target, wait, run bool, slot int) (*lock, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	key := t.key()
	l := &lock{d: b.Disk, key: key, pl: b.acquire(key), off: t.off, run: run, slot: slot}
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
		var freed <-chan struct{}
		var err error
		if l.file == nil {
			l.file, err = b.open(t)
		}
		if err == nil {
			freed, err = b.try(l, t)
		}
		if err == nil && run {
			l.gen, err = l.file.Generation(slot)
		}
		switch {
		case err == nil:
			return l, nil
		case !errors.Is(err, lockfile.ErrBusy) || !wait:
			l.Unlock()
			if errors.Is(err, lockfile.ErrBusy) {
				err = fmt.Errorf("%w: %w", storage.ErrBusy, err)
			}
			return nil, err
		}
		now := time.Now()
		if deadline.IsZero() {
			deadline = now.Add(b.opts.LockTimeout)
			b.debug(ctx, "waiting for a lock", t.path)
		}
		left := deadline.Sub(now)
		if left <= 0 {
			return b.timedOut(l, t)
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
			l.Unlock()
			return nil, ctx.Err()
		}
	}
}

// timedOut ends a wait for l that reached the lock timeout. A run lock is
// returned open and unheld, with its generation counter, for a run that
// goes on without it.
func (b Backend) timedOut(l *lock, t target) (*lock, error) {
	err := fmt.Errorf("lock %s: %w after %v", t.path, errLockTimeout, b.opts.LockTimeout)
	if !l.run {
		l.Unlock()
		return nil, err
	}
	var genErr error
	if l.file == nil {
		l.file, genErr = b.open(t)
	}
	if genErr == nil {
		l.gen, genErr = l.file.Generation(l.slot)
	}
	if genErr != nil {
		// The run goes on as one whose lock failed.
		l.Unlock()
		return nil, fmt.Errorf("%w; %w", err, genErr)
	}
	return l, err
}

// try takes the lock for l, whose file is open, without waiting. When the lock is held
// elsewhere it returns lockfile.ErrBusy and, when the holder is a goroutine
// of this family, a channel closed as it releases it.
func (b Backend) try(l *lock, t target) (freed <-chan struct{}, err error) {
	d := b.Disk
	d.mu.Lock()
	defer d.mu.Unlock()
	pl := l.pl
	if pl.held != nil {
		if pl.freed == nil {
			pl.freed = make(chan struct{})
		}
		return pl.freed, lockfile.ErrBusy
	}
	if err := l.file.TryLock(t.off); err != nil {
		return nil, err
	}
	pl.held = l
	return nil, nil
}

// Unlock releases l, if the family still holds the lock through it, and
// closes its lock file. Calls after the first do nothing.
func (l *lock) Unlock() {
	d := l.d
	d.mu.Lock()
	if l.ended {
		d.mu.Unlock()
		return
	}
	l.ended = true
	l.releaseLocked()
	d.releaseLocked(l.key, l.pl)
	d.mu.Unlock()
	if l.file != nil {
		l.file.Close()
	}
}

// Release frees the lock for others before the run that holds it ends,
// keeping its file open for Invalidated; Unlock must still follow.
func (l *lock) Release() {
	l.d.mu.Lock()
	defer l.d.mu.Unlock()
	l.releaseLocked()
}

// releaseLocked unlocks the byte when l holds it and wakes the family's
// waiters; the caller holds Disk.mu.
func (l *lock) releaseLocked() {
	pl := l.pl
	if pl.held != l {
		return
	}
	l.file.Unlock(l.off)
	pl.held = nil
	if pl.freed != nil {
		close(pl.freed)
		pl.freed = nil
	}
}

// Invalidated reports whether the entry's generation counter moved since
// the run lock was taken: an Invalidate in some process came since.
func (l *lock) Invalidated() (bool, error) {
	gen, err := l.file.Generation(l.slot)
	if err != nil {
		return false, err
	}
	return gen != l.gen, nil
}

// LockRun takes the run lock of the entry at path, waiting unless wait is
// unset, for at most the lock timeout. It returns nil, and logs why, when
// the run must go on without the lock: a file system without locks, an
// unusable lock file, a failure; an unheld lock with its generation when
// the wait timed out; an error wrapping storage.ErrBusy when it would not
// wait and the lock is held; and ctx's error.
func (b Backend) LockRun(ctx context.Context, path string) (storage.RunLock, error) {
	return b.lockRun(ctx, path, true)
}

// TryLockRun is LockRun without waiting.
func (b Backend) TryLockRun(ctx context.Context, path string) (storage.RunLock, error) {
	return b.lockRun(ctx, path, false)
}

func (b Backend) lockRun(ctx context.Context, path string, wait bool) (storage.RunLock, error) {
	name := filepath.Base(path)
	t := b.fileTarget(filepath.Dir(path), lockfile.RunOffset(name), true)
	t.watch = path
	l, err := b.take(ctx, t, wait, true, lockfile.GenSlot(name))
	switch {
	case err == nil:
		return l, nil
	case errors.Is(err, storage.ErrBusy) || ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return nil, err
	case errors.Is(err, errLockTimeout) && l != nil:
		b.opts.Logger.LogAttrs(ctx, slog.LevelWarn, "cache lock wait timed out, computing",
			slog.String("path", path), slog.Any("err", err))
		return l, nil
	case errors.Is(err, lockfile.ErrUnsupported), errors.Is(err, lockfile.ErrObstacle):
		b.unsupported(ctx, path, err)
		return nil, nil
	}
	b.opts.Logger.LogAttrs(ctx, slog.LevelWarn, "cache lock failed, computing",
		slog.String("path", path), slog.Any("err", err))
	return nil, nil
}

// lockDir takes the lock t of a directory, for the moment a file in it is
// replaced or removed. It returns nil when process locks are off or
// unsupported, or when the lock file is unusable, which it logs once.
func (b Backend) lockDir(ctx context.Context, t target) (*lock, error) {
	if !b.opts.ProcessLock {
		return nil, nil
	}
	l, err := b.take(ctx, t, true, false, 0)
	if errors.Is(err, lockfile.ErrUnsupported) || errors.Is(err, lockfile.ErrObstacle) {
		b.unsupported(ctx, t.path, err)
		return nil, nil
	}
	return l, err
}

// unlock unlocks l, which may be nil.
func unlock(l *lock) {
	if l != nil {
		l.Unlock()
	}
}

// unsupported logs, once per family, that the cache coordinates within its
// process only: the file system refuses locks, or the lock file is
// unusable.
func (b Backend) unsupported(ctx context.Context, path string, err error) {
	if b.warned.CompareAndSwap(false, true) {
		b.opts.Logger.LogAttrs(ctx, slog.LevelWarn, "file locks unavailable, coordinating within this process only",
			slog.String("path", path), slog.Any("err", err))
	}
}

// debug logs msg with path at debug level, building the record only when
// the logger wants it.
func (b Backend) debug(ctx context.Context, msg, path string) {
	if b.opts.Logger.Enabled(ctx, slog.LevelDebug) {
		b.opts.Logger.LogAttrs(ctx, slog.LevelDebug, msg, slog.String("path", path))
	}
}
