package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/cachetta-go/cachetta"
	"github.com/cachetta-go/cachetta/internal/disk"
	"github.com/cachetta-go/cachetta/internal/lockfile"
)

const pruneHelp = `Remove what no cache needs below DIR, as Prune of a directory cache does:
temporary files older than an hour, left by killed writers (cachetta's
.NAME.RANDOM.cachetta-tmp and Python's tmpRANDOM.tmp), and the per-entry lock
files older than an hour that releases before v0.2.0 left. Entries are the
regular .json files that are not hidden, whichever program wrote them; the
directory's lock file .cachetta-lock always stays. With --duration, entries at least
that old (plus --stale) go too; without it none expires, since the files do
not say for how long they are fresh. With --max-bytes or --max-entries, the
oldest entries left then go until the rest are within both bounds; sizes
take decimal units (kB, MB, GB, TB: powers of 1000) or binary ones (KiB,
MiB, GiB, TiB: powers of 1024), as in 500MB or 1.5GiB. It prints the paths
removed, quoted as ls quotes them.

With --dry-run it removes nothing and says what it would do: "would remove
PATH" for each file it would remove (a file that a process holds or
rewrites meanwhile is kept all the same), or "nothing to remove", and, when
neither --duration nor a bound is given, that every entry stays.`

// keepHint is what prune --dry-run says when neither --duration nor a bound
// is given, so that none of the entries can go.
const keepHint = "every entry stays: pass --duration (how long entries stay fresh) to remove expired ones, or --max-bytes or --max-entries to remove the oldest"

// leftoverAge is the age past which Prune takes a temporary file, or a lock
// file of an earlier release, for a leftover.
const leftoverAge = time.Hour

// budget is what prune keeps: entries fresh enough and within the bounds.
type budget struct {
	duration, stale time.Duration
	maxBytes        int64
	maxEntries      int
}

func runPrune(e env, args []string) error {
	fs := e.flagSet("prune", "DIR", pruneHelp)
	dryRun := fs.Bool("dry-run", false, "say what would be removed and remove nothing")
	duration := fs.Duration("duration", 0, "remove entries at least this old, plus --stale (0: none by age)")
	stale := fs.Duration("stale", 0, "how long after --duration an expired entry may still be served")
	var maxBytes sizeFlag
	fs.Var(&maxBytes, "max-bytes", "keep at most this `size` of entries, removing the oldest: 500MB, 1.5GiB, 1048576 (0: no bound)")
	maxEntries := fs.Int("max-entries", 0, "keep at most this many entries, removing the oldest (0: no bound)")
	args, err := fs.parse(args, 1, 1)
	if err != nil {
		return err
	}
	b := budget{*duration, *stale, int64(maxBytes), *maxEntries}
	// Without --duration no entry expires: the files do not say for how
	// long they are fresh.
	byAge := b.duration != 0
	if !byAge {
		b.duration, b.stale = math.MaxInt64, 0
	}
	switch {
	case b.duration < 0:
		return fmt.Errorf("cachetta: prune: --duration must not be negative, got %v", b.duration)
	case b.stale < 0:
		return fmt.Errorf("cachetta: prune: --stale must not be negative, got %v", b.stale)
	case b.maxEntries < 0:
		return fmt.Errorf("cachetta: prune: --max-entries must not be negative, got %d", b.maxEntries)
	case b.stale > math.MaxInt64-b.duration:
		return fmt.Errorf("cachetta: prune: --duration %v plus --stale %v is too long", b.duration, b.stale)
	}
	c, err := dirCache("prune", args[0], b.duration, b.stale)
	if err != nil {
		return err
	}
	if c, err = c.With(cachetta.WithPruneBudget(b.maxBytes, b.maxEntries)); err != nil {
		return err
	}
	if !*dryRun {
		removed, err := c.Prune(e.ctx)
		for _, path := range removed {
			fmt.Fprintln(e.stdout, quoteName(path))
		}
		return err
	}
	removed, err := wouldPrune(e, c, b)
	if err != nil {
		return err
	}
	for _, path := range removed {
		fmt.Fprintf(e.stdout, "would remove %s\n", quoteName(path))
	}
	if len(removed) == 0 {
		fmt.Fprintf(e.stdout, "nothing to remove below %s\n", quoteName(args[0]))
	}
	if !byAge && b.maxBytes == 0 && b.maxEntries == 0 {
		fmt.Fprintln(e.stdout, keepHint)
	}
	return nil
}

// wouldPrune returns, sorted, the files below the directory cache c that
// Prune would remove with b, unless a process holds them.
func wouldPrune(e env, c *cachetta.Cachetta[json.RawMessage], b budget) ([]string, error) {
	infos, err := entries(e.ctx, c)
	if err != nil {
		return nil, err
	}
	var old []string
	var kept []cachetta.Info
	bytes := int64(0)
	for _, info := range infos {
		if info.Expired && !info.Stale {
			old = append(old, info.Path)
			continue
		}
		kept = append(kept, info)
		bytes += info.Size
	}
	// As Prune chooses: the oldest first until within both bounds.
	slices.SortFunc(kept, func(a, b cachetta.Info) int {
		return cmp.Or(a.ModTime.Compare(b.ModTime), strings.Compare(a.Path, b.Path))
	})
	for _, info := range kept {
		if !(b.maxBytes > 0 && bytes > b.maxBytes || b.maxEntries > 0 && len(kept) > b.maxEntries) {
			break
		}
		old = append(old, info.Path)
		bytes -= info.Size
		kept = kept[1:]
	}
	now := time.Now()
	// WalkDir follows no link.
	err = filepath.WalkDir(c.Path(), func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() || !isLeftover(d.Name()) {
			return nil
		}
		if info, err := d.Info(); err == nil && now.Sub(info.ModTime()) >= leftoverAge {
			old = append(old, path)
		}
		return nil
	})
	slices.Sort(old)
	return old, err
}

// isLeftover reports whether name is one of a temporary file of cachetta or
// of Python's cachetta, or of a per-entry lock file of an earlier release,
// by the rule the cache's Prune follows. The directory's lock file,
// .cachetta-lock, is never one.
func isLeftover(name string) bool {
	return name != lockfile.Name && disk.IsOwnName(name)
}
