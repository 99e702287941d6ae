// Package storage is the vocabulary of the seam between the cache's policy
// and its bytes: what an entry looks like from above ([Meta]), how a
// backend is asked to decode one, to commit a change under the policy's
// own guard ([Commit]), to hold a run's lock ([RunLock]) and to walk its
// entries ([Found], [Scope]), and the errors by which a backend tells the
// policy what it found. The root package declares the interface itself;
// internal/disk implements it over local files, and the root adapts any
// public Store to it.
//
// It holds no state and imports neither the root nor a backend.
package storage

import (
	"errors"
	"io/fs"
	"os"
	"time"

	"github.com/cachetta-go/cachetta/internal/fsx"
)

// Meta describes one entry without its bytes.
type Meta struct {
	Name    string    // the entry's path, as the cache names it
	Size    int64     // the length of its bytes
	ModTime time.Time // when it was written; its age decides its freshness
	// File and ID tell one version of the entry from another written over
	// it: File is a file's device and inode, where the system numbers
	// files; ID is anything else that tells, the fs.FileInfo of a file
	// elsewhere (for os.SameFile) or the Version of a store entry. Both
	// are zero when the backend cannot tell.
	File fsx.FileID
	ID   any
}

// Known reports whether m tells its version from another (see Same).
func (m Meta) Known() bool {
	return m.File != (fsx.FileID{}) || m.ID != nil
}

// Same reports whether m and o describe one unchanged entry: the same
// identity, modification time and size. An entry without an identity is
// the same as nothing.
func (m Meta) Same(o Meta) bool {
	if !m.Known() || !o.Known() || !m.ModTime.Equal(o.ModTime) || m.Size != o.Size {
		return false
	}
	if m.File != (fsx.FileID{}) || o.File != (fsx.FileID{}) {
		return m.File == o.File
	}
	if a, ok := m.ID.(fs.FileInfo); ok {
		b, ok := o.ID.(fs.FileInfo)
		return ok && os.SameFile(a, b)
	}
	a, ok := m.ID.(string)
	b, ok2 := o.ID.(string)
	return ok && ok2 && a == b
}

var (
	// ErrTooLarge reports an entry larger than the limit it was read with.
	// The root package exports it as cachetta.ErrTooLarge.
	ErrTooLarge = errors.New("cachetta: entry too large")
	// ErrCorrupt wraps the codec's refusal of an entry's bytes.
	ErrCorrupt = errors.New("corrupt entry")
	// ErrDeclined is returned by Load when its opened callback declined the
	// entry: it read none of its bytes.
	ErrDeclined = errors.New("entry declined")
	// ErrNotRegular is the cause of an error about an entry's path that
	// names a directory or another file that is not regular.
	ErrNotRegular = fsx.ErrNotRegular
	// ErrSizeChanged is the cause of a failed read of a file that grew or
	// shrank while it was read.
	ErrSizeChanged = fsx.ErrSizeChanged
	// ErrBusy is returned by LockRun, not waiting, when another process
	// holds the lock.
	ErrBusy = errors.New("lock held by another process")
)

// Corrupt returns err, the codec's refusal of an entry's bytes, as an
// error that is ErrCorrupt and reads as err.
func Corrupt(err error) error { return corruptError{err} }

type corruptError struct{ err error }

func (e corruptError) Error() string      { return e.err.Error() }
func (e corruptError) Unwrap() error      { return e.err }
func (corruptError) Is(target error) bool { return target == ErrCorrupt }

// Decoding is how a backend decodes an entry it loads.
type Decoding struct {
	Codec fsx.Codec // a fsx.StreamCodec decodes large files as it reads
	Limit int64     // entries larger than this are ErrTooLarge
	Probe bool      // the codec is JSON: a first byte JSON refuses is corrupt unread
	// Expired, when not zero, declines an entry modified at or before it
	// with ErrDeclined, unread.
	Expired time.Time
}

// Commit is the policy's part of a change of an entry: the backend calls it
// just before the change, with the entry's directory locked against other
// processes where it can. An error stops the change and is returned as it
// is. Otherwise the backend calls done exactly once, right after the change
// or its failure, with whether it happened, and before it unlocks. A nil
// Commit is no part.
type Commit func() (done func(changed bool), err error)

// A RunLock is a held lock of one entry's run, across processes.
type RunLock interface {
	// Unlock releases the lock; calls after the first do nothing.
	Unlock()
	// Release frees the lock for others early, as when the run was
	// invalidated and will not write; Unlock must still follow.
	Release()
	// Invalidated reports whether the entry was invalidated, by any process,
	// since the lock was taken.
	Invalidated() (bool, error)
}

// Found is one entry a walk came to, valid until the walk moves on.
type Found interface {
	Meta() Meta
	// RemoveIf removes the entry when it still exists and due, looking at
	// it again, judges it removable, with commit around the removal, and
	// reports whether it did.
	RemoveIf(due func(Meta) bool, commit Commit) (bool, error)
}

// WalkMode is what a walk does besides visiting entries.
type WalkMode int

const (
	List  WalkMode = iota // visit the entries, touch nothing
	Prune                 // also remove leftovers of killed writers and earlier releases, when old
	Clear                 // also remove every leftover of the cache's writers in scope
)

// Scope is what a walk covers.
type Scope struct {
	Path string // the cache's Path()
	// AnyName takes for an entry every visible file with the cache's
	// extension, as for a cache with a path function.
	AnyName bool
}
