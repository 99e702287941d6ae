package cachetta

import (
	"sync"
	"time"
)

// This file is what a tiered store (tiered.go) remembers of its local
// copies: which remote entry each holds, and when remote last vouched for
// it.

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
