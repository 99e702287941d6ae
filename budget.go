package cachetta

import (
	"cmp"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// counted is an entry that Prune left, as it found it.
type counted struct {
	path string
	info fs.FileInfo
}

// budgeted reports whether the cache has a disk budget.
func (p *pruner[T]) budgeted() bool {
	return p.c.cfg.maxBytes > 0 || p.c.cfg.maxEntries > 0
}

// count records the entry at path, which Prune kept as info shows it, for
// the budget.
func (p *pruner[T]) count(path string, info fs.FileInfo) {
	if p.budgeted() {
		p.kept = append(p.kept, counted{path, info})
	}
}

// overBudget chooses the oldest kept entries whose removal brings the cache
// within its budget, as they were found, and reports whether there are any.
func (p *pruner[T]) overBudget() bool {
	bytes, entries := int64(0), len(p.kept)
	for _, e := range p.kept {
		bytes += e.info.Size()
	}
	over := func() bool {
		maxBytes, maxEntries := p.c.cfg.maxBytes, p.c.cfg.maxEntries
		return maxBytes > 0 && bytes > maxBytes || maxEntries > 0 && entries > maxEntries
	}
	if !over() {
		return false
	}
	slices.SortFunc(p.kept, func(a, b counted) int {
		return cmp.Or(a.info.ModTime().Compare(b.info.ModTime()), cmp.Compare(a.path, b.path))
	})
	p.evicted = make(map[string]fs.FileInfo)
	for _, e := range p.kept {
		if !over() {
			break
		}
		p.evicted[e.path] = e.info
		bytes -= e.info.Size()
		entries--
	}
	p.kept = nil
	return true
}

// evict removes the entry name of d, which is at path, when overBudget chose
// it and it is still the file chosen. An entry written since, by any
// process, is no longer the oldest and stays.
func (p *pruner[T]) evict(d *os.Root, path, name string, kind fileKind) error {
	if kind != kindEntry {
		return nil
	}
	chosen, ok := p.evicted[filepath.Join(path, name)]
	if !ok {
		return nil
	}
	return p.removeEntry(d, path, name, func(info fs.FileInfo) bool {
		return sameFile(info, chosen)
	})
}
