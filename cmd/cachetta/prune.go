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
)

const pruneHelp = `Remove what no cache needs below DIR, as Prune of a directory cache does:
temporary files older than an hour, left by killed writers, and lock files
older than an hour that no process holds and that mark no entry. Entries are
the files that cachetta's writes marked. With --duration, entries at least
that old (plus --stale) go too; without it none expires, since the files do
not say for how long they are fresh. With --max-bytes or --max-entries, the
oldest entries left then go until the rest are within both bounds. It prints
the paths removed, or with --dry-run those it would remove (a file that a
process holds or rewrites meanwhile is kept all the same).`

// leftoverAge is the age past which Prune takes a temporary or lock file for
// a leftover.
const leftoverAge = time.Hour

// budget is what prune keeps: entries fresh enough and within the bounds.
type budget struct {
	duration, stale time.Duration
	maxBytes        int64
	maxEntries      int
}

func runPrune(e env, args []string) error {
	fs := e.flagSet("prune", "DIR", pruneHelp)
	dryRun := fs.Bool("dry-run", false, "print what would be removed and remove nothing")
	duration := fs.Duration("duration", 0, "remove entries at least this old, plus --stale (0: none by age)")
	stale := fs.Duration("stale", 0, "how long after --duration an expired entry may still be served")
	maxBytes := fs.Int64("max-bytes", 0, "keep at most this many bytes of entries, removing the oldest (0: no bound)")
	maxEntries := fs.Int("max-entries", 0, "keep at most this many entries, removing the oldest (0: no bound)")
	args, err := fs.parse(args, 1, 1)
	if err != nil {
		return err
	}
	b := budget{*duration, *stale, *maxBytes, *maxEntries}
	if b.duration == 0 {
		b.duration, b.stale = math.MaxInt64, 0
	}
	switch {
	case b.duration < 0, b.stale < 0, b.maxBytes < 0, b.maxEntries < 0:
		return fmt.Errorf("cachetta: prune: --duration, --stale, --max-bytes and --max-entries must not be negative")
	case b.stale > math.MaxInt64-b.duration:
		return fmt.Errorf("cachetta: prune: --duration %v plus --stale %v overflows", b.duration, b.stale)
	}
	c, err := dirCache(args[0], b.duration, b.stale)
	if err != nil {
		return err
	}
	if c, err = c.With(cachetta.WithMaxBytes(b.maxBytes), cachetta.WithMaxEntries(b.maxEntries)); err != nil {
		return err
	}
	var removed []string
	if *dryRun {
		removed, err = wouldPrune(e, c, b)
	} else {
		removed, err = c.Prune(e.ctx)
	}
	for _, path := range removed {
		fmt.Fprintln(e.stdout, path)
	}
	return err
}

// wouldPrune returns, sorted, the files below the directory cache c that
// Prune would remove with b, unless a process holds them.
func wouldPrune(e env, c *cachetta.Cachetta[json.RawMessage], b budget) ([]string, error) {
	infos, err := entries(e.ctx, c)
	if err != nil {
		return nil, err
	}
	var old []string
	marks := make(map[string]bool, len(infos))
	var kept []cachetta.Info
	bytes := int64(0)
	for _, info := range infos {
		marks[filepath.Join(filepath.Dir(info.Path), "."+filepath.Base(info.Path)+".cachetta-lock")] = true
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
		if err != nil || !d.Type().IsRegular() || !isLeftover(d.Name()) || marks[path] {
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

// isLeftover reports whether name is one of a temporary or lock file of
// cachetta.
func isLeftover(name string) bool {
	return strings.HasPrefix(name, ".") && (strings.HasSuffix(name, ".cachetta-tmp") || strings.HasSuffix(name, ".cachetta-lock"))
}
