package disk

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"

	"github.com/cachetta-go/cachetta/internal/fsx"
	"github.com/cachetta-go/cachetta/internal/lockfile"
	"github.com/cachetta-go/cachetta/internal/storage"
)

// maxWriteAttempts bounds the rounds of a write whose directory keeps
// vanishing. A round is a few system calls (with the directory's lock, a
// few more), and a remover running flat out on another core was seen to
// win 1,000 rounds in a row under the race detector on a loaded machine;
// only a directory that cannot stay exhausts the bound, in well under a
// second.
const maxWriteAttempts = 20000

// Save replaces the file at path by data, atomically: a temporary file in
// the same directory, created exclusively, written and renamed over the
// target, under the directory's lock and commit. It creates missing
// directories, and begins again when the directory vanishes meanwhile. A
// failed Save leaves the previous file intact and no temporary file
// behind. With stat, the Meta returned describes the file written, taken
// through its handle.
func (b Backend) Save(ctx context.Context, path string, data []byte, commit storage.Commit, stat bool) (storage.Meta, error) {
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return storage.Meta{}, err
		}
		m, err := b.saveOnce(ctx, path, data, commit, stat)
		switch {
		case err == nil:
			// A directory removed since the rename took the entry with it,
			// as an Invalidate would: nothing is left to make durable.
			if b.opts.Fsync != nil {
				if err := fsx.SyncDir(b.fsys, filepath.Dir(path), b.opts.Fsync); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return m, err
				}
			}
			return m, nil
		case attempt < maxWriteAttempts && errors.Is(err, fs.ErrNotExist):
			continue
		}
		return m, err
	}
}

// saveOnce is one round of Save.
func (b Backend) saveOnce(ctx context.Context, path string, data []byte, commit storage.Commit, stat bool) (storage.Meta, error) {
	var info fs.FileInfo
	var pinfo *fs.FileInfo
	if stat {
		pinfo = &info
	}
	tmp, f, err := b.writeTemp(path, data, pinfo)
	if err != nil {
		return storage.Meta{}, err
	}
	err = b.rename(ctx, path, tmp, commit)
	if f != nil {
		// The rename found no directory at the temporary file's: it was
		// moved away, with the file in it, which the path no longer
		// reaches.
		if errors.Is(err, fs.ErrNotExist) {
			fsx.RemoveMoved(f.File(), tmp)
		}
		f.Close()
	}
	if err != nil || info == nil {
		return storage.Meta{Name: path}, err
	}
	return meta(path, info), nil
}

// writeTemp writes data to a new temporary file beside path, synced with
// Fsync, and returns its name. It creates the directory when it is missing.
// With info, it sets *info to the file's stat once written. Where an open
// file tells where it is now (see fsx.RemoveMoved), it returns the file
// still open, for the caller to close after the rename; elsewhere nil.
func (b Backend) writeTemp(path string, data []byte, info *fs.FileInfo) (string, *fsx.Temp, error) {
	f, err := fsx.CreateTemp(b.fsys, path, b.opts.FileMode)
	if errors.Is(err, fs.ErrNotExist) {
		if err := fsx.MkdirAll(b.fsys, filepath.Dir(path), b.opts.DirMode, b.opts.Fsync); err != nil {
			return "", nil, err
		}
		f, err = fsx.CreateTemp(b.fsys, path, b.opts.FileMode)
	}
	if err != nil {
		return "", nil, err
	}
	if err := fsx.Fill(f, data, b.opts.Fsync, info); err != nil {
		f.Close()
		b.fsys.Remove(f.Name())
		return "", nil, err
	}
	if !fsx.OpenFileKnowsItsPath {
		return f.Name(), nil, f.Close()
	}
	return f.Name(), f, nil
}

// rename renames tmp over path under the directory's lock and commit. It
// removes tmp when it fails.
func (b Backend) rename(ctx context.Context, path, tmp string, commit storage.Commit) error {
	dl, err := b.lockDir(ctx, b.fileTarget(filepath.Dir(path), lockfile.DirOffset, false))
	if err != nil {
		b.fsys.Remove(tmp)
		return err
	}
	defer unlock(dl)
	var done func(bool)
	if commit != nil {
		if done, err = commit(); err != nil {
			b.fsys.Remove(tmp)
			return err
		}
	}
	err = b.fsys.Rename(tmp, path)
	if done != nil {
		done(err == nil)
	}
	if err != nil {
		b.fsys.Remove(tmp)
	}
	return err
}

// Remove removes the file at path under the directory's lock and commit,
// and adds one to the entry's generation counter there, so that a run of
// the entry in any process drops its result. A missing file is not an
// error; a directory is refused with storage.ErrNotRegular. Without the
// directory's lock the file goes all the same, which it logs: a run in
// another process may then write its older result.
func (b Backend) Remove(ctx context.Context, path string, commit storage.Commit) error {
	// os.Remove would delete an empty directory standing where the file
	// should be.
	if info, err := b.fsys.Lstat(path); err == nil && info.IsDir() {
		return &fs.PathError{Op: "remove", Path: path, Err: storage.ErrNotRegular}
	}
	// Without a directory there is no file to remove and no run to tell.
	dl, err := b.lockDir(ctx, b.fileTarget(filepath.Dir(path), lockfile.DirOffset, false))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		if ctx.Err() != nil {
			return err
		}
		b.opts.Logger.LogAttrs(ctx, slog.LevelWarn, "invalidate: other processes not told, removing the entry anyway",
			slog.String("path", path), slog.Any("err", err))
	}
	defer unlock(dl)
	var done func(bool)
	if commit != nil {
		if done, err = commit(); err != nil {
			return err
		}
	}
	err = b.fsys.Remove(path)
	var stampErr error
	if dl != nil {
		stampErr = dl.file.Bump(lockfile.GenSlot(filepath.Base(path)))
	}
	if done != nil {
		done(err == nil)
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if stampErr != nil {
		b.opts.Logger.LogAttrs(ctx, slog.LevelWarn, "invalidate: entry removed, other processes not told",
			slog.String("path", path), slog.Any("err", fmt.Errorf("generation: %w", stampErr)))
	}
	return nil
}
