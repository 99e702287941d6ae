package cachetta

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io/fs"
	"iter"
	"log/slog"
	"sync"
	"time"
)

// NewTiered returns a Store in two tiers: the files of local in front of
// remote, a store that other machines share (Redis, a bucket), as a build
// cache keeps a disk cache in front of its remote cache. A cache given it by
// WithStore answers a hit from the local file, with no round trip, and
// shares what it computes through remote.
//
// A local miss loads the entry from remote and keeps a copy in local, an
// ordinary cache file of the same name written by rename, whose
// modification time is the remote entry's, so that its age, and so its
// freshness, is the same on every machine. Save saves to remote, then loads
// the entry back and keeps that as the copy: whatever remote holds after
// the Save, normally the bytes just saved, so that a Save racing another
// machine's never leaves a copy of the loser. A write therefore costs a
// Save and a Load of remote, and the next read none. Delete, which a cache's
// Invalidate calls, removes the entry from remote and the copy.
//
// A copy is trusted for recheck after remote last vouched for it (from the
// start of the Load or Stat that did). A hit past that Stats remote: the
// copy stays when remote's entry is the one it copies (the same Version,
// time and size when this store made the copy, the same time and size when
// another process or an earlier run of this one did), is replaced when
// remote's entry changed, and is removed when remote has none. So a Save or
// Invalidate on one machine is seen on the others within recheck, plus the
// time of one call, by every read that reaches the store (WithLRU answers
// fresh entries from memory first, as with any store, unless WithFileCheck
// makes each memory hit Stat the store). A recheck of zero asks remote on
// every hit, a Stat without the bytes. What was vouched for when is kept in
// memory, at most a few tens of thousands of copies: the first hit of a
// copy after a restart, or of one the process forgot, Stats remote. An error
// of remote during that Stat is the read's, as without the tier.
//
// When remote is a Locker, so is the returned Store: Lock takes remote's
// lock, which coalesces runs across machines and across the processes of
// one machine alike, and after it the first read of the entry asks remote
// whatever recheck says, since a cache that missed takes the lock and must
// then see what another machine wrote while it waited. Otherwise runs are
// coalesced within each process only, as with any Store that is not a
// Locker: two processes, on one machine or two, may both run. Processes of
// one machine may share local: copies are replaced atomically, a copy
// another process wrote is checked against remote before it is trusted,
// and an Invalidate removes the machine's copy for all of them at once.
//
// List, and so a cache's Entries, Prune and Clear, see the local copies
// alone: Prune and WithPruneBudget bound the local disk, and Clear empties
// it; neither removes anything from remote, whose entries end by the keep
// a cache gives Save (Redis expiry), by a bucket's lifecycle rules, or by a
// cache on remote itself. A copy that cannot be written (a full disk,
// permissions) is logged at warn level through slog.Default, and the read
// is served from remote.
//
// The returned Store does not close local or remote. NewTiered returns an
// error when either is nil, when they are one directory, and when recheck
// is negative.
func NewTiered(local *FileStore, remote Store, recheck time.Duration) (Store, error) {
	switch {
	case local == nil:
		return nil, errors.New("cachetta: NewTiered: nil local store")
	case remote == nil:
		return nil, errors.New("cachetta: NewTiered: nil remote store")
	case recheck < 0:
		return nil, fmt.Errorf("cachetta: NewTiered: recheck must not be negative, got %v", recheck)
	}
	if rf, ok := remote.(*FileStore); ok && rf.Dir() == local.Dir() {
		return nil, fmt.Errorf("cachetta: NewTiered: local and remote are one directory, %s", local.Dir())
	}
	t := &tiered{local: local, remote: remote, recheck: recheck, seed: maphash.MakeSeed()}
	if l, ok := remote.(Locker); ok {
		return &lockingTiered{tiered: t, locker: l}, nil
	}
	return t, nil
}

// tiered is the Store NewTiered returns when remote is not a Locker.
type tiered struct {
	local   *FileStore
	remote  Store
	recheck time.Duration
	seed    maphash.Seed
	stripes [tierStripes]tierStripe
}

// stripe returns the stripe of the table of copies that holds name.
func (t *tiered) stripe(name string) *tierStripe {
	return &t.stripes[maphash.String(t.seed, name)%tierStripes]
}

// Load implements Store: the local copy while it is trusted or remote
// vouches for it, or else remote's entry, kept as the new copy.
func (t *tiered) Load(ctx context.Context, name string, maxSize int64) ([]byte, StoreEntry, error) {
	data, le, err := t.local.Load(ctx, name, maxSize)
	if err != nil {
		if ctx.Err() != nil {
			return nil, StoreEntry{}, err
		}
		// Missing, too large, not a regular file, unreadable: remote
		// has the entry if anyone has.
		return t.fill(ctx, name, maxSize)
	}
	se, ok, err := t.check(ctx, name, le)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		t.warn(ctx, name, t.settle(ctx, name, nil, 0, false))
		return nil, StoreEntry{}, err
	case err != nil:
		return nil, StoreEntry{}, err
	case ok:
		return data, se, nil
	}
	return t.fill(ctx, name, maxSize)
}

// check returns remote's entry for name and whether le, its local copy,
// holds it: from memory while the copy is trusted, else from a Stat of
// remote, after which the copy is trusted again when it holds the entry.
func (t *tiered) check(ctx context.Context, name string, le StoreEntry) (StoreEntry, bool, error) {
	asked := time.Now()
	s := t.stripe(name)
	c, known := s.copyOf(name, le)
	if known && asked.Sub(c.checked) < t.recheck {
		return c.remote, true, nil
	}
	epoch := s.currentEpoch()
	se, err := t.remote.Stat(ctx, name)
	if err != nil {
		return StoreEntry{}, false, err
	}
	// A copy this store did not make or check, or one whose file changed,
	// is known by its time and size alone: the copy of an entry carries
	// its time.
	holds := known && c.holds(se) || !known && le.Size == se.Size && le.ModTime.Equal(se.ModTime)
	if holds {
		s.vouch(name, le.ModTime, se, asked, epoch)
	}
	return se, holds, nil
}

// fill loads name from remote and keeps it as the local copy.
func (t *tiered) fill(ctx context.Context, name string, maxSize int64) ([]byte, StoreEntry, error) {
	epoch := t.stripe(name).currentEpoch()
	asked := time.Now()
	data, se, err := t.remote.Load(ctx, name, maxSize)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) { // no copy of what remote lacks
			t.warn(ctx, name, t.settle(ctx, name, nil, 0, false))
		}
		return nil, StoreEntry{}, err
	}
	t.warn(ctx, name, t.settle(ctx, name, &tierFill{data, se, asked}, epoch, false))
	return data, se, nil
}

// A tierFill is what a tiered store read of remote's entry, to keep as
// its local copy.
type tierFill struct {
	data  []byte
	se    StoreEntry
	asked time.Time // when the read of remote began
}

// settle makes f the local copy of name, or removes the copy when f is
// nil. A Save or Delete passes bump, so that a read that began before it
// does not write its copy after it: when a Save or Delete of the stripe
// settled since epoch, a read leaves the copy to it, and a Save removes
// the copy, as remote may hold the other Save's bytes or its own.
func (t *tiered) settle(ctx context.Context, name string, f *tierFill, epoch uint64, bump bool) error {
	// The copy must follow remote even when the caller gave up: a Delete
	// whose ctx ended after remote's must still remove it.
	ctx = context.WithoutCancel(ctx)
	s := t.stripe(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	overtaken := s.epoch != epoch
	if bump {
		s.epoch++
	}
	switch {
	case f == nil || overtaken && bump:
		delete(s.copies, name)
		return t.local.Delete(ctx, name)
	case overtaken:
		return nil
	}
	kept, err := t.local.save(ctx, name, f.data, f.se.ModTime)
	if err != nil {
		delete(s.copies, name)
		return err
	}
	s.rememberLocked(name, tierCopy{remote: f.se, local: kept, checked: f.asked})
	return nil
}

// warn logs err, a failure to keep or remove the local copy of name, which
// costs the reads that follow a round trip but fails no call.
func (t *tiered) warn(ctx context.Context, name string, err error) {
	if err != nil {
		slog.Default().LogAttrs(ctx, slog.LevelWarn, "tiered store: cannot keep the local copy",
			slog.String("path", name), slog.Any("err", err))
	}
}

// Stat implements Store: the entry the local copy holds while it is
// trusted or remote vouches for it, or else remote's. It never writes a
// copy.
func (t *tiered) Stat(ctx context.Context, name string) (StoreEntry, error) {
	le, err := t.local.Stat(ctx, name)
	if err != nil {
		if ctx.Err() != nil {
			return StoreEntry{}, err
		}
		return t.remote.Stat(ctx, name)
	}
	se, _, err := t.check(ctx, name, le)
	return se, err
}

// Save implements Store: it saves to remote, then keeps what remote holds
// as the local copy. A copy that cannot be kept is removed and logged; the
// Save still succeeded.
func (t *tiered) Save(ctx context.Context, name string, data []byte, keep time.Duration) error {
	epoch := t.stripe(name).currentEpoch()
	if err := t.remote.Save(ctx, name, data, keep); err != nil {
		// Remote may hold the new bytes or the old: no copy says which.
		t.warn(ctx, name, t.settle(ctx, name, nil, epoch, true))
		return err
	}
	asked := time.Now()
	var f *tierFill
	if back, se, err := t.remote.Load(ctx, name, int64(len(data))); err == nil {
		f = &tierFill{back, se, asked}
	}
	t.warn(ctx, name, t.settle(ctx, name, f, epoch, true))
	return nil
}

// Delete implements Store: it removes the entry from remote and the local
// copy, also when remote fails.
func (t *tiered) Delete(ctx context.Context, name string) error {
	err := t.remote.Delete(ctx, name)
	return errors.Join(err, t.settle(ctx, name, nil, 0, true))
}

// List implements Store. It yields the local copies, each described as the
// remote entry it holds when this store made or checked it, and never asks
// remote: entries other machines wrote and this one never read are not
// listed.
func (t *tiered) List(ctx context.Context, prefix string) iter.Seq2[StoreEntry, error] {
	return func(yield func(StoreEntry, error) bool) {
		for le, err := range t.local.List(ctx, prefix) {
			if err == nil {
				le = t.described(le)
			}
			if !yield(le, err) {
				return
			}
		}
	}
}

// described returns the remote entry that the copy le holds when this
// store made or checked it, or else le.
func (t *tiered) described(le StoreEntry) StoreEntry {
	if c, ok := t.stripe(le.Name).copyOf(le.Name, le); ok {
		return c.remote
	}
	return le
}

// copies returns the store's local copies as Entries, Prune and Clear see
// them (see tier).
func (t *tiered) copies() listing { return tierCopies{t} }

// tierCopies is the listing of a tiered store's local copies: what it
// lists, Stat describes and Delete removes is the copy, never remote's
// entry.
type tierCopies struct{ t *tiered }

func (v tierCopies) List(ctx context.Context, prefix string) iter.Seq2[StoreEntry, error] {
	return v.t.List(ctx, prefix)
}

func (v tierCopies) Stat(ctx context.Context, name string) (StoreEntry, error) {
	le, err := v.t.local.Stat(ctx, name)
	if err != nil {
		return StoreEntry{}, err
	}
	return v.t.described(le), nil
}

// Delete removes the copy alone. A read in flight may write it again, as a
// copy of what remote holds.
func (v tierCopies) Delete(ctx context.Context, name string) error {
	s := v.t.stripe(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.copies, name)
	return v.t.local.Delete(ctx, name)
}

// lockingTiered is the Store NewTiered returns when remote is a Locker.
type lockingTiered struct {
	*tiered
	locker Locker
}

// Lock implements Locker with remote's lock. Once it holds the lock, the
// next read of name asks remote: a cache takes the lock after a miss and
// reads again, and another machine may have saved the entry meanwhile.
func (t *lockingTiered) Lock(ctx context.Context, name string, lease time.Duration) (func(), error) {
	unlock, err := t.locker.Lock(ctx, name, lease)
	if err != nil {
		return nil, err
	}
	s := t.stripe(name)
	s.mu.Lock()
	if c, ok := s.copies[name]; ok {
		c.checked = time.Time{}
		s.copies[name] = c
	}
	s.mu.Unlock()
	return unlock, nil
}

// What a tiered store remembers of its local copies: which remote entry
// each holds, and when remote last vouched for it.

// tierStripes is the number of stripes of a tiered store's table of
// copies: hits of different names rarely wait for one another.
const tierStripes = 64

// maxStripeCopies bounds the copies a stripe remembers, so that a process
// that reads ever new names does not grow without end. A forgotten copy
// costs one Stat of remote at its next hit.
const maxStripeCopies = 1024

// A tierStripe remembers the copies of the names that hash to it.
//
// Its epoch orders the writes of copies against this process's Saves and
// Deletes: a copy made of what remote held before a Save or Delete must not
// be written after it. Each Save and Delete adds one to the epoch when it
// settles its copy; a read whose copy began at another epoch leaves the
// copy to them, and a Save whose copy did removes it (see settle).
type tierStripe struct {
	mu     sync.Mutex
	epoch  uint64              // guarded by mu
	copies map[string]tierCopy // guarded by mu
}

// A tierCopy is what a tiered store knows of a local copy it made or
// checked.
type tierCopy struct {
	remote  StoreEntry // the remote entry whose bytes the copy holds
	local   time.Time  // the copy's modification time, as its file system keeps it
	checked time.Time  // when remote last vouched for it; zero after a Lock
}

// holds reports whether the copy c is of the remote entry se.
func (c tierCopy) holds(se StoreEntry) bool {
	return c.remote.Version == se.Version && c.remote.ModTime.Equal(se.ModTime) && c.remote.Size == se.Size
}

// copyOf returns what the stripe knows of the copy of name whose file le
// describes; ok is false when it knows nothing of that file.
func (s *tierStripe) copyOf(name string, le StoreEntry) (c tierCopy, ok bool) {
	s.mu.Lock()
	c, ok = s.copies[name]
	s.mu.Unlock()
	return c, ok && le.Size == c.remote.Size && le.ModTime.Equal(c.local)
}

// currentEpoch returns the stripe's epoch.
func (s *tierStripe) currentEpoch() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.epoch
}

// rememberLocked records c as the copy of name. The caller holds s.mu.
func (s *tierStripe) rememberLocked(name string, c tierCopy) {
	if s.copies == nil {
		s.copies = make(map[string]tierCopy)
	}
	if _, ok := s.copies[name]; !ok && len(s.copies) >= maxStripeCopies {
		for victim := range s.copies { // any one: each costs one Stat
			delete(s.copies, victim)
			break
		}
	}
	s.copies[name] = c
}

// vouch records that remote held se, the entry the copy of name with
// modification time local holds, when asked, unless a Save or Delete of
// the stripe settled since epoch.
func (s *tierStripe) vouch(name string, local time.Time, se StoreEntry, asked time.Time, epoch uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.epoch == epoch {
		s.rememberLocked(name, tierCopy{remote: se, local: local, checked: asked})
	}
}
