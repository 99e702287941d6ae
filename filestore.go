package cachetta

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/cachetta-go/cachetta/internal/disk"
	"github.com/cachetta-go/cachetta/internal/fsx"
)

// A FileStore is a Store of entries in the files of one local directory,
// each entry the file of its name below it, written as a cache without a
// store writes its files: a temporary file renamed over the old one. It is
// the seam's reference implementation, for code written against Store and
// for tests of one; a cache without WithStore uses the same directory
// layout with more than a Store can say: process locks with generation
// stamps, Prune's set-aside removal, identity by inode for WithFileCheck.
// A FileStore is not a Locker, so runs through it are coalesced within one
// process only, and its StoreEntry has no Version.
type FileStore struct {
	fsys *fsx.Root
}

// NewFileStore returns the store of the directory dir, which it creates
// when missing and keeps open, as WithRoot does, until Close: every name
// stays inside it, whatever links below it say.
func NewFileStore(dir string) (*FileStore, error) {
	if dir == "" {
		return nil, errors.New("cachetta: NewFileStore: empty directory name")
	}
	fsys, err := fsx.New(dir, 0o700)
	if err != nil {
		return nil, fmt.Errorf("cachetta: %w", err)
	}
	r := fsys.(*fsx.Root)
	return &FileStore{fsys: r}, nil
}

// Dir returns the absolute path of the store's directory.
func (s *FileStore) Dir() string { return s.fsys.Dir() }

// Close closes the store's directory.
func (s *FileStore) Close() error { return s.fsys.Close() }

// local returns the relative file name of the entry name, or an error when
// name is not an entry name.
func (s *FileStore) local(op, name string) (string, error) {
	if name == "." || !fs.ValidPath(name) {
		return "", &fs.PathError{Op: op, Path: name, Err: ErrOutsideRoot}
	}
	return filepath.FromSlash(name), nil
}

// named returns err naming the real file of name. The errors of the root's
// methods name files relative to it; those of a file it opened already name
// the file in full.
func (s *FileStore) named(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		path := pe.Path
		if !filepath.IsAbs(path) {
			path = filepath.Join(s.fsys.Dir(), path)
		}
		return &fs.PathError{Op: pe.Op, Path: path, Err: fsx.Outside(pe.Err)}
	}
	return err
}

// entryFile returns nil when info, of the file rel, is an entry's: a
// directory is the parent of entries, so no entry is there, and any other
// file that is not regular is an error.
func (s *FileStore) entryFile(op, rel string, info fs.FileInfo) error {
	switch {
	case info.IsDir():
		return &fs.PathError{Op: op, Path: filepath.Join(s.fsys.Dir(), rel), Err: fs.ErrNotExist}
	case !info.Mode().IsRegular():
		return fmt.Errorf("cachetta: %s %s: %w", op, filepath.Join(s.fsys.Dir(), rel), fsx.ErrNotRegular)
	}
	return nil
}

// Load implements Store.
func (s *FileStore) Load(ctx context.Context, name string, maxSize int64) ([]byte, StoreEntry, error) {
	if err := ctx.Err(); err != nil {
		return nil, StoreEntry{}, err
	}
	rel, err := s.local("open", name)
	if err != nil {
		return nil, StoreEntry{}, err
	}
	f, info, err := fsx.OpenRegular(s.fsys, "read", rel)
	if info != nil && info.IsDir() {
		return nil, StoreEntry{}, s.entryFile("read", rel, info)
	}
	if err != nil {
		return nil, StoreEntry{}, s.named(err)
	}
	defer f.Close()
	if info.Size() > maxSize {
		return nil, StoreEntry{}, fmt.Errorf("%w: %s has %d bytes, limit %d", ErrTooLarge, name, info.Size(), maxSize)
	}
	data, err := fsx.ReadAll(ctx, f, info.Size(), false)
	if err != nil {
		return nil, StoreEntry{}, fmt.Errorf("cachetta: read %s: %w", filepath.Join(s.fsys.Dir(), rel), err)
	}
	return data, StoreEntry{Name: name, Size: info.Size(), ModTime: info.ModTime()}, nil
}

// Stat implements Store.
func (s *FileStore) Stat(ctx context.Context, name string) (StoreEntry, error) {
	if err := ctx.Err(); err != nil {
		return StoreEntry{}, err
	}
	rel, err := s.local("stat", name)
	if err != nil {
		return StoreEntry{}, err
	}
	info, err := s.fsys.Handle().Stat(rel)
	if err != nil {
		return StoreEntry{}, s.named(err)
	}
	if err := s.entryFile("stat", rel, info); err != nil {
		return StoreEntry{}, err
	}
	return StoreEntry{Name: name, Size: info.Size(), ModTime: info.ModTime()}, nil
}

// Save implements Store. keep is ignored: Prune removes what has expired.
func (s *FileStore) Save(ctx context.Context, name string, data []byte, keep time.Duration) error {
	_, err := s.save(ctx, name, data, time.Time{})
	return err
}

// save is Save with the file's modification time set to modTime, when it
// is not zero, before the rename, so that no reader sees the entry with
// another time (a tiered store's copy carries its remote entry's time). It
// returns the time the file system kept, which may be coarser than modTime.
func (s *FileStore) save(ctx context.Context, name string, data []byte, modTime time.Time) (time.Time, error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, err
	}
	rel, err := s.local("save", name)
	if err != nil {
		return time.Time{}, err
	}
	dir := filepath.Dir(rel)
	f, err := fsx.CreateTemp(s.fsys, rel, 0o600)
	if errors.Is(err, fs.ErrNotExist) && dir != "." {
		if err := s.fsys.Handle().MkdirAll(dir, 0o700); err != nil {
			return time.Time{}, s.named(err)
		}
		f, err = fsx.CreateTemp(s.fsys, rel, 0o600)
	}
	if err != nil {
		return time.Time{}, err
	}
	// The file's name is the root's joined to the relative name it was
	// created under; the root's own methods take the relative one.
	tmp, err := filepath.Rel(s.fsys.Dir(), s.fsys.Resolve(f.Name()))
	if err == nil {
		err = fsx.Fill(f, data, nil, nil)
	}
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		s.fsys.Remove(f.Name())
		return time.Time{}, s.named(err)
	}
	var kept time.Time
	if !modTime.IsZero() {
		// The temporary name is this call's alone (O_EXCL, random), so
		// setting and reading its time by name touches no other file.
		var info fs.FileInfo
		err := s.fsys.Handle().Chtimes(tmp, time.Time{}, modTime)
		if err == nil {
			info, err = s.fsys.Handle().Stat(tmp)
		}
		if err != nil {
			s.fsys.Handle().Remove(tmp)
			return time.Time{}, s.named(err)
		}
		kept = info.ModTime()
	}
	if err := s.fsys.Handle().Rename(tmp, rel); err != nil {
		s.fsys.Handle().Remove(tmp)
		return time.Time{}, s.named(err)
	}
	return kept, nil
}

// Delete implements Store.
func (s *FileStore) Delete(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	rel, err := s.local("remove", name)
	if err != nil {
		return err
	}
	// A directory is the parent of other entries, not one: Remove would
	// delete it when empty.
	if info, err := s.fsys.Handle().Lstat(rel); err == nil && info.IsDir() {
		return nil
	}
	if err := s.fsys.Handle().Remove(rel); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return s.named(err)
	}
	return nil
}

// List implements Store. It walks the directory of prefix and below, and
// yields the regular files, never following a symbolic link, and never the
// temporary and lock files of this package.
func (s *FileStore) List(ctx context.Context, prefix string) iter.Seq2[StoreEntry, error] {
	return func(yield func(StoreEntry, error) bool) {
		top := path.Dir(prefix + "x") // the directory every name with prefix lies in
		err := fs.WalkDir(s.fsys.Handle().FS(), top, func(name string, d fs.DirEntry, err error) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			switch {
			case err != nil && name == top && errors.Is(err, fs.ErrNotExist):
				return fs.SkipAll
			case err != nil:
				return err
			case d.IsDir() && name != top && !strings.HasPrefix(name+"/", prefix) && !strings.HasPrefix(prefix, name+"/"):
				return fs.SkipDir // nothing below it starts with prefix
			case d.IsDir() || !d.Type().IsRegular() || disk.IsOwnName(d.Name()):
				return nil
			case !strings.HasPrefix(name, prefix):
				return nil
			}
			info, err := d.Info()
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed since the listing
			}
			if err != nil {
				return err
			}
			if !yield(StoreEntry{Name: name, Size: info.Size(), ModTime: info.ModTime()}, nil) {
				return fs.SkipAll
			}
			return nil
		})
		if err != nil {
			yield(StoreEntry{}, s.named(err))
		}
	}
}
