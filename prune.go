package cachetta

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/cachetta-go/cachetta/internal/storage"
)

// Prune removes files of the cache that no read can return any more, and
// returns their paths, sorted. For a cache whose Path() is a file pattern
// (cache/user.json) it looks in that file's directory only; for a cache
// whose Path() is a directory it walks the tree below it. It removes three
// kinds of regular file:
//
//   - entries whose age is at least the duration plus the stale duration:
//     the file at Path() and the files PathFor names for arguments, which
//     sit beside it as name-<16 hex digits>.ext;
//   - temporary files older than an hour, left by writers that were
//     killed: this package's (.<name>.<random>.cachetta-tmp) and those of
//     Python's cachetta (tmp<random>.tmp);
//   - the per-entry lock files of earlier releases (.<name>.cachetta-lock),
//     older than an hour.
//
// A cache with a path function, and a directory cache, take for an entry
// every regular file in that scope with the cache's extension (see Entries),
// and prune them by age as above. The directory's own lock file,
// .cachetta-lock, is never removed: processes coordinate through it. When
// something else sits at that name, Prune logs a warning and leaves it.
//
// With WithPruneBudget, Prune then removes the oldest of the
// entries left, by modification time, until the rest are within both
// budgets. An entry chosen so that another write replaced meanwhile is no
// longer the oldest, and stays: the cache may then be over budget until the
// next Prune. The budget costs a second walk, when the cache is over it, and
// a sort of the entries in scope: time O(n log n) and memory O(n) for n
// entries.
//
// It removes nothing else: no directories, no symbolic links, no other
// files. Every memory of the cache's family forgets a removed entry.
//
// Prune follows no symbolic link below the cache's directory: it works
// through handles on the directories it opened itself, so a subdirectory
// swapped for a link while it runs leads nowhere. The cache's directory
// itself is opened by its path, which follows links, unless WithRoot
// confines the cache: without WithRoot, whoever can replace a directory on
// that path with a link can point Prune at another directory. Before removing a file it moves it aside and looks at
// it again, and puts it back when another process replaced it with a fresh
// entry after Prune judged it. With WithProcessLock it judges and removes an
// entry under the lock of its directory, which writers of this package in
// every process take to rename, so that none of their fresh entries is even
// set aside for a moment. Subdirectories it cannot open are skipped; a file
// that vanishes meanwhile is neither an error nor reported.
func (c *Cachetta[T]) Prune(ctx context.Context) (removed []string, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p := &pruner[T]{c: c, ctx: ctx}
	now := time.Now()
	maxAge := c.cfg.duration + c.cfg.stale
	expired := func(m storage.Meta) bool { return now.Sub(m.ModTime) >= maxAge }
	budgeted := c.cfg.maxBytes > 0 || c.cfg.maxEntries > 0
	var kept []storage.Meta
	err = c.storage.Walk(ctx, c.scope(), storage.Prune, func(f storage.Found) error {
		m := f.Meta()
		// An entry that could not be removed, or was replaced since the
		// look, counts as the look found it; the budget's own judge keeps
		// one replaced.
		if !expired(m) || !p.remove(f, expired) {
			if budgeted {
				kept = append(kept, m)
			}
		}
		return nil
	}, p.removedLeftover)
	// The oldest entries are known only once every one has been seen; a
	// second walk removes those chosen, through handles again. An entry
	// chosen and written again since, by any process, is no longer the
	// oldest, and stays.
	if chosen := c.overBudget(kept); err == nil && len(chosen) > 0 {
		err = c.storage.Walk(ctx, c.scope(), storage.List, func(f storage.Found) error {
			if old, ok := chosen[f.Meta().Name]; ok {
				p.remove(f, old.Same)
			}
			return nil
		}, nil)
	}
	return p.end("prune", err)
}

// Clear removes every file the cache can have written, whatever its age, and
// empties every memory of its family (see Join and With); it returns the
// paths it removed, sorted. Its scope is Prune's. For a cache whose Path() is
// a file pattern (cache/user.json) it removes, in that file's directory only:
//
//   - the entries: the file at Path() and its keyed siblings
//     name-<16 hex digits>.ext;
//   - their temporary files, and the per-entry lock files of earlier
//     releases; those of other caches in the directory stay.
//
// A cache with a path function removes, in that directory too, every regular
// file with the cache's extension (see Entries). For a cache whose Path() is
// a directory, it removes such files in the tree below it, and the temporary
// files there, this package's and Python's. The directory's lock file,
// .cachetta-lock, stays: other processes may be coordinating through it.
//
// Clear removes no directory, no symbolic link and nothing outside its
// scope, and it never follows a link: it walks and removes as Prune does,
// through handles on the directories it opened itself, and removes each
// entry under the lock of its directory. A lock file that a process holds
// stays. A computation that is running meanwhile may still write its result;
// Invalidate is the way to keep one off the disk.
func (c *Cachetta[T]) Clear(ctx context.Context) (removed []string, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p := &pruner[T]{c: c, ctx: ctx}
	always := func(storage.Meta) bool { return true }
	err = c.storage.Walk(ctx, c.scope(), storage.Clear, func(f storage.Found) error {
		p.remove(f, always)
		return nil
	}, p.removedLeftover)
	// Memory may hold entries whose files were removed by others.
	for _, m := range c.shared.allMemories() {
		m.purge()
	}
	return p.end("clear", err)
}

// pruner is the state of one Prune or Clear.
type pruner[T any] struct {
	c       *Cachetta[T]
	ctx     context.Context
	removed []string
}

// remove removes the entry f when due, looking at it again, still judges
// it removable, under the path's state, so that a read of the entry in
// flight does not put the removed value back in memory, and reports
// whether it did. A failure is logged: one entry that cannot go does not
// stop the rest.
func (p *pruner[T]) remove(f storage.Found, due func(storage.Meta) bool) bool {
	c, path := p.c, f.Meta().Name
	removed, err := f.RemoveIf(due, func() (func(bool), error) {
		ps := c.shared.acquire(path)
		ps.mu.Lock()
		return func(removed bool) {
			if removed {
				ps.changes.Add(1)
				c.shared.forget(path)
				c.shared.invalidated(path)
			}
			ps.mu.Unlock()
			c.shared.release(path, ps)
		}, nil
	})
	if err != nil {
		if p.ctx.Err() == nil {
			c.cfg.logger.LogAttrs(p.ctx, slog.LevelWarn, "cannot remove cache entry",
				slog.String("path", path), slog.Any("err", err))
		}
		return false
	}
	if removed {
		p.removed = append(p.removed, path)
	}
	return removed
}

// removedLeftover records a leftover of a writer that the walk removed.
func (p *pruner[T]) removedLeftover(path string) {
	p.removed = append(p.removed, path)
}

// end returns the sorted paths removed and the walk's error, err, for op.
func (p *pruner[T]) end(op string, err error) ([]string, error) {
	slices.Sort(p.removed)
	if ctxErr := p.ctx.Err(); ctxErr != nil && (err == nil || errors.Is(err, ctxErr)) {
		return p.removed, ctxErr
	}
	if err != nil {
		return p.removed, fmt.Errorf("cachetta: %s: %w", op, err)
	}
	return p.removed, nil
}

// overBudget returns the oldest of entries, by modification time, whose
// removal brings the rest within WithPruneBudget, by name.
func (c *Cachetta[T]) overBudget(entries []storage.Meta) map[string]storage.Meta {
	var bytes int64
	for _, m := range entries {
		bytes += m.Size
	}
	n := len(entries)
	over := func() bool {
		return c.cfg.maxBytes > 0 && bytes > c.cfg.maxBytes || c.cfg.maxEntries > 0 && n > c.cfg.maxEntries
	}
	if !over() {
		return nil
	}
	slices.SortFunc(entries, func(a, b storage.Meta) int {
		return cmp.Or(a.ModTime.Compare(b.ModTime), strings.Compare(a.Name, b.Name))
	})
	chosen := make(map[string]storage.Meta)
	for _, m := range entries {
		if !over() {
			break
		}
		chosen[m.Name] = m
		bytes -= m.Size
		n--
	}
	return chosen
}
