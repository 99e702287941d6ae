package cachetta

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// WithProcessLock turns on or off the coordination of the processes that
// share the cache's files. With it on, a wrapped function that misses runs
// under an exclusive lock on a lock file beside its entry, so that processes
// missing one entry at once run the function once: the others wait for the
// lock and then find the new file. Write, Invalidate and Prune hold a lock
// on their directory's lock file for the moment they replace or remove a
// file, so that a Prune never removes what another process has just written
// and an Invalidate wins over a run in any process. The locks are the
// kernel's advisory locks (flock on Unix, LockFileEx on Windows), which die
// with the process that holds them. Hits take no lock. On a file system that
// refuses locks the cache coordinates within its process only and logs a
// warning once. With it off, runs, Invalidate and Prune are coordinated
// within a process only. The default is true.
func WithProcessLock(on bool) Option {
	return optionFunc(func(c *config) { c.processLock = on })
}

// WithLockTimeout bounds how long a wrapped call waits for another process's
// run of the same entry; past it the call runs the function itself and logs
// a warning. It also bounds the wait of Write, Invalidate and Prune for the
// lock of a directory, which is held for a rename at a time: past it they
// fail. The default is DefaultRefreshTimeout; it must be positive.
func WithLockTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.lockTimeout = d })
}

const (
	// lockSuffix ends the name of every lock file, so that Prune can tell
	// them from entries and other files.
	lockSuffix = ".cachetta-lock"
	// dirLockName is the lock file of a directory, held while an entry in it
	// is replaced or removed.
	dirLockName = lockSuffix
	// lockMaxAge is the age after which Prune removes a lock file that no
	// process holds.
	lockMaxAge = time.Hour
	// firstPoll and maxPoll bound the pauses between two tries of a lock
	// that another process holds.
	firstPoll = time.Millisecond
	maxPoll   = 50 * time.Millisecond
	// maxReopens bounds the tries of a lock whose file keeps being replaced
	// between its opening and its locking, which only Prune does, and only
	// to files an hour old.
	maxReopens = 100
)

var (
	// errLockBusy reports a lock held elsewhere, to a caller that would not
	// wait. A background refresh ends with it, and the callers that joined
	// it run the function themselves.
	errLockBusy = errors.New("lock held by another process")
	// errLockUnsupported reports a file system that refuses advisory locks.
	errLockUnsupported = errors.New("file system does not support locks")
	// errLockTimeout reports a lock still held elsewhere after the lock
	// timeout.
	errLockTimeout = errors.New("timed out waiting for the lock")
)

// runLockPath returns the run lock of the entry at path: the file
// .<name>.cachetta-lock beside it. A name too long for that is cut at a
// UTF-8 boundary and followed by "-" and 16 hex digits of the SHA-256 of the
// whole name, so that every process derives the same lock for an entry.
func runLockPath(path string) string {
	dir, name := filepath.Split(path)
	if 1+len(name)+len(lockSuffix) <= maxNameLen {
		return dir + "." + name + lockSuffix
	}
	sum := sha256.Sum256([]byte(name))
	hash := hex.EncodeToString(sum[:8])
	keep := maxNameLen - len(".-") - len(hash) - len(lockSuffix)
	return dir + "." + cutAtRune(name, keep) + "-" + hash + lockSuffix
}

// dirLockPath returns the lock of the directory of the entry at path.
func dirLockPath(path string) string {
	return filepath.Join(filepath.Dir(path), dirLockName)
}

// isLockName reports whether a file name is one of a lock file.
func isLockName(name string) bool {
	return strings.HasPrefix(name, ".") && strings.HasSuffix(name, lockSuffix)
}

// The generation stamp of an entry is the content of its run lock: the
// number of Invalidates of the entry since the lock file was created, as 8
// bytes, little-endian; an empty file holds 0. Invalidate adds one under the
// directory's lock. A run reads it when it takes the run lock and again, under
// the directory's lock, before it renames its result into place: a change
// means an Invalidate came in between, in some process, and the result is
// dropped. The stamp may be lost with the file when no process holds it,
// because only a run that holds it compares with it.

// readGeneration returns the generation stamp in the lock file f.
func readGeneration(f *os.File) (uint64, error) {
	var b [8]byte
	if _, err := f.ReadAt(b[:], 0); err != nil && err != io.EOF {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b[:]), nil
}

// bumpGeneration adds one to the generation stamp of the run lock at path,
// when there is one: without a lock file no run holds the lock, so none is
// there to be told. The caller holds the directory's lock.
func (c *Cachetta[T]) bumpGeneration(path string) error {
	f, err := c.fsTarget(path, false).openWith(os.O_RDWR)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	gen, err := readGeneration(f)
	if err != nil {
		return err
	}
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], gen+1)
	_, err = f.WriteAt(b[:], 0)
	return err
}

// procLock is what a family knows of its own hold on one lock file. It lives
// in the pathState of the lock file's path, guarded by its mu, so that the
// goroutines of a family wait for one another on freed instead of polling
// the file.
type procLock struct {
	held  *lockFile     // the family's hold, nil when it has none
	freed chan struct{} // closed when held is released; nil while nobody waits
}

// release unlocks the held file and wakes the family's waiters.
func (l *procLock) release() {
	unlockFile(l.held.f)
	l.held = nil
	if l.freed != nil {
		close(l.freed)
		l.freed = nil
	}
}

// lockFile is an open lock file and, while procLock.held points to it, the
// family's lock on it.
type lockFile struct {
	path  string
	ps    *pathState                  // of path, acquired until the lock file is closed
	f     *os.File                    // nil until opened
	lstat func() (fs.FileInfo, error) // looks at the file now at path
	// For the run lock of an entry: the invalidations of the entry in this
	// family when the run began, and the generation stamp when it took the
	// lock.
	run   bool
	owner uint64
	gen   uint64
	// unlockStored releases the lock of a Locker instead, for a cache with
	// a store; f and ps are nil then.
	unlockStored func()
}

// lockTarget opens and looks at one lock file, through the cache's file
// system or through a directory handle of Prune.
type lockTarget struct {
	path     string                           // the lock file, for errors, logs and its pathState
	openFlag func(flag int) (*os.File, error) // opens it with flag, creating it when missing
	lstat    func() (fs.FileInfo, error)      // looks at the file now at its path
}

// open opens the lock file, creating it when missing. Whoever can write the
// cache's directory may have put a named pipe or a symbolic link there: the
// open does not wait for a writer, and anything but the regular file at the
// path is refused before a byte of it is read or written.
func (t lockTarget) open() (*os.File, error) { return t.openWith(os.O_RDONLY | os.O_CREATE) }

// openWith is open with flag, which openNonblock and openNoFollow join.
func (t lockTarget) openWith(flag int) (*os.File, error) {
	if info, err := t.lstat(); err == nil && !info.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "open", Path: t.path, Err: errNotRegular}
	}
	f, err := t.openFlag(flag | openNonblock | openNoFollow)
	if err != nil {
		return nil, err
	}
	opened, err := f.Stat()
	if err == nil && !opened.Mode().IsRegular() {
		err = &fs.PathError{Op: "open", Path: t.path, Err: errNotRegular}
	}
	if err == nil {
		var same bool
		if same, err = isFileAt(f, t.lstat); err == nil && !same {
			err = &fs.PathError{Op: "open", Path: t.path, Err: errNotRegular}
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// fsTarget returns the lock file at path on the cache's file system. With
// mkdir set, a missing directory is created.
func (c *Cachetta[T]) fsTarget(path string, mkdir bool) lockTarget {
	return lockTarget{
		path: path,
		openFlag: func(flag int) (*os.File, error) {
			f, err := c.fsys.openFile(path, flag, c.cfg.fileMode)
			if mkdir && flag&os.O_CREATE != 0 && errors.Is(err, fs.ErrNotExist) {
				if err := c.fsys.mkdirAll(filepath.Dir(path), c.cfg.dirMode); err != nil {
					return nil, err
				}
				f, err = c.fsys.openFile(path, flag, c.cfg.fileMode)
			}
			return f, err
		},
		lstat: func() (fs.FileInfo, error) { return c.fsys.lstat(path) },
	}
}

// dirTarget returns the lock file name in the directory d, which is at dir.
func (c *Cachetta[T]) dirTarget(d *os.Root, dir, name string) lockTarget {
	return lockTarget{
		path:     filepath.Join(dir, name),
		openFlag: func(flag int) (*os.File, error) { return d.OpenFile(name, flag, c.cfg.fileMode) },
		lstat:    func() (fs.FileInfo, error) { return d.Lstat(name) },
	}
}

// lock takes the lock file t for this family. With wait unset it tries once
// and returns errLockBusy when the lock is held elsewhere; otherwise it tries
// again after pauses growing from firstPoll to maxPoll, or as soon as another
// goroutine of the family releases it, until ctx is done (ctx.Err()) or the
// lock timeout has passed (errLockTimeout). No goroutine is left blocked in
// the kernel. A run lock (run set) reads the generation stamp; one that timed
// out comes back unheld but open with the stamp read, since its run goes on
// without the lock. Every lockFile returned must be passed to unlock.
func (c *Cachetta[T]) lock(ctx context.Context, t lockTarget, wait, run bool, owner uint64) (*lockFile, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	lf := &lockFile{path: t.path, ps: c.shared.acquire(t.path), lstat: t.lstat, run: run, owner: owner}
	var deadline time.Time
	var timer *time.Timer
	pause := firstPoll
	for {
		freed, err := c.tryLock(lf, t)
		if err == nil && run {
			lf.gen, err = readGeneration(lf.f)
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
		d := left
		if freed == nil {
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
		case <-ctx.Done():
			timer.Stop()
			c.unlock(lf)
			return nil, ctx.Err()
		}
	}
}

// timedOut ends a wait for lf that reached the lock timeout. A run lock is
// returned open and unheld, with its generation stamp, for a run that goes
// on without it.
func (c *Cachetta[T]) timedOut(lf *lockFile, t lockTarget) (*lockFile, error) {
	err := fmt.Errorf("lock %s: %w after %v", t.path, errLockTimeout, c.cfg.lockTimeout)
	if !lf.run {
		c.unlock(lf)
		return nil, err
	}
	var genErr error
	if lf.f == nil {
		lf.f, genErr = t.open()
	}
	if genErr == nil {
		lf.gen, genErr = readGeneration(lf.f)
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
	for range maxReopens {
		if lf.f == nil {
			if lf.f, err = t.open(); err != nil {
				return nil, err
			}
		}
		if err := c.shared.tryLockFile(lf.f); err != nil {
			if errors.Is(err, errLockBusy) {
				return nil, err
			}
			return nil, &fs.PathError{Op: "lock", Path: t.path, Err: err}
		}
		// Prune removes a lock file that nobody holds: the file locked must
		// still be the one at the path, or the lock excludes nobody.
		same, err := isFileAt(lf.f, t.lstat)
		if same {
			ps.lock.held = lf
			return nil, nil
		}
		unlockFile(lf.f)
		lf.f.Close()
		lf.f = nil
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("lock %s: the file keeps being replaced", t.path)
}

// isFileAt reports whether f is the file that lstat finds at its path.
func isFileAt(f *os.File, lstat func() (fs.FileInfo, error)) (bool, error) {
	opened, err := f.Stat()
	if err != nil {
		return false, err
	}
	looked, err := lstat()
	if err != nil {
		return false, err
	}
	return os.SameFile(opened, looked), nil
}

// unlock releases lf, if the family still holds the lock through it, and
// closes it. A nil lf is a lock never taken.
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
	if lf.f != nil {
		lf.f.Close()
	}
	c.shared.release(lf.path, ps)
}

// handOver releases the run lock at path when this family holds it for a
// run that began before the Invalidate that made the entry's invalidation
// count invalidations. That run will not write, so a run that began after
// the Invalidate need not wait for it.
func (c *Cachetta[T]) handOver(path string, invalidations uint64) {
	ps := c.shared.acquire(path)
	defer c.shared.release(path, ps)
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
	lf, err := c.lock(ctx, c.fsTarget(runLockPath(path), true), !background, true, owner)
	switch {
	case err == nil:
		return lf, nil
	case errors.Is(err, errLockBusy) || ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return nil, err
	case errors.Is(err, errLockTimeout) && lf != nil:
		c.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "cache lock wait timed out, computing",
			slog.String("path", path), slog.Any("err", err))
		return lf, nil
	case errors.Is(err, errLockUnsupported):
		c.lockUnsupported(ctx, path, err)
		return nil, nil
	}
	c.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "cache lock failed, computing",
		slog.String("path", path), slog.Any("err", err))
	return nil, nil
}

// lockDir takes the lock of the directory of the entry at path, for the
// moment a file in it is replaced or removed. It returns nil when process
// locks are off or unsupported.
func (c *Cachetta[T]) lockDir(ctx context.Context, t lockTarget) (*lockFile, error) {
	if !c.cfg.processLock {
		return nil, nil
	}
	lf, err := c.lock(ctx, t, true, false, 0)
	if errors.Is(err, errLockUnsupported) {
		c.lockUnsupported(ctx, t.path, err)
		return nil, nil
	}
	return lf, err
}

// tryLockFile is the platform's tryLockFile, unless a test replaced it.
func (s *shared[T]) tryLockFile(f *os.File) error {
	if s.lockFault != nil {
		return s.lockFault(f)
	}
	return tryLockFile(f)
}

// lockUnsupported logs, once per family, that the file system refuses locks.
func (c *Cachetta[T]) lockUnsupported(ctx context.Context, path string, err error) {
	if c.shared.lockWarned.CompareAndSwap(false, true) {
		c.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "file locks unsupported, coordinating within this process only",
			slog.String("path", path), slog.Any("err", err))
	}
}
