// Package disk keeps a cache's entries in local files: one JSON file per
// entry, replaced by rename, read through its handle, coordinated across
// processes through the directory's lock file (internal/lockfile), and
// walked through handles on directories so that no swapped link redirects
// a removal. It is the first backend of the seam the root package declares,
// and knows nothing of freshness, memory or runs: the policy decides, the
// disk does what it is asked, under the policy's Commit.
package disk

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cachetta-go/cachetta/internal/fsx"
	"github.com/cachetta-go/cachetta/internal/storage"
)

// A Disk is what every cache on one file system of a family shares: the
// file system and the family's holds on lock files. Each copy of a cache
// reaches it through a Backend with its own Options.
type Disk struct {
	fsys fsx.FS

	mu    sync.Mutex            // guards locks
	locks map[lockKey]*procLock // the lock bytes some caller of the family is using now, and up to keptLocks more

	warned atomic.Bool // that file locks are unavailable was logged
}

// New returns the Disk of fsys.
func New(fsys fsx.FS) *Disk {
	return &Disk{fsys: fsys, locks: make(map[lockKey]*procLock)}
}

// FS returns the file system of d.
func (d *Disk) FS() fsx.FS { return d.fsys }

// Options are a cache copy's settings of its files.
type Options struct {
	FileMode    fs.FileMode // of entries and lock files
	DirMode     fs.FileMode // of the directories created for them
	ProcessLock bool        // coordinate renames and removals with other processes
	LockTimeout time.Duration
	Logger      *slog.Logger
	// Fsync, when not nil, flushes each file written and its directory:
	// (*os.File).Sync, or a recorder in tests.
	Fsync func(*os.File) error
}

// Backend is a Disk seen with one copy's Options. It implements the root
// package's seam.
type Backend struct {
	*Disk
	opts Options
}

// With returns d with opts.
func (d *Disk) With(opts Options) Backend {
	return Backend{Disk: d, opts: opts}
}

// Resolve returns the file that the cache path name stands for.
func (b Backend) Resolve(name string) string { return b.fsys.Resolve(name) }

// Confine returns an error wrapping fsx.ErrOutsideRoot for op when path lies
// outside the root of a confined file system. Symbolic links are checked
// later, by os.Root, when a file is opened.
func (b Backend) Confine(op, path string) error { return b.fsys.Confine(op, path) }

// meta returns the Meta of the file at name whose stat is info.
func meta(name string, info fs.FileInfo) storage.Meta {
	return metaOf(name, fsx.StatusOf(info))
}

// metaOf returns the Meta of the file at name that st describes.
func metaOf(name string, st fsx.Status) storage.Meta {
	m := storage.Meta{Name: name, Size: st.Size, ModTime: st.ModTime, File: st.File}
	if st.Info != nil {
		m.ID = st.Info
	}
	return m
}

// Load decodes the entry at name into v. It opens the file without waiting
// on a named pipe and refuses anything but a regular file
// (storage.ErrNotRegular). It calls opened, when not nil, with the file's
// Meta before it reads a byte. A file modified at or before dec's expiry is
// declined unread (storage.ErrDeclined), one larger than dec.Limit is
// storage.ErrTooLarge, one whose size changes while read
// storage.ErrSizeChanged, and one the codec refuses storage.ErrCorrupt;
// the Meta returned describes the file in each case.
func (b Backend) Load(ctx context.Context, name string, dec storage.Decoding, v any, opened func(storage.Meta)) (storage.Meta, error) {
	f, info, err := fsx.OpenRegular(b.fsys, "read", name)
	if err != nil {
		m := storage.Meta{Name: name}
		if info != nil {
			m = meta(name, info)
		}
		return m, err
	}
	defer f.Close()
	m := meta(name, info)
	if opened != nil {
		opened(m)
	}
	if !dec.Expired.IsZero() && !m.ModTime.After(dec.Expired) {
		return m, storage.ErrDeclined
	}
	if m.Size > min(dec.Limit, math.MaxInt-1) {
		return m, fmt.Errorf("%w: %s has %d bytes, limit %d", storage.ErrTooLarge, name, m.Size, dec.Limit)
	}
	decodeErr, err := fsx.Decode(ctx, f, m.Size, dec.Codec, dec.Probe, v)
	switch {
	case errors.Is(err, fsx.ErrNotJSON):
		return m, storage.Corrupt(err)
	case err != nil:
		return m, err
	case decodeErr != nil:
		return m, storage.Corrupt(decodeErr)
	}
	return m, nil
}

// Stat returns the Meta of the file at name, following links as a read
// does; a file that is not regular is an error wrapping
// storage.ErrNotRegular.
func (b Backend) Stat(ctx context.Context, name string) (storage.Meta, error) {
	st, err := fsx.Stat(b.fsys, name)
	if err != nil {
		return storage.Meta{Name: name}, err
	}
	if !st.Mode.IsRegular() {
		return metaOf(name, st), &fs.PathError{Op: "stat", Path: name, Err: storage.ErrNotRegular}
	}
	return metaOf(name, st), nil
}
