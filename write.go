package cachetta

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"
)

// tempSuffix ends the name of every temporary file the cache writes, so that
// Prune can tell its own leftovers from other files.
const tempSuffix = ".cachetta-tmp"

// randomLen is the longest random part of a temporary name: the base-36
// digits of the largest uint64.
const randomLen = 13

// maxNameLen is the longest file name, in bytes, that common file systems
// accept: NAME_MAX on Linux and macOS. Windows counts UTF-16 code units, and
// a UTF-8 name never has more of those than bytes.
const maxNameLen = 255

// maxTempBase is how many bytes of the entry's name a temporary name keeps.
const maxTempBase = maxNameLen - len("..") - randomLen - len(tempSuffix)

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
// by the entry's generation counter in the lock file (see lock.go).
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
	gen, err := g.run.file.Generation(g.run.slot)
	if err != nil {
		return false, err
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
	// A directory removed by someone else between the creation of the
	// temporary file and the rename makes a round fail; the next one creates
	// the directory again.
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return c.writeFailed(path, began, err)
		}
		err := c.writeOnce(ctx, path, data, guard, mem)
		switch {
		case err == nil:
			// A directory removed since the rename took the entry with it,
			// as an Invalidate would: nothing is left to make durable.
			if c.cfg.sync && c.cfg.store == nil {
				if err := c.syncDir(filepath.Dir(path)); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return c.writeFailed(path, began, fmt.Errorf("cachetta: write %s: %w", path, err))
				}
			}
			c.debug(ctx, "cache write", path)
			c.shared.written(path)
			c.rememberWritten(path, data, mem)
			c.wroteCounted(path, began, len(data))
			return nil
		case errors.Is(err, errInvalidated):
			c.debug(ctx, "write skipped: invalidated while computing", path)
			return nil
		case attempt < maxWriteAttempts && errors.Is(err, fs.ErrNotExist):
			continue
		}
		return c.writeFailed(path, began, fmt.Errorf("cachetta: write %s: %w", path, err))
	}
}

// maxWriteAttempts bounds the rounds of a write whose directory keeps
// vanishing. A round is a few system calls (with the directory's lock, a
// few more), and a remover running flat out on another core was seen to
// win 1,000 rounds in a row under the race detector on a loaded machine;
// only a directory that cannot stay exhausts the bound, in well under a
// second.
const maxWriteAttempts = 20000

// writeOnce writes data to a temporary file and commits it to path. With
// mem, it leaves there what memory needs of the file it commits.
func (c *Cachetta[T]) writeOnce(ctx context.Context, path string, data []byte, guard *writeGuard, mem *committed) error {
	if c.cfg.store != nil {
		return c.saveEntry(ctx, path, data, guard)
	}
	var info *fs.FileInfo
	if mem != nil {
		info = &mem.file
	}
	tmp, f, err := c.writeTemp(path, data, info)
	if err != nil {
		return err
	}
	err = c.commit(ctx, path, tmp, guard, mem)
	if f != nil {
		// The rename found no directory at the temporary file's: it was
		// moved away, with the file in it, which the path no longer
		// reaches.
		if errors.Is(err, fs.ErrNotExist) {
			removeMoved(f, tmp)
		}
		f.Close()
	}
	return err
}

// committed is what a write that fills memory learns of the entry it
// commits: the stat of its file and the count of changes of its path just
// after the rename (see pathState), under the state ps, which the write
// holds. file stays nil for a store, whose Save tells neither the version
// nor the time of the entry it saved.
type committed struct {
	ps      *pathState
	file    fs.FileInfo
	changes uint64
}

// fillsMemory reports whether a write of n bytes puts its value in memory:
// when the copy has a memory it reads from, and a read of the file would
// not refuse it as too large.
func (c *Cachetta[T]) fillsMemory(n int) bool {
	return c.memory != nil && c.cfg.read && int64(n) <= c.cfg.maxFileSize
}

// rememberWritten puts in memory the value that data, just committed to
// path, encodes, as a read of the file would, unless the family wrote or
// invalidated path since the commit (see remember). It decodes data rather
// than keep the value written: a value that does not survive its encoding
// (an int in a map[string]any, a field tagged "-") must come back from
// memory exactly as it comes back from the file.
func (c *Cachetta[T]) rememberWritten(path string, data []byte, mem *committed) {
	if mem == nil || mem.file == nil {
		return
	}
	var v T
	// Data the codec cannot decode is found corrupt, and logged, by the next
	// read of the file.
	if err := c.cfg.codec.Unmarshal(data, &v); err != nil {
		return
	}
	e := newEntry(v, mem.file.ModTime(), time.Now())
	e.file = mem.file
	c.remember(mem.ps, mem.changes, path, e, nil)
}

// errInvalidated reports a guarded write dropped because of an Invalidate.
var errInvalidated = errors.New("invalidated")

// commit renames tmp over path and clears path from every memory of the
// family, as one step with respect to other writes and invalidations of path,
// in this process under the path's state and in others under the directory's
// lock. It removes tmp when it fails. With mem, it leaves there the path's
// count of changes after the rename, for the write to fill memory with once
// it has succeeded (see rememberWritten).
func (c *Cachetta[T]) commit(ctx context.Context, path, tmp string, guard *writeGuard, mem *committed) error {
	dl, err := c.lockDir(ctx, c.dirLock(path))
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
	changes := ps.changes.Add(1)
	if mem != nil {
		mem.changes = changes
	}
	// Read under the lock, so a memory a copy made during the write is
	// cleared too.
	c.shared.forget(path)
	return nil
}

// writeTemp writes data to a new temporary file beside path, synced with
// Files.Sync, and returns its name. It creates the directory when it is
// missing. With info, it sets *info to the file's stat once written. Where
// an open file tells where it is now (see removeMoved), it returns the file
// still open, for the caller to close after the rename; elsewhere nil.
func (c *Cachetta[T]) writeTemp(path string, data []byte, info *fs.FileInfo) (string, *os.File, error) {
	f, err := c.createTemp(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := c.makeDir(filepath.Dir(path)); err != nil {
			return "", nil, err
		}
		f, err = c.createTemp(path)
	}
	if err != nil {
		return "", nil, err
	}
	if err := fill(f, data, c.cfg.sync, info); err != nil {
		f.Close()
		c.fsys.remove(f.Name())
		return "", nil, err
	}
	if !openFileKnowsItsPath {
		return f.Name(), nil, f.Close()
	}
	return f.Name(), f, nil
}

// makeDir creates the directory dir and its missing parents. With Files.Sync
// it syncs the directory that holds each one it creates, so that they
// survive power loss with the entry renamed into dir; dir itself is synced
// after that rename.
func (c *Cachetta[T]) makeDir(dir string) error {
	if !c.cfg.sync {
		return c.fsys.mkdirAll(dir, c.cfg.dirMode)
	}
	// The directories that will hold a new one, deepest first. That of the
	// topmost is left out when it cannot be looked at, as above the
	// directory of WithRoot.
	var holders []string
	for d := dir; ; d = filepath.Dir(d) {
		_, err := c.fsys.lstat(d)
		if d != dir && (err == nil || errors.Is(err, fs.ErrNotExist)) {
			holders = append(holders, d)
		}
		if !errors.Is(err, fs.ErrNotExist) || filepath.Dir(d) == d {
			break
		}
	}
	if err := c.fsys.mkdirAll(dir, c.cfg.dirMode); err != nil {
		return err
	}
	for _, d := range slices.Backward(holders) {
		if err := c.syncDir(d); err != nil {
			return err
		}
	}
	return nil
}

// fsyncFile flushes a file or directory to stable storage. It is a variable
// only so that internal tests can see which files a write syncs, which no
// file system call reveals; nothing else assigns it.
var fsyncFile = (*os.File).Sync

// syncDir makes the names in directory dir durable, such as one just renamed
// into it. On Windows, where a directory cannot be synced, it does nothing.
// A file system that cannot sync directories and says so with EINVAL, as SMB
// mounts do, is not an error.
func (c *Cachetta[T]) syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := c.fsys.open(dir)
	if err != nil {
		return err
	}
	err = fsyncFile(d)
	if errors.Is(err, syscall.EINVAL) {
		err = nil
	}
	if closeErr := d.Close(); err == nil {
		err = closeErr
	}
	return err
}

// fill writes data to f and syncs it when sync is set; the caller closes f.
// With info, it sets *info to f's stat: the stat of the handle, not of a
// name, is surely of the file written, which a rename moves without
// changing its identity, time or size.
func fill(f *os.File, data []byte, sync bool, info *fs.FileInfo) error {
	if _, err := f.Write(data); err != nil {
		return err
	}
	if sync {
		if err := fsyncFile(f); err != nil {
			return err
		}
	}
	if info != nil {
		var err error
		if *info, err = f.Stat(); err != nil {
			return err
		}
	}
	return nil
}

// createTemp creates a file named .<base>.<random>.cachetta-tmp beside path,
// exclusively, so that no two writers share one. Base is path's file name,
// cut to fit the whole name in maxNameLen bytes, so that every name the file
// system accepts can be written; random is a uint64 in base 36.
func (c *Cachetta[T]) createTemp(path string) (*os.File, error) {
	dir, base := filepath.Split(path)
	for range 10 {
		name := dir + tempName(base)
		f, err := c.fsys.openFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, c.cfg.fileMode)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, errors.New("no free temporary file name")
}

// tempName returns a new temporary name for a file named base, as createTemp
// makes them and Prune uses to set a file aside.
func tempName(base string) string {
	return "." + cutAtRune(base, maxTempBase) + "." + strconv.FormatUint(rand.Uint64(), 36) + tempSuffix
}

// cutAtRune returns s cut to at most n bytes, and fewer only to end at a rune
// boundary, so that a UTF-8 name stays UTF-8, as macOS and Windows require.
func cutAtRune(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && i > n-utf8.UTFMax+1 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

// isTempName reports whether a file name is one createTemp makes:
// .<base>.<1 to randomLen base-36 digits>.cachetta-tmp, of at most
// maxNameLen bytes.
func isTempName(name string) bool {
	rest, ok := strings.CutSuffix(name, tempSuffix)
	if !ok || len(name) > maxNameLen || !strings.HasPrefix(rest, ".") {
		return false
	}
	i := strings.LastIndexByte(rest, '.')
	random := rest[i+1:]
	if i < 2 || random == "" || len(random) > randomLen {
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
	if c.cfg.store != nil {
		return c.deleteEntry(ctx, path)
	}
	// os.Remove would delete an empty directory standing where the file
	// should be.
	if info, err := c.fsys.lstat(path); err == nil && info.IsDir() {
		return fmt.Errorf("cachetta: invalidate %s: %w", path, errNotRegular)
	}
	// Without a directory there is no file to remove and no run to tell.
	// Without the directory's lock the entry goes all the same: a run in
	// another process may then write its older result, which the warning
	// says.
	dl, err := c.lockDir(ctx, c.dirLock(path))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		if ctx.Err() != nil {
			return err
		}
		c.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "invalidate: other processes not told, removing the entry anyway",
			slog.String("path", path), slog.Any("err", err))
	}
	ps := c.shared.acquire(path)
	defer c.shared.release(path, ps)
	ps.mu.Lock()
	err = c.fsys.remove(path)
	var stampErr error
	if dl != nil {
		stampErr = bumpGeneration(dl, path)
	}
	invalidations := ps.invalidations.Add(1)
	ps.changes.Add(1)
	c.shared.forget(path)
	c.shared.invalidated(path)
	ps.mu.Unlock()
	c.unlock(dl)
	if c.cfg.processLock {
		c.handOver(path, invalidations)
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cachetta: invalidate: %w", err)
	}
	if stampErr != nil {
		c.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "invalidate: entry removed, other processes not told",
			slog.String("path", path), slog.Any("err", stampErr))
	}
	c.debug(ctx, "cache invalidated", path)
	c.invalidationCounted(path)
	return nil
}
